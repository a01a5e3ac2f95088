"""Index the statements stored before the LRS existed (the learner journey's),
so the query filters and /xapi/activities see them too."""

from django.db import migrations

CHUNK = 2000


class Row:
    def __init__(self, data):
        self.data = data


def index_existing(apps, schema_editor):
    from learning.xapi.lrs.ingest import relation_rows, update_activities

    Statement = apps.get_model("learning", "Statement")
    Relation = apps.get_model("xapi", "StatementRelation")
    Activity = apps.get_model("xapi", "Activity")
    Relation.objects.all().delete()  # rebuilt whole, with the verb/registration rows
    batch = []
    statements = Statement.objects.order_by("stored", "id").values_list("id", "data")
    for pk, data in statements.iterator(chunk_size=CHUNK):
        batch.append((pk, data))
        if len(batch) == CHUNK:
            Relation.objects.bulk_create(relation_rows(batch, Relation))
            update_activities([Row(data) for _, data in batch], Activity)
            batch = []
    if batch:
        Relation.objects.bulk_create(relation_rows(batch, Relation))
        update_activities([Row(data) for _, data in batch], Activity)


class Migration(migrations.Migration):

    dependencies = [
        ("xapi", "0001_initial"),
        ("learning", "0003_statement_client_statement_voids_and_more"),
    ]

    operations = [migrations.RunPython(index_existing, migrations.RunPython.noop)]
