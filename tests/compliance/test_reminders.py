"""Reminders: who gets one, in their language, once per window — also via a worker."""

import os
from datetime import date

from django.core.management import call_command

import pytest
import time_machine
from rq import Queue, SimpleWorker

from learning.compliance.models import Digest, MembershipRole, Reminder
from learning.compliance.reminders import (
    enqueue_daily_job,
    send_digests,
    send_reminders,
)

from .conftest import at, certify, enrol, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(requirement, snds_course, units):
    """One of each reminded status, one compliant, one in progress."""
    p = {
        "expiring": member(units["lab_a"], username="exp", preferred_language="en"),
        "expired": member(units["lab_a"], username="old"),
        "due": member(units["team"], username="new", joined=date(2026, 3, 1)),
        "overdue": member(units["lab_b"], username="late"),
        "compliant": member(units["lab_b"], username="good"),
        "in_progress": member(units["lab_b"], username="busy", joined=date(2026, 3, 1)),
    }
    certify(p["expiring"], snds_course, on=date(2025, 4, 1))
    certify(p["expired"], snds_course, on=date(2025, 1, 1))
    certify(p["compliant"], snds_course, on=date(2026, 1, 1))
    enrol(p["in_progress"], snds_course, on=date(2026, 3, 2))
    return p


TODAY = date(2026, 3, 10)


def test_reminders_go_to_the_right_people_once(people, mailoutbox):
    """Expiring, expired, due and overdue get one e-mail; a rerun sends nothing."""
    with time_machine.travel(at(TODAY), tick=False):
        sent = send_reminders()
        assert {p.kind for p in sent} == {"expiring", "expired", "due", "overdue"}
        assert len(mailoutbox) == 4
        assert send_reminders() == []
    assert len(mailoutbox) == 4
    assert Reminder.objects.count() == 4
    recipients = {m.to[0] for m in mailoutbox}
    assert people["compliant"].email not in recipients
    assert people["in_progress"].email not in recipients


def test_reminders_in_the_person_language_with_course_link(people, mailoutbox):
    with time_machine.travel(at(TODAY), tick=False):
        send_reminders()
    english = next(m for m in mailoutbox if m.to == [people["expiring"].email])
    assert "expires soon" in english.subject
    assert "http://testserver/" in english.body
    french = next(m for m in mailoutbox if m.to == [people["overdue"].email])
    assert "en retard" in french.subject or "Overdue" not in french.subject


def test_reminders_new_window_sends_again(people, mailoutbox, snds_course):
    """After renewal, the next expiry is a new window: one new reminder."""
    with time_machine.travel(at(TODAY), tick=False):
        send_reminders()
    mailoutbox.clear()
    with time_machine.travel(at(date(2027, 3, 10)), tick=False):
        sent = send_reminders()
    kinds = {(p.user_id, p.kind) for p in sent}
    # Expiring (April 2026) has expired by now: a new "expired" reminder.
    assert (people["expiring"].pk, "expired") in kinds
    # Already told "expired" for the same expiry date: nothing new.
    assert (people["expired"].pk, "expired") not in kinds


def test_reminders_dry_run_sends_and_records_nothing(people, mailoutbox, capsys):
    with time_machine.travel(at(TODAY), tick=False):
        call_command("send_compliance_reminders", "--dry-run")
    assert "would send 4" in capsys.readouterr().out
    assert mailoutbox == []
    assert Reminder.objects.count() == 0


def test_reminders_command_sends_and_digests(people, mailoutbox, units, capsys):
    member(units["institute"], username="chief", role=MembershipRole.MANAGER)
    with time_machine.travel(at(TODAY), tick=False):
        call_command("send_compliance_reminders", "--digest")
    out = capsys.readouterr().out
    assert "sent 5" in out and "Digests: sent 1" in out  # the manager is overdue too
    digest = mailoutbox[-1]
    assert "/compliance/" in digest.body


def test_digest_once_a_week(people, units, mailoutbox):
    member(units["institute"], username="chief", role=MembershipRole.MANAGER)
    assert len(send_digests(today=TODAY)) == 1
    assert send_digests(today=date(2026, 3, 12)) == []  # same ISO week
    assert len(send_digests(today=date(2026, 3, 16))) == 1
    assert Digest.objects.count() == 2


def test_reminders_job_twice_through_a_worker_sends_once(
    people, mailoutbox, django_capture_on_commit_callbacks
):
    """The queued daily job, run twice, sends each reminder once.

    With REDIS_URL (CI) the jobs go through real Redis and an RQ SimpleWorker (in
    this process, so it sees the test's transaction); without it they run
    synchronously, as in the embedded default.
    """
    url = os.environ.get("REDIS_URL")
    if url:
        from redis import Redis

        connection = Redis.from_url(url)
        queue = Queue("compliance-test", connection=connection, is_async=True)
        queue.empty()
    else:
        queue = None  # the project's "default" queue: synchronous, fakeredis
    # django-rq's own queues enqueue after the commit: run those callbacks.
    with django_capture_on_commit_callbacks(execute=True):
        first = enqueue_daily_job(today=TODAY, queue=queue)
        second = enqueue_daily_job(today=TODAY, queue=queue)
    if url:
        SimpleWorker([queue], connection=connection).work(burst=True)
        assert first.return_value()["reminders"] == 4
        assert second.return_value()["reminders"] == 0
        queue.delete(delete_jobs=True)
    assert len(mailoutbox) == 4
    assert Reminder.objects.count() == 4


def test_daily_job_trims_the_gate_log(db, settings):
    """Gate calls older than the retention period are deleted by the daily job."""
    from datetime import timedelta

    from django.utils import timezone

    from learning.compliance.models import GateCall
    from learning.compliance.reminders import daily_compliance_job

    settings.COMPLIANCE_GATE_LOG_DAYS = 30
    now = timezone.now()
    old = GateCall.objects.create(
        requirement_slug="snds", person="a@x.org", http_status=200
    )
    GateCall.objects.filter(pk=old.pk).update(at=now - timedelta(days=31))
    GateCall.objects.create(requirement_slug="snds", person="b@x.org", http_status=200)
    assert daily_compliance_job()["gate_calls_purged"] == 1
    assert list(GateCall.objects.values_list("person", flat=True)) == ["b@x.org"]
