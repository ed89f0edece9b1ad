"""压案不立: the court-level detector of filings held back at month and year end (F1)."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache

from zhixing.cases.choices import DEADLINE_TYPES
from zhixing.cases.records import CaseRecord
from zhixing.lib import periods
from zhixing.lib.workdays import calendar
from zhixing.supervision.detectors.base import (
    DEFAULT,
    DetectorConfig,
    Hit,
)


def _poisson_cdf(k: int, lam: float) -> float:
    """P(X ≤ k) for X ~ Poisson(lam), summed in log space (no SciPy)."""
    if lam <= 0:
        return 1.0
    term = math.exp(-lam)
    total = term
    for i in range(1, k + 1):
        term *= lam / i
        total += term
    return min(1.0, total)


def _month_end(year: int, month: int) -> date:
    return date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)


@lru_cache(maxsize=1024)
def _month_end_window(year: int, month: int, n: int) -> tuple[date, date]:
    """From the month's n-th last working day to its last calendar day."""
    cal = calendar()
    last = _month_end(year, month)
    day, seen, first = last, 0, last
    while seen < n and day.month == month:
        if cal.is_working_day(day):
            seen += 1
            first = day
        day -= timedelta(days=1)
    return first, last


#: Days before a break of at least this many days off (春节, 国庆) are quiet for lawful
#: reasons (applicants wait for after the holiday), and so many of them are set aside.
LONG_BREAK_DAYS, PRE_BREAK_DAYS = 7, 10


@lru_cache(maxsize=64)
def _quiet_days(year: int) -> frozenset[date]:
    """Days of ``year`` within ``PRE_BREAK_DAYS`` before a break of ``LONG_BREAK_DAYS``
    or more days off (a break starting early in the next year counts too)."""
    cal = calendar()
    quiet: set[date] = set()
    day, end, run = date(year, 1, 1), date(year + 1, 1, 31), 0
    while day <= end:
        if not cal.is_working_day(day):
            run += 1
        else:
            if run >= LONG_BREAK_DAYS:
                start = day - timedelta(days=run)
                quiet.update(start - timedelta(days=k) for k in range(1, PRE_BREAK_DAYS + 1))
            run = 0
        day += timedelta(days=1)
    return frozenset(d for d in quiet if d.year == year)


class _Days:
    """Cumulative filings and counted working days over a span of calendar days, with
    the quiet days before long breaks set aside (neither filings nor days counted)."""

    def __init__(self, daily: Mapping[date, int], start: date, end: date):
        cal = calendar()
        self.start = start
        filed, work = [0], [0]
        day = start
        while day <= end:
            quiet = day in _quiet_days(day.year)
            filed.append(filed[-1] + (0 if quiet else daily.get(day, 0)))
            work.append(work[-1] + (0 if quiet or not cal.is_working_day(day) else 1))
            day += timedelta(days=1)
        self.filed, self.work = filed, work

    def _index(self, day: date) -> int:
        return min(max((day - self.start).days, 0), len(self.filed) - 1)

    def between(self, first: date, last: date) -> tuple[int, int]:
        """(filings, working days) counted from ``first`` to ``last`` inclusive."""
        i, j = self._index(first), self._index(last + timedelta(days=1))
        return self.filed[j] - self.filed[i], self.work[j] - self.work[i]


def filing_suppression(
    court: str, daily: Mapping[date, int], as_of: date, cfg: DetectorConfig = DEFAULT
) -> list[Hit]:
    """F1 压案不立 — a court's daily filings dropping sharply at month or year end against
    its own history (seed 003: "suppressed filings" are faked data; DL-1: a case is to be
    filed within 7 days of the application, whatever the month).

    ``daily`` maps a filing day to the number of 首执 cases the court filed that day. For
    each month that ended on or before as-of, within the last
    ``suppression_lookback_months``: the window is the month's last
    ``month_end_working_days`` working days (December: ``year_end_working_days``); the
    court's own rate is its filings per working day over the
    ``suppression_baseline_months`` months ending with that month, the month-end windows
    left out. Fires when the window's filings are below (1 − ``suppression_drop``) of
    what that rate predicts, the prediction is at least ``suppression_min_expected``
    cases, and a Poisson count that low has probability under ``suppression_alpha`` (a
    low alpha: every court is tested every month). Lawful lookalikes: filings are counted
    per working day, so a holiday at a month end does not fire; the 10 days before a
    break of 7 days or more (春节, 国庆) are set aside, since applicants wait for after
    the holiday. Rests on: the month, the window, the filings in it and the expected
    number."""
    hits: list[Hit] = []
    last_full = (
        as_of
        if as_of == _month_end(as_of.year, as_of.month)
        else date(as_of.year, as_of.month, 1) - timedelta(days=1)
    )
    first_month = periods.add_months(
        date(last_full.year, last_full.month, 1), -(cfg.suppression_lookback_months - 1)
    )
    span = _Days(daily, periods.add_months(first_month, -(cfg.suppression_baseline_months - 1)), last_full)

    def window(year: int, month: int) -> tuple[date, date]:
        return _month_end_window(
            year, month, cfg.year_end_working_days if month == 12 else cfg.month_end_working_days
        )

    for back in range(cfg.suppression_lookback_months):
        first_day = periods.add_months(date(last_full.year, last_full.month, 1), -back)
        year, month = first_day.year, first_day.month
        w_start, w_end = window(year, month)
        base_filed, base_days = 0, 0
        for m in range(cfg.suppression_baseline_months):
            prev = periods.add_months(first_day, -m)
            p_start, _ = window(prev.year, prev.month)
            f, n = span.between(prev, p_start - timedelta(days=1))
            base_filed, base_days = base_filed + f, base_days + n
        filed, w_days = span.between(w_start, w_end)
        if base_days == 0 or w_days == 0:
            continue
        expected = base_filed / base_days * w_days
        if expected < cfg.suppression_min_expected or filed >= expected * (1 - cfg.suppression_drop):
            continue
        if _poisson_cdf(filed, expected) >= cfg.suppression_alpha:
            continue
        label = "年末" if month == 12 else "月末"
        hits.append(
            Hit("filing_suppression", court, court,
                {"month": f"{year:04d}-{month:02d}", "window": [w_start, w_end], "filed": filed,
                 "expected": Decimal(str(round(expected, 2)))},
                f"{year} 年 {month} 月{label}（{w_start.isoformat()} 至 {w_end.isoformat()}，计 {w_days} 个工作日）立案 {filed} 件，"
                f"按本院近 {cfg.suppression_baseline_months} 个月的日均立案应约 {expected:.1f} 件，降幅 "
                f"{(1 - filed / expected) * 100:.0f}%。", key=f"{year:04d}-{month:02d}")
        )  # fmt: skip
    return hits


def daily_filings(cases: Iterable[CaseRecord], as_of: date) -> dict[str, Counter]:
    """court → filing day → 首执 filings (the cases a court could hold back), up to as-of."""
    out: dict[str, Counter] = defaultdict(Counter)
    for c in cases:
        if c.filed_on <= as_of and c.case_type in DEADLINE_TYPES:
            out[c.court][c.filed_on] += 1
    return out
