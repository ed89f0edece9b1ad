"""Benchmark: deadlines at scale (issue 4).

Targets: deriving all key-node facts for 1,000,000 cases at ≥ 20,000 cases/s on this 2-core
machine (reporting the ratio against calling chinese-calendar per date), and the daily
overdue scan over 1,000,000 open cases in ≤ 30 s.

    uv run python bench/deadlines.py derive [--cases 40000] [--naive-cases 4000] [--workers 2]
    uv run python bench/deadlines.py scan [--cases 1000000] [--per-case 4] [--pg] [--naive-cases 5000] [--reuse]

``derive`` simulates a bundle (zhixing.simulate), parses it once (not timed), then times, on
the same records: ``metrics.facts.all_obligations`` (K1–K9, "key-node facts") and the whole
``metrics.facts.derive`` (every fact row of a case), single process and with ``--workers``
forked processes; the same work with every working-day question sent to chinese-calendar
per date (the obvious alternative to the flat tables of ``lib.workdays``); and, as a
what-if, with the period arithmetic memoised (not in the tree). CPU time is reported next to
wall time because the machine is shared.

``scan`` bulk-inserts synthetic open cases and ``--per-case`` obligation facts each
(``cases.bulk.insert``), then times ``flow.services.scan_overdue``: the first run (every
overdue obligation is new), a re-run (idempotent: nothing new) and the next day's run;
compared with the obvious alternative, a Python loop over the facts with one
``get_or_create`` per overdue obligation, run on ``--naive-cases`` cases and extrapolated.
"""

from __future__ import annotations

import argparse
import functools
import multiprocessing as mp
import os
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PG = "postgresql://postgres@127.0.0.1:5432/"
RECORDS: list = []  # parsed once in the parent; forked workers inherit it


def setup(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhixing.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()


def machine() -> str:
    with open("/proc/cpuinfo") as f:
        cpu = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), "?")
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores ({cpu}), {mem:.0f} GiB RAM, load average {os.getloadavg()[0]:.1f}"


# -- derive ---------------------------------------------------------------------------------------


class PerDateCalendar:
    """The obvious alternative to lib.workdays' flat tables: every working-day question asks
    chinese-calendar about one date (``is_workday``), day by day."""

    def __init__(self, real):
        import chinese_calendar

        self.real = real
        self.is_workday = chinese_calendar.is_workday

    def is_working_day(self, d: date) -> bool:
        try:
            return self.is_workday(d)
        except NotImplementedError:  # beyond the library's years: weekends only
            return d.weekday() < 5

    def roll_forward(self, d: date) -> date:
        while not self.is_working_day(d):
            d += timedelta(days=1)
        return d

    def add_working_days(self, d: date, n: int) -> date:
        while n:
            d += timedelta(days=1)
            if self.is_working_day(d):
                n -= 1
        return d

    def working_days_between(self, a: date, b: date) -> int:
        return sum(self.is_working_day(a + timedelta(days=k)) for k in range(1, (b - a).days + 1))

    def is_official(self, year: int) -> bool:
        return self.real.is_official(year)


def timed(fn, records) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    for r in records:
        fn(r)
    return time.perf_counter() - wall, time.process_time() - cpu


def _worker(args) -> tuple[int, float]:
    kind, start, stop = args
    fn = _kind(kind)
    cpu = time.process_time()
    for r in RECORDS[start:stop]:
        fn(r)
    return stop - start, time.process_time() - cpu


def _kind(kind: str):
    from zhixing.metrics.facts import all_obligations, derive

    courts = {}
    if kind == "obligations":
        return lambda r: all_obligations(r, None)
    return lambda r: derive(0, 1, r, courts)


def parallel(kind: str, workers: int) -> tuple[float, float]:
    n = len(RECORDS)
    step = -(-n // workers)
    parts = [(kind, i, min(n, i + step)) for i in range(0, n, step)]
    wall = time.perf_counter()
    with mp.get_context("fork").Pool(workers) as pool:
        results = pool.map(_worker, parts)
    return time.perf_counter() - wall, sum(cpu for _, cpu in results)


def memoised():
    """What-if: cache the period arithmetic (many cases share trigger days). Returns an undo."""
    from zhixing.flow import rules
    from zhixing.lib import periods

    saved = (rules.Period.last_day, rules.Period.end, periods.is_provisional, periods.roll_forward)
    rules.Period.last_day = functools.lru_cache(maxsize=None)(saved[0])
    rules.Period.end = functools.lru_cache(maxsize=None)(saved[1])
    periods.is_provisional = functools.lru_cache(maxsize=None)(saved[2])
    periods.roll_forward = functools.lru_cache(maxsize=None)(saved[3])

    def undo():
        rules.Period.last_day, rules.Period.end, periods.is_provisional, periods.roll_forward = saved

    return undo


def bench_derive(o) -> None:
    setup("sqlite:///" + tempfile.mktemp(suffix=".sqlite3"))
    from zhixing.cases.bundle import read_lines
    from zhixing.lib import workdays
    from zhixing.metrics.facts import all_obligations
    from zhixing.simulate.generator import simulate

    print(machine())
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bundle.jsonl"
        per_court_year = 2000
        courts = max(1, round(o.cases / (3 * per_court_year * 1.07)))
        t = time.perf_counter()
        summary = simulate(path, seed=11, courts=courts, years=3, cases_per_court_year=per_court_year)
        print(f"simulated {summary.cases} cases in {time.perf_counter() - t:.1f} s")
        t = time.perf_counter()
        with path.open(encoding="utf-8") as f:
            RECORDS.extend(line.record for line in read_lines(f) if line.record is not None)
        print(f"parsed {len(RECORDS)} cases in {time.perf_counter() - t:.1f} s (not timed below)")
    n = len(RECORDS)
    obligations = sum(len(all_obligations(r, None)) for r in RECORDS[:5000]) / min(n, 5000)
    print(f"{obligations:.1f} obligations per case on average")

    rows = []
    for kind in ("obligations", "derive"):
        wall, cpu = timed(_kind(kind), RECORDS)
        rows.append((f"{kind}, 1 process", n / wall, n / cpu))
        wall, cpu = parallel(kind, o.workers)
        rows.append((f"{kind}, {o.workers} processes", n / wall, n / (cpu / o.workers)))

    subset = RECORDS[: o.naive_cases]
    fast_wall, fast_cpu = timed(_kind("obligations"), subset)
    real = workdays.calendar()
    workdays._calendar = PerDateCalendar(real)
    try:
        naive = [all_obligations(r, None) for r in subset[:200]]
        slow_wall, slow_cpu = timed(_kind("obligations"), subset)
    finally:
        workdays._calendar = real
    assert naive == [all_obligations(r, None) for r in subset[:200]], (
        "the per-date calendar gives other answers"
    )
    rows.append((f"obligations, chinese-calendar per date ({len(subset)} cases)", len(subset) / slow_wall,
                 len(subset) / slow_cpu))  # fmt: skip

    undo = memoised()
    try:
        wall, cpu = timed(_kind("obligations"), RECORDS)
        rows.append(("what-if: obligations, period arithmetic memoised, 1 process", n / wall, n / cpu))
        wall, cpu = timed(_kind("derive"), RECORDS)
        rows.append(("what-if: derive, period arithmetic memoised, 1 process", n / wall, n / cpu))
    finally:
        undo()

    print("\n| variant | cases/s (wall) | cases/s (CPU) |\n|---|---|---|")
    for name, w, c in rows:
        print(f"| {name} | {w:,.0f} | {c:,.0f} |")
    print(f"\nflat tables vs chinese-calendar per date, same {len(subset)} cases (CPU): "
          f"{slow_cpu / fast_cpu:.1f}× faster (wall {slow_wall / fast_wall:.1f}×)")  # fmt: skip


# -- scan ---------------------------------------------------------------------------------------------


def fresh_database(pg: bool, reuse: bool = False) -> str:
    if reuse:  # the database of the previous --pg run, alerts emptied below
        return PG + "zhixing_bench_flow"
    if not pg:
        return "sqlite:///" + tempfile.mktemp(suffix=".sqlite3")
    import psycopg

    with psycopg.connect(PG + "postgres", autocommit=True) as con:
        con.execute("DROP DATABASE IF EXISTS zhixing_bench_flow")
        con.execute("CREATE DATABASE zhixing_bench_flow")
    return PG + "zhixing_bench_flow"


def populate(n_cases: int, per_case: int, *, start: date, prefix: str) -> list[int]:
    """``n_cases`` open cases of 4 courts, filed over the year before ``start`` and
    ``per_case`` obligation facts each: due 7–180 days after filing, about one in eight
    never done, one in eight done late, the rest done on time."""
    from django.db import transaction
    from django.utils import timezone

    from zhixing.cases import bulk
    from zhixing.cases.models import Case
    from zhixing.courts.services import ensure_court
    from zhixing.metrics.facts import OBLIGATION_COLUMNS
    from zhixing.metrics.models import ObligationFact

    courts = [ensure_court(code).pk for code in ("豫0821", "豫0822", "豫0823", "豫0825")]
    now = timezone.now()
    chunk = 100_000
    ids: list[int] = []
    for lo in range(0, n_cases, chunk):
        hi = min(n_cases, lo + chunk)
        with transaction.atomic():
            rows = [
                (f"（2023）{prefix}执{i}号", courts[i % 4], "first", start - timedelta(days=i % 365), f"承办人{i % 97}",
                 "", "", "", 1, now, now)
                for i in range(lo, hi)
            ]  # fmt: skip
            last = Case.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
            bulk.insert(
                Case,
                (
                    "case_number", "court", "case_type", "filed_on", "handler", "original_case_number",
                    "closing_mode", "fingerprint", "version", "created_at", "updated_at",
                ),
                rows,
            )  # fmt: skip
            new = list(
                Case.objects.filter(pk__gt=last).order_by("pk").values_list("pk", "court_id", "filed_on")
            )
            facts = []
            for k, (pk, court, filed) in enumerate(new):
                for j in range(per_case):
                    due = filed + timedelta(days=7 + (k * 7 + j * 31) % 174)
                    r = (k + j) % 8
                    done = (
                        None if r == 0 else (due + timedelta(days=3) if r == 1 else due - timedelta(days=1))
                    )
                    facts.append((pk, court, f"K{j + 1}", "", filed, due, done, False, False))
            bulk.insert(ObligationFact, OBLIGATION_COLUMNS, facts)
            ids += [pk for pk, _, _ in new]
        print(f"  {hi} cases, {hi * per_case} obligation facts", flush=True)
    return ids


def naive_scan(as_of: date, case_ids: list[int]) -> int:
    """The obvious alternative: walk the facts case by case in Python, one get_or_create
    per overdue obligation."""
    from zhixing.flow.models import Alert
    from zhixing.metrics.models import ObligationFact

    created = 0
    for pk in case_ids:
        for o in ObligationFact.objects.filter(case_id=pk).select_related("case"):
            if (
                o.lapsed
                or o.due_on is None
                or o.due_on > as_of
                or (o.done_on is not None and o.done_on <= o.due_on)
            ):
                continue
            _, new = Alert.objects.get_or_create(
                case_id=o.case_id, key_node=o.key_node, ref=o.ref, trigger_on=o.trigger_on,
                defaults={"court_id": o.court_id, "due_on": o.due_on, "handler": o.case.handler, "found_as_of": as_of},
            )  # fmt: skip
            created += new
    return created


def bench_scan(o) -> None:
    url = fresh_database(o.pg, o.reuse)
    setup(url)
    from django.core.management import call_command
    from django.db import connection

    from zhixing.flow.models import Alert
    from zhixing.flow.services import scan_overdue

    print(machine())
    call_command("migrate", verbosity=0)
    as_of = date(2024, 1, 31)
    if o.reuse:
        Alert.objects.all().delete()
        o.naive_cases = 0
    else:
        t = time.perf_counter()
        populate(o.cases, o.per_case, start=as_of, prefix="豫08")
        print(f"inserted in {time.perf_counter() - t:.1f} s ({connection.vendor})")
    if connection.vendor == "postgresql":
        with connection.cursor() as c:
            c.execute("ANALYZE")
    rows = []
    for label, day in (("first run (every overdue obligation is new)", as_of), ("re-run, same day (idempotent)", as_of),
                       ("next day", as_of + timedelta(days=1))):  # fmt: skip
        wall, cpu = time.perf_counter(), time.process_time()
        created = scan_overdue(day)
        rows.append((label, created, time.perf_counter() - wall, time.process_time() - cpu))
    total = Alert.objects.count()

    if not o.naive_cases:
        for label, created, w, c in rows:
            print(f"| {label} | {created:,} | {w:.2f} | {c:.2f} |")
        return
    naive_ids = populate(o.naive_cases, o.per_case, start=as_of, prefix="豫09")
    wall = time.perf_counter()
    naive_created = naive_scan(as_of, naive_ids)
    naive_wall = time.perf_counter() - wall
    print(
        f"\n{o.cases:,} open cases × {o.per_case} obligations, {connection.vendor}; {total:,} alerts in all\n"
    )
    print("| run | new alerts | wall s | CPU s (Python side) |\n|---|---|---|---|")
    for label, created, w, c in rows:
        print(f"| {label} | {created:,} | {w:.2f} | {c:.2f} |")
    per_case = naive_wall / o.naive_cases
    print(f"| naive loop, {o.naive_cases:,} cases ({naive_created:,} alerts) | — | {naive_wall:.1f} | — |")
    print(f"\nnaive loop extrapolated to {o.cases:,} cases: {per_case * o.cases:,.0f} s; "
          f"one INSERT … SELECT: {rows[0][2]:.1f} s — {per_case * o.cases / rows[0][2]:.0f}× faster")  # fmt: skip


def cleanup() -> None:
    """Remove the temporary SQLite database of this run (a 1,000,000-case one is about 1 GB)."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("sqlite:///") and Path(url[len("sqlite:///") :]).name.startswith("tmp"):
        Path(url[len("sqlite:///") :]).unlink(missing_ok=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="what", required=True)
    d = sub.add_parser("derive")
    d.add_argument("--cases", type=int, default=40_000)
    d.add_argument("--naive-cases", type=int, default=4_000)
    d.add_argument("--workers", type=int, default=2)
    s = sub.add_parser("scan")
    s.add_argument("--cases", type=int, default=1_000_000)
    s.add_argument("--per-case", type=int, default=4)
    s.add_argument("--naive-cases", type=int, default=5_000)
    s.add_argument("--pg", action="store_true")
    s.add_argument("--reuse", action="store_true", help="time the scans again on the last --pg database")
    o = parser.parse_args()
    try:
        bench_derive(o) if o.what == "derive" else bench_scan(o)
    finally:
        cleanup()


if __name__ == "__main__":
    main()
