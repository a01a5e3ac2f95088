"""Import a package zip (cmi5 or SCORM) as a new lesson of a course.

manage.py import_package module.zip --course principes-fair [--title "…"] [--draft]
manage.py import_package module.zip --lesson 42     # replace a lesson's package
"""

from django.core.management.base import BaseCommand, CommandError
from wagtail.models import Locale

from courses.models import CoursePage
from courses.packages.errors import PackageError
from courses.packages.importing import create_package_lesson, replace_package
from courses.packages.models import PackageLessonPage


def _course(slug: str) -> CoursePage | None:
    """The default-language course with this slug (lessons are added there;
    its translations get them through Wagtail's translation tools)."""
    default = Locale.get_default()
    return CoursePage.objects.filter(slug=slug, locale=default).first()


class Command(BaseCommand):
    help = (
        "Import a cmi5 or SCORM package zip as a lesson of a course (all or nothing)."
    )

    def add_arguments(self, parser):
        parser.add_argument("zip")
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--course", help="slug of the course (default language)")
        target.add_argument(
            "--lesson", type=int, help="id of a package lesson to update"
        )
        parser.add_argument(
            "--title", default="", help="lesson title (default: the package's)"
        )
        parser.add_argument("--slug", default="")
        parser.add_argument("--draft", action="store_true", help="do not publish")

    def handle(self, *args, **options):
        try:
            if options["lesson"]:
                lesson = PackageLessonPage.objects.filter(pk=options["lesson"]).first()
                if lesson is None:
                    raise CommandError(
                        f"--lesson {options['lesson']}: no such package lesson"
                    )
                lesson = replace_package(
                    lesson, options["zip"], publish=not options["draft"]
                )
            else:
                course = _course(options["course"])
                if course is None:
                    raise CommandError(f"--course {options['course']}: no such course")
                lesson = create_package_lesson(
                    course,
                    options["zip"],
                    title=options["title"],
                    slug=options["slug"],
                    publish=not options["draft"],
                )
        except FileNotFoundError:
            raise CommandError(f"{options['zip']}: no such file") from None
        except PackageError as error:
            raise CommandError("\n".join(error.errors)) from None
        package = lesson.package
        self.stdout.write(
            f"{lesson.title} (lesson {lesson.pk}): {package.get_format_display()} "
            f"{package.version}, {package.units.count()} unit(s), {package.file_count} files"
        )
