"""The free-text unit becomes `declared_unit`: people now choose a unit from the
organisation's units (compliance 0004 turns what was typed into requests)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_alter_user_managers"),
    ]

    operations = [
        migrations.RenameField(
            model_name="user", old_name="unit", new_name="declared_unit"
        ),
        migrations.AlterField(
            model_name="user",
            name="declared_unit",
            field=models.CharField(
                blank=True,
                help_text=(
                    "Typed by the person before units were chosen from a list; "
                    "administrators use it to place them in a unit."
                ),
                max_length=200,
                verbose_name="unit as typed at sign-up",
            ),
        ),
    ]
