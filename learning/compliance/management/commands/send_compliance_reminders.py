"""`manage.py send_compliance_reminders [--dry-run] [--digest]`: what the daily job does."""

from django.core.management.base import BaseCommand

from learning.compliance.reminders import send_digests, send_reminders


class Command(BaseCommand):
    help = (
        "E-mail people whose mandatory training is expiring, expired, due or "
        "overdue (once per window); --digest also sends the managers' weekly digest."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="List, send nothing, record nothing."
        )
        parser.add_argument(
            "--digest", action="store_true", help="Also send this week's digests."
        )

    def handle(self, *args, dry_run=False, digest=False, **options):
        reminders = send_reminders(dry_run=dry_run)
        for plan in reminders:
            self.stdout.write(
                f"{plan.requirement.slug}\t{plan.kind}\t{plan.window}\tuser {plan.user_id}"
            )
        verb = "would send" if dry_run else "sent"
        self.stdout.write(f"Reminders: {verb} {len(reminders)}.")
        if digest:
            digests = send_digests(dry_run=dry_run)
            self.stdout.write(f"Digests: {verb} {len(digests)}.")
