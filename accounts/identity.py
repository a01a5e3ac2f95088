"""Whether Atelier knows who a person is: the rule the access gate relies on.

A person's identity is verified when the e-mail address of their account has
been confirmed (allauth's verification link), or when an institutional identity
provider asserted it (an SSO account), or a registered LMS did (an account an
LTI launch created: learning/lti/launch.py; registering a platform is an
administrator's decision, as configuring an SSO provider is). Anyone can create a local account with
someone else's address; until it is confirmed, nothing Atelier says about that
address may clear it for anything.
"""

from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q

from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount

from learning.lti.models import Identity


def verified_identity(user: str = "") -> Q:
    """Condition on users: e-mail address confirmed, or identity asserted by SSO
    or by an LTI platform.

    `user` is the path to the user from the rows filtered (`"user__"` on a
    membership, say); empty on users themselves.
    """
    pk = f"{user}pk" if user else "pk"
    confirmed = EmailAddress.objects.filter(
        user=OuterRef(pk), email__iexact=OuterRef(f"{user}email"), verified=True
    )
    sso = SocialAccount.objects.filter(user=OuterRef(pk))
    lti = Identity.objects.filter(user=OuterRef(pk))
    return Q(Exists(confirmed)) | Q(Exists(sso)) | Q(Exists(lti))


def identity_verified_annotation(user: str = "") -> ExpressionWrapper:
    """`verified_identity()` as a boolean column, to read it with the row."""
    return ExpressionWrapper(verified_identity(user), output_field=BooleanField())


def is_identity_verified(user) -> bool:
    """True when `user`'s e-mail is confirmed or an SSO provider vouches for them."""
    return type(user).objects.filter(verified_identity(), pk=user.pk).exists()
