"""State, activity profile and agent profile documents: ETag concurrency, merge,
multi-document GET with since."""

import time

import pytest

AGENT = {"objectType": "Agent", "mbox": "mailto:ada@example.org"}
ACTIVITY = "http://example.org/activities/unit-1"
REGISTRATION = "7e4c8f2a-0d55-4a39-a4d0-3c1e7b8a1f00"

RESOURCES = {
    "state": ("activities/state", "stateId", {"activityId": ACTIVITY, "agent": AGENT}),
    "activity profile": ("activities/profile", "profileId", {"activityId": ACTIVITY}),
    "agent profile": ("agents/profile", "profileId", {"agent": AGENT}),
}


@pytest.fixture(params=RESOURCES, ids=list(RESOURCES))
def resource(request):
    return RESOURCES[request.param]


def test_document_put_get_delete(lrs, resource):
    path, id_param, keys = resource
    params = {**keys, id_param: "bookmark"}
    response = lrs.request(
        "PUT",
        path,
        b"page 7",
        params=params,
        content_type="text/plain",
        HTTP_IF_NONE_MATCH="*",
    )
    assert response.status_code == 204
    got = lrs.request("GET", path, params=params)
    assert got.status_code == 200 and got.content == b"page 7"
    assert (
        got["Content-Type"].startswith("text/plain")
        and got["ETag"]
        and got["Last-Modified"]
    )
    assert (
        lrs.request(
            "DELETE", path, params=params, HTTP_IF_MATCH=got["ETag"]
        ).status_code
        == 204
    )
    assert lrs.request("GET", path, params=params).status_code == 404


def test_document_post_merges_json(lrs, resource):
    path, id_param, keys = resource
    params = {**keys, id_param: "progress"}
    assert lrs.request("POST", path, {"a": 1, "b": 1}, params=params).status_code == 204
    assert lrs.request("POST", path, {"b": 2, "c": 3}, params=params).status_code == 204
    assert lrs.request("GET", path, params=params).json() == {"a": 1, "b": 2, "c": 3}
    assert (
        lrs.request(
            "POST", path, b"text", params=params, content_type="text/plain"
        ).status_code
        == 400
    )
    assert lrs.request("POST", path, b"[1]", params=params).status_code == 400
    fresh = {**keys, id_param: "fresh"}
    assert (
        lrs.request(
            "POST", path, b"x", params=fresh, content_type="text/plain"
        ).status_code
        == 400
    )
    lrs.request(
        "PUT",
        path,
        b"text",
        params=fresh,
        content_type="text/plain",
        HTTP_IF_NONE_MATCH="*",
    )
    assert lrs.request("POST", path, {"a": 1}, params=fresh).status_code == 400


def test_document_etag_preconditions(lrs, resource):
    path, id_param, keys = resource
    params = {**keys, id_param: "doc"}
    lrs.request("PUT", path, {"v": 1}, params=params, HTTP_IF_NONE_MATCH="*")
    etag = lrs.request("GET", path, params=params)["ETag"]
    assert (
        lrs.request(
            "PUT", path, {"v": 2}, params=params, HTTP_IF_MATCH='"stale"'
        ).status_code
        == 412
    )
    assert (
        lrs.request(
            "PUT", path, {"v": 2}, params=params, HTTP_IF_NONE_MATCH="*"
        ).status_code
        == 412
    )
    assert (
        lrs.request(
            "PUT", path, {"v": 2}, params=params, HTTP_IF_MATCH=etag
        ).status_code
        == 204
    )
    assert (
        lrs.request("DELETE", path, params=params, HTTP_IF_MATCH=etag).status_code
        == 412
    )
    assert lrs.request("GET", path, params=params).json() == {"v": 2}


def test_profile_put_over_existing_without_precondition_is_409(lrs):
    """Profiles need If-Match to overwrite; state documents do not."""
    for path, id_param, keys in RESOURCES.values():
        params = {**keys, id_param: "doc"}
        lrs.request("PUT", path, {"v": 1}, params=params, HTTP_IF_NONE_MATCH="*")
        expected = 204 if path == "activities/state" else 409
        assert lrs.request("PUT", path, {"v": 2}, params=params).status_code == expected


def test_document_ids_with_since(lrs, resource):
    path, id_param, keys = resource
    new = {"HTTP_IF_NONE_MATCH": "*"}
    lrs.request("PUT", path, {"v": 1}, params={**keys, id_param: "first"}, **new)
    time.sleep(0.01)
    since = lrs.request("GET", path, params={**keys, id_param: "first"})[
        "Last-Modified"
    ]
    from datetime import UTC, datetime

    now = datetime.now(UTC).isoformat()
    time.sleep(0.01)
    lrs.request("PUT", path, {"v": 1}, params={**keys, id_param: "second"}, **new)
    assert lrs.request("GET", path, params=keys).json() == ["first", "second"]
    assert lrs.request("GET", path, params={**keys, "since": now}).json() == ["second"]
    assert since


def test_document_parameters_are_checked(lrs, resource):
    path, id_param, keys = resource
    assert lrs.request("PUT", path, {"v": 1}, params=keys).status_code == 400
    assert lrs.request("GET", path, params={**keys, "bogus": "1"}).status_code == 400
    assert (
        lrs.request(
            "GET", path, params={**keys, id_param: "x", "since": "2024-01-01T00:00:00Z"}
        ).status_code
        == 400
    )
    if "agent" in keys:
        bad = {**keys, "agent": {"name": "no ifi"}, id_param: "x"}
        assert lrs.request("GET", path, params=bad).status_code == 400
    if "activityId" in keys:
        bad = {**keys, "activityId": "relative", id_param: "x"}
        assert lrs.request("GET", path, params=bad).status_code == 400


def test_state_registration_and_bulk_delete(lrs):
    path, id_param, keys = RESOURCES["state"]
    with_registration = {**keys, "registration": REGISTRATION}
    lrs.request("PUT", path, {"r": 1}, params={**with_registration, id_param: "a"})
    lrs.request("PUT", path, {"r": 0}, params={**keys, id_param: "a"})
    assert lrs.request(
        "GET", path, params={**with_registration, id_param: "a"}
    ).json() == {"r": 1}
    assert lrs.request("GET", path, params={**keys, id_param: "a"}).json() == {"r": 0}
    assert (
        lrs.request("GET", path, params={**keys, "registration": "nope"}).status_code
        == 400
    )
    assert lrs.request("DELETE", path, params=with_registration).status_code == 204
    assert lrs.request("GET", path, params=with_registration).json() == []
    assert lrs.request("GET", path, params=keys).json() == ["a"]
