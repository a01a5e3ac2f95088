"""Property-based fuzzing of the compliance dashboard's filters, sort and page."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from learning.compliance.dashboard import STATUS_ORDER
from learning.compliance.models import MembershipRole, OrgUnit
from learning.compliance.status_sql import SORT_KEYS
from tests.fuzzing import query_strings

from .conftest import member

pytestmark = pytest.mark.django_db


def dashboard_parameters() -> dict[str, list[str]]:
    units = [str(pk) for pk in OrgUnit.objects.values_list("pk", flat=True)]
    return {
        "unit": [*units, "999999"],
        "requirement": ["snds", "autre"],
        "status": [str(status.value) for status in STATUS_ORDER],
        "sort": [*SORT_KEYS, *(f"-{key}" for key in SORT_KEYS)],
        "page": ["1", "2", "3"],
        "q": ["p1", "manon", "example.org", "%", "_"],
    }


# Deferred: the unit ids are read from the database once the test runs.
QUERIES = st.deferred(lambda: query_strings(dashboard_parameters()))


@pytest.fixture
def manager(requirement, units, settings):
    """Manages lab A (and its team): the institute and lab B are out of scope."""
    settings.COMPLIANCE_PAGE_SIZE = 2  # several pages with a few people
    for number in range(5):
        member(units["lab_a" if number % 2 else "team"], username=f"p{number}")
    return member(units["lab_a"], username="manon", role=MembershipRole.MANAGER)


@given(query=QUERIES)
@settings(max_examples=50, deadline=None, suppress_health_check=list(HealthCheck))
def test_dashboard_any_query_string(client, manager, query):
    """The dashboard: a page within its list, or 403 for a unit out of scope."""
    client.force_login(manager)
    response = client.get(f"/compliance/?{query}")
    assert response.status_code in (200, 403)
    if response.status_code == 200:
        page = response.context["page_obj"]
        assert 1 <= page.number <= page.paginator.num_pages


@given(
    query=QUERIES,
    path=st.sampled_from(["export.csv", "export.fr.csv", "register.xlsx"]),
)
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_exports_any_query_string(client, manager, query, path):
    """The exports take the same filters: a file, or 403."""
    client.force_login(manager)
    response = client.get(f"/compliance/{path}?{query}")
    assert response.status_code in (200, 403)
