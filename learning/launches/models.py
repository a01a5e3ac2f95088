"""Launch sessions of package units, what each unit reached, and API tokens.

A `LaunchSession` is one opening of a unit (a cmi5 AU, a SCORM SCO) by a
learner, in their enrolment. It carries three secrets, stored hashed or random:
the launch token (single use, short-lived: the content origin exchanges it for
the session), the content key (the path prefix under which the package's files
are served to this session), and for cmi5 the fetch token and the session's
own LRS credential. `UnitProgress` is what a unit reached in an enrolment, the
input of the lesson's completion (learning/launches/results.py).
"""

import hashlib
import secrets
import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


class LaunchMode(models.TextChoices):
    """cmi5 launch modes (section 10.2.1); SCORM's cmi.mode has the same three."""

    NORMAL = "Normal", _("Normal")
    BROWSE = "Browse", _("Browse")
    REVIEW = "Review", _("Review")


class LaunchSession(models.Model):
    """One launch of one unit by one learner (the cmi5 session id is `id`)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    enrollment = models.ForeignKey(
        "learning.Enrollment",
        verbose_name=_("enrolment"),
        on_delete=models.CASCADE,
        related_name="launch_sessions",
    )
    lesson = models.ForeignKey(
        "courses.LessonPage",
        verbose_name=_("lesson"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    unit = models.ForeignKey(
        "packages.PackageUnit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="sessions",
    )
    mode = models.CharField(
        _("mode"), max_length=10, choices=LaunchMode.choices, default=LaunchMode.NORMAL
    )
    created_at = models.DateTimeField(_("created at"))
    launch_token_hash = models.CharField(max_length=64, unique=True, editable=False)
    launch_expires_at = models.DateTimeField(_("launch token expires at"))
    launched_at = models.DateTimeField(_("launched at"), null=True, blank=True)
    content_key = models.CharField(max_length=64, unique=True, editable=False)
    expires_at = models.DateTimeField(_("content served until"))
    return_url = models.CharField(_("return URL"), max_length=2000, blank=True)
    # cmi5: the fetch URL's token (single use) and the session's LRS credential.
    fetch_token_hash = models.CharField(
        max_length=64, unique=True, null=True, blank=True, editable=False
    )
    fetched_at = models.DateTimeField(_("auth token fetched at"), null=True, blank=True)
    lrs_client = models.OneToOneField(
        "xapi.LRSClient",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="launch_session",
    )
    initialized_at = models.DateTimeField(_("initialized at"), null=True, blank=True)
    terminated_at = models.DateTimeField(_("terminated at"), null=True, blank=True)
    abandoned_at = models.DateTimeField(_("abandoned at"), null=True, blank=True)
    last_activity_at = models.DateTimeField(_("last activity"), null=True, blank=True)
    # Player-specific state (SCORM keeps its CMI data in its own tables).
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("launch session")
        verbose_name_plural = _("launch sessions")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["enrollment", "unit", "-created_at"])]

    def __str__(self):
        return f"{self.enrollment} — {self.unit} ({self.created_at:%Y-%m-%d %H:%M})"

    @property
    def is_open(self) -> bool:
        return self.terminated_at is None and self.abandoned_at is None


class UnitProgress(models.Model):
    """What a unit reached in an enrolment, over all its sessions."""

    enrollment = models.ForeignKey(
        "learning.Enrollment", on_delete=models.CASCADE, related_name="unit_progress"
    )
    unit = models.ForeignKey(
        "packages.PackageUnit", on_delete=models.PROTECT, related_name="progress"
    )
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    passed_at = models.DateTimeField(_("passed at"), null=True, blank=True)
    failed_at = models.DateTimeField(_("failed at"), null=True, blank=True)
    score = models.FloatField(_("scaled score"), null=True, blank=True)
    satisfied_at = models.DateTimeField(_("satisfied at"), null=True, blank=True)
    waived_at = models.DateTimeField(_("waived at"), null=True, blank=True)

    class Meta:
        verbose_name = _("unit progress")
        verbose_name_plural = _("unit progress")
        constraints = [
            models.UniqueConstraint(
                fields=["enrollment", "unit"], name="one_progress_per_unit"
            )
        ]

    def __str__(self):
        return f"{self.enrollment} — {self.unit}"


class PackageApiToken(models.Model):
    """A bearer token for a publishing pipeline or a test harness, scoped to
    courses: import packages into them, enrol people, get launch URLs."""

    name = models.CharField(_("system"), max_length=200)
    courses = models.ManyToManyField(
        "courses.CoursePage",
        verbose_name=_("courses it may act on"),
        related_name="+",
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    hint = models.CharField(_("token starts with"), max_length=12, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked = models.BooleanField(_("revoked"), default=False)

    class Meta:
        verbose_name = _("package API token")
        verbose_name_plural = _("package API tokens")
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.hint}…)"

    def set_token(self, token: str) -> None:
        self.token_hash = hash_token(token)
        self.hint = token[:10]
