"""The cache stamp row and the triggers that change it (dashboard.cache).

PostgreSQL: statement-level triggers (one per INSERT/UPDATE/DELETE/TRUNCATE statement,
COPY included), on every table the cached figures read. SQLite has row-level triggers
only; each costs about 2.5 µs a row, so an insert trigger sits on ``metrics_casefact``
and ``courts_court`` alone: every writer of facts (``metrics.facts.refresh_facts``, the
importer) writes a case's facts as one set with its CaseFact row. Updates and deletes
fire on every table.
"""

from django.db import migrations, models

#: The tables the cached figures are computed from.
TABLES = (
    "metrics_casefact",
    "metrics_obligationfact",
    "metrics_receiptfact",
    "metrics_petitionfact",
    "metrics_tagfact",
    "courts_court",
)
SQLITE_INSERT = ("metrics_casefact", "courts_court")
STAMP = "dashboard_factstamp"


def create(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {STAMP} (id, value) VALUES (1, 0)")
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE FUNCTION dashboard_touch_stamp() RETURNS trigger LANGUAGE plpgsql AS $$"
                f" BEGIN UPDATE {STAMP} SET value = floor(random() * 9.0e18)::bigint WHERE id = 1; RETURN NULL; END $$"
            )
            for table in TABLES:
                cursor.execute(
                    f"CREATE TRIGGER {table}_stamp AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}"
                    " FOR EACH STATEMENT EXECUTE FUNCTION dashboard_touch_stamp()"
                )
        elif connection.vendor == "sqlite":
            for table in TABLES:
                events = ("INSERT", "UPDATE", "DELETE") if table in SQLITE_INSERT else ("UPDATE", "DELETE")
                for event in events:
                    cursor.execute(
                        f"CREATE TRIGGER {table}_stamp_{event.lower()} AFTER {event} ON {table}"
                        f" BEGIN UPDATE {STAMP} SET value = random() WHERE id = 1; END"
                    )


def drop(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for table in TABLES:
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_stamp ON {table}")
            cursor.execute("DROP FUNCTION IF EXISTS dashboard_touch_stamp()")
        elif connection.vendor == "sqlite":
            for table in TABLES:
                for event in ("insert", "update", "delete"):
                    cursor.execute(f"DROP TRIGGER IF EXISTS {table}_stamp_{event}")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("courts", "0001_initial"),
        # After the migrations that remake the fact tables: SQLite drops a table's
        # triggers with it (dashboard.cache checks they are all there).
        ("metrics", "0003_import_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="FactStamp",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("value", models.BigIntegerField(default=0)),
            ],
            options={"verbose_name": "指标缓存戳", "verbose_name_plural": "指标缓存戳"},
        ),
        migrations.RunPython(create, drop),
    ]
