"""The dashboard's cost does not grow with the number of people."""

from datetime import date

from django.db import connection
from django.test.utils import CaptureQueriesContext

import pytest

from .conftest import certify, enrol, member

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
    large = _queries(client)
    assert large == small
    assert large <= 25
    for url in ("/compliance/export.xlsx", "/compliance/register.csv"):
        assert _queries(client, url) <= 25
