"""Create an API token for the packages API, scoped to courses; prints it once.

manage.py create_package_token "CI harness" --course principes-fair
"""

from django.core.management.base import BaseCommand, CommandError
from wagtail.models import Locale

from courses.models import CoursePage
from learning.launches.models import PackageApiToken, new_token


class Command(BaseCommand):
    help = "Create a packages API token scoped to courses (printed once)."

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument(
            "--course", action="append", required=True, help="course slug"
        )

    def handle(self, *args, **options):
        courses = []
        for slug in options["course"]:
            course = CoursePage.objects.filter(
                slug=slug, locale=Locale.get_default()
            ).first()
            if course is None:
                raise CommandError(f"--course {slug}: no such course")
            courses.append(course)
        token = f"atlp_{new_token()}"
        record = PackageApiToken(name=options["name"])
        record.set_token(token)
        record.save()
        record.courses.set(courses)
        self.stdout.write(token)
