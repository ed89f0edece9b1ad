"""Benchmark: deadlines at scale (issue 4).

Targets: deriving all key-node facts for 1,000,000 cases at ≥ 20,000 cases/s on this 2-core
machine (reporting the ratio against calling chinese-calendar per date), and the daily
overdue scan over 1,000,000 open cases in ≤ 30 s.

    uv run python bench/deadlines.py derive [--cases 40000] [--naive-cases 4000] [--workers 2] [--total 1000000]
    uv run python bench/deadlines.py equivalence [--rev HEAD] [--cases 20000]
    uv run python bench/deadlines.py scan [--cases 1000000] [--per-case 4] [--pg] [--naive-cases 5000] [--reuse]

``derive`` simulates a bundle (zhixing.simulate), parses it once (not timed), then times, on
the same records: ``metrics.facts.all_obligations`` (K1–K9, "key-node facts") and the whole
``metrics.facts.derive`` (every fact row of a case), in one process over the simulated cases
and with ``--workers`` forked processes over ``--total`` cases (the simulated ones repeated); and the same work with every working-day question sent to chinese-calendar
per date (the obvious alternative to the flat tables of ``lib.workdays``, without the
per-calendar memo of period last days). CPU time is reported next to wall time because the
machine is shared.

``equivalence`` checks that a revision of the rules (default ``HEAD``, taken with ``git
archive`` into a temporary directory, the tree untouched) and the working tree give
identical facts on the same simulated cases: every row of ``metrics.facts.derive``,
``all_obligations``, ``deadline_detail`` and ``closed_within_deadline`` at several as-of
dates, and the stored 终本 verdict parts (``termination.facts.fact_of``).

``scan`` bulk-inserts synthetic open cases and ``--per-case`` obligation facts each
(``cases.bulk.insert``), then times ``flow.services.scan_overdue``: the first run (every
overdue obligation is new), a re-run (idempotent: nothing new) and the next day's run;
compared with the obvious alternative, a Python loop over the facts with one
``get_or_create`` per overdue obligation, run on ``--naive-cases`` cases and extrapolated.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import pickle
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PG = "postgresql://postgres@127.0.0.1:5432/"
RECORDS: list = []  # parsed once in the parent; forked workers inherit it


def setup(database_url: str, src: Path = ROOT / "src") -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhixing.settings")
    sys.path.insert(0, str(src))
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

    def any_unofficial(self, first_year: int, last_year: int) -> bool:
        return self.real.any_unofficial(first_year, last_year)  # years, not dates: no library call

    def memo(self, key) -> dict:
        return {}  # nothing remembered: every period is computed again, date by date


def timed(fn, records) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    for r in records:
        fn(r)
    return time.perf_counter() - wall, time.process_time() - cpu


def _worker(args) -> tuple[int, float]:
    """Cases ``start`` … ``stop`` − 1 of RECORDS repeated end to end (a 1,000,000-case run
    over 20,000 simulated cases derives each about 50 times)."""
    kind, start, stop = args
    fn = _kind(kind)
    n = len(RECORDS)
    cpu = time.process_time()
    for i in range(start, stop):
        fn(RECORDS[i % n])
    return stop - start, time.process_time() - cpu


def _kind(kind: str):
    from zhixing.metrics.facts import all_obligations, derive

    courts = {}
    if kind == "obligations":
        return lambda r: all_obligations(r, None)
    return lambda r: derive(0, 1, r, courts)


def parallel(kind: str, workers: int, n: int) -> tuple[float, float]:
    """``n`` cases (RECORDS repeated) split over ``workers`` forked processes: (wall, CPU
    seconds summed over the workers)."""
    step = -(-n // workers)
    parts = [(kind, i, min(n, i + step)) for i in range(0, n, step)]
    wall = time.perf_counter()
    with mp.get_context("fork").Pool(workers) as pool:
        results = pool.map(_worker, parts)
    return time.perf_counter() - wall, sum(cpu for _, cpu in results)


def simulated(cases: int, seed: int = 11) -> None:
    """Simulate about ``cases`` cases (3 years of 2,000 a court) and parse them into RECORDS."""
    from zhixing.cases.bundle import read_lines
    from zhixing.simulate.generator import simulate

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bundle.jsonl"
        per_court_year = 2000
        courts = max(1, round(cases / (3 * per_court_year * 1.07)))
        t = time.perf_counter()
        summary = simulate(path, seed=seed, courts=courts, years=3, cases_per_court_year=per_court_year)
        print(f"simulated {summary.cases} cases in {time.perf_counter() - t:.1f} s")
        t = time.perf_counter()
        with path.open(encoding="utf-8") as f:
            RECORDS.extend(line.record for line in read_lines(f) if line.record is not None)
        print(f"parsed {len(RECORDS)} cases in {time.perf_counter() - t:.1f} s (not timed below)")


def bench_derive(o) -> None:
    setup("sqlite:///" + tempfile.mktemp(suffix=".sqlite3"))
    from zhixing.lib import workdays
    from zhixing.metrics.facts import all_obligations

    print(machine())
    simulated(o.cases)
    n = len(RECORDS)
    obligations = sum(len(all_obligations(r, None)) for r in RECORDS[:5000]) / min(n, 5000)
    print(f"{obligations:.1f} obligations per case on average")

    rows = []
    for kind in ("obligations", "derive"):
        wall, cpu = timed(_kind(kind), RECORDS)
        rows.append((f"{kind}, 1 process, {n:,} cases", n / wall, n / cpu))
        load = os.getloadavg()[0]
        wall, cpu = parallel(kind, o.workers, o.total)
        rows.append((f"{kind}, {o.workers} processes, {o.total:,} cases (load {load:.1f})", o.total / wall,
                     o.total / (cpu / o.workers)))  # fmt: skip
        print(f"{kind}: {o.total:,} cases in {wall:.1f} s wall, {cpu:.1f} s CPU on {o.workers} processes")

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

    print("\n| variant | cases/s (wall) | cases/s (CPU) |\n|---|---|---|")
    for name, w, c in rows:
        print(f"| {name} | {w:,.0f} | {c:,.0f} |")
    print(f"\nflat tables vs chinese-calendar per date, same {len(subset)} cases (CPU): "
          f"{slow_cpu / fast_cpu:.1f}× faster (wall {slow_wall / fast_wall:.1f}×)")  # fmt: skip


# -- equivalence ----------------------------------------------------------------------------

AS_OF_DATES = (
    None,
    date(2023, 3, 15),
    date(2023, 9, 30),
    date(2024, 6, 30),
    date(2025, 1, 31),
    date(2025, 12, 31),
)


def facts_of_records(records) -> dict:
    """Every as-of-independent and as-of fact the rules give for ``records`` (run by this
    tree or, in a subprocess, by another revision's)."""
    from zhixing.flow import rules
    from zhixing.metrics.facts import all_obligations, derive
    from zhixing.termination.facts import fact_of, is_termination_closing

    cpu = time.process_time()
    out: dict = {"derive": [derive(i, 1, r, {}) for i, r in enumerate(records)]}
    derive_cpu = time.process_time() - cpu
    for as_of in AS_OF_DATES:
        out[("all_obligations", as_of)] = [all_obligations(r, as_of) for r in records]
        out[("deadline_detail", as_of)] = [rules.deadline_detail(r, as_of) for r in records]
        out[("closed_within_deadline", as_of)] = [rules.closed_within_deadline(r, as_of) for r in records]
    out["fact_of"] = [
        (t.failed_static, t.reasons_static, t.served_on, t.registry_entry_on)
        for i, r in enumerate(records)
        if is_termination_closing(r) and (t := fact_of(i, 1, r))
    ]
    cpu = time.process_time()
    for r in records:
        all_obligations(r, None)
    out[TIMING] = (derive_cpu, time.process_time() - cpu)
    return out


TIMING = "CPU seconds (derive, all_obligations)"


def _facts_child(o) -> None:
    """Hidden subcommand: the facts of pickled records by the rules under ``--src``."""
    setup("sqlite:///" + tempfile.mktemp(suffix=".sqlite3"), Path(o.src))
    import zhixing

    assert Path(zhixing.__file__).is_relative_to(o.src), zhixing.__file__
    with open(o.records, "rb") as f:
        records = pickle.load(f)
    with open(o.out, "wb") as f:
        pickle.dump(facts_of_records(records), f)


def bench_equivalence(o) -> None:
    setup("sqlite:///" + tempfile.mktemp(suffix=".sqlite3"))
    simulated(o.cases, o.seed)
    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", o.rev, "src"], check=True, capture_output=True
        )
        subprocess.run(["tar", "-x", "-C", tmp], input=archive.stdout, check=True)
        records, out = Path(tmp) / "records.pkl", Path(tmp) / "facts.pkl"
        with records.open("wb") as f:
            pickle.dump(RECORDS, f)
        t = time.perf_counter()
        subprocess.run([sys.executable, __file__, "_facts", "--src", str(Path(tmp) / "src"), "--records", str(records),
                        "--out", str(out)], check=True)  # fmt: skip
        print(f"{o.rev}: facts in {time.perf_counter() - t:.1f} s")
        with out.open("rb") as f:
            old = pickle.load(f)
    t = time.perf_counter()
    new = facts_of_records(RECORDS)
    print(f"working tree: facts in {time.perf_counter() - t:.1f} s")
    (old_derive, old_obligations), (new_derive, new_obligations) = old.pop(TIMING), new.pop(TIMING)
    n = len(RECORDS)
    print(f"\nsame run, one process, CPU: derive {n / old_derive:,.0f} → {n / new_derive:,.0f} cases/s "
          f"({old_derive / new_derive:.1f}×); all_obligations {n / old_obligations:,.0f} → "
          f"{n / new_obligations:,.0f} cases/s ({old_obligations / new_obligations:.1f}×)\n")  # fmt: skip
    differ = 0
    for key, before in old.items():
        after = new[key]
        bad = [i for i, (x, y) in enumerate(zip(before, after, strict=True)) if x != y]
        differ += len(bad)
        rows = sum(len(x) if isinstance(x, list | tuple) else 1 for x in before)
        print(f"{'SAME' if not bad else 'DIFFERENT'} {key}: {len(before)} cases, {rows} values"
              + (f"; {len(bad)} cases differ, first {RECORDS[bad[0]].case_number}" if bad else ""))  # fmt: skip
    print(f"\n{len(RECORDS)} cases: " + ("identical" if not differ else f"{differ} differences"))
    if differ:
        sys.exit(1)


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
    d.add_argument("--total", type=int, default=1_000_000, help="cases derived by the multi-process run")
    s = sub.add_parser("scan")
    s.add_argument("--cases", type=int, default=1_000_000)
    s.add_argument("--per-case", type=int, default=4)
    s.add_argument("--naive-cases", type=int, default=5_000)
    s.add_argument("--pg", action="store_true")
    s.add_argument("--reuse", action="store_true", help="time the scans again on the last --pg database")
    e = sub.add_parser("equivalence")
    e.add_argument("--rev", default="HEAD")
    e.add_argument("--cases", type=int, default=20_000)
    e.add_argument("--seed", type=int, default=11)
    c = sub.add_parser("_facts")
    c.add_argument("--src", required=True)
    c.add_argument("--records", required=True)
    c.add_argument("--out", required=True)
    o = parser.parse_args()
    run = {
        "derive": bench_derive,
        "scan": bench_scan,
        "equivalence": bench_equivalence,
        "_facts": _facts_child,
    }
    try:
        run[o.what](o)
    finally:
        cleanup()


if __name__ == "__main__":
    main()
