"""Date arithmetic on day numbers (``date.toordinal()``) by table lookup.

The simulator computes millions of due days; calling ``zhixing.lib.periods`` for each
would dominate its run time. ``DayTables`` asks the legal calendar once per day of the
simulated span and then answers every question with a list index, so the simulator and
the checkers agree on every due day (the tables are built from ``periods`` itself).
"""

from __future__ import annotations

import calendar as _gregorian
from datetime import date

from zhixing.lib import periods
from zhixing.lib.workdays import calendar


class DayTables:
    """Working days, roll-forward, month arithmetic and ISO strings for day numbers in
    ``[first, last]``."""

    __slots__ = (
        "_month_len",
        "_month_start",
        "_next_w",
        "_prev_w",
        "_wbefore",
        "_wlist",
        "_ymd",
        "base",
        "iso",
        "last",
        "working",
    )

    def __init__(self, first: date, last: date):
        self.base = base = first.toordinal()
        self.last = last.toordinal()
        size = self.last - base + 1
        cal = calendar()
        days = [date.fromordinal(base + i) for i in range(size)]
        self.iso = [d.isoformat() for d in days]
        self.working = working = bytes(1 if cal.is_working_day(d) else 0 for d in days)
        # _wbefore[i]: working days before index i; _wlist[k]: ordinal of the k-th working day.
        wbefore = [0] * (size + 1)
        wlist: list[int] = []
        for i in range(size):
            wbefore[i] = len(wlist)
            if working[i]:
                wlist.append(base + i)
        wbefore[size] = len(wlist)
        self._wbefore = wbefore
        self._wlist = wlist
        # Roll-forward (PER-3) and its mirror (the last working day on or before a day).
        nxt = [0] * size
        following = None
        for i in range(size - 1, -1, -1):
            if working[i]:
                following = base + i
            nxt[i] = following if following is not None else periods.roll_forward(days[i]).toordinal()
        prv = [0] * size
        preceding = base
        for i in range(size):
            if working[i]:
                preceding = base + i
            prv[i] = preceding
        self._next_w = nxt
        self._prev_w = prv
        # PER-4 month arithmetic: (year, month, day) of every day, and the first day and
        # length of every month (index year * 12 + month − 1) from the first year on, with
        # room for 10 years either side.
        self._ymd = [(d.year, d.month, d.day) for d in days]
        self._month_start: dict[int, int] = {}
        self._month_len: dict[int, int] = {}
        for year in range(first.year - 10, last.year + 11):
            for month in range(1, 13):
                k = year * 12 + month - 1
                self._month_start[k] = date(year, month, 1).toordinal()
                self._month_len[k] = _gregorian.monthrange(year, month)[1]

    # -- lookups ---------------------------------------------------------------------------

    def is_working(self, o: int) -> bool:
        return self.working[o - self.base] == 1

    def roll(self, o: int) -> int:
        """PER-3: ``o`` if a working day, else the next working day (periods.roll_forward)."""
        return self._next_w[o - self.base]

    def back(self, o: int) -> int:
        """The last working day on or before ``o`` (to schedule an act by a last day)."""
        return self._prev_w[o - self.base]

    def days_deadline(self, o: int, n: int) -> int:
        """periods.days_deadline: ``o`` + n days, rolled forward."""
        return self._next_w[o + n - self.base]

    def months(self, o: int, n: int) -> int:
        """periods.add_months (PER-4): the same day n months later, or the last day of that
        month if it has none; not rolled. (Equal to periods.add_months: tested.)"""
        y, m, d = self._ymd[o - self.base]
        k = y * 12 + m - 1 + n
        length = self._month_len[k]
        return self._month_start[k] + (d if d <= length else length) - 1

    def months_deadline(self, o: int, n: int) -> int:
        """periods.months_deadline: ``o`` + n months, rolled forward."""
        return self._next_w[self.months(o, n) - self.base]

    def working_days_after(self, o: int, n: int) -> int:
        """periods.working_days_deadline: the n-th working day after ``o`` (n ≥ 1)."""
        return self._wlist[self._wbefore[o - self.base + 1] + n - 1]

    def working_day_between(self, lo: int, hi: int, r: float) -> int:
        """A working day in ``[lo, hi]`` picked by ``r`` in [0, 1); ``hi`` (rolled back no
        further than ``lo``) if the range holds none."""
        wb = self._wbefore
        a = wb[lo - self.base]
        b = wb[hi - self.base + 1]
        if b <= a:
            return hi
        return self._wlist[a + int(r * (b - a))]

    def format(self, o: int) -> str:
        i = o - self.base
        if 0 <= i < len(self.iso):
            return self.iso[i]
        return date.fromordinal(o).isoformat()
