"""Statement validation: every malformed statement is a 400 naming the problem,
nothing is stored, and no input makes the validator or the endpoint fail."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from learning.xapi.lrs.validation import XAPIValidationError, validate_statement
from learning.xapi.models import Statement
from tests.xapi.conftest import statement

AGENT = {"mbox": "mailto:ada@example.org"}
ACTIVITY = {"id": "http://example.org/a"}

BAD = [
    # (what, statement overrides, words the message must contain)
    ("unknown property", {"colour": "red"}, "unknown properties"),
    ("id not a UUID", {"id": "not-a-uuid"}, "id"),
    ("actor missing", {"actor": None}, "actor"),
    (
        "two IFIs",
        {"actor": {**AGENT, "openid": "http://ada.example.org"}},
        "exactly one",
    ),
    ("no IFI", {"actor": {"name": "Ada"}}, "exactly one"),
    ("bad mbox", {"actor": {"mbox": "ada@example.org"}}, "mbox"),
    ("bad sha1", {"actor": {"mbox_sha1sum": "xyz"}}, "mbox_sha1sum"),
    (
        "account without name",
        {"actor": {"account": {"homePage": "http://a.org"}}},
        "name",
    ),
    (
        "wrong actor objectType",
        {"actor": {**AGENT, "objectType": "Person"}},
        "objectType",
    ),
    (
        "group member is a group",
        {
            "actor": {
                "objectType": "Group",
                "member": [{"objectType": "Group", "member": [AGENT]}],
            }
        },
        "member",
    ),
    ("anonymous group without members", {"actor": {"objectType": "Group"}}, "member"),
    ("verb without id", {"verb": {"display": {"en": "did"}}}, "verb"),
    ("verb id not an IRI", {"verb": {"id": "did"}}, "verb.id"),
    (
        "bad language tag",
        {"verb": {"id": "http://x.org/v", "display": {"not a tag": "x"}}},
        "language tag",
    ),
    (
        "display not a map",
        {"verb": {"id": "http://x.org/v", "display": "did"}},
        "language map",
    ),
    ("activity id relative", {"object": {"id": "unit-1"}}, "object.id"),
    (
        "wrong object type",
        {"object": {"objectType": "Thing", "id": "http://x.org"}},
        "objectType",
    ),
    (
        "bad interaction type",
        {"object": {**ACTIVITY, "definition": {"interactionType": "essay"}}},
        "interactionType",
    ),
    (
        "choices on true-false",
        {
            "object": {
                **ACTIVITY,
                "definition": {"interactionType": "true-false", "choices": []},
            }
        },
        "choices",
    ),
    (
        "statement ref without UUID",
        {"object": {"objectType": "StatementRef", "id": "x"}},
        "object.id",
    ),
    (
        "nested substatement",
        {
            "object": {
                "objectType": "SubStatement",
                "actor": AGENT,
                "verb": {"id": "http://x.org/v"},
                "object": {
                    "objectType": "SubStatement",
                    "actor": AGENT,
                    "verb": {"id": "http://x.org/v"},
                    "object": ACTIVITY,
                },
            }
        },
        "SubStatement",
    ),
    (
        "substatement with id",
        {
            "object": {
                "objectType": "SubStatement",
                "id": "x",
                "actor": AGENT,
                "verb": {"id": "http://x.org/v"},
                "object": ACTIVITY,
            }
        },
        "unknown properties",
    ),
    ("scaled out of range", {"result": {"score": {"scaled": 1.5}}}, "scaled"),
    ("raw above max", {"result": {"score": {"raw": 11, "min": 0, "max": 10}}}, "raw"),
    ("success not boolean", {"result": {"success": "yes"}}, "success"),
    ("bad duration", {"result": {"duration": "5 minutes"}}, "duration"),
    ("bad registration", {"context": {"registration": "abc"}}, "registration"),
    (
        "revision on agent object",
        {"object": {"objectType": "Agent", **AGENT}, "context": {"revision": "1"}},
        "revision",
    ),
    (
        "context activity without id",
        {"context": {"contextActivities": {"parent": [{}]}}},
        "id",
    ),
    (
        "unknown context activity key",
        {"context": {"contextActivities": {"uncle": []}}},
        "unknown",
    ),
    ("team not a group", {"context": {"team": AGENT}}, "team"),
    ("bad timestamp", {"timestamp": "yesterday"}, "timestamp"),
    ("unknown local offset", {"timestamp": "2024-01-01T00:00:00-00:00"}, "timestamp"),
    ("impossible date", {"timestamp": "2024-02-30T00:00:00Z"}, "timestamp"),
    (
        "extension key not an IRI",
        {"result": {"extensions": {"score": 1}}},
        "extensions",
    ),
    ("bad version", {"version": "2.0.0"}, "version"),
    (
        "attachment without sha2",
        {
            "attachments": [
                {
                    "usageType": "http://x.org/u",
                    "display": {"en": "a"},
                    "contentType": "text/plain",
                    "length": 1,
                }
            ]
        },
        "sha2",
    ),
    (
        "attachment negative length",
        {
            "attachments": [
                {
                    "usageType": "http://x.org/u",
                    "display": {"en": "a"},
                    "contentType": "text/plain",
                    "length": -1,
                    "sha2": "a" * 64,
                }
            ]
        },
        "length",
    ),
]


@pytest.mark.parametrize(("what", "overrides", "words"), BAD, ids=[b[0] for b in BAD])
def test_statement_bad_input_is_400_with_message(lrs, what, overrides, words):
    """Each broken rule answers 400 with a message naming it, and stores nothing."""
    data = statement()
    for key, value in overrides.items():
        if value is None:
            data.pop(key)
        else:
            data[key] = value
    response = lrs.post(data)
    assert response.status_code == 400, (what, response.content)
    assert words in response.json()["error"], response.json()["error"]
    assert not Statement.objects.exists()


def test_malformed_json_and_wrong_content_type_are_400(lrs):
    assert lrs.post(b"{not json").status_code == 400
    assert (
        lrs.post(json.dumps(statement()), content_type="text/plain").status_code == 400
    )
    assert lrs.post(b"[1, 2]").status_code == 400
    assert lrs.post(b'"a string"').status_code == 400


def test_one_bad_statement_rejects_the_whole_batch(lrs):
    response = lrs.post([statement(), statement(verb={"id": "nope"})])
    assert response.status_code == 400 and "[1].verb.id" in response.json()["error"]
    assert not Statement.objects.exists()


def test_valid_edge_cases_are_accepted(lrs):
    """Things the spec allows: groups, substatements, interactions, single context activity."""
    accepted = [
        statement(actor={"objectType": "Group", "member": [AGENT]}),
        statement(object={"objectType": "StatementRef", "id": statement()["id"]}),
        statement(
            object={
                **ACTIVITY,
                "definition": {
                    "interactionType": "choice",
                    "correctResponsesPattern": ["a"],
                    "choices": [{"id": "a", "description": {"en-US": "A"}}],
                },
            },
            result={
                "score": {"scaled": -0.5, "raw": 1, "min": 0, "max": 2},
                "duration": "PT1H2M3.5S",
            },
            context={
                "contextActivities": {"parent": ACTIVITY},
                "language": "zh-Hant-TW",
            },
            timestamp="2024-01-01T12:00:00.123+02:00",
        ),
    ]
    response = lrs.post(accepted)
    assert response.status_code == 200, response.content
    stored = lrs.get(statementId=accepted[2]["id"]).json()
    assert stored["context"]["contextActivities"]["parent"] == [ACTIVITY]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(
        st.sampled_from(
            ["id", "actor", "verb", "object", "objectType", "mbox", "account", "name",
             "homePage", "display", "definition", "result", "score", "context",
             "member", "timestamp", "contextActivities", "parent", "extensions", "x"]
        ) | st.text(max_size=8),
        children,
        max_size=5,
    ),
    max_leaves=20,
)  # fmt: skip


def _mutations():
    """Valid statements with one property replaced by an arbitrary JSON value."""
    paths = [("actor",), ("verb",), ("object",), ("actor", "mbox"), ("verb", "id"),
             ("verb", "display"), ("object", "definition"), ("object", "objectType"),
             ("result",), ("context",), ("timestamp",), ("id",), ("attachments",)]  # fmt: skip
    return st.tuples(st.sampled_from(paths), json_values)


@settings(max_examples=300, deadline=None)
@given(value=json_values)
def test_validator_never_crashes_on_arbitrary_json(value):
    """Any JSON value either validates or raises XAPIValidationError."""
    try:
        validate_statement(value)
    except XAPIValidationError:
        pass


@settings(max_examples=300, deadline=None)
@given(mutation=_mutations())
def test_validator_never_crashes_on_mutated_statements(mutation):
    path, value = mutation
    data = statement(
        result={"score": {"raw": 1}}, context={"registration": statement()["id"]}
    )
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    try:
        validate_statement(data)
    except XAPIValidationError:
        pass


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    body=st.one_of(json_values.map(json.dumps), st.binary(max_size=200)),
    mutation=_mutations(),
)
def test_post_endpoint_never_answers_500(lrs, body, mutation):
    """Arbitrary bodies and mutated statements get 200 or 400, never a server error."""
    assert lrs.post(body).status_code in (200, 400)
    path, value = mutation
    data = statement()
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    assert lrs.post(data).status_code in (200, 400, 409)


def test_deeply_nested_json_is_400(lrs):
    """JSON nested past the parser's or our limit is a 400, not a recursion error."""
    assert lrs.post("[" * 100_000 + "]" * 100_000).status_code == 400
    nested = json.loads("[" * 100 + "]" * 100)
    data = statement(result={"extensions": {"http://x.org/e": nested}})
    response = lrs.post(data)
    assert response.status_code == 400 and "nested" in response.json()["error"]
    agent = "[" * 5000 + "]" * 5000
    assert lrs.get(agent=agent).status_code == 400


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    params=st.dictionaries(
        st.sampled_from(
            ["agent", "verb", "activity", "registration", "since", "until", "limit",
             "format", "ascending", "related_agents", "attachments", "statementId"]
        ),
        st.text(max_size=30) | json_values.map(json.dumps),
        max_size=4,
    )
)  # fmt: skip
def test_get_endpoint_never_answers_500(lrs, params):
    """Arbitrary query parameters get 200, 400 or 404, never a server error."""
    assert lrs.get(**params).status_code in (200, 400, 404)


@settings(max_examples=300, deadline=None)
@given(
    body=st.binary(max_size=300)
    | st.lists(
        st.sampled_from([b"--b", b"\r\n", b"--b--", b"Content-Type: x", b":", b"abc", b"\r\n\r\n"])
    ).map(b"".join)
)  # fmt: skip
def test_multipart_parser_never_crashes(body):
    """Any body either parses or raises XAPIValidationError."""
    from learning.xapi.lrs.multipart import parse_multipart

    try:
        parse_multipart(body, 'multipart/mixed; boundary="b"')
    except XAPIValidationError:
        pass
