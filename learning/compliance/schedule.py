"""When the daily reminder job runs, and running it in the web process when no
scheduler does.

In production `manage.py rqcron cms.cron` (started by `make worker`) queues
`daily_compliance_job` every day at COMPLIANCE_REMINDER_HOUR (UTC). The embedded
default (`make demo`, no REDIS_URL) has neither worker nor scheduler, so no
reminder would ever go out. There, like Drupal's "automated cron" and
WordPress's wp-cron, the first request after that hour runs the day's job,
once its response has been sent (COMPLIANCE_REMINDERS_IN_PROCESS, on by default
without REDIS_URL). The day's `ReminderRun` row is claimed first, under a
unique day, so concurrent requests or processes run it once.

`reminder_schedule()` tells the managers' pages how and when reminders go out.
"""

import logging
import threading
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.conf import settings
from django.db import IntegrityError, connections
from django.utils import timezone

from .models import ReminderRun

logger = logging.getLogger(__name__)

#: The last day this process saw run: no query per request once it has.
_done = {"day": None}
_lock = threading.Lock()


def scheduled_at(day: date) -> datetime:
    """When the job of the UTC day `day` is due (COMPLIANCE_REMINDER_HOUR, UTC)."""
    return datetime.combine(day, time(settings.COMPLIANCE_REMINDER_HOUR), tzinfo=UTC)


def latest_due(now: datetime | None = None) -> datetime:
    """The most recent scheduled time at or before `now`."""
    now = (now or timezone.now()).astimezone(UTC)
    due = scheduled_at(now.date())
    return due if due <= now else due - timedelta(days=1)


def run_day(when: datetime) -> date:
    """The day a run at `when` reminds for: the site's local date then."""
    return timezone.localdate(when)


def run_if_due(now: datetime | None = None) -> bool:
    """Run the job here if its latest scheduled time has passed and nobody ran
    it for that day (a day missed while the server was off included); True if
    it ran."""
    due = latest_due(now)
    day = run_day(due)
    if _done["day"] == day:
        return False
    # One run at a time per process; other processes are kept out by the row.
    if not _lock.acquire(blocking=False):
        return False
    try:
        if ReminderRun.objects.filter(day=day).exists():
            _done["day"] = day
            return False
        try:
            run = ReminderRun.objects.create(day=day)
        except IntegrityError:  # another process claimed it first
            _done["day"] = day
            return False
        _done["day"] = day
        from .reminders import daily_compliance_job

        # A missed day is caught up with today's statuses.
        result = daily_compliance_job(run=run)
        logger.info("daily compliance job run in process: %s", result)
        return True
    finally:
        _lock.release()


def run_after_response(**_kwargs) -> None:
    """`request_finished` receiver: the in-process schedule (see the module docstring)."""
    if not settings.COMPLIANCE_REMINDERS_IN_PROCESS:
        return
    if _done["day"] == run_day(latest_due()):
        return
    try:
        run_if_due()
    except Exception:  # a failed run must not break the server; it is logged
        logger.exception("daily compliance job failed")
    finally:
        # Django closed this thread's connections before this receiver ran;
        # do it again for those the job opened (not inside a test's transaction).
        for connection in connections.all(initialized_only=True):
            if not connection.in_atomic_block:
                connection.close_if_unusable_or_obsolete()


@dataclass(frozen=True)
class ReminderSchedule:
    """What the managers' pages say about the reminders."""

    in_process: bool
    #: the daily time, in the site's time zone
    time_of_day: datetime
    last: ReminderRun | None
    next_at: datetime
    #: due and not run yet (in process: it runs after this page)
    pending: bool
    #: a scheduler should have run it and has not, for more than a day
    late: bool
    console_email: bool


def reminder_schedule(now: datetime | None = None) -> ReminderSchedule:
    """How and when reminders go out, and the last run (one query)."""
    now = now or timezone.now()
    due = latest_due(now)
    last = ReminderRun.objects.order_by("-day").first()
    ran_today = last is not None and last.day >= run_day(due)
    in_process = settings.COMPLIANCE_REMINDERS_IN_PROCESS
    late = (
        not in_process
        and last is not None
        and last.day < run_day(due - timedelta(days=1))
    )
    return ReminderSchedule(
        in_process=in_process,
        time_of_day=timezone.localtime(due),
        last=last,
        next_at=timezone.localtime(due + timedelta(days=1) if ran_today else due),
        pending=not ran_today,
        late=late,
        console_email=settings.EMAIL_BACKEND.endswith("console.EmailBackend"),
    )
