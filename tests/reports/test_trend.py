"""The 12-month trend in one pass (issue 11): ``rankings.window_sums`` gives, for several
windows at once, exactly the sums ``engine.compute_sums`` gives window by window, and the
trend built on it equals the per-month computation it replaced — on a simulated city."""

from __future__ import annotations

import io
from datetime import date

import pytest

from zhixing.cases.services import import_bundle
from zhixing.courts.models import Court
from zhixing.metrics import engine
from zhixing.metrics.services import run_django
from zhixing.reports import rankings
from zhixing.reports.windows import trend_windows


@pytest.fixture
def city(db):
    simulate = pytest.importorskip("zhixing.simulate.generator").simulate
    buf = io.StringIO()
    simulate(buf, seed=7, years=3, cases_per_court_year=40, workers=1)
    buf.seek(0)
    report = import_bundle(buf)
    assert report.rejected == []
    return {c.code: c for c in Court.objects.all()}


def per_window_trend(day: date, parent: Court | None, indicators: list[str]) -> dict:
    """The trend as it was computed before: every engine sum, one ``compute_sums`` per month."""
    group = rankings.peers(parent)
    paths = dict(Court.objects.filter(pk__in=group.scope_ids).values_list("pk", "path"))
    total: dict[str, list] = {i: [] for i in indicators}
    per_court: dict[str, dict[str, list]] = {c.code: {i: [] for i in indicators} for c in group.courts}
    for w in trend_windows(day):
        by_court = engine.compute_sums(run_django, group.scope_ids, w)
        sums = [
            engine.add_sums(s for pk, s in by_court.items() if paths[pk].startswith(peer.path))
            for peer in group.courts
        ]
        for court, s in zip(group.courts, sums, strict=True):
            for i in indicators:
                per_court[court.code][i].append(engine.figures(s)[i]["value"])
        for i in indicators:
            total[i].append(engine.figures(engine.add_sums(sums))[i]["value"])
    return {"total": total, "courts": per_court}


DAYS = [date(2025, 12, 31), date(2024, 2, 29), date(2025, 6, 17), date(2023, 3, 1)]


@pytest.mark.parametrize("day", DAYS, ids=str)
def test_window_sums_equal_compute_sums_window_by_window(city, day):
    ids = list(Court.objects.values_list("pk", flat=True))
    windows = trend_windows(day)
    together = rankings.window_sums(ids, windows)
    assert len(together) == 12
    for w, got in zip(windows, together, strict=True):
        alone = engine.compute_sums(run_django, ids, w)
        assert {pk: s for pk, s in got.items() if any(s.values())} == {
            pk: s for pk, s in alone.items() if any(s.values())
        }, w


def test_window_sums_of_arbitrary_overlapping_windows(city):
    # Not only months: overlapping windows, as-of after the window, a single day.
    ids = list(Court.objects.values_list("pk", flat=True))
    windows = [
        engine.Window(date(2023, 1, 1), date(2025, 12, 31), date(2025, 12, 31)),
        engine.Window(date(2024, 4, 1), date(2024, 6, 30), date(2024, 9, 30)),
        engine.Window(date(2024, 5, 6), date(2024, 5, 6), date(2024, 5, 6)),
        engine.Window(date(2024, 1, 1), date(2024, 12, 31), date(2024, 12, 31)),
    ]
    for w, got in zip(windows, rankings.window_sums(ids, windows), strict=True):
        assert got == engine.compute_sums(run_django, ids, w), w


def test_window_sums_only_the_sums_asked_for(city):
    ids = list(Court.objects.values_list("pk", flat=True))
    w = trend_windows(date(2025, 6, 30))[-1]
    (got,) = rankings.window_sums(ids, [w], rankings.sum_names(["IND-01"]))
    alone = engine.compute_sums(run_django, ids, w)
    assert rankings.sum_names(["IND-01"]) == {"closed", "accepted", "new", "carried"}
    keys = ("closed", "accepted", "new", "carried")
    assert {pk: {k: s.get(k, 0) for k in keys} for pk, s in got.items()} == {
        pk: {k: s.get(k, 0) for k in keys} for pk, s in alone.items() if any(s.get(k) for k in keys)
    }
    assert all(set(s) <= set(keys) for s in got.values())
    assert sum(s["closed"] for s in got.values()) > 0


@pytest.mark.parametrize("day", [date(2025, 12, 31), date(2025, 6, 17)], ids=str)
def test_trend_equals_the_per_month_computation(city, day):
    every = [i.id for i in engine.catalog()]
    for parent in (city["豫08"], city["豫"]):
        old = per_window_trend(day, parent, every)
        new = rankings.trend(day, parent, indicators=every)
        assert new["total"] == old["total"]
        assert {c["court"]: c["indicators"] for c in new["courts"]} == old["courts"]
        # One indicator at a time reads fewer sums and gives the same series.
        for i in ("IND-01", "IND-08", "IND-13"):
            one = rankings.trend(day, parent, indicators=[i])
            assert one["total"] == {i: old["total"][i]}
    assert any(v not in (None, "0.0000") for v in new["total"]["IND-01"])
