from datetime import date, datetime, time

from django.utils import timezone

import pytest

from learning import progress
from learning.certificates.issuance import issue_certificate
from learning.compliance.models import (
    Membership,
    MembershipRole,
    OrgUnit,
    Requirement,
)
from tests.factories import UserFactory


def at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def enrol(user, course, *, on: date):
    return progress.enrol(user, course, when=at(on))


def certify(user, course, *, on: date, enrollment=None):
    """Enrol (unless given), complete every lesson and issue the certificate."""
    enrollment = enrollment or enrol(user, course, on=on)
    done = set(
        enrollment.lesson_progress.filter(completed_at__isnull=False).values_list(
            "lesson_id", flat=True
        )
    )
    for lesson in course.lessons():
        if lesson.pk not in done:
            progress.complete_lesson(enrollment, lesson, when=at(on, 11))
    enrollment.refresh_from_db()
    if not enrollment.is_completed:  # a renewal: the lessons were done before
        enrollment = progress.complete_course(enrollment, when=at(on, 11))
    return issue_certificate(enrollment, when=at(on, 12))


@pytest.fixture
def snds_course(course):
    course.certificate_validity_months = 12
    course.save()
    return course


@pytest.fixture
def units(db):
    """institute > lab-a > team-a1, institute > lab-b."""
    institute = OrgUnit.objects.create(code="INST", name="Institut")
    lab_a = OrgUnit.objects.create(code="LAB-A", name="Labo A", parent=institute)
    team = OrgUnit.objects.create(code="TEAM-A1", name="Équipe A1", parent=lab_a)
    lab_b = OrgUnit.objects.create(code="LAB-B", name="Labo B", parent=institute)
    return {"institute": institute, "lab_a": lab_a, "team": team, "lab_b": lab_b}


@pytest.fixture
def requirement(snds_course, units):
    requirement = Requirement.objects.create(
        slug="snds",
        title="Accès SNDS",
        reminder_days=30,
        due_days=30,
    )
    requirement.courses.add(snds_course)
    requirement.units.add(units["institute"])
    return requirement


def member(
    unit,
    *,
    username=None,
    joined=date(2026, 1, 1),
    role=MembershipRole.MEMBER,
    verified=True,
    **kw,
):
    """A person in `unit`; their e-mail address confirmed unless `verified=False`."""
    from allauth.account.models import EmailAddress

    user = UserFactory(username=username, **kw) if username else UserFactory(**kw)
    if verified:
        EmailAddress.objects.create(
            user=user, email=user.email, verified=True, primary=True
        )
    Membership.objects.create(user=user, unit=unit, role=role, joined_at=joined)
    return user


@pytest.fixture
def manager_a(units):
    """Manages laboratory A (and its team)."""
    return member(units["lab_a"], username="manon", role=MembershipRole.MANAGER)
