"""Case-fund clocks (indicators.md §9, FUND-1…3) and the K6 obligation (§3).

Pure functions of ``(case, as_of)``. ``as_of`` is the end of that day: receipts,
disbursements, deferrals (by ``approved_on``) and lodgements dated after it have not
happened yet (indicators.md §1); ``as_of=None`` sees everything. A deferral's ``ends_on``
is part of the deferral record, so it is known as soon as the deferral is approved.
Periods come from the catalog (``flow/keynodes.yaml``: K6 and ``deferral_resume``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from zhixing.cases.records import CaseRecord, Deferral, Receipt
from zhixing.flow.obligations import Obligation, status_at
from zhixing.flow.rules import key_node, period
from zhixing.lib import periods

#: Clock statuses (spec/cli.md ``check funds --json``), in the order §9 tries them.
LODGED, ON_TIME, LATE, DEFERRED, OVERDUE, PENDING = (
    "lodged",
    "on_time",
    "late",
    "deferred",
    "overdue",
    "pending",
)

CENT = Decimal("0.01")


def _money(amount: Decimal) -> str:
    return str(amount.quantize(CENT))


def _iso(d: date | None) -> str | None:
    return None if d is None else d.isoformat()


@dataclass(frozen=True, slots=True)
class ReceiptClock:
    """One receipt's 30-day clock at as-of (indicators.md §9)."""

    case_number: str
    receipt: str
    notice_on: date
    amount: Decimal
    due_on: date | None  # the (possibly deferred) last day; None while an open-ended deferral runs
    disbursed: Decimal  # sum of the disbursements on or before as-of
    disbursed_on: date | None  # the day it became fully paid (on or before as-of)
    status: str
    lodged_on: date | None = None  # the first lodgement on or before as-of, on time or not
    provisional: bool = False

    def to_json(self) -> dict[str, Any]:
        """The shape of spec/cli.md ``check funds --json`` (plus ``lodged_on`` and
        ``provisional``): amounts as strings with 2 decimals, dates ISO."""
        return {
            "case_number": self.case_number,
            "receipt": self.receipt,
            "notice_on": _iso(self.notice_on),
            "amount": _money(self.amount),
            "due_on": _iso(self.due_on),
            "disbursed": _money(self.disbursed),
            "disbursed_on": _iso(self.disbursed_on),
            "status": self.status,
            "lodged_on": _iso(self.lodged_on),
            "provisional": self.provisional,
        }


def _due(receipt: Receipt, deferrals: list[Deferral]) -> tuple[date | None, Deferral | None, list[date]]:
    """FUND-1/FUND-2 (indicators.md §9): the due day in force after the counted deferrals,
    the last counted deferral, and every due day computed on the way (for
    ``provisional``).

    Due day = notice_on + 30 days, rolled (FUND-1). Deferrals in ``approved_on`` order;
    one counts only when approved on or before the due day in force (a deferral approved
    while an open-ended one runs — no due day — counts). A counted deferral stops the
    clock: the due day becomes ``ends_on`` + 10 days, rolled (FUND-2), or none while it
    has no ``ends_on``."""
    due: date | None = key_node("K6").period.last_day(receipt.notice_on)
    computed = [due]
    resume = period("deferral_resume").period
    last: Deferral | None = None
    for deferral in sorted(deferrals, key=lambda d: d.approved_on):
        if due is not None and deferral.approved_on > due:
            continue  # approved too late: a breach, reported by the clock; it stops nothing
        last = deferral
        due = None if deferral.ends_on is None else resume.last_day(deferral.ends_on)
        if due is not None:
            computed.append(due)
    return due, last, computed


def _clock(case: CaseRecord, receipt: Receipt, horizon: date) -> ReceiptClock:
    deferrals = [d for d in case.deferrals if d.receipt == receipt.id and d.approved_on <= horizon]
    due, last_deferral, computed = _due(receipt, deferrals)

    disbursed = Decimal("0.00")
    disbursed_on: date | None = None
    for d in sorted(
        (d for d in case.disbursements if d.receipt == receipt.id and d.on <= horizon), key=lambda d: d.on
    ):
        disbursed += d.amount
        if disbursed_on is None and disbursed >= receipt.amount:
            disbursed_on = d.on
    lodged_on = min(
        (g.on for g in case.lodgements if g.receipt == receipt.id and g.on <= horizon), default=None
    )

    # The last counted deferral is the one in force; it runs through its ends_on.
    running = last_deferral is not None and (
        last_deferral.ends_on is None or horizon <= last_deferral.ends_on
    )
    if lodged_on is not None and (due is None or lodged_on <= due):
        status = LODGED  # FUND-3; a lodgement after the due day discharges nothing
    elif disbursed_on is not None:
        status = ON_TIME if due is None or disbursed_on <= due else LATE
    elif running:
        status = DEFERRED
    elif due is not None and due <= horizon:
        status = OVERDUE
    else:
        status = PENDING
    return ReceiptClock(
        case_number=case.case_number,
        receipt=receipt.id,
        notice_on=receipt.notice_on,
        amount=receipt.amount,
        due_on=due,
        disbursed=disbursed,
        disbursed_on=disbursed_on,
        status=status,
        lodged_on=lodged_on,
        provisional=periods.is_provisional(receipt.notice_on, max(computed)),
    )


def receipt_clocks(case: CaseRecord, as_of: date | None) -> list[ReceiptClock]:
    """indicators.md §9, FUND-1/2/3: the clock of every receipt noticed on or before
    as-of, in bundle order. Status, first that applies: ``lodged`` (lodged on or before
    the due day), ``on_time`` (fully disbursed on or before it), ``late`` (fully
    disbursed after it), ``deferred`` (a counted deferral is running at as-of),
    ``overdue`` (due day on or before as-of), ``pending``."""
    horizon = date.max if as_of is None else as_of
    return [_clock(case, r, horizon) for r in case.receipts if r.notice_on <= horizon]


def k6_obligations(case: CaseRecord, as_of: date | None) -> list[Obligation]:
    """indicators.md §3 K6, FUND-1: each receipt must be fully disbursed, or lodged,
    by its (possibly deferred, §9) last day. ``done_on`` is the day it became fully paid, or
    the lodgement day when the receipt was lodged on or before the due day (whichever
    came first); consistent with :func:`receipt_clocks`. ``ref`` is the receipt id."""
    spec = key_node("K6")
    horizon = date.max if as_of is None else as_of
    out: list[Obligation] = []
    for clock in receipt_clocks(case, as_of):
        done_on = clock.disbursed_on
        if clock.status == LODGED:  # discharged by the lodgement, or by full payment before it
            done_on = min(d for d in (clock.lodged_on, clock.disbursed_on) if d is not None)
        out.append(
            Obligation(
                key_node=spec.id,
                node=spec.node,
                ref=clock.receipt,
                trigger_on=clock.notice_on,
                due_on=clock.due_on,
                done_on=done_on,
                status=status_at(clock.due_on, done_on, horizon),
                provisional=clock.provisional,
                rule=spec.rule,
            )
        )
    return out


# -- 执行到位: what money moves a case's recovered amount ----------------------------------

#: The 款项性质 (``funds.models.ReceiptKind``) that is money realised for the applicant.
RECOVERY_KINDS = frozenset({"execution"})


def recovery_of_receipt(kind: str, amount: Decimal) -> Decimal:
    """How much a receipt identified to the case adds to its 执行到位 (``recovered_amount``,
    indicators.md §5 IND-05 and IND-16; rules.md KPI-8 实际到位金额), counted on the day it
    is recorded.

    - 执行款 counts in full, whoever paid it: the debtor, a third party paying for the debtor,
      or a deduction (扣划) from the debtor's accounts, which lands in the case account
      (FUND-4 一案一账号) and so arrives as a receipt — the ``deduction`` node itself adds
      nothing, or the money would count twice;
    - 司法救助金 counts nothing: relief is not payment by the debtor (AID-7);
    - 案件受理费、执行费 count nothing: they are the court's, not the applicant's claim;
    - money of another case, or not yet identified to any (不明款, FUND-6), counts only
      when it becomes a receipt of this case.

    Never more than arrived: the receipt's own amount. Paying the money out (发放, 提存,
    FUND-1/FUND-3) moves money already counted and adds nothing."""
    if amount <= 0:
        raise ValueError("到账金额应大于零")
    return amount if kind in RECOVERY_KINDS else Decimal("0.00")


def recovery_after_refund(recovered: Decimal, kind: str, amount: Decimal) -> Decimal:
    """执行到位 after ``amount`` of a receipt of ``kind`` is refunded (退款) to its payer: a
    refund reverses that much of a counted receipt (KPI-8: only money the applicant keeps is
    realised); a refund of money that never counted (AID-7, fees) changes nothing. Never
    below zero — an imported case's bundle value may not include the receipt refunded."""
    if amount <= 0:
        raise ValueError("退款金额应大于零")
    if kind not in RECOVERY_KINDS:
        return recovered
    return max(Decimal("0.00"), recovered - amount)


def recovery_of_direct_payment(amount: Decimal) -> Decimal:
    """A payment by the debtor straight to the applicant (直接交付, FUND-7), recorded in the
    case, counts in full toward 执行到位 (KPI-8): it is money realised from the debtor that
    never passes through the case account."""
    if amount <= 0:
        raise ValueError("直接交付金额应大于零")
    return amount
