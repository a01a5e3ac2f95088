"""Organisation units, memberships, requirements, reminders and the gate API's
tokens and call log.

The unit tree is a plain parent foreign key: an institution has a few thousand
units at most, so the whole tree is read in one query and walked in memory
(`units.UnitTree`), which keeps writes simple and the dashboard's query count
bounded. `OrgUnit.clean()` refuses cycles.
"""

import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ComplianceStatus(models.TextChoices):
    """A person's standing on one requirement, from best to worst.

    `identity_unverified`: nobody vouched for the person's identity (e-mail
    address unconfirmed, no SSO or LTI account: accounts/identity.py), so they
    are never cleared, whatever their certificates (`status.evaluate()`).
    """

    COMPLIANT = "compliant", _("Compliant")
    EXPIRING = "expiring", _("Expiring soon")
    IN_PROGRESS = "in_progress", _("In progress")
    DUE = "due", _("Due")
    OVERDUE = "overdue", _("Overdue")
    EXPIRED = "expired", _("Expired")
    IDENTITY_UNVERIFIED = "identity_unverified", _("Identity not verified")


#: Statuses that clear a person (a valid certificate, a verified identity).
CLEARED_STATUSES = frozenset({ComplianceStatus.COMPLIANT, ComplianceStatus.EXPIRING})

#: What the gate API answers: the same statuses as the dashboard and exports.
GateStatus = ComplianceStatus


class OrgUnit(models.Model):
    """An organisation unit: institute, laboratory, team..."""

    code = models.CharField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    class Meta:
        verbose_name = _("organisation unit")
        verbose_name_plural = _("organisation units")
        ordering = ["code"]

    def __str__(self):
        return f"{self.name} ({self.code})"

    def clean(self):
        """Refuse a parent that is the unit itself or one of its descendants."""
        seen = {self.pk} if self.pk else set()
        parent = self.parent
        while parent is not None:
            if parent.pk in seen:
                raise ValidationError(
                    {"parent": _("A unit cannot be placed under itself.")}
                )
            seen.add(parent.pk)
            parent = parent.parent


class MembershipRole(models.TextChoices):
    MEMBER = "member", _("Member")
    MANAGER = "manager", _("Manager")


class Membership(models.Model):
    """A person in a unit; managers manage the unit and its descendants."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="unit_memberships",
    )
    unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("unit"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    role = models.CharField(
        _("role"),
        max_length=20,
        choices=MembershipRole.choices,
        default=MembershipRole.MEMBER,
    )
    joined_at = models.DateField(
        _("joined on"),
        default=timezone.localdate,
        help_text=_("Starts the due period of the unit's mandatory trainings."),
    )

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["unit__code", "user__last_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "unit", "role"], name="one_membership_per_role"
            )
        ]

    def __str__(self):
        return f"{self.user} — {self.unit.code} ({self.get_role_display()})"


class UnitRequestSource(models.TextChoices):
    SIGNUP = "signup", _("Sign-up")
    PROFILE = "profile", _("Profile")
    #: the free-text unit of the accounts made before units were chosen
    MIGRATED = "migrated", _("Unit typed before")


class UnitRequestStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting confirmation")
    CONFIRMED = "confirmed", _("Confirmed")
    REFUSED = "refused", _("Refused")


class UnitRequest(models.Model):
    """A person asks to be placed in a unit (at sign-up or in their profile).

    Not a membership: until one of the unit's managers confirms it, the person
    is in nobody's scope. Confirming creates the membership (as a member); a
    manager never pulls in people who did not ask (scope.py).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="unit_requests",
    )
    unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("unit"),
        on_delete=models.CASCADE,
        related_name="requests",
    )
    source = models.CharField(
        _("asked from"), max_length=20, choices=UnitRequestSource.choices
    )
    requested_at = models.DateTimeField(_("asked on"), default=timezone.now)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=UnitRequestStatus.choices,
        default=UnitRequestStatus.PENDING,
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided on"), null=True, blank=True)

    class Meta:
        verbose_name = _("unit request")
        verbose_name_plural = _("unit requests")
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(status="pending"),
                name="one_pending_unit_request",
            )
        ]

    def __str__(self):
        return f"{self.user} → {self.unit.code} ({self.get_status_display()})"


class Requirement(models.Model):
    """A mandatory training: acceptable courses, who it applies to, how long it lasts."""

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    title = models.CharField(_("title"), max_length=200)
    courses = models.ManyToManyField(
        "courses.CoursePage",
        verbose_name=_("acceptable courses"),
        related_name="compliance_requirements",
        help_text=_("A certificate of any of these courses satisfies the requirement."),
    )
    units = models.ManyToManyField(
        OrgUnit,
        verbose_name=_("units"),
        blank=True,
        related_name="requirements",
        help_text=_("Applies to the members of these units and of their sub-units."),
    )
    groups = models.ManyToManyField(
        Group,
        verbose_name=_("groups"),
        blank=True,
        related_name="compliance_requirements",
        help_text=_("Applies to the members of these groups too."),
    )
    validity_months = models.PositiveSmallIntegerField(
        _("validity (months)"),
        null=True,
        blank=True,
        help_text=_("Empty: the certificate's own validity (the course's setting)."),
    )
    reminder_days = models.PositiveSmallIntegerField(
        _("reminder window (days)"),
        default=30,
        help_text=_("Days before expiry when a certificate counts as expiring."),
    )
    due_days = models.PositiveSmallIntegerField(
        _("due period (days)"),
        null=True,
        blank=True,
        help_text=_("Days after joining a unit to complete it. Empty: no deadline."),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("mandatory training")
        verbose_name_plural = _("mandatory trainings")
        ordering = ["title"]

    def __str__(self):
        return self.title


class ReminderKind(models.TextChoices):
    EXPIRING = "expiring", _("Expiring soon")
    EXPIRED = "expired", _("Expired")
    DUE = "due", _("Due")
    OVERDUE = "overdue", _("Overdue")
    #: only sent by hand: the daily job leaves people who started alone
    IN_PROGRESS = "in_progress", _("In progress")


class Reminder(models.Model):
    """A reminder sent: the daily job's, one per person, requirement, kind and
    window; or a manager's, sent by hand, at most one per person, requirement
    and day. A reminder sent by hand counts for its window: the daily job does
    not send the same one again."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="compliance_reminders",
    )
    requirement = models.ForeignKey(
        Requirement,
        verbose_name=_("mandatory training"),
        on_delete=models.CASCADE,
        related_name="reminders",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ReminderKind.choices)
    # The date that defines the window: the expiry date or the due date.
    window = models.DateField(_("window"))
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The manager who sent it by hand; empty: the daily job."),
    )
    # Set on reminders sent by hand (even once `sent_by` is deleted): the day
    # that makes them unique, so no one sends a person more than one a day.
    manual_on = models.DateField(_("sent by hand on"), null=True, blank=True)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "requirement", "kind", "window"],
                condition=models.Q(manual_on__isnull=True),
                name="one_reminder_per_window",
            ),
            models.UniqueConstraint(
                fields=["user", "requirement", "manual_on"],
                condition=models.Q(manual_on__isnull=False),
                name="one_manual_reminder_per_day",
            ),
        ]

    def __str__(self):
        return f"{self.user} — {self.requirement} — {self.kind} {self.window}"

    @property
    def manual(self) -> bool:
        return self.manual_on is not None


class ReminderRun(models.Model):
    """One day's run of the daily reminder job: when it ran and what it sent.

    The row is written when the run starts, under a unique day, so a second
    scheduler, process or request that tries the same day does nothing; the
    pages tell managers from it when reminders last went out.
    """

    day = models.DateField(_("day"), unique=True)
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    reminders = models.PositiveIntegerField(_("reminders sent"), default=0)

    class Meta:
        verbose_name = _("reminder run")
        verbose_name_plural = _("reminder runs")
        ordering = ["-day"]

    def __str__(self):
        return f"{self.day} ({self.reminders})"


class Digest(models.Model):
    """A weekly digest sent to a manager (one per ISO week)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("manager"),
        on_delete=models.CASCADE,
        related_name="compliance_digests",
    )
    week = models.CharField(_("ISO week"), max_length=10)
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        verbose_name = _("manager digest")
        verbose_name_plural = _("manager digests")
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "week"], name="one_digest_per_week")
        ]

    def __str__(self):
        return f"{self.user} — {self.week}"


TOKEN_PREFIX = "atl_"  # noqa: S105 - a visible prefix, not a secret


def hash_token(token: str) -> str:
    """SHA-256 of a token: tokens are 256-bit random, so no slow hash is needed."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


class ApiToken(models.Model):
    """A token for a data-access system, scoped to some requirements; stored hashed."""

    name = models.CharField(
        _("system"), max_length=200, help_text=_("Who uses it, e.g. SNDS portal.")
    )
    requirements = models.ManyToManyField(
        Requirement,
        verbose_name=_("mandatory trainings it may ask about"),
        related_name="api_tokens",
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    hint = models.CharField(_("token starts with"), max_length=12, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked = models.BooleanField(_("revoked"), default=False)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.hint}…)"

    def set_token(self, token: str) -> None:
        self.token_hash = hash_token(token)
        self.hint = token[:10]


class GateCall(models.Model):
    """One call of the access-gate API: who asked about whom, when, and the answer."""

    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    token = models.ForeignKey(
        ApiToken,
        verbose_name=_("API token"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="calls",
    )
    requirement_slug = models.CharField(_("mandatory training"), max_length=80)
    person = models.CharField(_("person asked about"), max_length=254)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person found"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    http_status = models.PositiveSmallIntegerField(_("HTTP status"))
    cleared = models.BooleanField(_("cleared"), null=True)
    status = models.CharField(_("status"), max_length=20, blank=True)
    client_ip = models.GenericIPAddressField(_("client IP"), null=True, blank=True)
    calls = models.PositiveIntegerField(
        _("calls"),
        default=1,
        help_text=_(
            "Refused calls without a valid token are counted per address and "
            "window in one row (429: the address was throttled)."
        ),
    )

    class Meta:
        verbose_name = _("gate API call")
        verbose_name_plural = _("gate API calls")
        ordering = ["-at"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.requirement_slug} {self.person} → {self.http_status}"
