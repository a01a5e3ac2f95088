"""Query-count guards for the LRS's hot paths: storing one statement, storing a
batch, and a filtered query. The counts must not grow with the batch or the
page (SQLite only splits the bulk INSERTs under its 999-parameter cap)."""

import uuid

from django.db import connection

import pytest

from learning.xapi.models import Statement
from tests.xapi.conftest import statement

ANSWERED = "http://adlnet.gov/expapi/verbs/answered"
COURSE = "http://example.org/course"


def answered(n: int) -> dict:
    return statement(
        actor={"account": {"homePage": "https://example.org", "name": f"p{n % 7}"}},
        verb={"id": ANSWERED, "display": {"en": "answered"}},
        object={
            "id": f"{COURSE}/question/{n % 5}",
            "definition": {"name": {"en": "Question"}},
        },
        context={
            "registration": str(uuid.uuid4()),
            "contextActivities": {"parent": [{"id": COURSE}]},
        },
    )


def sqlite_chunks(count: int) -> int:
    """Extra INSERTs SQLite needs for `count` statements (none on PostgreSQL)."""
    if connection.vendor == "postgresql":
        return 0
    statement_inserts = -(-count * 10 // 999)  # ten columns a row
    relation_inserts = -(-count * 6 * 5 // 999)  # six index rows, five columns
    return statement_inserts + relation_inserts - 2


@pytest.fixture
def warm_lrs(lrs):
    """The client's credentials verified and the activities known already."""
    assert lrs.post([answered(n) for n in range(5)]).status_code == 200
    assert lrs.get(limit=1).status_code == 200
    return lrs


# The client, savepoint, existing ids, INSERT statements, INSERT index rows,
# activity definitions, forwarding destinations, release.
STORE_QUERIES = 8


def test_post_of_one_statement(warm_lrs, django_assert_num_queries):
    with django_assert_num_queries(STORE_QUERIES):
        assert warm_lrs.post(answered(1)).status_code == 200


def test_post_of_a_batch_of_100(warm_lrs, django_assert_num_queries):
    batch = [answered(n) for n in range(100)]
    with django_assert_num_queries(STORE_QUERIES + sqlite_chunks(100)):
        assert warm_lrs.post(batch).status_code == 200
    assert Statement.objects.count() == 105


def test_query_by_verb_and_activity(warm_lrs, django_assert_num_queries):
    warm_lrs.post([answered(n) for n in range(100)])
    with django_assert_num_queries(2):  # the client; the page, index rows joined
        body = warm_lrs.get(
            verb=ANSWERED, activity=f"{COURSE}/question/1", limit=10
        ).json()
    assert len(body["statements"]) == 10 and body["more"]
    with django_assert_num_queries(2):
        more = warm_lrs.get(body["more"].removeprefix("/xapi/")).json()
    assert len(more["statements"]) == 10
    seen = {s["id"] for s in body["statements"] + more["statements"]}
    assert len(seen) == 20


def test_a_changed_client_is_checked_again(warm_lrs):
    """Deactivating a client (or changing its secret) takes effect at once."""
    warm_lrs.client.is_active = False
    warm_lrs.client.save()
    assert warm_lrs.get(limit=1).status_code == 401


def test_a_client_deactivated_elsewhere_is_refused_at_once(warm_lrs):
    """Even by a bulk update (no signal) or another worker: nothing is cached."""
    from learning.xapi.lrs.models import LRSClient

    LRSClient.objects.filter(pk=warm_lrs.client.pk).update(is_active=False)
    assert warm_lrs.get(limit=1).status_code == 401


def test_a_wrong_secret_is_never_cached(warm_lrs):
    from tests.xapi.conftest import basic

    headers = {"HTTP_AUTHORIZATION": basic(warm_lrs.client.key, "wrong")}
    for _ in range(2):
        assert warm_lrs.get(limit=1, headers=headers).status_code == 401
