"""The certificate record: what was certified, for whom, by whom, and its status.

Everything shown on a certificate is copied onto the row when it is issued (the
learner's name, the course title and version, the institution and signatory), so a
later rename does not change a certificate already handed to a committee. Those
copied fields are what the Ed25519 signature covers (see `signing.py`).
"""

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cms.storage import UnguessableName, private_storage

# No 0/O, 1/I/L, 2/Z, 5/S, 8/B: codes are read aloud and typed from paper.
CODE_ALPHABET = "34679ACDEFGHJKMNPQRTUVWXY"
CODE_LENGTH = 12  # 25**12 ≈ 6e16: unguessable behind a rate-limited endpoint


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(raw: str) -> str:
    """Upper-case, without spaces or dashes (codes are printed in groups of four)."""
    return "".join(ch for ch in raw.upper() if ch.isalnum())


class CertificateStatus(models.TextChoices):
    VALID = "valid", _("Valid")
    EXPIRED = "expired", _("Expired")
    REVOKED = "revoked", _("Revoked")
    SUPERSEDED = "superseded", _("Superseded")
    WITHDRAWN = "withdrawn", _("Withdrawn at the holder's request")
    INVALID = "invalid", _("Invalid signature")


class CertificateQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(enrollment__user=user).select_related("course")

    def current(self):
        """Neither revoked nor superseded (may still be expired)."""
        return self.filter(revoked_at__isnull=True, superseded_by__isnull=True)


class Certificate(models.Model):
    """One certificate for one completion of a course by one learner."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    code = models.CharField(
        _("verification code"), max_length=CODE_LENGTH, unique=True, default=new_code
    )
    # PROTECT: a certificate is evidence, not part of the progress projection;
    # nothing that deletes enrolments may take certificates along. NULL once the
    # holder's account is deleted (learning.records.forget_learner).
    enrollment = models.ForeignKey(
        "learning.Enrollment",
        verbose_name=_("enrolment"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    completed_at = models.DateTimeField(_("course completed at"))
    course = models.ForeignKey(
        "courses.CoursePage",
        verbose_name=_("course"),
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    # Snapshot at issuance (signed).
    learner_name = models.CharField(_("learner's name"), max_length=300)
    learner_unit = models.CharField(_("learner's unit"), max_length=200, blank=True)
    course_title = models.CharField(_("course title"), max_length=255)
    course_version = models.CharField(_("course version"), max_length=20)
    course_objectives = models.TextField(
        _("learning objectives certified"), blank=True, help_text=_("One per line.")
    )
    score = models.FloatField(_("score (0 to 1)"), null=True, blank=True)
    issued_at = models.DateTimeField(_("issued at"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    institution_name = models.CharField(_("institution"), max_length=200)
    institution_url = models.URLField(_("institution website"), blank=True)
    signatory_name = models.CharField(_("signatory"), max_length=200, blank=True)
    signatory_title = models.CharField(
        _("signatory's title"), max_length=200, blank=True
    )
    signature = models.CharField(_("Ed25519 signature"), max_length=200)
    # Which canonical payload the signature covers (issuance.signed_payload):
    # 1 = before time zones were normalised, 2 = UTC instants, unit, objectives.
    payload_format = models.PositiveSmallIntegerField(
        _("signed payload format"), default=2, editable=False
    )
    key_id = models.CharField(_("signing key id"), max_length=100)
    # Files and notification.
    # Private storage (never served), random name: only download_pdf sends it.
    pdf = models.FileField(
        _("PDF"),
        storage=private_storage,
        upload_to=UnguessableName("certificates"),
        blank=True,
    )
    notified_at = models.DateTimeField(_("learner notified at"), null=True, blank=True)
    # Status.
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revocation_reason = models.TextField(_("reason for revocation"), blank=True)
    withdrawn_at = models.DateTimeField(
        _("withdrawn at the holder's request on"),
        null=True,
        blank=True,
        help_text=_("The holder chose this when deleting their account."),
    )
    superseded_by = models.ForeignKey(
        "self",
        verbose_name=_("superseded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="supersedes",
    )

    objects = CertificateQuerySet.as_manager()

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-issued_at"]
        constraints = [
            # One certificate per completion: retried or concurrent jobs collide here.
            models.UniqueConstraint(
                fields=["enrollment", "completed_at"],
                name="one_certificate_per_completion",
            )
        ]

    def __str__(self):
        return f"{self.code} — {self.learner_name} — {self.course_title}"

    @property
    def display_code(self) -> str:
        """The code in groups of four, as printed."""
        return "-".join(self.code[i : i + 4] for i in range(0, len(self.code), 4))

    @property
    def objectives(self) -> list[str]:
        return [
            line.strip() for line in self.course_objectives.splitlines() if line.strip()
        ]

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_expired(self) -> bool:
        return self.valid_until is not None and self.valid_until < timezone.localdate()

    @property
    def verification_url(self) -> str:
        return f"{settings.SITE_BASE_URL}/certificates/verify/{self.code}/"

    @property
    def activity_iri(self) -> str:
        """The certificate as an xAPI activity (it resolves to the verification page)."""
        return self.verification_url


def certificates_for(user) -> list[Certificate]:
    """A learner's certificates for "my learning": current ones first, newest first."""
    # Snapshot fields only (course_title, version): no page rows to build.
    return sorted(
        Certificate.objects.filter(enrollment__user=user),
        key=lambda c: (c.is_revoked or c.superseded_by_id is not None, -c.pk),
    )


class ExportStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("In progress")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")
    EXPIRED = "expired", _("Expired (file deleted)")


class CertificateExport(models.Model):
    """A ZIP of every certificate PDF of a course, built by a job that reports progress."""

    course = models.ForeignKey(
        "courses.CoursePage",
        verbose_name=_("course"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ExportStatus.choices,
        default=ExportStatus.PENDING,
    )
    done = models.PositiveIntegerField(_("certificates added"), default=0)
    total = models.PositiveIntegerField(_("certificates to add"), default=0)
    skipped = models.PositiveIntegerField(
        _("certificates left out"),
        default=0,
        help_text=_("Withdrawn at their holder's request: never rendered again."),
    )
    # Private storage, random name, deleted after EXPORT_RETENTION_DAYS.
    file = models.FileField(
        _("ZIP file"),
        storage=private_storage,
        upload_to=UnguessableName("exports/certificates"),
        blank=True,
    )

    class Meta:
        verbose_name = _("certificate export")
        verbose_name_plural = _("certificate exports")
        ordering = ["-requested_at"]

    def __str__(self):
        return f"{self.course} — {self.requested_at:%Y-%m-%d %H:%M}"

    @property
    def download_name(self) -> str:
        """The name the browser saves the ZIP under (the stored one is random)."""
        return f"certificates-{self.course.slug}-{self.pk}.zip"

    @property
    def percent(self) -> int:
        if self.status == ExportStatus.DONE:
            return 100
        return round(100 * self.done / self.total) if self.total else 0
