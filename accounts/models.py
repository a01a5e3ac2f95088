"""People: the user table holds all personal data, and nothing else does.

Learning records refer to a person through `pseudonym`, an opaque identifier
used as the xAPI account name, so statements never carry an e-mail or a name.
"""

import uuid

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _


def _forget_learning_records(users) -> None:
    """Let the learning side erase its records of `users` before their rows go.

    Its foreign keys PROTECT certificates and quiz attempts from cascades, so
    every way of deleting a person (the account page, the admin's single and
    bulk deletion, the shell) goes through the same erasure rule."""
    from accounts.privacy import forget_learning_records

    for user in users:
        forget_learning_records(user)


class UserQuerySet(models.QuerySet):
    def delete(self):
        with transaction.atomic():
            _forget_learning_records(self)
            return super().delete()


class AccountManager(UserManager.from_queryset(UserQuerySet)):
    pass


class User(AbstractUser):
    # The free-text unit people typed at sign-up before they chose one from the
    # organisation's units (compliance.UnitRequest). Kept to help administrators
    # place them, and printed on certificates when no unit is confirmed.
    declared_unit = models.CharField(
        _("unit as typed at sign-up"),
        max_length=200,
        blank=True,
        help_text=_(
            "Typed by the person before units were chosen from a list; "
            "administrators use it to place them in a unit."
        ),
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

    objects = AccountManager()

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.get_full_name() or self.username

    def delete(self, *args, **kwargs):
        with transaction.atomic():
            _forget_learning_records([self])
            return super().delete(*args, **kwargs)


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
