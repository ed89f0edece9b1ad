"""One definition, several engines, Spark included: the catalog's SQL run by Spark SQL over
the Parquet export gives exactly the sums of the database engine and of DuckDB, on the
example bundle and on a simulated city, for windows that cut through cases.

Needs the optional extra ``spark`` (pyspark) and a Java runtime; skipped without them.
One test function, so that one worker starts one JVM."""

from __future__ import annotations

import io
import json
import shutil
from datetime import date
from pathlib import Path

import pytest

pytest.importorskip("pyspark", reason="pyspark is the optional extra 'spark' (uv sync --extra spark)")
if shutil.which("java") is None:
    pytest.skip("Spark needs a Java runtime", allow_module_level=True)

from zhixing.cases.services import import_bundle
from zhixing.cli import main
from zhixing.courts.models import Court
from zhixing.metrics import engine
from zhixing.metrics.national import DuckDBFacts, SparkFacts, export_facts, spark_session
from zhixing.metrics.services import run_django

EXAMPLE = Path(__file__).resolve().parents[2].parent / "shared" / "spec" / "example.jsonl"

EXAMPLE_WINDOWS = [
    engine.Window(date(2023, 1, 1), date(2023, 12, 31), date(2023, 12, 31)),
    engine.Window(date(2023, 4, 1), date(2023, 6, 30), date(2023, 9, 30)),  # cuts through cases; as-of later
    engine.Window(date(2023, 5, 6), date(2023, 5, 6), date(2023, 5, 6)),  # one day: a receipt's due day
    engine.Window(date(2020, 1, 1), date(2026, 12, 31), date(2027, 3, 1)),
]
CITY_WINDOWS = [
    engine.Window(date(2024, 1, 1), date(2024, 12, 31), date(2024, 12, 31)),
    engine.Window(date(2025, 3, 1), date(2025, 5, 31), date(2025, 8, 31)),
]


def _sums(run, window, shape=None):
    courts = dict(Court.objects.values_list("pk", "code"))
    sums = engine.compute_sums(run, list(courts), window, shape)
    return {courts[pk]: {k: v for k, v in s.items() if v} for pk, s in sums.items() if any(s.values())}


@pytest.fixture(scope="module")
def spark():
    session = spark_session("local[1]")
    yield session
    session.stop()


def test_spark_gives_the_numbers_of_every_other_engine(db, tmp_path, spark, capsys, monkeypatch):
    from django.db import connections

    # As in tests/test_cli.py: the CLI closes every connection when it ends, which on
    # PostgreSQL would end the test's transaction between the two runs below.
    monkeypatch.setattr(connections, "close_all", lambda: None)
    with EXAMPLE.open(encoding="utf-8") as f:
        assert import_bundle(f).rejected == []
    export_facts(tmp_path / "example")
    on_spark, on_duck = SparkFacts(tmp_path / "example", spark), DuckDBFacts(tmp_path / "example")
    for window in EXAMPLE_WINDOWS:
        expected = _sums(run_django, window)
        assert expected, window  # the example has something to count in each window
        assert _sums(on_spark.run, window, "scan") == expected, window
        assert _sums(on_duck.run, window, "scan") == expected, window
    # The whole report (figures, targets, cases_needed) of one court subtree, as the CLI prints it.
    assert on_spark.indicator_report(EXAMPLE_WINDOWS[0], "豫08") == on_duck.indicator_report(
        EXAMPLE_WINDOWS[0], "豫08"
    )
    assert on_spark.courts("豫0823") == on_duck.courts("豫0823")
    assert on_spark.courts("京") == []
    # The CLI: `indicators --parquet DIR --spark` prints what `--parquet DIR` (DuckDB) prints.
    argv = ["indicators", "--from", "2023-04-01", "--to", "2023-06-30", "--as-of", "2023-09-30", "--json"]
    argv += ["--parquet", str(tmp_path / "example")]
    documents = []
    for extra in ([], ["--spark"]):
        assert main([*argv, *extra]) == 0
        documents.append(json.loads(capsys.readouterr().out))
    assert documents[0] == documents[1]
    assert documents[1]["total"]["indicators"]["IND-01"]["denominator"] > 0

    simulate = pytest.importorskip("zhixing.simulate.generator").simulate
    buf = io.StringIO()
    simulate(buf, seed=11, years=3, cases_per_court_year=25)
    buf.seek(0)
    assert import_bundle(buf).rejected == []
    export_facts(tmp_path / "city")
    on_spark = SparkFacts(tmp_path / "city", spark)
    for window in CITY_WINDOWS:
        expected = _sums(run_django, window)
        assert sum(s.get("closed", 0) for s in expected.values()) > 20, window
        assert _sums(on_spark.run, window, "scan") == expected, window
