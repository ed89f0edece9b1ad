"""A case number's grams compared as bytes on PostgreSQL, as a name's are since 0008 (issue 2).

The key of ``cases_number_gram`` starts with the gram. In the database's collation (C.UTF-8, or a
court's zh_CN.UTF-8) each comparison of two grams is a call to the C library's strcoll; in
collation "C" it is a comparison of bytes. An import puts 15 grams a case into that key (1.4
million for 100,000 cases), each a descent of the b-tree: 0.5 s of a 45 s import
(bench/RESULTS.md, session 11). Searches ask for a gram by equality, which every deterministic
collation answers alike, so no search changes. SQLite compares text as bytes already."""

from django.db import migrations

TABLE = "cases_number_gram"


def _collate(collation: str):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"ALTER TABLE {TABLE} ALTER COLUMN gram TYPE varchar(3){collation}")

    return run


class Migration(migrations.Migration):
    dependencies = [("cases", "0009_event_keys")]

    operations = [migrations.RunPython(_collate(' COLLATE "C"'), _collate(' COLLATE "default"'))]
