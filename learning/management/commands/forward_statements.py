"""Drain the forwarding outboxes now (what the RQ jobs do), e.g. from cron."""

from django.core.management.base import BaseCommand

from learning.xapi.forwarding import drain_all
from learning.xapi.lrs.models import Destination


class Command(BaseCommand):
    help = "Send pending statements to every active forwarding destination."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Ignore backoff delays and resume paused destinations.",
        )

    def handle(self, *args, force=False, **options):
        for name, count in drain_all(force=force).items():
            destination = Destination.objects.with_health().get(name=name)
            state = "paused" if destination.paused else "active"
            self.stdout.write(
                f"{name}: {count} delivered, {destination.backlog or 0} pending "
                f"({state}){': ' + destination.last_error if destination.failure_count else ''}"
            )
