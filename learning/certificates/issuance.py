"""Issuing, revoking and renewing certificates: domain functions, one transaction each.

`issue_certificate` writes the certificate row and its xAPI "earned" statement
together, and is idempotent: the row is unique per completion (enrolment +
completion time), so a retried or concurrent job returns the certificate that
already exists instead of issuing a second one.

Recertification: an enrolment is unique per learner and course, and a completed
course cannot be completed again. `recertify(enrollment)` therefore reopens a new
cycle on the same enrolment: it records an xAPI "initialized" statement and sets
the enrolment back to "in progress". The next completion (passing a required quiz
again, or `progress.complete_course`) has a new completion time, so the job issues
a new certificate, and the previous current one is marked superseded by it.
"""

from datetime import UTC, datetime
from itertools import product
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import get_language
from wagtail.models import Site

from dateutil.relativedelta import relativedelta
from tincan import Activity, ActivityDefinition, LanguageMap

from cms.models import InstitutionSettings
from learning.compliance.models import Membership, MembershipRole
from learning.compliance.scope import manager_scope
from learning.exceptions import OutOfScope
from learning.models import Enrollment
from learning.progress import course_score
from learning.projection import apply_statement
from learning.xapi import vocabulary
from learning.xapi.statements import activity, build_statement
from learning.xapi.store import store_statement

from . import signing
from .exceptions import (
    AlreadyRevoked,
    CourseNotCompleted,
    NoCertificateToRenew,
    RevocationReasonMissing,
)
from .models import Certificate

# The Tin Can registry's type for a certificate-like credential.
CERTIFICATE_ACTIVITY_TYPE = "http://id.tincanapi.com/activitytype/certificate"
INITIALIZED = vocabulary.INITIALIZED


PAYLOAD_FORMAT = 2
LEGACY_FORMAT = 1


def site_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _language() -> str:
    return (get_language() or "fr").split("-")[0]


def learner_name(user) -> str:
    """The name as registered on the account (username if none)."""
    return user.get_full_name().strip() or user.get_username()


def member_unit_name() -> Subquery:
    """The name of the unit a learner (OuterRef "user") is a member of, latest first."""
    return Subquery(
        Membership.objects.filter(user=OuterRef("user"), role=MembershipRole.MEMBER)
        .order_by("-joined_at", "pk")
        .values("unit__name")[:1]
    )


def utc_timestamp(value: datetime) -> str:
    """The one signed form of an instant, whatever its time zone:
    2026-03-29T08:00:00.000000Z (UTC, fixed width)."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _payload(certificate: Certificate, completed_at: str, issued_at: str) -> dict:
    return {
        "code": certificate.code,
        "id": f"urn:uuid:{certificate.uuid}",
        "learner": certificate.learner_name,
        "course": {
            "id": activity_id(certificate),
            "title": certificate.course_title,
            "version": certificate.course_version,
        },
        "score": certificate.score,
        "completedAt": completed_at,
        "issuedAt": issued_at,
        "validUntil": (
            certificate.valid_until.isoformat() if certificate.valid_until else None
        ),
        "issuer": {
            "name": certificate.institution_name,
            "url": certificate.institution_url,
            "signatory": certificate.signatory_name,
            "signatoryTitle": certificate.signatory_title,
        },
    }


def signed_payload(certificate: Certificate) -> dict:
    """What the signature covers (format 2): the certificate's identity and
    snapshot fields, its instants in one UTC form."""
    payload = _payload(
        certificate,
        utc_timestamp(certificate.completed_at),
        utc_timestamp(certificate.issued_at),
    )
    payload["format"] = PAYLOAD_FORMAT
    payload["unit"] = certificate.learner_unit
    payload["course"]["objectives"] = certificate.objectives
    return payload


def legacy_payloads(certificate: Certificate):
    """Format 1 candidates. Format 1 signed `isoformat()`, whose offset was the
    one the datetime carried at issuance (UTC from the database, the site's zone
    when a caller passed a local time): try the same instants in each. Every
    candidate denotes the same instants, so this accepts nothing new."""
    zones = [UTC, site_zone(), timezone.get_current_timezone()]
    completed = {
        certificate.completed_at.astimezone(zone).isoformat() for zone in zones
    }
    issued = {certificate.issued_at.astimezone(zone).isoformat() for zone in zones}
    for completed_at, issued_at in product(sorted(completed), sorted(issued)):
        yield _payload(certificate, completed_at, issued_at)


def activity_id(certificate: Certificate) -> str:
    from learning.xapi.statements import activity_iri

    return activity_iri("course", certificate.course)


def signature_is_valid(certificate: Certificate) -> bool:
    if certificate.payload_format == LEGACY_FORMAT:
        candidates = legacy_payloads(certificate)
    else:
        candidates = [signed_payload(certificate)]
    return any(
        signing.verify(payload, certificate.signature, certificate.key_id)
        for payload in candidates
    )


def institution_settings() -> InstitutionSettings:
    site = Site.objects.filter(is_default_site=True).first() or Site.objects.first()
    return InstitutionSettings.for_site(site)


def _earned_statement(certificate: Certificate, enrollment: Enrollment) -> dict:
    title = certificate.course_title
    obj = Activity(
        id=certificate.activity_iri,
        definition=ActivityDefinition(
            type=CERTIFICATE_ACTIVITY_TYPE,
            name=LanguageMap(
                {"fr": f"Certificat : {title}", "en": f"Certificate: {title}"}
            ),
        ),
    )
    score = certificate.score
    return build_statement(
        user=enrollment.user,
        verb=vocabulary.EARNED,
        obj=obj,
        when=certificate.issued_at,
        registration=enrollment.pk,
        parent=activity("course", enrollment.course, with_definition=False),
        language=_language(),
        success=True,
        score=None if score is None else (score, 0.0, 1.0),
    )


def issue_certificate(
    enrollment: Enrollment,
    *,
    when: datetime | None = None,
    institution: InstitutionSettings | None = None,
) -> Certificate:
    """Issue the certificate of the enrolment's completion, once ("earned" statement).

    Only `enrollment.pk` is read: the enrolment is fetched again, locked."""
    with transaction.atomic():
        enrollment = (
            Enrollment.objects.select_for_update(of=("self",))
            .select_related("course", "user")
            .annotate(member_unit=member_unit_name())
            .get(pk=enrollment.pk)
        )
        if not enrollment.is_completed or enrollment.completed_at is None:
            raise CourseNotCompleted
        existing = Certificate.objects.filter(
            enrollment=enrollment, completed_at=enrollment.completed_at
        ).first()
        if existing:
            return existing
        course = enrollment.course
        institution = institution or institution_settings()
        issued_at = (when or timezone.now()).replace(microsecond=0)
        months = course.certificate_validity_months
        certificate = Certificate(
            enrollment=enrollment,
            completed_at=enrollment.completed_at,
            course=course,
            learner_name=learner_name(enrollment.user),
            # The unit the learner is a member of, else the one they typed
            # before units were chosen from a list.
            learner_unit=enrollment.member_unit
            or enrollment.user.declared_unit.strip()
            or "",
            course_title=course.title,
            course_version=course.version,
            course_objectives=course.objectives.strip(),
            score=course_score(enrollment),
            issued_at=issued_at,
            valid_until=(
                # The site's calendar, whatever zone the request runs in.
                timezone.localdate(enrollment.completed_at, site_zone())
                + relativedelta(months=months)
                if months
                else None
            ),
            institution_name=institution.institution_name,
            institution_url=institution.institution_url,
            signatory_name=institution.signatory_name,
            signatory_title=institution.signatory_title,
        )
        certificate.key_id, certificate.signature = signing.sign(
            signed_payload(certificate)
        )
        try:
            with transaction.atomic():  # a savepoint: a lost race must not poison us
                certificate.save()
        except IntegrityError:
            # A concurrent job won (SQLite has no row lock to queue us behind it).
            return Certificate.objects.get(
                enrollment=enrollment, completed_at=enrollment.completed_at
            )
        Certificate.objects.filter(enrollment=enrollment).current().exclude(
            pk=certificate.pk
        ).update(superseded_by=certificate)
        store_statement(_earned_statement(certificate, enrollment))
        return certificate


def revoke_certificate(
    certificate: Certificate, *, by, reason: str, when: datetime | None = None
) -> Certificate:
    """Revoke a certificate with a reason (recorded, shown on verification).

    `by` must manage the holder (`manager_scope`), else OutOfScope; None is the
    platform itself (a command or a job acting for the administrators).
    """
    reason = (reason or "").strip()
    if not reason:
        raise RevocationReasonMissing
    # No holder once their account is deleted: only managers of everyone then.
    holder = certificate.enrollment.user_id if certificate.enrollment_id else None
    if by is not None and not manager_scope(by).includes_person(holder):
        raise OutOfScope
    with transaction.atomic():
        certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if certificate.is_revoked:
            raise AlreadyRevoked
        certificate.revoked_at = when or timezone.now()
        certificate.revoked_by = by
        certificate.revocation_reason = reason
        certificate.save(
            update_fields=["revoked_at", "revoked_by", "revocation_reason"]
        )
        return certificate


def recertify(enrollment: Enrollment, *, when: datetime | None = None) -> Enrollment:
    """Reopen a completed, certified enrolment for a new cycle ("initialized")."""
    when = when or timezone.now()
    with transaction.atomic():
        enrollment = (
            Enrollment.objects.select_for_update(of=("self",))
            .select_related("course", "user")
            .get(pk=enrollment.pk)
        )
        if (
            not enrollment.is_completed
            or not enrollment.certificates.current().exists()
        ):
            raise NoCertificateToRenew
        statement = build_statement(
            user=enrollment.user,
            verb=INITIALIZED,
            obj=activity("course", enrollment.course),
            when=when,
            registration=enrollment.pk,
            language=_language(),
        )
        store_statement(statement)
        # The projection reopens the enrolment, so rebuild_progress agrees.
        apply_statement(statement)
        enrollment.refresh_from_db()
        return enrollment
