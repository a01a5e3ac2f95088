"""`manage.py import_org_units FILE.csv`: units and memberships, all or nothing."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from learning.compliance.importing import OrgImportError, import_org_units


class Command(BaseCommand):
    help = (
        "Import organisation units and memberships from a CSV file "
        "(columns: code,name,parent,email,role,joined_at). Nothing is written "
        "if any line is wrong."
    )

    def add_arguments(self, parser):
        parser.add_argument("csv_file", type=Path)

    def handle(self, *args, csv_file: Path, **options):
        try:
            text = csv_file.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"Cannot read {csv_file}: {error}") from error
        try:
            result = import_org_units(text)
        except OrgImportError as error:
            for number, message in error.errors:
                self.stderr.write(f"{csv_file}:{number}: {message}")
            raise CommandError(
                f"{len(error.errors)} error(s): nothing was imported."
            ) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Units: {result.units_created} created, {result.units_updated} "
                f"updated; memberships: {result.memberships_created} created, "
                f"{result.memberships_kept} already there."
            )
        )
