"""zhixing inquiry_work [--once] [--batch N] [--idle S] [--max-seconds S] [--workers N] [--json]:
the delivery worker of online inquiries — drains the outbox (sends pending requests in
batches, polls sent ones, applies answers), retrying with backoff. Runs until
interrupted, or with ``--once`` / ``--until-idle`` returns when nothing is due. Several
workers may run at once: each claims rows with a conditional UPDATE (a lease), on
PostgreSQL skipping rows another worker is claiming (disjoint batches). ``--workers N``
starts N − 1 more worker processes with the same options and adds up their counts."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections import Counter

from django.core.management.base import BaseCommand
from django.db import close_old_connections, connection

from zhixing.inquiry.models import OutboxMessage, OutboxState
from zhixing.inquiry.services import Policy, work_once

DEFAULT = Policy()


class Command(BaseCommand):
    help = "网络查控发送与反馈（处理发送队列）"

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="只处理一轮")
        parser.add_argument("--until-idle", action="store_true", help="没有待发送和待反馈的请求时退出")
        parser.add_argument("--batch", type=int, default=500, help="每轮认领条数")
        parser.add_argument("--idle", type=float, default=1.0, help="无到期任务时的等待秒数")
        parser.add_argument("--max-seconds", type=float, default=0, help="最长运行秒数（0 = 不限）")
        parser.add_argument(
            "--poll-first", type=float, default=DEFAULT.poll_first, help="发送后首次查询反馈的等待秒数"
        )
        parser.add_argument("--poll-max", type=float, default=DEFAULT.poll_max)
        parser.add_argument("--backoff-base", type=float, default=DEFAULT.backoff_base)
        parser.add_argument("--backoff-max", type=float, default=DEFAULT.backoff_max)
        parser.add_argument("--max-failures", type=int, default=DEFAULT.max_failures)
        parser.add_argument(
            "--stuck-after", type=float, default=DEFAULT.stuck_after, help="发送后多少秒仍无完整反馈视为滞留"
        )
        parser.add_argument("--lease", type=float, default=DEFAULT.lease)
        parser.add_argument("--callback-url", default="", help="请对方回调的地址（可选；始终同时轮询）")
        parser.add_argument("--workers", type=int, default=1, help="工作进程数（本进程之外另起 N−1 个）")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **o):
        policy = Policy(
            backoff_base=o["backoff_base"], backoff_max=o["backoff_max"], max_failures=o["max_failures"],
            poll_first=o["poll_first"], poll_max=o["poll_max"], stuck_after=o["stuck_after"], lease=o["lease"],
            callback_url=o["callback_url"],
        )  # fmt: skip
        total: Counter = Counter()
        children = [self._spawn(o) for _ in range(max(o["workers"], 1) - 1)]
        started = time.monotonic()
        try:
            self._loop(o, policy, total, started)
        finally:
            if not (o["once"] or o["until_idle"] or o["max_seconds"]):
                for child in children:  # an endless worker was interrupted: so are its helpers
                    child.terminate()
            for child in children:
                out, _ = child.communicate()
                if child.returncode == 0 and out.strip():
                    total.update(json.loads(out.strip().splitlines()[-1]))
        total.pop("stuck_total", None)
        stuck = OutboxMessage.objects.filter(state=OutboxState.STUCK).count()
        if o["json"]:
            self.stdout.write(json.dumps({**total, "stuck_total": stuck}, ensure_ascii=False))
        else:
            parts = "，".join(f"{k} {v}" for k, v in sorted(total.items()))
            self.stdout.write(f"网络查控：{parts or '无到期任务'}；滞留 {stuck} 条")

    @staticmethod
    def _spawn(o) -> subprocess.Popen:
        """One more worker process with the same options (its counts as JSON on stdout)."""
        argv = [sys.executable, "-m", "zhixing.cli", "inquiry_work", "--json", "--workers", "1"]
        for flag in ("once", "until_idle"):
            if o[flag]:
                argv.append("--" + flag.replace("_", "-"))
        for name in ("batch", "idle", "max_seconds", "poll_first", "poll_max", "backoff_base", "backoff_max",
                     "max_failures", "stuck_after", "lease", "callback_url"):  # fmt: skip
            argv += ["--" + name.replace("_", "-"), str(o[name])]
        return subprocess.Popen(argv, stdout=subprocess.PIPE, text=True)

    @staticmethod
    def _loop(o, policy: Policy, total: Counter, started: float) -> None:
        while True:
            if not connection.in_atomic_block:  # a long-running worker drops dead connections
                close_old_connections()
            counts = work_once(o["batch"], policy=policy)
            total.update(counts)
            if o["once"]:
                break
            if o["max_seconds"] and time.monotonic() - started > o["max_seconds"]:
                break
            if not counts:
                if (
                    o["until_idle"]
                    and not OutboxMessage.objects.filter(
                        state__in=(OutboxState.PENDING, OutboxState.SENT)
                    ).exists()
                ):
                    break
                time.sleep(o["idle"])
