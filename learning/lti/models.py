"""LTI tables: registered platforms, identities, resource links, who launched
what, and the outbox of scores on their way to the platforms' gradebooks."""

import secrets
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def origin_of(url: str) -> str | None:
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return f"{parts.scheme}://{parts.netloc}"


class PlatformQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class Platform(models.Model):
    """An LMS (Moodle, Canvas, Open edX...) that launches Atelier: one registration.

    The LMS gives these values when Atelier is added to it as an external tool,
    or they arrive through LTI Dynamic Registration.
    """

    class Source(models.TextChoices):
        MANUAL = "manual", _("Entered by hand")
        DYNAMIC = "dynamic", _("Dynamic registration")

    name = models.CharField(_("name"), max_length=200)
    issuer = models.CharField(
        _("issuer"),
        max_length=255,
        help_text=_(
            "The platform's issuer identifier (iss), e.g. https://moodle.example.org"
        ),
    )
    client_id = models.CharField(
        _("client ID"),
        max_length=255,
        help_text=_("The client ID the platform assigned to Atelier."),
    )
    deployment_ids = models.TextField(
        _("deployment IDs"),
        help_text=_("One per line: launches from other deployments are refused."),
    )
    auth_login_url = models.URLField(
        _("authentication request URL"),
        max_length=500,
        help_text=_("The platform's OIDC authorisation endpoint."),
    )
    auth_token_url = models.URLField(
        _("access token URL"),
        max_length=500,
        help_text=_("The platform's OAuth 2 token endpoint (grades, members)."),
    )
    auth_audience = models.CharField(
        _("token audience"),
        max_length=500,
        blank=True,
        help_text=_("Only if the platform asks for one; the token URL otherwise."),
    )
    key_set_url = models.URLField(
        _("public keyset URL"),
        max_length=500,
        help_text=_("The platform's JWKS: launches are checked against it."),
    )
    frame_origins = models.TextField(
        _("frame origins"),
        blank=True,
        help_text=_(
            "Addresses allowed to show Atelier in a frame, one per line "
            "(https://lms.example.org). Empty: those of the issuer and of the "
            "authentication URL."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)
    source = models.CharField(
        _("registered by"),
        max_length=10,
        choices=Source.choices,
        default=Source.MANUAL,
        editable=False,
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = PlatformQuerySet.as_manager()

    class Meta:
        verbose_name = _("LTI platform")
        verbose_name_plural = _("LTI platforms")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "client_id"], name="lti_platform_issuer_client"
            )
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if not _lines(self.deployment_ids):
            raise ValidationError(
                {"deployment_ids": _("Give at least one deployment ID.")}
            )
        bad = [line for line in _lines(self.frame_origins) if not origin_of(line)]
        if bad:
            raise ValidationError(
                {"frame_origins": _("Not an address: %(value)s") % {"value": bad[0]}}
            )

    @property
    def deployments(self) -> list[str]:
        return _lines(self.deployment_ids)

    def add_deployment(self, deployment_id: str) -> None:
        if deployment_id and deployment_id not in self.deployments:
            self.deployment_ids = "\n".join([*self.deployments, deployment_id])

    @property
    def allowed_frame_origins(self) -> list[str]:
        given = [origin_of(line) for line in _lines(self.frame_origins)]
        if given:
            return sorted(set(given))
        found = {origin_of(self.issuer), origin_of(self.auth_login_url)}
        return sorted(origin for origin in found if origin)


class Identity(models.Model):
    """An LTI user (issuer + sub) and the Atelier account it is.

    The pair is the only key: an e-mail address in the launch never merges
    accounts (anyone who runs a platform could claim any address)."""

    issuer = models.CharField(_("issuer"), max_length=255)
    subject = models.CharField(_("subject (sub)"), max_length=255)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="lti_identities",
        verbose_name=_("user"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("LTI identity")
        verbose_name_plural = _("LTI identities")
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "subject"], name="lti_identity_issuer_sub"
            )
        ]

    def __str__(self):
        return f"{self.subject} @ {self.issuer}"


class ResourceLink(models.Model):
    """A placement of Atelier content in an LMS course (a resource link)."""

    platform = models.ForeignKey(
        Platform, on_delete=models.CASCADE, related_name="links"
    )
    deployment_id = models.CharField(max_length=255)
    resource_link_id = models.CharField(max_length=255)
    title = models.CharField(max_length=255, blank=True)
    context_id = models.CharField(max_length=255, blank=True)
    context_title = models.CharField(max_length=255, blank=True)
    page = models.ForeignKey(
        "wagtailcore.Page",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    kind = models.CharField(max_length=10, blank=True)  # course, lesson, quiz
    activity_id = models.CharField(max_length=500, blank=True, db_index=True)
    # Assignment and Grade Services: the endpoint claim of the latest launch,
    # and the line item scores go to once found or created.
    ags_endpoint = models.JSONField(default=dict, blank=True)
    lineitem_url = models.URLField(max_length=500, blank=True)
    nrps_url = models.URLField(max_length=500, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("LTI resource link")
        verbose_name_plural = _("LTI resource links")
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "deployment_id", "resource_link_id"],
                name="lti_link_unique",
            )
        ]

    def __str__(self):
        return self.title or self.resource_link_id


class Launch(models.Model):
    """Who launched which link, with the LTI user id scores are sent for."""

    link = models.ForeignKey(
        ResourceLink, on_delete=models.CASCADE, related_name="launches"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    subject = models.CharField(max_length=255)
    roles = models.JSONField(default=list, blank=True)
    first_at = models.DateTimeField(auto_now_add=True)
    last_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("LTI launch")
        verbose_name_plural = _("LTI launches")
        constraints = [
            models.UniqueConstraint(fields=["link", "user"], name="lti_launch_unique")
        ]

    def __str__(self):
        return f"{self.subject} → {self.link}"


class PendingScore(models.Model):
    """A score for a platform's gradebook, written in the transaction that
    recorded it (learning/lti/grades.py sends it, retries, never drops it)."""

    link = models.ForeignKey(
        ResourceLink, on_delete=models.CASCADE, related_name="scores"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    subject = models.CharField(max_length=255)
    statement_id = models.UUIDField()
    score_given = models.FloatField()
    score_maximum = models.FloatField(default=100.0)
    activity_progress = models.CharField(max_length=20, default="Completed")
    grading_progress = models.CharField(max_length=20, default="FullyGraded")
    timestamp = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    leased_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    rejected_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("score for an LMS")
        verbose_name_plural = _("scores for LMSs")
        ordering = ["id"]
        indexes = [
            models.Index(
                fields=["delivered_at", "rejected_at", "id"], name="lti_score_pending"
            )
        ]

    def __str__(self):
        return f"{self.score_given:g}/{self.score_maximum:g} → {self.link}"


def _invite_token() -> str:
    return secrets.token_urlsafe(24)


def _invite_expiry():
    return timezone.now() + timedelta(days=settings.LTI_REGISTRATION_DAYS)


class RegistrationInvite(models.Model):
    """A single-use URL a platform's administrator pastes for Dynamic Registration."""

    label = models.CharField(
        _("for"),
        max_length=200,
        help_text=_("Which LMS this URL is for, e.g. Moodle of the university."),
    )
    token = models.CharField(max_length=64, unique=True, default=_invite_token)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"), default=_invite_expiry)
    used_at = models.DateTimeField(_("used"), null=True, blank=True)
    platform = models.ForeignKey(
        Platform,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("platform"),
    )

    class Meta:
        verbose_name = _("LTI registration URL")
        verbose_name_plural = _("LTI registration URLs")
        ordering = ["-created_at"]

    def __str__(self):
        return self.label

    @property
    def usable(self) -> bool:
        return self.used_at is None and self.expires_at > timezone.now()

    @property
    def url(self) -> str:
        return f"{settings.SITE_BASE_URL}/lti/register/{self.token}/"
