"""Benchmark: importing a case bundle (issue "Foundation").

Target: 100,000 cases (about 20 events each) at ≥ 2,000 cases/s into SQLite and into
PostgreSQL, peak memory ≤ 500 MB; compared in the same run with a naive import that
saves one row at a time through the ORM.

    uv run python bench/import_bundle.py [--cases 100000] [--naive-cases 2000] [--pg]

Each import runs in a fresh process (``zhixing import``) so its peak RSS is its own.
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
PG = "postgresql://postgres@127.0.0.1:5432/"


def run_import(bundle: Path, database_url: str) -> tuple[float, int, dict, float]:
    """Seconds, peak RSS (KiB, the largest process: parent or a worker), the JSON report and
    the CPU seconds (parent and its worker processes) of one `zhixing import`."""
    env = {**os.environ, "DATABASE_URL": database_url}
    # Migrate first: not part of the import time.
    subprocess.run(
        [sys.executable, "-m", "zhixing.cli", "ledger", "--as-of", "2000-01-01"],
        env=env,
        check=True,
        capture_output=True,
    )
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    p = subprocess.run([sys.executable, "-m", "zhixing.cli", "import", str(bundle), "--json"], env=env,
                       capture_output=True, text=True)  # fmt: skip
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if p.returncode not in (0, 1):
        raise SystemExit(p.stderr[-2000:])
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return seconds, after.ru_maxrss, json.loads(p.stdout), cpu


def naive_import(bundle: Path, database_url: str, limit: int) -> float:
    """One row at a time through the ORM (Model.objects.create), facts per case."""
    code = f"""
import os, sys, json, time
os.environ["DJANGO_SETTINGS_MODULE"] = "zhixing.settings"
import django; django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.db import transaction
from zhixing.cases.bundle import parse_case, fingerprint
from zhixing.cases.models import Case, Party, NodeEvent
from zhixing.courts.services import ensure_court
from zhixing.funds.models import Receipt, Disbursement
from zhixing.metrics.facts import refresh_facts
start = time.perf_counter()
n = 0
with open({str(bundle)!r}, encoding="utf-8") as f:
    for line in f:
        if n >= {limit}:
            break
        r = parse_case(json.loads(line))
        with transaction.atomic():
            c = Case.objects.create(case_number=r.case_number, court=ensure_court(r.court), case_type=r.case_type,
                filed_on=r.filed_on, claim_amount=r.claim_amount, recovered_amount=r.recovered_amount,
                closed_on=r.closed_on, closing_mode=r.closing_mode or "", fingerprint=fingerprint(r), tags=list(r.tags))
            for i, p in enumerate(r.parties):
                Party.objects.create(case=c, court=c.court, local_id=p.id, role=p.role, kind=p.kind, name=p.name,
                    id_number=p.id_number or "", credit_code=p.credit_code or "", position=i)
            for e in r.events:
                NodeEvent.objects.create(case=c, node=e.node, on=e.on, data=e.data, position=e.seq)
            receipts = {{}}
            for x in r.receipts:
                receipts[x.id] = Receipt.objects.create(case=c, local_id=x.id, notice_on=x.notice_on, amount=x.amount)
            for d in r.disbursements:
                Disbursement.objects.create(case=c, receipt=receipts[d.receipt], local_id=d.id, on=d.on, amount=d.amount)
            refresh_facts([(c.pk, r)])
        n += 1
print(n / (time.perf_counter() - start))
"""
    env = {**os.environ, "DATABASE_URL": database_url}
    p = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    if p.returncode:
        raise SystemExit(p.stderr[-2000:])
    return float(p.stdout.strip().splitlines()[-1])


PAD_CATEGORIES = ["存款", "车辆", "不动产", "有价证券", "网络资金", "股权"]


def pad_events(source: Path, target: Path, per_case: int) -> None:
    """Bring each case to about ``per_case`` events, as a long-running case gathers them: the
    simulator writes the key nodes (~11 a case); real cases add repeated 查控 rounds and field
    investigations between filing and closing. The added nodes carry no deadline of their own,
    so the import's checks pass them and its derivation still sees every event."""
    import datetime as dt
    import random

    rng = random.Random(7)
    end = dt.date(2025, 12, 31)
    with source.open(encoding="utf-8") as src, target.open("w", encoding="utf-8") as out:
        for line in src:
            case = json.loads(line)
            events = case.setdefault("events", [])
            start = dt.date.fromisoformat(case["filed_on"])
            closing = case.get("closing") or {}
            stop = dt.date.fromisoformat(closing["on"]) if closing.get("on") else end
            span = max(0, (stop - start).days)
            for i in range(max(0, per_case - len(events))):
                on = (start + dt.timedelta(days=rng.randint(0, span))).isoformat()
                if i % 2:
                    events.append({"node": "field_investigation", "on": on})
                else:
                    cats = rng.sample(PAD_CATEGORIES, 4)
                    events.append(
                        {
                            "node": "online_inquiry",
                            "on": on,
                            "system": "总对总",
                            "categories": cats,
                            "found": [],
                        }
                    )
            out.write(json.dumps(case, ensure_ascii=False) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--naive-cases", type=int, default=2_000)
    parser.add_argument("--pg", action="store_true", help="also PostgreSQL (local, trust auth)")
    parser.add_argument(
        "--events", type=int, default=20, help="pad each case to about this many events (0: as simulated)"
    )
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    from zhixing.simulate.generator import simulate

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        bundle = tmp / "bench.jsonl"
        courts = 11
        per_court_year = max(1, args.cases // (courts * 3))
        t = time.perf_counter()
        simulate(bundle, seed=1, years=3, cases_per_court_year=per_court_year)
        if args.events:
            raw = tmp / "simulated.jsonl"
            bundle.rename(raw)
            pad_events(raw, bundle, args.events)
            raw.unlink()
        lines = sum(1 for _ in bundle.open(encoding="utf-8"))
        events = sum(len(json.loads(line).get("events", [])) for line in bundle.open(encoding="utf-8"))
        print(
            f"bundle: {lines} cases, {events / lines:.1f} events/case, simulated in {time.perf_counter() - t:.1f} s"
        )
        targets = [("SQLite", f"sqlite:///{tmp / 'bench.sqlite3'}", f"sqlite:///{tmp / 'naive.sqlite3'}")]
        if args.pg:
            import psycopg

            with psycopg.connect(PG + "postgres", autocommit=True) as con:
                for name in ("zhixing_bench", "zhixing_bench_naive"):
                    con.execute(f"DROP DATABASE IF EXISTS {name}")
                    con.execute(f"CREATE DATABASE {name}")
            targets.append(("PostgreSQL", PG + "zhixing_bench", PG + "zhixing_bench_naive"))
        for name, url, naive_url in targets:
            load = Path("/proc/loadavg").read_text().split()[:3]
            seconds, peak, report, cpu = run_import(bundle, url)
            rate = report["imported"] / seconds
            naive = naive_import(bundle, naive_url, args.naive_cases)
            print(
                f"{name}: load {' '.join(load)}; CPU {cpu:.1f} s ({report['imported'] / cpu:,.0f} cases per CPU-second)"
            )
            print(f"{name}: {report['imported']} cases in {seconds:.1f} s = {rate:,.0f} cases/s, peak RSS {peak / 1024:.0f} MB;"
                  f" naive ORM {naive:,.0f} cases/s (first {args.naive_cases}); ratio {rate / naive:.1f}×")  # fmt: skip


if __name__ == "__main__":
    main()
