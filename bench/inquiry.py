"""Benchmark: a daily batch of online inquiries through the simulated 总对总 service (issue 10).

Target: 50,000 inquiries ≤ 10 minutes on this machine, with zhixing's own overhead per
request measured; compared in the same run with the obvious alternative — one request at a
time, synchronous (send one, poll it until complete, record it through
``flow.services.record_event``), no batching — on a smaller count.

    uv run python bench/inquiry.py [--requests 50000] [--naive 200] [--pg] [--workers 2]

Steps: ``zhixing import`` of N + naive fresh cases with one debtor each (not timed) into a
temporary SQLite database (``--pg``: a fresh PostgreSQL database ``zhixing_bench_inquiry``);
``zhixing inquiry-sim`` as a separate process (no faults beyond its default 2 % refused
categories, answers ready at once). Then timed: ``run_daily`` (queue one inquiry of the 10
categories per new debtor: N requests, bulk-queued), and the delivery worker until idle —
in this process (``--workers 1``) or as ``--workers`` ``zhixing inquiry_work --until-idle``
processes claiming disjoint batches — sending and polling 200 requests per HTTP call and
recording each poll batch's answers with ``apply_answers_many`` (one transaction, one
``flow.services.record_events_bulk``, one facts refresh per batch). The naive cases are
filed earlier, outside the daily job's window, and go one by one afterwards.

zhixing's overhead per request = CPU time of the zhixing processes (this one and the
workers) / requests; the simulator's CPU is its own process's and is reported apart. With
``--pg`` the PostgreSQL server's CPU is not in that figure.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PG = "postgresql://postgres@127.0.0.1:5432/"
PG_NAME = "zhixing_bench_inquiry"


def bundle(path: Path, n: int, naive: int) -> None:
    from tests.conftest import make_bundle_case

    with path.open("w", encoding="utf-8") as fh:
        for i in range(n + naive):
            # The naive cases are filed earlier: outside the daily job's 30-day window.
            filed = "2026-11-20" if i < n else "2026-09-01"
            c = make_bundle_case(filed_on=filed, seq=i + 1)
            c["events"] = [{"node": "handler_assigned", "on": filed, "handler": "王某"}]
            fh.write(json.dumps(c, ensure_ascii=False) + "\n")


def cpu_self() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def cpu_children() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def proc_cpu(pid: int) -> float:
    """CPU seconds of a running process (utime + stime from /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class LoadSampler(threading.Thread):
    """The 1-minute load average every 5 s while the timed part runs."""

    def __init__(self):
        super().__init__(daemon=True)
        self.samples: list[float] = []
        self.stop = threading.Event()

    def run(self):
        while not self.stop.wait(5):
            self.samples.append(float(Path("/proc/loadavg").read_text().split()[0]))


def fresh_pg() -> str:
    import psycopg

    with psycopg.connect(PG + "postgres", autocommit=True) as con:
        con.execute(f"DROP DATABASE IF EXISTS {PG_NAME}")
        con.execute(f"CREATE DATABASE {PG_NAME}")
    return PG + PG_NAME


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=50000)
    ap.add_argument("--naive", type=int, default=200)
    ap.add_argument("--workers", type=int, default=1, help="inquiry_work processes (1: in this process)")
    ap.add_argument("--batch", type=int, default=1000, help="rows claimed per worker pass")
    ap.add_argument("--pg", action="store_true")
    ap.add_argument("--profile", default="", help="write a cProfile of the in-process work here")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-inquiry-"))
    database_url = fresh_pg() if args.pg else f"sqlite:///{tmp / 'bench.sqlite3'}"
    os.environ["DATABASE_URL"] = database_url
    sys.path.insert(0, str(ROOT))
    bundle(tmp / "cases.jsonl", args.requests, args.naive)
    env = {**os.environ}
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "zhixing.cli", "import", str(tmp / "cases.jsonl"), "--json"], env=env,
                   check=True, capture_output=True)  # fmt: skip
    setup_s = time.perf_counter() - t
    print(f"setup: imported {args.requests + args.naive} cases in {setup_s:.1f} s", flush=True)
    sim = subprocess.Popen([sys.executable, "-m", "zhixing.cli", "inquiry-sim", "--port", "0", "--port-file",
                            str(tmp / "port")], stdout=subprocess.PIPE, text=True)  # fmt: skip
    sim.stdout.readline()
    os.environ["ZHIXING_INQUIRY_URL"] = f"http://127.0.0.1:{(tmp / 'port').read_text()}"
    env = {**os.environ}
    try:
        import django

        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhixing.settings")
        django.setup()
        from datetime import date

        from django.db import connection
        from django.utils import timezone

        from zhixing.cases.models import Case, NodeEvent
        from zhixing.inquiry import connectors, services
        from zhixing.inquiry.models import InquiryRequest, InquiryResult, OutboxMessage, Status

        policy = services.Policy(poll_first=0.0, poll_max=0.5)
        naive_ids = list(Case.objects.filter(filed_on=date(2026, 9, 1)).values_list("pk", flat=True))
        sampler = LoadSampler()
        sampler.start()
        load_start = Path("/proc/loadavg").read_text().split()[:3]
        sim_c0 = proc_cpu(sim.pid)
        # -- batched: the daily job and the worker(s) ---------------------------------------
        c0, k0, w0 = cpu_self(), cpu_children(), time.perf_counter()
        queued = services.run_daily(date(2026, 11, 23), new_days=30)["new_case"]
        assert queued == args.requests, queued
        c1, w1 = cpu_self(), time.perf_counter()
        connection.close()  # the workers (processes) start on their own connections
        if args.workers <= 1:
            prof = None
            if args.profile:
                import cProfile

                prof = cProfile.Profile()
                prof.enable()
            while OutboxMessage.objects.filter(state__in=("pending", "sent")).exists():
                services.work_once(args.batch, policy=policy)
            if prof is not None:
                prof.disable()
                prof.dump_stats(args.profile)
        else:
            # One `zhixing inquiry_work --workers N`: it starts N - 1 more worker processes.
            cmd = [sys.executable, "-m", "zhixing.cli", "inquiry_work", "--until-idle", "--batch", str(args.batch),
                   "--poll-first", "0", "--poll-max", "0.5", "--idle", "0.05", "--workers", str(args.workers),
                   "--json"]  # fmt: skip
            p = subprocess.run(cmd, env=env, capture_output=True, text=True)
            assert p.returncode == 0, p.stderr[-2000:]
            print("workers:", p.stdout.strip().splitlines()[-1], flush=True)
        c2, k2, w2 = cpu_self(), cpu_children(), time.perf_counter()
        sim_c1 = proc_cpu(sim.pid)
        sampler.stop.set()
        load_end = Path("/proc/loadavg").read_text().split()[:3]
        batch_ids = InquiryRequest.objects.exclude(case_id__in=naive_ids)
        done = batch_ids.filter(status=Status.DONE).count()
        assert done == queued, (done, queued)
        events = NodeEvent.objects.filter(node="online_inquiry").exclude(case_id__in=naive_ids).count()
        results = InquiryResult.objects.filter(request__in=batch_ids).count()
        assert results == 10 * queued, results
        # -- naive: one request at a time, synchronous ----------------------------------
        conn = connectors.connector_for(Case.objects.get(pk=naive_ids[0]).court)
        c3, w3 = cpu_self(), time.perf_counter()
        for case in Case.objects.filter(pk__in=naive_ids).select_related("court"):
            req = services.request_inquiry(None, case, party=case.parties.get(role="debtor"))
            OutboxMessage.objects.filter(request=req).delete()
            conn.send([services.payload(req)])
            while True:
                [item] = conn.poll([str(req.request_id)])
                if item.state == "complete":
                    break
            services.apply_answers(req.pk, item.results, complete=True)
        c4, w4 = cpu_self(), time.perf_counter()
        naive_done = InquiryRequest.objects.filter(case_id__in=naive_ids, status=Status.DONE).count()
        assert naive_done == args.naive
        wall = w2 - w0
        zcpu = (c2 - c0) + (k2 - k0)  # this process + the worker processes (waited for)
        batched_wall = wall / queued
        naive_wall = (w4 - w3) / args.naive
        samples = sampler.samples or [float(load_end[0])]
        out = {
            "date": timezone.now().isoformat(timespec="seconds"),
            "database": "PostgreSQL" if args.pg else "SQLite",
            "workers": args.workers, "setup_import_s": round(setup_s, 1),
            "loadavg_start": load_start, "loadavg_end": load_end,
            "loadavg_1min_during_mean_max": [round(sum(samples) / len(samples), 2), max(samples)],
            "requests": queued, "online_inquiry_events": events, "result_rows": results,
            "wall_s": round(wall, 1), "queue_s": round(w1 - w0, 2), "queue_cpu_s": round(c1 - c0, 2),
            "work_s": round(w2 - w1, 1), "requests_per_s": round(queued / wall, 1),
            "zhixing_cpu_s": round(zcpu, 1), "per_request_cpu_ms": round(1000 * zcpu / queued, 2),
            "per_request_wall_ms": round(1000 * batched_wall, 2),
            "simulator_cpu_s": round(sim_c1 - sim_c0, 1),
            "naive_requests": args.naive, "naive_wall_s": round(w4 - w3, 1),
            "naive_per_request_wall_ms": round(1000 * naive_wall, 2),
            "naive_per_request_cpu_ms": round(1000 * (c4 - c3) / args.naive, 2),
            "ratio_naive_over_batched_wall": round(naive_wall / batched_wall, 1),
            "ratio_naive_over_batched_cpu": round(((c4 - c3) / args.naive) / (zcpu / queued), 1),
        }  # fmt: skip
        print(json.dumps(out, ensure_ascii=False, indent=1))
    finally:
        sim.terminate()
        sim.wait()


if __name__ == "__main__":
    main()
