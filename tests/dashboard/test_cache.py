"""The command centre's cache (issue 11): figures are served from the cache until the
facts or the courts change, and every way of changing them moves the stamp."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.core.cache import caches
from django.db import connection
from django.db.models import F
from django.test import Client
from django.test.utils import CaptureQueriesContext

from zhixing.cases.models import Case
from zhixing.dashboard.cache import FactCache, current_stamp
from zhixing.metrics.models import ObligationFact

DAY = "period=custom&from=2024-01-01&to=2024-06-01&as_of=2024-06-01"


@pytest.fixture(autouse=True)
def empty_cache():
    caches["dashboard"].clear()
    yield
    caches["dashboard"].clear()


def centre(user) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(f"/dashboard/?{DAY}")
    assert response.status_code == 200
    return response.content.decode()


def without_csrf(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)


def filed_today(html: str) -> int:
    return int(re.search(r'id="filed-today" href="[^"]*">(\d+)</a>', html)[1])


def test_stamp_moves_on_every_kind_of_write(courts, import_cases, bundle_case):
    from zhixing.cases.loader import load_record
    from zhixing.courts.services import import_courts
    from zhixing.metrics.facts import refresh_facts

    seen = [current_stamp()]

    def moved() -> bool:
        seen.append(current_stamp())
        return seen[-1] != seen[-2]

    assert moved() is False  # reading moves nothing
    assert import_cases(bundle_case(court_code="豫0823", filed_on="2024-06-01")).imported == 1
    assert moved()
    case = Case.objects.get()
    refresh_facts([(case.pk, load_record(case))])
    assert moved()
    ObligationFact.objects.filter(case=case).update(done_on=date(2024, 6, 2))
    assert moved()
    ObligationFact.objects.filter(case=case).delete()
    assert moved()
    import_courts(['{"code": "豫0882", "name": "沁阳市人民法院"}'])
    assert moved()
    Case.objects.all().delete()  # the facts go with their case
    assert moved()


def test_a_node_recorded_on_a_page_moves_the_stamp(courts, import_cases, bundle_case, personas):
    from zhixing.flow.services import record_event

    import_cases(bundle_case(court_code="豫0823", filed_on="2024-06-01", events=[]))
    before = current_stamp()
    case = Case.objects.get()
    record_event(case, "handler_assigned", date(2024, 6, 3), {"handler": "王某"},
                 user=personas["wuzhi_officer"], expected_version=case.version)  # fmt: skip
    assert current_stamp() != before


def test_cached_page_is_the_same_page_and_follows_an_import(courts, import_cases, bundle_case, personas):
    chief = personas["jiaozuo_chief"]
    import_cases(bundle_case(court_code="豫0823", seq=1, filed_on="2024-06-01"))
    caches["dashboard"].clear()
    first = centre(chief)
    assert filed_today(first) == 1
    # Served again: the same page, and no engine statement.
    client = Client()
    client.force_login(chief)
    with CaptureQueriesContext(connection) as queries:
        again = client.get(f"/dashboard/?{DAY}").content.decode()
    assert without_csrf(again) == without_csrf(first)
    assert not any("metrics_casefact" in q["sql"] or "metrics_obligationfact" in q["sql"] for q in queries)
    # A case imported afterwards: the next page shows the figures it has, marked with
    # their time and recomputed behind it; the page after shows the new ones.
    import_cases(bundle_case(court_code="豫0825", seq=2, filed_on="2024-06-01"))
    stale = centre(chief)
    assert filed_today(stale) == 1
    assert "正在重新统计" in stale and 'hx-trigger="every 3s"' in stale
    fresh = centre(chief)
    assert filed_today(fresh) == 2
    assert "正在重新统计" not in fresh
    # The same figures as without the cache.
    cached = centre(chief)
    caches["dashboard"].clear()
    assert without_csrf(centre(chief)) == without_csrf(cached)


def test_a_missing_trigger_means_no_cache(courts):
    figures = FactCache()
    assert figures.stamp is not None
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER metrics_obligationfact_stamp_update")
        else:
            cursor.execute("DROP TRIGGER metrics_obligationfact_stamp ON metrics_obligationfact")
    assert FactCache().stamp is None


def test_no_stamp_row_means_no_cache(courts):
    from zhixing.dashboard.models import FactStamp

    FactStamp.objects.all().delete()
    calls = []
    figures = FactCache()
    for _ in range(2):
        figures.get("x", (1,), lambda: calls.append(1))
    assert calls == [1, 1]
    FactStamp.objects.create(pk=1, value=5)
    figures = FactCache()
    for _ in range(2):
        figures.get("x", (1,), lambda: calls.append(1) or "v")
    assert calls == [1, 1, 1]


def test_the_first_stamp_is_not_cached(courts):
    """0, what migration 0001 starts every database with, is not a random stamp: an entry
    kept under it in a shared directory could belong to another database."""
    from zhixing.dashboard.models import FactStamp

    FactStamp.objects.filter(pk=1).update(value=0)
    assert current_stamp() is None
    FactStamp.objects.filter(pk=1).update(value=-7)
    assert current_stamp() == -7


def test_figures_kept_in_files_outlive_the_process(courts, tmp_path, settings):
    """ZHIXING_DASHBOARD_CACHE as a directory (the default beside a SQLite file): a restarted
    server serves the figures it computed before, without computing them again."""
    from django.core.cache.backends.filebased import FileBasedCache

    settings.CACHES = {
        **settings.CACHES,
        "dashboard": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path),
        },
    }
    assert isinstance(caches["dashboard"], FileBasedCache)
    assert FactCache().get("x", (1,), lambda: {"IND-01": "0.5"}) == {"IND-01": "0.5"}
    assert len(list(tmp_path.glob("*.djcache"))) == 1
    caches.close_all()
    del caches["dashboard"]  # a new process: nothing of the cache in memory

    def not_again():
        raise AssertionError("computed again")

    figures = FactCache()
    assert figures.get("x", (1,), not_again) == {"IND-01": "0.5"}
    assert figures.stale_at is None


def test_figures_too_old_are_computed_while_the_reader_waits(courts, settings):
    from zhixing.dashboard.models import FactStamp

    calls = []
    FactCache().get("x", (1,), lambda: calls.append("first") or 1)
    FactStamp.objects.filter(pk=1).update(value=F("value") + 1)
    settings.ZHIXING_DASHBOARD_MAX_STALE = 0
    figures = FactCache()
    assert figures.get("x", (1,), lambda: calls.append("second") or 2) == 2
    assert figures.stale_at is None
    assert calls == ["first", "second"]


def test_one_refresh_at_a_time(courts, monkeypatch):
    from zhixing.dashboard import cache as dashboard_cache
    from zhixing.dashboard.models import FactStamp

    FactCache().get("x", (1,), lambda: 1)
    FactStamp.objects.filter(pk=1).update(value=F("value") + 1)
    started = []
    monkeypatch.setattr(dashboard_cache, "in_background", started.append)
    first, second = FactCache(), FactCache()
    assert first.get("x", (1,), lambda: 2) == 1
    assert second.get("x", (1,), lambda: 3) == 1
    assert first.stale_at is not None and len(started) == 1
    started[0]()  # the refresh lands; the next reader gets it, current
    third = FactCache()
    assert third.get("x", (1,), lambda: 4) == 2 and third.stale_at is None
    # And a refresh may start again after the next write.
    FactStamp.objects.filter(pk=1).update(value=F("value") + 1)
    assert FactCache().get("x", (1,), lambda: 5) == 2
    assert len(started) == 2


def test_a_failed_refresh_keeps_the_old_figures(courts, monkeypatch):
    from zhixing.dashboard import cache as dashboard_cache
    from zhixing.dashboard.models import FactStamp

    FactCache().get("x", (1,), lambda: 1)
    FactStamp.objects.filter(pk=1).update(value=F("value") + 1)
    started = []
    monkeypatch.setattr(dashboard_cache, "in_background", started.append)

    def broken():
        raise RuntimeError("database went away")

    assert FactCache().get("x", (1,), broken) == 1
    with pytest.raises(RuntimeError):
        started[0]()
    # The busy mark is gone, so the next reader tries again.
    assert FactCache().get("x", (1,), lambda: 2) == 1
    assert len(started) == 2


def test_background_work_runs_in_its_own_thread(monkeypatch):
    import threading

    from zhixing.dashboard import cache as dashboard_cache

    monkeypatch.undo()  # the real in_background, not the suite's in-line one
    seen = []
    done = threading.Event()

    def work():
        seen.append(threading.current_thread().name)
        done.set()

    dashboard_cache.in_background(work)
    assert done.wait(5)
    assert seen == ["dashboard-refresh"]


def test_a_refresh_waits_until_the_figures_are_a_minute_old(courts, monkeypatch):
    from datetime import timedelta

    from django.utils import timezone

    from zhixing.dashboard import cache as dashboard_cache
    from zhixing.dashboard.models import FactStamp

    monkeypatch.setattr(dashboard_cache, "REFRESH_AFTER", 60)
    started = []
    monkeypatch.setattr(dashboard_cache, "in_background", started.append)
    FactCache().get("x", (1,), lambda: 1)
    FactStamp.objects.filter(pk=1).update(value=F("value") + 1)
    assert FactCache().get("x", (1,), lambda: 2) == 1
    assert started == []  # computed just now: shown as it is, marked stale
    later = timezone.now() + timedelta(seconds=61)
    monkeypatch.setattr(dashboard_cache.timezone, "now", lambda: later)
    assert FactCache().get("x", (1,), lambda: 2) == 1
    assert len(started) == 1
