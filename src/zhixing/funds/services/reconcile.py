"""Reconciliation: received = disbursed + lodged + refunded + balance, per case and court."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import F, QuerySet

from zhixing.cases.models import Case
from zhixing.courts.models import Court
from zhixing.funds import ledger
from zhixing.funds.ledger import ZERO, money
from zhixing.funds.models import (
    CaseAccount,
    Disbursement,
    Lodgement,
    OrderStatus,
    PaymentOrder,
    Receipt,
    UnidentifiedReceipt,
)
from zhixing.funds.services.common import CHUNK, entries_of

FIELDS = ("received", "disbursed", "lodged", "refunded", "balance")
_LABELS = {"received": "到账合计", "disbursed": "发放合计", "lodged": "提存合计", "refunded": "退款合计"}


def reconcile(cases: QuerySet[Case], *, chunk: int = CHUNK) -> dict:
    """received = disbursed + lodged + refunded + balance, per case and per court.

    ``balance`` is the stored account's where the case has one (else derived). Reported
    as differences: a receipt whose entries pay out more than it received; a receipt's
    running total (``paid_out``) or an account's totals that disagree with the entries;
    an entry filed under another case than its receipt; an executed order whose entry
    differs from it; unidentified money assigned with another amount."""
    differences: list[dict] = []
    courts: dict[str, dict[str, Decimal]] = {}
    names = dict(Court.objects.values_list("code", "name"))
    ids = list(cases.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), chunk):
        _reconcile_chunk(ids[start : start + chunk], courts, differences)
    return _report(len(ids), courts, names, differences)


def _differ(
    differences: list[dict], case_number: str, receipt: str, field: str, expected, actual, message: str
) -> None:
    differences.append({"case_number": case_number, "receipt": receipt, "field": field,
                        "expected": money(expected), "actual": money(actual), "message": message})  # fmt: skip


def _reconcile_chunk(part: list[int], courts: dict[str, dict[str, Decimal]], differences: list[dict]) -> None:
    """One chunk of cases: receipts, accounts (adding to the court totals), misfiled
    entries, executed orders and assigned unidentified money, in that order."""
    heads = dict(Case.objects.filter(pk__in=part).values_list("pk", "case_number"))
    court_of = dict(Case.objects.filter(pk__in=part).values_list("pk", "court__code"))
    receipts = list(Receipt.objects.filter(case_id__in=part).order_by("pk"))
    entries = entries_of(receipts)
    accounts = {a.case_id: a for a in CaseAccount.objects.filter(case_id__in=part)}
    derived = _check_receipts(part, heads, receipts, entries, differences)
    _check_accounts(part, heads, court_of, accounts, derived, courts, differences)
    _check_misfiled(part, differences)
    _check_orders(part, differences)
    _check_unidentified(part, differences)


def _check_receipts(
    part: list[int], heads: dict[int, str], receipts: list[Receipt], entries: dict, differences: list[dict]
) -> dict[int, dict[str, Decimal]]:
    """Each receipt's entries against its amount and its running total; returns the
    totals derived from the entries by case."""
    derived: dict[int, dict[str, Decimal]] = {pk: dict.fromkeys(FIELDS[:4], ZERO) for pk in part}
    for r in receipts:
        p = ledger.position(entries[r.pk])
        d = derived[r.case_id]
        for k in FIELDS[:4]:
            d[k] += getattr(p, k)
        number = heads[r.case_id]
        if p.balance < 0:
            _differ(differences, number, r.local_id, "balance", ZERO, p.balance, "出款合计超过到账金额")
        if r.paid_out is not None and r.paid_out != p.out:
            _differ(
                differences,
                number,
                r.local_id,
                "paid_out",
                p.out,
                r.paid_out,
                "到账的已出款累计与流水合计不符",
            )
    return derived


def _check_accounts(
    part: list[int],
    heads: dict[int, str],
    court_of: dict[int, str],
    accounts: dict[int, CaseAccount],
    derived: dict[int, dict[str, Decimal]],
    courts: dict[str, dict[str, Decimal]],
    differences: list[dict],
) -> None:
    """Each stored account against the derived totals; the case's totals go to its court's."""
    for pk in part:
        number, d = heads[pk], derived[pk]
        account = accounts.get(pk)
        balance = d["received"] - d["disbursed"] - d["lodged"] - d["refunded"]
        if account is not None:
            for k in FIELDS[:4]:
                if getattr(account, k) != d[k]:
                    _differ(
                        differences,
                        number,
                        "",
                        k,
                        d[k],
                        getattr(account, k),
                        f"案款账户{_LABELS[k]}与流水合计不符",
                    )
            balance = account.balance
        totals = courts.setdefault(court_of[pk], dict.fromkeys(FIELDS, ZERO))
        for k in FIELDS[:4]:
            totals[k] += d[k]
        totals["balance"] += balance


def _check_misfiled(part: list[int], differences: list[dict]) -> None:
    """Entries filed under another case than their receipt's."""
    for number, rid, field in (
        *Disbursement.objects.filter(case_id__in=part).exclude(case_id=F("receipt__case_id"))
        .values_list("case__case_number", "receipt__local_id", "local_id"),
        *Lodgement.objects.filter(case_id__in=part).exclude(case_id=F("receipt__case_id"))
        .values_list("case__case_number", "receipt__local_id", "on"),
    ):  # fmt: skip
        differences.append({"case_number": number, "receipt": rid, "field": "case", "expected": None, "actual": None,
                            "message": f"流水 {field} 记在了到账所属案件之外的案件"})  # fmt: skip


def _check_orders(part: list[int], differences: list[dict]) -> None:
    """Executed orders whose entry is missing or differs from them."""
    for o in PaymentOrder.objects.filter(case_id__in=part, status=OrderStatus.EXECUTED).select_related(
        "case", "receipt", "disbursement", "lodgement", "refund__disbursement"
    ):
        entry = o.disbursement or o.lodgement or (o.refund.disbursement if o.refund else None)
        if entry is None or entry.amount != o.amount or entry.receipt_id != o.receipt_id:
            _differ(differences, o.case.case_number, o.receipt.local_id, "order", o.amount,
                    entry.amount if entry else ZERO, f"出款审批单 {o.pk} 与其流水不符")  # fmt: skip


def _check_unidentified(part: list[int], differences: list[dict]) -> None:
    """Unidentified money assigned to a receipt of another amount."""
    for u in (
        UnidentifiedReceipt.objects.filter(receipt__case_id__in=part)
        .exclude(amount=F("receipt__amount"))
        .select_related("receipt__case")
    ):
        _differ(
            differences,
            u.receipt.case.case_number,
            u.receipt.local_id,
            "amount",
            u.amount,
            u.receipt.amount,
            f"不明款 {u.pk} 认领金额不符",
        )


def _report(
    cases: int, courts: dict[str, dict[str, Decimal]], names: dict[str, str], differences: list[dict]
) -> dict:
    """The per-court rows and the grand total, each with its difference."""
    rows = []
    for code in sorted(courts):
        t = courts[code]
        diff = t["received"] - t["disbursed"] - t["lodged"] - t["refunded"] - t["balance"]
        rows.append(
            {
                "court": code,
                "name": names.get(code, code),
                **{k: money(t[k]) for k in FIELDS},
                "difference": money(diff),
            }
        )
    total = {k: sum((courts[c][k] for c in courts), ZERO) for k in FIELDS}
    total_diff = (
        total["received"] - total["disbursed"] - total["lodged"] - total["refunded"] - total["balance"]
    )
    return {
        "cases": cases,
        "courts": rows,
        "total": {**{k: money(v) for k, v in total.items()}, "difference": money(total_diff)},
        "differences": differences,
    }
