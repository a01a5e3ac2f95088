"""What every resource shares: credentials and scopes, the version header, CORS,
the alternate request syntax, size limits; plus about, activities and agents."""

import json
from urllib.parse import urlencode

import pytest

from learning.xapi.lrs.models import Scope
from learning.xapi.models import Statement
from tests.xapi.conftest import LRS, VERSION, basic, make_client, statement


def test_about_needs_no_credentials(db, client):
    response = client.get("/xapi/about")
    assert response.status_code == 200
    assert {"1.0.3", "2.0.0"} <= set(response.json()["version"])
    # No version asked for: answered as the latest served.
    assert response["X-Experience-API-Version"] == "2.0.0"


def test_credentials_are_required(client, lrs_client):
    """No, wrong or inactive credentials: 401 with a Basic challenge."""
    response = client.get("/xapi/statements", **VERSION)
    assert response.status_code == 401 and "Basic" in response["WWW-Authenticate"]
    wrong = basic(lrs_client.key, "nope")
    assert (
        client.get("/xapi/statements", HTTP_AUTHORIZATION=wrong, **VERSION).status_code
        == 401
    )
    assert (
        client.get(
            "/xapi/statements", HTTP_AUTHORIZATION="Basic !!!", **VERSION
        ).status_code
        == 401
    )
    lrs_client.is_active = False
    lrs_client.save()
    good = basic(lrs_client.key)
    assert (
        client.get("/xapi/statements", HTTP_AUTHORIZATION=good, **VERSION).status_code
        == 401
    )


@pytest.mark.parametrize(
    ("scopes", "read", "write", "state"),
    [
        ([Scope.STATEMENTS_WRITE], 403, 200, 403),
        ([Scope.STATEMENTS_READ], 200, 403, 403),
        ([Scope.STATE], 403, 403, 204),
        ([Scope.ALL_READ], 200, 403, 403),
        ([Scope.ALL], 200, 200, 204),
    ],
)
def test_scopes_limit_what_a_client_may_do(db, client, scopes, read, write, state):
    lrs = LRS(client, make_client("scoped", scopes))
    assert lrs.get().status_code == read
    assert lrs.post(statement()).status_code == write
    params = {
        "activityId": "http://x.org/a",
        "agent": {"mbox": "mailto:a@b.org"},
        "stateId": "s",
    }
    assert (
        lrs.request("PUT", "activities/state", {"a": 1}, params=params).status_code
        == state
    )


def test_version_header_is_required_and_checked(client, lrs_client):
    auth = {"HTTP_AUTHORIZATION": basic(lrs_client.key)}
    assert client.get("/xapi/statements", **auth).status_code == 400
    response = client.get(
        "/xapi/statements", HTTP_X_EXPERIENCE_API_VERSION="0.95", **auth
    )
    assert response.status_code == 400 and "Version" in response.json()["error"]
    for version in ("1.0", "1.0.0", "1.0.3"):
        ok = client.get(
            "/xapi/statements", HTTP_X_EXPERIENCE_API_VERSION=version, **auth
        )
        assert ok.status_code == 200 and ok["X-Experience-API-Version"] == "1.0.3"


def test_cors_preflight_and_headers(client, lrs):
    """OPTIONS answers without credentials; every answer carries CORS headers."""
    response = client.options(
        "/xapi/statements", HTTP_ORIGIN="https://content.example.org"
    )
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "X-Experience-API-Version" in response["Access-Control-Allow-Headers"]
    assert "ETag" in response["Access-Control-Expose-Headers"]
    assert lrs.get()["Access-Control-Allow-Origin"] == "*"


def test_alternate_request_syntax(client, lrs_client):
    """POST ?method=PUT with headers and content in a form body works like PUT."""
    data = statement()
    form = {
        "Authorization": basic(lrs_client.key),
        "X-Experience-API-Version": "1.0.3",
        "Content-Type": "application/json",
        "statementId": data["id"],
        "content": json.dumps(data),
    }
    response = client.post(
        "/xapi/statements?method=PUT",
        data=urlencode(form),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 204, response.content
    form = {
        k: v
        for k, v in form.items()
        if k in ("Authorization", "X-Experience-API-Version")
    }
    form["statementId"] = data["id"]
    response = client.post(
        "/xapi/statements?method=GET",
        data=urlencode(form),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200 and response.json()["id"] == data["id"]


def test_alternate_syntax_rules(client, lrs_client):
    """Other query parameters, a non-POST or a non-form body are 400."""
    form = urlencode(
        {"Authorization": basic(lrs_client.key), "X-Experience-API-Version": "1.0.3"}
    )
    ctype = "application/x-www-form-urlencoded"
    assert (
        client.post(
            "/xapi/statements?method=GET&limit=1", data=form, content_type=ctype
        ).status_code
        == 400
    )
    assert client.get("/xapi/statements?method=GET").status_code == 400
    assert (
        client.post(
            "/xapi/statements?method=GET", data=form, content_type="application/json"
        ).status_code
        == 400
    )
    assert (
        client.post(
            "/xapi/statements?method=TRACE", data=form, content_type=ctype
        ).status_code
        == 400
    )


def test_oversized_body_is_413(lrs, settings):
    settings.XAPI_MAX_REQUEST_BYTES = 1000
    big = statement(result={"response": "x" * 2000})
    assert lrs.post(big).status_code == 413
    assert not Statement.objects.exists()


def test_method_not_allowed(lrs):
    assert lrs.request("DELETE", "statements").status_code == 405


def test_head_is_get_without_body(lrs):
    lrs.post(statement())
    response = lrs.http.head("/xapi/statements", **lrs.headers)
    assert response.status_code == 200 and response.content == b""


def test_trailing_slash_is_accepted(lrs):
    assert lrs.http.get("/xapi/statements/", **lrs.headers).status_code == 200


def test_activities_resource(lrs):
    """The canonical definition of a known activity; a bare object for an unknown one."""
    lrs.post(statement())
    known = lrs.get(
        "activities", activityId="http://example.org/activities/unit-1"
    ).json()
    assert known["definition"]["name"]["fr"] == "Unité 1"
    unknown = lrs.get("activities", activityId="http://example.org/nothing").json()
    assert unknown == {"objectType": "Activity", "id": "http://example.org/nothing"}
    assert lrs.get("activities").status_code == 400
    assert lrs.get("activities", activityId="not an iri").status_code == 400


def test_agents_resource_returns_a_person(lrs):
    agent = {"objectType": "Agent", "name": "Ada", "mbox": "mailto:ada@example.org"}
    person = lrs.get("agents", agent=agent).json()
    assert person == {
        "objectType": "Person",
        "name": ["Ada"],
        "mbox": ["mailto:ada@example.org"],
    }
    assert lrs.get("agents", agent={"name": "nobody"}).status_code == 400
    assert lrs.get("agents").status_code == 400
