"""Question pools become translatable (step 1 of 3): nullable locale and
translation key, the code unique per language (constraint in step 3)."""

from django.db import migrations, models
import django.db.models.deletion


class Migration(migrations.Migration):

    dependencies = [
        ("courses", "0006_quiz_own_questions"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [
        migrations.AddField(
            model_name="questionpool",
            name="translation_key",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="questionpool",
            name="locale",
            field=models.ForeignKey(
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="wagtailcore.locale",
                verbose_name="locale",
            ),
        ),
        migrations.AlterField(
            model_name="questionpool",
            name="code",
            field=models.SlugField(
                help_text="Unique in each language.", max_length=80, verbose_name="code"
            ),
        ),
    ]
