"""People: the user table holds all personal data, and nothing else does.

Learning records refer to a person through `pseudonym`, an opaque identifier
used as the xAPI account name, so statements never carry an e-mail or a name.
"""

import uuid

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    unit = models.CharField(
        _("unit"),
        max_length=200,
        blank=True,
        help_text=_("Your laboratory or department, e.g. UMR 1234."),
    )
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=5,
        choices=[("fr", "Français"), ("en", "English")],
        default="fr",
    )
    pseudonym = models.UUIDField(
        _("pseudonymous identifier"), default=uuid.uuid4, unique=True, editable=False
    )

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.get_full_name() or self.username


class AccountDeletion(models.Model):
    """A record that an account was deleted at the person's request (GDPR art. 17).

    It holds no personal data: only the pseudonym the learning records used, so
    an auditor can see that a deletion happened and when, and match it to any
    pseudonymous statement kept for statistics.
    """

    pseudonym = models.UUIDField(_("pseudonymous identifier"), unique=True)
    deleted_at = models.DateTimeField(_("deleted at"), auto_now_add=True)

    class Meta:
        verbose_name = _("account deletion")
        verbose_name_plural = _("account deletions")
        ordering = ["-deleted_at"]

    def __str__(self):
        return f"{self.pseudonym} ({self.deleted_at:%Y-%m-%d})"
