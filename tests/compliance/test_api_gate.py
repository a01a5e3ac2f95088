"""The access-gate API: answers, status codes, scoping, logging, and the JWS."""

from datetime import date, timedelta

from django.contrib.auth import get_user_model

import jwt
import pytest
import time_machine
from allauth.socialaccount.models import SocialAccount

from learning.compliance.api import create_api_token
from learning.compliance.models import GateCall, Requirement

from .conftest import at, certify, member

pytestmark = pytest.mark.django_db
URL = "/api/v1/compliance/gates/{}/{}"


@pytest.fixture
def token(requirement):
    _row, plain = create_api_token("Portail SNDS", [requirement])
    return plain


@pytest.fixture
def cleared_person(requirement, snds_course, units):
    person = member(units["lab_a"], username="alice", email="alice@example.org")
    certify(person, snds_course, on=date(2026, 1, 20))
    return person


def ask(client, token, slug, person):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.get(URL.format(slug, person), headers=headers)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(at(date(2026, 3, 10)), tick=False):
        yield


def test_gate_clears_a_certified_person(client, token, cleared_person):
    """A valid certificate: cleared, with its code, dates and verification URL."""
    response = ask(client, token, "snds", "alice@example.org")
    assert response.status_code == 200
    body = response.json()
    assert body["cleared"] is True
    assert body["status"] == "compliant"
    assert body["valid_until"] == "2027-01-20"
    assert body["certificate_code"]
    assert body["verification_url"].endswith(f"/verify/{body['certificate_code']}/")
    assert body["evaluated_at"].startswith("2026-03-10")


def test_gate_by_pseudonym_and_external_id(client, token, cleared_person):
    """The pseudonymous id and the SSO uid find the same person."""
    assert ask(client, token, "snds", cleared_person.pseudonym).json()["cleared"]
    SocialAccount.objects.create(
        user=cleared_person, provider="openid_connect", uid="ext-42"
    )
    assert ask(client, token, "snds", "ext-42").json()["cleared"]


def test_gate_does_not_clear_the_uncertified(client, token, units):
    """Someone who never completed the course is not cleared."""
    member(units["lab_b"], username="bob", email="bob@example.org")
    body = ask(client, token, "snds", "bob@example.org").json()
    assert body["cleared"] is False
    assert body["status"] == "overdue"
    assert body["certificate_code"] is None


def test_gate_jws_verifies_with_the_published_key(client, token, cleared_person):
    """The JWS verifies with PyJWT and the JWKS, and says the same as the body."""
    body = ask(client, token, "snds", "alice@example.org").json()
    jwks = client.get("/.well-known/jwks.json").json()
    header = jwt.get_unverified_header(body["jws"])
    assert header["alg"] == "EdDSA"
    key = next(k for k in jwks["keys"] if k["kid"] == header["kid"])
    claims = jwt.decode(body["jws"], key=jwt.PyJWK(key).key, algorithms=["EdDSA"])
    assert claims["cleared"] is True
    assert claims["requirement"] == "snds"
    assert claims["certificate_code"] == body["certificate_code"]
    assert claims["sub"] == f"urn:uuid:{cleared_person.pseudonym}"
    tampered = body["jws"][:-4] + ("AAAA" if body["jws"][-4:] != "AAAA" else "BBBB")
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(tampered, key=jwt.PyJWK(key).key, algorithms=["EdDSA"])


@pytest.mark.parametrize("bad", [None, "atl_wrong", "Basic xyz"])
def test_gate_bad_token_is_401(client, cleared_person, bad, requirement):
    """No token, a wrong token: 401, and the call is logged."""
    response = ask(client, bad, "snds", "alice@example.org")
    assert response.status_code == 401
    call = GateCall.objects.get()
    assert (call.http_status, call.person, call.token) == (
        401,
        "alice@example.org",
        None,
    )


def test_gate_revoked_token_is_401(client, token, cleared_person):
    from learning.compliance.models import ApiToken

    ApiToken.objects.update(revoked=True)
    assert ask(client, token, "snds", "alice@example.org").status_code == 401


def test_gate_unknown_requirement_and_person_are_404(client, token, cleared_person):
    assert ask(client, token, "nope", "alice@example.org").status_code == 404
    assert ask(client, token, "snds", "ghost@example.org").status_code == 404
    assert ask(client, token, "snds", "not-a-uuid").status_code == 404


def test_gate_token_not_scoped_is_403(client, cleared_person, snds_course):
    """A token for another requirement may not ask about SNDS."""
    other = Requirement.objects.create(slug="rgpd", title="RGPD")
    other.courses.add(snds_course)
    _row, plain = create_api_token("Autre", [other])
    assert ask(client, plain, "snds", "alice@example.org").status_code == 403
    assert ask(client, plain, "rgpd", "alice@example.org").status_code == 200


def test_gate_every_call_is_logged(client, token, cleared_person):
    """Who asked about whom, when, and the answer."""
    ask(client, token, "snds", "alice@example.org")
    ask(client, token, "snds", "ghost@example.org")
    calls = list(GateCall.objects.order_by("pk"))
    assert [(c.http_status, c.cleared, c.status) for c in calls] == [
        (200, True, "compliant"),
        (404, None, ""),
    ]
    assert calls[0].user == cleared_person
    assert calls[0].token.name == "Portail SNDS"


def test_gate_log_is_visible_to_admins_only(client, token, cleared_person, admin_user):
    """The admin lists the calls; a token row never shows the secret."""
    ask(client, token, "snds", "alice@example.org")
    client.force_login(admin_user)
    response = client.get("/admin/compliance/gatecall/")
    if response.status_code == 404:  # the viewset's own URL prefix
        response = client.get("/admin/compliance_gate_calls/")
    assert response.status_code == 200
    assert "alice@example.org" in response.content.decode()
    learner = get_user_model().objects.get(username="alice")
    client.force_login(learner)
    assert client.get("/admin/compliance_gate_calls/").status_code in (302, 403)


def test_openapi_schema_documents_the_gate(client):
    schema = client.get("/api/v1/openapi.json").json()
    path = "/api/v1/compliance/gates/{requirement}/{person}"
    assert set(schema["paths"][path]["get"]["responses"]) >= {
        "200",
        "401",
        "403",
        "404",
    }
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200
    assert "cdn." not in docs.content.decode()  # Swagger UI from our static files


def test_gate_nul_bytes_are_404_not_500(client, token, cleared_person):
    """A NUL byte (refused by PostgreSQL) in the path is an unknown person."""
    assert ask(client, token, "snds", "a%00b@example.org").status_code == 404
    assert ask(client, token, "sn%00ds", "alice@example.org").status_code == 404
    assert ask(client, "atl_x", "snds", "a%00b").status_code == 401


def test_gate_never_clears_an_unverified_identity(client, token, units, snds_course):
    """An account whose address was never confirmed is not cleared, certificate or not."""
    person = member(
        units["lab_a"], username="mallory", email="victim@example.org", verified=False
    )
    certify(person, snds_course, on=date(2026, 1, 20))

    for identifier in ("victim@example.org", person.pseudonym):
        body = ask(client, token, "snds", identifier).json()
        assert body["cleared"] is False
        assert body["status"] == "identity_unverified"
        assert body["certificate_code"] is None
        assert body["valid_until"] is None
    claims = jwt.decode(body["jws"], options={"verify_signature": False})
    assert (claims["cleared"], claims["status"]) == (False, "identity_unverified")
    call = GateCall.objects.latest("pk")
    assert (call.cleared, call.status) == (False, "identity_unverified")


def test_gate_unverified_other_address_does_not_count(
    client, token, units, snds_course
):
    """A confirmed address that is not the account's own does not verify it."""
    from allauth.account.models import EmailAddress

    person = member(
        units["lab_a"], username="eve", email="eve@example.org", verified=False
    )
    EmailAddress.objects.create(user=person, email="other@example.org", verified=True)
    EmailAddress.objects.create(user=person, email=person.email, verified=False)
    certify(person, snds_course, on=date(2026, 1, 20))
    assert ask(client, token, "snds", "eve@example.org").json()["status"] == (
        "identity_unverified"
    )
    EmailAddress.objects.filter(email=person.email).update(verified=True)
    assert ask(client, token, "snds", "eve@example.org").json()["cleared"] is True


def test_gate_clears_an_sso_identity(client, token, units, snds_course):
    """The institution's identity provider vouches for an SSO account."""
    person = member(
        units["lab_a"], username="sso", email="sso@example.org", verified=False
    )
    SocialAccount.objects.create(user=person, provider="openid_connect", uid="ext-7")
    certify(person, snds_course, on=date(2026, 1, 20))
    for identifier in ("sso@example.org", "ext-7"):
        body = ask(client, token, "snds", identifier).json()
        assert (body["cleared"], body["status"]) == (True, "compliant")


def test_openapi_schema_documents_identity_unverified(client):
    """The answer's status enumerates `identity_unverified`, with its meaning."""
    schema = client.get("/api/v1/openapi.json").json()
    answer = schema["components"]["schemas"]["GateAnswer"]
    status = answer["properties"]["status"]
    if "$ref" in status or "allOf" in status:
        ref = status.get("$ref") or status["allOf"][0]["$ref"]
        enum = schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]["enum"]
    else:
        enum = status["enum"]
    assert "identity_unverified" in enum
    assert "compliant" in enum
    assert "identity_unverified" in status["description"]


def test_gate_refused_calls_are_one_row_per_address_and_window(
    client, token, cleared_person, django_assert_num_queries
):
    """A flood without a valid token: one log row counting the calls, then 429
    with Retry-After and no database work at all, until the window ends."""
    statuses = [
        ask(client, "atl_wrong", "snds", f"p{n}@x.org").status_code for n in range(30)
    ]
    assert statuses == [401] * 30
    response = ask(client, "atl_wrong", "snds", "alice@example.org")
    assert response.status_code == 429
    assert int(response["Retry-After"]) <= 60
    with django_assert_num_queries(0):
        for _flood in range(50):
            assert ask(client, None, "snds", "alice@example.org").status_code == 429
    # Throttled means throttled: a valid token from that address waits too.
    assert ask(client, token, "snds", "alice@example.org").status_code == 429
    call = GateCall.objects.get()
    assert (call.calls, call.http_status, call.person) == (31, 429, "p0@x.org")
    assert call.client_ip == "127.0.0.1"

    # Another address is not affected; its refusals are its own row.
    other = client.get(
        URL.format("snds", "alice@example.org"),
        headers={"Authorization": f"Bearer {token}"},
        REMOTE_ADDR="192.0.2.7",
    )
    assert other.status_code == 200
    client.get(URL.format("snds", "x"), REMOTE_ADDR="192.0.2.7")
    assert GateCall.objects.filter(client_ip="192.0.2.7").count() == 2

    # The next window starts afresh: 401 again, a new row.
    with time_machine.travel(at(date(2026, 3, 10)) + timedelta(minutes=2), tick=False):
        assert ask(client, None, "snds", "alice@example.org").status_code == 401
        assert ask(client, token, "snds", "alice@example.org").status_code == 200
    assert GateCall.objects.filter(client_ip="127.0.0.1").count() == 3


def test_gate_refusals_counted_in_one_row_below_the_limit(
    client, settings, requirement
):
    """Refused calls under the budget are all 401, counted in one row."""
    settings.COMPLIANCE_GATE_REFUSED_RATE_LIMIT = "0/60"  # no throttling
    for _call in range(40):
        assert ask(client, None, "snds", "alice@example.org").status_code == 401
    call = GateCall.objects.get()
    assert (call.calls, call.http_status) == (40, 401)


def test_openapi_schema_documents_the_429(client):
    schema = client.get("/api/v1/openapi.json").json()
    path = "/api/v1/compliance/gates/{requirement}/{person}"
    assert "429" in schema["paths"][path]["get"]["responses"]
