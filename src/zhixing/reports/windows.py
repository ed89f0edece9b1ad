"""Report windows: bulletin periods, the previous period, the 12-month trend.

Windows are plain date ranges (indicators.md §1: roll-forward never applies to
windows); each is reported as of its own end unless said otherwise.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from zhixing.metrics.engine import Window

KINDS = ("daily", "weekly", "monthly")


def month_end(d: date) -> date:
    return d.replace(day=calendar.monthrange(d.year, d.month)[1])


def bulletin_window(kind: str, day: date) -> Window:
    """spec/cli.md: daily = DATE; weekly = Monday of DATE's week through DATE; monthly =
    the 1st of DATE's month through DATE; as of the end of DATE."""
    if kind == "daily":
        start = day
    elif kind == "weekly":
        start = day - timedelta(days=day.weekday())
    elif kind == "monthly":
        start = day.replace(day=1)
    else:
        raise ValueError(f"未知通报类型 {kind!r}（daily、weekly 或 monthly）")
    return Window(start, day, day)


def year_to_date(day: date) -> Window:
    """spec/cli.md: each bulletin also shows the year to date (1 January through DATE)."""
    return Window(day.replace(month=1, day=1), day, day)


def previous_date(kind: str, day: date) -> date:
    """The date of the previous bulletin of this kind: the day before, the same weekday a
    week before, or the last day of the previous month (the previous month's bulletin
    covers that whole month)."""
    if kind == "daily":
        return day - timedelta(days=1)
    if kind == "weekly":
        return day - timedelta(days=7)
    if kind == "monthly":
        return day.replace(day=1) - timedelta(days=1)
    raise ValueError(f"未知通报类型 {kind!r}")


def previous_window(window: Window) -> Window:
    """The window of the same length ending the day before ``window`` starts, as of its
    own end — "the previous period" of a ranking. A whole calendar month (or a run of
    whole months) steps back by months, so March is compared with February, not with
    the 31 days before it."""
    start, end = window.start, window.end
    if start.day == 1 and end == month_end(end):
        months = (end.year - start.year) * 12 + end.month - start.month + 1
        prev_end = start - timedelta(days=1)
        y, m = prev_end.year, prev_end.month - months + 1
        while m < 1:
            y, m = y - 1, m + 12
        return Window(date(y, m, 1), prev_end, prev_end)
    length = (end - start).days + 1
    prev_end = start - timedelta(days=1)
    return Window(prev_end - timedelta(days=length - 1), prev_end, prev_end)


def trend_windows(day: date, months: int = 12) -> list[Window]:
    """The ``months`` calendar months ending with DATE's month, each as of its month end;
    DATE's own month runs to DATE, as of DATE (its end is not reached yet)."""
    out = []
    y, m = day.year, day.month
    for _ in range(months):
        first = date(y, m, 1)
        last = min(month_end(first), day)
        out.append(Window(first, last, last))
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return out[::-1]
