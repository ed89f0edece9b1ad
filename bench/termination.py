"""Benchmark: ``zhixing check termination`` over many 终本 closings (issue 6: 400,000 cases
in ≤ 60 s on this machine).

Usage (from the repository root, plain script — not collected by pytest)::

    uv run python bench/termination.py build --cases 400000 --db /tmp/zhixing_bench_termination.sqlite3
    uv run python bench/termination.py run --db /tmp/zhixing_bench_termination.sqlite3 [--baseline]

``build`` writes a deterministic bundle of 终本 cases (about 15 events each, roughly one in
four failing some check — IND-09 targets 90%, real courts sit around 75–90%) and imports it
with ``zhixing import`` (the import derives the per-case facts, as it does in production).
``run`` times ``termination.facts.termination_rows`` (what ``zhixing check termination``
calls once the lead switches ``check_cases`` to it) over every case, and, on a sample of
20,000 cases, that and the obvious alternative — load every record and run
``check_termination`` on each, as ``check_cases`` did — checking that both give identical
rows and printing the ratio; ``--cli`` also times the command itself. Results go to
bench/RESULTS.md by hand.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COURTS = ["豫0821", "豫0822", "豫0823", "豫0825", "豫0882", "豫0883", "豫0811", "豫0804"]
ALL4 = ["存款", "车辆", "不动产", "有价证券"]


def _id_number(rng: random.Random) -> str:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    birth = date(1960, 1, 1) + timedelta(days=rng.randrange(15000))
    body = f"410823{birth:%Y%m%d}{rng.randrange(1000):03d}"
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, weights, strict=True)) % 11]


def case_line(i: int, rng: random.Random) -> dict:
    """One 终本 case modelled on example case A, with a failure injected in ~25% of cases."""
    court = COURTS[i % len(COURTS)]
    year = 2019 + (i // len(COURTS)) % 5
    filed = date(year, 1, 2) + timedelta(days=rng.randrange(300))
    closed = filed + timedelta(days=rng.randrange(100, 220))
    d = lambda n: (filed + timedelta(days=n)).isoformat()  # noqa: E731
    c = lambda n: (closed - timedelta(days=n)).isoformat()  # noqa: E731
    fault = rng.randrange(40) if rng.random() < 0.25 else None
    events = [
        {"node": "handler_assigned", "on": d(1), "handler": "王某"},
        {"node": "execution_notice", "on": d(3)},
        {"node": "property_report_order", "on": d(3)},
        {"node": "clue_request", "on": d(3)},
        {"node": "online_inquiry", "on": d(5), "system": "总对总", "categories": [*ALL4, "网络资金"],
         "found": [{"asset": "a1", "category": "存款", "value": "523.00"}]},
        {"node": "consumption_restriction", "on": d(8), "party": "p2"},
        {"node": "property_report", "on": d(18), "party": "p2", "status": "按期"},
        {"node": "clue_received", "on": d(20), "clue": "c1"},
        {"node": "clue_verified", "on": d(24), "clue": "c1"},
        {"node": "field_investigation", "on": d(40)},
        {"node": "online_inquiry", "on": c(10), "system": "总对总", "categories": ALL4, "found": []},
        {"node": "applicant_interview", "on": c(5), "opinion": "同意"},
        {"node": "termination_ruling", "on": c(2)},
        {"node": "ruling_served", "on": c(0)},
        {"node": "termination_registry_entry", "on": (closed + timedelta(days=3)).isoformat()},
    ]  # fmt: skip
    if fault == 0:
        events = [e for e in events if e["node"] != "execution_notice"]
    elif fault == 1:
        events[10]["categories"] = ["存款", "车辆", "有价证券"]  # T5: 不动产 not re-queried
    elif fault == 2:
        events = [e for e in events if e["node"] != "clue_verified"]
    elif fault == 3:
        events = [e for e in events if e["node"] != "applicant_interview"]
    elif fault == 4:
        events[11]["opinion"] = "不同意"
    elif fault == 5:
        events = [e for e in events if e["node"] != "termination_registry_entry"]
    elif fault == 6:
        events[4]["found"][0]["value"] = "52300.00"
    elif fault is not None:
        events[6]["status"] = "拒绝"  # T4 and T12
    return {
        "case_number": f"（{year}）{court}执{i + 1}号",
        "case_type": "首次执行",
        "filed_on": filed.isoformat(),
        "claim_amount": f"{rng.randrange(20000, 2000000)}.00",
        "recovered_amount": "0.00",
        "parties": [
            {
                "id": "p1",
                "role": "申请执行人",
                "kind": "自然人",
                "name": "张某",
                "id_number": _id_number(rng),
            },
            {"id": "p2", "role": "被执行人", "kind": "自然人", "name": "李某", "id_number": _id_number(rng)},
        ],
        "events": events,
        "closing": {"on": closed.isoformat(), "mode": "终结本次执行程序"},
    }


def _env(db: str) -> dict:
    return {**os.environ, "DATABASE_URL": f"sqlite:///{db}", "DJANGO_SETTINGS_MODULE": "zhixing.settings"}


def build(cases: int, seed_cases: int, db: str) -> None:
    """Import ``seed_cases`` generated cases, store their 终本 facts, then copy them at the SQL
    level (new ids and case numbers, same events) until there are ``cases``: importing
    400,000 lines through the rules takes about an hour on this machine, and the check
    under test does not care whether two cases have the same events."""
    bundle = Path(db).with_suffix(".jsonl")
    rng = random.Random(20240601)
    with bundle.open("w", encoding="utf-8") as f:
        for i in range(seed_cases):
            f.write(json.dumps(case_line(i, rng), ensure_ascii=False) + "\n")
    start = time.perf_counter()
    subprocess.run(
        ["zhixing", "import", str(bundle), "--json"], env=_env(db), check=True, stdout=subprocess.DEVNULL
    )
    print(f"imported {seed_cases} cases in {time.perf_counter() - start:.1f} s into {db}")
    start = time.perf_counter()
    subprocess.run(["zhixing", "termination_facts"], env=_env(db), check=True, stdout=subprocess.DEVNULL)
    print(f"stored their 终本 facts in {time.perf_counter() - start:.1f} s")
    copies = -(-cases // seed_cases)
    start = time.perf_counter()
    _replicate(db, copies, cases)
    print(f"replicated to {cases} cases in {time.perf_counter() - start:.1f} s")


def _replicate(db: str, copies: int, total: int) -> None:
    import sqlite3

    con = sqlite3.connect(db)
    cols = lambda t: [f'"{r[1]}"' for r in con.execute(f"PRAGMA table_info({t})")]  # noqa: E731
    n = con.execute("SELECT max(id) FROM cases_case").fetchone()[0]
    tables = {  # table → (id column, case column)
        "cases_party": ("id", "case_id"),
        "cases_nodeevent": ("id", "case_id"),
        "metrics_casefact": (None, "case_id"),
        "termination_terminationfact": (None, "case_id"),
    }
    step = {t: con.execute(f"SELECT max({i}) FROM {t}").fetchone()[0] for t, (i, _) in tables.items() if i}
    number = "case_number"
    new_number = (
        f"substr({number}, 1, instr({number}, '执')) || ? || "
        f"substr('0000000' || substr({number}, instr({number}, '执') + 1, length({number}) - instr({number}, '执') - 1), -7, 7) || '号'"
    )
    for k in range(1, copies):
        limit = min(n, total - k * n)
        if limit <= 0:
            break
        c = [x for x in cols("cases_case") if x not in ('"id"', '"case_number"')]
        con.execute(
            f"INSERT INTO cases_case (id, case_number, {', '.join(c)}) SELECT id + ?, {new_number}, {', '.join(c)} "
            "FROM cases_case WHERE id <= ?",
            (k * n, k, limit),
        )
        for t, (id_col, case_col) in tables.items():
            c = [x for x in cols(t) if x.strip('"') not in (id_col, case_col)]
            head = ([id_col] if id_col else []) + [case_col] + c
            sel = ([f"{id_col} + {k * step[t]}"] if id_col else []) + [f"{case_col} + {k * n}"] + c
            con.execute(
                f"INSERT INTO {t} ({', '.join(head)}) SELECT {', '.join(sel)} FROM {t} WHERE {case_col} <= ?",
                (limit,),
            )
        con.commit()
    con.execute("ANALYZE")
    con.commit()
    con.close()


def _baseline(qs, as_of: date) -> list[dict]:
    """The obvious alternative (what ``check_cases`` did): load every record, run T1–T14."""
    from zhixing.cases.loader import load_records
    from zhixing.termination.rules import check_termination

    return [v.to_json() for _, r in load_records(qs) if (v := check_termination(r, as_of)) is not None]


def _cli(db: str, as_of: str, court: str | None) -> None:
    args = ["zhixing", "check", "termination", "--as-of", as_of, "--json"] + (
        ["--court", court] if court else []
    )
    start = time.perf_counter()
    out = subprocess.run(args, env=_env(db), check=True, capture_output=True)
    rows = json.loads(out.stdout)
    print(f"`{' '.join(args[:4])}{' --court ' + court if court else ''}` (CLI as shipped now): {len(rows)} rows in "
          f"{time.perf_counter() - start:.1f} s wall, including start-up")  # fmt: skip


def run(db: str, as_of: str, sample: int, cli: bool, cli_court: str | None) -> None:
    os.environ.update(_env(db))
    import django

    django.setup()
    from zhixing.cases.models import Case
    from zhixing.termination.facts import termination_rows

    day = date.fromisoformat(as_of)
    print(f"load average before: {os.getloadavg()}")
    start, cpu = time.perf_counter(), time.process_time()
    rows = list(termination_rows(Case.objects.all(), day))
    fast_all, fast_cpu = time.perf_counter() - start, time.process_time() - cpu
    verdicts: dict[str, int] = {}
    for r in rows:
        verdicts[r["verdict"]] = verdicts.get(r["verdict"], 0) + 1
    start = time.perf_counter()
    text = json.dumps(rows, ensure_ascii=False)
    dump = time.perf_counter() - start
    print(f"termination_rows over every case: {len(rows)} rows in {fast_all:.1f} s wall, {fast_cpu:.1f} s CPU "
          f"(+ {dump:.1f} s JSON, {len(text) / 1e6:.0f} MB) {verdicts}")  # fmt: skip

    # The baseline on the first ``sample`` cases (ids in import order, as a real database
    # holds them): every 8th case of one court would scatter its reads over the whole file.
    subset = Case.objects.filter(pk__lte=sample)
    start = time.perf_counter()
    fast = list(termination_rows(subset, day))
    fast_s = time.perf_counter() - start
    start, cpu = time.perf_counter(), time.process_time()
    slow = _baseline(subset.filter(closing_mode="terminated_current", closed_on__lte=day), day)
    slow_s, slow_cpu = time.perf_counter() - start, time.process_time() - cpu
    same = slow == fast
    print(f"first {sample} cases: termination_rows {len(fast)} rows in {fast_s:.1f} s; baseline (load every record, run T1–T14) "
          f"{len(slow)} rows in {slow_s:.1f} s wall, {slow_cpu:.1f} s CPU; identical rows: {same}; ratio {slow_s / fast_s:.1f}x; "
          f"baseline extrapolated to {len(rows)} rows: {slow_s * len(rows) / max(len(slow), 1):.0f} s")  # fmt: skip
    print(f"load average after: {os.getloadavg()}")
    if cli:
        _cli(db, as_of, cli_court)


def main() -> None:
    sys.path.insert(0, str(ROOT / "src"))
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build")
    b.add_argument("--cases", type=int, default=400_000)
    b.add_argument("--seed-cases", type=int, default=25_000)
    b.add_argument("--db", default="/tmp/zhixing_bench_termination.sqlite3")
    r = sub.add_parser("run")
    r.add_argument("--db", default="/tmp/zhixing_bench_termination.sqlite3")
    r.add_argument("--as-of", default="2024-12-31")
    r.add_argument("--sample", type=int, default=20_000, help="the baseline is timed on this many cases")
    r.add_argument("--cli", action="store_true", help="also time the zhixing check termination command")
    r.add_argument("--cli-court", help="limit the CLI run to this court")
    o = parser.parse_args()
    if o.cmd == "build":
        build(o.cases, o.seed_cases, o.db)
    else:
        run(o.db, o.as_of, o.sample, o.cli, o.cli_court)


if __name__ == "__main__":
    main()
