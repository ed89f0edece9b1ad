"""The indicator definitions evaluated literally, case by case, at an as-of date.

This is the obvious way to compute indicators.md §4–5: load every case, run the rules
as of the date, count. It is slow (every rule runs for every report) but has no stored
facts to go stale, so it is the oracle the SQL engines are tested against and the
baseline the benchmarks compare with.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from zhixing.cases.choices import CaseType, ClosingMode
from zhixing.cases.records import CaseRecord
from zhixing.flow import rules as flow_rules
from zhixing.funds import rules as fund_rules
from zhixing.metrics.engine import Window
from zhixing.metrics.facts import all_obligations
from zhixing.petitions import rules as petition_rules
from zhixing.termination.rules import check_termination


def _cents(amount) -> int:
    return int((amount or 0) * 100)


def case_sums(case: CaseRecord, w: Window) -> dict[str, int]:
    """The sums one case contributes to its own court (petitions aside)."""
    s: dict[str, int] = defaultdict(int)
    a = w.as_of
    if case.filed_on > a:
        return s
    closed_at = case.closed_on if case.closed_by(a) else None
    mode = case.closing_mode if closed_at else None
    actual = mode is not None and mode != ClosingMode.TERMINATED_CURRENT
    in_w = closed_at is not None and w.start <= closed_at <= w.end
    within = flow_rules.closed_within_deadline(case, a)
    if case.case_type == CaseType.FIRST:
        new = w.start <= case.filed_on <= w.end
        carried = case.filed_on < w.start and not (closed_at and closed_at < w.start)
        s["new"] += new
        s["carried"] += carried
        if in_w:
            s["closed"] += 1
            s["actual"] += actual
            s["performed"] += mode == ClosingMode.PERFORMED
            s["terminated"] += mode == ClosingMode.TERMINATED_CURRENT
            s["closed_within"] += within
            s["recovered_closed"] += _cents(case.recovered_amount)
            s["claim_closed"] += _cents(case.claim_amount)
            s["days_closed"] += (case.closed_on - case.filed_on).days
        if new or carried:
            s["overdue"] += sum(o.overdue_in(w.start, w.end, a) for o in all_obligations(case, a))
        if mode != ClosingMode.TERMINATED_CURRENT:  # has property at as-of (§4)
            deadline, _ = flow_rules.statutory_deadline(case, a)
            good = actual and within
            resolution = closed_at if good else deadline
            if resolution is not None and w.start <= resolution <= w.end and resolution <= a:
                s["property_cohort"] += 1
                s["property_actual"] += good
        if w.three_years_from <= case.filed_on <= w.end:
            s["three_year_filed"] += 1
            s["three_year_done"] += closed_at is not None and (
                mode == ClosingMode.TERMINATED_CURRENT or (actual and within)
            )
    if (
        case.case_type in (CaseType.FIRST, CaseType.RESUMED)
        and in_w
        and mode == ClosingMode.TERMINATED_CURRENT
    ):
        s["termination_closed"] += 1
        s["termination_ok"] += check_termination(case, a).verdict == "合格"
    if case.case_type == CaseType.RESUMED and in_w:
        s["closed_resumed"] += 1
        s["performed_resumed"] += mode == ClosingMode.PERFORMED
        s["recovered_closed_resumed"] += _cents(case.recovered_amount)
        s["claim_closed_resumed"] += _cents(case.claim_amount)
    for clock in fund_rules.receipt_clocks(case, a):
        if clock.status == fund_rules.LODGED or clock.due_on is None or clock.notice_on > a:
            continue
        good = clock.status == fund_rules.ON_TIME
        resolution = clock.disbursed_on if good else clock.due_on
        if w.start <= resolution <= w.end and resolution <= a:
            s["receipts"] += 1
            s["receipts_ok"] += good
    return s


def petition_sums(case: CaseRecord, w: Window) -> dict[str, dict[str, int]]:
    """IND-11/11a sums keyed by the handling court's code."""
    out: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    a = w.as_of
    by_id = {p.id: p for p in case.petitions}
    for clock in petition_rules.petition_clocks(case, a):
        if clock.received_on > a:
            continue
        good = (
            clock.closed_on is not None and clock.closed_on <= a and clock.closed_on <= clock.closing_due_on
        )
        resolution = clock.closed_on if good else clock.closing_due_on
        if not (w.start <= resolution <= w.end and resolution <= a):
            continue
        ok = good and bool(by_id[clock.petition].replied)
        referred = by_id[clock.petition].referred_by in ("最高人民法院", "高级人民法院")
        bucket = out[clock.handled_by]
        bucket["petitions"] += 1
        bucket["petitions_ok"] += ok
        bucket["referred_petitions"] += referred
        bucket["referred_petitions_ok"] += referred and ok
    return out


def reference_sums(
    cases: Iterable[CaseRecord], w: Window, courts: set[str] | None = None
) -> dict[str, dict[str, int]]:
    """Per court code, every sum of ``metrics.engine``'s catalog, computed case by case."""
    result: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for case in cases:
        if courts is not None and case.court not in courts:
            continue
        for key, value in case_sums(case, w).items():
            result[case.court][key] += int(value)
        for court, sums in petition_sums(case, w).items():
            if courts is not None and court not in courts:
                continue
            for key, value in sums.items():
                result[court][key] += int(value)
    for sums in result.values():
        sums["accepted"] = sums.get("new", 0) + sums.get("carried", 0)
    return {court: dict(s) for court, s in result.items()}
