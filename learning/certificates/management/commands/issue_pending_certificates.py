"""Issue the certificates of completions that have none (a lost or failed job).

Idempotent: run it as often as wanted; `--list` only shows what is pending.
Exits 1 when an issuance failed (the enrolment stays pending).
"""

from django.core.management.base import BaseCommand

from learning.certificates.sweep import issue_pending_certificates, pending_issuance


class Command(BaseCommand):
    help = "Issue the certificates that completed enrolments are still waiting for."

    def add_arguments(self, parser):
        parser.add_argument(
            "--list",
            action="store_true",
            help="List the pending enrolments without issuing anything.",
        )

    def handle(self, *args, list=False, **options):
        if list:
            for enrollment in pending_issuance().select_related("user", "course"):
                self.stdout.write(
                    f"{enrollment.pk} {enrollment.user} — {enrollment.course} "
                    f"(completed {enrollment.completed_at:%Y-%m-%d %H:%M})"
                )
            return
        sweep = issue_pending_certificates(progress=self._progress)
        summary = (
            f"{len(sweep.issued)} certificate(s) issued, {len(sweep.failed)} failed."
        )
        if sweep.failed:
            self.stderr.write(summary)
            raise SystemExit(1)
        self.stdout.write(self.style.SUCCESS(summary))

    def _progress(self, number, total, enrollment_id, code):
        outcome = f"certificate {code}" if code else "FAILED (see the log)"
        self.stdout.write(f"[{number}/{total}] enrolment {enrollment_id}: {outcome}")
