from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("certificates", "0003_alter_certificate_enrollment"),
    ]

    operations = [
        # Certificates issued before this migration were signed in format 1
        # (offset-dependent timestamps); new ones default to format 2.
        migrations.AddField(
            model_name="certificate",
            name="payload_format",
            field=models.PositiveSmallIntegerField(
                default=1, editable=False, verbose_name="signed payload format"
            ),
        ),
        migrations.AlterField(
            model_name="certificate",
            name="payload_format",
            field=models.PositiveSmallIntegerField(
                default=2, editable=False, verbose_name="signed payload format"
            ),
        ),
        migrations.AddField(
            model_name="certificate",
            name="learner_unit",
            field=models.CharField(
                blank=True, max_length=200, verbose_name="learner's unit"
            ),
        ),
        migrations.AddField(
            model_name="certificate",
            name="course_objectives",
            field=models.TextField(
                blank=True,
                help_text="One per line.",
                verbose_name="learning objectives certified",
            ),
        ),
    ]
