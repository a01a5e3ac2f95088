"""Interop: tincan's RemoteLRS drives our LRS through a live server."""

import uuid

import pytest
from tincan import (
    Activity,
    ActivityDefinition,
    Agent,
    LanguageMap,
    RemoteLRS,
    StateDocument,
    Statement,
    Verb,
)

from learning.xapi.forwarding import socket_timeout
from tests.xapi.conftest import make_client


@pytest.fixture
def remote(live_server, transactional_db):
    make_client("tincan", secret="tincan-secret")
    return RemoteLRS(
        endpoint=f"{live_server.url}/xapi/",
        version="1.0.3",
        username="key-tincan",
        password="tincan-secret",
    )


def tincan_statement(actor, verb_id, activity_id):
    return Statement(
        id=uuid.uuid4(),
        actor=actor,
        verb=Verb(
            id=verb_id, display=LanguageMap({"en-US": verb_id.rsplit("/", 1)[-1]})
        ),
        object=Activity(
            id=activity_id,
            definition=ActivityDefinition(name=LanguageMap({"en-US": "Unit"})),
        ),
    )


def test_tincan_round_trip(remote):
    """Save one and many, retrieve, query with filters and page with `more`; state documents."""
    ada = Agent(name="Ada", mbox="mailto:ada@example.org")
    grace = Agent(name="Grace", mbox="mailto:grace@example.org")
    with socket_timeout(10):
        about = remote.about()
        assert about.success and "1.0.3" in about.content.version

        single = tincan_statement(
            ada, "http://adlnet.gov/expapi/verbs/experienced", "http://example.org/a/1"
        )
        response = remote.save_statement(single)
        assert response.success, response.data
        many = [
            tincan_statement(
                agent,
                "http://adlnet.gov/expapi/verbs/completed",
                f"http://example.org/a/{n}",
            )
            for n, agent in enumerate([ada, grace, ada, ada, grace], start=2)
        ]
        response = remote.save_statements(many)
        assert response.success, response.data
        assert [str(s.id) for s in response.content] == [str(s.id) for s in many]

        got = remote.retrieve_statement(single.id)
        assert got.success and got.content.id == single.id
        assert got.content.actor.mbox == "mailto:ada@example.org"

        query = {
            "agent": ada,
            "verb": Verb(id="http://adlnet.gov/expapi/verbs/completed"),
            "limit": 2,
            "ascending": True,
        }
        first = remote.query_statements(query)
        assert first.success, first.data
        seen = [str(s.id) for s in first.content.statements]
        assert len(seen) == 2 and first.content.more
        more = remote.more_statements(first.content)
        assert more.success, more.data
        seen += [str(s.id) for s in more.content.statements]
        expected = [str(s.id) for s in many if s.actor.mbox == ada.mbox]
        assert sorted(seen) == sorted(expected) and not more.content.more

        activity = Activity(id="http://example.org/a/1")
        state = StateDocument(
            activity=activity, agent=ada, id="bookmark", content='{"page": 7}',
            content_type="application/json",
        )  # fmt: skip
        assert remote.save_state(state).success
        fetched = remote.retrieve_state(activity, ada, "bookmark")
        assert fetched.success and bytes(fetched.content.content) == b'{"page": 7}'
        ids = remote.retrieve_state_ids(activity, ada)
        assert ids.success and ids.content == ["bookmark"]
        assert remote.delete_state(fetched.content).success
        assert remote.retrieve_state_ids(activity, ada).content == []
