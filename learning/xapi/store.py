"""Writing to our own LRS store. Callers hold the transaction: a statement and the
progress change it records commit or roll back together."""

import uuid

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

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
    now = timezone.now()
    stored = now.replace(microsecond=now.microsecond // 1000 * 1000)  # as serialised
    data = {
        **data,
        "stored": utc_timestamp(stored),
        "authority": authority or platform_authority(),
        "version": XAPI_VERSION,
    }
    account = data["actor"]["account"]
    registration = data.get("context", {}).get("registration")
    row = Statement(
        id=uuid.UUID(data["id"]),
        actor_account_name=account["name"],
        actor_account_home_page=account["homePage"],
        verb=data["verb"]["id"],
        activity_id=data["object"]["id"],
        registration=uuid.UUID(registration) if registration else None,
        timestamp=parse_datetime(data["timestamp"]),
        stored=stored,
        data=data,
    )
    row.save()
    return row
