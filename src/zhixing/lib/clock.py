"""The one "today" of the application: the date in China (Asia/Shanghai).

Deadlines, clocks and every scheduled job count in China dates (design.md; indicators.md
§1: days are the court's calendar days). A server whose own clock or ``TIME_ZONE`` is set
elsewhere, or a request that activated another time zone, must not move a deadline by a
day between 00:00 and 08:00 China time: ``today()`` asks for the China date explicitly
instead of the process's (``date.today()``) or the active time zone's.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.utils import timezone

CHINA = ZoneInfo("Asia/Shanghai")


def today() -> date:
    """Today's date in China."""
    return timezone.localdate(timezone=CHINA)


def now() -> datetime:
    """The current time, aware, in China."""
    return timezone.localtime(timezone=CHINA)
