"""What the platform takes from outside LRS clients.

Statements from outside clients are stored under their client's authority and
change nothing in a learner's record (progress, certificates), except where an
administrator trusts the client for the course (`LRSClient.trusted_courses`,
empty by default). Then its "launched"/"completed" statements about that course
or its lessons move the learner's progress like the platform's own, and the
course completed that way leads to a certificate. A statement counts only if it
names an existing enrolment in that course (its registration) and that
enrolment's learner as the actor; it never creates an enrolment. Each statement
that moved progress is recorded (`TrustedStatement`) so rebuild_progress
replays exactly those, whatever the trust settings have become since.
"""

import uuid

from django.conf import settings
from django.db import transaction

from ..statements import parse_activity_iri
from ..vocabulary import COMPLETED, LAUNCHED
from .models import TrustedStatement

PROGRESS_VERBS = {LAUNCHED.id, COMPLETED.id}


def _about_progress(data: dict) -> bool:
    """Could this statement move progress at all (before any query)?"""
    if data["verb"]["id"] not in PROGRESS_VERBS:
        return False
    if not (data.get("context") or {}).get("registration"):
        return False
    target = parse_activity_iri(data["object"].get("id", ""))
    return target is not None and target[0] in ("course", "lesson")


def _vouched(data: dict, enrollment) -> bool:
    """The statement is about this enrolment's learner, course or its lessons."""
    account = data["actor"].get("account") or {}
    if account.get("homePage") != settings.SITE_BASE_URL:
        return False
    if account.get("name") != str(enrollment.user.pseudonym):
        return False
    kind, key = parse_activity_iri(data["object"]["id"])
    course = enrollment.course
    if kind == "course":
        return key == course.translation_key
    return course.lessons().filter(translation_key=key).exists()


def apply_trusted(rows, client) -> None:
    """Let a trusted client's freshly stored statements move progress.

    Costs no query for statements that cannot be about a learner's progress
    (no registration, another verb, another site's activities).
    """
    candidates = [row for row in rows if _about_progress(row.data)]
    if client is None or not candidates:
        return
    from learning.models import Enrollment

    trusted = set(client.trusted_courses.values_list("pk", flat=True))
    if not trusted:
        return
    registrations = {
        uuid.UUID(row.data["context"]["registration"]) for row in candidates
    }
    enrollments = {
        enrollment.pk: enrollment
        for enrollment in Enrollment.objects.filter(
            id__in=registrations, course_id__in=trusted
        ).select_related("user", "course")
    }
    for row in candidates:
        enrollment = enrollments.get(uuid.UUID(row.data["context"]["registration"]))
        if enrollment is not None and _vouched(row.data, enrollment):
            _apply(row, enrollment)


def _apply(row, enrollment) -> None:
    from learning.certificates.jobs import schedule_issuance
    from learning.progress import complete_course, course_requirements_met
    from learning.projection import apply_statement

    TrustedStatement.objects.create(statement_id=row.id, course_id=enrollment.course_id)
    was_completed = enrollment.is_completed
    apply_statement(row.data)
    enrollment.refresh_from_db()
    if was_completed:
        return
    if enrollment.is_completed:  # the client completed the course itself
        pk = enrollment.pk
        transaction.on_commit(lambda: schedule_issuance(pk), robust=True)
    elif row.data["verb"]["id"] == COMPLETED.id and course_requirements_met(enrollment):
        complete_course(enrollment, when=row.timestamp)
