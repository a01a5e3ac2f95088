"""xAPI 2.0 (IEEE 9274.1.1-2023) served from the same store as 1.0.3, chosen by
X-Experience-API-Version: one test per 2.0 rule the LRS implements."""

import json
import uuid
from urllib.parse import urlencode

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from learning.xapi.lrs.validation import XAPIValidationError, validate_statement
from learning.xapi.models import Statement
from tests.xapi.conftest import LRS, statement
from tests.xapi.test_lrs_validation import json_values

V2 = {"HTTP_X_EXPERIENCE_API_VERSION": "2.0.0"}
V1 = {"HTTP_X_EXPERIENCE_API_VERSION": "1.0.3"}
PLAYER = {"objectType": "Agent", "mbox": "mailto:player-1@example.com"}
TEAM = {
    "objectType": "Group",
    "mbox": "mailto:team-1@example.com",
    "member": [PLAYER, {"objectType": "Agent", "mbox": "mailto:player-2@example.com"}],
}
RELEVANT = ["https://example.com/xapi/activity-types/team/a"]
CONTEXT_AGENTS = [
    {"objectType": "contextAgent", "agent": PLAYER, "relevantTypes": RELEVANT}
]
CONTEXT_GROUPS = [
    {"objectType": "contextGroup", "group": TEAM, "relevantTypes": RELEVANT}
]


@pytest.fixture
def lrs2(client, lrs_client):
    lrs = LRS(client, lrs_client)
    lrs.headers.update(V2)
    return lrs


def with_context(**context):
    return statement(context=context)


def in_substatement(**context):
    return statement(
        object={
            "objectType": "SubStatement",
            "actor": PLAYER,
            "verb": {"id": "http://adlnet.gov/expapi/verbs/attended"},
            "object": {"id": "http://example.org/meeting"},
            "context": context,
        }
    )


# --- versioning (Communication 3.3, 2.8) ----------------------------------------


@pytest.mark.parametrize(
    ("sent", "status", "answered"),
    [("2.0.0", 200, "2.0.0"), ("2.0", 200, "2.0.0"), ("2.0.7", 200, "2.0.0"),
     ("1.0.3", 200, "1.0.3"), ("1.0", 200, "1.0.3"), ("3.0.0", 400, "2.0.0"),
     (None, 400, "2.0.0")],
)  # fmt: skip
def test_version_header_chooses_the_version(lrs, sent, status, answered):
    """1.0.x and 2.0.x are served; the answer says which; anything else is a 400
    answered as the latest version (XAPI-00331, XAPI-00333)."""
    headers = {"HTTP_X_EXPERIENCE_API_VERSION": sent} if sent else {}
    lrs.headers.pop("HTTP_X_EXPERIENCE_API_VERSION")
    response = lrs.get(headers=headers, limit=1)
    assert response.status_code == status
    assert response["X-Experience-API-Version"] == answered


def test_about_lists_both_versions(client, db):
    """XAPI-00317: 2.0.0 is listed; a 1.0.x client sees 1.0.x values only (XAPI-00316)."""
    for headers in ({}, V2):
        response = client.get("/xapi/about", **headers)
        assert {"1.0.3", "2.0.0"} <= set(response.json()["version"])
    response = client.get("/xapi/about", **V1)
    assert response.json()["version"] == ["1.0.0", "1.0.1", "1.0.2", "1.0.3"]
    assert response["X-Experience-API-Version"] == "1.0.3"


def test_alternate_request_syntax_is_refused_in_2_0(lrs2, lrs):
    """The IEEE standard dropped the alternate request syntax; 1.0.3 keeps it."""
    form = urlencode({"content": '{"a": 1}', "X-Experience-API-Version": "2.0.0"})
    for method in ("GET", "PUT", "POST"):
        response = lrs2.http.post(
            f"/xapi/statements?method={method}",
            data=form,
            content_type="application/x-www-form-urlencoded",
            **lrs2.headers,
        )
        assert response.status_code == 400 and "2.0" in response.json()["error"]
    old = lrs.http.post(
        "/xapi/statements?method=GET",
        data=urlencode({"limit": "1"}),
        content_type="application/x-www-form-urlencoded",
        **lrs.headers,
    )
    assert old.status_code == 200


# --- statements: context agents and groups (Data 2.4.6) ---------------------------


@pytest.mark.parametrize("where", [with_context, in_substatement])
def test_context_agents_and_groups_are_accepted(lrs2, where):
    data = where(contextAgents=CONTEXT_AGENTS, contextGroups=CONTEXT_GROUPS)
    assert lrs2.post(data).status_code == 200, lrs2.post(data).content
    stored = lrs2.get(statementId=data["id"]).json()
    context = (
        stored["context"] if where is with_context else stored["object"]["context"]
    )
    assert context["contextAgents"] == CONTEXT_AGENTS
    assert context["contextGroups"] == CONTEXT_GROUPS


BAD_CONTEXT = {
    "agent objectType": {"contextAgents": [{"objectType": "Should fail", "agent": PLAYER}]},
    "agent invalid": {"contextAgents": [{"objectType": "contextAgent", "agent": {"key": "x"}}]},
    "agent missing": {"contextAgents": [{"objectType": "contextAgent"}]},
    "agent is a group": {"contextAgents": [{"objectType": "contextAgent", "agent": TEAM}]},
    "agents not a list": {"contextAgents": {"objectType": "contextAgent", "agent": PLAYER}},
    "agent types empty": {"contextAgents": [
        {"objectType": "contextAgent", "agent": PLAYER, "relevantTypes": []}]},
    "agent types not IRIs": {"contextAgents": [
        {"objectType": "contextAgent", "agent": PLAYER, "relevantTypes": ["abc"]}]},
    "group objectType": {"contextGroups": [{"objectType": "Should fail", "group": TEAM}]},
    "group invalid": {"contextGroups": [{"objectType": "contextGroup", "group": {"key": "x"}}]},
    "group is an agent": {"contextGroups": [{"objectType": "contextGroup", "group": PLAYER}]},
    "group types empty": {"contextGroups": [
        {"objectType": "contextGroup", "group": TEAM, "relevantTypes": []}]},
    "group types not IRIs": {"contextGroups": [
        {"objectType": "contextGroup", "group": TEAM, "relevantTypes": ["abc"]}]},
}  # fmt: skip


@pytest.mark.parametrize("where", [with_context, in_substatement])
@pytest.mark.parametrize("case", BAD_CONTEXT)
def test_bad_context_agents_and_groups_are_400(lrs2, case, where):
    response = lrs2.post(where(**BAD_CONTEXT[case]))
    assert response.status_code == 400
    assert "context" in response.json()["error"]
    assert not Statement.objects.exists()


def test_context_agents_are_not_1_0_3(lrs):
    """A 1.0.3 request keeps 1.0.3's rules: the 2.0 properties are unknown."""
    response = lrs.post(with_context(contextAgents=CONTEXT_AGENTS))
    assert response.status_code == 400 and "contextAgents" in response.json()["error"]


def test_related_agents_matches_context_agents_and_groups(lrs2):
    """related_agents also looks at context agents and groups (and their members)."""
    data = with_context(contextAgents=CONTEXT_AGENTS, contextGroups=CONTEXT_GROUPS)
    lrs2.post(data)
    for agent in (PLAYER, {"mbox": "mailto:team-1@example.com"},
                  {"mbox": "mailto:player-2@example.com"}):  # fmt: skip
        related = lrs2.get(agent=agent, related_agents="true").json()["statements"]
        assert [s["id"] for s in related] == [data["id"]]
        assert lrs2.get(agent=agent).json()["statements"] == []


def test_ids_format_reduces_context_agents(lrs2):
    named = {**PLAYER, "name": "Player One"}
    data = with_context(contextAgents=[{"objectType": "contextAgent", "agent": named}])
    lrs2.post(data)
    got = lrs2.get(statementId=data["id"], format="ids").json()
    assert got["context"]["contextAgents"][0]["agent"] == PLAYER


# --- timestamps (Data 4.5) ---------------------------------------------------------


@pytest.mark.parametrize("field", ["timestamp", "substatement timestamp"])
def test_timestamps_need_a_time_zone_in_2_0(lrs2, lrs, field):
    value = "2024-05-01T10:00:00.123"
    if field == "timestamp":
        data = statement(timestamp=value)
    else:
        data = in_substatement()
        data["object"]["timestamp"] = value
    response = lrs2.post(data)
    assert response.status_code == 400 and "time zone" in response.json()["error"]
    assert lrs.post(data).status_code == 200  # 1.0.3 reads it as UTC


@pytest.mark.parametrize(
    "value",
    ["2008-09-15T15:53:00.601Z", "2008-09-15 15:53:00.601+00:00",
     "2008-09-15T15:53:00+05:30", "2008-09-15T15:53:00.601-0400"],
)  # fmt: skip
def test_timestamps_with_zones_are_accepted(lrs2, value):
    assert lrs2.post(statement(timestamp=value)).status_code == 200


@pytest.mark.parametrize(
    "value", ["2008-09-15T15:53:00.601-00:00", "2008-09-15T15:53:00.601-00"]
)
def test_unknown_local_offsets_are_400(lrs2, value):
    assert lrs2.post(statement(timestamp=value)).status_code == 400


# --- version property (Data 2.4.10, XAPI-00332) -------------------------------------


def test_version_property_is_retained_or_set_by_the_request(lrs2, lrs):
    sent = statement(version="2.0.0")
    assert lrs2.post(sent).status_code == 200
    assert lrs2.get(statementId=sent["id"]).json()["version"] == "2.0.0"
    plain = statement()
    lrs2.post(plain)
    assert lrs2.get(statementId=plain["id"]).json()["version"] == "2.0.0"
    old = statement(version="1.0.1")
    lrs2.post(old)
    assert lrs2.get(statementId=old["id"]).json()["version"] == "1.0.1"
    assert lrs.post(statement(version="2.0.0")).status_code == 400
    legacy = statement()
    lrs.post(legacy)
    assert lrs.get(statementId=legacy["id"]).json()["version"] == "1.0.0"
    assert lrs2.post(statement(version="3.0.0")).status_code == 400


# --- one store, answered in the version asked for -------------------------------------


def test_a_1_0_3_reader_gets_2_0_statements_converted(lrs2, lrs):
    """Context agents and groups left out, version 1.0.0; a 2.0 reader gets them."""
    top = with_context(
        contextAgents=CONTEXT_AGENTS, contextGroups=CONTEXT_GROUPS, language="en"
    )
    sub = in_substatement(contextAgents=CONTEXT_AGENTS, language="en")
    plain = statement()
    assert lrs2.post([top, sub, plain]).status_code == 200

    bare = with_context(contextAgents=CONTEXT_AGENTS)  # nothing left: no context
    lrs2.post(bare)
    assert "context" not in lrs.get(statementId=bare["id"]).json()
    one = lrs.get(statementId=top["id"]).json()
    assert one["context"] == {"language": "en"}
    assert one["version"] == "1.0.0" and one["verb"] == top["verb"]
    for fmt in ("exact", "ids", "canonical"):
        listed = {s["id"]: s for s in lrs.get(format=fmt).json()["statements"]}
        assert set(listed) == {top["id"], sub["id"], plain["id"], bare["id"]}
        assert "contextAgents" not in listed[top["id"]]["context"]
        assert "contextAgents" not in listed[sub["id"]]["object"]["context"]
        assert {s["version"] for s in listed.values()} == {"1.0.0"}

    again = lrs2.get(statementId=top["id"]).json()
    assert again["context"]["contextAgents"] == CONTEXT_AGENTS
    assert again["version"] == "2.0.0"
    assert {s["id"] for s in lrs2.get().json()["statements"]} == {
        top["id"], sub["id"], plain["id"], bare["id"]}  # fmt: skip


def test_1_0_3_statements_read_unchanged_by_a_2_0_reader(lrs, lrs2):
    data = statement(timestamp="2024-05-01T10:00:00.000Z")
    lrs.post(data)
    got = lrs2.get(statementId=data["id"]).json()
    assert got["version"] == "1.0.0"
    assert {k: got[k] for k in data} == data


def test_consistent_through_and_last_modified_in_2_0(lrs2):
    data = statement()
    lrs2.post(data)
    response = lrs2.get(statementId=data["id"])
    assert response["X-Experience-API-Consistent-Through"] and response["Last-Modified"]
    missing = lrs2.get(statementId=str(uuid.uuid4()))
    assert missing.status_code == 404 and missing["X-Experience-API-Consistent-Through"]


# --- documents (Communication 3.1 concurrency, 2.2) -------------------------------

ACTIVITY_ID = "http://www.example.com/activityId/hashset"
AGENT = {"objectType": "Agent", "account": {"homePage": "http://a.org", "name": "R"}}
DOCUMENTS = {
    "state": (
        "activities/state",
        {"activityId": ACTIVITY_ID, "agent": AGENT, "stateId": "s"},
    ),
    "activity profile": (
        "activities/profile",
        {"activityId": ACTIVITY_ID, "profileId": "p"},
    ),
    "agent profile": ("agents/profile", {"agent": AGENT, "profileId": "p"}),
}


def test_state_put_over_existing_without_precondition_is_409_in_2_0(lrs2, lrs):
    path, params = DOCUMENTS["state"]
    assert lrs2.request("PUT", path, {"v": 1}, params=params).status_code == 204
    conflict = lrs2.request("PUT", path, {"v": 2}, params=params)
    assert conflict.status_code == 409 and "If-Match" in conflict.json()["error"]
    assert lrs2.request("GET", path, params=params).json() == {"v": 1}
    assert lrs.request("PUT", path, {"v": 3}, params=params).status_code == 204


@pytest.mark.parametrize("name", DOCUMENTS)
def test_documents_carry_quoted_etags_and_last_modified(lrs2, name):
    """ETag (quoted SHA-1) and Last-Modified on GET and on writes; If-Match is
    honoured by PUT, POST and DELETE (412 when it does not match)."""
    path, params = DOCUMENTS[name]
    created = lrs2.request("POST", path, {"a": 1}, params=params)
    assert created.status_code == 204 and created["Last-Modified"]
    got = lrs2.request("GET", path, params=params)
    etag = got["ETag"]
    assert len(etag) == 42 and etag[0] == etag[41] == '"' and got["Last-Modified"]
    assert lrs2.request("HEAD", path, params=params)["ETag"] == etag
    for method in ("PUT", "POST", "DELETE"):
        stale = lrs2.request(
            method, path, {"b": 2}, params=params, HTTP_IF_MATCH='"1234"'
        )
        assert stale.status_code == 412
    assert lrs2.request("GET", path, params=params).json() == {"a": 1}
    merged = lrs2.request("POST", path, {"b": 2}, params=params, HTTP_IF_MATCH=etag)
    assert merged.status_code == 204
    assert lrs2.request("GET", path, params=params).json() == {"a": 1, "b": 2}
    gone = lrs2.request("DELETE", path, params=params, HTTP_IF_MATCH=merged["ETag"])
    assert gone.status_code == 204


# --- the 2.0 rules never fail on arbitrary input ---------------------------------

V2_PATHS = [
    ("context", "contextAgents"), ("context", "contextGroups"),
    ("context", "contextAgents", 0), ("context", "contextGroups", 0),
    ("context", "contextAgents", 0, "agent"), ("context", "contextGroups", 0, "group"),
    ("context", "contextAgents", 0, "relevantTypes"),
    ("context", "contextGroups", 0, "relevantTypes", 0), ("timestamp",), ("version",),
]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(path=st.sampled_from(V2_PATHS), value=json_values)
def test_2_0_validator_never_crashes_on_mutated_statements(path, value):
    """Any value in a 2.0 property validates or raises XAPIValidationError."""
    data = with_context(contextAgents=CONTEXT_AGENTS, contextGroups=CONTEXT_GROUPS)
    data = json.loads(json.dumps(data))
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    try:
        validate_statement(data, v2=True)
    except XAPIValidationError:
        pass
