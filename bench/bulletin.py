"""Benchmark: the daily bulletin (issue 5: a daily bulletin PDF ≤ 10 s).

    uv run python bench/bulletin.py [--db /tmp/zhixing_bench_bulletin.sqlite3] [--courts 8]
        [--years 3] [--cases-per-court-year 1000] [--date 2025-06-30] [--no-funds] [--repeat 3]

Builds (once; the database file is reused) a simulated 中院 with ``--courts`` basic courts
through ``zhixing simulate`` and ``zhixing import``, and a campaign running on DATE. Then
times, in this process: collecting the bulletin's data (``bulletins.build``), rendering
HTML, xlsx and PDF; and, end to end, ``zhixing bulletin daily --format pdf`` in a fresh
process (what cron runs: interpreter start, Django, WeasyPrint import included).

Compared in the same run with the obvious alternatives:
- per-court figures by one ``indicator_report`` call per court (N+1) instead of the one
  grouped query per table the bulletin uses;
- the campaign burn-down with a point per day instead of per week.

``--no-funds`` drops receipts, disbursements, deferrals and lodgements from the bundle
before importing it (for a tree whose fund import is being changed; only IND-12 and K6
depend on them).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def zhixing(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "zhixing.cli", *args], env=env, capture_output=True, text=True, check=False
    )


def build_database(db: Path, env: dict, o: argparse.Namespace) -> None:
    bundle = db.with_suffix(".jsonl")
    t = time.perf_counter()
    p = zhixing("simulate", "--seed", "5", "--courts", str(o.courts), "--years", str(o.years),
                "--cases-per-court-year", str(o.cases_per_court_year), "--output", str(bundle), env=env)  # fmt: skip
    if p.returncode:
        raise SystemExit(p.stderr[-2000:])
    if o.no_funds:
        lines = []
        for line in bundle.read_text(encoding="utf-8").splitlines():
            case = json.loads(line)
            for key in ("receipts", "disbursements", "deferrals", "lodgements"):
                case.pop(key, None)
            lines.append(json.dumps(case, ensure_ascii=False))
        bundle.write_text("\n".join(lines) + "\n", encoding="utf-8")
    p = zhixing("import", str(bundle), "--json", env=env)
    if p.returncode not in (0, 1):
        raise SystemExit(p.stderr[-2000:])
    report = json.loads(p.stdout)
    print(
        f"built {db}: {report['imported']} cases imported, {len(report['rejected'])} rejected, {time.perf_counter() - t:.0f} s"
    )


CPU: list[float] = []


def timed(fn, repeat: int) -> tuple[float, object]:
    """Median wall seconds of ``repeat`` runs (and the median CPU seconds of this process
    in ``CPU[-1]``: SQLite runs in-process, so on a shared machine CPU time is the better
    estimate of the wall time on an idle one)."""
    times, cpu, result = [], [], None
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        result = fn()
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    CPU.append(statistics.median(cpu))
    return statistics.median(times), result


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", default="/tmp/zhixing_bench_bulletin.sqlite3")
    ap.add_argument("--courts", type=int, default=8)
    ap.add_argument("--years", type=int, default=3)
    ap.add_argument("--cases-per-court-year", type=int, default=1000)
    ap.add_argument("--date", default=None, help="default: 30 June of the simulation's last year")
    ap.add_argument("--no-funds", action="store_true")
    ap.add_argument("--repeat", type=int, default=3)
    o = ap.parse_args()

    db = Path(o.db)
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}"}
    if not db.exists():
        build_database(db, env, o)
    os.environ["DATABASE_URL"] = env["DATABASE_URL"]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhixing.settings")
    import django

    django.setup()
    from zhixing.cases.models import Case
    from zhixing.metrics.services import indicator_report
    from zhixing.reports import bulletins, campaigns
    from zhixing.reports.models import Campaign
    from zhixing.reports.windows import year_to_date

    court = bulletins.default_court()
    last = Case.objects.order_by("-filed_on").values_list("filed_on", flat=True).first()
    day = date.fromisoformat(o.date) if o.date else date(last.year, 6, 30)
    camp, _ = Campaign.objects.get_or_create(
        name="基准测试攻坚", court=court, start=date(day.year, 5, 1),
        defaults={"end": date(day.year, 8, 10), "targets": {"IND-09": "0.90", "IND-10": "0.90", "IND-11": "0.90", "IND-13": "0.80"}},
    )  # fmt: skip
    cases = Case.objects.count()
    courts = len(court.subtree())
    print(
        f"{cases} cases, {courts} courts under {court.code}; daily bulletin for {day} (campaign {camp.start}…{camp.end})"
    )

    # Warm up (imports, font lookup, first queries), then time.
    data = bulletins.build("daily", day, court)
    bulletins.render_pdf(data)
    t_build, data = timed(lambda: bulletins.build("daily", day, court), o.repeat)
    t_html, html = timed(lambda: bulletins.render_html(data), o.repeat)
    t_xlsx, xlsx = timed(lambda: bulletins.render_xlsx(data), o.repeat)
    t_pdf, pdf = timed(lambda: bulletins.render_pdf(data), o.repeat)
    c_build, c_html, c_xlsx, c_pdf = CPU[-4:]
    print("                      wall      CPU")
    print(f"build (data)          {t_build:7.2f} s {c_build:7.2f} s")
    print(f"render HTML           {t_html:7.2f} s {c_html:7.2f} s  ({len(html)} chars)")
    print(f"render xlsx           {t_xlsx:7.2f} s {c_xlsx:7.2f} s  ({len(xlsx)} bytes)")
    print(f"render PDF            {t_pdf:7.2f} s {c_pdf:7.2f} s  ({len(pdf)} bytes)")
    print(f"daily PDF in process  {t_build + t_pdf:7.2f} s {c_build + c_pdf:7.2f} s")

    # End to end in a fresh process. This machine's environment sets
    # PYTHONDONTWRITEBYTECODE, so every process compiles Django, WeasyPrint and ours from
    # source; a deployment keeps bytecode (uv sync --compile-bytecode, or the first run
    # writes it). Timed both ways; the cached run writes its bytecode under /tmp.
    out = db.with_suffix(".daily.pdf")
    argv = [
        "bulletin",
        "daily",
        "--date",
        day.isoformat(),
        "--court",
        court.code,
        "--format",
        "pdf",
        "--output",
        str(out),
    ]
    cached = {k: v for k, v in env.items() if k != "PYTHONDONTWRITEBYTECODE"}
    cached["PYTHONPYCACHEPREFIX"] = str(db.with_suffix(".pycache"))
    zhixing(*argv, env=cached)  # writes the bytecode
    for label, run_env in (("no bytecode cache", env), ("bytecode cached", cached)):
        before = os.times()
        t = time.perf_counter()
        p = zhixing(*argv, env=run_env)
        t_cli = time.perf_counter() - t
        after = os.times()
        c_cli = (after.children_user - before.children_user) + (
            after.children_system - before.children_system
        )
        if p.returncode:
            raise SystemExit(p.stderr[-2000:])
        print(
            f"zhixing bulletin daily --format pdf, fresh process, {label}: wall {t_cli:.2f} s, CPU {c_cli:.2f} s"
        )

    # Alternative 1: per-court figures by one report per court.
    ytd = year_to_date(day)
    scope = list(court.subtree())
    t_grouped, _ = timed(lambda: indicator_report(ytd, court), o.repeat)
    # The N+1 way: each court's own figures by their own report (visible=[that court]).
    t_per_court, _ = timed(lambda: [indicator_report(ytd, c, visible=[c.pk]) for c in scope], o.repeat)
    print(
        f"indicators, grouped   {t_grouped:7.3f} s (CPU {CPU[-2]:.3f}); one report per court {t_per_court:7.3f} s"
        f" (CPU {CPU[-1]:.3f}); ratio {CPU[-1] / CPU[-2]:.1f}× (CPU)"
    )

    # Alternative 2: burn-down points per day vs per week.
    t_week, _ = timed(lambda: campaigns.burndown(camp, day, step=7), o.repeat)
    t_day, _ = timed(lambda: campaigns.burndown(camp, day, step=1), 1)
    print(
        f"burn-down, weekly     {t_week:7.3f} s (CPU {CPU[-2]:.3f}); daily {t_day:7.3f} s (CPU {CPU[-1]:.3f});"
        f" ratio {CPU[-1] / CPU[-2]:.1f}× (CPU)"
    )
    print(f"load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
