"""Benchmark: a daily batch of online inquiries through the simulated 总对总 service (issue 10).

Target: 50,000 inquiries ≤ 10 minutes on this machine, with zhixing's own overhead per
request measured; compared in the same run with the obvious alternative — one request at a
time, synchronous (send one, poll it until complete, record it), no batching.

    uv run python bench/inquiry.py [--cases 2000] [--naive 200] [--workers 1]

Steps: ``zhixing import`` of N fresh cases with one debtor each (not timed) into a temporary
SQLite database; ``zhixing inquiry-sim`` as a separate process (no faults, answers ready at
once); then timed: ``run_daily`` (queue one inquiry of the 10 categories per debtor),
``inquiry_work`` until idle (batched send and poll, answers recorded as ``online_inquiry``
events through ``flow.services.record_event``). zhixing's overhead per request = this
process's CPU time / requests (the simulator's CPU is in its own process).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def bundle(path: Path, n: int) -> None:
    from tests.conftest import make_bundle_case

    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            c = make_bundle_case(filed_on="2026-11-20", seq=i + 1)
            c["events"] = [{"node": "handler_assigned", "on": "2026-11-20", "handler": "王某"}]
            fh.write(json.dumps(c, ensure_ascii=False) + "\n")


def cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", type=int, default=2000)
    ap.add_argument("--naive", type=int, default=200)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-inquiry-"))
    db = tmp / "bench.sqlite3"
    os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    sys.path.insert(0, str(ROOT))
    bundle(tmp / "cases.jsonl", args.cases + args.naive)
    env = {**os.environ}
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "zhixing.cli", "import", str(tmp / "cases.jsonl"), "--json"], env=env,
                   check=True, capture_output=True)  # fmt: skip
    print(f"setup: imported {args.cases + args.naive} cases in {time.perf_counter() - t:.1f} s")
    sim = subprocess.Popen([sys.executable, "-m", "zhixing.cli", "inquiry-sim", "--port", "0", "--port-file",
                            str(tmp / "port")], stdout=subprocess.PIPE, text=True)  # fmt: skip
    sim.stdout.readline()
    os.environ["ZHIXING_INQUIRY_URL"] = f"http://127.0.0.1:{(tmp / 'port').read_text()}"
    try:
        import django

        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhixing.settings")
        django.setup()
        from datetime import date

        from django.utils import timezone

        from zhixing.cases.models import Case
        from zhixing.inquiry import connectors, services
        from zhixing.inquiry.models import InquiryRequest, OutboxMessage, Status

        policy = services.Policy(poll_first=0.0, poll_max=0.5)
        naive_ids = list(Case.objects.order_by("-pk").values_list("pk", flat=True)[: args.naive])
        # -- batched: the daily job and the worker ------------------------------------------
        c0, w0 = cpu(), time.perf_counter()
        queued = services.run_daily(date(2026, 11, 23), new_days=30)["new_case"]
        InquiryRequest.objects.filter(case_id__in=naive_ids).delete()  # kept for the naive run
        queued -= args.naive
        c1, w1 = cpu(), time.perf_counter()
        while OutboxMessage.objects.filter(state__in=("pending", "sent")).exists():
            services.work_once(1000, policy=policy)
        c2, w2 = cpu(), time.perf_counter()
        done = InquiryRequest.objects.filter(status=Status.DONE).count()
        assert done == queued, (done, queued)
        # -- naive: one request at a time, synchronous ----------------------------------
        conn = connectors.connector_for(Case.objects.get(pk=naive_ids[0]).court)
        c3, w3 = cpu(), time.perf_counter()
        for case in Case.objects.filter(pk__in=naive_ids).select_related("court"):
            req = services.request_inquiry(None, case, party=case.parties.get(role="debtor"))
            OutboxMessage.objects.filter(request=req).delete()
            conn.send([services.payload(req)])
            while True:
                [item] = conn.poll([str(req.request_id)])
                if item.state == "complete":
                    break
            services.apply_answers(req.pk, item.results, complete=True)
        c4, w4 = cpu(), time.perf_counter()
        naive_done = InquiryRequest.objects.filter(case_id__in=naive_ids, status=Status.DONE).count()
        assert naive_done == args.naive
        batched_wall = (w2 - w0) / queued
        naive_wall = (w4 - w3) / args.naive
        out = {
            "date": timezone.now().isoformat(timespec="seconds"),
            "loadavg": Path("/proc/loadavg").read_text().split()[:3],
            "requests": queued,
            "queue_s": round(w1 - w0, 2), "queue_cpu_s": round(c1 - c0, 2),
            "work_s": round(w2 - w1, 2), "work_cpu_s": round(c2 - c1, 2),
            "per_request_wall_ms": round(1000 * batched_wall, 2),
            "per_request_cpu_ms": round(1000 * (c2 - c0) / queued, 2),
            "extrapolated_50000_s": round(50000 * batched_wall, 1),
            "naive_requests": args.naive, "naive_per_request_wall_ms": round(1000 * naive_wall, 2),
            "naive_per_request_cpu_ms": round(1000 * (c4 - c3) / args.naive, 2),
            "naive_extrapolated_50000_s": round(50000 * naive_wall, 1),
            "ratio_naive_over_batched": round(naive_wall / batched_wall, 2),
        }  # fmt: skip
        print(json.dumps(out, ensure_ascii=False, indent=1))
    finally:
        sim.terminate()
        sim.wait()


if __name__ == "__main__":
    main()
