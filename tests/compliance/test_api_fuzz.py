"""Schemathesis against /api/v1/openapi.json: no input makes the API fail (5xx)."""

from django.core.wsgi import get_wsgi_application

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from learning.compliance.api import create_api_token
from learning.compliance.models import Requirement

# Loaded at collection: building the schema needs no database.
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


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
