"""Simultaneous writes on PostgreSQL: one copy per statement id, one document.

Runs only against PostgreSQL (CI sets DATABASE_URL): SQLite serialises writers.
"""

import threading

from django.db import connection, connections
from django.test import Client

import pytest

from learning.xapi.lrs.models import Document
from learning.xapi.models import Statement
from tests.xapi.conftest import LRS, make_client, statement

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL)"
    ),
]


def run_together(function, count=4):
    barrier = threading.Barrier(count)
    outcomes = []

    def worker():
        try:
            barrier.wait()
            outcomes.append(function())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_same_statement_posted_simultaneously_is_stored_once():
    """Concurrent identical POSTs all succeed; the statement is stored once."""
    lrs_client = make_client()
    data = statement()
    codes = run_together(lambda: LRS(Client(), lrs_client).post(data).status_code)
    assert codes == [200] * 4
    assert Statement.objects.filter(id=data["id"]).count() == 1


def test_conflicting_statements_posted_simultaneously():
    """Same id, different content at once: one wins, the others get 409."""
    lrs_client = make_client()
    data = statement()
    versions = iter([{**data, "result": {"response": str(n)}} for n in range(4)])
    lock = threading.Lock()

    def post():
        with lock:
            body = next(versions)
        return LRS(Client(), lrs_client).post(body).status_code

    codes = sorted(run_together(post))
    assert codes == [200, 409, 409, 409]


def test_state_document_written_simultaneously_is_one_row():
    lrs_client = make_client()
    params = {
        "activityId": "http://example.org/a",
        "agent": {"mbox": "mailto:ada@example.org"},
        "stateId": "s",
    }

    def post():
        return (
            LRS(Client(), lrs_client)
            .request("POST", "activities/state", {"k": 1}, params=params)
            .status_code
        )

    codes = run_together(post)
    assert set(codes) <= {204, 409} and 204 in codes
    assert Document.objects.count() == 1
