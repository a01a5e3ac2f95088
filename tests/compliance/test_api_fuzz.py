"""Fuzzing the REST API (/api/v1/): never a server error, always the documented answers.

Schemathesis generates requests from /api/v1/openapi.json (valid and invalid
ones, NUL bytes included) and checks the answers against the schema; a
hypothesis test then aims hostile path values and tokens at the gate with real
people behind it, so answers 200 are exercised too. Both are bounded in examples.
"""

from urllib.parse import quote

from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections

import pytest
import schemathesis
from allauth.account.models import EmailAddress
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import (
    content_type_conformance,
    ignored_auth,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from learning.compliance.api import create_api_token
from learning.compliance.models import Requirement
from tests.factories import UserFactory

# Loaded at collection: building the schema needs no database.
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


@pytest.fixture(autouse=True)
def _keep_test_connection():
    """The WSGI handler closes "old" connections around each request, which
    would close the test's transaction (on PostgreSQL); Django's test client
    disconnects the same signal handler."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def gate_token(db):
    requirement = Requirement.objects.create(slug="snds", title="SNDS")
    return create_api_token("fuzz", [requirement])[1]


CHECKS = [
    not_a_server_error,
    status_code_conformance,  # only the documented 200, 401, 403, 404, 429
    content_type_conformance,
    response_schema_conformance,
    ignored_auth,  # without the token: refused
]


@schema.parametrize()
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
@pytest.mark.django_db
def test_api_fuzz_no_server_error(case, gate_token):
    """Random paths, persons and tokens: never a server error, answers as documented."""
    case.call_and_validate(
        headers={"Authorization": f"Bearer {gate_token}"},
        checks=CHECKS,
    )


@pytest.fixture
def people(gate_token):
    """A person with a confirmed address, one without: the gate answers 200 for both."""
    confirmed = UserFactory(username="confirmed", email="confirmed@example.org")
    EmailAddress.objects.create(
        user=confirmed, email=confirmed.email, verified=True, primary=True
    )
    unconfirmed = UserFactory(username="unconfirmed", email="unconfirmed@example.org")
    return [confirmed.email, str(confirmed.pseudonym), unconfirmed.email]


HOSTILE = st.one_of(
    st.text(max_size=80),
    st.sampled_from(["\x00", "a\x00b", "9" * 24, 'snds"', "%", "..", "'; --"]),
    st.text(min_size=300, max_size=2000),
)


@given(data=st.data())
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
@pytest.mark.django_db
def test_gate_hostile_paths_and_tokens(client, gate_token, people, data):
    """Known and hostile requirements, persons and tokens: documented answers only."""
    requirement = data.draw(st.sampled_from(["snds"]) | HOSTILE, label="requirement")
    person = data.draw(st.sampled_from(people) | HOSTILE, label="person")
    token = data.draw(st.sampled_from([gate_token]) | HOSTILE, label="token")
    response = client.get(
        f"/api/v1/compliance/gates/{quote(requirement, safe='')}/"
        f"{quote(person, safe='')}",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code in (200, 401, 403, 404, 429)
    if not response["Content-Type"].startswith("application/json"):
        # An empty segment or a "/" in one: not the gate's address, the site's 404.
        assert response.status_code == 404 and (
            "" in (requirement, person) or "/" in requirement + person
        )
        return
    body = response.json()
    if response.status_code == 200:
        assert body["requirement"] == "snds" and body["jws"].count(".") == 2
    else:
        assert body["detail"]
