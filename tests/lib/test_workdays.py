"""The official working-day calendar (PER-3, PER-5; indicators.md §1).

chinese_calendar is the oracle for 2004–2026; a later year has weekends and the holidays
fixed by date off until a schedule is registered (the lunar ones checked against published
almanac dates, asserted literally). The 2027 schedule used below is a test fixture, not the
real one (which the State Council has not published).
"""

import io
import json
import threading
from datetime import date, timedelta

import chinese_calendar
import pytest
from django.core.management import call_command
from hypothesis import given, settings
from hypothesis import strategies as st
from lunar_python import Solar

from zhixing.lib import periods, workdays
from zhixing.lib.workdays import (
    DATA_FILE,
    FIRST_DAY,
    FIXED_HOLIDAYS_FROM,
    LAST_DAY,
    ScheduleError,
    WorkCalendar,
    calendar,
    fixed_holidays,
    parse_schedule,
    register_schedule,
    reset_calendar,
)

D = date
# A made-up 2027 schedule for tests only: 元旦 Fri 01-01 to Sun 01-03, and a make-up Saturday.
FAKE_2027 = {
    "year": 2027,
    "source": "测试用，非官方",
    "holidays": ["2027-01-01", "2027-01-02", "2027-01-03"],
    "workdays": ["2027-01-09"],
}

days_in_range = st.dates(min_value=FIRST_DAY, max_value=LAST_DAY)


@pytest.fixture
def fresh():
    """A calendar rebuilt from the shipped sources, and forgotten again afterwards."""
    reset_calendar()
    yield
    reset_calendar()


# --- agreement with the official data ------------------------------------------------------


def test_agrees_with_chinese_calendar_on_every_day_2004_to_2026():
    cal = calendar()
    d = D(2004, 1, 1)
    disagreements = []
    while d <= D(2026, 12, 31):
        if cal.is_working_day(d) != chinese_calendar.is_workday(d):
            disagreements.append(d)
        d += timedelta(days=1)
    assert disagreements == []


def test_official_years_are_the_library_years():
    cal = calendar()
    assert cal.official_years() == frozenset(range(2004, 2027))
    assert cal.is_official(2004) and cal.is_official(2026)
    assert not cal.is_official(2003)
    assert not cal.is_official(2027)
    assert cal.source(2027) is None
    assert cal.source(2024).startswith("chinese_calendar")


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (D(2023, 5, 6), True),  # Saturday, 劳动节 make-up day
        (D(2023, 4, 23), True),  # Sunday, 劳动节 make-up day
        (D(2023, 10, 7), True),  # Saturday, 国庆 make-up day
        (D(2023, 10, 14), False),  # an ordinary Saturday
        (D(2024, 2, 9), True),  # 除夕 2024 was a working day
        (D(2024, 2, 10), False),  # 春节 2024-02-10…17
        (D(2024, 2, 15), False),  # Thursday inside 春节
        (D(2024, 2, 18), True),  # Sunday, 春节 make-up day
        (D(2024, 9, 29), True),  # Sunday, 国庆 make-up day
        (D(2024, 10, 7), False),  # last day of 国庆 2024-10-01…07
        (D(2024, 10, 12), True),  # Saturday, 国庆 make-up day
        (D(2018, 12, 29), True),  # Saturday worked for 元旦 2019 (fixed by the 2019 notice)
        (D(2027, 1, 1), False),  # Friday, 元旦, in a year without a schedule
        (D(2027, 1, 2), False),
        (D(2027, 1, 4), True),
        (D(1990, 1, 1), True),  # first day of the table, a Monday, before any schedule
        (D(2100, 12, 31), True),  # last day of the table, a Friday
    ],
)
def test_is_working_day(day, working):
    assert calendar().is_working_day(day) is working


def test_years_without_schedule_before_2004_have_weekends_off_only():
    """The 2024 amendment's holidays are not the law of 1990–2003, and no schedule is loaded."""
    cal = calendar()
    for year in (1990, 2003):
        d = D(year, 1, 1)
        while d.year == year:
            assert cal.is_working_day(d) is (d.weekday() < 5), d
            d += timedelta(days=1)


def test_later_years_without_schedule_have_weekends_and_fixed_holidays_off():
    cal = calendar()
    for year in (2027, 2028, 2063, 2100):
        off = fixed_holidays(year)
        d = D(year, 1, 1)
        while d.year == year:
            assert cal.is_working_day(d) is (d.weekday() < 5 and d not in off), d
            d += timedelta(days=1)


# --- roll forward, n-th working day, counts ----------------------------------------------------


@pytest.mark.parametrize(
    ("day", "rolled"),
    [
        (D(2023, 5, 6), D(2023, 5, 6)),  # make-up Saturday: no roll
        (D(2023, 10, 14), D(2023, 10, 16)),  # Saturday → Monday
        (D(2023, 4, 29), D(2023, 5, 4)),  # 劳动节 2023-04-29…05-03
        (D(2024, 2, 10), D(2024, 2, 18)),  # 春节 → the Sunday make-up day
        (D(2024, 10, 1), D(2024, 10, 8)),  # 国庆 2024
        (D(2024, 10, 6), D(2024, 10, 8)),
        (D(2026, 12, 31), D(2026, 12, 31)),  # a Thursday
        (D(2027, 1, 2), D(2027, 1, 4)),  # weekends only in 2027
    ],
)
def test_roll_forward(day, rolled):
    assert calendar().roll_forward(day) == rolled


@pytest.mark.parametrize(
    ("day", "n", "result"),
    [
        (D(2024, 9, 30), 1, D(2024, 10, 8)),  # the day before 国庆
        (D(2024, 9, 30), 3, D(2024, 10, 10)),
        (D(2024, 9, 27), 1, D(2024, 9, 29)),  # Friday → the Sunday make-up day
        (D(2024, 9, 27), 3, D(2024, 10, 8)),
        (D(2024, 2, 9), 1, D(2024, 2, 18)),  # 除夕 → the Sunday make-up day after 春节
        (D(2024, 2, 9), 3, D(2024, 2, 20)),
        (D(2023, 4, 28), 3, D(2023, 5, 6)),  # across 劳动节 onto the make-up Saturday
        (D(2024, 2, 10), 1, D(2024, 2, 18)),  # from inside a holiday
        (D(2026, 12, 30), 3, D(2027, 1, 5)),  # into 2027: 12-31, then 元旦 (Fri) and the weekend
        (D(2100, 12, 30), 1, D(2100, 12, 31)),
    ],
)
def test_add_working_days(day, n, result):
    assert calendar().add_working_days(day, n) == result


@pytest.mark.parametrize(
    ("a", "b", "count"),
    [
        (D(2024, 9, 30), D(2024, 10, 8), 1),  # (a, b]: a itself not counted
        (D(2024, 9, 27), D(2024, 10, 8), 3),  # 09-29 (Sunday make-up), 09-30, 10-08
        (D(2024, 2, 9), D(2024, 2, 18), 1),
        (D(2023, 4, 28), D(2023, 5, 6), 3),
        (D(2023, 10, 13), D(2023, 10, 15), 0),  # an ordinary weekend
        (D(2024, 1, 1), D(2024, 12, 31), 251),  # 262 weekdays − 19 weekday holidays + 8 make-up days
        (D(2024, 10, 8), D(2024, 10, 8), 0),
        (D(2024, 10, 10), D(2024, 10, 8), 0),  # b before a: the empty interval
    ],
)
def test_working_days_between(a, b, count):
    assert calendar().working_days_between(a, b) == count


def test_working_days_in_2024_match_the_oracle():
    oracle = sum(
        chinese_calendar.is_workday(D(2024, 1, 1) + timedelta(days=i)) for i in range(1, 366)
    )  # (2024-01-01, 2024-12-31]
    assert calendar().working_days_between(D(2024, 1, 1), D(2024, 12, 31)) == oracle


@pytest.mark.parametrize("bad", [D(1989, 12, 31), D(2101, 1, 1)])
def test_dates_outside_the_table_raise(bad):
    cal = calendar()
    for call in (
        lambda: cal.is_working_day(bad),
        lambda: cal.roll_forward(bad),
        lambda: cal.add_working_days(bad, 1),
        lambda: cal.working_days_between(bad, D(2000, 1, 1)),
        lambda: cal.working_days_between(D(2000, 1, 1), bad),
    ):
        with pytest.raises(ValueError, match="outside the working-day calendar"):
            call()


def test_add_working_days_beyond_the_table_raises():
    with pytest.raises(ValueError, match="beyond 2100-12-31"):
        calendar().add_working_days(D(2100, 12, 30), 2)


@pytest.mark.parametrize("n", [0, -1])
def test_add_working_days_needs_n_at_least_1(n):
    with pytest.raises(ValueError, match="at least 1"):
        calendar().add_working_days(D(2024, 1, 1), n)


# --- properties -------------------------------------------------------------------------------


@given(days_in_range)
def test_roll_forward_is_the_first_working_day_on_or_after(d):
    cal = calendar()
    r = cal.roll_forward(d)
    assert r >= d
    assert cal.is_working_day(r)
    assert r - d < timedelta(days=30)  # no break is longer
    x = d
    while x < r:
        assert not cal.is_working_day(x)
        x += timedelta(days=1)


@given(st.dates(min_value=FIRST_DAY, max_value=D(2100, 6, 30)), st.integers(min_value=1, max_value=40))
def test_add_working_days_counts_exactly_n(d, n):
    cal = calendar()
    r = cal.add_working_days(d, n)
    assert cal.is_working_day(r)
    assert cal.working_days_between(d, r) == n
    assert cal.working_days_between(d, r - timedelta(days=1)) == n - 1
    naive = sum(cal.is_working_day(d + timedelta(days=i)) for i in range(1, (r - d).days + 1))
    assert naive == n


@given(st.dates(min_value=D(2004, 1, 1), max_value=D(2026, 11, 30)), st.integers(min_value=1, max_value=10))
def test_add_working_days_agrees_with_a_chinese_calendar_loop(d, n):
    x, left = d, n
    while left:
        x += timedelta(days=1)
        left -= chinese_calendar.is_workday(x)
    assert calendar().add_working_days(d, n) == x


@given(days_in_range, days_in_range, days_in_range)
def test_working_days_between_adds_up(a, b, c):
    a, b, c = sorted((a, b, c))
    cal = calendar()
    assert cal.working_days_between(a, c) == cal.working_days_between(a, b) + cal.working_days_between(b, c)


# --- beyond the published calendar: the holidays fixed by date (indicators.md §1) -------------


def weekdays_off(year: int) -> list[date]:
    cal, d, off = calendar(), D(year, 1, 1), []
    while d.year == year:
        if d.weekday() < 5 and not cal.is_working_day(d):
            off.append(d)
        d += timedelta(days=1)
    return off


def test_the_fixed_holidays_of_2027():
    # 除夕 is 腊月廿九 (the twelfth lunar month of 2026 has 29 days); 劳动节 falls on a weekend.
    assert sorted(fixed_holidays(2027)) == [
        D(2027, 1, 1),  # 元旦
        D(2027, 2, 5), D(2027, 2, 6), D(2027, 2, 7), D(2027, 2, 8),  # 春节: 除夕 … 正月初三
        D(2027, 4, 5),  # 清明
        D(2027, 5, 1), D(2027, 5, 2),  # 劳动节
        D(2027, 6, 9),  # 端午, 五月初五
        D(2027, 9, 15),  # 中秋, 八月十五
        D(2027, 10, 1), D(2027, 10, 2), D(2027, 10, 3),  # 国庆
    ]  # fmt: skip
    assert weekdays_off(2027) == [
        D(2027, 1, 1), D(2027, 2, 5), D(2027, 2, 8), D(2027, 4, 5), D(2027, 6, 9), D(2027, 9, 15), D(2027, 10, 1)
    ]  # fmt: skip


def test_the_fixed_holidays_of_2028_where_mid_autumn_is_a_national_day_holiday():
    assert sorted(fixed_holidays(2028)) == [
        D(2028, 1, 1),  # 元旦, a Saturday
        D(2028, 1, 25), D(2028, 1, 26), D(2028, 1, 27), D(2028, 1, 28),  # 春节
        D(2028, 4, 4),  # 清明
        D(2028, 5, 1), D(2028, 5, 2),  # 劳动节, Monday and Tuesday
        D(2028, 5, 28),  # 端午, a Sunday
        D(2028, 10, 1), D(2028, 10, 2), D(2028, 10, 3),  # 国庆; 中秋 is 10-03 too, one day off
    ]  # fmt: skip
    assert weekdays_off(2028) == [
        D(2028, 1, 25), D(2028, 1, 26), D(2028, 1, 27), D(2028, 1, 28), D(2028, 4, 4),
        D(2028, 5, 1), D(2028, 5, 2), D(2028, 10, 2), D(2028, 10, 3),
    ]  # fmt: skip


def test_new_years_eve_is_the_thirtieth_when_the_month_has_thirty_days():
    # 2030: the twelfth lunar month of 2029 has 30 days, 除夕 is 腊月三十 = 2030-02-02.
    assert {D(2030, 2, 1), D(2030, 2, 2), D(2030, 2, 5), D(2030, 2, 6)} & fixed_holidays(2030) == {
        D(2030, 2, 2),
        D(2030, 2, 5),
    }
    assert D(2030, 2, 1) not in fixed_holidays(2030)


def test_qingming_is_the_day_of_the_solar_term():
    assert D(2027, 4, 5) in fixed_holidays(2027) and D(2027, 4, 4) not in fixed_holidays(2027)
    assert D(2028, 4, 4) in fixed_holidays(2028) and D(2028, 4, 5) not in fixed_holidays(2028)
    assert not calendar().is_working_day(D(2027, 4, 5))  # a Monday


@pytest.mark.parametrize("year", [2025, 2026])
def test_the_rule_agrees_with_the_published_schedules(year):
    """Every fixed-date holiday of a year the State Council has published is off in it (2025's
    除夕 was 腊月廿九, 2026's 清明 a Sunday); the schedule only adds 调休 days."""
    assert sorted(d for d in fixed_holidays(year) if chinese_calendar.is_workday(d)) == []
    assert len(fixed_holidays(year)) == 13


def test_a_deadline_on_national_day_rolls_past_the_holiday():
    assert calendar().roll_forward(D(2027, 10, 1)) == D(2027, 10, 4)  # Fri 国庆, then a weekend
    assert periods.months_deadline(D(2027, 4, 1), 6) == D(2027, 10, 4)
    assert periods.is_provisional(D(2027, 4, 1), D(2027, 10, 4))
    assert calendar().roll_forward(D(2027, 2, 5)) == D(2027, 2, 9)  # 春节 Fri…Mon
    assert calendar().roll_forward(D(2028, 9, 30)) == D(2028, 10, 4)  # Sat, then 国庆 Sun…Tue


def test_a_holiday_on_a_weekend_is_simply_off_without_a_make_up_day():
    cal = calendar()
    # 劳动节 2027 is Saturday and Sunday: Monday 05-03 works, as in any week.
    assert [cal.is_working_day(D(2027, 5, d)) for d in (1, 2, 3)] == [False, False, True]
    assert cal.add_working_days(D(2027, 4, 29), 3) == D(2027, 5, 4)  # 04-30, 05-03, 05-04
    assert cal.working_days_between(D(2027, 4, 29), D(2027, 5, 4)) == 3
    # 劳动节 2028 is Monday and Tuesday: three working days from Friday end on Friday.
    assert cal.add_working_days(D(2028, 4, 28), 3) == D(2028, 5, 5)
    assert periods.working_days_deadline(D(2027, 9, 30), 3) == D(2027, 10, 6)


def test_a_loaded_schedule_overrides_the_fixed_date_rule(fresh):
    assert periods.is_provisional(D(2027, 1, 1), D(2027, 12, 31))
    register_schedule(*parse_schedule(FAKE_2027)[:3], FAKE_2027["source"])
    cal = calendar()
    # The schedule lists 元旦 only: 春节, 清明 and 国庆 are what it says, working days here.
    assert [cal.is_working_day(d) for d in (D(2027, 2, 5), D(2027, 4, 5), D(2027, 10, 1))] == [True] * 3
    assert cal.is_working_day(D(2027, 1, 9))  # its make-up Saturday
    assert cal.roll_forward(D(2027, 10, 1)) == D(2027, 10, 1)
    assert not periods.is_provisional(D(2027, 1, 1), D(2027, 12, 31))
    assert not cal.is_working_day(D(2028, 1, 25))  # 2028 keeps the rule
    reset_calendar()
    assert calendar().roll_forward(D(2027, 10, 1)) == D(2027, 10, 4)


def test_a_schedule_for_the_next_year_may_still_move_a_fixed_day_of_this_one():
    # The notice for 2028 may fix the 元旦 bridge in December 2027; it wins over the rule.
    cal = WorkCalendar({2028: workdays.Schedule(2028, frozenset({D(2027, 12, 31)}), frozenset())})
    assert not cal.is_working_day(D(2027, 12, 31))
    assert not cal.is_working_day(D(2027, 10, 1))  # 2027 itself still follows the rule
    assert cal.is_working_day(D(2028, 1, 25))  # 2028's schedule lists no 春节


def test_fixed_holidays_are_not_known_before_the_2024_amendment():
    assert FIXED_HOLIDAYS_FROM == 2025
    with pytest.raises(ValueError, match="known from 2025, not for 2024"):
        fixed_holidays(2024)


def _lunar(d: date):
    return Solar.fromYmd(d.year, d.month, d.day).getLunar()


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=FIXED_HOLIDAYS_FROM, max_value=LAST_DAY.year))
def test_fixed_holidays_read_back_from_the_lunar_calendar(year):
    """Each computed day is, read back from the Gregorian date, the festival it stands for."""
    days = sorted(fixed_holidays(year))
    assert {
        D(year, 1, 1),
        D(year, 5, 1),
        D(year, 5, 2),
        D(year, 10, 1),
        D(year, 10, 2),
        D(year, 10, 3),
    } <= set(days)
    assert all(d.year == year for d in days)
    lunar = {d: _lunar(d) for d in days}
    first = [d for d, lu in lunar.items() if (lu.getMonth(), lu.getDay()) == (1, 1)]
    assert len(first) == 1
    eve = first[0] - timedelta(days=1)
    assert lunar[eve].getMonth() in (12, -12) and lunar[eve].getDay() in (29, 30)
    assert _lunar(eve + timedelta(days=1)).getDay() == 1  # the eve is the month's last day
    spring = [eve + timedelta(days=k) for k in range(4)]
    assert [(lunar[d].getMonth(), lunar[d].getDay()) for d in spring[1:]] == [(1, 1), (1, 2), (1, 3)]
    assert sum(1 for lu in lunar.values() if lu.getJieQi() == "清明") == 1
    assert sum(1 for lu in lunar.values() if (lu.getMonth(), lu.getDay()) == (5, 5)) == 1
    assert sum(1 for lu in lunar.values() if (lu.getMonth(), lu.getDay()) == (8, 15)) == 1
    assert 12 <= len(days) <= 13  # 13 distinct days unless two festivals share one


@pytest.mark.django_db
def test_calendar_show_and_load_tell_the_truth_about_unscheduled_years(fresh, tmp_path):
    out = io.StringIO()
    call_command("calendar", "show", stdout=out)
    assert out.getvalue().splitlines() == [
        "官方安排年度：2004–2026（共 23 年）",
        "其余年度尚无官方安排：2025 年起周末及按日期固定的法定节假日（元旦、春节除夕至初三、清明节、"
        "劳动节 5 月 1–2 日、端午节、中秋节、国庆节 10 月 1–3 日）放假，不含调休；此前年度仅周末放假。"
        "经过这些年度计算的日期均标记为暂定。",
    ]
    path = tmp_path / "2027.json"
    path.write_text(json.dumps(FAKE_2027, ensure_ascii=False), encoding="utf-8")
    call_command("calendar", "load", str(path), stdout=io.StringIO())
    assert calendar().is_working_day(D(2027, 10, 1))  # the loaded schedule, not the rule
    out = io.StringIO()
    call_command("calendar", "show", stdout=out)
    assert out.getvalue().splitlines()[0] == "官方安排年度：2004–2027（共 24 年）"


# --- the process-wide calendar and run-time schedules -------------------------------------------


def test_calendar_is_built_once_even_when_threads_race(fresh):
    seen = []
    threads = [threading.Thread(target=lambda: seen.append(calendar())) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(seen) == 8
    assert all(cal is seen[0] for cal in seen)
    assert calendar() is seen[0]


def test_register_schedule_makes_a_year_official(fresh):
    year, holidays, workdays_ = parse_schedule(FAKE_2027)
    before = calendar()
    cal = register_schedule(year, holidays, workdays_, FAKE_2027["source"])
    assert calendar() is cal is not before
    assert cal.is_official(2027)
    assert cal.official_years() == frozenset(range(2004, 2028))
    assert cal.source(2027) == "测试用，非官方"
    assert not cal.is_working_day(D(2027, 1, 1))
    assert cal.is_working_day(D(2027, 1, 9))  # the make-up Saturday
    assert cal.roll_forward(D(2027, 1, 1)) == D(2027, 1, 4)
    assert cal.add_working_days(D(2027, 1, 8), 1) == D(2027, 1, 9)
    # The old calendar object is untouched: holders keep a consistent view.
    assert not before.is_working_day(D(2027, 1, 9)) and not before.is_official(2027)
    reset_calendar()
    assert not calendar().is_official(2027)
    assert not calendar().is_working_day(D(2027, 1, 9))  # an ordinary Saturday again


def test_register_schedule_replaces_the_library_data_of_that_year(fresh):
    register_schedule(2024, [D(2024, 10, 2)], [], "更正（测试）")
    cal = calendar()
    assert cal.is_working_day(D(2024, 10, 1))  # a Tuesday no longer listed as a holiday
    assert not cal.is_working_day(D(2024, 10, 2))
    assert not cal.is_working_day(D(2024, 10, 12))  # the 2024 make-up Saturday is gone too
    assert not cal.is_working_day(D(2023, 10, 14)) and cal.is_working_day(D(2023, 10, 7))  # 2023 intact


def test_register_schedule_validates_like_parse_schedule(fresh):
    with pytest.raises(ScheduleError) as err:
        register_schedule(2027, [], [D(2027, 1, 8)])  # a Friday
    assert err.value.field == "workdays[0]"
    with pytest.raises(ScheduleError) as err:
        register_schedule(2101, [], [])
    assert err.value.field == "year"
    assert not calendar().is_official(2027)


def test_a_schedule_may_fix_the_new_year_bridge_in_the_previous_december():
    # Like the real 2019 notice (国办发明电〔2018〕15号): 2018-12-30/31 off, 2018-12-29 worked.
    cal = WorkCalendar(
        {
            2027: workdays.Schedule(
                2027, frozenset({D(2026, 12, 30), D(2026, 12, 31)}), frozenset({D(2026, 12, 26)})
            )
        }
    )
    assert not cal.is_working_day(D(2026, 12, 31))
    assert cal.is_working_day(D(2026, 12, 26))  # a Saturday
    assert not cal.is_official(2026)


# --- schedule documents --------------------------------------------------------------------------


def test_parse_schedule_returns_dates():
    year, holidays, workdays_ = parse_schedule(FAKE_2027)
    assert year == 2027
    assert holidays == [D(2027, 1, 1), D(2027, 1, 2), D(2027, 1, 3)]
    assert workdays_ == [D(2027, 1, 9)]


def test_parse_schedule_allows_empty_lists_and_missing_source():
    assert parse_schedule({"year": 2030, "holidays": [], "workdays": []}) == (2030, [], [])


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"holidays": ["2027-01-01", "2027-02-30"]}, "holidays[1]", "不存在"),
        ({"holidays": ["2027/01/01"]}, "holidays[0]", "YYYY-MM-DD"),
        ({"holidays": ["20270101"]}, "holidays[0]", "YYYY-MM-DD"),
        ({"holidays": [20270101]}, "holidays[0]", "YYYY-MM-DD"),
        ({"holidays": "2027-01-01"}, "holidays", "列表"),
        ({"holidays": ["2026-10-01"]}, "holidays[0]", "不在 2027 年内"),
        ({"holidays": ["2028-01-01"]}, "holidays[0]", "不在 2027 年内"),
        ({"workdays": ["2026-12-19"]}, "workdays[0]", "不在 2027 年内"),  # a Saturday, too early
        ({"holidays": ["2027-01-01", "2027-01-01"]}, "holidays[1]", "重复"),
        ({"workdays": ["2027-01-09", "2027-01-02"]}, "workdays[1]", "同时列为"),
        ({"workdays": ["2027-01-08"]}, "workdays[0]", "不是周六或周日"),  # a Friday
        ({"year": "2027"}, "year", "整数"),
        ({"year": True}, "year", "整数"),
        ({"year": 1989}, "year", "超出"),
        ({"source": 15}, "source", "文号"),
    ],
)
def test_parse_schedule_names_the_bad_field(change, field, words):
    with pytest.raises(ScheduleError) as err:
        parse_schedule(FAKE_2027 | change)
    assert err.value.field == field
    assert words in err.value.message
    assert isinstance(err.value, ValueError)
    assert str(err.value).startswith(field + ": ")


def test_parse_schedule_needs_an_object_with_a_year():
    with pytest.raises(ScheduleError) as err:
        parse_schedule([])
    assert err.value.field == "schedule"
    with pytest.raises(ScheduleError) as err:
        parse_schedule({"holidays": []})
    assert err.value.field == "year"


def test_holidays_on_weekends_are_fine():
    assert parse_schedule({"year": 2027, "holidays": ["2027-01-02", "2027-01-03"]})[1] == [
        D(2027, 1, 2),
        D(2027, 1, 3),
    ]


def test_the_shipped_table_documents_itself_and_holds_no_guessed_2027():
    doc = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    assert "_doc" in doc
    assert "2027" in " ".join(doc["_doc"])
    years = [parse_schedule(entry)[0] for entry in doc["schedules"]]
    assert 2027 not in years
    assert len(years) == len(set(years))


def test_roll_forward_past_the_end_of_the_table_raises():
    cal = WorkCalendar({2100: workdays.Schedule(2100, frozenset({D(2100, 12, 31)}), frozenset())})
    assert cal.roll_forward(D(2100, 12, 30)) == D(2100, 12, 30)
    with pytest.raises(ValueError, match="no working day on or after 2100-12-31"):
        cal.roll_forward(D(2100, 12, 31))
