"""The n-gram tables a fragment search reads (issue 11: a search ≤ 200 ms at a million cases,
also for a text found inside a name or case number, such as 合作社 or 执1301): every two
characters of each party's name (cases_name_gram) and every three of each case number
(cases_number_gram), with the row's court and the piece's place in it, kept in step by the database's own triggers so
that no write path (import, forms, a resumed case, a deletion) can forget them.

Grams are of the text with ASCII letters lowered (the search folds the text it looks for the
same way); SQLite's lower() folds ASCII only, so PostgreSQL folds with translate() to agree.
SQLite triggers may not use a WITH clause, so a table of the numbers 1–200 (a name's longest)
stands in for generate_series."""

from django.db import migrations, models

UPPER, LOWER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz"
# (table, gram size, source table, source column, the source's id column in the gram table)
GRAMS = [
    ("cases_name_gram", 2, "cases_party", "name", "party_id"),
    ("cases_number_gram", 3, "cases_case", "case_number", "case_id"),
]


def sqlite_grams(row: str, column: str, size: int, source: str = "") -> str:
    """The grams of ``row``'s ``column`` with the row's court and id, for each row of ``source``
    (the trigger's row, when none)."""
    return (f"SELECT substr(lower({row}.{column}), n, {size}), {row}.court_id, {row}.id, n FROM {source}zhixing_seq "
            f"WHERE n <= length({row}.{column}) - {size - 1}")  # fmt: skip


def sqlite_sql() -> list[str]:
    out = [
        "CREATE TABLE zhixing_seq (n INTEGER PRIMARY KEY)",
        "INSERT INTO zhixing_seq (n) WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 200) "
        "SELECT n FROM r",
    ]
    for table, size, source, column, ref in GRAMS:
        insert = f"INSERT OR IGNORE INTO {table} (gram, court_id, {ref}, pos) {sqlite_grams('NEW', column, size)}"
        delete = f"DELETE FROM {table} WHERE (gram, court_id, {ref}, pos) IN ({sqlite_grams('OLD', column, size)})"
        out += [
            f"CREATE TABLE {table} (gram TEXT NOT NULL, court_id INTEGER NOT NULL, {ref} INTEGER NOT NULL, "
            f"pos INTEGER NOT NULL, PRIMARY KEY (gram, court_id, {ref}, pos)) WITHOUT ROWID",
            f"CREATE TRIGGER {table}_insert AFTER INSERT ON {source} BEGIN {insert}; END",
            f"CREATE TRIGGER {table}_delete AFTER DELETE ON {source} BEGIN {delete}; END",
            # Django's save() sets every column: the WHEN spares a case's every save.
            f"CREATE TRIGGER {table}_update AFTER UPDATE OF {column}, court_id ON {source} "
            f"WHEN OLD.{column} IS NOT NEW.{column} OR OLD.court_id IS NOT NEW.court_id BEGIN {delete}; {insert}; END",
            f"INSERT OR IGNORE INTO {table} (gram, court_id, {ref}, pos) "
            f"{sqlite_grams('s', column, size, f'{source} AS s, ')}",
        ]
    return out


def postgresql_sql() -> list[str]:
    out = []
    for table, size, source, column, ref in GRAMS:
        grams = f"{table}_of"
        out += [
            f"CREATE TABLE {table} (gram varchar({size}) NOT NULL, court_id bigint NOT NULL, {ref} bigint NOT NULL, "
            f"pos smallint NOT NULL, PRIMARY KEY (gram, court_id, {ref}, pos))",
            f"CREATE FUNCTION {grams}(t text) RETURNS TABLE (gram text, pos int) LANGUAGE sql IMMUTABLE STRICT "
            f"PARALLEL SAFE AS $$ SELECT substr(translate(t, '{UPPER}', '{LOWER}'), n, {size}), n "
            f"FROM generate_series(1, char_length(t) - {size - 1}) AS n $$",
            # Statement triggers with transition tables: an import's COPY of thousands of rows
            # runs one INSERT … SELECT, not a trigger call a row.
            f"CREATE FUNCTION {table}_insert() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"INSERT INTO {table} (gram, court_id, {ref}, pos) SELECT g.gram, s.court_id, s.id, g.pos FROM new_rows AS s, "
            f"{grams}(s.{column}) AS g ON CONFLICT DO NOTHING; RETURN NULL; END $$",
            f"CREATE FUNCTION {table}_delete() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"DELETE FROM {table} AS t USING old_rows AS s, {grams}(s.{column}) AS g "
            f"WHERE t.gram = g.gram AND t.pos = g.pos AND t.court_id = s.court_id AND t.{ref} = s.id; RETURN NULL; END $$",
            f"CREATE FUNCTION {table}_update() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"DELETE FROM {table} AS t USING old_rows AS s, new_rows AS n, {grams}(s.{column}) AS g "
            f"WHERE n.id = s.id AND (n.{column}, n.court_id) IS DISTINCT FROM (s.{column}, s.court_id) "
            f"AND t.gram = g.gram AND t.pos = g.pos AND t.court_id = s.court_id AND t.{ref} = s.id; "
            f"INSERT INTO {table} (gram, court_id, {ref}, pos) SELECT g.gram, n.court_id, n.id, g.pos FROM new_rows AS n "
            f"JOIN old_rows AS s ON s.id = n.id, {grams}(n.{column}) AS g "
            f"WHERE (n.{column}, n.court_id) IS DISTINCT FROM (s.{column}, s.court_id) ON CONFLICT DO NOTHING; "
            f"RETURN NULL; END $$",
            f"CREATE TRIGGER {table}_insert AFTER INSERT ON {source} REFERENCING NEW TABLE AS new_rows "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {table}_insert()",
            f"CREATE TRIGGER {table}_delete AFTER DELETE ON {source} REFERENCING OLD TABLE AS old_rows "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {table}_delete()",
            f"CREATE TRIGGER {table}_update AFTER UPDATE ON {source} REFERENCING OLD TABLE AS old_rows "
            f"NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {table}_update()",
            f"INSERT INTO {table} (gram, court_id, {ref}, pos) SELECT g.gram, s.court_id, s.id, g.pos FROM {source} AS s, "
            f"{grams}(s.{column}) AS g ON CONFLICT DO NOTHING",
        ]
    return out


def create(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    for sql in sqlite_sql() if vendor == "sqlite" else postgresql_sql():
        schema_editor.execute(sql)


def drop(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    for table, _size, source, _column, _ref in GRAMS:
        for action in ("insert", "delete", "update"):
            schema_editor.execute(f"DROP TRIGGER {table}_{action} ON {source}" if vendor == "postgresql"
                                  else f"DROP TRIGGER {table}_{action}")  # fmt: skip
            if vendor == "postgresql":
                schema_editor.execute(f"DROP FUNCTION {table}_{action}()")
        schema_editor.execute(f"DROP TABLE {table}")
        if vendor == "postgresql":
            schema_editor.execute(f"DROP FUNCTION {table}_of(text)")
    if vendor == "sqlite":
        schema_editor.execute("DROP TABLE zhixing_seq")


def gram_model(name: str, size: int, ref: str, to: str) -> migrations.CreateModel:
    return migrations.CreateModel(
        name=name,
        fields=[
            ("pk", models.CompositePrimaryKey("gram", "court", ref, "pos", blank=True, editable=False, primary_key=True,
                                              serialize=False)),  # fmt: skip
            ("gram", models.CharField(max_length=size)),
            ("pos", models.PositiveSmallIntegerField()),
            ("court", models.ForeignKey(db_constraint=False, on_delete=models.DO_NOTHING, related_name="+",
                                        to="courts.court")),  # fmt: skip
            (ref, models.ForeignKey(db_constraint=False, on_delete=models.DO_NOTHING, related_name="+", to=to)),
        ],
        options={"db_table": f"cases_{name.lower().replace('gram', '_gram')}"},
    )


class Migration(migrations.Migration):
    dependencies = [
        ("courts", "0001_initial"),
        ("cases", "0004_party_court"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                gram_model("NameGram", 2, "party", "cases.party"),
                gram_model("NumberGram", 3, "case", "cases.case"),
            ],
            database_operations=[migrations.RunPython(create, drop)],
        )
    ]
