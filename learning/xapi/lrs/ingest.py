"""Writing statements: rows, index rows, canonical activities, attachments, outbox.

`store_statements` stores a batch that came through the HTTP API with a
constant number of queries whatever its size (bulk inserts, no per-statement
loop). `index_statements` is shared with `learning.xapi.store.store_statement`
(the platform's own statements), so both paths feed the same filters and the
forwarding outbox. Callers hold the transaction.
"""

import json
import re
import uuid
from datetime import UTC, datetime
from decimal import ROUND_DOWN, Decimal

from django.conf import settings
from django.db import connections, router, transaction
from django.utils import timezone

from ..models import Statement
from .models import Activity, AttachmentContent, StatementRelation, key_of
from .validation import (
    SIGNATURE_USAGE,
    TIMESTAMP_RE,
    UUID_RE,
    VOIDED,
    XAPIValidationError,
    ifis_of,
)
from .validation import timestamp as parse_timestamp

XAPI_VERSION = "1.0.3"


class StatementConflict(Exception):
    """A statement id is already stored with different content (409)."""


class VoidingForbidden(Exception):
    """A client tried to void statements of another authority (403): the
    platform's own records (progress, certificates) or another client's."""


def utc_timestamp(when: datetime) -> str:
    return (
        when.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    )


def now_ms() -> datetime:
    now = timezone.now()
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


# --- identities -------------------------------------------------------------


def agent_ifi(agent: dict) -> str | None:
    """A canonical string for an Agent's or identified Group's IFI."""
    if not isinstance(agent, dict):
        return None
    if "mbox" in agent:
        return f"mbox:{agent['mbox']}"
    if "mbox_sha1sum" in agent:
        return f"mbox_sha1sum:{str(agent['mbox_sha1sum']).lower()}"
    if "openid" in agent:
        return f"openid:{agent['openid']}"
    account = agent.get("account")
    if isinstance(account, dict):
        return f"account:{account.get('homePage')} {account.get('name')}"
    return None


def agent_keys(agent: dict) -> list[str]:
    """Keys of an agent, or of a group and its members."""
    if not isinstance(agent, dict):
        return []
    keys = []
    ifi = agent_ifi(agent)
    if ifi:
        keys.append(key_of(ifi))
    if agent.get("objectType") == "Group":
        for member in agent.get("member") or []:
            keys += agent_keys(member)
    return keys


def _activities_of(context: dict) -> list[dict]:
    found = []
    for items in (context.get("contextActivities") or {}).values():
        found += items if isinstance(items, list) else [items]
    return found


def relations(data: dict) -> dict[tuple[int, str], bool]:
    """(kind, key) -> direct, for every agent and activity a statement mentions."""
    found: dict[tuple[int, str], bool] = {}

    def add(kind, key, direct):
        found[(kind, key)] = found.get((kind, key), False) or direct

    def add_agent(agent, direct):
        for key in agent_keys(agent):
            add(StatementRelation.AGENT, key, direct)

    def add_part(part, direct):
        add_agent(part.get("actor"), direct)
        obj = part.get("object") or {}
        kind = obj.get("objectType", "Activity")
        if kind in ("Agent", "Group"):
            add_agent(obj, direct)
        elif kind == "Activity":
            add(StatementRelation.ACTIVITY, key_of(obj["id"]), direct)
        context = part.get("context") or {}
        add_agent(context.get("instructor"), False)
        add_agent(context.get("team"), False)
        # xAPI 2.0: related_agents also matches context agents and groups.
        for item in context.get("contextAgents") or []:
            add_agent(item.get("agent"), False)
        for item in context.get("contextGroups") or []:
            add_agent(item.get("group"), False)
        for item in _activities_of(context):
            add(StatementRelation.ACTIVITY, key_of(item["id"]), False)
        if kind == "SubStatement":
            add_part(obj, False)

    add_part(data, True)
    add_agent(data.get("authority"), False)
    add(StatementRelation.VERB, key_of(data["verb"]["id"]), True)
    registration = (data.get("context") or {}).get("registration")
    if registration:
        add(StatementRelation.REGISTRATION, key_of(registration.lower()), True)
    return found


def relation_items(statements: list[tuple], relation_model=StatementRelation) -> list:
    """(statement id, kind, key, direct) index rows for (id, data) pairs.

    A targeting statement (StatementRef) inherits its target's rows (one query
    for the whole batch; targets in the same batch come from memory), so it
    matches whatever its target matches, recursively since the target
    inherited too.
    """
    own = {str(pk): relations(data) for pk, data in statements}
    targets = {
        str(pk): str(data["object"]["id"]).lower()
        for pk, data in statements
        if data["object"].get("objectType") == "StatementRef"
    }
    inherited: dict[str, dict] = {}
    outside = set(targets.values()) - set(own)
    if outside:
        for statement_id, kind, key, direct in relation_model.objects.filter(
            statement_id__in=outside
        ).values_list("statement_id", "kind", "key", "direct"):
            found = inherited.setdefault(str(statement_id), {})
            found[(kind, key)] = found.get((kind, key), False) or direct
    for pk, _data in statements:  # in order: earlier batch members first
        target = targets.get(str(pk))
        source = own.get(target) or inherited.get(target) or {}
        for item, direct in source.items():
            own[str(pk)][item] = own[str(pk)].get(item, False) or direct
    return [
        (pk, kind, key, direct)
        for pk, _data in statements
        for (kind, key), direct in own[str(pk)].items()
    ]


def relation_rows(statements: list[tuple], relation_model=StatementRelation) -> list:
    """relation_items as (unsaved) model instances."""
    return [
        relation_model(statement_id=pk, kind=kind, key=key, direct=direct)
        for pk, kind, key, direct in relation_items(statements, relation_model)
    ]


def _json_value(value):
    if isinstance(value, datetime):
        return value.isoformat()  # always aware here: full precision and offset
    return str(value)  # UUIDs


def insert_json_rows(model, rows: list[dict]) -> None:
    """INSERT rows ({column: value}) on PostgreSQL as one JSON parameter.

    `json_populate_recordset` types each value by the table's own columns.
    bulk_create binds one array per column, and psycopg's client-side binding
    quotes the elements of those arrays in Python (the statements' JSON above
    all): that cost more than everything else in storing a batch.
    """
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)  # names from the model; data as a parameter
    columns = ", ".join(quote(name) for name in rows[0])
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({columns}) SELECT {columns} "  # noqa: S608
            f"FROM json_populate_recordset(NULL::{table}, %s::json)",
            [json.dumps(rows, default=_json_value)],
        )


def _insert_relations(items: list[tuple], stored: dict) -> None:
    """INSERT the index rows, with each statement's `stored`.

    Never through model instances: six rows a statement made Django's
    per-field preparation the costliest part of storing a batch. PostgreSQL
    takes them as one JSON parameter; elsewhere multi-row VALUES, the fields
    preparing the values.
    """
    if not items:
        return
    connection = connections[router.db_for_write(StatementRelation)]
    if connection.vendor == "postgresql":
        insert_json_rows(
            StatementRelation,
            [
                {
                    "statement_id": pk,
                    "kind": kind,
                    "key": key,
                    "direct": direct,
                    "stored": stored[pk],
                }
                for pk, kind, key, direct in items
            ],
        )
        return
    meta = StatementRelation._meta
    fields = [
        meta.get_field(name)
        for name in ("statement", "kind", "key", "direct", "stored")
    ]
    quote = connection.ops.quote_name
    # Table and column names come from the model; values are parameters.
    names = ", ".join(quote(field.column) for field in fields)
    head = f"INSERT INTO {quote(meta.db_table)} ({names}) VALUES "  # noqa: S608
    ids = {pk: fields[0].get_db_prep_save(pk, connection) for pk in stored}
    times = {pk: fields[4].get_db_prep_save(t, connection) for pk, t in stored.items()}
    size = connection.ops.bulk_batch_size(fields, items) or len(items)
    with connection.cursor() as cursor:
        for start in range(0, len(items), size):
            chunk = items[start : start + size]
            params = []
            for pk, kind, key, direct in chunk:
                params += (ids[pk], kind, key, direct, times[pk])
            values = ", ".join(["(%s, %s, %s, %s, %s)"] * len(chunk))
            cursor.execute(head + values, params)


def insert_statements(rows: list[Statement]) -> None:
    """Statement.objects.bulk_create(rows), cheaper on PostgreSQL."""
    connection = connections[router.db_for_write(Statement)]
    if connection.vendor != "postgresql" or not rows:
        Statement.objects.bulk_create(rows)
        return
    fields = Statement._meta.concrete_fields
    insert_json_rows(
        Statement,
        [
            {field.column: getattr(row, field.attname) for field in fields}
            for row in rows
        ],
    )


# --- comparison (xAPI 1.0.3 Part Two 2.3: immutability and its exceptions) ----

IGNORED = {"stored", "authority", "version"}


def _canonical(value, key=None):
    if isinstance(value, dict):
        if key in ("display", "name", "description") and all(
            isinstance(v, str) for v in value.values()
        ):
            return {k.lower(): v for k, v in value.items()}
        return {k: _canonical(v, k) for k, v in value.items()}
    if isinstance(value, list):
        items = [_canonical(v) for v in value]
        if key in ("member",):
            items.sort(key=lambda item: json.dumps(item, sort_keys=True))
        return items
    if isinstance(value, str):
        if key == "timestamp" and TIMESTAMP_RE.match(value):
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
            if parsed.tzinfo is None:
                parsed = parsed.replace(tzinfo=UTC)
            return parsed.astimezone(UTC).isoformat()
        if key == "duration":
            return _duration_to_hundredths(value)
        if UUID_RE.match(value):
            return value.lower()
    return value


SECONDS_RE = re.compile(r"(\d+(?:\.\d+)?)S$")


def _duration_to_hundredths(value: str) -> str:
    """Durations compare to 0.01 s: finer precision is ignored (Part Two 4.6)."""
    match = SECONDS_RE.search(value)
    if not match:
        return value
    seconds = Decimal(match.group(1)).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
    return f"{value[: match.start()]}{seconds.normalize():f}S"


def same_statement(a: dict, b: dict) -> bool:
    """Whether two statements are the same one, by the spec's comparison rules."""
    ignored = set(IGNORED)
    if "timestamp" not in a or "timestamp" not in b:
        ignored.add("timestamp")  # the LRS filled it in from `stored`
    a, b = ({k: v for k, v in d.items() if k not in ignored} for d in (a, b))
    return _canonical(a) == _canonical(b)


# --- rows ---------------------------------------------------------------------


def build_row(data: dict, *, client=None, stored: datetime) -> Statement:
    actor = data["actor"]
    account = actor.get("account") if isinstance(actor.get("account"), dict) else {}
    obj = data["object"]
    registration = (data.get("context") or {}).get("registration")
    voids = None
    if data["verb"]["id"] == VOIDED and obj.get("objectType") == "StatementRef":
        voids = uuid.UUID(obj["id"])
    return Statement(
        id=uuid.UUID(data["id"]),
        actor_account_name=str(account.get("name", ""))[:100],
        actor_account_home_page=str(account.get("homePage", ""))[:200],
        verb=data["verb"]["id"],
        activity_id=obj["id"]
        if obj.get("objectType", "Activity") == "Activity"
        else "",
        registration=uuid.UUID(registration) if registration else None,
        timestamp=parse_timestamp(data["timestamp"], "timestamp"),  # naive = UTC
        stored=stored,
        data=data,
        voids=voids,
        client=client,
    )


def _merged(old: dict, new: dict) -> dict:
    merged = dict(old)
    for key, value in new.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    return merged


def update_activities(rows: list[Statement], activity_model=Activity) -> None:
    """Keep the canonical definition of every activity the statements define."""
    definitions: dict[str, tuple[str, dict]] = {}

    def collect(activity):
        if (
            not isinstance(activity, dict)
            or activity.get("objectType", "Activity") != "Activity"
        ):
            return
        key = key_of(activity["id"])
        old = definitions.get(key, (activity["id"], {}))[1]
        definitions[key] = (
            activity["id"],
            _merged(old, activity.get("definition") or {}),
        )

    for row in rows:
        parts = [row.data]
        if row.data["object"].get("objectType") == "SubStatement":
            parts.append(row.data["object"])
        for part in parts:
            collect(part["object"])
            for item in _activities_of(part.get("context") or {}):
                collect(item)
    if not definitions:
        return
    existing = {a.key: a for a in activity_model.objects.filter(key__in=definitions)}
    changed = []
    for key, (_iri, definition) in definitions.items():
        current = existing.get(key)
        if current is None:
            continue
        merged = _merged(current.definition, definition)
        if merged != current.definition:
            current.definition = merged
            changed.append(current)
    activity_model.objects.bulk_create(
        [
            activity_model(key=key, iri=iri, definition=definition)
            for key, (iri, definition) in definitions.items()
            if key not in existing
        ],
        ignore_conflicts=True,
    )
    if changed:
        activity_model.objects.bulk_update(changed, ["definition"])


def index_statements(rows: list[Statement]) -> None:
    """Index rows, canonical activities and forwarding for freshly stored rows."""
    from ..forwarding import queue_for_forwarding

    _insert_relations(
        relation_items([(row.id, row.data) for row in rows]),
        {row.id: row.stored for row in rows},
    )
    update_activities(rows)
    queue_for_forwarding(rows)


def _required_hashes(data: dict) -> set[str]:
    hashes = set()
    for part in (data, data["object"]):
        for item in part.get("attachments") or []:
            if "fileUrl" not in item:
                hashes.add(item["sha2"].lower())
    return hashes


def store_statements(
    statements: list[dict],
    *,
    client=None,
    authority: dict | None = None,
    attachments: dict[str, tuple[str, bytes]] | None = None,
    version: str = "1.0.0",
) -> list[str]:
    """Store validated, normalised statements; returns their ids in order.

    Raises XAPIValidationError (400) or StatementConflict (409); already stored
    identical statements are skipped (no-op).
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("store_statements must run inside transaction.atomic()")
    attachments = attachments or {}
    ids = [data["id"] for data in statements]
    if len(set(ids)) != len(ids):
        raise XAPIValidationError("statements: the same id appears twice in the batch")
    existing = dict(Statement.objects.filter(id__in=ids).values_list("id", "data"))
    existing = {str(key): value for key, value in existing.items()}
    new = []
    for data in statements:
        if data["id"] in existing:
            if not same_statement(existing[data["id"]], data):
                raise StatementConflict(data["id"])
        else:
            new.append(data)
    # Voiding a voiding statement is refused, whether stored or in this batch;
    # and a client voids only statements it stored itself (one query for both).
    targets = {
        data["object"]["id"].lower() for data in new if data["verb"]["id"] == VOIDED
    }
    if targets:
        voiding = {data["id"] for data in new if data["verb"]["id"] == VOIDED}
        stored_targets = Statement.objects.filter(id__in=targets).values_list(
            "id", "voids", "client_id"
        )
        foreign = set()
        for pk, voids, client_id in stored_targets:
            if voids is not None:
                voiding.add(str(pk))
            if client is not None and client_id != client.pk:
                foreign.add(str(pk))
        if targets & voiding:
            raise XAPIValidationError(
                "object.id: a voiding statement cannot itself be voided"
            )
        if foreign:
            raise VoidingForbidden(", ".join(sorted(foreign)))
    missing = set()
    for data in new:
        missing |= _required_hashes(data)
    missing -= {sha2.lower() for sha2 in attachments}
    if missing:
        raise XAPIValidationError(
            "attachments: no content was sent for sha2 " + ", ".join(sorted(missing))
        )
    if not new:
        return ids
    stored = now_ms()
    stored_text = utc_timestamp(stored)
    authority = authority or (client.authority if client else site_authority())
    rows = []
    for data in new:
        data = {
            **data,
            "timestamp": data.get("timestamp") or stored_text,
            "stored": stored_text,
            "authority": authority,
            # Kept as sent; else the request's version (Part Two 2.4.10).
            "version": data.get("version") or version,
        }
        rows.append(build_row(data, client=client, stored=stored))
    insert_statements(rows)
    index_statements(rows)
    if client is not None:
        from .trust import apply_trusted  # learning's projection imports this module

        apply_trusted(rows, client)
    if attachments:
        AttachmentContent.objects.bulk_create(
            [
                AttachmentContent(
                    sha2=sha2.lower(), content_type=ctype, content=content
                )
                for sha2, (ctype, content) in attachments.items()
            ],
            ignore_conflicts=True,
        )
    return ids


def signature_attachments(data: dict) -> list[dict]:
    return [
        item
        for item in data.get("attachments") or []
        if item.get("usageType") == SIGNATURE_USAGE
    ]


def has_ifi(agent: dict) -> bool:
    return bool(ifis_of(agent))


def site_authority() -> dict:
    return {
        "objectType": "Agent",
        "account": {"homePage": settings.SITE_BASE_URL, "name": "atelier-platform"},
    }
