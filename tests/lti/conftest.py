import re

import pytest
import requests

from learning.lti.models import Platform
from tests.lti.platform import TestPlatform
from tests.quiz.conftest import pool, quiz  # noqa: F401 - fixtures used here


@pytest.fixture
def platform(db, client):
    """A running test LMS that knows the tool's public keys."""
    lms = TestPlatform()
    lms.tool_key_set = client.get("/lti/jwks.json").json()
    yield lms
    lms.close()


@pytest.fixture
def registered(platform):
    """The test LMS registered in Atelier, as an administrator would enter it."""
    return Platform.objects.create(**platform.tool_settings())


def authorize(client, platform, **spec):
    """Steps 1-2 of a launch: the tool's login, the platform's signed answer.
    Returns the form the browser would post to the tool."""
    response = client.post("/lti/login/", platform.login_params(**spec))
    assert response.status_code == 302, response.content[:500]
    answer = requests.get(response["Location"], timeout=10)
    assert answer.status_code == 200, answer.text
    return {
        name: value.replace("&amp;", "&")
        for name, value in re.findall(r'name="(\w+)" value="([^"]*)"', answer.text)
    }


def launch(client, platform, **spec):
    """A whole launch through the test client; returns the tool's answer."""
    return client.post("/lti/launch/", authorize(client, platform, **spec))
