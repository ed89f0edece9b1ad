"""One definition, several engines: the grouped SQL over stored facts (on the test
database and on DuckDB over a Parquet export) gives exactly the sums of the literal,
case-by-case evaluation of indicators.md §4–5 at the as-of date — for windows that cut
through cases, as-of dates after the window, and every court."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest

from zhixing.cases.loader import load_records
from zhixing.cases.models import Case
from zhixing.cases.services import import_bundle
from zhixing.courts.models import Court
from zhixing.metrics import engine
from zhixing.metrics.national import DuckDBFacts, export_facts
from zhixing.metrics.reference import reference_sums
from zhixing.metrics.services import run_django

EXAMPLE = Path(__file__).resolve().parents[2].parent / "shared" / "spec" / "example.jsonl"

WINDOWS = [
    engine.Window(date(2023, 1, 1), date(2023, 12, 31), date(2023, 12, 31)),
    engine.Window(date(2023, 4, 1), date(2023, 6, 30), date(2023, 6, 30)),  # cuts through A, B, D
    engine.Window(date(2023, 4, 1), date(2023, 6, 30), date(2023, 9, 30)),  # as-of after the window
    engine.Window(date(2023, 5, 6), date(2023, 5, 6), date(2023, 5, 6)),  # one day: B r1's due day
    engine.Window(date(2022, 10, 1), date(2023, 3, 31), date(2023, 3, 31)),
    engine.Window(date(2023, 7, 1), date(2024, 6, 30), date(2025, 12, 31)),
    engine.Window(date(2020, 1, 1), date(2026, 12, 31), date(2027, 3, 1)),
]


def _sql_sums(run, window, shape=None):
    courts = dict(Court.objects.values_list("pk", "code"))
    sums = engine.compute_sums(run, list(courts), window, shape)
    return {courts[pk]: {k: v for k, v in s.items() if v} for pk, s in sums.items() if any(s.values())}


def _reference(window):
    records = [r for _, r in load_records(Case.objects.all())]
    ref = reference_sums(records, window)
    return {court: {k: v for k, v in s.items() if v} for court, s in ref.items() if any(s.values())}


@pytest.fixture
def example_db(db):
    with EXAMPLE.open(encoding="utf-8") as f:
        report = import_bundle(f)
    assert (report.imported, report.rejected) == (5, [])


@pytest.mark.parametrize("window", WINDOWS, ids=lambda w: f"{w.start}..{w.end}@{w.as_of}")
def test_sql_engine_equals_the_literal_definitions(example_db, window):
    expected = _reference(window)
    assert _sql_sums(run_django, window, "ranges") == expected
    # The one-pass shape of the column stores gives the same sums on the same database.
    assert _sql_sums(run_django, window, "scan") == expected


def test_every_case_sum_has_index_ranges_that_its_condition_implies():
    """The ranges shape reads each sum from the ranges named for it: every sum is placed,
    a sum's ranges are disjoint where it has several, and each range names the case type
    and a date column its condition restricts."""
    names = [*engine.CASE_SUMS, *engine.CASE_VALUE_SUMS]
    placed = {n: engine.SUM_RANGES.get(n, ("closed",)) for n in names}
    assert set(engine.SUM_RANGES) <= set(names)
    assert placed["carried"] == ("open_before", "closed_later")
    assert "c.closed_on IS NULL" in engine.CASE_RANGES["open_before"]
    assert "c.closed_on >= :f" in engine.CASE_RANGES["closed_later"]
    implied_by = {  # the phrase of a sum's condition that confines it to the range
        "filed": "c.filed_on BETWEEN :f AND :t",
        "filed_3y": "c.filed_on BETWEEN :f3 AND :t",
        "closed": "c.closed_on BETWEEN :f AND :t",
        "resolved": "c.resolution_day BETWEEN :f AND :t",
    }
    for name, ranges in placed.items():
        condition = engine.CASE_SUMS.get(name) or engine.CASE_VALUE_SUMS[name][0]
        assert (
            "c.case_type = 'first'" in condition
            or "c.case_type = 'resumed'" in condition
            or ("c.case_type IN ('first', 'resumed')" in condition)
        ), name
        for r in ranges:
            if r in implied_by:
                assert implied_by[r] in condition, (name, r)
    sql = engine.queries("1, 2", "ranges")
    assert len(sql) == len(engine.CASE_RANGES) + 3
    assert all("c.court_id IN (1, 2)" in q or "r.court_id IN (1, 2)" in q for q in sql)


def test_duckdb_over_parquet_equals_the_database(example_db, tmp_path):
    export_facts(tmp_path / "facts")
    duck = DuckDBFacts(tmp_path / "facts")
    for window in WINDOWS:
        assert _sql_sums(duck.run, window, "scan") == _sql_sums(run_django, window), window


def test_simulated_city_agrees_across_engines(db, tmp_path):
    simulate = pytest.importorskip("zhixing.simulate.generator").simulate
    buf = io.StringIO()
    simulate(buf, seed=7, years=3, cases_per_court_year=40)
    buf.seek(0)
    report = import_bundle(buf)
    assert report.rejected == []
    export_facts(tmp_path / "facts")
    duck = DuckDBFacts(tmp_path / "facts")
    for window in (
        engine.Window(date(2024, 1, 1), date(2024, 12, 31), date(2024, 12, 31)),
        engine.Window(date(2025, 3, 1), date(2025, 5, 31), date(2025, 8, 31)),
        engine.Window(date(2023, 1, 1), date(2025, 12, 31), date(2025, 12, 31)),
    ):
        sql = _sql_sums(run_django, window)
        assert sql == _reference(window), window
        assert _sql_sums(duck.run, window, "scan") == sql, window
        assert _sql_sums(run_django, window, "scan") == sql, window


def test_drill_down_lists_exactly_the_cases_a_count_counts(example_db):
    from zhixing.metrics.services import cases_behind, indicator_report

    window = WINDOWS[0]
    court = Court.objects.get(code="豫0823")
    figures = indicator_report(window, court)["total"]["indicators"]
    numbers = dict(Case.objects.values_list("pk", "case_number"))
    behind = {
        (i.id, part): sorted(numbers[pk] for pk in cases_behind(i.id, part, window, [court.pk]))
        for i in engine.catalog()
        for part in ("numerator", "denominator")
    }
    A, B, C, D, E = (
        "（2023）豫0823执1234号", "（2023）豫0823执1301号", "（2023）豫0823执2101号", "（2022）豫0823执1876号", "（2023）豫0823执恢15号",
    )  # fmt: skip
    assert behind[("IND-01", "denominator")] == sorted([A, B, C, D])
    assert behind[("IND-01", "numerator")] == sorted([A, B])
    assert behind[("IND-08", "numerator")] == [C]
    assert behind[("IND-10", "denominator")] == sorted([B, D])
    assert behind[("IND-12", "denominator")] == sorted([B, E])
    assert behind[("IND-15", "numerator")] == [E]
    for (ind, part), cases in behind.items():
        value = figures[ind][part]
        if isinstance(value, int) and ind not in ("IND-08", "IND-11", "IND-11a", "IND-12"):
            assert len(cases) == value, (ind, part)
