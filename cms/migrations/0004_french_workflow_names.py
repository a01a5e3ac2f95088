"""Name Wagtail's default moderation workflow and its task in French, the site's
language: trainers read them in the editor ("Moderators approval" was left in
English). Names an administrator already changed are kept."""

from django.db import migrations

WAGTAIL_DEFAULT = "Moderators approval"
WORKFLOW_NAME = "Relecture"
TASK_NAME = "Validation par un modérateur"


def rename(apps, schema_editor):
    apps.get_model("wagtailcore.Workflow").objects.filter(
        name=WAGTAIL_DEFAULT
    ).update(name=WORKFLOW_NAME)
    apps.get_model("wagtailcore.Task").objects.filter(name=WAGTAIL_DEFAULT).update(
        name=TASK_NAME
    )


def restore(apps, schema_editor):
    apps.get_model("wagtailcore.Workflow").objects.filter(name=WORKFLOW_NAME).update(
        name=WAGTAIL_DEFAULT
    )
    apps.get_model("wagtailcore.Task").objects.filter(name=TASK_NAME).update(
        name=WAGTAIL_DEFAULT
    )


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0003_legal_pages"),
        ("wagtailcore", "0048_add_default_workflows"),
    ]

    operations = [migrations.RunPython(rename, restore)]
