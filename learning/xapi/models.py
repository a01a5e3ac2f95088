"""The statement store: every statement exactly as issued, plus indexed columns.

Rows are immutable: a statement is never updated or deleted (xAPI voids it with
another statement instead). Progress tables are a projection of these rows.
"""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class ImmutableStatementError(Exception):
    """Raised on any attempt to change or delete a stored statement."""


class StatementQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ImmutableStatementError("Stored statements cannot be updated.")

    def delete(self):
        raise ImmutableStatementError("Stored statements cannot be deleted.")

    def for_actor(self, account_name: str):
        return self.filter(actor_account_name=account_name)


class Statement(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    actor_account_name = models.CharField(
        _("actor account"), max_length=100, db_index=True
    )
    actor_account_home_page = models.CharField(_("actor home page"), max_length=200)
    # verb, activity_id, registration and timestamp are not indexed: the LRS
    # filters through StatementRelation, and every index slows each insert.
    verb = models.CharField(_("verb"), max_length=2048)
    activity_id = models.CharField(_("activity"), max_length=2048)
    registration = models.UUIDField(_("registration"), null=True, blank=True)
    timestamp = models.DateTimeField(_("timestamp"))
    stored = models.DateTimeField(_("stored"))  # indexed with id, below
    data = models.JSONField(_("statement"))
    # The LRS (learning/xapi/lrs/): the statement a voiding statement voids, and
    # the client whose credentials stored it (None: the platform itself).
    voids = models.UUIDField(_("voids"), null=True, blank=True)
    client = models.ForeignKey(
        "xapi.LRSClient",
        verbose_name=_("LRS client"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = StatementQuerySet.as_manager()

    class Meta:
        app_label = "learning"  # this module is also learning.xapi's models module
        ordering = ["stored", "timestamp"]
        verbose_name = _("xAPI statement")
        verbose_name_plural = _("xAPI statements")
        indexes = [
            models.Index(fields=["stored", "id"], name="statement_stored_id"),
            # Few statements void another: index only those (the "not voided"
            # test of every query looks them up).
            models.Index(
                fields=["voids"],
                name="statement_voids",
                condition=models.Q(voids__isnull=False),
            ),
        ]

    def __str__(self):
        return f"{self.actor_account_name} {self.verb.rsplit('/', 1)[-1]} {self.activity_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ImmutableStatementError("Stored statements cannot be changed.")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableStatementError("Stored statements cannot be deleted.")


# The LRS's own tables (app label "xapi"): imported here so Django finds them.
from .lrs.models import *  # noqa: E402, F403
