"""Schemathesis against /api/v1/openapi.json: no input makes the API fail (5xx)."""

from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from learning.compliance.api import create_api_token
from learning.compliance.models import Requirement

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


@schema.parametrize()
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
@pytest.mark.django_db
def test_api_fuzz_no_server_error(case, gate_token):
    """Random paths, persons and tokens: never a server error."""
    case.call_and_validate(
        headers={"Authorization": f"Bearer {gate_token}"},
        checks=[not_a_server_error],
    )
