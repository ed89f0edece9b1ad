"""The event log's two optional keys cost an import nothing they do not need (issue 2).

Every imported event supersedes nothing and was recorded by no user, yet each paid for both:
- ``supersedes`` was a one-to-one field, so its unique index held an entry for every NULL
  (two million a 100,000-case import). It is now a foreign key with a *partial* unique
  constraint: a row is superseded at most once, and rows that supersede nothing add no entry.
  The same SQL reads ``superseded_by__isnull`` (a left join either way).
- PostgreSQL queued a foreign-key check per row and key at commit, each finding NULL (the A/B
  of session 9: 2–7 % of the import). There, as migration 0007 did for the event's case, the
  two keys are checked once per statement: the distinct non-NULL ids of the inserted or updated
  events are locked FOR KEY SHARE, as the foreign key would lock them, and must all be found.
  The referenced side keeps the foreign key's timing: a deferred constraint trigger refuses,
  at commit, to delete (or renumber) an event another event supersedes, or a user who
  recorded an event.

Differences from the foreign keys, deliberate: the insert-side check runs at the end of each
statement, not at commit (no code writes a correction before the row it corrects). SQLite
keeps its foreign keys (an in-process lookup that a NULL skips). As with 0007, the model still
declares both constraints: Django finds none to drop on PostgreSQL and carries on."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

CHECK_EVENTS = """
CREATE FUNCTION cases_nodeevent_refs_check() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE corrected bigint; recorders bigint; found bigint;
BEGIN
  -- One pass over the statement's rows; an import's have neither key, and stop here.
  SELECT count(DISTINCT supersedes_id), count(DISTINCT recorded_by_id) INTO corrected, recorders FROM new_rows;
  IF corrected > 0 THEN
    SELECT count(*) INTO found FROM (
      SELECT 1 FROM (SELECT DISTINCT supersedes_id FROM new_rows WHERE supersedes_id IS NOT NULL) AS named
      JOIN cases_nodeevent AS e ON e.id = named.supersedes_id FOR KEY SHARE OF e
    ) AS locked;
    IF found <> corrected THEN
      RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation',
        MESSAGE = 'insert or update on table "cases_nodeevent" violates foreign key constraint "cases_nodeevent_supersedes_check"',
        DETAIL = 'Key (supersedes_id) is not present in table "cases_nodeevent".';
    END IF;
  END IF;
  IF recorders > 0 THEN
    SELECT count(*) INTO found FROM (
      SELECT 1 FROM (SELECT DISTINCT recorded_by_id FROM new_rows WHERE recorded_by_id IS NOT NULL) AS named
      JOIN {users} AS u ON u.id = named.recorded_by_id FOR KEY SHARE OF u
    ) AS locked;
    IF found <> recorders THEN
      RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation',
        MESSAGE = 'insert or update on table "cases_nodeevent" violates foreign key constraint "cases_nodeevent_recorded_by_check"',
        DETAIL = 'Key (recorded_by_id) is not present in table "{users}".';
    END IF;
  END IF;
  RETURN NULL;
END $$
"""


def _still_named(function: str, table: str, column: str, constraint: str) -> str:
    """A row trigger's function on the referenced side, deferred to commit as Django's foreign
    keys are: deletes are rare (a case's events go with it, in batches Django orders as it
    likes), and an update fires it only when it changes the id."""
    return f"""
CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM cases_nodeevent AS e WHERE e.{column} = OLD.id) THEN
    RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation',
      MESSAGE = 'update or delete on table "{table}" violates foreign key constraint "{constraint}" on table "cases_nodeevent"',
      DETAIL = 'Key (id)=(' || OLD.id || ') is still referenced from table "cases_nodeevent".';
  END IF;
  RETURN NULL;
END $$
"""


CHECK_SUPERSEDED = _still_named(
    "cases_nodeevent_superseded_check", "cases_nodeevent", "supersedes_id", "cases_nodeevent_supersedes_check"
)
CHECK_RECORDERS = _still_named(
    "cases_user_events_check", "{users}", "recorded_by_id", "cases_nodeevent_recorded_by_check"
)
TRIGGERS = [
    ("cases_nodeevent_refs_insert", "cases_nodeevent",
     "AFTER INSERT ON cases_nodeevent REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT "
     "EXECUTE FUNCTION cases_nodeevent_refs_check()"),
    ("cases_nodeevent_refs_update", "cases_nodeevent",
     "AFTER UPDATE ON cases_nodeevent REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT "
     "EXECUTE FUNCTION cases_nodeevent_refs_check()"),
    ("cases_nodeevent_superseded_delete", "cases_nodeevent",
     "AFTER DELETE ON cases_nodeevent DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
     "EXECUTE FUNCTION cases_nodeevent_superseded_check()"),
    ("cases_nodeevent_superseded_update", "cases_nodeevent",
     "AFTER UPDATE OF id ON cases_nodeevent DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
     "WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION cases_nodeevent_superseded_check()"),
    ("cases_user_events_delete", "{users}",
     "AFTER DELETE ON {users} DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
     "EXECUTE FUNCTION cases_user_events_check()"),
    ("cases_user_events_update", "{users}",
     "AFTER UPDATE OF id ON {users} DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
     "WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION cases_user_events_check()"),
]  # fmt: skip
FUNCTIONS = ("cases_nodeevent_refs_check", "cases_nodeevent_superseded_check", "cases_user_events_check")


def _users(apps) -> str:
    """The user table (``AUTH_USER_MODEL``: ``courts_user``)."""
    return apps.get_model(settings.AUTH_USER_MODEL)._meta.db_table


def _foreign_keys(schema_editor, column: str, target: str) -> list[str]:
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, "cases_nodeevent")
    return [
        name for name, c in found.items() if c["foreign_key"] == (target, "id") and c["columns"] == [column]
    ]


def forwards(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    users = _users(apps)
    for column, target in (("supersedes_id", "cases_nodeevent"), ("recorded_by_id", users)):
        for name in _foreign_keys(schema_editor, column, target):
            schema_editor.execute(
                f"ALTER TABLE cases_nodeevent DROP CONSTRAINT {schema_editor.quote_name(name)}"
            )
    # The user table is filled in with str.replace: the SQL is no format string.
    for sql in (CHECK_EVENTS, CHECK_SUPERSEDED, CHECK_RECORDERS):
        schema_editor.execute(sql.replace("{users}", users))
    for name, _table, body in TRIGGERS:
        kind = "CONSTRAINT TRIGGER" if "DEFERRABLE" in body else "TRIGGER"
        schema_editor.execute(f"CREATE {kind} {name} {body.replace('{users}', users)}")


def backwards(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, table, _body in TRIGGERS:
        schema_editor.execute(f"DROP TRIGGER {name} ON {table.replace('{users}', _users(apps))}")
    for function in FUNCTIONS:
        schema_editor.execute(f"DROP FUNCTION {function}()")
    model = apps.get_model("cases", "NodeEvent")
    for field in ("supersedes", "recorded_by"):
        schema_editor.execute(
            schema_editor._create_fk_sql(
                model, model._meta.get_field(field), "_fk_%(to_table)s_%(to_column)s"
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0008_name_trigrams"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="nodeevent",
            name="supersedes",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="superseded_by",
                to="cases.nodeevent",
            ),
        ),
        migrations.AddConstraint(
            model_name="nodeevent",
            constraint=models.UniqueConstraint(
                condition=models.Q(("supersedes__isnull", False)),
                fields=("supersedes",),
                name="cases_event_supersedes_once",
                violation_error_message="该节点记录已被更正过，请更正最新的一条",
            ),
        ),
        migrations.RunPython(forwards, backwards),
    ]
