"""A short-lived cache of the dashboard's counts, dropped whenever the facts change.

The whole institute's counts take the database a second or so (every person
against every requirement); a manager reloading the dashboard, paging or going
back should not pay it again. The results of `StatusQuery.counts_and_page()`
are cached under a key made of the SQL and its parameters (so of the day, the
units and the filters) and of a *generation*, replaced after every committed
change to what the status rule reads: certificates, enrolments (new or
changing status), memberships, units, requirements and their courses, units
and groups, people's groups and accounts, and what vouches for an identity
(confirmed addresses, SSO and LTI accounts). Writes that bypass the ORM
signals (raw SQL, `QuerySet.update()`) are covered by the short lifetime,
`CACHE_SECONDS`. The rows of the page are still evaluated fresh by
`status.standings()`.
"""

import hashlib
import uuid

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_init, post_save

GENERATION_KEY = "compliance:generation"
CACHE_SECONDS = 120


def generation() -> str:
    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, uuid.uuid4().hex, None)
        value = cache.get(GENERATION_KEY, "")
    return value


def key_for(sql: str, params: list) -> str:
    digest = hashlib.sha256(f"{sql}\n{params!r}".encode()).hexdigest()
    return f"compliance:standing:{generation()}:{digest}"


def _renew() -> None:
    cache.set(GENERATION_KEY, uuid.uuid4().hex, None)


def facts_changed(sender=None, update_fields=None, action="post", **kwargs) -> None:
    """A signal receiver: forget every cached count, now and once committed.

    Now, for this transaction's own reads; again after the commit, in case
    another request cached the old facts in between.
    """
    if update_fields and set(update_fields) <= {"last_login"}:
        return  # logging in changes nothing the rule reads
    if action.startswith("pre_"):
        return  # m2m_changed: wait for the change itself
    _renew()
    transaction.on_commit(_renew)


def _remember_status(sender, instance, **kwargs) -> None:
    instance._compliance_status = instance.__dict__.get("status")


def enrollment_changed(sender, instance, created=False, **kwargs) -> None:
    """Only a new enrolment or a new status matters (not each lesson's activity,
    saved for every xAPI statement: that path must stay free of cache writes)."""
    if created or instance.status != getattr(instance, "_compliance_status", None):
        facts_changed(sender, **kwargs)
        instance._compliance_status = instance.status


def connect() -> None:
    """Listen to every model the status rule reads (called by the app config)."""
    from allauth.account.models import EmailAddress
    from allauth.socialaccount.models import SocialAccount

    from learning.certificates.models import Certificate
    from learning.lti.models import Identity
    from learning.models import Enrollment

    from .models import Membership, OrgUnit, Requirement

    User = get_user_model()
    identity = (EmailAddress, SocialAccount, Identity)  # accounts/identity.py
    for model in (
        Certificate,
        Enrollment,
        Membership,
        OrgUnit,
        Requirement,
        User,
        *identity,
    ):
        post_delete.connect(
            facts_changed,
            sender=model,
            dispatch_uid=f"compliance-{model._meta.label}-delete",
        )
        if model is not Enrollment:
            post_save.connect(
                facts_changed,
                sender=model,
                dispatch_uid=f"compliance-{model._meta.label}-save",
            )
    post_init.connect(
        _remember_status, sender=Enrollment, dispatch_uid="compliance-enrollment-init"
    )
    post_save.connect(
        enrollment_changed, sender=Enrollment, dispatch_uid="compliance-enrollment-save"
    )
    for through in (
        Requirement.courses.through,
        Requirement.units.through,
        Requirement.groups.through,
        User.groups.through,
    ):
        m2m_changed.connect(
            facts_changed,
            sender=through,
            dispatch_uid=f"compliance-{through._meta.label}-m2m",
        )
