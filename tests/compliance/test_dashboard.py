"""The dashboard's cost does not grow with the number of people."""

from datetime import date

from django.db import connection
from django.test.utils import CaptureQueriesContext

import pytest

from learning.compliance import freshness

from .conftest import at, certify, enrol, member

pytestmark = pytest.mark.django_db


def _people(units, course, count, offset):
    for index in range(count):
        person = member(
            units["team" if index % 2 else "lab_b"], username=f"p{offset + index}"
        )
        if index % 3 == 0:
            certify(person, course, on=date(2026, 1, 5))
        elif index % 3 == 1:
            enrol(person, course, on=date(2026, 1, 5))


def _queries(client, url="/compliance/") -> int:
    freshness._renew()  # no cached counts: measure the queries that compute them
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_dashboard_queries_do_not_grow_with_people(
    client, admin_user, requirement, snds_course, units
):
    """Six people or thirty: the same number of queries, and few of them."""
    client.force_login(admin_user)
    _people(units, snds_course, 6, 0)
    _queries(client)  # warm the per-process caches (site, locale, user profile)
    small = _queries(client)
    _people(units, snds_course, 24, 100)
    client.get("/compliance/")  # the same warm start (the session, the site caches)
    large = _queries(client)
    assert large == small
    assert large <= 25
    for url in ("/compliance/export.xlsx", "/compliance/register.csv"):
        assert _queries(client, url) <= 25


def _crowd(units, course, count, offset):
    """`count` people over the units and new teams, a third certified, a third enrolled."""
    from learning.certificates.models import Certificate
    from learning.compliance.models import OrgUnit
    from learning.models import Enrollment, EnrollmentStatus

    teams = [
        OrgUnit.objects.create(
            code=f"TEAM-B{offset + n}", name="Équipe B", parent=units["lab_b"]
        )
        for n in range(3)
    ]
    places = [units["team"], units["lab_a"], units["lab_b"], *teams]
    for index in range(count):
        person = member(places[index % len(places)], username=f"c{offset + index}")
        if index % 3 == 2:
            continue
        enrollment = Enrollment.objects.create(
            user=person,
            course=course,
            status=EnrollmentStatus.COMPLETED if index % 3 else EnrollmentStatus.ACTIVE,
            enrolled_at=at(date(2026, 1, 5)),
        )
        if index % 3:
            Certificate.objects.create(
                enrollment=enrollment,
                course=course,
                completed_at=at(date(2026, 1, 6)),
                issued_at=at(date(2026, 1, 6)),
                learner_name=person.get_full_name(),
                course_title=course.title,
                course_version="1",
                institution_name="Institut",
                signature="test",
                key_id="test",
            )


def test_dashboard_query_count_is_the_same_for_10_and_200_people(
    client, admin_user, requirement, snds_course, units, django_assert_num_queries
):
    """The whole institute, one laboratory, filtered and sorted views: with 10
    people in 7 units or 200 people in 10 units, exactly the same queries."""
    client.force_login(admin_user)
    _crowd(units, snds_course, 10, 0)
    urls = [
        "/compliance/",
        f"/compliance/?unit={units['lab_b'].pk}",
        "/compliance/?status=compliant&sort=-valid_until",
        f"/compliance/?requirement={requirement.slug}&sort=unit",
        "/compliance/?q=a+e&status=due",  # a search by name or e-mail
    ]
    for url in urls:  # warm the per-process caches (site, locale, user profile)
        _queries(client, url)
    small = {url: _queries(client, url) for url in urls}
    _crowd(units, snds_course, 190, 10)
    client.get(urls[0])  # the same warm start (the session, the site caches)
    for url, count in small.items():
        freshness._renew()
        with django_assert_num_queries(count):
            response = client.get(url)
        assert response.status_code == 200
    page = client.get("/compliance/?page=3").context["page_obj"]
    assert page.number == 3 and len(page.object_list) == 50
    # A later page is fetched with the counts too: no extra query.
    freshness._renew()
    with django_assert_num_queries(small["/compliance/"]):
        client.get("/compliance/?page=3")


def test_dashboard_counts_are_cached_until_the_facts_change(
    client, admin_user, requirement, snds_course, units
):
    """Reloading reuses the counts; a new certificate or member shows at once."""
    client.force_login(admin_user)
    _crowd(units, snds_course, 6, 0)
    url = f"/compliance/?unit={units['institute'].pk}"

    def cleared():
        table = client.get(url).context["overview"].tables[0][1]
        return table[0].counts["compliant"], table[0].total

    before = cleared()
    cold = _queries(client, url)
    with CaptureQueriesContext(connection) as warm:
        assert client.get(url).status_code == 200
    assert len(warm) < cold  # the counts came from the cache
    person = member(units["team"], username="late")
    assert cleared() == (before[0], before[1] + 1)
    certify(person, snds_course, on=date(2026, 1, 10))
    assert cleared() == (before[0] + 1, before[1] + 1)
