"""The read side: the case account, the §9 clocks, unpaid money by age (buckets) and
unidentified money by age."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date

from django.db.models import Exists, OuterRef, QuerySet

from zhixing.cases.choices import CaseType
from zhixing.cases.loader import load_record, load_records
from zhixing.cases.models import Case
from zhixing.cases.records import CaseRecord
from zhixing.cases.records import Deferral as DeferralRecord
from zhixing.cases.records import Disbursement as DisbursementRecord
from zhixing.cases.records import Lodgement as LodgementRecord
from zhixing.cases.records import Receipt as ReceiptRecord
from zhixing.funds import buckets, ledger, rules
from zhixing.funds.batch import ClockBatch
from zhixing.funds.ledger import ZERO, Entries, money
from zhixing.funds.models import (
    CaseAccount,
    Deferral,
    Disbursement,
    Lodgement,
    OfficerTeam,
    Receipt,
    UnidentifiedReceipt,
)
from zhixing.funds.services.common import CHUNK, _today, entries_of
from zhixing.funds.services.errors import FundError


def account_summary(case: Case, as_of: date | None = None) -> dict:
    """The case account: number, totals, and each receipt with its entries, balance and
    §9 clock at as-of (default today). Totals are the stored account's when it is open,
    else derived from the entries."""
    day = _today(as_of)
    receipts = list(Receipt.objects.filter(case=case).order_by("pk"))
    entries = entries_of(receipts)
    clocks = {c.receipt: c for c in rules.receipt_clocks(load_record(case.pk), day)}
    account = CaseAccount.objects.filter(case=case).first()
    positions = {r.pk: ledger.position(entries[r.pk]) for r in receipts}
    if account is not None:
        totals = {"received": account.received, "disbursed": account.disbursed, "lodged": account.lodged,
                  "refunded": account.refunded}  # fmt: skip
    else:
        totals = {
            k: sum((getattr(p, k) for p in positions.values()), ZERO)
            for k in ("received", "disbursed", "lodged", "refunded")
        }
    totals["balance"] = totals["received"] - totals["disbursed"] - totals["lodged"] - totals["refunded"]
    out = []
    for r in receipts:
        p = positions[r.pk]
        clock = clocks.get(r.local_id)
        out.append(
            {
                "receipt": r.local_id, "notice_on": r.notice_on, "amount": money(r.amount), "payer": r.payer,
                "disbursed": money(p.disbursed), "lodged": money(p.lodged), "refunded": money(p.refunded),
                "balance": money(p.balance), "clock": clock.to_json() if clock else None,
            }
        )  # fmt: skip
    return {
        "case_number": case.case_number,
        "account": account.number if account else None,
        "as_of": day,
        "totals": {k: money(v) for k, v in totals.items()},
        "receipts": out,
    }


def fund_cases(cases: QuerySet[Case], as_of: date | None = None) -> QuerySet[Case]:
    """Cases seen at as-of with a receipt noticed on or before it (as ``zhixing check funds``)."""
    if as_of is None:
        return cases.filter(Exists(Receipt.objects.filter(case=OuterRef("pk"))))
    return cases.filter(filed_on__lte=as_of).filter(
        Exists(Receipt.objects.filter(case=OuterRef("pk"), notice_on__lte=as_of))
    )


def clock_rows(cases: QuerySet[Case], as_of: date) -> list[dict]:
    """The rows of ``zhixing check funds --as-of`` (spec/cli.md) for these cases, computed
    by the same rule (funds.rules.receipt_clocks) from the same records."""
    return [
        c.to_json()
        for _, record in load_records(fund_cases(cases, as_of))
        for c in rules.receipt_clocks(record, as_of)
        if c.notice_on <= as_of
    ]


@dataclass(frozen=True, slots=True)
class FundCase:
    """One case's money as the clocks and buckets need it — no events, parties or
    petitions: ``record`` carries the case's receipts, disbursements, deferrals and
    lodgements; ``entries`` the ledger view by receipt local id."""

    case_id: int
    court: str
    handler: str
    record: CaseRecord
    entries: dict[str, Entries]


def load_fund_cases(cases: QuerySet[Case], *, chunk: int = CHUNK) -> Iterator[FundCase]:
    """FundCases of the cases that have receipts, a handful of queries per chunk."""
    ids = list(fund_cases(cases).order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), chunk):
        yield from _fund_chunk(ids[start : start + chunk])


def _chunk_rows(qs: QuerySet, ids: list[int], field: str, *values: str) -> Iterator[tuple]:
    """Rows of ``qs`` whose ``field`` is one of ``ids`` (sorted). Dense ids are read as a
    range and filtered here — a long ``IN (…)`` list costs more to build than the rows
    it leaves out — sparse ones with ``IN``."""
    if ids[-1] - ids[0] < 2 * len(ids):
        wanted = set(ids)
        position = values.index(field) if field in values else None
        rows = (
            qs.filter(**{f"{field}__gte": ids[0], f"{field}__lte": ids[-1]})
            .order_by("pk")
            .values_list(*values)
        )
        return (r for r in rows if r[position] in wanted) if position is not None else iter(rows)
    return iter(qs.filter(**{f"{field}__in": ids}).order_by("pk").values_list(*values))


def _fund_chunk(ids: list[int]) -> Iterator[FundCase]:
    heads = list(_chunk_rows(Case.objects.all(), ids, "pk", "pk", "case_number", "court__code", "handler", "case_type",
                             "filed_on"))  # fmt: skip
    receipts: dict[int, list] = defaultdict(list)
    local: dict[int, str] = {}
    for pk, case_id, lid, notice_on, amount, payer in _chunk_rows(
        Receipt.objects.all(), ids, "case_id", "pk", "case_id", "local_id", "notice_on", "amount", "payer"
    ):
        local[pk] = lid
        receipts[case_id].append((pk, ReceiptRecord(lid, notice_on, amount, payer or None)))
    paid: dict[int, list] = defaultdict(list)
    by_receipt: dict[int, list] = defaultdict(list)
    refunds: dict[int, list] = defaultdict(list)
    for case_id, rid, lid, on, amount, payee, refund in _chunk_rows(
        Disbursement.objects.all(),
        ids,
        "case_id",
        "case_id",
        "receipt_id",
        "local_id",
        "on",
        "amount",
        "payee",
        "refund",
    ):
        paid[case_id].append(DisbursementRecord(lid, local[rid], on, amount, payee or None))
        by_receipt[rid].append((on, amount))
        if refund is not None:
            refunds[rid].append((on, amount))
    deferrals: dict[int, list] = defaultdict(list)
    for case_id, rid, approved_on, ground, ends_on in _chunk_rows(
        Deferral.objects.all(), ids, "case_id", "case_id", "receipt_id", "approved_on", "ground", "ends_on"
    ):
        deferrals[case_id].append(DeferralRecord(local[rid], approved_on, ground or None, ends_on))
    lodged: dict[int, list] = defaultdict(list)
    lodged_by_receipt: dict[int, list] = defaultdict(list)
    for case_id, rid, on, ground, amount in _chunk_rows(
        Lodgement.objects.all(), ids, "case_id", "case_id", "receipt_id", "on", "ground", "amount"
    ):
        lodged[case_id].append(LodgementRecord(local[rid], on, ground or None))
        lodged_by_receipt[rid].append((on, amount))
    for pk, number, court, handler, case_type, filed_on in heads:
        record = CaseRecord(
            case_number=number, court=court, case_type=CaseType(case_type), filed_on=filed_on,
            receipts=tuple(r for _, r in receipts[pk]), disbursements=tuple(paid[pk]), deferrals=tuple(deferrals[pk]),
            lodgements=tuple(lodged[pk]),
        )  # fmt: skip
        entries = {
            r.id: Entries(
                r.amount, tuple(by_receipt[rpk]), tuple(refunds[rpk]), tuple(lodged_by_receipt[rpk])
            )
            for rpk, r in receipts[pk]
        }
        yield FundCase(pk, court, handler or "", record, entries)


def receipt_items(cases: Iterable[FundCase], as_of: date) -> Iterator[buckets.Item]:
    """Each receipt noticed by as-of with its §9 clock status (funds.rules, through
    funds.batch) and the money still unpaid (funds.ledger)."""
    batch = ClockBatch(as_of)
    for fc in cases:
        court, handler, lodged = fc.court, fc.handler, bool(fc.record.lodgements)
        for receipt, disbursed, _, _, status, _, _ in batch.rows(fc.record):
            if lodged:  # the ledger reads lodged amounts (an imported lodgement has none)
                unpaid = ledger.outstanding(fc.entries[receipt.id], as_of)
            else:  # the clock already summed the disbursements (refunds included) by as-of
                unpaid = receipt.amount - disbursed
                if unpaid < 0:
                    unpaid = ZERO
            yield buckets.Item(court, handler, receipt.notice_on, unpaid, status)


def teams_of(courts: Iterable[str] | None = None) -> dict[tuple[str, str], str]:
    """(court code, handler) → team name."""
    qs = OfficerTeam.objects.all()
    if courts is not None:
        qs = qs.filter(court__code__in=list(courts))
    return {(c, h): t for c, h, t in qs.values_list("court__code", "handler", "team")}


def unpaid_buckets(cases: QuerySet[Case], as_of: date, by: str = "court") -> dict:
    """Unpaid money by days since notice (≤5, 6–10, 11–15, 16–30, >30), by court, team
    or officer (funds.buckets.summarise) for these cases at as-of."""
    if by not in buckets.GROUPINGS:
        raise FundError("by", "分组应为 court、team 或 handler")
    teams = teams_of() if by != "court" else {}
    return buckets.summarise(
        receipt_items(load_fund_cases(fund_cases(cases, as_of)), as_of), as_of, by, teams
    )


def unidentified_report(items: QuerySet[UnidentifiedReceipt], as_of: date) -> dict:
    """Unidentified money still unassigned at as-of, by court and age (FUND-6)."""
    from django.db.models import Q

    open_items = items.filter(arrived_on__lte=as_of).filter(
        Q(assigned_on__isnull=True) | Q(assigned_on__gt=as_of)
    )
    return buckets.unidentified_ages(open_items.values_list("court__code", "arrived_on", "amount"), as_of)
