"""Recompute enrolments and lesson progress from the xAPI statement store.

--check compares instead of writing: it lists every difference and exits 1 if
there is any (use it in monitoring: progress must always rebuild identically).

The rebuild works in place: each enrolment row is reset and replayed under its
own id (the xAPI registration), so certificates and quiz attempts, which refer
to it and are not derived from statements, keep their rows and ids. Only lesson
progress (wholly derived) is recreated. An enrolment no statement derives is
deleted, unless records refer to it: then it is kept and reported.
"""

from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Exists, OuterRef, Q

from learning.certificates.models import Certificate
from learning.models import Enrollment, LessonProgress, QuizAttempt
from learning.projection import PageResolver, apply_statement
from learning.xapi.lrs.models import TrustedStatement
from learning.xapi.models import Statement

BATCH = 2000


def snapshot() -> dict[str, set[tuple]]:
    """The progress tables as comparable sets of rows."""
    return {
        "enrollments": set(
            Enrollment.objects.values_list(
                "id", "user_id", "course_id", "status", "enrolled_at", "completed_at",
                "last_lesson_id", "last_activity_at",
            )
        ),
        "lesson progress": set(
            LessonProgress.objects.values_list(
                "enrollment_id", "lesson_id", "opened_at", "completed_at"
            )
        ),
    }  # fmt: skip


class Rollback(Exception):
    pass


class Command(BaseCommand):
    help = (
        "Rebuild progress rows from the stored xAPI statements (--check: compare only)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help="Report differences without changing anything; exit 1 if any.",
        )

    def handle(self, *args, check=False, **options):
        before = snapshot()
        after = None
        try:
            with transaction.atomic():
                self._rebuild()
                after = snapshot()
                if check:
                    raise Rollback
        except Rollback:
            pass
        differences = 0
        for table in before:
            missing = before[table] - after[table]
            extra = after[table] - before[table]
            for row in sorted(missing, key=str):
                self.stdout.write(
                    f"{table}: stored row not derivable from statements: {row}"
                )
            for row in sorted(extra, key=str):
                self.stdout.write(f"{table}: row missing from the stored tables: {row}")
            differences += len(missing) + len(extra)
        if check:
            if differences:
                self.stderr.write(
                    f"{differences} difference(s) between progress and statements."
                )
                raise SystemExit(1)
            self.stdout.write(self.style.SUCCESS("Progress matches the statements."))
        else:
            self.stdout.write(
                self.style.SUCCESS(f"Progress rebuilt ({differences} row(s) changed).")
            )

    def _rebuild(self) -> None:
        LessonProgress.objects.all().delete()
        replayed: set = set()
        self._replay(replayed)
        self._drop_underived(replayed)

    def _drop_underived(self, replayed: set) -> None:
        """Delete enrolments no statement derives, except those records refer to."""
        ids = set(Enrollment.objects.values_list("id", flat=True)) - replayed
        referred = Q(Exists(Certificate.objects.filter(enrollment=OuterRef("pk")))) | Q(
            Exists(QuizAttempt.objects.filter(enrollment=OuterRef("pk")))
        )
        ids = sorted(ids)
        for start in range(0, len(ids), BATCH):  # bounded IN lists (SQLite)
            underived = Enrollment.objects.filter(id__in=ids[start : start + BATCH])
            for enrollment_id in underived.filter(referred).values_list(
                "id", flat=True
            ):
                self.stderr.write(
                    f"enrolment {enrollment_id}: no statement derives it, kept "
                    "because certificates or quiz attempts refer to it"
                )
            underived.exclude(referred).delete()

    def _replay(self, replayed: set) -> None:
        resolver = PageResolver()
        # The platform's own statements drive progress, and those of outside LRS
        # clients only where they moved it, their client being trusted for the
        # course (learning/xapi/lrs/trust.py).
        trusted = TrustedStatement.objects.filter(statement=OuterRef("pk"))
        statements = Statement.objects.filter(
            Q(client__isnull=True) | Q(Exists(trusted))
        )
        total = statements.count()
        done = 0
        queryset = statements.order_by("stored", "timestamp", "id").values_list(
            "data", flat=True
        )
        for data in queryset.iterator(chunk_size=BATCH):
            apply_statement(data, resolver, replayed=replayed)
            done += 1
            if done % BATCH == 0 or done == total:
                self.stderr.write(f"\r{done}/{total} statements", ending="")
        if total:
            self.stderr.write("")
