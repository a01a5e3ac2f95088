"""StatementRelation.stored: filtered queries read one index in `stored` order.

The application always sets it. On PostgreSQL a trigger also fills it for rows
inserted without it (bulk loads by COPY, e.g. tests/bench/data.py), since a
row with no `stored` would be missing from every filtered query; the trigger's
WHEN clause skips the application's own inserts.
"""

from django.db import migrations, models

BACKFILL = """
UPDATE xapi_statementrelation SET stored = (
    SELECT s.stored FROM learning_statement s
    WHERE s.id = xapi_statementrelation.statement_id
)
"""

TRIGGER = """
CREATE FUNCTION xapi_relation_stored() RETURNS trigger AS $$
BEGIN
    SELECT s.stored INTO NEW.stored FROM learning_statement s
    WHERE s.id = NEW.statement_id;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER xapi_relation_stored BEFORE INSERT ON xapi_statementrelation
FOR EACH ROW WHEN (NEW.stored IS NULL) EXECUTE FUNCTION xapi_relation_stored();
"""

DROP_TRIGGER = """
DROP TRIGGER IF EXISTS xapi_relation_stored ON xapi_statementrelation;
DROP FUNCTION IF EXISTS xapi_relation_stored();
"""


def backfill(apps, schema_editor):
    schema_editor.execute(BACKFILL)


def add_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TRIGGER)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_TRIGGER)


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
        migrations.RunPython(add_trigger, drop_trigger),
    ]
