"""A name's grams become three characters (issue 11: a fragment search ≤ 200 ms).

0005 kept every two characters of a name. A fragment whose every two-character piece is common
— 农业合作社: 农业, 业合, 合作 and 作社 are each in 5,000 or more names of a province — was read
from the rarest piece's 5,000+ rows, each probed for the others (1,069 ms for 焦作's chief at a
million cases). Its three-character pieces are far rarer (农业合 is in few names: most read
农业专业合作社), and a long fragment is covered by a third as many of them.

Same number of rows: a name of n characters keeps its n − 1 grams, each of the three characters
from its place — the last two characters at the end of the name. A two-character fragment is
then the grams that start with it (建国 in 李建国 is the gram 建国 at place 2, in 王建国强 the gram
建国强): a range of the index, in the binary order of the characters (PostgreSQL: the column's
collation is "C"; SQLite compares text as bytes).

The rows are cut again from the names (the triggers' own SELECT): 12.9 million at a million
cases (bench/RESULTS.md for the time). The trigger functions of 0005/0006 stay; on PostgreSQL
only the function that cuts a name changes, on SQLite the triggers are made again."""

import importlib

from django.db import migrations, models

grams = importlib.import_module("zhixing.cases.migrations.0005_grams")
TABLE, SOURCE, COLUMN, REF = "cases_name_gram", "cases_party", "name", "party_id"


def sqlite_grams(row: str, size: int, source: str = "") -> str:
    """The grams of ``row``'s name: ``size`` characters from each place but the last."""
    return (f"SELECT substr(lower({row}.{COLUMN}), n, {size}), {row}.court_id, {row}.id, n FROM {source}zhixing_seq "
            f"WHERE n <= length({row}.{COLUMN}) - 1")  # fmt: skip


def sqlite_sql(size: int) -> list[str]:
    insert = f"INSERT INTO {TABLE} (gram, court_id, {REF}, pos) {sqlite_grams('NEW', size)}"
    delete = f"DELETE FROM {TABLE} WHERE (gram, court_id, {REF}, pos) IN ({sqlite_grams('OLD', size)})"
    return [
        *(f"DROP TRIGGER {TABLE}_{action}" for action in ("insert", "delete", "update")),
        f"DELETE FROM {TABLE}",
        f"CREATE TRIGGER {TABLE}_insert AFTER INSERT ON {SOURCE} BEGIN {insert}; END",
        f"CREATE TRIGGER {TABLE}_delete AFTER DELETE ON {SOURCE} BEGIN {delete}; END",
        f"CREATE TRIGGER {TABLE}_update AFTER UPDATE OF {COLUMN}, court_id ON {SOURCE} "
        f"WHEN OLD.{COLUMN} IS NOT NEW.{COLUMN} OR OLD.court_id IS NOT NEW.court_id BEGIN {delete}; {insert}; END",
        f"INSERT INTO {TABLE} (gram, court_id, {REF}, pos) {sqlite_grams('s', size, f'{SOURCE} AS s, ')}",
    ]


def postgresql_sql(size: int) -> list[str]:
    collation = ' COLLATE "C"' if size == 3 else ""
    return [
        f"TRUNCATE {TABLE}",
        # The key is built once over the new rows, not kept up as each goes in.
        f"ALTER TABLE {TABLE} DROP CONSTRAINT {TABLE}_pkey",
        f"ALTER TABLE {TABLE} ALTER COLUMN gram TYPE varchar({size}){collation}",
        f"CREATE OR REPLACE FUNCTION {TABLE}_of(t text) RETURNS TABLE (gram text, pos int) LANGUAGE sql "
        f"IMMUTABLE PARALLEL SAFE AS $$ SELECT substr(f, n, {size}), n FROM "
        f"(SELECT translate(t, '{grams.UPPER}', '{grams.LOWER}') AS f OFFSET 0) AS folded, "
        f"generate_series(1, char_length(f) - 1) AS n $$",
        f"INSERT INTO {TABLE} (gram, court_id, {REF}, pos) SELECT g.gram, s.court_id, s.id, g.pos "
        f"FROM {SOURCE} AS s, {TABLE}_of(s.{COLUMN}) AS g",
        f"ALTER TABLE {TABLE} ADD CONSTRAINT {TABLE}_pkey PRIMARY KEY (gram, court_id, {REF}, pos)",
    ]


def cut(size: int):
    def run(apps, schema_editor) -> None:
        vendor = schema_editor.connection.vendor
        for sql in sqlite_sql(size) if vendor == "sqlite" else postgresql_sql(size):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("cases", "0007_event_case_check")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(model_name="namegram", name="gram", field=models.CharField(max_length=3)),
            ],
            database_operations=[migrations.RunPython(cut(3), cut(2))],
        )
    ]
