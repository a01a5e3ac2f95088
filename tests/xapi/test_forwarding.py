"""Forwarding to external LRSs through the outbox, against a real local HTTP server.

With REDIS_URL set, drain jobs go through real Redis and are run by an rq
SimpleWorker in this process; without it they run synchronously.
"""

import os
import uuid
from datetime import timedelta

from django.core.management import call_command
from django.utils import timezone

import pytest

from learning.xapi import forwarding
from learning.xapi.lrs.models import Destination, OutboxEntry
from tests.xapi.conftest import statement
from tests.xapi.fake_lrs import FakeLRS

REDIS_URL = os.environ.get("REDIS_URL", "")


@pytest.fixture
def fake_lrs():
    fake = FakeLRS().start()
    yield fake
    fake.stop()


@pytest.fixture(autouse=True)
def fast_forwarding(settings, monkeypatch):
    monkeypatch.setattr(forwarding, "_redis_down_until", 0.0)
    settings.XAPI_FORWARD_TIMEOUT = 0.5
    settings.XAPI_FORWARD_BACKOFF = 10
    settings.XAPI_FORWARD_MAX_FAILURES = 5


class RealWorker:
    """A real RQ queue on Redis, drained by an in-process SimpleWorker."""

    def __init__(self):
        from redis import Redis
        from rq import Queue

        self.connection = Redis.from_url(REDIS_URL)
        self.queue = Queue(
            f"xapi-test-{uuid.uuid4().hex[:8]}", connection=self.connection
        )

    def run(self):
        from rq import SimpleWorker

        SimpleWorker([self.queue], connection=self.connection).work(burst=True)

    def close(self):
        self.queue.empty()
        self.queue.delete()


@pytest.fixture
def worker(monkeypatch):
    """Run drain jobs: a real worker on Redis when REDIS_URL is set, else in-line."""
    if not REDIS_URL:

        class Inline:
            def run(self):
                pass  # the synchronous queue already ran the jobs

        yield Inline()
        return
    real = RealWorker()
    monkeypatch.setattr(forwarding, "xapi_queue", lambda: real.queue)
    yield real
    real.close()


@pytest.fixture
def destination(db, fake_lrs):
    return Destination.objects.create(
        name="ralph",
        endpoint=fake_lrs.url,
        username="atelier",
        password="s3cret",
        batch_size=3,
    )


def store(lrs, django_capture_on_commit_callbacks, count=1, **overrides):
    batch = [statement(**overrides) for _ in range(count)]
    with django_capture_on_commit_callbacks(execute=True):
        assert lrs.post(batch).status_code == 200
    return [s["id"] for s in batch]


def pending(destination):
    return OutboxEntry.objects.filter(
        destination=destination, delivered_at=None
    ).count()


def retry_now(destination):
    Destination.objects.filter(pk=destination.pk).update(next_attempt_at=None)


def test_forwarding_sends_batches_and_marks_delivered(
    lrs, destination, fake_lrs, worker, django_capture_on_commit_callbacks
):
    """Stored statements reach the destination in batches, with its credentials."""
    ids = store(lrs, django_capture_on_commit_callbacks, count=7)
    worker.run()
    assert set(fake_lrs.stored) == set(ids) and sorted(fake_lrs.deliveries) == sorted(
        ids
    )
    assert fake_lrs.requests == 3  # batches of 3, 3 and 1
    assert fake_lrs.auth[0].startswith("Basic ")
    assert pending(destination) == 0
    sent = fake_lrs.stored[ids[0]]
    assert sent["stored"] and sent["authority"]  # the JSON exactly as stored


def test_learner_statements_are_queued_in_the_same_transaction(
    destination,
    learner,
    course,
    lessons,
    fake_lrs,
    worker,
    django_capture_on_commit_callbacks,
):
    """A learner action queues its statement in the outbox and forwards it."""
    from learning.progress import complete_lesson, enrol

    with django_capture_on_commit_callbacks(execute=True):
        enrollment = enrol(learner, course)
        complete_lesson(enrollment, lessons[0])
    worker.run()
    assert len(fake_lrs.stored) == 2 and pending(destination) == 0


def test_destination_filter_by_verb_and_activity(
    lrs, destination, fake_lrs, django_capture_on_commit_callbacks
):
    destination.verbs = ["http://adlnet.gov/expapi/verbs/completed"]
    destination.activity_prefixes = ["http://example.org/activities/"]
    destination.save()
    completed = {"id": "http://adlnet.gov/expapi/verbs/completed"}
    store(lrs, django_capture_on_commit_callbacks)  # verb "experienced": not forwarded
    store(
        lrs,
        django_capture_on_commit_callbacks,
        verb=completed,
        object={"id": "http://other.org/x"},
    )
    wanted = store(lrs, django_capture_on_commit_callbacks, verb=completed)
    assert OutboxEntry.objects.count() == 1
    assert list(fake_lrs.stored) == wanted


def test_destination_down_then_back_loses_nothing(
    lrs, destination, fake_lrs, worker, django_capture_on_commit_callbacks
):
    """While the destination is down the outbox waits; afterwards all arrive once."""
    fake_lrs.stop()
    ids = store(lrs, django_capture_on_commit_callbacks, count=4)
    worker.run()
    destination.refresh_from_db()
    assert pending(destination) == 4 and destination.failure_count == 1
    assert "Connection" in destination.last_error or "Errno" in destination.last_error
    more = store(lrs, django_capture_on_commit_callbacks, count=2)  # still backing off
    worker.run()
    destination.refresh_from_db()
    assert destination.failure_count == 1 and pending(destination) == 6
    fake_lrs.start()  # back, on the same port
    retry_now(destination)
    call_command("forward_statements", stdout=open(os.devnull, "w"))
    assert sorted(fake_lrs.deliveries) == sorted(ids + more)
    assert pending(destination) == 0


@pytest.mark.parametrize("mode", ["500", "timeout", "close"])
def test_faulty_destination_backs_off_without_loss(
    lrs, destination, fake_lrs, worker, mode, django_capture_on_commit_callbacks
):
    """500s, timeouts and dropped connections: exponential backoff, then delivery."""
    fake_lrs.mode = mode
    fake_lrs.delay = 1.5
    ids = store(lrs, django_capture_on_commit_callbacks, count=2)
    worker.run()
    delays = []
    for _ in range(2):
        destination.refresh_from_db()
        delays.append(destination.next_attempt_at - destination.last_attempt_at)
        retry_now(destination)
        forwarding.drain_destination(destination.pk)
    destination.refresh_from_db()
    assert destination.failure_count == 3 and pending(destination) == 2
    assert delays == [timedelta(seconds=10), timedelta(seconds=20)]
    assert OutboxEntry.objects.filter(attempts=3).count() == 2
    fake_lrs.mode = "ok"
    retry_now(destination)
    assert forwarding.drain_destination(destination.pk) == 2
    destination.refresh_from_db()
    assert destination.failure_count == 0 and pending(destination) == 0
    assert set(fake_lrs.stored) == set(ids)
    if mode == "timeout":  # the slow answer may have stored them: still once each
        assert len(fake_lrs.stored) == 2


def test_conflict_or_same_statement_counts_as_delivered(
    lrs, destination, fake_lrs, django_capture_on_commit_callbacks
):
    """Ids the destination already has (same or other content) count as delivered."""
    fake_lrs.stop()
    ids = store(lrs, django_capture_on_commit_callbacks, count=3)
    fake_lrs.stored[ids[0]] = {"id": ids[0], "other": "content"}
    fake_lrs.start()
    retry_now(destination)
    assert forwarding.drain_destination(destination.pk) == 3
    assert pending(destination) == 0 and set(fake_lrs.stored) == set(ids)


def test_destination_paused_after_repeated_failures(
    lrs, destination, fake_lrs, settings, django_capture_on_commit_callbacks
):
    """After N failures the destination pauses; admins see why, and the backlog."""
    settings.XAPI_FORWARD_MAX_FAILURES = 2
    fake_lrs.mode = "500"
    store(lrs, django_capture_on_commit_callbacks, count=2)
    retry_now(destination)
    forwarding.drain_destination(destination.pk)
    health = Destination.objects.with_health().get(pk=destination.pk)
    assert health.paused and "HTTP 500" in health.last_error
    assert health.backlog == 2 and health.oldest_pending <= timezone.now()
    fake_lrs.mode = "ok"
    assert forwarding.drain_destination(destination.pk) == 0  # paused: nothing sent
    forwarding.drain_all(force=True)  # what unticking "paused" in the admin allows
    assert pending(destination) == 0


class Killed(BaseException):
    """The worker process dying (not an error the job could handle)."""


def test_worker_killed_mid_batch_is_retried_without_duplicates(
    lrs,
    destination,
    fake_lrs,
    worker,
    monkeypatch,
    settings,
    django_capture_on_commit_callbacks,
):
    """A batch sent but not marked delivered is resent after its lease; counted once."""
    settings.XAPI_FORWARD_BACKEND = "tests.xapi.test_forwarding.DyingBackend"
    DyingBackend.die_after_sending = True
    ids = store(lrs, django_capture_on_commit_callbacks, count=5)
    worker.run()  # the job (real worker, or in-line) dies mid-batch: it fails
    assert pending(destination) == 5 and len(fake_lrs.stored) == 3  # sent, not marked
    DyingBackend.die_after_sending = False
    retry_now(destination)
    assert (
        forwarding.drain_destination(destination.pk) == 2
    )  # the first batch is leased
    OutboxEntry.objects.update(leased_until=timezone.now() - timedelta(seconds=1))
    assert forwarding.drain_destination(destination.pk) == 3  # lease expired: resent
    assert pending(destination) == 0
    assert sorted(fake_lrs.stored) == sorted(ids)  # the destination has each id once
    assert OutboxEntry.objects.filter(delivered_at__isnull=False).count() == 5


class DyingBackend(forwarding.TinCanBackend):
    die_after_sending = False

    def send(self, statements, *, timeout):
        super().send(statements, timeout=timeout)
        if self.die_after_sending:
            raise Killed


def test_redis_down_when_a_learner_completes_a_lesson(
    destination, learner, course, lessons, fake_lrs, worker, monkeypatch,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    """The learner's action succeeds with Redis down; forwarding catches up later."""
    from redis import Redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry
    from rq import Queue

    from learning.progress import complete_lesson, enrol

    down = Queue(
        "xapi",
        connection=Redis(
            host="127.0.0.1",
            port=1,
            socket_connect_timeout=0.2,
            retry=Retry(NoBackoff(), 0),
        ),
    )
    with monkeypatch.context() as patch:
        patch.setattr(forwarding, "xapi_queue", lambda: down)
        with django_capture_on_commit_callbacks(execute=True):
            enrollment = enrol(learner, course)
            progress = complete_lesson(enrollment, lessons[0])
    assert progress.completed_at is not None
    assert pending(destination) == 2 and not fake_lrs.stored
    assert forwarding._redis_down_until > 0  # later enqueues skip Redis a while
    monkeypatch.setattr(forwarding, "_redis_down_until", 0.0)
    # Redis is back: the next statement's job (or forward_statements) catches up.
    forwarding.enqueue_drain(destination.pk)
    worker.run()
    assert len(fake_lrs.stored) == 2 and pending(destination) == 0


def test_attachments_are_forwarded_with_their_content(
    lrs, destination, fake_lrs, worker, django_capture_on_commit_callbacks
):
    """A statement with attachments travels as multipart/mixed, bytes unchanged."""
    from tests.xapi.test_lrs_attachments import CONTENT, SHA, attachment, multipart

    data = statement(attachments=[attachment()])
    body, ctype = multipart(data, [(SHA, CONTENT)])
    with django_capture_on_commit_callbacks(execute=True):
        assert lrs.post(body, content_type=ctype).status_code == 200
    worker.run()
    assert list(fake_lrs.stored) == [data["id"]]
    assert fake_lrs.attachments == {SHA: CONTENT}


def test_statements_stored_through_xapi_2_are_forwarded_as_1_0_3(
    lrs, destination, fake_lrs, worker, django_capture_on_commit_callbacks
):
    """The destination speaks 1.0.3: context agents are left out, version 1.0.0,
    exactly as a 1.0.3 reader of this LRS gets the statement."""
    agents = [{"objectType": "contextAgent", "agent": {"mbox": "mailto:c@x.org"}}]
    data = statement(context={"contextAgents": agents, "language": "en"})
    lrs.headers["HTTP_X_EXPERIENCE_API_VERSION"] = "2.0.0"
    with django_capture_on_commit_callbacks(execute=True):
        assert lrs.post(data).status_code == 200
    worker.run()
    sent = fake_lrs.stored[data["id"]]
    assert sent["context"] == {"language": "en"} and sent["version"] == "1.0.0"
    lrs.headers["HTTP_X_EXPERIENCE_API_VERSION"] = "1.0.3"
    assert lrs.get(statementId=data["id"]).json() == sent


def test_a_refused_statement_is_set_aside_and_the_rest_flow(
    lrs, destination, fake_lrs, settings, django_capture_on_commit_callbacks
):
    """One statement the destination refuses (400) no longer holds back its batch
    nor pauses the destination: it is set aside with the reason, the rest arrive."""
    settings.XAPI_FORWARD_MAX_FAILURES = 2
    ids = store(lrs, django_capture_on_commit_callbacks, count=7)
    fake_lrs.refuse = {ids[1]}
    retry_now(destination)
    fake_lrs.stored.clear()
    OutboxEntry.objects.update(delivered_at=None)
    for _ in range(3):  # more drains than the failures that used to pause it
        forwarding.drain_destination(destination.pk)
    assert set(fake_lrs.stored) == set(ids) - {ids[1]}
    aside = OutboxEntry.objects.get(rejected_at__isnull=False)
    assert str(aside.statement_id) == ids[1] and "HTTP 400" in aside.rejection
    health = Destination.objects.with_health().get(pk=destination.pk)
    assert not health.paused and health.failure_count == 0
    assert health.backlog is None and health.set_aside == 1
    requests = fake_lrs.requests
    forwarding.drain_destination(destination.pk)
    assert fake_lrs.requests == requests  # set aside: not sent again by itself


def test_set_aside_statements_are_sent_again_from_the_admin(
    lrs, admin_client, destination, fake_lrs, django_capture_on_commit_callbacks
):
    """The destination's admin page lists them; ticking the box sends them again."""
    from django.urls import reverse

    from tests.xapi.test_admin_and_commands import _destination_form

    batch = [statement() for _ in range(4)]
    refused = batch[0]["id"]
    fake_lrs.refuse = {refused}
    with django_capture_on_commit_callbacks(execute=True):
        assert lrs.post(batch).status_code == 200
    assert OutboxEntry.objects.filter(rejected_at__isnull=False).count() == 1
    url = reverse("destination:edit", args=[destination.pk])
    page = admin_client.get(url).content.decode()
    assert refused in page and "HTTP 400" in page
    index = admin_client.get(reverse("destination:index")).content.decode()
    assert "mises de côté" in index  # the column, in French
    fake_lrs.refuse = set()  # fixed at the destination
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            url, _destination_form(destination, retry_set_aside="on")
        )
    assert response.status_code == 302
    assert refused in fake_lrs.stored
    assert pending(destination) == 0
    assert not OutboxEntry.objects.filter(rejected_at__isnull=False).exists()


def test_every_statement_refused_is_the_destinations_fault(
    lrs, destination, fake_lrs, django_capture_on_commit_callbacks
):
    """A destination refusing a whole batch statement by statement is failing (a
    misconfiguration): it backs off as before, nothing is set aside."""
    ids = store(lrs, django_capture_on_commit_callbacks, count=3)
    fake_lrs.refuse = set(ids)
    fake_lrs.stored.clear()
    OutboxEntry.objects.update(delivered_at=None)
    retry_now(destination)
    forwarding.drain_destination(destination.pk)
    destination.refresh_from_db()
    assert destination.failure_count == 1 and "HTTP 400" in destination.last_error
    assert not OutboxEntry.objects.filter(rejected_at__isnull=False).exists()
    assert pending(destination) == 3
