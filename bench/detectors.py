"""Benchmark: every supervision detector over 1,000,000 open cases (issue 9: ≤ 60 s).

    uv run python bench/detectors.py [--cases 1000000] [--pool-seed 9] [--pool-per-court-year 400]
        [--alternative-cases 100000] [--workers 2] [--db] [--labels] [--append]

The case records come from the simulator (``zhixing.simulate.generator.simulate``): one
bundle of 焦作中院's 11 courts over three years (≈ 13,000 cases, written once to /tmp),
parsed, and every case re-opened at as-of (its closing removed), so each one is an open
case with a realistic event history. The benchmark cycles through that pool until it has
run the detectors over ``--cases`` cases; the detectors are pure functions of a record and
as-of, so a record seen twice costs what a new one would. Filing suppression runs per
court over the daily filing counts of all those cases, spread over 150 courts.

Timed, in one run:
- the detectors as ``zhixing detect`` runs them: one pass, one index per case
  (``detect_case``), single process — CPU time and wall time;
- the same split over ``--workers`` processes (wall time);
- the obvious alternative: each detector as its own pass over all cases, each building
  its own view of the case, on ``--alternative-cases`` cases, extrapolated (ratio given);
- with ``--db``: ``run_detection`` end to end on the pool imported into SQLite (loading
  records from the database, storing findings) — per case, to show where time goes.

``--labels`` measures precision and recall of the detectors the simulator plants faults
for (``over_seizure``, ``misreported_closing_performed``, ``misreported_closing_terminated``)
on two seeds. ``--append`` adds the results as a section to bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import replace
from datetime import date
from multiprocessing import get_context
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
END = date(2025, 12, 31)
COURTS = 150

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhixing.settings")

_POOL: list = []


def pool(seed: int, per_court_year: int) -> tuple[list, Path]:
    import django

    django.setup()
    from zhixing.cases.bundle import parse_case
    from zhixing.simulate.generator import simulate

    path = Path(tempfile.gettempdir()) / f"zhixing_bench_detectors_{seed}_{per_court_year}.jsonl"
    if not path.exists():
        simulate(path, seed=seed, courts=None, years=3, cases_per_court_year=per_court_year, end=END)
    records = []
    with path.open(encoding="utf-8") as f:
        for line in f:
            r = parse_case(json.loads(line), today=END)
            records.append(replace(r, closed_on=None, closing_mode=None))
    return records, path


def _init(seed: int, per_court_year: int) -> None:
    global _POOL
    _POOL, _ = pool(seed, per_court_year)


def _work(span: tuple[int, int]) -> tuple[int, float]:
    from zhixing.supervision.detectors import detect_case

    start, stop = span
    n = len(_POOL)
    hits = 0
    t = time.process_time()
    for i in range(start, stop):
        hits += len(detect_case(_POOL[i % n], END))
    return hits, time.process_time() - t


def single_pass(records: list, total: int) -> tuple[float, float, int, Counter]:
    from zhixing.supervision.detectors import detect_case

    n = len(records)
    by = Counter()
    wall, cpu = time.perf_counter(), time.process_time()
    for i in range(total):
        for h in detect_case(records[i % n], END):
            by[h.detector] += 1
    return time.perf_counter() - wall, time.process_time() - cpu, sum(by.values()), by


def alternative(records: list, total: int) -> tuple[float, float, int]:
    """Each detector its own pass over every case, each pass building its own view (what
    one would write first: one query-like loop per rule)."""
    from zhixing.cases.choices import DEADLINE_TYPES
    from zhixing.supervision.detectors import CASE_DETECTORS, DEFAULT, CaseView

    n = len(records)
    hits = 0
    wall, cpu = time.perf_counter(), time.process_time()
    for d in CASE_DETECTORS:
        for i in range(total):
            c = records[i % n]
            if d.scope == "open" and c.case_type not in DEADLINE_TYPES:
                continue
            hits += sum(1 for _ in d.fn(CaseView(c, END), DEFAULT))
    return time.perf_counter() - wall, time.process_time() - cpu, hits


def suppression(records: list, total: int) -> tuple[float, int]:
    from zhixing.cases.choices import DEADLINE_TYPES
    from zhixing.supervision.detectors import filing_suppression

    n = len(records)
    t = time.perf_counter()
    daily: dict[str, Counter] = defaultdict(Counter)
    for i in range(total):
        c = records[i % n]
        if c.case_type in DEADLINE_TYPES:
            daily[f"豫{9000 + i % COURTS}"][c.filed_on] += 1
    hits = sum(len(filing_suppression(court, counts, END)) for court, counts in daily.items())
    return time.perf_counter() - t, hits


def parallel(seed: int, per_court_year: int, total: int, workers: int) -> tuple[float, int, float]:
    step = -(-total // workers)
    spans = [(k * step, min(total, (k + 1) * step)) for k in range(workers)]
    ctx = get_context("fork")
    with ctx.Pool(workers, initializer=_init, initargs=(seed, per_court_year)) as p:
        p.map(_work, [(0, 1)] * workers)  # warm every worker (pool built, caches filled)
        t = time.perf_counter()
        out = p.map(_work, spans)
        wall = time.perf_counter() - t
    return wall, sum(h for h, _ in out), max(c for _, c in out)


def db_run(path: Path) -> tuple[int, float, float]:
    """Import the pool's bundle (as simulated, closings kept) into a fresh SQLite file and
    time ``run_detection`` over it."""
    db = Path(tempfile.gettempdir()) / "zhixing_bench_detectors.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}"}
    if not db.exists():
        subprocess.run([sys.executable, "-m", "zhixing.cli", "import", str(path), "--json"], env=env, check=True,
                       capture_output=True)  # fmt: skip
    code = (
        "import time,datetime,django;django.setup();"
        "from zhixing.supervision.services import run_detection;"
        "t=time.perf_counter();r=run_detection(datetime.date(2025,12,31));a=time.perf_counter()-t;"
        "t=time.perf_counter();r2=run_detection(datetime.date(2025,12,31));b=time.perf_counter()-t;"
        "print(r.cases, a, b, r.created, r2.created)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, check=True, capture_output=True, text=True
    ).stdout.split()
    return int(out[0]), float(out[1]), float(out[2])


#: Simulator fault labels (simulate/faults.py) and the detector that should find each.
LABELLED = {
    "over_seizure": "abusive_over_seizure",
    "misreported_closing_performed": "misreported_performed",
    "misreported_closing_terminated": "misreported_terminated",
}


def precision_recall(seed: int, per_court_year: int) -> dict[str, tuple[int, int, int]]:
    """Simulate with labels (closings kept) and compare each labelled fault with its
    detector over every case at the simulation's end: (found, labelled, both)."""
    import django

    django.setup()
    from zhixing.cases.bundle import parse_case
    from zhixing.simulate.generator import simulate
    from zhixing.supervision.detectors import detect_case

    base = Path(tempfile.gettempdir()) / f"zhixing_bench_detectors_labelled_{seed}_{per_court_year}"
    bundle, labels = base.with_suffix(".jsonl"), base.with_suffix(".labels.jsonl")
    if not labels.exists():
        simulate(
            bundle,
            seed=seed,
            courts=None,
            years=3,
            cases_per_court_year=per_court_year,
            end=END,
            labels=labels,
        )
    truth: dict[str, set[str]] = defaultdict(set)
    with labels.open(encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            for fault in row["faults"]:
                truth[fault].add(row["case_number"])
    found: dict[str, set[str]] = defaultdict(set)
    with bundle.open(encoding="utf-8") as f:
        for line in f:
            for h in detect_case(parse_case(json.loads(line), today=END), END, only=LABELLED.values()):
                found[h.detector].add(h.subject)
    return {
        label: (len(found[det]), len(truth[label]), len(found[det] & truth[label]))
        for label, det in LABELLED.items()
    }


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())  # fmt: skip
    mem = subprocess.run(["free", "-g"], capture_output=True, text=True).stdout.splitlines()[1].split()[1]
    load = os.getloadavg()
    return f"{os.cpu_count()} cores ({cpu}), {mem} GB RAM, Python {platform.python_version()}, load average {load[0]:.1f} at start"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=1_000_000)
    ap.add_argument("--pool-seed", type=int, default=9)
    ap.add_argument("--pool-per-court-year", type=int, default=400)
    ap.add_argument("--alternative-cases", type=int, default=100_000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--db", action="store_true")
    ap.add_argument(
        "--labels", action="store_true", help="precision and recall against the simulator's fault labels"
    )
    ap.add_argument("--append", action="store_true")
    a = ap.parse_args()

    where = machine()
    t = time.perf_counter()
    records, path = pool(a.pool_seed, a.pool_per_court_year)
    build = time.perf_counter() - t
    print(f"pool: {len(records)} simulated cases, re-opened, built in {build:.1f} s ({path})")
    single_pass(records, min(len(records), 20_000))  # warm caches (period functions, calendar)

    wall, cpu, hits, by = single_pass(records, a.cases)
    print(f"single pass, one process: {a.cases} cases in {wall:.1f} s wall, {cpu:.1f} s CPU "
          f"({cpu / a.cases * 1e6:.1f} µs/case), {hits} hits")  # fmt: skip
    print("  hits by detector:", dict(sorted(by.items())))
    s_wall, s_hits = suppression(records, a.cases)
    print(
        f"filing suppression over {COURTS} courts' daily counts of {a.cases} cases: {s_wall:.2f} s, {s_hits} hits"
    )
    p_wall, p_hits, p_cpu = parallel(a.pool_seed, a.pool_per_court_year, a.cases, a.workers)
    print(f"{a.workers} processes: {p_wall:.1f} s wall (slowest worker {p_cpu:.1f} s CPU), {p_hits} hits")
    _, alt_cpu, alt_hits = alternative(records, a.alternative_cases)
    _, base_cpu, base_hits, _ = single_pass(records, a.alternative_cases)
    assert alt_hits == base_hits, (alt_hits, base_hits)
    ratio = alt_cpu / base_cpu
    print(f"alternative (one pass per detector, own view each) on {a.alternative_cases} cases: {alt_cpu:.1f} s CPU "
          f"vs {base_cpu:.1f} s — {ratio:.2f}× slower; extrapolated to {a.cases}: {alt_cpu * a.cases / a.alternative_cases:.0f} s")  # fmt: skip
    db_line = ""
    if a.db:
        n, first, second = db_run(path)
        db_line = (f"- `run_detection` end to end on SQLite ({n} cases imported from the same bundle, closings kept): "
                   f"{first:.1f} s first run, {second:.1f} s re-run ({first / n * 1e6:.0f} µs/case; loading records from "
                   f"the database dominates)\n")  # fmt: skip
        print(db_line.strip())

    pr_lines = ""
    if a.labels:
        for seed in (a.pool_seed, a.pool_seed + 1):
            for label, (found, truth, both) in precision_recall(seed, a.pool_per_court_year).items():
                line = (f"- seed {seed}: `{LABELLED[label]}` vs label `{label}`: found {found}, labelled {truth}, both {both} — "
                        f"precision {both / found if found else float('nan'):.3f}, recall {both / truth if truth else float('nan'):.3f}\n")  # fmt: skip
                print(line.strip())
                pr_lines += line

    if a.append:
        section = (
            f"\n## Detectors (issue 9) — {date.today().isoformat()}\n\n"
            f"Machine: {where}. Command: `uv run python bench/detectors.py{' --db' if a.db else ''}"
            f"{' --labels' if a.labels else ''} --append`.\n\n"
            f"- Pool: {len(records)} simulated cases (焦作中院's 11 courts, 3 years, seed {a.pool_seed}), every one re-opened "
            f"at 2025-12-31; cycled to {a.cases:,} cases.\n"
            f"- All nine case detectors, one pass, one process: **{wall:.1f} s wall, {cpu:.1f} s CPU** for {a.cases:,} "
            f"open cases ({cpu / a.cases * 1e6:.1f} µs/case), {hits:,} hits. Target ≤ 60 s.\n"
            f"- Same over {a.workers} processes: {p_wall:.1f} s wall.\n"
            f"- Filing suppression over {COURTS} courts' daily counts of those cases: {s_wall:.2f} s.\n"
            f"- Alternative — each detector its own pass over all cases, each building its own view: "
            f"{ratio:.2f}× the CPU time (measured on {a.alternative_cases:,} cases; ≈ {alt_cpu * a.cases / a.alternative_cases:.0f} s "
            f"CPU extrapolated to {a.cases:,}).\n"
            f"{db_line}"
            f"{pr_lines}"
            f"- Wall times depend on the machine's load (other jobs were running); CPU times are the steadier figure.\n"
        )  # fmt: skip
        with (ROOT / "bench" / "RESULTS.md").open("a", encoding="utf-8") as f:
            f.write(section)
        print("appended to bench/RESULTS.md")


if __name__ == "__main__":
    main()
