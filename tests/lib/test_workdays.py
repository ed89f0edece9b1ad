"""The official working-day calendar (PER-3, PER-5; indicators.md §1).

chinese_calendar is the oracle for 2004–2026; later years are weekends-only until a
schedule is registered. The 2027 schedule used below is a test fixture, not the real one
(which the State Council has not published).
"""

import json
import threading
from datetime import date, timedelta

import chinese_calendar
import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhixing.lib import workdays
from zhixing.lib.workdays import (
    DATA_FILE,
    FIRST_DAY,
    LAST_DAY,
    ScheduleError,
    WorkCalendar,
    calendar,
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
        (D(2027, 1, 1), True),  # Friday in a year without a schedule: weekends only
        (D(2027, 1, 2), False),
        (D(1990, 1, 1), True),  # first day of the table, a Monday, before any schedule
        (D(2100, 12, 31), True),  # last day of the table, a Friday
    ],
)
def test_is_working_day(day, working):
    assert calendar().is_working_day(day) is working


def test_years_without_schedule_have_weekends_off_only():
    cal = calendar()
    for year in (1990, 2003, 2027, 2100):
        d = D(year, 1, 1)
        while d.year == year:
            assert cal.is_working_day(d) is (d.weekday() < 5), d
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
        (D(2026, 12, 30), 3, D(2027, 1, 4)),  # into 2027, weekends only
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
    assert before.is_working_day(D(2027, 1, 1)) and not before.is_official(2027)
    reset_calendar()
    assert not calendar().is_official(2027)
    assert calendar().is_working_day(D(2027, 1, 1))


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
