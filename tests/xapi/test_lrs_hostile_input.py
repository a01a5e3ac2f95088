"""Hostile input to the LRS is a 400 with a clear message, never a 500, and
nothing is stored (issue 15, point 7): lone surrogates, NUL characters, NaN and
infinite numbers, timestamps past year 9999 in UTC, oversized content types.
On PostgreSQL (CI) the NUL, NaN and content-type cases were DataErrors."""

import json
import uuid

import pytest

from learning.xapi.lrs.models import Document
from learning.xapi.models import Statement
from tests.xapi.conftest import statement

OVERFLOW = "9999-12-31T23:59:59-23:59"
STATE = {
    "activityId": "http://example.org/activities/unit-1",
    "agent": {"objectType": "Agent", "mbox": "mailto:ada@example.org"},
    "stateId": "bookmark",
}


def body_with(raw_value: str) -> str:
    """A statement whose result extension is `raw_value`, as raw JSON text."""
    data = statement(result={"extensions": {"http://example.org/x": "PLACEHOLDER"}})
    return json.dumps(data).replace('"PLACEHOLDER"', raw_value)


@pytest.mark.parametrize(
    "raw, message",
    [
        (r'"\ud800"', "surrogate"),
        (r'"a\udfffb"', "surrogate"),
        (r'{"\ud800": 1}', "surrogate"),
        (r'"nul\u0000"', "NUL"),
        (r'{"k\u0000": 1}', "NUL"),
        ("NaN", "NaN"),
        ("Infinity", "Infinity"),
        ("-Infinity", "Infinity"),
        ("1e400", "out of range"),
        ("-1e400", "out of range"),
    ],
)
def test_unstorable_values_are_400_and_nothing_is_stored(lrs, raw, message):
    """POST, PUT and the alternate syntax refuse them with a message saying why."""
    for response in (
        lrs.post(body_with(raw)),
        lrs.request(
            "PUT",
            "statements",
            body_with(raw),
            params={"statementId": str(uuid.uuid4())},
        ),
    ):
        assert response.status_code == 400, response.content
        assert message in response.json()["error"]
    assert not Statement.objects.exists()


def test_valid_surrogate_pairs_and_unicode_are_kept(lrs):
    """A real astral character (a surrogate pair in JSON) is fine, and reads back."""
    data = statement(result={"response": "clef 𝄞 \u00e9"})
    raw = json.dumps(data)  # escapes 𝄞 as the pair \ud834\udd1e
    assert "\\ud834\\udd1e" in raw
    assert lrs.post(raw).status_code == 200
    for params in ({}, {"format": "canonical"}, {"attachments": "true"}):
        response = lrs.get(statementId=data["id"], **params)
        assert response.status_code == 200
        assert "clef 𝄞" in response.content.decode()


@pytest.mark.parametrize(
    "value",
    [OVERFLOW, "0001-01-01T00:00:00+23:59", "9999-12-31T23:59:59.999999-00:01"],
)
def test_timestamps_past_the_range_in_utc_are_400(lrs, value):
    """A timestamp that parses but leaves years 1-9999 once in UTC is refused."""
    response = lrs.post(statement(timestamp=value))
    assert response.status_code == 400
    assert "out of the supported range" in response.json()["error"]
    for name in ("since", "until"):
        response = lrs.get(**{name: value})
        assert response.status_code == 400, response.content
        assert name in response.json()["error"]
    keys = {k: v for k, v in STATE.items() if k != "stateId"}
    response = lrs.request("GET", "activities/state", params={**keys, "since": value})
    assert response.status_code == 400
    assert not Statement.objects.exists()


def test_offsets_postgresql_cannot_hold_are_read_in_utc(lrs):
    """ISO 8601 allows offsets up to ±23:59, PostgreSQL only ±15:59: a timestamp,
    `since` or `until` with a wide offset is the same instant in UTC (found by the
    documents fuzzer: a 500 on PostgreSQL)."""
    wide = "1970-05-08T21:59:59.123456+21:55"
    data = statement(timestamp=wide)
    assert lrs.post(data).status_code == 200
    assert lrs.get(since=wide).status_code == 200
    assert lrs.get(until=wide).status_code == 200
    keys = {k: v for k, v in STATE.items() if k != "stateId"}
    response = lrs.request("GET", "activities/state", params={**keys, "since": wide})
    assert response.status_code == 200
    stored = Statement.objects.get()
    assert stored.timestamp.utcoffset().total_seconds() == 0
    assert stored.timestamp.isoformat().startswith("1970-05-08T00:04:59.123456")


def test_statement_query_agent_with_surrogate_is_400(lrs):
    agent = r'{"objectType": "Agent", "mbox": "mailto:\ud800@example.org"}'
    response = lrs.get(agent=agent)
    assert response.status_code == 400 and "surrogate" in response.json()["error"]


def test_document_content_type_over_255_characters_is_400(lrs):
    """The column holds 255: a longer Content-Type is refused, not cut or a 500."""
    response = lrs.request(
        "PUT",
        "activities/state",
        b"x",
        params=STATE,
        content_type="text/plain; x=" + "a" * 300,
    )
    assert response.status_code == 400
    assert "Content-Type" in response.json()["error"]
    assert not Document.objects.exists()


@pytest.mark.parametrize("document_id", ["a\x00b", "\x00"])
def test_document_id_with_nul_is_400(lrs, document_id):
    response = lrs.request(
        "PUT",
        "activities/state",
        b"x",
        params={**STATE, "stateId": document_id},
        content_type="text/plain",
    )
    assert response.status_code == 400 and "NUL" in response.json()["error"]
    assert not Document.objects.exists()


def test_json_document_with_nan_or_surrogate_is_400(lrs):
    for raw in (b'{"a": NaN}', b'{"a": "\\ud800"}', b'{"a": 1e400}'):
        response = lrs.request(
            "POST",
            "activities/state",
            raw,
            params=STATE,
            content_type="application/json",
        )
        assert response.status_code == 400, raw
    assert not Document.objects.exists()


def test_iri_with_control_characters_is_400(lrs):
    response = lrs.post(statement(object={"id": "http://example.org/a\x00b"}))
    assert response.status_code == 400
    response = lrs.post(statement(verb={"id": "http://example.org/v\x07"}))
    assert response.status_code == 400
    assert not Statement.objects.exists()


def test_a_lone_surrogate_stored_earlier_is_answered_as_its_escape():
    """Statements stored before the LRS refused lone surrogates (SQLite kept them)
    still read: the surrogate goes out as its JSON escape."""
    from learning.xapi.lrs.http import json_response

    response = json_response({"response": "a\ud800b"})
    assert response.content == b'{"response": "a\\ud800b"}'
    assert json.loads(response.content) == {"response": "a\ud800b"}


def test_learner_export_survives_a_lone_surrogate(client, learner, monkeypatch):
    """The learner's data export answered 500 on such a statement; now it downloads."""
    from accounts import views

    monkeypatch.setattr(
        views, "export_personal_data", lambda user: {"xapi_statements": ["\ud800"]}
    )
    client.force_login(learner)
    response = client.get("/accounts/profile/data.json")
    assert response.status_code == 200
    assert json.loads(response.content) == {"xapi_statements": ["\ud800"]}
