"""Bulletin windows (spec/cli.md), the previous period and the 12-month trend windows."""

from datetime import date

import pytest

from zhixing.metrics.engine import Window
from zhixing.reports.windows import (
    bulletin_window,
    previous_date,
    previous_window,
    trend_windows,
    year_to_date,
)

D = date


@pytest.mark.parametrize(
    ("kind", "day", "start"),
    [
        ("daily", D(2023, 5, 6), D(2023, 5, 6)),  # a 调休 make-up Saturday is just a day
        ("weekly", D(2023, 5, 6), D(2023, 5, 1)),  # Saturday → that week's Monday (a holiday)
        ("weekly", D(2023, 5, 1), D(2023, 5, 1)),  # a Monday is its own week's start
        ("weekly", D(2023, 1, 1), D(2022, 12, 26)),  # a Sunday's week began in the old year
        ("monthly", D(2024, 2, 29), D(2024, 2, 1)),
        ("monthly", D(2023, 3, 1), D(2023, 3, 1)),
    ],
)
def test_bulletin_window_runs_to_the_date_as_of_its_end(kind, day, start):
    assert bulletin_window(kind, day) == Window(start, day, day)


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="未知通报类型"):
        bulletin_window("yearly", D(2023, 5, 6))


def test_year_to_date_starts_on_1_january():
    assert year_to_date(D(2024, 2, 29)) == Window(D(2024, 1, 1), D(2024, 2, 29), D(2024, 2, 29))
    assert year_to_date(D(2024, 1, 1)) == Window(D(2024, 1, 1), D(2024, 1, 1), D(2024, 1, 1))


def test_previous_bulletin_dates():
    assert previous_date("daily", D(2024, 3, 1)) == D(2024, 2, 29)
    assert previous_date("weekly", D(2023, 5, 7)) == D(2023, 4, 30)
    assert previous_date("monthly", D(2024, 3, 15)) == D(2024, 2, 29)


def test_previous_window_of_whole_months_steps_back_by_months():
    assert previous_window(Window(D(2024, 3, 1), D(2024, 3, 31), D(2024, 3, 31))) == Window(
        D(2024, 2, 1), D(2024, 2, 29), D(2024, 2, 29)
    )
    # A quarter is compared with the quarter before, a half-year with the half before.
    assert previous_window(Window(D(2023, 4, 1), D(2023, 6, 30), D(2023, 7, 15))) == Window(
        D(2023, 1, 1), D(2023, 3, 31), D(2023, 3, 31)
    )
    assert previous_window(Window(D(2023, 1, 1), D(2023, 6, 30), D(2023, 6, 30))) == Window(
        D(2022, 7, 1), D(2022, 12, 31), D(2022, 12, 31)
    )


def test_previous_window_of_other_ranges_has_the_same_length_just_before():
    assert previous_window(Window(D(2023, 5, 6), D(2023, 5, 6), D(2023, 5, 6))) == Window(
        D(2023, 5, 5), D(2023, 5, 5), D(2023, 5, 5)
    )
    assert previous_window(Window(D(2024, 3, 1), D(2024, 3, 10), D(2024, 3, 10))) == Window(
        D(2024, 2, 20), D(2024, 2, 29), D(2024, 2, 29)
    )


def test_trend_is_twelve_months_each_as_of_its_end_and_the_current_month_to_date():
    windows = trend_windows(D(2024, 2, 15))
    assert len(windows) == 12
    assert windows[0] == Window(D(2023, 3, 1), D(2023, 3, 31), D(2023, 3, 31))
    assert windows[10] == Window(D(2024, 1, 1), D(2024, 1, 31), D(2024, 1, 31))
    assert windows[11] == Window(D(2024, 2, 1), D(2024, 2, 15), D(2024, 2, 15))
    assert trend_windows(D(2024, 2, 29), 2) == [
        Window(D(2024, 1, 1), D(2024, 1, 31), D(2024, 1, 31)),
        Window(D(2024, 2, 1), D(2024, 2, 29), D(2024, 2, 29)),
    ]
