"""xAPI 1.0.3 requirements the ADL conformance suite found broken, one test each
(requirement ids from the xAPI conformance requirements list)."""

import base64
import hashlib
import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from learning.xapi.models import Statement
from tests.xapi.conftest import statement

SIGNATURE_USAGE = "http://adlnet.gov/expapi/attachments/signature"
VOIDED = "http://adlnet.gov/expapi/verbs/voided"
AGENT = {"objectType": "Agent", "mbox": "mailto:ada@example.org"}
CLIENT = {"objectType": "Agent", "account": {"homePage": "http://a.org", "name": "c"}}


def _through(response) -> datetime:
    header = response["X-Experience-API-Consistent-Through"]
    return datetime.fromisoformat(header.replace("Z", "+00:00"))


# --- X-Experience-API-Consistent-Through -----------------------------------


def test_consistent_through_is_not_clipped_to_until(lrs):
    """With `until` in the past the header is still the store's own point."""
    until = (datetime.now(UTC) - timedelta(days=30)).isoformat()
    response = lrs.get(until=until)
    assert response.status_code == 200
    assert _through(response) > datetime.now(UTC) - timedelta(minutes=1)


@pytest.mark.parametrize(
    "params",
    [
        {"statementId": str(uuid.uuid4())},  # unknown: 404
        {"statementId": "not-a-uuid"},  # 400
        {"limit": "-1"},  # 400
        {"verb": "not an iri"},  # 400
    ],
    ids=["404", "bad id", "bad limit", "bad verb"],
)
def test_consistent_through_on_statement_errors(lrs, params):
    """Every answer to a statement GET carries the header, 404s and errors too."""
    response = lrs.get(**params)
    assert response.status_code in (400, 404)
    assert _through(response) > datetime.now(UTC) - timedelta(minutes=1)


def test_consistent_through_on_voided_404_and_unauthenticated(lrs, client):
    data = statement()
    lrs.post([data, statement(verb={"id": VOIDED}, object={
        "objectType": "StatementRef", "id": data["id"]})])  # fmt: skip
    response = lrs.get(statementId=data["id"])
    assert response.status_code == 404
    assert response["X-Experience-API-Consistent-Through"]
    anonymous = client.get("/xapi/statements", HTTP_X_EXPERIENCE_API_VERSION="1.0.3")
    assert anonymous.status_code == 401
    assert anonymous["X-Experience-API-Consistent-Through"]
    more = lrs.get("statements/more/tampered")
    assert more.status_code == 400 and more["X-Experience-API-Consistent-Through"]


# --- statement rules ------------------------------------------------------


@pytest.mark.parametrize("kind", [["choice"], {"type": "choice"}, 3, "essay"])
def test_invalid_interaction_type_is_400(lrs, kind):
    """XAPI-00049: any interactionType but the listed strings is a 400, never a 500."""
    definition = {"interactionType": kind}
    activity = {"id": "http://example.org/q", "definition": definition}
    response = lrs.post(statement(object=activity))
    assert response.status_code == 400
    assert "interactionType" in response.json()["error"]
    sub = {
        "objectType": "SubStatement",
        "actor": AGENT,
        "verb": {"id": "http://example.org/v"},
        "object": activity,
    }
    response = lrs.post(statement(object=sub))
    assert response.status_code == 400
    assert "object.object.definition.interactionType" in response.json()["error"]
    assert not Statement.objects.exists()


@pytest.mark.parametrize(
    "authority",
    [
        {"objectType": "Group", "mbox": "mailto:g@example.org", "member": [AGENT, CLIENT]},
        {"objectType": "Group", "account": CLIENT["account"], "member": [AGENT, CLIENT]},
        {"objectType": "Group", "openid": "http://g.example.org", "member": [AGENT, CLIENT]},
        {"objectType": "Group", "mbox_sha1sum": "a" * 40, "member": [AGENT, CLIENT]},
        {"objectType": "Group", "member": [AGENT]},
        {"objectType": "Group", "member": [AGENT, CLIENT, {"mbox": "mailto:x@y.org"}]},
    ],
    ids=["mbox", "account", "openid", "sha1", "one agent", "three agents"],
)  # fmt: skip
def test_group_authority_must_be_two_agents(lrs, authority):
    """XAPI-00024, XAPI-00100: a Group authority is anonymous and exactly two Agents."""
    response = lrs.post(statement(authority=authority))
    assert response.status_code == 400 and "authority" in response.json()["error"]


def test_three_legged_authority_is_accepted(lrs):
    authority = {"objectType": "Group", "member": [AGENT, CLIENT]}
    assert lrs.post(statement(authority=authority)).status_code == 200


@pytest.mark.parametrize("value", ["P4W1D", "P1WT1H", "P1Y2W", "PT", "P"])
def test_duration_mixing_weeks_is_400(lrs, value):
    """XAPI-00124: weeks stand alone in an ISO 8601 duration."""
    response = lrs.post(statement(result={"duration": value}))
    assert response.status_code == 400 and "duration" in response.json()["error"]


@pytest.mark.parametrize("value", ["P4W", "P1Y2M3DT4H5M6.7S", "PT0.5S", "P0D"])
def test_valid_durations_are_accepted(lrs, value):
    assert lrs.post(statement(result={"duration": value})).status_code == 200


# --- signed statements (Data 2.6, XAPI-00117) --------------------------------


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@pytest.fixture(scope="module")
def rsa_key():
    from cryptography.hazmat.primitives.asymmetric import rsa

    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _jws(payload, key, alg="RS256") -> bytes:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    header = _b64(json.dumps({"alg": alg}).encode())
    body = _b64(
        json.dumps(payload).encode() if not isinstance(payload, bytes) else payload
    )
    algorithm = {"RS256": hashes.SHA256, "RS384": hashes.SHA384, "RS512": hashes.SHA512}
    signature = key.sign(
        f"{header}.{body}".encode(),
        padding.PKCS1v15(),
        algorithm.get(alg, hashes.SHA256)(),
    )
    return f"{header}.{body}.{_b64(signature)}".encode()


def suite_body(data: dict, jws: bytes, content_type="application/octet-stream"):
    """A signed statement laid out as the ADL suite sends it: a CRLF before the
    first boundary, an unquoted boundary, no space after header colons."""
    boundary = "-------------314159"
    sha = hashlib.sha256(jws).hexdigest()
    data = {
        **data,
        "attachments": [
            {
                "usageType": SIGNATURE_USAGE,
                "display": {"en-US": "Signed by the Test Suite"},
                "contentType": content_type,
                "length": len(jws),
                "sha2": sha,
            }
        ],
    }
    body = (
        f"\r\n--{boundary}\r\nContent-Type:application/json\r\n\r\n".encode()
        + json.dumps(data).encode()
        + f"\r\n--{boundary}\r\nContent-Type:{content_type}\r\n"
        f"Content-Transfer-Encoding:binary\r\nX-Experience-API-Hash:{sha}\r\n\r\n".encode()
        + jws
        + f"\r\n--{boundary}--".encode()
    )
    return body, f"multipart/mixed; boundary={boundary}"


@pytest.mark.parametrize("alg", ["RS256", "RS384", "RS512"])
def test_signed_statement_rs_algorithms_are_accepted(lrs, rsa_key, alg):
    """A JWS whose payload is the statement is accepted, x5c or not."""
    data = statement()
    body, ctype = suite_body(data, _jws(data, rsa_key, alg))
    response = lrs.post(body, content_type=ctype)
    assert response.status_code == 200, response.content
    stored = lrs.get(statementId=data["id"], attachments="true")
    assert stored.status_code == 200 and stored["Content-Type"].startswith("multipart")


def test_signed_statement_rejections(lrs, rsa_key):
    """Other algorithms, a payload that differs, broken JSON or a wrong
    contentType are 400s, and nothing is stored."""
    data = statement()
    cases = [
        suite_body(data, _jws(data, rsa_key, "HS256")),
        suite_body(data, _jws({**data, "verb": {"id": "http://x.org/v"}}, rsa_key)),
        suite_body(data, _jws(json.dumps(data).replace('"', "'", 1).encode(), rsa_key)),
        suite_body(data, _jws(data, rsa_key), content_type="text/plain; charset=ascii"),
    ]  # fmt: skip
    for body, ctype in cases:
        assert lrs.post(body, content_type=ctype).status_code == 400
    assert not Statement.objects.exists()


# --- agent and activity profile PUT needs a precondition (XAPI-00273) ---------

PROFILES = {
    "agent profile": ("agents/profile", {"agent": AGENT, "profileId": "p"}),
    "activity profile": (
        "activities/profile",
        {"activityId": "http://example.org/a", "profileId": "p"},
    ),
}


@pytest.mark.parametrize("name", PROFILES)
def test_profile_put_without_precondition_is_refused(lrs, name):
    """New document: 400; existing one: 409; both say which header to send."""
    path, params = PROFILES[name]
    response = lrs.request("PUT", path, {"v": 1}, params=params)
    assert response.status_code == 400 and "If-None-Match" in response.json()["error"]
    assert lrs.request("GET", path, params=params).status_code == 404
    created = lrs.request("PUT", path, {"v": 1}, params=params, HTTP_IF_NONE_MATCH="*")
    assert created.status_code == 204
    response = lrs.request("PUT", path, {"v": 2}, params=params)
    assert response.status_code == 409 and "If-Match" in response.json()["error"]
    assert lrs.request("GET", path, params=params).json() == {"v": 1}
    etag = created["ETag"]
    again = lrs.request("PUT", path, {"v": 2}, params=params, HTTP_IF_MATCH=etag)
    assert again.status_code == 204


def test_durations_compare_to_hundredths_of_a_second(lrs):
    """Data 4.6: precision beyond 0.01 s is left out of statement comparisons."""
    data = statement(result={"duration": "PT1M20.501S"})
    assert lrs.put(data, data["id"]).status_code == 204
    same = {**data, "result": {"duration": "PT1M20.5S"}}
    assert lrs.put(same, data["id"]).status_code == 204
    assert lrs.post({**data, "result": {"duration": "PT1M20.509S"}}).status_code == 200
    other = {**data, "result": {"duration": "PT1M20.51S"}}
    assert lrs.put(other, data["id"]).status_code == 409
    assert lrs.get(statementId=data["id"]).json()["result"] == data["result"]
