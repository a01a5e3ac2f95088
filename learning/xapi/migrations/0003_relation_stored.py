"""StatementRelation.stored: filtered queries read one index in `stored` order.

The application always sets it (ingest.index_statements); rows that existed
before are backfilled here. Bulk loads that bypass the application (the
benchmark's COPY) must write it too: a row without `stored` is missing from
every filtered query.
"""

from django.db import migrations, models

BACKFILL = """
UPDATE xapi_statementrelation SET stored = (
    SELECT s.stored FROM learning_statement s
    WHERE s.id = xapi_statementrelation.statement_id
)
"""


def backfill(apps, schema_editor):
    schema_editor.execute(BACKFILL)


class Migration(migrations.Migration):
    dependencies = [
        ("learning", "0005_statement_fewer_indexes"),
        ("xapi", "0002_index_existing_statements"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="statementrelation",
            name="xapi_statem_kind_922d36_idx",
        ),
        migrations.AddField(
            model_name="statementrelation",
            name="stored",
            field=models.DateTimeField(null=True),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="statementrelation",
            index=models.Index(
                fields=["kind", "key", "stored", "statement", "direct"],
                name="relation_key_stored",
            ),
        ),
    ]
