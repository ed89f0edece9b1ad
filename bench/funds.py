"""Case-fund clocks and unpaid-money buckets at scale (issue 7: 1,000,000 receipts ≤ 20 s).

    uv run python bench/funds.py [--receipts 1000000] [--workers 2] [--db-receipts 100000]

Part 1, in memory: synthetic courts (7 basic courts, 40 officers each, three teams),
receipts noticed over 2½ years, most paid in full, some partly or late, some deferred or
lodged. For every receipt the §9 clock at as-of (``funds.rules.receipt_clocks``, the rule
itself) and the money still unpaid, summed into the buckets by officer
(``funds.services.receipt_items`` + ``funds.buckets.summarise``; the rule's verdicts are
reused per distinct notice day and fully-paid day, ``funds.batch``) — once in one
process, then split over ``--workers`` forked processes and merged (``buckets.merge``),
checked equal. The baseline is the obvious way: ``funds.rules.receipt_clocks`` on every
case and the general ledger (``ledger.outstanding``) for every receipt, checked equal.

Part 2, from a database (SQLite file, ``--db-receipts``): ``unpaid_buckets`` as the page
and the API run it — the funds-only loader (``load_fund_cases``) — against the obvious
alternative, the general case loader that ``zhixing check funds`` uses
(``cases.loader.load_records``: parties, events, petitions …) feeding the same rule.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import random
import resource
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

AS_OF = date(2024, 6, 30)
COURTS = ["豫0821", "豫0822", "豫0823", "豫0825", "豫0882", "豫0883", "豫0811"]
CASES: list = []  # the generated cases; forked workers inherit them


def setup_django(db: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhixing.settings")
    import django

    django.setup()


def generate(n_receipts: int, seed: int = 7, distinct: int | None = None):
    """FundCases with ``n_receipts`` receipts, as ``load_fund_cases`` would build them.
    With ``distinct``, only that many receipts are drawn and their cases repeated to reach
    ``n_receipts`` (drawing a million Decimals and records takes longer than the report
    itself; every repeated case is computed again all the same)."""
    if distinct is not None and distinct < n_receipts:
        pool = generate(distinct, seed)
        out, made, i = [], 0, 0
        while made < n_receipts:
            fc = pool[i % len(pool)]
            take = len(fc.record.receipts)
            if made + take > n_receipts:
                break
            out.append(fc)
            made += take
            i += 1
        return out + generate(n_receipts - made, seed + 1) if made < n_receipts else out
    from zhixing.cases.choices import CaseType
    from zhixing.cases.records import CaseRecord, Deferral, Disbursement, Lodgement, Receipt
    from zhixing.funds.ledger import Entries
    from zhixing.funds.services import FundCase

    rng = random.Random(seed)
    start = date(2022, 1, 1)
    span = (AS_OF - start).days
    cases, made, case_id = [], 0, 0
    while made < n_receipts:
        case_id += 1
        court = rng.choice(COURTS)
        handler = f"承办人{rng.randrange(40):02d}"
        receipts, paid, deferrals, lodged, entries = [], [], [], [], {}
        for k in range(min(rng.choice((1, 1, 1, 2, 2, 3)), n_receipts - made)):
            rid = f"r{k + 1}"
            notice = start + timedelta(days=rng.randrange(span))
            amount = Decimal(rng.randrange(10_000, 50_000_000)) / 100
            receipts.append(Receipt(rid, notice, amount))
            mine = []
            roll = rng.random()
            if roll < 0.70:
                mine.append((notice + timedelta(days=rng.randrange(0, 45)), amount))
            elif roll < 0.85:
                part = (amount * Decimal(rng.randrange(30, 90)) / 100).quantize(Decimal("0.01"))
                mine.append((notice + timedelta(days=rng.randrange(0, 30)), part))
            for i, (on, a) in enumerate(mine):
                paid.append(Disbursement(f"d{k}{i}", rid, on, a, "p1"))
            lodge = []
            if rng.random() < 0.03:
                ends = notice + timedelta(days=rng.randrange(30, 120)) if rng.random() < 0.5 else None
                deferrals.append(
                    Deferral(rid, notice + timedelta(days=rng.randrange(0, 28)), "需要进行案款分配", ends)
                )
            if not mine and rng.random() < 0.05:
                on = notice + timedelta(days=rng.randrange(0, 40))
                lodged.append(Lodgement(rid, on, "申请执行人下落不明"))
                lodge.append((on, None))
            entries[rid] = Entries(amount, tuple(mine), (), tuple(lodge))
            made += 1
        record = CaseRecord(
            case_number=f"（2023）{court}执{case_id}号", court=court, case_type=CaseType.FIRST, filed_on=start,
            receipts=tuple(receipts), disbursements=tuple(paid), deferrals=tuple(deferrals), lodgements=tuple(lodged),
        )  # fmt: skip
        cases.append(FundCase(case_id, court, handler, record, entries))
    return cases


TEAMS = {(c, f"承办人{i:02d}"): f"{'一二三'[i % 3]}队" for c in COURTS for i in range(40)}


def summarise_slice(bounds: tuple[int, int]) -> dict:
    from zhixing.funds import buckets, services

    lo, hi = bounds
    return buckets.summarise(services.receipt_items(CASES[lo:hi], AS_OF), AS_OF, "handler", TEAMS)


def baseline(cases) -> dict:
    """The same report, the unpaid amount read through the general ledger every time."""
    from zhixing.funds import buckets, ledger, rules

    items = (
        buckets.Item(
            fc.court, fc.handler, c.notice_on, ledger.outstanding(fc.entries[c.receipt], AS_OF), c.status
        )
        for fc in cases
        for c in rules.receipt_clocks(fc.record, AS_OF)
    )
    return buckets.summarise(items, AS_OF, "handler", TEAMS)


def timed(label: str, fn, *args):
    """Wall-clock seconds (what the target is about), and CPU seconds beside them: the
    machine is shared, and CPU time shows what the work costs when others also run."""
    t, c = time.perf_counter(), time.process_time()
    out = fn(*args)
    took, cpu = time.perf_counter() - t, time.process_time() - c
    print(f"  {label}: {took:.2f} s (CPU {cpu:.2f} s)", flush=True)
    return out, took


def in_memory(n: int, workers: int, distinct: int) -> dict:
    from zhixing.funds import buckets

    global CASES
    print(f"part 1: {n:,} receipts in memory", flush=True)
    CASES, _ = timed(f"generate ({min(n, distinct):,} distinct receipts, repeated)", generate, n, 7, distinct)
    whole, single = timed("clocks + buckets, 1 process", summarise_slice, (0, len(CASES)))
    step = -(-len(CASES) // workers)
    ctx = multiprocessing.get_context("fork")
    t, before = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
    with ctx.Pool(workers) as pool:
        parts = pool.map(summarise_slice, [(i, i + step) for i in range(0, len(CASES), step)])
    merged = buckets.merge(parts)
    parallel = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    print(
        f"  clocks + buckets, {workers} processes (fork, merge): {parallel:.2f} s (workers' CPU {cpu:.2f} s)",
        flush=True,
    )
    assert merged == whole, "the parallel summary differs from the single-process one"
    # The baseline on a fifth of the cases (it is slow), extrapolated to all of them.
    k = len(CASES) // 5
    base, base_t = timed(
        "baseline (the rule per case + ledger per receipt) on 1/5 of the cases", baseline, CASES[:k]
    )
    assert base == summarise_slice((0, k)), "the baseline differs"
    base_t *= len(CASES) / k
    total = whole["total"]
    print(f"  unpaid {total['unpaid']['receipts']:,} receipts / {total['unpaid']['amount']} yuan; "
          f"overdue {total['overdue']['receipts']:,}; deferred {total['deferred']['receipts']:,}")  # fmt: skip
    return {"n": n, "single": single, "parallel": parallel, "workers": workers, "baseline": base_t}


def from_database(n: int) -> dict:
    from django.core.management import call_command
    from django.db import transaction

    from zhixing.cases.loader import load_records
    from zhixing.cases.models import Case
    from zhixing.courts.services import ensure_court
    from zhixing.funds import buckets, rules, services
    from zhixing.funds import models as funds

    print(f"part 2: {n:,} receipts in SQLite", flush=True)
    call_command("migrate", verbosity=0)
    cases = generate(n, seed=11)
    t = time.perf_counter()
    with transaction.atomic():
        courts = {c: ensure_court(c) for c in COURTS}
        rows = Case.objects.bulk_create(
            [Case(case_number=fc.record.case_number, court=courts[fc.court], case_type="first", filed_on=fc.record.filed_on,
                  handler=fc.handler, fingerprint="-") for fc in cases], batch_size=5000)  # fmt: skip
        receipts = funds.Receipt.objects.bulk_create(
            [funds.Receipt(case=row, local_id=r.id, notice_on=r.notice_on, amount=r.amount)
             for row, fc in zip(rows, cases, strict=True) for r in fc.record.receipts], batch_size=5000)  # fmt: skip
        pk = {(x.case_id, x.local_id): x.pk for x in receipts}
        funds.Disbursement.objects.bulk_create(
            [funds.Disbursement(case=row, receipt_id=pk[(row.pk, d.receipt)], local_id=d.id, on=d.on, amount=d.amount, payee="p1")
             for row, fc in zip(rows, cases, strict=True) for d in fc.record.disbursements], batch_size=5000)  # fmt: skip
        funds.Deferral.objects.bulk_create(
            [funds.Deferral(case=row, receipt_id=pk[(row.pk, d.receipt)], approved_on=d.approved_on, ground=d.ground or "",
                            ends_on=d.ends_on) for row, fc in zip(rows, cases, strict=True) for d in fc.record.deferrals],
            batch_size=5000)  # fmt: skip
        funds.Lodgement.objects.bulk_create(
            [funds.Lodgement(case=row, receipt_id=pk[(row.pk, g.receipt)], on=g.on, ground=g.ground or "")
             for row, fc in zip(rows, cases, strict=True) for g in fc.record.lodgements], batch_size=5000)  # fmt: skip
    print(f"  (insert: {time.perf_counter() - t:.1f} s, not measured)", flush=True)
    qs = Case.objects.all()
    report, ours = timed("unpaid_buckets (funds-only loader)", services.unpaid_buckets, qs, AS_OF, "court")

    def general():
        items = (
            buckets.Item(
                rec.court, rec.handler or "", c.notice_on, max(Decimal(0), c.amount - c.disbursed), c.status
            )
            for _, rec in load_records(services.fund_cases(qs, AS_OF))
            for c in rules.receipt_clocks(rec, AS_OF)
        )
        return buckets.summarise(items, AS_OF, "court")

    other, theirs = timed("general loader (load_records) + the same rule", general)
    # Same rule, same statuses; the general path cannot read lodged amounts (no ledger), so
    # only the counts by status are compared.
    assert (other["total"]["deferred"], len(other["rows"])) == (
        report["total"]["deferred"],
        len(report["rows"]),
    )
    print(
        f"  unpaid {report['total']['unpaid']['amount']} yuan over {len(report['rows'])} courts", flush=True
    )
    return {"n": n, "ours": ours, "general": theirs}


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())  # fmt: skip
    mem = next((int(line.split()[1]) // 1024 // 1024 for line in Path("/proc/meminfo").read_text().splitlines()
                if line.startswith("MemTotal")), 0)  # fmt: skip
    return f"{os.cpu_count()} CPUs ({cpu}), {mem} GiB RAM, Python {platform.python_version()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--receipts", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument(
        "--distinct", type=int, default=200_000, help="distinct receipts drawn (repeated up to --receipts)"
    )
    parser.add_argument("--db-receipts", type=int, default=30_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        setup_django(Path(tmp) / "bench.sqlite3")
        print(
            machine(), f"load average {os.getloadavg()[0]:.1f}", time.strftime("%Y-%m-%d %H:%M"), flush=True
        )
        mem = in_memory(args.receipts, args.workers, args.distinct)
        db = from_database(args.db_receipts) if args.db_receipts else None
    print()
    print(f"clocks + buckets, {mem['n']:,} receipts: {mem['single']:.1f} s in 1 process, "
          f"{mem['parallel']:.1f} s in {mem['workers']} (target ≤ 20 s); "
          f"baseline ≈{mem['baseline']:.1f} s (extrapolated from 1/5; ×{mem['baseline'] / mem['single']:.2f})")  # fmt: skip
    if db:
        per_m = 1_000_000 / db["n"]
        print(f"from SQLite, {db['n']:,} receipts: {db['ours']:.1f} s (≈{db['ours'] * per_m:.0f} s per million), "
              f"general loader {db['general']:.1f} s (×{db['general'] / db['ours']:.1f})")  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
