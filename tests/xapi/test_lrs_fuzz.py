"""Property-based fuzzing of the LRS endpoints (issue 15, point 7): whatever a
client sends, the answer is never a server error, and what was stored can be
read back in every format.

The inputs aim at what breaks storage rather than at the xAPI rules (the
validation tests do those): lone surrogates, NUL and control characters, NaN,
infinite and huge numbers written as raw JSON, timestamps at the edges of the
calendar with extreme offsets, oversized content types, percent-encoded bytes
that are not UTF-8. CI runs this on PostgreSQL, where most of these were
DataErrors; examples are bounded so the module stays under a minute or two.
"""

import json
import uuid
from urllib.parse import quote

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.xapi.conftest import VERSION, basic, statement

FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
HAZARDS = ["\ud800", "\udfff", "\x00", "\x07", "\x7f", "é", "𝄞", "\u2028", "\ufeff",
           '"', "\\", "<script>", " ", "%", "mailto:", "http://x.org/"]  # fmt: skip
hazard_text = st.lists(st.sampled_from(HAZARDS) | st.text(max_size=4), max_size=4).map(
    "".join
)
# Numbers as raw JSON text: json.dumps cannot write 1e400 or a 400-digit integer.
RAW_NUMBERS = ["NaN", "Infinity", "-Infinity", "1e400", "-1e400", "1e-400", "-0",
               "1E308", "9" * 40, "-" + "9" * 400, "0.000000000000000000001"]  # fmt: skip


def _offset(minutes: int) -> str:
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


timestamps = st.builds(
    lambda year, month, day, hour, fraction, zone: (
        f"{year:04d}-{month:02d}-{day:02d}T{hour:02d}:59:59{fraction}{zone}"
    ),
    st.sampled_from([1, 2, 1970, 2024, 9998, 9999]) | st.integers(1, 9999),
    st.integers(1, 12),
    st.integers(1, 31),
    st.integers(0, 23),
    st.sampled_from(["", ".5", ".999999", ".1234567", ".000000001"]),
    st.sampled_from(["", "Z", "-00:00", "+0000"])
    | st.integers(-23 * 60 - 59, 23 * 60 + 59).map(_offset),
)


class Raw:
    """A JSON leaf written as is (see dumps)."""

    def __init__(self, text):
        self.text = text


leaves = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | hazard_text
    | timestamps
    | st.sampled_from(RAW_NUMBERS).map(Raw)
)
json_values = st.recursive(
    leaves,
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(hazard_text | st.just("en"), children, max_size=3)
    ),
    max_leaves=8,
)


def dumps(value) -> str:
    """json.dumps, with Raw leaves written as their raw text (escaped surrogates
    come out as JSON escapes, as a client would send them)."""
    raws = []

    def default(leaf):
        raws.append(leaf.text)
        return f"@@raw{len(raws) - 1}@@"

    text = json.dumps(value, default=default)
    for index, raw in enumerate(raws):
        text = text.replace(f'"@@raw{index}@@"', raw)
    return text


PATHS = [("actor", "name"), ("actor", "mbox"), ("actor", "account", "name"),
         ("verb", "id"), ("verb", "display", "en"), ("object", "id"),
         ("object", "definition", "name", "en"),
         ("object", "definition", "extensions", "http://x.org/e"),
         ("result", "response"), ("result", "score", "raw"), ("result", "duration"),
         ("result", "extensions", "http://x.org/e"), ("context", "registration"),
         ("context", "language"), ("context", "extensions", "http://x.org/e"),
         ("timestamp",), ("id",), ("version",)]  # fmt: skip


def mutated(path, value) -> dict:
    data = statement(
        actor={"name": "Ada", "mbox": "mailto:ada@example.org"},
        result={"score": {"raw": 1}},
        context={"registration": str(uuid.uuid4())},
    )
    target = data
    for key in path[:-1]:
        target = target.setdefault(key, {})
        if not isinstance(target, dict):
            return data
    if path[:2] == ("actor", "account"):
        data["actor"].pop("mbox")
        target.setdefault("homePage", "http://example.org")
    target[path[-1]] = value
    return data


def query(params: dict) -> str:
    """A query string with every byte percent-encoded: surrogates become the
    bytes a UTF-8 encoder would refuse (what a hostile client can send)."""
    return "&".join(
        f"{quote(name)}={quote(value.encode('utf-8', 'surrogatepass'), safe='')}"
        for name, value in params.items()
    )


def call(client, key, method, path, params=None, body=b"", content_type=None):
    url = f"/xapi/{path}" + (f"?{query(params)}" if params else "")
    headers = {**VERSION, "HTTP_AUTHORIZATION": basic(key)}
    return client.generic(
        method,
        url,
        data=body,
        content_type=content_type or "application/json",
        **headers,
    )


def read_back(lrs, statement_id):
    """A stored statement reads back in every format, alone and in a list."""
    for params in ({}, {"format": "canonical"}, {"format": "ids"},
                   {"attachments": "true"}):  # fmt: skip
        response = lrs.get(statementId=statement_id, **params)
        assert response.status_code == 200, (params, response.content)
    for params in ({}, {"format": "canonical"}, {"attachments": "true"}):
        assert lrs.get(**params).status_code == 200


@FUZZ
@given(path=st.sampled_from(PATHS), value=json_values)
def test_statement_post_never_5xx_and_reads_back(lrs, path, value):
    data = mutated(path, value)
    response = lrs.post(dumps(data))
    assert response.status_code in (200, 400, 409), response.content
    if response.status_code == 200:
        read_back(lrs, response.json()[0])


@FUZZ
@given(statement_id=hazard_text | st.uuids().map(str), value=json_values)
def test_statement_put_never_5xx(client, lrs_client, statement_id, value):
    data = mutated(("result", "response"), value)
    del data["id"]
    response = call(
        client,
        lrs_client.key,
        "PUT",
        "statements",
        {"statementId": statement_id},
        dumps(data).encode("utf-8", "surrogatepass"),
    )
    assert response.status_code in (204, 400, 409), response.content


query_values = (
    hazard_text
    | timestamps
    | json_values.map(dumps)
    | st.builds(
        lambda ifi: json.dumps({"objectType": "Agent", "mbox": f"mailto:{ifi}@x.org"}),
        hazard_text,
    )
)


@FUZZ
@given(
    params=st.dictionaries(
        st.sampled_from(
            ["agent", "verb", "activity", "registration", "since", "until", "limit",
             "format", "ascending", "related_agents", "related_activities",
             "attachments", "statementId", "voidedStatementId"]
        ),
        query_values,
        max_size=4,
    )
)  # fmt: skip
def test_statement_get_never_5xx(client, lrs_client, params):
    response = call(client, lrs_client.key, "GET", "statements", params)
    assert response.status_code in (200, 400, 404), response.content


DOCUMENTS = {
    "activities/state": ("stateId", True, True),
    "activities/profile": ("profileId", True, False),
    "agents/profile": ("profileId", False, True),
}


def on_the_wire(header: str) -> str:
    """A header as WSGI hands it over: the client's bytes read as ISO-8859-1
    (a lone surrogate cannot travel; its UTF-8 bytes can)."""
    return header.encode("utf-8", "surrogatepass").decode("latin-1")


content_types = (st.sampled_from(
    ["application/json", "text/plain", "text/html", "application/octet-stream",
     "application/json; charset=utf-8"]
) | hazard_text | st.integers(200, 400).map(lambda n: "text/" + "x" * n)).map(on_the_wire)  # fmt: skip
bodies = json_values.map(dumps).map(
    lambda text: text.encode("utf-8", "surrogatepass")
) | st.binary(max_size=64)


@FUZZ
@given(
    resource=st.sampled_from(sorted(DOCUMENTS)),
    method=st.sampled_from(["PUT", "POST", "GET", "DELETE"]),
    document_id=hazard_text,
    agent=query_values,
    registration=st.none() | hazard_text | st.uuids().map(str),
    since=st.none() | timestamps,
    content_type=content_types,
    body=bodies,
)
def test_documents_never_5xx(
    client,
    lrs_client,
    resource,
    method,
    document_id,
    agent,
    registration,
    since,
    content_type,
    body,
):
    id_param, takes_activity, takes_agent = DOCUMENTS[resource]
    params = {id_param: document_id}
    if takes_activity:
        params["activityId"] = "http://example.org/activities/unit-1"
    if takes_agent:
        params["agent"] = agent
    if registration is not None and resource == "activities/state":
        params["registration"] = registration
    if method == "GET" and since is not None:
        params.pop(id_param)
        params["since"] = since
    response = call(
        client, lrs_client.key, method, resource, params, body, content_type
    )
    assert response.status_code in (200, 204, 400, 404, 409, 412), response.content
    if method in ("PUT", "POST") and response.status_code == 204:
        params.pop("since", None)
        params[id_param] = document_id
        again = call(client, lrs_client.key, "GET", resource, params)
        assert again.status_code == 200, again.content


@FUZZ
@given(
    method=st.sampled_from(["GET", "PUT", "POST", "DELETE", "HEAD", "x"]),
    resource=st.sampled_from(["statements", *sorted(DOCUMENTS)]),
    fields=st.dictionaries(
        st.sampled_from(
            ["statementId", "stateId", "profileId", "activityId", "agent",
             "registration", "since", "content", "Content-Type", "If-Match"]
        ),
        query_values,
        max_size=5,
    ),
)  # fmt: skip
def test_alternate_syntax_never_5xx(client, lrs_client, method, resource, fields):
    """Form posts (?method=, the cross-site vector) with hostile fields and bytes."""
    form = {
        "Authorization": basic(lrs_client.key),
        "X-Experience-API-Version": "1.0.3",
        **fields,
    }
    response = client.post(
        f"/xapi/{resource}?method={method}",
        data=query(form),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code < 500, response.content
    assert response["Content-Security-Policy"] == "sandbox; default-src 'none'"
