"""The official working-day calendar (PER-3, PER-5; indicators.md §1).

Working days follow the State Council's yearly schedule (国务院办公厅关于某年部分节假日安排
的通知): weekends and statutory holidays are off, 调休 make-up days are working days. The
schedule is not derivable from weekdays, so it comes from data:

- the ``chinese_calendar`` library (package ``chinesecalendar``), which carries the official
  schedules it was released with (2004–2026 in 1.11);
- ``lib/data/holidays.json``, the project's own table for later years, filled in by an
  admin when the State Council publishes a schedule (never guessed);
- :func:`register_schedule`, called by the admin command / database loader at run time.

A year with none of these is *not official*, and every date computed through it is
provisional (indicators.md §1 "Beyond the published calendar"). From 2025 on, such a year
has weekends and the holidays that 《全国年节及纪念日放假办法》 (2024 amendment, in force
from 2025) fixes by date off — :func:`fixed_holidays`, the lunar dates from ``lunar_python``;
the 调休 swaps are unknown, so there are none. An earlier year without a schedule (before
2004) has weekends off only: the 2024 amendment's days are not that year's law.

:class:`WorkCalendar` turns all of that, once, into flat tables over 1990-01-01…2100-12-31
so every lookup is an index operation: ``before[i]`` counts the working days before day
``i`` and ``working[k]`` is the day index of the k-th working day, hence "roll forward" is
``working[before[i]]`` and "the n-th working day after" is ``working[before[i + 1] + n - 1]``.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path

import chinese_calendar
from chinese_calendar import constants as _cc
from lunar_python import Lunar

FIRST_DAY = date(1990, 1, 1)
LAST_DAY = date(2100, 12, 31)  # a Friday: without a 2100 schedule every day rolls forward in range

DATA_FILE = Path(__file__).parent / "data" / "holidays.json"

_BASE = FIRST_DAY.toordinal()
_SIZE = LAST_DAY.toordinal() - _BASE + 1

#: The first year the 2024 amendment of 《全国年节及纪念日放假办法》 is in force, hence the first
#: year whose fixed-date holidays :func:`fixed_holidays` knows.
FIXED_HOLIDAYS_FROM = 2025


@dataclass(frozen=True)
class Schedule:
    """One year's official schedule: the days off that would otherwise be working days or
    that fall on weekends (``holidays``) and the weekend days worked in lieu (``workdays``)."""

    year: int
    holidays: frozenset[date]
    workdays: frozenset[date]
    source: str = ""


class ScheduleError(ValueError):
    """A schedule document is invalid; ``field`` names the offending field
    (e.g. ``holidays[3]``), ``message`` says what is wrong, in Chinese."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def _day(solar) -> date:
    return date(solar.getYear(), solar.getMonth(), solar.getDay())


def _lunar_day(year: int, month: int, day: int) -> date:
    return _day(Lunar.fromYmd(year, month, day).getSolar())


@cache
def fixed_holidays(year: int) -> frozenset[date]:
    """The statutory holidays fixed by date in ``year`` (indicators.md §1 "Beyond the
    published calendar"; PER-3): 《全国年节及纪念日放假办法》 Art.2 as amended in 2024, in
    force from 2025 — 元旦 1 January; 春节 农历除夕 to 正月初三 (four days); 清明节 the day of
    the 清明 solar term; 劳动节 1–2 May; 端午节 农历五月初五; 中秋节 农历八月十五; 国庆节 1–3
    October. A day that is also a weekend day (or another holiday) is simply off: the make-up
    days (补休, 调休) come only with the State Council's schedule.

    除夕 is the last day of the twelfth lunar month, the 29th or the 30th, so it is taken as
    the day before 正月初一. Raises ValueError for a year before :data:`FIXED_HOLIDAYS_FROM`."""
    if year < FIXED_HOLIDAYS_FROM:
        raise ValueError(f"the fixed-date holidays are known from {FIXED_HOLIDAYS_FROM}, not for {year}")
    first = Lunar.fromYmd(year, 1, 1)  # 正月初一 of the lunar year that begins in ``year``
    new_year = _day(first.getSolar())
    days = {
        date(year, 1, 1),
        *(new_year + timedelta(days=k) for k in range(-1, 3)),
        _day(first.getJieQiTable()["清明"]),
        date(year, 5, 1),
        date(year, 5, 2),
        _lunar_day(year, 5, 5),
        _lunar_day(year, 8, 15),
        date(year, 10, 1),
        date(year, 10, 2),
        date(year, 10, 3),
    }
    return frozenset(days)


def _check_range(d: date) -> int:
    """Index of ``d`` in the tables, or ValueError for a date outside them."""
    if not FIRST_DAY <= d <= LAST_DAY:
        raise ValueError(
            f"date {d.isoformat()} is outside the working-day calendar "
            f"({FIRST_DAY.isoformat()}…{LAST_DAY.isoformat()})"
        )
    return d.toordinal() - _BASE


class WorkCalendar:
    """Working days over 1990-01-01…2100-12-31, built once from ``schedules``
    (year → :class:`Schedule`); a year without a schedule has weekends and, from
    :data:`FIXED_HOLIDAYS_FROM`, its :func:`fixed_holidays` off.

    Immutable after construction, so it can be shared between threads (only the caches of
    :meth:`memo` grow, with values that depend on nothing but this calendar).
    """

    __slots__ = ("_before", "_flags", "_memo", "_official", "_sources", "_unofficial", "_working")

    def __init__(self, schedules: Mapping[int, Schedule]):
        # date.toordinal() % 7: 0 is Sunday, 6 is Saturday (0001-01-01, ordinal 1, was a Monday).
        flags = bytearray(1 if (_BASE + i) % 7 not in (0, 6) else 0 for i in range(_SIZE))
        for year in range(FIXED_HOLIDAYS_FROM, LAST_DAY.year + 1):
            if year not in schedules:
                for d in fixed_holidays(year):
                    flags[d.toordinal() - _BASE] = 0
        # A schedule after the fixed days: the notice for year Y may fix days of Y−1's
        # December (the 元旦 bridge), and what it says wins.
        for year in sorted(schedules):
            sched = schedules[year]
            for d in sched.holidays:
                if FIRST_DAY <= d <= LAST_DAY:
                    flags[d.toordinal() - _BASE] = 0
            for d in sched.workdays:
                if FIRST_DAY <= d <= LAST_DAY:
                    flags[d.toordinal() - _BASE] = 1
        before = [0] * (_SIZE + 1)
        working: list[int] = []
        count = 0
        for i, flag in enumerate(flags):
            before[i] = count
            if flag:
                working.append(i)
                count += 1
        before[_SIZE] = count
        self._flags = bytes(flags)
        self._before = before
        self._working = working
        self._official = frozenset(schedules)
        self._sources = {year: s.source for year, s in schedules.items()}
        # _unofficial[k]: how many years of FIRST_DAY.year … FIRST_DAY.year + k − 1 have no
        # official schedule, so "any year in [a, b] is not official" is one subtraction.
        unofficial = [0]
        for year in range(FIRST_DAY.year, LAST_DAY.year + 1):
            unofficial.append(unofficial[-1] + (year not in self._official))
        self._unofficial = unofficial
        self._memo: dict = {}

    def is_working_day(self, d: date) -> bool:
        """PER-3/PER-5: ``d`` is an official working day (a weekday that is not a statutory
        holiday, or a 调休 make-up weekend day)."""
        return self._flags[_check_range(d)] == 1

    def roll_forward(self, d: date) -> date:
        """PER-3: ``d`` itself if it is a working day, else the next working day."""
        k = self._before[_check_range(d)]
        if k >= len(self._working):  # only if a schedule made the last days of 2100 holidays
            raise ValueError(f"no working day on or after {d.isoformat()} up to {LAST_DAY.isoformat()}")
        return date.fromordinal(_BASE + self._working[k])

    def add_working_days(self, d: date, n: int) -> date:
        """PER-5: the n-th working day after ``d`` (``d`` itself not counted), n ≥ 1."""
        if n < 1:
            raise ValueError(f"n must be at least 1, got {n}")
        k = self._before[_check_range(d) + 1] + n - 1
        if k >= len(self._working):
            raise ValueError(f"the {n}th working day after {d.isoformat()} is beyond {LAST_DAY.isoformat()}")
        return date.fromordinal(_BASE + self._working[k])

    def working_days_between(self, a: date, b: date) -> int:
        """PER-5: the number of working days in (a, b] — 0 when b ≤ a."""
        i, j = _check_range(a), _check_range(b)
        return max(0, self._before[j + 1] - self._before[i + 1])

    def is_official(self, year: int) -> bool:
        """indicators.md §1: the State Council schedule of ``year`` is loaded; if not,
        dates computed through that year are provisional."""
        return year in self._official

    def any_unofficial(self, first_year: int, last_year: int) -> bool:
        """indicators.md §1 "Beyond the published calendar": some year of
        ``first_year`` … ``last_year`` (inclusive; none when first > last) has no official
        schedule. O(1) inside the table's years (prefix counts)."""
        if first_year > last_year:
            return False
        lo, hi = first_year - FIRST_DAY.year, last_year - FIRST_DAY.year
        if lo < 0 or hi >= len(self._unofficial) - 1:
            return any(not self.is_official(y) for y in range(first_year, last_year + 1))
        return self._unofficial[hi + 1] - self._unofficial[lo] > 0

    def memo(self, key: object) -> dict:
        """A cache for values computed from this calendar (e.g. the last days of one legal
        period by trigger day, ``flow.rules.Period``). It belongs to this calendar, so a new
        schedule (a new calendar, :func:`register_schedule`) starts with empty caches."""
        cache = self._memo.get(key)
        if cache is None:
            cache = self._memo.setdefault(key, {})
        return cache

    def official_years(self) -> frozenset[int]:
        """The years whose official schedule is loaded."""
        return self._official

    def source(self, year: int) -> str | None:
        """Where ``year``'s schedule comes from (document number), None if not official."""
        return self._sources.get(year)


# --- schedule documents ----------------------------------------------------------------

_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _parse_day(value: object, field: str) -> date:
    # date.fromisoformat alone would also take "20270101" and "2027-W01-1".
    if not isinstance(value, str) or not _ISO_DAY.match(value):
        raise ScheduleError(field, f"应为 YYYY-MM-DD 格式的日期，实际为 {value!r}")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ScheduleError(field, f"日期 {value} 不存在") from None


def _check_days(year: int, name: str, days: list[date]) -> None:
    # The notice for year Y may fix the 元旦 bridge in the last days of Y−1 (国办发明电〔2018〕
    # 15号 for 2019: 2018-12-30/31 off, 2018-12-29 worked; likewise 2008 and 2012), so those
    # days belong to Y's schedule too; anything else outside Y is a typo.
    earliest, latest = date(year - 1, 12, 25), date(year, 12, 31)
    seen: set[date] = set()
    for k, d in enumerate(days):
        field = f"{name}[{k}]"
        if not earliest <= d <= latest:
            raise ScheduleError(
                field, f"日期 {d.isoformat()} 不在 {year} 年内（上年只可含 12 月 25 日以后的元旦调休）"
            )
        if d in seen:
            raise ScheduleError(field, f"日期 {d.isoformat()} 重复")
        seen.add(d)


def _check_schedule(year: object, holidays: list[date], workdays: list[date]) -> int:
    if not isinstance(year, int) or isinstance(year, bool):
        raise ScheduleError("year", f"应为整数年份，实际为 {year!r}")
    if not FIRST_DAY.year <= year <= LAST_DAY.year:
        raise ScheduleError("year", f"年份 {year} 超出日历范围 {FIRST_DAY.year}–{LAST_DAY.year}")
    _check_days(year, "holidays", holidays)
    _check_days(year, "workdays", workdays)
    off = set(holidays)
    for k, d in enumerate(workdays):
        if d in off:
            raise ScheduleError(f"workdays[{k}]", f"日期 {d.isoformat()} 同时列为放假日和调休上班日")
        # A make-up day is a weekend day worked in lieu; a weekday is a working day anyway.
        if d.weekday() < 5:
            raise ScheduleError(f"workdays[{k}]", f"调休上班日 {d.isoformat()} 不是周六或周日")
    return year


def parse_schedule(obj: object) -> tuple[int, list[date], list[date]]:
    """Validate one schedule document and return ``(year, holidays, workdays)``.

    Shape: ``{"year": 2027, "source": "国办发明电〔2026〕…号", "holidays": ["2027-01-01", …],
    "workdays": ["2027-02-06", …]}``. Raises :class:`ScheduleError` (a ValueError) naming the
    field: a missing or out-of-range year, a date not in YYYY-MM-DD form or that does not
    exist (2027-02-30), a date outside the year (only the 元旦 bridge in the last week of the
    previous December is allowed), a date listed twice or in both lists, or a make-up
    working day that is not a Saturday or Sunday. Holidays may fall on any day.
    """
    if not isinstance(obj, Mapping):
        raise ScheduleError("schedule", "应为 JSON 对象")
    if "year" not in obj:
        raise ScheduleError("year", "缺少年份")
    source = obj.get("source", "")
    if not isinstance(source, str):
        raise ScheduleError("source", "应为文号字符串")
    lists: dict[str, list[date]] = {}
    for name in ("holidays", "workdays"):
        values = obj.get(name, [])
        if not isinstance(values, list):
            raise ScheduleError(name, "应为日期列表")
        lists[name] = [_parse_day(v, f"{name}[{k}]") for k, v in enumerate(values)]
    year = _check_schedule(obj["year"], lists["holidays"], lists["workdays"])
    return year, lists["holidays"], lists["workdays"]


# --- sources -------------------------------------------------------------------------------


def _library_schedules() -> dict[int, Schedule]:
    """The schedules bundled with chinese_calendar, read once from its constant tables
    (calling it per date is slow and raises NotImplementedError outside its years)."""
    # The library's own coverage test (utils._validate_date) is min..max year of holidays.
    years = range(min(_cc.holidays).year, max(_cc.holidays).year + 1)
    off: dict[int, set[date]] = {y: set() for y in years}
    on: dict[int, set[date]] = {y: set() for y in years}
    for d in _cc.holidays:
        off[d.year].add(d)
    for d in _cc.workdays:
        on[d.year].add(d)
    source = f"chinese_calendar {getattr(chinese_calendar, '__version__', '?')}（国务院办公厅节假日安排通知）"
    return {y: Schedule(y, frozenset(off[y]), frozenset(on[y]), source) for y in years}


def _file_schedules(path: Path = DATA_FILE) -> dict[int, Schedule]:
    """The schedules in the project's own table; an invalid entry fails loudly."""
    doc = json.loads(path.read_text(encoding="utf-8"))
    entries = doc.get("schedules", []) if isinstance(doc, dict) else None
    if not isinstance(entries, list):
        raise ValueError(f"{path}: 'schedules' must be a list")
    result: dict[int, Schedule] = {}
    for k, entry in enumerate(entries):
        try:
            year, holidays, workdays = parse_schedule(entry)
        except ScheduleError as exc:
            raise ValueError(f"{path}: schedules[{k}].{exc}") from None
        result[year] = Schedule(year, frozenset(holidays), frozenset(workdays), entry.get("source", ""))
    return result


# --- the process-wide calendar ---------------------------------------------------------------

_lock = threading.Lock()
_calendar: WorkCalendar | None = None
_registered: dict[int, Schedule] = {}


def _build() -> WorkCalendar:
    # Later sources override earlier ones for the same year: the library, then the
    # project's table, then schedules registered at run time.
    schedules = _library_schedules()
    schedules.update(_file_schedules())
    schedules.update(_registered)
    return WorkCalendar(schedules)


def calendar() -> WorkCalendar:
    """The process-wide calendar, built on first use (once, even if threads race)."""
    global _calendar
    cal = _calendar
    if cal is None:
        with _lock:
            if _calendar is None:
                _calendar = _build()
            cal = _calendar
    return cal


def register_schedule(
    year: int, holidays: Iterable[date], workdays: Iterable[date], source: str = ""
) -> WorkCalendar:
    """Make ``year`` official with this schedule (replacing any earlier data for it) and
    rebuild the process-wide calendar. The dates are checked as in :func:`parse_schedule`
    (ScheduleError otherwise)."""
    global _calendar
    holidays, workdays = list(holidays), list(workdays)
    _check_schedule(year, holidays, workdays)
    sched = Schedule(year, frozenset(holidays), frozenset(workdays), source)
    with _lock:
        _registered[year] = sched
        cal = _calendar = _build()
    return cal


def reset_calendar() -> None:
    """Forget registered schedules and the built calendar (tests)."""
    global _calendar
    with _lock:
        _registered.clear()
        _calendar = None
