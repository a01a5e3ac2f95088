"""Learner records: enrolments and lesson progress.

These tables are a projection of the xAPI statements (see `projection.py`):
`manage.py rebuild_progress` recomputes them from the statement store. They
point at the default-language page of a course or lesson, so progress is the
same whichever language the learner reads in.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .xapi.models import Statement  # noqa: F401 - the store's model lives in xapi/


class EnrollmentStatus(models.TextChoices):
    ACTIVE = "active", _("In progress")
    COMPLETED = "completed", _("Completed")


class EnrollmentQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(user=user).select_related("course", "last_lesson")

    def active(self):
        return self.filter(status=EnrollmentStatus.ACTIVE)

    def completed(self):
        return self.filter(status=EnrollmentStatus.COMPLETED)


class Enrollment(models.Model):
    """A learner following a course; its id is the xAPI registration."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("learner"),
        on_delete=models.CASCADE,
        related_name="enrollments",
    )
    course = models.ForeignKey(
        "courses.CoursePage",
        verbose_name=_("course"),
        on_delete=models.PROTECT,
        related_name="enrollments",
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=EnrollmentStatus.choices,
        default=EnrollmentStatus.ACTIVE,
    )
    enrolled_at = models.DateTimeField(_("enrolled at"))
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    last_lesson = models.ForeignKey(
        "courses.LessonPage",
        verbose_name=_("last lesson opened"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    last_activity_at = models.DateTimeField(_("last activity"), null=True, blank=True)

    objects = EnrollmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "course"], name="one_enrollment_per_course"
            )
        ]
        ordering = ["-last_activity_at", "-enrolled_at"]

    def __str__(self):
        return f"{self.user} — {self.course}"

    @property
    def is_completed(self) -> bool:
        return self.status == EnrollmentStatus.COMPLETED


class LessonProgress(models.Model):
    """One learner's state on one lesson: opened, then completed."""

    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.CASCADE, related_name="lesson_progress"
    )
    lesson = models.ForeignKey(
        "courses.LessonPage", on_delete=models.PROTECT, related_name="progress"
    )
    opened_at = models.DateTimeField(_("first opened"))
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("lesson progress")
        verbose_name_plural = _("lesson progress")
        constraints = [
            models.UniqueConstraint(
                fields=["enrollment", "lesson"], name="one_progress_per_lesson"
            )
        ]

    def __str__(self):
        return f"{self.enrollment} — {self.lesson}"


class AttemptStatus(models.TextChoices):
    OPEN = "open", _("In progress")
    SUBMITTED = "submitted", _("Submitted")


class QuizAttempt(models.Model):
    """One attempt at a quiz: the questions drawn, the answers saved, the score.

    `questions` is the snapshot of the drawn questions (with the display order
    of their answers), so the attempt can be reviewed and re-scored exactly.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # PROTECT: attempts are not derived from statements, so rebuilding the
    # progress projection (or any enrolment deletion) must never take them along;
    # erasure deletes them explicitly (learning.records.forget_learner).
    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.PROTECT, related_name="quiz_attempts"
    )
    quiz = models.ForeignKey(
        "courses.QuizPage", on_delete=models.PROTECT, related_name="attempts"
    )
    number = models.PositiveSmallIntegerField(_("attempt number"))
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=AttemptStatus.choices,
        default=AttemptStatus.OPEN,
    )
    started_at = models.DateTimeField(_("started at"))
    deadline = models.DateTimeField(_("deadline"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    questions = models.JSONField(_("questions drawn"))
    answers = models.JSONField(_("answers"), default=dict)
    question_scores = models.JSONField(_("score per question"), default=dict)
    score = models.FloatField(_("score (0 to 1)"), null=True, blank=True)
    passed = models.BooleanField(_("passed"), null=True)

    class Meta:
        verbose_name = _("quiz attempt")
        verbose_name_plural = _("quiz attempts")
        ordering = ["enrollment", "quiz", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrollment", "quiz", "number"], name="unique_attempt_number"
            ),
            models.UniqueConstraint(
                fields=["enrollment", "quiz"],
                condition=models.Q(status="open"),
                name="one_open_attempt_per_quiz",
            ),
        ]

    def __str__(self):
        return f"{self.enrollment} — {self.quiz} #{self.number}"

    @property
    def is_open(self) -> bool:
        return self.status == AttemptStatus.OPEN

    @property
    def percent(self) -> int | None:
        return None if self.score is None else round(self.score * 100)


from .analytics.models import RecordsExport  # noqa: E402, F401 - managers' web exports
