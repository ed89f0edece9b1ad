"""选择性执行: detectors of property found and not controlled (S1, S2)."""

from __future__ import annotations

from collections.abc import Iterator

from zhixing.cases.choices import DEADLINE_TYPES
from zhixing.supervision.detectors.base import (
    BALANCE_CATEGORIES,
    DISPOSALS,
    CaseView,
    DetectorConfig,
    Hit,
    _days_deadline,
)

_RESTRAIN_OR_DISPOSE = frozenset({"restraint"}) | DISPOSALS | {"auction"}
_FREEZE_OR_DEDUCT = frozenset({"restraint", "deduction"})


def selective_not_restrained(v: CaseView, cfg: DetectorConfig) -> Iterator[Hit]:
    """S1 选择性执行 — property found but not restrained within the period (seed 001:
    选择性执行, "对群众提供的财产线索应查尽查"; 2006 期限规定 第四条: control measures at
    once when property may be moved; PROP-8/DL-6 for clues).

    Looks at open 首执/执恢 cases with an unpaid claim, at every asset other than a bank
    or internet-fund balance (those are S2's) found by an ``online_inquiry`` or by a
    ``clue_verified`` that records results (``found``). Its period ends ``restraint_days``
    after the day it was first found, rolled forward (PER-1, PER-3: a deadline for an
    act). Fires when that day is on or before as-of and the asset was neither
    restrained, nor disposed of (deducted, auctioned, sold, taken in kind), nor recorded
    as not disposable (TERM-5) on or before it. Lawful lookalikes: restrained on the
    last day; found less than the period ago; the claim paid. Rests on: the asset, its
    category and value, and the day it was found."""
    c = v.case
    if c.case_type not in DEADLINE_TYPES or not v.is_open:
        return
    unpaid = v.unpaid_on(v.as_of)
    if unpaid is None or unpaid <= 0:
        return
    for asset, (found_on, category, value) in v.found_assets().items():
        if category in BALANCE_CATEGORIES or value <= 0:
            continue
        due = _days_deadline(found_on, cfg.restraint_days)
        if due <= v.as_of and not v.handled(asset, due, _RESTRAIN_OR_DISPOSE):
            yield Hit("selective_not_restrained", c.case_number, c.court,
                      {"asset": asset, "category": category, "value": value, "found_on": found_on},
                      f"{found_on.isoformat()} 查得财产 {asset}（{category}，{value:.2f} 元），"
                      f"至 {due.isoformat()} 未采取查封、扣押、冻结或处置措施。", key=asset)  # fmt: skip


def selective_deposit_not_frozen(v: CaseView, cfg: DetectorConfig) -> Iterator[Hit]:
    """S2 选择性执行 — a found deposit not frozen (QRY-1: online freezing has the same
    effect as at the counter, so it is one step away; 2006 期限规定 第四条 "立即采取控制性
    执行措施").

    Looks at open 首执/执恢 cases with an unpaid claim, at every 存款 or 网络资金 balance
    found by an inquiry (or a verified clue with results). Its period ends
    ``freeze_days`` after the day found, rolled forward (PER-1, PER-3). Fires when that
    day is on or before as-of and the balance was neither restrained (冻结) nor deducted
    on or before it. Lawful lookalike: a balance under 1,000 yuan that is at most 5 % of
    the unpaid claim (the T13 practice threshold, indicators.md §7) is not worth a
    freeze. Rests on: the asset, its value and the day found."""
    c = v.case
    if c.case_type not in DEADLINE_TYPES or not v.is_open:
        return
    unpaid = v.unpaid_on(v.as_of)
    if unpaid is None or unpaid <= 0:
        return
    for asset, (found_on, category, value) in v.found_assets().items():
        if category not in BALANCE_CATEGORIES or value <= 0:
            continue
        if value < cfg.small_balance and value <= unpaid * cfg.small_share:
            continue
        due = _days_deadline(found_on, cfg.freeze_days)
        if due <= v.as_of and not v.handled(asset, due, _FREEZE_OR_DEDUCT):
            yield Hit("selective_deposit_not_frozen", c.case_number, c.court,
                      {"asset": asset, "category": category, "value": value, "found_on": found_on},
                      f"{found_on.isoformat()} 查得{category} {asset}（{value:.2f} 元），至 {due.isoformat()} 未冻结或扣划。",
                      key=asset)  # fmt: skip
