"""Figures of the command centre, cached until the facts change (issue 11: the page at
a million cases within 300 ms).

Every figure on the page is a function of the fact tables, the courts and its arguments
(window, as-of, scope): facts never depend on the day a report is made (metrics.models).
So a figure computed once stays right until one of those tables is written, and database
triggers change the stamp row (``FactStamp``, migration 0001) on every such write,
whatever writes it (the importer, a node recorded on a page, ``zhixing refresh_facts``).
The stamp is part of every key: after a write the old entries are never read again and
expire from the cache. Django's default cache (per process) holds them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache
from django.db import connection

from zhixing.dashboard.models import FactStamp

T = TypeVar("T")
#: Seconds an entry is kept; the stamp, not this, decides whether it is still right.
TIMEOUT = 24 * 3600


#: Triggers migration 0001 creates: per vendor, how many and how their names end.
_TRIGGERS = {
    "sqlite": ("SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%_stamp_%'", 14),
    "postgresql": ("SELECT COUNT(*) FROM pg_trigger WHERE tgname LIKE '%_stamp' AND NOT tgisinternal", 6),
}


def current_stamp() -> int | None:
    """The stamp now; None (nothing is cached) when its row is missing (a flushed test
    database) or a trigger is: SQLite drops a table's triggers when a migration remakes
    the table, and a stamp nobody moves would serve stale figures."""
    check = _TRIGGERS.get(connection.vendor)
    if check is None:
        return None
    with connection.cursor() as cursor:
        cursor.execute(check[0])
        if cursor.fetchone()[0] != check[1]:
            return None
    return FactStamp.objects.filter(pk=1).values_list("value", flat=True).first()


class FactCache:
    """One request's view of the cache: the stamp is read once, when it is made."""

    def __init__(self) -> None:
        self.stamp = current_stamp()

    def get(self, name: str, key: tuple, compute: Callable[[], T]) -> T:
        if self.stamp is None:
            return compute()
        digest = hashlib.sha256(repr((name, self.stamp, key)).encode()).hexdigest()
        full = f"zhixing:dashboard:{digest}"
        value = cache.get(full)
        if value is None:
            value = compute()
            cache.set(full, value, TIMEOUT)
        return value
