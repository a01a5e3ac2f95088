"""Delete the files of exports older than EXPORT_RETENTION_DAYS (learning/retention.py).

The worker's scheduler runs this every hour (`make worker`); run it from a
system cron where there is no worker.
"""

from django.core.management.base import BaseCommand

from learning.retention import delete_expired_exports


class Command(BaseCommand):
    help = (
        "Delete the files of certificate and learning-records exports past retention."
    )

    def handle(self, *args, **options):
        deleted = delete_expired_exports()
        self.stdout.write(f"{deleted} expired export file(s) deleted")
