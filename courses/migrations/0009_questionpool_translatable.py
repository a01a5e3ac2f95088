"""Question pools become translatable (step 3 of 3): locale and translation key
required, one pool per translation key and language, codes unique per language."""

import uuid

from django.db import migrations, models
import django.db.models.deletion


class Migration(migrations.Migration):

    dependencies = [
        ("courses", "0008_questionpool_locale_data"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [
        migrations.AlterField(
            model_name="questionpool",
            name="translation_key",
            field=models.UUIDField(default=uuid.uuid4, editable=False),
        ),
        migrations.AlterField(
            model_name="questionpool",
            name="locale",
            field=models.ForeignKey(
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="wagtailcore.locale",
                verbose_name="locale",
            ),
        ),
        migrations.AlterUniqueTogether(
            name="questionpool",
            unique_together={("translation_key", "locale")},
        ),
        migrations.AddConstraint(
            model_name="questionpool",
            constraint=models.UniqueConstraint(
                fields=("code", "locale"), name="unique_pool_code_per_locale"
            ),
        ),
    ]
