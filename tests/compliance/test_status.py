"""The status rule across every transition, with frozen time, and its bulk form."""

from datetime import date

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

import pytest
import time_machine

from learning.certificates.issuance import revoke_certificate
from learning.compliance.models import ComplianceStatus as S
from learning.compliance.status import standing, standings

from .conftest import at, certify, enrol, member

pytestmark = pytest.mark.django_db


def status_on(day, user, requirement):
    with time_machine.travel(at(day), tick=False):
        return standing(user, requirement)


def test_status_walks_through_every_transition(requirement, snds_course, units):
    """due → in_progress → overdue → compliant → expiring → expired → compliant again."""
    user = member(units["team"], joined=date(2026, 1, 1))
    assert status_on(date(2026, 1, 10), user, requirement).status == S.DUE
    enrollment = enrol(user, snds_course, on=date(2026, 1, 15))
    assert status_on(date(2026, 1, 20), user, requirement).status == S.IN_PROGRESS
    # Due date = joined + 30 days = 31 January; still due on that day.
    assert status_on(date(2026, 1, 31), user, requirement).status == S.IN_PROGRESS
    assert status_on(date(2026, 2, 1), user, requirement).status == S.OVERDUE
    certificate = certify(
        user, snds_course, on=date(2026, 2, 10), enrollment=enrollment
    )
    result = status_on(date(2026, 2, 11), user, requirement)
    assert result.status == S.COMPLIANT
    assert result.cleared
    assert result.valid_until == date(2027, 2, 10)
    assert result.certificate_code == certificate.code
    assert result.verification_url.endswith(f"/certificates/verify/{certificate.code}/")
    assert status_on(date(2027, 1, 10), user, requirement).status == S.COMPLIANT
    assert status_on(date(2027, 1, 11), user, requirement).status == S.EXPIRING
    expiring = status_on(date(2027, 2, 10), user, requirement)
    assert expiring.status == S.EXPIRING
    assert expiring.cleared
    expired = status_on(date(2027, 2, 11), user, requirement)
    assert expired.status == S.EXPIRED
    assert not expired.cleared
    assert expired.certificate_code == certificate.code


def test_status_recertification_supersedes_the_expired_certificate(
    requirement, snds_course, units
):
    """Renewing after expiry gives a new certificate and a compliant status."""
    from learning.certificates.issuance import recertify

    user = member(units["lab_b"])
    first = certify(user, snds_course, on=date(2025, 1, 5))
    assert status_on(date(2026, 2, 1), user, requirement).status == S.EXPIRED
    enrollment = first.enrollment
    with time_machine.travel(at(date(2026, 2, 2)), tick=False):
        recertify(enrollment)
    # Renewing but not finished: still expired (not cleared).
    assert status_on(date(2026, 2, 3), user, requirement).status == S.EXPIRED
    with time_machine.travel(at(date(2026, 2, 4)), tick=False):
        second = certify(user, snds_course, on=date(2026, 2, 4), enrollment=enrollment)
    result = status_on(date(2026, 2, 5), user, requirement)
    assert result.status == S.COMPLIANT
    assert result.certificate_code == second.code


def test_status_revoked_certificate_does_not_count(
    requirement, snds_course, units, manager_a
):
    """A revoked certificate clears nobody: the person is back to overdue."""
    user = member(units["lab_a"])
    certificate = certify(user, snds_course, on=date(2026, 1, 10))
    assert status_on(date(2026, 3, 1), user, requirement).status == S.COMPLIANT
    revoke_certificate(certificate, by=manager_a, reason="Fraude")
    assert status_on(date(2026, 3, 1), user, requirement).status == S.OVERDUE


def test_status_requirement_validity_overrides_the_certificate(
    requirement, snds_course, units
):
    """A requirement's own validity (6 months) is counted from the completion date."""
    requirement.validity_months = 6
    requirement.save()
    user = member(units["lab_a"])
    certify(user, snds_course, on=date(2026, 1, 10))
    result = status_on(date(2026, 6, 15), user, requirement)
    assert result.valid_until == date(2026, 7, 10)
    assert result.status == S.EXPIRING
    assert status_on(date(2026, 7, 11), user, requirement).status == S.EXPIRED


def test_status_course_without_validity_never_expires(requirement, snds_course, units):
    """No validity anywhere: compliant for ever."""
    snds_course.certificate_validity_months = None
    snds_course.save()
    user = member(units["lab_a"])
    certify(user, snds_course, on=date(2026, 1, 10))
    result = status_on(date(2036, 1, 1), user, requirement)
    assert result.status == S.COMPLIANT
    assert result.valid_until is None


def test_status_no_due_period_means_never_overdue(requirement, units):
    """Without a due period, a newcomer stays `due`."""
    requirement.due_days = None
    requirement.save()
    user = member(units["lab_a"])
    assert status_on(date(2030, 1, 1), user, requirement).status == S.DUE


def test_status_group_requirement_counts_from_account_creation(
    requirement, units, snds_course
):
    """A requirement through a group applies from the account's creation date."""
    requirement.units.clear()
    group = Group.objects.create(name="Utilisateurs SNDS")
    requirement.groups.add(group)
    with time_machine.travel(at(date(2026, 1, 1)), tick=False):
        user = get_user_model().objects.create_user("gaby", "gaby@example.org")
    user.emailaddress_set.create(email=user.email, verified=True, primary=True)
    user.groups.add(group)
    assert status_on(date(2026, 1, 20), user, requirement).status == S.DUE
    assert status_on(date(2026, 2, 1), user, requirement).status == S.OVERDUE


def test_status_bulk_only_people_the_requirement_applies_to(requirement, units):
    """Members of target units and descendants are included, others are not."""
    other = OrgUnit_outside()
    inside = member(units["team"])
    outside = member(other)
    with time_machine.travel(at(date(2026, 1, 10)), tick=False):
        found = standings(get_user_model().objects.all(), [requirement])
    assert (inside.pk, requirement.pk) in found
    assert (outside.pk, requirement.pk) not in found


def OrgUnit_outside():
    from learning.compliance.models import OrgUnit

    return OrgUnit.objects.create(code="OTHER", name="Autre institut")


def test_status_bulk_uses_a_bounded_number_of_queries(
    requirement, snds_course, units, django_assert_max_num_queries
):
    """Twenty people or two: the same handful of queries."""
    for index in range(20):
        user = member(units["lab_a" if index % 2 else "team"])
        if index % 3 == 0:
            certify(user, snds_course, on=date(2026, 1, 5))
        elif index % 3 == 1:
            enrol(user, snds_course, on=date(2026, 1, 5))
    users = get_user_model().objects.filter(unit_memberships__isnull=False)
    with django_assert_max_num_queries(10):
        found = standings(users, [requirement], today=date(2026, 1, 20))
    assert len(found) == 20
    counts = {}
    for item in found.values():
        counts[item.status] = counts.get(item.status, 0) + 1
    assert counts == {S.COMPLIANT: 7, S.IN_PROGRESS: 7, S.DUE: 6}


def test_status_bulk_matches_the_single_function(requirement, snds_course, units):
    """The bulk and the single form agree person by person."""
    people = [member(units["lab_b"]) for _ in range(4)]
    certify(people[0], snds_course, on=date(2025, 1, 1))
    certify(people[1], snds_course, on=date(2026, 1, 1))
    enrol(people[2], snds_course, on=date(2026, 1, 1))
    with time_machine.travel(at(date(2026, 3, 1)), tick=False):
        bulk = standings(get_user_model().objects.all(), [requirement])
        for person in people:
            assert bulk[(person.pk, requirement.pk)] == standing(person, requirement)
