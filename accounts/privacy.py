"""Personal data rights (GDPR): access/portability (art. 15, 20) and erasure (art. 17).

The learning side (enrolments, progress, xAPI statements, certificates) is
owned by `learning.records`, which provides `export_learning_records(user)` and
`forget_learner(user)`; this module adds the account itself around them.
"""

from types import ModuleType

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction

from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount

from accounts.models import AccountDeletion

EXPORT_FORMAT_VERSION = 1


def _learning_records() -> ModuleType | None:
    """`learning.records`, or None while the learning app does not provide it."""
    try:
        from learning import records
    except ModuleNotFoundError as error:
        # Only a missing `learning.records` is tolerated: an import error
        # inside it is a bug and must surface.
        if error.name not in ("learning.records", "learning"):
            raise
        return None
    return records


def _isoformat(value) -> str | None:
    return value.isoformat() if value else None


def export_personal_data(user: AbstractBaseUser) -> dict:
    """Everything Atelier holds about `user`, as a JSON-serialisable dict."""
    emails = EmailAddress.objects.filter(user=user).order_by("-primary", "email")
    social_accounts = SocialAccount.objects.filter(user=user).order_by("provider")
    records = _learning_records()
    learning = records.export_learning_records(user) if records else {}
    return {
        "format_version": EXPORT_FORMAT_VERSION,
        "profile": {
            "username": user.username,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "email": user.email,
            "declared_unit": user.declared_unit,
            "preferred_language": user.preferred_language,
            "pseudonym": str(user.pseudonym),
            "date_joined": _isoformat(user.date_joined),
            "last_login": _isoformat(user.last_login),
        },
        "email_addresses": [
            {
                "email": address.email,
                "verified": address.verified,
                "primary": address.primary,
            }
            for address in emails
        ],
        "single_sign_on": [
            {
                "provider": account.provider,
                "uid": account.uid,
                "date_joined": _isoformat(account.date_joined),
                "last_login": _isoformat(account.last_login),
            }
            for account in social_accounts
        ],
        "learning": learning,
    }


def forget_learning_records(
    user: AbstractBaseUser, *, withdraw_certificates: bool = False
) -> None:
    """The learning side's erasure of `user` (nothing while it has none)."""
    records = _learning_records()
    if records:
        records.forget_learner(user, withdraw_certificates=withdraw_certificates)


def has_certificates(user: AbstractBaseUser) -> bool:
    records = _learning_records()
    return bool(records) and records.has_certificates(user)


def delete_account(
    user: AbstractBaseUser, *, withdraw_certificates: bool = False
) -> AccountDeletion:
    """Erase `user` and their learning records, keeping a dated, pseudonymous trace
    and the certificates already issued (verifiable, or withdrawn if asked).

    One transaction: the learning side forgets the learner, the deletion is
    recorded, then the user row goes (its e-mail addresses and SSO links
    cascade). If any step fails, nothing is deleted.
    """
    with transaction.atomic():
        forget_learning_records(user, withdraw_certificates=withdraw_certificates)
        deletion = AccountDeletion.objects.create(pseudonym=user.pseudonym)
        user.delete()
    return deletion
