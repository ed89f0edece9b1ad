"""Benchmark: the simulator (issue 3: ≥ 20,000 cases/s, 1,000,000 cases in one run without
holding them in memory).

    uv run python bench/simulate.py [--cases 1000000] [--workers N]

Runs ``simulate`` into a temporary file and prints cases/s, CPU seconds (this process and
its worker processes), peak RSS and events per case.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    from zhixing.simulate.generator import simulate

    load = Path("/proc/loadavg").read_text().split()[:3]
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "sim.jsonl"
        cpu0 = time.process_time()
        kids0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        summary = simulate(
            out, seed=1, years=3, cases_per_court_year=max(1, args.cases // 33), workers=args.workers
        )
        wall = time.perf_counter() - start
        kids = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = time.process_time() - cpu0 + (kids.ru_utime + kids.ru_stime) - (kids0.ru_utime + kids0.ru_stime)
        peak = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, kids.ru_maxrss) / 1024
        events = n = 0
        with out.open(encoding="utf-8") as f:
            for line in f:
                if n < 20_000:
                    events += len(json.loads(line).get("events", []))
                n += 1
    print(f"load {' '.join(load)}; {summary.cases} cases in {wall:.1f} s = {summary.cases / wall:,.0f} cases/s;"
          f" CPU {cpu:.1f} s ({summary.cases / cpu:,.0f} cases per CPU-second); peak RSS {peak:.0f} MB;"
          f" {events / min(n, 20_000):.1f} events/case (first 20,000)")  # fmt: skip


if __name__ == "__main__":
    main()
