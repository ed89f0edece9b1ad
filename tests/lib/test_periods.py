"""Legal periods (rules.md §6 PER-1…PER-6; indicators.md §1).

Expected dates were checked against the State Council schedules (chinese_calendar for
2023–2026): 劳动节 2023 is 04-29…05-03 with make-up days 04-23 (Sun) and 05-06 (Sat);
国庆 2023 is 09-29…10-06 with 10-07/10-08 worked; 春节 2024 is 02-10…17 with 02-04 and 02-18
(Sundays) worked; 国庆 2024 is 10-01…07 with 09-29 (Sun) and 10-12 (Sat) worked.
"""

import calendar as gregorian
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhixing.lib import periods
from zhixing.lib.periods import (
    add_days,
    add_months,
    add_years,
    days_deadline,
    exceeds,
    is_provisional,
    months_deadline,
    roll_forward,
    within,
    working_days_deadline,
)
from zhixing.lib.workdays import calendar, register_schedule, reset_calendar

D = date


@pytest.fixture
def fresh():
    reset_calendar()
    yield
    reset_calendar()


# --- PER-1: days -------------------------------------------------------------------------------


def test_days_start_the_day_after_the_trigger():
    assert add_days(D(2023, 4, 6), 30) == D(2023, 5, 6)
    assert add_days(D(2023, 9, 14), 30) == D(2023, 10, 14)
    assert add_days(D(2024, 2, 28), 1) == D(2024, 2, 29)
    assert add_days(D(2024, 3, 1), -1) == D(2024, 2, 29)


@pytest.mark.parametrize(
    ("trigger", "n", "deadline"),
    [
        # 30 days end on the make-up Saturday 2023-05-06: a working day, so no roll.
        (D(2023, 4, 6), 30, D(2023, 5, 6)),
        # 2023-10-14 is an ordinary Saturday (only 10-07/10-08 were worked): → Monday (example E, r1).
        (D(2023, 9, 14), 30, D(2023, 10, 16)),
        # Ends inside 国庆 2023 (09-29…10-06) → 10-07, the make-up Saturday.
        (D(2023, 9, 1), 30, D(2023, 10, 7)),
        # Ends on 2024-02-10, first day of 春节 → 02-18, the make-up Sunday.
        (D(2024, 1, 11), 30, D(2024, 2, 18)),
        # Ends on 2024-02-17, last day of 春节 → 02-18 as well.
        (D(2024, 1, 18), 30, D(2024, 2, 18)),
        # Ends on 2024-10-01 → 10-08, the first working day after 国庆.
        (D(2024, 9, 1), 30, D(2024, 10, 8)),
        # 7 days ending on the make-up Sunday 2024-09-29: no roll.
        (D(2024, 9, 22), 7, D(2024, 9, 29)),
        # An ordinary weekday: no roll.
        (D(2024, 3, 1), 10, D(2024, 3, 11)),
    ],
)
def test_days_deadline(trigger, n, deadline):
    assert days_deadline(trigger, n) == deadline
    assert not is_provisional(trigger, deadline)


# --- PER-4: months and years --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "n", "end"),
    [
        (D(2023, 8, 31), 6, D(2024, 2, 29)),  # no 31st: last day of the month (leap year)
        (D(2022, 8, 31), 6, D(2023, 2, 28)),
        (D(2024, 2, 29), 12, D(2025, 2, 28)),
        (D(2024, 2, 29), 48, D(2028, 2, 29)),
        (D(2023, 1, 31), 1, D(2023, 2, 28)),
        (D(2023, 3, 31), 1, D(2023, 4, 30)),
        (D(2023, 6, 30), 3, D(2023, 9, 30)),
        (D(2023, 11, 15), 2, D(2024, 1, 15)),  # across the year end
        (D(2023, 12, 31), 2, D(2024, 2, 29)),
        (D(2024, 3, 31), -1, D(2024, 2, 29)),  # negative n: look-backs
        (D(2024, 1, 15), -1, D(2023, 12, 15)),
        (D(2024, 5, 31), -3, D(2024, 2, 29)),
        (D(2024, 2, 29), -12, D(2023, 2, 28)),
        (D(2024, 2, 29), 0, D(2024, 2, 29)),
    ],
)
def test_add_months(start, n, end):
    assert add_months(start, n) == end


def test_add_years():
    assert add_years(D(2024, 2, 29), 1) == D(2025, 2, 28)
    assert add_years(D(2024, 2, 29), 4) == D(2028, 2, 29)
    assert add_years(D(2023, 3, 1), 2) == D(2025, 3, 1)
    assert add_years(D(2025, 2, 28), -1) == D(2024, 2, 28)
    assert add_years(D(2024, 2, 29), -4) == D(2020, 2, 29)


@pytest.mark.parametrize(
    ("trigger", "n", "deadline"),
    [
        (D(2023, 8, 31), 6, D(2024, 2, 29)),  # a Thursday, a working day
        (D(2023, 7, 7), 3, D(2023, 10, 7)),  # the make-up Saturday: no roll
        (D(2023, 7, 1), 3, D(2023, 10, 7)),  # 2023-10-01 in 国庆 → 10-07
        (D(2024, 4, 1), 6, D(2024, 10, 8)),  # 2024-10-01 → after 国庆
        (D(2023, 8, 14), 6, D(2024, 2, 18)),  # 2024-02-14 in 春节 → the make-up Sunday
        (D(2023, 3, 4), 6, D(2023, 9, 4)),  # a Monday: no roll
    ],
)
def test_months_deadline(trigger, n, deadline):
    assert months_deadline(trigger, n) == deadline


def test_roll_forward_uses_the_official_calendar():
    assert roll_forward(D(2023, 5, 6)) == D(2023, 5, 6)
    assert roll_forward(D(2023, 10, 14)) == D(2023, 10, 16)
    assert roll_forward(D(2024, 2, 12)) == D(2024, 2, 18)
    assert roll_forward(D(2024, 10, 5)) == D(2024, 10, 8)


# --- PER-5: working days ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("trigger", "n", "deadline"),
    [
        # The last working day before 国庆 2024: the 3rd working day after is 10-10.
        (D(2024, 9, 30), 3, D(2024, 10, 10)),
        # Friday before it: Sunday 09-29 (make-up) counts, then 09-30, then 10-08.
        (D(2024, 9, 27), 3, D(2024, 10, 8)),
        # 除夕 2024 (a working day) before 春节: 02-18 (Sun, make-up), 02-19, 02-20.
        (D(2024, 2, 9), 3, D(2024, 2, 20)),
        # Across 劳动节 2023 onto the make-up Saturday 05-06.
        (D(2023, 4, 28), 3, D(2023, 5, 6)),
        # Trigger on a holiday: counting starts with the first working day after it.
        (D(2024, 10, 3), 3, D(2024, 10, 10)),
        # An ordinary week: Friday → Wednesday.
        (D(2024, 3, 8), 3, D(2024, 3, 13)),
        # Trigger on a make-up Saturday is itself not counted.
        (D(2024, 10, 12), 1, D(2024, 10, 14)),
    ],
)
def test_working_days_deadline(trigger, n, deadline):
    assert working_days_deadline(trigger, n) == deadline


# --- provisional dates beyond the published calendar ---------------------------------------------


def test_dates_inside_official_years_are_not_provisional():
    assert not is_provisional(D(2004, 1, 1), D(2026, 12, 31))
    assert not is_provisional(D(2026, 12, 31), D(2026, 12, 31))


def test_dates_in_2027_follow_the_fixed_holidays_and_are_provisional():
    assert add_days(D(2026, 12, 2), 30) == D(2027, 1, 1)
    # 2027-01-01 is a Friday; without the 2027 schedule 元旦 is off by date, no 调休 known.
    assert days_deadline(D(2026, 12, 2), 30) == D(2027, 1, 4)
    assert is_provisional(D(2026, 12, 2), D(2027, 1, 1))
    # 2026-12-31 is a Thursday (a working day, rolls to itself); two days later is a Saturday
    # in 2027, which rolls to Monday 2027-01-04 — computed through 2027, so provisional.
    assert roll_forward(D(2026, 12, 31)) == D(2026, 12, 31)
    assert days_deadline(D(2026, 12, 31), 2) == D(2027, 1, 4)
    assert is_provisional(D(2026, 12, 31), D(2027, 1, 4))
    assert working_days_deadline(D(2026, 12, 30), 3) == D(2027, 1, 5)  # 12-31, 01-04, 01-05
    assert months_deadline(D(2026, 11, 30), 6) == D(2027, 5, 31)  # 05-30 is a Sunday
    assert is_provisional(D(2027, 3, 1), D(2027, 3, 1))
    assert is_provisional(D(2027, 1, 4), D(2026, 12, 31))  # order does not matter


def test_a_period_spanning_an_unofficial_year_is_provisional():
    assert is_provisional(D(2026, 6, 1), D(2028, 1, 1))  # 2027 in between
    assert is_provisional(D(2003, 12, 1), D(2004, 1, 5))  # before the library's data


def test_registering_2027_makes_its_dates_official(fresh):
    # A test fixture, NOT the real 2027 schedule: 元旦 2027-01-01…03 off.
    register_schedule(2027, [D(2027, 1, 1), D(2027, 1, 2), D(2027, 1, 3)], [], "测试用")
    assert days_deadline(D(2026, 12, 2), 30) == D(2027, 1, 4)
    assert not is_provisional(D(2026, 12, 2), D(2027, 1, 4))
    assert is_provisional(D(2027, 12, 1), D(2028, 1, 3))
    reset_calendar()
    assert days_deadline(D(2026, 12, 2), 30) == D(2027, 1, 4)  # 元旦 by date, provisional again
    assert is_provisional(D(2026, 12, 2), D(2027, 1, 4))


# --- PER-6: 超过 / 以内 --------------------------------------------------------------------------


def test_exceeds_excludes_the_boundary():
    # TERM-6: filed 2023-06-30, "已超过三个月" only from 2023-10-01.
    limit = add_months(D(2023, 6, 30), 3)
    assert limit == D(2023, 9, 30)
    assert not exceeds(D(2023, 9, 30), limit)
    assert exceeds(D(2023, 10, 1), limit)
    assert not exceeds(D(2023, 9, 29), limit)


def test_within_includes_the_boundary():
    due = days_deadline(D(2023, 9, 14), 30)  # 2023-10-16
    assert within(D(2023, 10, 16), due)
    assert within(D(2023, 9, 14), due)
    assert not within(D(2023, 10, 17), due)


# --- properties -------------------------------------------------------------------------------------

# Up to 2099, so that adding up to 400 days stays inside the calendar (…2100-12-31).
any_day = st.dates(min_value=D(1990, 1, 1), max_value=D(2099, 12, 31))


@given(any_day, st.integers(min_value=-240, max_value=120))
def test_add_months_never_overflows_the_month(d, n):
    r = add_months(d, n)
    assert (r.year * 12 + r.month) - (d.year * 12 + d.month) == n
    last = gregorian.monthrange(r.year, r.month)[1]
    assert r.day == min(d.day, last)


@given(any_day, st.integers(min_value=-120, max_value=120))
def test_add_months_round_trips_when_the_day_exists(d, n):
    if d.day <= 28:
        assert add_months(add_months(d, n), -n) == d


@given(any_day, st.integers(min_value=0, max_value=400))
def test_days_deadline_is_the_first_working_day_on_or_after_the_last_day(d, n):
    last = add_days(d, n)
    due = days_deadline(d, n)
    cal = calendar()
    assert due >= last
    assert cal.is_working_day(due)
    assert not any(cal.is_working_day(last + timedelta(days=i)) for i in range((due - last).days))


@given(any_day, st.integers(min_value=1, max_value=30))
def test_working_days_deadline_has_exactly_n_working_days(d, n):
    due = working_days_deadline(d, n)
    assert calendar().working_days_between(d, due) == n
    assert calendar().is_working_day(due)


@given(any_day, any_day)
def test_exceeds_and_within_are_complements(d, limit):
    assert exceeds(d, limit) is not within(d, limit)


def test_every_function_cites_its_rule():
    for name in (
        "add_days",
        "add_months",
        "add_years",
        "roll_forward",
        "days_deadline",
        "months_deadline",
        "working_days_deadline",
        "exceeds",
        "within",
    ):
        assert "PER-" in getattr(periods, name).__doc__, name
    assert "indicators.md §1" in periods.is_provisional.__doc__
