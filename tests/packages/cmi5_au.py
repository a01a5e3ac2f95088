"""A cmi5 AU played from the test: launch, fetch, then xAPI as the AU would."""

import json
import uuid
from urllib.parse import parse_qs, urlsplit

from django.test import Client

from learning.launches.sessions import start_session

CONTENT = "content.testserver"
VERBS = {
    "initialized": "http://adlnet.gov/expapi/verbs/initialized",
    "completed": "http://adlnet.gov/expapi/verbs/completed",
    "passed": "http://adlnet.gov/expapi/verbs/passed",
    "failed": "http://adlnet.gov/expapi/verbs/failed",
    "terminated": "http://adlnet.gov/expapi/verbs/terminated",
    "satisfied": "https://w3id.org/xapi/adl/verbs/satisfied",
    "launched": "http://adlnet.gov/expapi/verbs/launched",
    "abandoned": "https://w3id.org/xapi/adl/verbs/abandoned",
    "waived": "https://w3id.org/xapi/adl/verbs/waived",
    "experienced": "http://adlnet.gov/expapi/verbs/experienced",
}
SESSION_ID = "https://w3id.org/xapi/cmi5/context/extensions/sessionid"


class AU:
    """One launched session of an AU, driven like the AU's own JavaScript."""

    def __init__(self, enrollment, lesson, unit, mode="Normal"):
        self.session, token = start_session(enrollment, lesson, unit, mode=mode)
        response = Client().get(f"/packages/launch/{token}", HTTP_HOST=CONTENT)
        assert response.status_code == 302, response
        self.url = response["Location"]
        self.params = {k: v[0] for k, v in parse_qs(urlsplit(self.url).query).items()}
        self.actor = json.loads(self.params["actor"])
        self.auth = None

    def fetch(self):
        path = urlsplit(self.params["fetch"]).path
        return Client().post(path)

    def connect(self):
        response = self.fetch()
        assert response.status_code == 200, response.content
        self.auth = "Basic " + response.json()["auth-token"]
        return self

    def lrs(self, method, path, **kwargs):
        client = Client(
            HTTP_AUTHORIZATION=self.auth, HTTP_X_EXPERIENCE_API_VERSION="1.0.3"
        )
        return getattr(client, method)(f"/xapi/{path}", **kwargs)

    def statement(self, verb, *, result=None, session_id=None, **overrides):
        data = {
            "id": str(uuid.uuid4()),
            "actor": self.actor,
            "verb": {"id": VERBS.get(verb, verb), "display": {"en-US": verb}},
            "object": {"objectType": "Activity", "id": self.params["activityId"]},
            "context": {
                "registration": self.params["registration"],
                "contextActivities": {
                    "category": [
                        {"id": "https://w3id.org/xapi/cmi5/context/categories/cmi5"}
                    ]
                },
                "extensions": {SESSION_ID: session_id or str(self.session.pk)},
            },
        }
        if result is not None:
            data["result"] = result
        data.update(overrides)
        return data

    def send(self, *statements):
        return self.lrs(
            "post",
            "statements",
            data=json.dumps(list(statements)),
            content_type="application/json",
        )

    def say(self, verb, **kwargs):
        return self.send(self.statement(verb, **kwargs))
