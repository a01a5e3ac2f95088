"""SCORM attempts: the CMI data of one attempt at one SCO, kept on the server.

An attempt spans launch sessions while the learner suspends it (cmi.exit =
"suspend"); it ends when the SCO is left any other way, and the next launch
starts a new attempt (cmi.entry = "ab-initio"). The launch session knows its
attempt (`LaunchSession.data["scorm"]`).
"""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class ScormAttempt(models.Model):
    """One attempt at a SCO by a learner, in their enrolment; its id is the
    attempt id of the xAPI SCORM profile's attempt activity."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    enrollment = models.ForeignKey(
        "learning.Enrollment",
        verbose_name=_("enrolment"),
        on_delete=models.CASCADE,
        related_name="scorm_attempts",
    )
    unit = models.ForeignKey(
        "packages.PackageUnit",
        verbose_name=_("SCO"),
        on_delete=models.PROTECT,
        related_name="scorm_attempts",
    )
    number = models.PositiveIntegerField(_("attempt number"))
    started_at = models.DateTimeField(_("started at"))
    updated_at = models.DateTimeField(_("last commit"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    # How the last session left the SCO: "suspend" keeps the attempt open.
    exit = models.CharField(_("exit"), max_length=20, blank=True)
    completion_status = models.CharField(
        _("completion status"), max_length=20, default="not attempted"
    )
    success_status = models.CharField(
        _("success status"), max_length=20, default="unknown"
    )
    lesson_status = models.CharField(
        _("lesson status (SCORM 1.2)"), max_length=20, blank=True
    )
    score_scaled = models.FloatField(_("scaled score"), null=True, blank=True)
    score_raw = models.FloatField(_("raw score"), null=True, blank=True)
    score_min = models.FloatField(null=True, blank=True)
    score_max = models.FloatField(null=True, blank=True)
    progress_measure = models.FloatField(_("progress measure"), null=True, blank=True)
    location = models.CharField(_("location"), max_length=1000, blank=True)
    suspend_data = models.TextField(_("suspend data"), blank=True)
    total_seconds = models.FloatField(_("total time (seconds)"), default=0)
    # Interactions and objectives as last committed; `reported` holds one
    # fingerprint per interaction already written as an "answered" statement.
    interactions = models.JSONField(_("interactions"), default=list, blank=True)
    objectives = models.JSONField(_("objectives"), default=list, blank=True)
    reported = models.JSONField(default=list, blank=True, editable=False)

    class Meta:
        verbose_name = _("SCORM attempt")
        verbose_name_plural = _("SCORM attempts")
        ordering = ["enrollment", "unit", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrollment", "unit", "number"], name="one_scorm_attempt_number"
            )
        ]

    def __str__(self):
        return f"{self.enrollment} — {self.unit} #{self.number}"

    @property
    def is_open(self) -> bool:
        return self.ended_at is None
