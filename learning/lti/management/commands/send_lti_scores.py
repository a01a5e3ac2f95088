from django.core.management.base import BaseCommand

from learning.lti.grades import retry_refused, send_pending_scores
from learning.lti.models import PendingScore


class Command(BaseCommand):
    help = "Send the scores waiting for LMS gradebooks (LTI), now, in this process."

    def add_arguments(self, parser):
        parser.add_argument(
            "--retry",
            action="store_true",
            help="Also send again the scores a platform refused (after fixing why).",
        )

    def handle(self, *args, retry=False, **options):
        if retry:
            retry_refused(PendingScore.objects.exclude(rejected_at=None))
        total = {"delivered": 0, "refused": 0, "failed": 0}
        while True:
            counts = send_pending_scores()
            for key, value in counts.items():
                total[key] += value
            if not any(counts.values()) or counts["failed"]:
                break
        self.stdout.write(
            "{delivered} sent, {refused} refused, {failed} to retry later".format(
                **total
            )
        )
