"""Writing to our own LRS store. Callers hold the transaction: a statement and the
progress change it records commit or roll back together."""

from django.conf import settings
from django.db import transaction

from .context import decorate, notify
from .lrs.ingest import build_row, index_statements, insert_statements, now_ms
from .models import Statement
from .statements import utc_timestamp

XAPI_VERSION = "1.0.3"


def platform_authority() -> dict:
    """The authority of statements the platform issues itself."""
    return {
        "objectType": "Agent",
        "account": {"homePage": settings.SITE_BASE_URL, "name": "atelier-platform"},
    }


def store_statement(data: dict, *, authority: dict | None = None) -> Statement:
    """Store one statement; must run inside the caller's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("store_statement must run inside transaction.atomic()")
    stored = now_ms()  # milliseconds: as serialised
    row = build_row(_as_stored(data, stored, authority), stored=stored)
    row.save()
    # The LRS's filters, canonical activities and forwarding outbox, in the
    # same transaction (learning/xapi/lrs/ingest.py).
    index_statements([row])
    notify([row])  # e.g. the LTI grade outbox, in this transaction
    return row


def store_own_statements(
    statements: list[dict], *, authority: dict | None = None
) -> list[Statement]:
    """Store statements the platform built, in order, with a constant number of
    queries (the LRS's bulk insert of statements, then its bulk index, activity
    and outbox writes). Their ids are fresh, so no duplicate check: unlike the HTTP
    path's `store_statements`, which looks the ids up first."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("store_own_statements must run inside transaction.atomic()")
    stored = now_ms()  # one instant for the batch, as the HTTP path does
    rows = [
        build_row(_as_stored(data, stored, authority), stored=stored)
        for data in statements
    ]
    insert_statements(rows)
    for row in rows:  # stored: saving one again must refuse, as after bulk_create
        row._state.adding = False
    index_statements(rows)
    notify(rows)
    return rows


def _as_stored(data: dict, stored, authority: dict | None) -> dict:
    return {
        **decorate(data),  # the request's context (an LTI launch's course)
        "stored": utc_timestamp(stored),
        "authority": authority or platform_authority(),
        "version": XAPI_VERSION,
    }
