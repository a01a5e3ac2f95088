"""Forwarding statements to external LRSs through a per-destination outbox.

- `queue_for_forwarding` runs inside the transaction that stores statements: one
  outbox row per (destination, statement), so a statement is never stored
  without its outbox rows, and nothing is lost while a destination or Redis is
  down. After commit it enqueues a drain job (django-rq, queue "xapi"); if Redis
  is unreachable that is only logged: `manage.py forward_statements`, or the
  next statement's job, catches up.
- `drain_destination` (the job) leases a batch (so a killed worker's batch is
  retried once the lease expires), sends it with the backend from
  `settings.XAPI_FORWARD_BACKEND` (tincan by default, under a socket timeout),
  marks it delivered, or backs off exponentially and pauses the destination
  after `XAPI_FORWARD_MAX_FAILURES` consecutive failures.
- Resends are idempotent: statement ids are kept, and a 409 ("already stored")
  counts as delivered.
- A statement the destination refuses for good (400) does not hold back the
  others: the batch is split until the refused ones are found, and those are set
  aside (`OutboxEntry.rejected_at`, listed on the destination's admin page,
  sent again from there) while the rest is delivered.
"""

import json
import logging
import socket
import threading
import time
import uuid
from contextlib import contextmanager
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string

from .lrs.models import Destination, OutboxEntry
from .lrs.versions import for_reader

logger = logging.getLogger(__name__)
QUEUE = "xapi"
# A worker that dies mid-batch leaves its lease; after this the batch is retried.
LEASE = timedelta(minutes=5)


class ForwardingError(Exception):
    """A batch could not be delivered (network error or error answer)."""


# --- queueing (inside the storing transaction) ------------------------------


def queue_for_forwarding(rows) -> None:
    """Add outbox rows for freshly stored statements; enqueue drains on commit."""
    destinations = list(Destination.objects.filter(is_active=True))
    if not destinations:
        return
    entries = [
        OutboxEntry(destination=destination, statement_id=row.id)
        for row in rows
        for destination in destinations
        if destination.accepts(row.data)
    ]
    OutboxEntry.objects.bulk_create(entries, ignore_conflicts=True)
    for destination_id in sorted({entry.destination_id for entry in entries}):
        transaction.on_commit(partial(enqueue_drain, destination_id), robust=True)


def xapi_queue():
    """The RQ queue forwarding jobs go to (tests swap it for a real worker's)."""
    import django_rq

    # We enqueue from our own on_commit callback already: no second deferral.
    return django_rq.get_queue(QUEUE, commit_mode="auto")


# When Redis is unreachable, stop trying for a while: each attempt can block a
# learner's request for the client's connect retries.
REDIS_PAUSE = 30.0
_redis_down_until = 0.0


def enqueue_drain(destination_id: int, *, delay: timedelta | None = None) -> None:
    """Queue a drain job; never raises (Redis down must not fail a learner action)."""
    global _redis_down_until
    if time.monotonic() < _redis_down_until:
        return  # the outbox row waits for forward_statements or a later job
    try:
        queue = xapi_queue()
        if delay and queue.is_async:
            queue.enqueue_in(delay, drain_destination, destination_id)
        elif not delay:
            queue.enqueue(drain_destination, destination_id)
    except Exception:
        # The outbox row waits: log, and let the learner's action succeed.
        _redis_down_until = time.monotonic() + REDIS_PAUSE
        logger.warning("xAPI forwarding: could not enqueue a drain job", exc_info=True)


# --- sending ------------------------------------------------------------------

_timeout_lock = threading.Lock()


@contextmanager
def socket_timeout(seconds: float):
    """tincan opens http.client connections without a timeout: set the default.

    http.client resolves the default timeout when it connects, so it only has to
    be set around the call (a lock keeps threads from racing on it).
    """
    with _timeout_lock:
        previous = socket.getdefaulttimeout()
        socket.setdefaulttimeout(seconds)
        try:
            yield
        finally:
            socket.setdefaulttimeout(previous)


class TinCanBackend:
    """Sends a batch with tincan's RemoteLRS, the JSON exactly as stored."""

    def __init__(self, destination: Destination):
        from tincan import RemoteLRS

        credentials = {}
        if destination.username:
            credentials = {
                "username": destination.username,
                "password": destination.password,
            }
        self.lrs = RemoteLRS(
            endpoint=destination.endpoint, version="1.0.3", **credentials
        )

    @staticmethod
    def _body(payload, statements: list[dict]) -> tuple[str, str]:
        """(content type, body): multipart/mixed when attachments need their content.

        tincan wants a str body and http.client sends str bodies as Latin-1, so
        the bytes travel unchanged as a Latin-1 string.
        """
        from .lrs.models import AttachmentContent
        from .lrs.multipart import build_multipart

        hashes = {
            item["sha2"].lower()
            for statement in statements
            for part in (statement, statement["object"])
            for item in part.get("attachments") or []
            if "fileUrl" not in item
        }
        if not hashes:
            return "application/json", json.dumps(payload)
        parts = [({"Content-Type": "application/json"}, json.dumps(payload).encode())]
        for content in AttachmentContent.objects.filter(sha2__in=hashes):
            headers = {
                "Content-Type": content.content_type or "application/octet-stream",
                "Content-Transfer-Encoding": "binary",
                "X-Experience-API-Hash": content.sha2,
            }
            parts.append((headers, bytes(content.content)))
        boundary = uuid.uuid4().hex
        body = build_multipart(parts, boundary)
        return f'multipart/mixed; boundary="{boundary}"', body.decode("latin-1")

    def _post(self, statements: list[dict]):
        from tincan.http_request import HTTPRequest

        content_type, content = self._body(statements, statements)
        request = HTTPRequest(
            method="POST",
            resource="statements",
            headers={"Content-Type": content_type},
            content=content,
        )
        return self.lrs._send_request(request)

    def send(self, statements: list[dict], *, timeout: float) -> dict[str, str]:
        """Deliver the statements; returns {id: reason} of those the destination
        refused for good (400). Raises ForwardingError when it is worth retrying
        later: an error answer, a network error, or every statement refused
        (then the destination, not the statements, is at fault)."""
        # The destination speaks 1.0.3: a statement stored through xAPI 2.0
        # goes as a 1.0.3 reader of this LRS gets it (lrs/versions.py).
        statements = [for_reader(data, v2=False) for data in statements]
        try:
            with socket_timeout(timeout):
                refused = self._deliver(statements)
        except ForwardingError:
            raise
        except (OSError, ValueError, Exception) as error:
            # http.client raises OSError subclasses, RemoteDisconnected,
            # BadStatusLine...: all mean "try again later".
            raise ForwardingError(f"{type(error).__name__}: {error}") from error
        if len(statements) > 1 and len(refused) == len(statements):
            raise ForwardingError(next(iter(refused.values())))
        return refused

    def _deliver(self, statements: list[dict]) -> dict[str, str]:
        """POST, splitting the batch in halves on 400 or 409 until each refused
        statement is alone. A lone 409 means "already stored": delivered."""
        response = self._post(statements)
        if response.success:
            return {}
        status = response.response.status
        if status not in (400, 409):
            raise ForwardingError(self._describe(response))
        if len(statements) == 1:
            return (
                {} if status == 409 else {statements[0]["id"]: self._describe(response)}
            )
        middle = len(statements) // 2
        return self._deliver(statements[:middle]) | self._deliver(statements[middle:])

    @staticmethod
    def _describe(response) -> str:
        data = response.data
        if isinstance(data, bytes):
            data = data.decode("utf-8", "replace")
        return f"HTTP {response.response.status}: {str(data)[:500]}"


def _backoff(failures: int) -> timedelta:
    seconds = settings.XAPI_FORWARD_BACKOFF * 2 ** max(failures - 1, 0)
    return timedelta(seconds=min(seconds, settings.XAPI_FORWARD_MAX_BACKOFF))


def _lease_batch(destination: Destination) -> list[OutboxEntry]:
    """Claim up to batch_size pending rows that no live worker holds."""
    now = timezone.now()
    with transaction.atomic():
        pending = (
            OutboxEntry.objects.filter(
                destination=destination, delivered_at=None, rejected_at=None
            )
            .filter(Q(leased_until=None) | Q(leased_until__lt=now))
            .order_by("id")
        )
        if connection_supports_skip_locked():
            pending = pending.select_for_update(skip_locked=True)
        ids = list(pending.values_list("id", flat=True)[: destination.batch_size])
        if not ids:
            return []
        OutboxEntry.objects.filter(id__in=ids).update(leased_until=now + LEASE)
    return list(
        OutboxEntry.objects.filter(id__in=ids)
        .select_related("statement")
        .order_by("id")
    )


def connection_supports_skip_locked() -> bool:
    from django.db import connection

    return connection.features.has_select_for_update_skip_locked


def drain_destination(destination_id: int, *, max_batches: int | None = None) -> int:
    """Send a destination's pending statements in batches; returns how many arrived.

    Stops at the first failure (and schedules a retry with backoff), when the
    outbox is empty, or after `max_batches`.
    """
    destination = Destination.objects.filter(pk=destination_id).first()
    if destination is None or not destination.is_active or destination.paused:
        return 0
    now = timezone.now()
    if destination.next_attempt_at and destination.next_attempt_at > now:
        return 0
    backend = import_string(settings.XAPI_FORWARD_BACKEND)(destination)
    delivered = batches = 0
    while max_batches is None or batches < max_batches:
        batch = _lease_batch(destination)
        if not batch:
            break
        batches += 1
        try:
            refused = backend.send(
                [entry.statement.data for entry in batch],
                timeout=settings.XAPI_FORWARD_TIMEOUT,
            )
        except ForwardingError as error:
            _record_failure(destination, batch, str(error))
            return delivered
        now = timezone.now()
        if refused:
            batch = _set_aside(batch, refused, now)
        # Only rows still undelivered count: a retried batch is counted once.
        delivered += OutboxEntry.objects.filter(
            id__in=[entry.id for entry in batch], delivered_at=None
        ).update(delivered_at=now, leased_until=None)
        Destination.objects.filter(pk=destination.pk).update(
            failure_count=0,
            last_attempt_at=now,
            last_success_at=now,
            next_attempt_at=None,
        )
    return delivered


def _set_aside(batch: list[OutboxEntry], refused: dict, now) -> list[OutboxEntry]:
    """Set aside the refused entries (each with its reason); the others remain."""
    kept, aside = [], []
    for entry in batch:
        reason = refused.get(str(entry.statement_id))
        if reason is None:
            kept.append(entry)
            continue
        entry.rejected_at, entry.rejection = now, reason[:2000]
        entry.attempts += 1
        entry.leased_until = None
        aside.append(entry)
        logger.warning(
            "xAPI forwarding to destination %s: statement %s set aside (%s)",
            entry.destination_id,
            entry.statement_id,
            reason,
        )
    OutboxEntry.objects.bulk_update(
        aside, ["rejected_at", "rejection", "attempts", "leased_until"]
    )
    return kept


def retry_set_aside(destination: Destination) -> int:
    """Put a destination's set-aside statements back in its outbox; returns how many."""
    count = OutboxEntry.objects.filter(
        destination=destination, rejected_at__isnull=False
    ).update(rejected_at=None, rejection="", leased_until=None)
    if count:
        transaction.on_commit(partial(enqueue_drain, destination.pk), robust=True)
    return count


def _record_failure(destination: Destination, batch, message: str) -> None:
    now = timezone.now()
    failures = destination.failure_count + 1
    delay = _backoff(failures)
    paused = failures >= settings.XAPI_FORWARD_MAX_FAILURES
    OutboxEntry.objects.filter(id__in=[entry.id for entry in batch]).update(
        leased_until=None
    )
    for entry in batch:
        entry.attempts += 1
    OutboxEntry.objects.bulk_update(batch, ["attempts"])
    Destination.objects.filter(pk=destination.pk).update(
        failure_count=failures,
        last_error=message[:2000],
        last_attempt_at=now,
        next_attempt_at=now + delay,
        paused=paused,
    )
    logger.warning(
        "xAPI forwarding to %s failed (%s), retry in %s%s",
        destination,
        message,
        delay,
        ", destination paused" if paused else "",
    )
    if not paused:
        enqueue_drain(destination.pk, delay=delay)


def drain_all(*, force: bool = False) -> dict[str, int]:
    """Drain every active destination now (force: ignore backoff and pauses)."""
    results = {}
    for destination in Destination.objects.filter(is_active=True):
        if force:
            Destination.objects.filter(pk=destination.pk).update(
                next_attempt_at=None, paused=False
            )
        results[destination.name] = drain_destination(destination.pk)
    return results
