"""Figures of the command centre, cached and refreshed behind the reader (the
page at a million cases within 300 ms).

Every figure on the page is a function of the fact tables, the courts and its arguments
(window, as-of, scope): facts never depend on the day a report is made (metrics.models).
Database triggers change the stamp row (``FactStamp``, migration 0001) on every write to
those tables, whatever writes it (the importer, a node recorded on a page, ``zhixing
refresh_facts``). Each entry remembers the stamp it was computed under and when.

An entry whose stamp is current is served as it is. Why not recompute on the first
request after a write: a leader's figures over a million cases take seconds to compute
(9.4 s for a 中院 and its courts, bench/RESULTS.md), and a busy court writes all day, so
the leader would wait on almost every visit. Instead an entry computed under an older
stamp is served at once, marked with the time it was computed, and recomputed in a
background thread (one per entry at a time, at most once a minute: ``REFRESH_AFTER``);
the page polls and swaps in the new figures (``stale_at``). Only an entry older than
``ZHIXING_DASHBOARD_MAX_STALE`` seconds, or none at all, is computed while the reader waits.

The entries live in Django's "dashboard" cache (settings ``ZHIXING_DASHBOARD_CACHE``): files
beside a SQLite database by default, so a restarted server, and each of its processes, serves
them at once. The stamp is a random 63-bit number, moved on every write, so an entry from
another database (a shared directory, a database restored or rebuilt) does not match
its stamp; only the stamp 0 of a database nothing was ever written to is not random, and is
not cached.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TypeVar

from django.conf import settings
from django.core.cache import caches
from django.db import connection, connections
from django.utils import timezone

from zhixing.dashboard.models import FactStamp

T = TypeVar("T")
log = logging.getLogger(__name__)
#: Seconds an entry is kept at all.
TIMEOUT = 7 * 24 * 3600
#: Seconds a background recomputation may take before another request may start one.
BUSY_SECONDS = 300
#: Seconds from an entry's computing before it is recomputed for a later write. Why: a
#: busy court writes every few seconds, and recomputing a leader's figures back to back
#: would keep a core busy and slow every request of this process (measured: p50 28 →
#: 169 ms at a million cases); once a minute keeps figures at most about a minute behind.
REFRESH_AFTER = 60


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
    stamp = FactStamp.objects.filter(pk=1).values_list("value", flat=True).first()
    return stamp or None  # 0: the value migration 0001 starts with, the same in every database


def _cache():
    return caches["dashboard"]


def in_background(work: Callable[[], None]) -> None:
    """Run ``work`` in a daemon thread with its own database connection, closed after.
    Tests replace this to run the work in line."""

    def run() -> None:
        try:
            work()
        except Exception:  # a failed refresh leaves the old entry; the next reader retries
            log.exception("command-centre figures: background refresh failed")
        finally:
            connections.close_all()  # this thread's connections only

    threading.Thread(target=run, name="dashboard-refresh", daemon=True).start()


class FactCache:
    """One request's view of the cache: the stamp is read once, when it is made.
    ``stale_at``: the oldest computing time of a figure served from an older stamp (None
    when every figure served is current)."""

    def __init__(self) -> None:
        self.stamp = current_stamp()
        self.stale_at: datetime | None = None

    def get(self, name: str, key: tuple, compute: Callable[[], T]) -> T:
        if self.stamp is None:
            return compute()
        digest = hashlib.sha256(repr((name, key)).encode()).hexdigest()
        full = f"zhixing:dashboard:{digest}"
        cache = _cache()
        entry = cache.get(full)
        now = timezone.now()
        if entry is not None:
            stamp, computed_at, value = entry
            if stamp == self.stamp:
                return value
            if now - computed_at <= timedelta(seconds=settings.ZHIXING_DASHBOARD_MAX_STALE):
                if now - computed_at >= timedelta(seconds=REFRESH_AFTER):
                    self._refresh(full, compute)
                self.stale_at = min(self.stale_at or computed_at, computed_at)
                return value
        value = compute()
        # The stamp read before computing: a write during the computation leaves the entry
        # older than the data, so the next reader refreshes it.
        cache.set(full, (self.stamp, now, value), TIMEOUT)
        return value

    def _refresh(self, full: str, compute: Callable[[], T]) -> None:
        cache = _cache()
        if not cache.add(f"{full}:busy", 1, BUSY_SECONDS):
            return  # another request is already recomputing it

        def work() -> None:
            try:
                stamp, at = current_stamp(), timezone.now()
                value = compute()
                if stamp is not None:
                    cache.set(full, (stamp, at, value), TIMEOUT)
            finally:
                cache.delete(f"{full}:busy")

        in_background(work)
