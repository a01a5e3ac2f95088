"""Import course folders (course.md + NN-lesson.md files) as published pages."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from courses.course_files import CourseImportError, read_course_folder, write_course


class Command(BaseCommand):
    help = (
        "Import one or more course folders. A folder is named by the course slug and "
        "holds course.md, NN-lesson.md and optional .en.md translations. Every folder "
        "is checked first; if any file has an error, all errors are printed and "
        "nothing is imported (exit status 1). An existing course gets a new published "
        "revision; lessons missing from its folder are unpublished."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH", help="course folder")

    def handle(self, *args, paths, **options):
        folders, errors = [], []
        for path in paths:
            try:
                folders.append(read_course_folder(path))
            except CourseImportError as exc:
                errors += exc.errors
        slugs = [folder.slug for folder in folders]
        errors += [
            f"{folder.path}: the course {folder.slug!r} is given more than once"
            for index, folder in enumerate(folders)
            if folder.slug in slugs[:index]
        ]
        if not errors:
            try:
                with transaction.atomic():
                    reports = [write_course(folder) for folder in folders]
            except CourseImportError as exc:
                errors += exc.errors
        if errors:
            for error in errors:
                self.stderr.write(str(error))
            raise CommandError(
                f"{len(errors)} error(s) in the course files: nothing was imported.",
                returncode=1,
            )
        for report in reports:
            for line in report.lines():
                self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS(f"Imported {len(reports)} course(s)."))
