"""Legal periods (rules.md §6 PER-1…PER-6; indicators.md §1 "Dates, periods and the as-of date").

A period of N days or months starts the day after its trigger (PER-1) and ends on the
corresponding day (PER-4). Only the last day of a *deadline for an act* is rolled forward to a
working day (PER-3); durations and look-backs use :func:`add_days` / :func:`add_months` as
they are. A date computed through a year without an official holiday schedule is
provisional (:func:`is_provisional`).
"""

from __future__ import annotations

import calendar as _gregorian
from datetime import date, timedelta

from zhixing.lib.workdays import calendar


def add_days(d: date, n: int) -> date:
    """PER-1 (indicators.md §1): the day n days after ``d`` — the trigger day is not counted,
    so a 30-day period from 2023-04-06 ends on 2023-05-06. Negative n counts back."""
    return d + timedelta(days=n)


def add_months(d: date, n: int) -> date:
    """PER-4 (indicators.md §1): the same day-of-month n months after ``d`` (n may be
    negative), or the last day of that month if it has no such day:
    2023-08-31 + 6 months → 2024-02-29."""
    months = d.year * 12 + (d.month - 1) + n
    year, month = divmod(months, 12)
    month += 1
    return date(year, month, min(d.day, _gregorian.monthrange(year, month)[1]))


def add_years(d: date, n: int) -> date:
    """PER-4 (indicators.md §1): the same day n years later; 02-29 goes to 02-28 in a
    common year (there is no corresponding day, so the last day of the month)."""
    return add_months(d, 12 * n)


def roll_forward(d: date) -> date:
    """PER-3 (indicators.md §1 "Roll forward"): ``d`` itself if it is a working day, else
    the next working day (weekends and statutory holidays off, 调休 make-up days worked)."""
    return calendar().roll_forward(d)


def days_deadline(trigger: date, n: int) -> date:
    """PER-1 + PER-3 (indicators.md §1): the last day of an act due "within n days" of
    ``trigger`` — trigger + n days, rolled forward to a working day."""
    return roll_forward(add_days(trigger, n))


def months_deadline(trigger: date, n: int) -> date:
    """PER-4 + PER-3 (indicators.md §1): the last day of an act due "within n months" of
    ``trigger`` — trigger + n months (month-end clamp), rolled forward to a working day."""
    return roll_forward(add_months(trigger, n))


def working_days_deadline(trigger: date, n: int) -> date:
    """PER-5 (indicators.md §1 "Working-day periods"): the n-th official working day after
    ``trigger`` (n ≥ 1; the trigger day is never counted, make-up weekend days are)."""
    return calendar().add_working_days(trigger, n)


def is_provisional(start: date, end: date) -> bool:
    """indicators.md §1 "Beyond the published calendar": a date computed from ``start`` to
    ``end`` is provisional when any year between them (inclusive) has no official State
    Council schedule loaded, because its 调休 swaps are not known (indicators.md §1)."""
    lo, hi = start.year, end.year
    if lo > hi:
        lo, hi = hi, lo
    return calendar().any_unofficial(lo, hi)


def exceeds(d: date, limit: date) -> bool:
    """PER-6: "超过/不满/以外" exclude the boundary — ``d`` is strictly after ``limit``
    (终本 "已超过三个月": closed_on > filed_on + 3 months)."""
    return d > limit


def within(d: date, limit: date) -> bool:
    """PER-6: "以内/届满/以上/以下" include the boundary — ``d`` is on or before ``limit``
    (an act done on its last day is on time)."""
    return d <= limit
