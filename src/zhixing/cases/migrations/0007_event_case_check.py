"""PostgreSQL: an event's case is checked once per statement, not once per row (issue 2).

An import writes ~20 events a case. The foreign key from ``cases_nodeevent.case_id`` made
PostgreSQL look the case up (and lock it) once per event row at commit: 2 million lookups for
100,000 cases. Statement triggers with transition tables check the same rule per statement:
the distinct cases of the inserted (or updated) events are locked FOR KEY SHARE, as the foreign
key would lock them, and must all be found. On the case side a row trigger refuses to delete a
case, or change its id, while an event points at it. Measured at 100,000 cases: commit 10.3 s → 4.2 s, the event
COPY 10.4 s → 12.9 s (the transition table), the import 52.2 s → 49.5 s.

Differences from the foreign key, both deliberate:
- the check runs at the end of each statement, not at commit (no code writes an event
  before its case; Django deletes a case's events before the case);
- under REPEATABLE READ a case deleted while another transaction adds its first event could
  slip past the delete check (the application runs READ COMMITTED, where it cannot).

SQLite keeps its foreign key (a lookup in the same process, cheap). The model still declares the
constraint: a later migration that alters ``NodeEvent.case`` on PostgreSQL must first reverse
this one (Django would look for the dropped constraint and stop)."""

from django.db import migrations

CHECK_EVENTS = """
CREATE FUNCTION cases_nodeevent_case_check() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE wanted bigint; locked bigint;
BEGIN
  SELECT count(*) INTO wanted FROM (SELECT DISTINCT case_id FROM new_rows) AS named;
  -- Driven from the distinct ids (a few per statement, or a thousand for an import's COPY):
  -- each case found by its primary key, never a scan of the cases.
  SELECT count(*) INTO locked FROM (
    SELECT 1 FROM (SELECT DISTINCT case_id FROM new_rows) AS named JOIN cases_case AS c ON c.id = named.case_id
    FOR KEY SHARE OF c
  ) AS found;
  IF locked <> wanted THEN
    RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation',
      MESSAGE = 'insert or update on table "cases_nodeevent" violates foreign key constraint "cases_nodeevent_case_check"',
      DETAIL = 'Key (case_id) is not present in table "cases_case".';
  END IF;
  RETURN NULL;
END $$
"""
# A row trigger on the case side: deletes are rare, and an update fires it only when it sets
# the id (never, in the application), so a case's every save pays nothing for it.
CHECK_CASES = """
CREATE FUNCTION cases_case_events_check() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM cases_nodeevent AS e WHERE e.case_id = OLD.id) THEN
    RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation',
      MESSAGE = 'update or delete on table "cases_case" violates foreign key constraint "cases_nodeevent_case_check" on table "cases_nodeevent"',
      DETAIL = 'Key (id)=(' || OLD.id || ') is still referenced from table "cases_nodeevent".';
  END IF;
  RETURN NULL;
END $$
"""
TRIGGERS = [
    "CREATE TRIGGER cases_nodeevent_case_insert AFTER INSERT ON cases_nodeevent REFERENCING NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION cases_nodeevent_case_check()",
    "CREATE TRIGGER cases_nodeevent_case_update AFTER UPDATE ON cases_nodeevent REFERENCING NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION cases_nodeevent_case_check()",
    "CREATE TRIGGER cases_case_events_delete AFTER DELETE ON cases_case "
    "FOR EACH ROW EXECUTE FUNCTION cases_case_events_check()",
    "CREATE TRIGGER cases_case_events_update AFTER UPDATE OF id ON cases_case "
    "FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION cases_case_events_check()",
]


def _case_foreign_keys(schema_editor, table: str) -> list[str]:
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, table)
    return [
        name
        for name, c in found.items()
        if c["foreign_key"] == ("cases_case", "id") and c["columns"] == ["case_id"]
    ]


def forwards(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in _case_foreign_keys(schema_editor, "cases_nodeevent"):
        schema_editor.execute(f"ALTER TABLE cases_nodeevent DROP CONSTRAINT {schema_editor.quote_name(name)}")
    for sql in [CHECK_EVENTS, CHECK_CASES, *TRIGGERS]:
        schema_editor.execute(sql)


def backwards(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for trigger, table in [
        ("cases_nodeevent_case_insert", "cases_nodeevent"),
        ("cases_nodeevent_case_update", "cases_nodeevent"),
        ("cases_case_events_delete", "cases_case"),
        ("cases_case_events_update", "cases_case"),
    ]:
        schema_editor.execute(f"DROP TRIGGER {trigger} ON {table}")
    for function in ("cases_nodeevent_case_check", "cases_case_events_check"):
        schema_editor.execute(f"DROP FUNCTION {function}()")
    model = apps.get_model("cases", "NodeEvent")
    field = model._meta.get_field("case")
    schema_editor.execute(schema_editor._create_fk_sql(model, field, "_fk_%(to_table)s_%(to_column)s"))


class Migration(migrations.Migration):
    dependencies = [("cases", "0006_fewer_indexes")]

    operations = [migrations.RunPython(forwards, backwards)]
