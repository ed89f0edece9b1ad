"""zhixing resume_suspensions [--as-of DATE] [--json]: append the end of every suspension
or postponement whose planned end (``until``) is on or before as-of (default: today),
dated that planned day (idempotent: a second run appends nothing)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from zhixing.cmdutil import USAGE, emit_json, parse_date, table
from zhixing.flow.services import FlowError, resume_due
from zhixing.lib import clock


class Command(BaseCommand):
    help = "中止、暂缓执行按计划自动恢复（幂等：重复运行不会重复恢复）"

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="截至日 YYYY-MM-DD（默认今天；不得晚于今天）")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **o):
        as_of = parse_date(o["as_of"], "--as-of") or clock.today()
        try:
            events = resume_due(as_of)
        except FlowError as e:
            raise CommandError(f"--as-of：{e.message}", returncode=USAGE) from None
        rows = [{"case_number": e.case.case_number, "node": e.node, "on": e.on.isoformat()} for e in events]
        if o["json"]:
            emit_json(self, {"as_of": as_of.isoformat(), "resumed": rows})
            return
        table(self, ["案号", "节点", "日期"], [[r["case_number"], r["node"], r["on"]] for r in rows])
