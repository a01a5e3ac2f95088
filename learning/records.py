"""A learner's records, for the privacy features of the account pages.

`export_learning_records` gathers everything we hold about a learner's learning;
`forget_learner` removes the projection rows before the account is deleted. The
statements stay: they only carry the pseudonymous account, which no longer maps
to anyone once the user row is gone.
"""

import shutil

from django.db import transaction
from django.utils import timezone

from cms.addresses import page_absolute_url

from .certificates.models import Certificate
from .certificates.verification import verify_certificate
from .models import Enrollment, QuizAttempt
from .xapi.models import Statement


def export_learning_records(user) -> dict:
    """Enrolments, lesson progress, certificates and every statement about
    `user`, JSON-ready."""
    enrollments = (
        Enrollment.objects.filter(user=user)
        .select_related("course")
        .prefetch_related("lesson_progress__lesson")
        .order_by("enrolled_at")
    )
    statements = Statement.objects.for_actor(str(user.pseudonym)).order_by("stored")
    return {
        "enrollments": [
            {
                "registration": str(enrollment.pk),
                "course": enrollment.course.title,
                "course_url": page_absolute_url(enrollment.course),
                "status": enrollment.status,
                "enrolled_at": enrollment.enrolled_at.isoformat(),
                "completed_at": enrollment.completed_at.isoformat()
                if enrollment.completed_at
                else None,
                "lessons": [
                    {
                        "lesson": progress.lesson.title,
                        "opened_at": progress.opened_at.isoformat(),
                        "completed_at": progress.completed_at.isoformat()
                        if progress.completed_at
                        else None,
                    }
                    for progress in enrollment.lesson_progress.all()
                ],
            }
            for enrollment in enrollments
        ],
        "certificates": [_certificate(c) for c in _certificates_of(user)],
        **_units_of(user),
        "xapi_statements": [statement.data for statement in statements],
    }


def _units_of(user) -> dict:
    """The person's units, requests to join one, and the reminders they got."""
    from .compliance.models import Reminder, UnitRequest

    return {
        "units": [
            {
                "unit": m.unit.name,
                "code": m.unit.code,
                "role": m.role,
                "joined_on": m.joined_at.isoformat(),
            }
            for m in user.unit_memberships.select_related("unit").order_by("pk")
        ],
        "unit_requests": [
            {
                "unit": r.unit.name,
                "status": r.status,
                "asked_at": r.requested_at.isoformat(),
                "decided_at": r.decided_at.isoformat() if r.decided_at else None,
            }
            for r in UnitRequest.objects.filter(user=user)
            .select_related("unit")
            .order_by("requested_at", "pk")
        ],
        "compliance_reminders": [
            {
                "training": r.requirement.title,
                "kind": r.kind,
                "sent_at": r.sent_at.isoformat(),
                "sent_by_hand": r.manual,
            }
            for r in Reminder.objects.filter(user=user)
            .select_related("requirement")
            .order_by("sent_at", "pk")
        ],
    }


def _certificates_of(user):
    return (
        Certificate.objects.filter(enrollment__user=user)
        .select_related("course", "superseded_by")
        .order_by("issued_at", "pk")
    )


def _certificate(certificate: Certificate) -> dict:
    """What the certificate says about the learner, and its status as the public
    verification page gives it."""
    return {
        "code": certificate.display_code,
        "verification_url": certificate.verification_url,
        "status": verify_certificate(certificate).status,
        "learner_name": certificate.learner_name,
        "learner_unit": certificate.learner_unit,
        "course": certificate.course_title,
        "course_version": certificate.course_version,
        "learning_objectives": certificate.objectives,
        "score": certificate.score,
        "completed_at": certificate.completed_at.isoformat(),
        "issued_at": certificate.issued_at.isoformat(),
        "valid_until": (
            certificate.valid_until.isoformat() if certificate.valid_until else None
        ),
        "issuer": certificate.institution_name,
        "revoked_at": (
            certificate.revoked_at.isoformat() if certificate.revoked_at else None
        ),
        "revocation_reason": certificate.revocation_reason,
    }


def has_certificates(user) -> bool:
    return Certificate.objects.filter(enrollment__user=user).exists()


@transaction.atomic
def forget_learner(user, *, withdraw_certificates: bool = False) -> int:
    """Delete the learner's progress rows (the statements stay, pseudonymous).

    Certificates stay as the institution's training evidence (README, "Account
    deletion and certificates"): cut from the account, their stored PDF file
    deleted, still verifiable, or withdrawn if the learner asks. Attempts are
    deleted explicitly: foreign keys protect both from cascades."""
    enrollments = Enrollment.objects.filter(user=user)
    certificates = Certificate.objects.filter(enrollment__in=enrollments)
    for certificate in certificates.exclude(pdf=""):
        # After the commit: a rollback must not lose a file the row still names.
        pdf = certificate.pdf
        transaction.on_commit(lambda pdf=pdf: pdf.storage.delete(pdf.name))
    changes = {"enrollment": None, "pdf": ""}
    if withdraw_certificates:
        changes["withdrawn_at"] = timezone.now()
    certificates.update(**changes)
    QuizAttempt.objects.filter(enrollment__in=enrollments).delete()
    # The HDF5 files the learner chose to keep after a check go with them.
    from courses.hdf5.uploads import kept_uploads_dir

    kept = kept_uploads_dir() / str(user.pseudonym)
    transaction.on_commit(lambda: shutil.rmtree(kept, ignore_errors=True))
    deleted, _ = enrollments.delete()
    return deleted
