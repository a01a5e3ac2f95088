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
