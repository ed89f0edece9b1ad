"""National scale: the fact tables exported to Parquet (partitioned by province and
filing year) and the same indicator SQL run over them by DuckDB, or by Spark SQL for a
cluster (pyspark: the optional extra ``spark``).

The queries are ``metrics.engine``'s, unchanged: DuckDB and Spark see views with the
Django table names, so there is one definition of each indicator whichever engine runs it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.dataset as ds

from zhixing.metrics import engine

# Columns of each exported table, with their Arrow types. Booleans and dates are typed
# explicitly: SQLite hands booleans back as 0/1, and DuckDB's NOT needs a boolean.
TABLES: dict[str, dict[str, pa.DataType]] = {
    "metrics_casefact": {
        "case_id": pa.int64(), "court_id": pa.int64(), "case_type": pa.string(), "filed_on": pa.date32(),
        "closed_on": pa.date32(), "closing_mode": pa.string(), "claim_cents": pa.int64(), "recovered_cents": pa.int64(),
        "duration_days": pa.int32(), "actual": pa.bool_(), "terminated": pa.bool_(), "performed": pa.bool_(),
        "statutory_deadline": pa.date32(), "deadline_provisional": pa.bool_(), "closed_within_deadline": pa.bool_(),
        "resolution_day": pa.date32(), "termination_failed": pa.bool_(), "t14_due": pa.date32(),
        "registry_entry_on": pa.date32(), "resumed_on": pa.date32(), "special_party": pa.bool_(),
    },
    "metrics_obligationfact": {
        "case_id": pa.int64(), "court_id": pa.int64(), "key_node": pa.string(), "ref": pa.string(),
        "trigger_on": pa.date32(), "due_on": pa.date32(), "done_on": pa.date32(), "lapsed": pa.bool_(),
        "provisional": pa.bool_(),
    },
    "metrics_receiptfact": {
        "case_id": pa.int64(), "court_id": pa.int64(), "receipt": pa.string(), "notice_on": pa.date32(),
        "amount_cents": pa.int64(), "due_on": pa.date32(), "fully_disbursed_on": pa.date32(), "lodged": pa.bool_(),
    },
    "metrics_petitionfact": {
        "case_id": pa.int64(), "court_id": pa.int64(), "petition": pa.string(), "referred_by": pa.string(),
        "received_on": pa.date32(), "closing_due_on": pa.date32(), "closed_on": pa.date32(), "replied": pa.bool_(),
    },
    "metrics_tagfact": {"case_id": pa.int64(), "tag": pa.string(), "since": pa.date32()},
}  # fmt: skip
COURT_COLUMNS = {
    "id": pa.int64(),
    "code": pa.string(),
    "name": pa.string(),
    "level": pa.int16(),
    "path": pa.string(),
}
PARTITIONING = ds.partitioning(pa.schema([("province", pa.string()), ("year", pa.int16())]), flavor="hive")


def province_of(court_code: str) -> str:
    """The high court's code: 豫0823 → 豫 (最高法 stays 最高法)."""
    return court_code if court_code.startswith("最高法") else court_code[0]


def _batches(table: str, columns: dict[str, pa.DataType], chunk: int) -> Iterator[pa.RecordBatch]:
    """Stream a fact table with each row's province and filing year, ``chunk`` rows a batch."""
    from django.db import connection

    alias = "f"
    select = ", ".join(f"{alias}.{c}" for c in columns)
    join = "" if table == "metrics_casefact" else " JOIN metrics_casefact k ON k.case_id = f.case_id"
    filed = "f.filed_on" if table == "metrics_casefact" else "k.filed_on"
    court = "f.court_id" if table != "metrics_tagfact" else "k.court_id"
    if table == "metrics_tagfact":
        join = " JOIN metrics_casefact k ON k.case_id = f.case_id"
    sql = (
        f"SELECT {select}, cc.code, {filed} FROM {table} {alias}{join}"
        f" JOIN courts_court cc ON cc.id = {court} ORDER BY f.case_id"
    )
    schema = pa.schema([*columns.items(), ("province", pa.string()), ("year", pa.int16())])
    with connection.cursor() as cursor:
        cursor.execute(sql)
        while rows := cursor.fetchmany(chunk):
            cols = list(zip(*rows, strict=True))
            arrays = [
                _array(values, kind)
                for values, kind in zip(cols[: len(columns)], columns.values(), strict=True)
            ]
            arrays.append(pa.array([province_of(code) for code in cols[-2]], pa.string()))
            arrays.append(pa.array([_date(d).year for d in cols[-1]], pa.int16()))
            yield pa.RecordBatch.from_arrays(arrays, schema=schema)


def _date(value) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)  # SQLite returns text from raw cursors


def _array(values, kind: pa.DataType) -> pa.Array:
    if kind == pa.date32():
        values = [_date(v) for v in values]
    elif kind == pa.bool_():
        values = [None if v is None else bool(v) for v in values]
    return pa.array(values, kind)


def export_facts(directory: str | Path, *, chunk: int = 100_000) -> dict[str, int]:
    """Write every fact table (and the courts) under ``directory`` as Parquet datasets
    partitioned by province and filing year. Returns rows written per table."""
    from django.db import connection

    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    counts = {}
    for table, columns in TABLES.items():
        schema = pa.schema([*columns.items(), ("province", pa.string()), ("year", pa.int16())])
        batches = list(_batches(table, columns, chunk)) or [pa.RecordBatch.from_pylist([], schema=schema)]
        counts[table] = sum(b.num_rows for b in batches)
        ds.write_dataset(
            batches, out / table, schema=schema, format="parquet", partitioning=PARTITIONING,
            existing_data_behavior="delete_matching", max_rows_per_group=1_000_000,
        )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, code, name, level, path FROM courts_court ORDER BY id")
        rows = cursor.fetchall()
    cols = list(zip(*rows, strict=True)) if rows else [[] for _ in COURT_COLUMNS]
    courts = pa.table(
        {
            name: pa.array(list(values), kind)
            for (name, kind), values in zip(COURT_COLUMNS.items(), cols, strict=True)
        }
    )
    import pyarrow.parquet as pq

    pq.write_table(courts, out / "courts.parquet")
    counts["courts_court"] = courts.num_rows
    return counts


_PARAM = re.compile(r":(f3|f|t|a)\b")
_DUCK = {
    pa.int64(): "BIGINT",
    pa.int32(): "INTEGER",
    pa.string(): "VARCHAR",
    pa.date32(): "DATE",
    pa.bool_(): "BOOLEAN",
}


class _ParquetFacts:
    """What both Parquet engines share: the report over a subtree of the exported courts."""

    def run(self, sql: str, params: dict[str, date]) -> list[dict]:
        raise NotImplementedError

    def courts(self, code: str | None = None) -> list[tuple[int, str, str]]:
        raise NotImplementedError

    def indicator_report(self, window: engine.Window, court: str | None = None) -> dict:
        """The spec/cli.md ``indicators --json`` document, computed by this engine."""
        courts = self.courts(court)
        sums = engine.compute_sums(self.run, [c[0] for c in courts], window, shape="scan")
        return {
            "from": window.start.isoformat(),
            "to": window.end.isoformat(),
            "as_of": window.as_of.isoformat(),
            "courts": [
                {"court": code, "name": name, "indicators": engine.figures(sums[pk])}
                for pk, code, name in courts
                if pk in sums
            ],
            "total": {"indicators": engine.figures(engine.add_sums(sums.get(pk, {}) for pk, _, _ in courts))},
        }


class DuckDBFacts(_ParquetFacts):
    """A DuckDB connection whose views carry the fact tables' names over a Parquet export."""

    def __init__(self, directory: str | Path, *, threads: int | None = None):
        self.directory = Path(directory)
        self.con = duckdb.connect()
        if threads:
            self.con.execute(f"SET threads = {int(threads)}")
        for table, columns in TABLES.items():
            pattern = str(self.directory / table / "**" / "*.parquet")
            if any((self.directory / table).glob("**/*.parquet")):
                source = f"SELECT * FROM read_parquet('{pattern}', hive_partitioning = true)"
            else:  # a table without rows may have been written as no file at all
                source = (
                    "SELECT "
                    + ", ".join(f"NULL::{_DUCK[t]} AS {c}" for c, t in columns.items())
                    + " WHERE false"
                )
            self.con.execute(f"CREATE VIEW {table} AS {source}")
        self.con.execute(
            f"CREATE VIEW courts_court AS SELECT * FROM read_parquet('{self.directory / 'courts.parquet'}')"
        )

    def run(self, sql: str, params: dict[str, date]) -> list[dict]:
        names = _PARAM.findall(sql)
        result = self.con.execute(_PARAM.sub("?", sql), [params[n] for n in names])
        columns = [c[0] for c in result.description]
        return [dict(zip(columns, row, strict=True)) for row in result.fetchall()]

    def courts(self, code: str | None = None) -> list[tuple[int, str, str]]:
        """(id, code, name) of the court ``code`` and every court below it (all if None)."""
        if code is None:
            rows = self.con.execute("SELECT id, code, name FROM courts_court ORDER BY path").fetchall()
        else:
            rows = self.con.execute(
                "SELECT id, code, name FROM courts_court WHERE starts_with(path, (SELECT path FROM courts_court WHERE code = ?))"
                " ORDER BY path",
                [code],
            ).fetchall()
        return rows


_SPARK_TYPES = {
    pa.int64(): "BIGINT", pa.int32(): "INT", pa.int16(): "SMALLINT", pa.string(): "STRING",
    pa.date32(): "DATE", pa.bool_(): "BOOLEAN",
}  # fmt: skip


def spark_session(master: str = "local[2]"):
    """A local Spark session for tests and single machines (on a cluster, pass your own)."""
    from pyspark.sql import SparkSession

    spark = (
        SparkSession.builder.master(master)
        .appName("zhixing")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    return spark


class SparkFacts(_ParquetFacts):
    """Spark SQL temporary views with the fact tables' names over a Parquet export; the
    engine's queries run unchanged, dates bound as named parameters (``:f``, ``:t`` …).

    The files are read by their own schema (``TABLES``), not through partition discovery:
    the queries need neither partition column, and Spark would decode the percent-encoded
    province names of the directories byte by byte."""

    def __init__(self, directory: str | Path, spark=None):
        self.directory = Path(directory)
        self.spark = spark or spark_session()
        for table, columns in TABLES.items():
            schema = ", ".join(f"{c} {_SPARK_TYPES[t]}" for c, t in columns.items())
            if any((self.directory / table).glob("**/*.parquet")):
                frame = (
                    self.spark.read.schema(schema)
                    .option("recursiveFileLookup", "true")
                    .parquet(str(self.directory / table))
                )
            else:
                frame = self.spark.createDataFrame([], schema)
            frame.createOrReplaceTempView(table)
        courts = self.spark.read.parquet(str(self.directory / "courts.parquet"))
        courts.createOrReplaceTempView("courts_court")
        self._courts = sorted(
            (r["path"], r["id"], r["code"], r["name"])
            for r in courts.select("id", "code", "name", "path").collect()
        )

    def run(self, sql: str, params: dict[str, date]) -> list[dict]:
        used = {name: params[name] for name in set(_PARAM.findall(sql))}
        return [row.asDict() for row in self.spark.sql(sql, args=used).collect()]

    def courts(self, code: str | None = None) -> list[tuple[int, str, str]]:
        """(id, code, name) of the court ``code`` and every court below it (all if None)."""
        if code is None:
            return [(pk, c, name) for _, pk, c, name in self._courts]
        root = next((path for path, _, c, _ in self._courts if c == code), None)
        if root is None:
            return []
        return [(pk, c, name) for path, pk, c, name in self._courts if path.startswith(root)]
