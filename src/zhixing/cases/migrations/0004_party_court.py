"""Each party carries its case's court, so that a name is looked up among the parties of
the courts a user sees (issue 11: a name common in the province and rare in one court)."""

import django.db.models.deletion
from django.db import migrations, models

BACKFILL = """
UPDATE cases_party SET court_id = (SELECT cases_case.court_id FROM cases_case WHERE cases_case.id = cases_party.case_id)
"""


class Migration(migrations.Migration):
    dependencies = [
        ("courts", "0001_initial"),
        ("cases", "0003_import_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="party",
            name="court",
            field=models.ForeignKey(
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="courts.court",
            ),
        ),
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop),
        migrations.AlterField(
            model_name="party",
            name="court",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="courts.court",
            ),
        ),
        migrations.AddIndex(
            model_name="party",
            index=models.Index(
                fields=["court", "name", "case"],
                name="cases_party_court_name",
                opclasses=["int8_ops", "varchar_pattern_ops", "int8_ops"],
            ),
        ),
    ]
