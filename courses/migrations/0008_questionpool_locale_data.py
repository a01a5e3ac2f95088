"""Question pools become translatable (step 2 of 3): existing pools are in the
default language (French), each with its own translation key."""

from django.db import migrations
from wagtail.models import BootstrapTranslatableModel


class Migration(migrations.Migration):

    dependencies = [
        ("courses", "0007_questionpool_locale"),
    ]

    operations = [BootstrapTranslatableModel("courses.QuestionPool")]
