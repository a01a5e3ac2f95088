"""Export a course as a folder of Markdown files that import_course reads back."""

from django.core.management.base import BaseCommand, CommandError

from courses.course_files import CourseExportError, export_course


class Command(BaseCommand):
    help = (
        "Export the live course SLUG to PATH/SLUG/ (PATH is the parent folder: the "
        "import takes the slug from the folder name, so the export is always "
        "importable). Writes course.md, NN-lesson.md and .en.md files for live "
        "translations. Refuses a non-empty PATH/SLUG/ unless --force, which replaces "
        "its *.md files and keeps any other file."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", metavar="SLUG", help="the course slug")
        parser.add_argument(
            "path", metavar="PATH", help="parent folder; the course goes in PATH/SLUG/"
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="overwrite the course files of a non-empty PATH/SLUG/",
        )

    def handle(self, *args, slug, path, force=False, **options):
        try:
            report = export_course(slug, path, force=force)
        except CourseExportError as exc:
            raise CommandError(str(exc), returncode=1) from exc
        for warning in report.warnings:
            self.stderr.write(f"warning: {warning}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Exported {slug} to {report.folder}/ ({len(report.files)} files: "
                f"{', '.join(report.files)})"
            )
        )
