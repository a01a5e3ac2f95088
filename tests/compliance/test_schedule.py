"""The daily reminder job without a scheduler: run once a day by the first request
after the hour (the embedded default), and what the pages say about it."""

from datetime import UTC, date, datetime

import pytest
import time_machine

from learning.compliance import schedule
from learning.compliance.models import Reminder, ReminderRun
from learning.compliance.reminders import daily_compliance_job

from .conftest import member

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_process(settings):
    """Each test is a new process: it has seen no run yet."""
    settings.COMPLIANCE_REMINDER_HOUR = 7
    schedule._done["day"] = None
    yield
    schedule._done["day"] = None


@pytest.fixture
def overdue(requirement, units):
    """Two people whose training is overdue on 10 March 2026."""
    return [member(units["lab_a"]), member(units["lab_b"])]


def utc(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


def test_in_process_runs_after_the_hour_once(client, settings, overdue, mailoutbox):
    """With COMPLIANCE_REMINDERS_IN_PROCESS, the first request after the hour sends
    the day's reminders; later requests, that day, send nothing."""
    settings.COMPLIANCE_REMINDERS_IN_PROCESS = True
    ReminderRun.objects.create(day=date(2026, 3, 9))
    with time_machine.travel(utc(10, 6, 59), tick=False):
        client.get("/accounts/login/")
    assert not mailoutbox and ReminderRun.objects.count() == 1
    with time_machine.travel(utc(10, 7, 1), tick=False):
        client.get("/accounts/login/")
        assert len(mailoutbox) == 2
        client.get("/accounts/login/")
    assert len(mailoutbox) == 2
    run = ReminderRun.objects.latest("day")
    assert run.day == date(2026, 3, 10)
    assert run.reminders == 2 and run.finished_at is not None
    assert Reminder.objects.count() == 2


def test_in_process_catches_up_a_missed_day(client, settings, overdue, mailoutbox):
    """A server that was off at the hour (or a demo seeded before it) runs the
    missed day's job on its first request."""
    settings.COMPLIANCE_REMINDERS_IN_PROCESS = True
    with time_machine.travel(utc(10, 6), tick=False):
        client.get("/accounts/login/")
    assert len(mailoutbox) == 2
    assert ReminderRun.objects.get().day == date(2026, 3, 9)


def test_in_process_next_day_runs_again(client, settings, overdue, units, mailoutbox):
    """The next day has its own run (and new people get their reminder)."""
    settings.COMPLIANCE_REMINDERS_IN_PROCESS = True
    with time_machine.travel(utc(10, 8), tick=False):
        client.get("/accounts/login/")
    newcomer = member(units["lab_a"], joined=date(2026, 3, 10))
    with time_machine.travel(utc(11, 8), tick=False):
        client.get("/accounts/login/")
    assert [run.day for run in ReminderRun.objects.order_by("day")] == [
        date(2026, 3, 10),
        date(2026, 3, 11),
    ]
    assert mailoutbox[-1].to == [newcomer.email]


def test_in_process_off_sends_nothing(client, settings, overdue, mailoutbox):
    """Off (with a scheduler, or in these tests), requests never run the job."""
    settings.COMPLIANCE_REMINDERS_IN_PROCESS = False
    with time_machine.travel(utc(10, 12), tick=False):
        client.get("/accounts/login/")
    assert not mailoutbox and not ReminderRun.objects.exists()


def test_in_process_claimed_day_is_not_run_twice(settings, overdue, mailoutbox):
    """Another process that claimed the day keeps this one out."""
    ReminderRun.objects.create(day=date(2026, 3, 10))
    with time_machine.travel(utc(10, 9), tick=False):
        assert schedule.run_if_due() is False
    assert not mailoutbox


def test_in_process_failure_does_not_break_the_page(client, settings, monkeypatch):
    """A failing run is logged; the request that triggered it is unaffected."""
    settings.COMPLIANCE_REMINDERS_IN_PROCESS = True

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(
        "learning.compliance.reminders.daily_compliance_job", broken, raising=True
    )
    with time_machine.travel(utc(10, 9), tick=False):
        assert client.get("/accounts/login/").status_code == 200


def test_scheduled_job_records_its_run(overdue, mailoutbox):
    """The worker's job (rqcron) records the day's run too; a rerun adds nothing."""
    with time_machine.travel(utc(10, 7), tick=False):
        daily_compliance_job()
        daily_compliance_job()
    run = ReminderRun.objects.get()
    assert run.reminders == 2


def test_schedule_for_the_pages(settings, db):
    """What the person page says: when, the last run, the next one, lateness."""
    settings.COMPLIANCE_REMINDERS_IN_PROCESS = False
    settings.TIME_ZONE = "Europe/Paris"
    with time_machine.travel(utc(10, 9), tick=False):
        info = schedule.reminder_schedule()
        assert info.last is None and info.pending and not info.late
        assert info.time_of_day.hour == 8  # 07:00 UTC in Paris, winter time
        ReminderRun.objects.create(day=date(2026, 3, 10))
        info = schedule.reminder_schedule()
        assert not info.pending
        assert info.next_at.date() == date(2026, 3, 11)
    with time_machine.travel(utc(13, 9), tick=False):
        info = schedule.reminder_schedule()
        assert info.late  # a scheduler missed two days
        settings.COMPLIANCE_REMINDERS_IN_PROCESS = True
        assert not schedule.reminder_schedule().late  # it runs on the next request
