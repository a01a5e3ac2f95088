"""manage.py export_learning_records [--format hdf5|csv] PATH

Writes the statements, enrolments and lesson progress for learning-analytics
research (see learning/analytics/hdf5_export.py for the layout). Progress goes
to stderr, so stdout stays clean for scripts.
"""

import time

from django.core.management.base import BaseCommand

from learning.analytics.hdf5_export import (
    DEFAULT_CHUNK_ROWS,
    FORMATS,
    export_learning_records,
)


class Command(BaseCommand):
    help = (
        "Export learning records (xAPI statements, enrolments, lesson progress) "
        "as compressed HDF5 tables, or CSV files in a directory. Pseudonymous."
    )
    # No system checks: they load every URLconf and admin module (about 25 MB of
    # the export's peak memory, `make bench`) and a read-only export needs none.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("path", help="HDF5 file to write, or directory for CSV.")
        parser.add_argument("--format", choices=FORMATS, default="hdf5")
        parser.add_argument(
            "--chunk-rows",
            type=int,
            default=DEFAULT_CHUNK_ROWS,
            help="Rows read and written at a time (memory is proportional to it).",
        )
        parser.add_argument(
            "--quiet", action="store_true", help="No progress on stderr."
        )

    def handle(self, *args, path, format, chunk_rows, quiet=False, **options):
        started = time.monotonic()

        def progress(table: str, done: int, total: int) -> None:
            if quiet:
                return
            percent = 100 * done // total if total else 100
            end = "\n" if done >= total else ""
            self.stderr.write(
                f"\r{table}: {done}/{total} rows ({percent} %)", ending=end
            )
            self.stderr.flush()

        counts = export_learning_records(
            path, format=format, chunk_rows=max(1, chunk_rows), progress=progress
        )
        summary = ", ".join(f"{name} {rows}" for name, rows in counts.items())
        self.stdout.write(
            self.style.SUCCESS(
                f"Wrote {path} ({format}): {summary} rows in "
                f"{time.monotonic() - started:.1f} s."
            )
        )
