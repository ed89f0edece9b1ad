"""乱执行: detectors of restraints beyond the claim or kept after performance (A1, A2)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from zhixing.cases.choices import ClosingMode
from zhixing.supervision.detectors.base import (
    ZERO,
    CaseView,
    DetectorConfig,
    Hit,
    _days_deadline,
)


def _performed_on(v: CaseView) -> tuple[bool, date | None]:
    """Whether the case is fully performed at as-of, and the day it was (None: unknown).
    Performed = the money recovered by as-of reaches the claim (that day: the first
    receipt day from which it does, else the last deduction), or the case was closed
    执行完毕, which includes a performed settlement (CLOSE-7)."""
    c = v.case
    days: list[date] = []
    paid_up = bool(c.claim_amount) and v.recovered_by(v.as_of) >= c.claim_amount
    if paid_up:
        receipt_days = sorted({r.notice_on for r in c.receipts if r.notice_on <= v.as_of})
        day = next((d for d in receipt_days if v.recovered_by(d) >= c.claim_amount), None)
        if day is None and v.deductions:
            day = v.deductions[-1]
        if day is not None:
            days.append(day)
    closed = v.closed_as(ClosingMode.PERFORMED)
    if closed:
        days.append(c.closed_on)
    if not (paid_up or closed):
        return False, None
    return True, (min(days) if days else None)


def abusive_over_seizure(v: CaseView, cfg: DetectorConfig) -> Iterator[Hit]:
    """A1 乱执行 — 超标的查封: restraints whose recorded value exceeds the unpaid claim by
    more than the margin (seed 001: "杜绝超标的查封、冻结", 查封扣押冻结规定 "以其价额足以
    清偿…为限" [M]; CREDIT-3/C6 compare the same two amounts).

    Looks at every case with a claim, on each day up to as-of on which a restraint was
    placed or money arrived (the only days the comparison can turn): the restraints in
    force that day (placed, not released, not past ``expires_on`` after renewals, DL-20)
    are worth more than unpaid × (1 + ``over_seizure_margin``), while the case is not yet
    performed. Fires on the first such day — an over-seizure later lifted is still one.
    Lawful lookalikes: restraints worth up to the margin above the debt; a restraint
    that expired or was released before the next one was placed. Rests on: that day, the
    restraints in force and the unpaid claim then."""
    c = v.case
    if c.claim_amount is None or c.claim_amount <= 0:
        return
    if not v.has_restraint:
        return
    restraints = v.restraints()
    performed, performed_on = _performed_on(v)
    days = sorted({r.on for r in restraints} | {r.notice_on for r in c.receipts if r.notice_on <= v.as_of})
    factor = 1 + cfg.over_seizure_margin
    for day in days:
        if performed and (performed_on is None or day >= performed_on):
            break  # after full performance every restraint is A2's matter
        unpaid = v.unpaid_on(day)
        if unpaid is None or unpaid <= 0:
            continue
        held = [(r.asset, r.value_on(day)) for r in restraints if r.in_force(day)]
        total = sum((value for _, value in held), ZERO)
        if total > unpaid * factor:
            yield Hit("abusive_over_seizure", c.case_number, c.court,
                      {"on": day, "restraints": sorted([a, value] for a, value in held), "unpaid": unpaid},
                      f"{day.isoformat()} 在控财产价值合计 {total:.2f} 元，超过未履行金额 {unpaid:.2f} 元的 "
                      f"{factor:.2f} 倍（超标的查封）。")  # fmt: skip
            return


def abusive_kept_after_performance(v: CaseView, cfg: DetectorConfig) -> Iterator[Hit]:
    """A2 乱执行 — a restraint kept after full performance (seed 001: 乱执行; PROP-7 and
    TERM-15: measures end once the obligation is performed; DL-20 restraints are held
    only for the claim).

    Looks at every case fully performed by as-of (money recovered reaches the claim, or
    closed 执行完毕). The release is due ``release_days`` after the performance day,
    rolled forward (PER-1, PER-3). Fires when that day is on or before as-of and a
    restraint is still in force at as-of (or when the performance day is unknown and one
    is in force). Lawful lookalikes: restraints released, or expired, in time; a 终本
    case keeps its restraints (TERM-14) and is not performed. Rests on: the performance
    day and the restraints still in force."""
    c = v.case
    performed, performed_on = _performed_on(v)
    if not performed or not v.has_restraint:
        return
    if performed_on is not None and _days_deadline(performed_on, cfg.release_days) > v.as_of:
        return
    held = [r for r in v.restraints() if r.in_force(v.as_of)]
    if held:
        names = "、".join(r.asset for r in held)
        when = performed_on.isoformat() if performed_on else "（日期不详）"
        yield Hit("abusive_kept_after_performance", c.case_number, c.court,
                  {"performed_on": performed_on, "restraints": sorted([r.asset, r.value_on(v.as_of)] for r in held)},
                  f"已于 {when} 履行完毕，截至 {v.as_of.isoformat()} 仍未解除对 {names} 的查封、扣押、冻结。")  # fmt: skip
