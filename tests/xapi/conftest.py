# ruff: noqa: S107 - test credentials
import base64
import json
import uuid

import pytest

from learning.xapi.lrs.models import LRSClient, Scope

VERSION = {"HTTP_X_EXPERIENCE_API_VERSION": "1.0.3"}


def make_client(name="tool", scopes=(Scope.ALL,), secret="secret"):
    client = LRSClient(name=name, key=f"key-{name}", scopes=list(scopes))
    client.set_secret(secret)
    client.save()
    return client


def basic(key, secret="secret"):
    token = base64.b64encode(f"{key}:{secret}".encode()).decode()
    return f"Basic {token}"


class LRS:
    """A Django test client speaking xAPI as one LRS client."""

    def __init__(self, django_client, lrs_client, secret="secret"):
        self.http = django_client
        self.client = lrs_client
        self.headers = {**VERSION, "HTTP_AUTHORIZATION": basic(lrs_client.key, secret)}

    def request(
        self,
        method,
        path,
        data=None,
        *,
        params=None,
        content_type="application/json",
        **headers,
    ):
        from urllib.parse import urlencode

        url = f"/xapi/{path}"
        if params:
            url += "?" + urlencode(
                {
                    k: json.dumps(v) if isinstance(v, dict) else v
                    for k, v in params.items()
                }
            )
        if data is not None and not isinstance(data, bytes | str):
            data = json.dumps(data)
        kwargs = {**self.headers, **headers}
        return (
            getattr(self.http, method.lower())(
                url,
                data=data if data is not None else "",
                content_type=content_type,
                **kwargs,
            )
            if method in ("PUT", "POST", "DELETE")
            else getattr(self.http, method.lower())(url, **kwargs)
        )

    def post(self, data, **kw):
        return self.request("POST", "statements", data, **kw)

    def put(self, data, statement_id, **kw):
        return self.request(
            "PUT", "statements", data, params={"statementId": statement_id}, **kw
        )

    def get(self, path="statements", **params):
        headers = params.pop("headers", {})
        return self.request("GET", path, params=params, **headers)


@pytest.fixture
def lrs_client(db):
    return make_client()


@pytest.fixture
def lrs(client, lrs_client):
    return LRS(client, lrs_client)


def statement(**overrides):
    data = {
        "id": str(uuid.uuid4()),
        "actor": {"mbox": "mailto:ada@example.org", "name": "Ada"},
        "verb": {
            "id": "http://adlnet.gov/expapi/verbs/experienced",
            "display": {"en-US": "experienced"},
        },
        "object": {
            "id": "http://example.org/activities/unit-1",
            "definition": {"name": {"en-US": "Unit 1", "fr": "Unité 1"}},
        },
    }
    data.update(overrides)
    return data
