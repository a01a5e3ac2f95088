"""Nothing the LRS answers runs as a page of the site (issue 14, point 5): a
document stored as HTML comes back as a sandboxed download, and every answer,
errors included, carries the sandbox and nosniff."""

from urllib.parse import urlencode

import pytest

from learning.xapi.lrs.models import Scope
from tests.xapi.conftest import LRS, VERSION, basic, make_client, statement

SANDBOX = "sandbox; default-src 'none'"
PAYLOAD = b"<html><body><script>alert(document.domain)</script></body></html>"
STATE = {
    "activityId": "http://example.org/activities/unit-1",
    "agent": {"objectType": "Agent", "mbox": "mailto:ada@example.org"},
    "stateId": "payload",
}


def assert_inert(response):
    assert response["Content-Security-Policy"] == SANDBOX
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.fixture
def state_only(client, db):
    """A client holding the `state` scope only, as in the report."""
    return LRS(client, make_client("state-only", scopes=[Scope.STATE]))


def test_html_document_comes_back_as_a_sandboxed_download(state_only):
    """GET of a text/html document: attachment, sandbox CSP, nosniff."""
    put = state_only.request(
        "PUT", "activities/state", PAYLOAD, params=STATE, content_type="text/html"
    )
    assert put.status_code == 204
    got = state_only.request("GET", "activities/state", params=STATE)
    assert got.status_code == 200 and got.content == PAYLOAD
    assert got["Content-Disposition"] == "attachment"
    assert_inert(got)


def test_alternate_syntax_form_post_gets_a_sandboxed_download(client, state_only):
    """The attack's request: a cross-site form POST ?method=GET with the client's
    credentials in the form body."""
    state_only.request(
        "PUT", "activities/state", PAYLOAD, params=STATE, content_type="text/html"
    )
    form = {
        **{k: v if isinstance(v, str) else None for k, v in STATE.items()},
        "agent": '{"objectType": "Agent", "mbox": "mailto:ada@example.org"}',
        "Authorization": basic(state_only.client.key),
        "X-Experience-API-Version": "1.0.3",
    }
    response = client.post(
        "/xapi/activities/state?method=GET",
        data=urlencode(form),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200 and response.content == PAYLOAD
    assert response["Content-Disposition"] == "attachment"
    assert_inert(response)


@pytest.mark.parametrize(
    "path, headers",
    [
        ("about", {}),  # no credentials needed
        ("statements", {}),  # 401
        ("statements?limit=x", "client"),  # 400
        ("statements", "client"),  # 200
    ],
)
def test_every_lrs_answer_is_sandboxed(client, lrs_client, path, headers):
    """Answers of every kind, errors included, carry the sandbox and nosniff."""
    if headers == "client":
        headers = {**VERSION, "HTTP_AUTHORIZATION": basic(lrs_client.key)}
    response = client.get(f"/xapi/{path}", **headers)
    assert_inert(response)


def test_statement_answers_are_sandboxed(lrs):
    data = statement()
    assert_inert(lrs.post(data))
    assert_inert(lrs.get(statementId=data["id"]))
    assert_inert(lrs.get(statementId=data["id"], attachments="true"))
