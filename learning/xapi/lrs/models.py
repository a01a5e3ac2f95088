"""The LRS's own tables (app label "xapi").

Statements themselves live in `learning.Statement`; these tables hold what the
xAPI HTTP API needs around them: client credentials, the agent/activity index
behind the `agent`/`activity`/`related_*` filters, canonical activity
definitions, attachment contents, documents (state, activity profile, agent
profile), and the forwarding destinations with their outbox.
"""

import hashlib
import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = [
    "Activity",
    "AttachmentContent",
    "Destination",
    "Document",
    "LRSClient",
    "OutboxEntry",
    "StatementRelation",
    "TrustedStatement",
    "ensure_demo_client",
]


def key_of(value: str) -> str:
    """A fixed-size index key for an arbitrarily long IRI or IFI."""
    return hashlib.sha1(value.encode(), usedforsecurity=False).hexdigest()


def hash_secret(secret: str) -> str:
    # Secrets are random 32-byte tokens: a fast hash is enough (no dictionary
    # attack to slow down), and Basic auth checks it on every request.
    return hashlib.sha256(secret.encode()).hexdigest()


class Scope(models.TextChoices):
    """xAPI authorization scopes (xAPI 1.0.3 Part Three, 4.2 OAuth scope)."""

    STATEMENTS_WRITE = "statements/write", _("Write statements")
    STATEMENTS_READ = "statements/read", _("Read all statements")
    STATEMENTS_READ_MINE = "statements/read/mine", _("Read its own statements")
    STATE = "state", _("State documents")
    PROFILE = "profile", _("Profile documents")
    DEFINE = "define", _("Activity definitions")
    ALL_READ = "all/read", _("Read everything")
    ALL = "all", _("Everything")


class LRSClient(models.Model):
    """Credentials (HTTP Basic key/secret) for a system that reports to our LRS."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    key = models.CharField(_("key"), max_length=64, unique=True)
    secret_hash = models.CharField(_("secret (hashed)"), max_length=64)
    scopes = models.JSONField(_("scopes"), default=list)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # Outside statements never change a learner's record, unless the platform
    # trusts the client for the course (learning/xapi/lrs/trust.py).
    trusted_courses = models.ManyToManyField(
        "courses.CoursePage",
        blank=True,
        related_name="+",
        verbose_name=_("trusted for these courses"),
        help_text=_(
            "Its statements that a learner completed these courses or their "
            "lessons count towards the learner's progress and certificate. "
            "Empty: its statements are kept but change nothing."
        ),
    )

    class Meta:
        verbose_name = _("LRS client")
        verbose_name_plural = _("LRS clients")
        ordering = ["name"]

    def __str__(self):
        return self.name

    @staticmethod
    def generate_key() -> str:
        return secrets.token_hex(10)

    @staticmethod
    def generate_secret() -> str:
        return secrets.token_urlsafe(24)

    def set_secret(self, secret: str) -> None:
        self.secret_hash = hash_secret(secret)

    def check_secret(self, secret: str) -> bool:
        return secrets.compare_digest(self.secret_hash, hash_secret(secret))

    def has_scope(self, *wanted: str) -> bool:
        return bool(set(self.scopes) & set(wanted))

    @property
    def authority(self) -> dict:
        """The statement `authority` for statements this client stores."""
        from django.conf import settings

        return {
            "objectType": "Agent",
            "name": self.name,
            "account": {
                "homePage": f"{settings.SITE_BASE_URL}/xapi/clients",
                "name": self.key,
            },
        }


class StatementRelation(models.Model):
    """One agent or activity a statement mentions, for the query filters.

    `direct` marks what the plain `agent` (actor/object) and `activity` (object)
    filters match; the `related_*` filters match every row of the statement.
    The verb and registration are indexed here too, because a statement whose
    object is a StatementRef also carries its target's rows: it matches every
    filter its target matches (xAPI 1.0.3 Part Three 2.1.3, "Filter Conditions
    for StatementRefs").
    """

    AGENT = 1
    ACTIVITY = 2
    VERB = 3
    REGISTRATION = 4

    statement = models.ForeignKey(
        "learning.Statement", on_delete=models.DO_NOTHING, related_name="+"
    )
    kind = models.PositiveSmallIntegerField()
    key = models.CharField(max_length=40)
    direct = models.BooleanField(default=False)
    # The statement's `stored` (never changes), so a filtered query reads one
    # index in `stored` order and stops at the page's end. Always set by the
    # application; nullable only because migration 0002 writes rows before 0003
    # adds the column and backfills it.
    stored = models.DateTimeField(null=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["kind", "key", "stored", "statement", "direct"],
                name="relation_key_stored",
            )
        ]

    def __str__(self):
        return f"{self.statement_id} {self.kind} {self.key}"


class TrustedStatement(models.Model):
    """An outside client's statement that moved a learner's progress, its client
    being trusted for the course when it was stored. rebuild_progress replays
    these along with the platform's own statements."""

    statement = models.OneToOneField(
        "learning.Statement",
        on_delete=models.DO_NOTHING,
        primary_key=True,
        related_name="+",
    )
    course = models.ForeignKey(
        "courses.CoursePage", on_delete=models.CASCADE, related_name="+"
    )

    def __str__(self):
        return str(self.statement_id)


class Activity(models.Model):
    """The canonical definition of an activity, as last reported."""

    key = models.CharField(max_length=40, unique=True)
    iri = models.TextField(_("activity id"))
    definition = models.JSONField(_("definition"), default=dict)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")

    def __str__(self):
        return self.iri

    def as_xapi(self) -> dict:
        data = {"objectType": "Activity", "id": self.iri}
        if self.definition:
            data["definition"] = self.definition
        return data


class AttachmentContent(models.Model):
    """The raw content of a statement attachment, stored once per SHA-2 hash."""

    sha2 = models.CharField(max_length=128, unique=True)
    content_type = models.CharField(max_length=255)
    content = models.BinaryField()

    def __str__(self):
        return self.sha2


class DocumentKind(models.IntegerChoices):
    STATE = 1, _("State")
    ACTIVITY_PROFILE = 2, _("Activity profile")
    AGENT_PROFILE = 3, _("Agent profile")


class Document(models.Model):
    """A state, activity profile or agent profile document (xAPI Part Three 2.3-2.6)."""

    kind = models.PositiveSmallIntegerField(choices=DocumentKind.choices)
    activity_key = models.CharField(max_length=40, blank=True, default="")
    agent_key = models.CharField(max_length=40, blank=True, default="")
    registration = models.CharField(max_length=36, blank=True, default="")
    document_key = models.CharField(max_length=40)
    document_id = models.TextField()
    content = models.BinaryField()
    content_type = models.CharField(max_length=255)
    etag = models.CharField(max_length=40)
    updated = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "kind",
                    "activity_key",
                    "agent_key",
                    "registration",
                    "document_key",
                ],
                name="one_document_per_key",
            )
        ]

    def __str__(self):
        return self.document_id


class DestinationQuerySet(models.QuerySet):
    def with_health(self):
        pending = OutboxEntry.objects.filter(
            destination=models.OuterRef("pk"),
            delivered_at__isnull=True,
            rejected_at__isnull=True,
        )
        set_aside = OutboxEntry.objects.filter(
            destination=models.OuterRef("pk"), rejected_at__isnull=False
        )
        return self.annotate(
            set_aside=models.Subquery(
                set_aside.values("destination")
                .annotate(n=models.Count("pk"))
                .values("n")[:1]
            ),
            backlog=models.Subquery(
                pending.values("destination")
                .annotate(n=models.Count("pk"))
                .values("n")[:1]
            ),
            oldest_pending=models.Subquery(
                pending.order_by("created_at").values("created_at")[:1]
            ),
        )


class Destination(models.Model):
    """An external LRS that receives a copy of every (matching) statement."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    endpoint = models.URLField(
        _("endpoint"),
        help_text=_("The xAPI endpoint, e.g. https://lrs.example.org/xAPI/"),
    )
    username = models.CharField(_("username"), max_length=255, blank=True)
    password = models.CharField(_("password"), max_length=255, blank=True)
    verbs = models.JSONField(
        _("only these verbs"),
        default=list,
        blank=True,
        help_text=_("Verb IRIs; empty forwards every verb."),
    )
    activity_prefixes = models.JSONField(
        _("only these courses or activities"),
        default=list,
        blank=True,
        help_text=_(
            "Activity IRIs (or their beginnings) matched against the object and "
            "its parent activities; empty forwards everything."
        ),
    )
    batch_size = models.PositiveIntegerField(_("batch size"), default=100)
    is_active = models.BooleanField(_("active"), default=True)
    paused = models.BooleanField(
        _("paused"),
        default=False,
        help_text=_("Set after repeated failures; untick to resume forwarding."),
    )
    failure_count = models.PositiveIntegerField(_("consecutive failures"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    last_success_at = models.DateTimeField(_("last success"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)

    objects = DestinationQuerySet.as_manager()

    class Meta:
        verbose_name = _("forwarding destination")
        verbose_name_plural = _("forwarding destinations")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def accepts(self, data: dict) -> bool:
        """Whether a statement passes this destination's verb/activity filter."""
        if self.verbs and data.get("verb", {}).get("id") not in self.verbs:
            return False
        if not self.activity_prefixes:
            return True
        ids = [data.get("object", {}).get("id") or ""]
        for group in (data.get("context", {}).get("contextActivities") or {}).values():
            group = group if isinstance(group, list) else [group]
            ids += [item.get("id") or "" for item in group if isinstance(item, dict)]
        return any(
            iri.startswith(prefix) for iri in ids for prefix in self.activity_prefixes
        )


class OutboxEntry(models.Model):
    """One statement waiting for (or delivered to) one destination."""

    destination = models.ForeignKey(
        Destination, on_delete=models.CASCADE, related_name="outbox"
    )
    statement = models.ForeignKey(
        "learning.Statement", on_delete=models.DO_NOTHING, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    attempts = models.PositiveIntegerField(default=0)
    leased_until = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    # Set aside: the destination refused this statement for good (HTTP 400)
    # while it took the others; it waits here until an admin sends it again.
    rejected_at = models.DateTimeField(_("set aside"), null=True, blank=True)
    rejection = models.TextField(_("refusal"), blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["destination", "statement"], name="one_outbox_entry"
            )
        ]
        indexes = [models.Index(fields=["destination", "delivered_at", "id"])]

    def __str__(self):
        return f"{self.destination_id}: {self.statement_id}"


# The demo's LRS client (README, "Learning Record Store"). Demo only: never use
# these credentials on a real deployment.
DEMO_CLIENT = ("Demo content", "atelier-demo", "atelier-demo-secret")


def ensure_demo_client() -> str:
    """Create the demo LRS client if missing (idempotent); returns a status line."""
    name, key, secret = DEMO_CLIENT
    client, created = LRSClient.objects.get_or_create(
        key=key, defaults={"name": name, "scopes": [Scope.ALL]}
    )
    if created:
        client.set_secret(secret)
        client.save(update_fields=["secret_hash"])
    return f"LRS client {key}: {'created' if created else 'kept'}"
