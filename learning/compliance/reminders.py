"""Reminders to people whose training is expiring, expired, due or overdue, and
the managers' weekly digest.

At most one reminder per person, requirement, kind and window (the expiry date
for expiring/expired, the due date for due/overdue): the `Reminder` row is
written in the same transaction as the e-mail is sent, under a unique
constraint, so a rerun or a concurrent worker sends nothing twice. People who
are in progress get no reminder (they started); people with a `due` status and
no due date are not reminded either (nothing is late).
"""

import logging
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation

import django_rq

from cms.addresses import page_absolute_url

from .dashboard import NotAManager, build_overview
from .models import (
    ComplianceStatus,
    Digest,
    GateCall,
    MembershipRole,
    Reminder,
    ReminderKind,
    ReminderRun,
    Requirement,
)
from .status import Standing, standings

logger = logging.getLogger(__name__)

KINDS = {
    ComplianceStatus.EXPIRING: ReminderKind.EXPIRING,
    ComplianceStatus.EXPIRED: ReminderKind.EXPIRED,
    ComplianceStatus.DUE: ReminderKind.DUE,
    ComplianceStatus.OVERDUE: ReminderKind.OVERDUE,
}


@dataclass(frozen=True)
class PlannedReminder:
    user_id: int
    requirement: Requirement
    kind: ReminderKind
    window: date
    standing: Standing


def _window(item: Standing) -> date | None:
    if item.training_status in (ComplianceStatus.EXPIRING, ComplianceStatus.EXPIRED):
        return item.valid_until
    return item.due_date


def planned_reminders(*, today: date | None = None) -> list[PlannedReminder]:
    """Reminders that are due today and were never sent (a bounded number of queries)."""
    today = today or timezone.localdate()
    requirements = list(Requirement.objects.filter(active=True))
    users = get_user_model().objects.filter(is_active=True)
    found = standings(users, requirements, today=today)
    by_id = {r.pk: r for r in requirements}
    sent = set(
        Reminder.objects.filter(requirement__in=requirements).values_list(
            "user_id", "requirement_id", "kind", "window"
        )
    )
    planned = []
    for (user_id, rid), item in found.items():
        kind = KINDS.get(item.training_status)
        window = _window(item)
        if kind is None or window is None:
            continue
        if (user_id, rid, kind.value, window) in sent:
            continue
        planned.append(PlannedReminder(user_id, by_id[rid], kind, window, item))
    return sorted(planned, key=lambda p: (p.requirement.slug, p.user_id))


def course_url(requirement: Requirement) -> str:
    """The requirement's first course, in the active language, as an absolute URL."""
    course = requirement.courses.order_by("pk").first()
    if course is None:
        return settings.SITE_BASE_URL
    return page_absolute_url(course.localized)


def _message(user, reminder: Reminder, standing: Standing) -> tuple[str, str]:
    """The e-mail's subject and body, in the person's language."""
    with translation.override(user.preferred_language or "fr"):
        context = {
            "user": user,
            "requirement": reminder.requirement,
            "kind": reminder.kind,
            "standing": standing,
            "sent_by": reminder.sent_by,
            "course_url": course_url(reminder.requirement),
            "site_url": settings.SITE_BASE_URL,
        }
        subject = render_to_string("compliance/email/reminder_subject.txt", context)
        body = render_to_string("compliance/email/reminder.txt", context)
    return " ".join(subject.split()), body


def deliver(reminder: Reminder, standing: Standing) -> Reminder:
    """Record `reminder` and send its e-mail, atomically.

    IntegrityError if the reminder was already sent (the unique constraints of
    `Reminder`): nothing is sent then.
    """
    user = reminder.user
    with transaction.atomic():
        reminder.save()
        subject, body = _message(user, reminder, standing)
        send_mail(subject, body, None, [user.email], fail_silently=False)
    return reminder


def _send_one(plan: PlannedReminder, user) -> bool:
    """Record and send one reminder, atomically; False if another run sent it."""
    reminder = Reminder(
        user=user, requirement=plan.requirement, kind=plan.kind, window=plan.window
    )
    try:
        deliver(reminder, plan.standing)
    except IntegrityError:
        return False
    return True


def send_reminders(*, today: date | None = None, dry_run: bool = False) -> list:
    """Send the reminders due today (or only list them with `dry_run`)."""
    planned = planned_reminders(today=today)
    if dry_run:
        return planned
    users = get_user_model().objects.in_bulk({p.user_id for p in planned})
    sent = []
    for plan in planned:
        user = users[plan.user_id]
        if not user.email:
            continue
        if _send_one(plan, user):
            sent.append(plan)
    logger.info("compliance reminders: %d sent", len(sent))
    return sent


def send_digests(*, today: date | None = None, dry_run: bool = False) -> list:
    """The weekly digest to each manager: counts per requirement in their units."""
    today = today or timezone.localdate()
    year, week, _day = today.isocalendar()
    stamp = f"{year}-W{week:02d}"
    User = get_user_model()
    managers = User.objects.filter(
        is_active=True, unit_memberships__role=MembershipRole.MANAGER
    ).distinct()
    done = set(Digest.objects.filter(week=stamp).values_list("user_id", flat=True))
    sent = []
    for manager in managers:
        if manager.pk in done or not manager.email:
            continue
        if dry_run:
            sent.append(manager)
            continue
        with translation.override(manager.preferred_language or "fr"):
            try:
                overview = build_overview(manager, today=today)
            except NotAManager:
                continue
            context = {
                "user": manager,
                "overview": overview,
                "dashboard_url": f"{settings.SITE_BASE_URL}"
                f"{'' if manager.preferred_language == 'fr' else '/en'}/compliance/",
                "week": stamp,
            }
            subject = render_to_string("compliance/email/digest_subject.txt", context)
            body = render_to_string("compliance/email/digest.txt", context)
        try:
            with transaction.atomic():
                Digest.objects.create(user=manager, week=stamp)
                send_mail(" ".join(subject.split()), body, None, [manager.email])
        except IntegrityError:
            continue
        sent.append(manager)
    return sent


def purge_gate_calls(*, now=None) -> int:
    """Delete gate-call log entries older than COMPLIANCE_GATE_LOG_DAYS (0: keep all).

    The log names the people asked about: it is kept as long as the evidence is
    useful, then deleted (data minimisation).
    """
    days = settings.COMPLIANCE_GATE_LOG_DAYS
    if not days:
        return 0
    limit = (now or timezone.now()) - timedelta(days=days)
    deleted, _detail = GateCall.objects.filter(at__lt=limit).delete()
    return deleted


def daily_compliance_job(
    today: str | None = None, *, run: ReminderRun | None = None
) -> dict:
    """The scheduled job: reminders every day, digests on the configured weekday,
    and the gate-call log trimmed to its retention period.

    The day's `ReminderRun` records when it ran and how many reminders went
    out (`run`: a row the caller already claimed for the day).
    """
    day = date.fromisoformat(today) if today else timezone.localdate()
    if run is None:
        run, _created = ReminderRun.objects.get_or_create(day=day)
    sent = len(send_reminders(today=day))
    ReminderRun.objects.filter(pk=run.pk).update(
        finished_at=timezone.now(), reminders=F("reminders") + sent
    )
    result = {"reminders": sent}
    if day.weekday() == settings.COMPLIANCE_DIGEST_WEEKDAY:
        result["digests"] = len(send_digests(today=day))
    result["gate_calls_purged"] = purge_gate_calls()
    return result


def enqueue_daily_job(*, today: date | None = None, queue=None):
    """Queue the daily job on the "default" queue (runs at once without Redis)."""
    queue = django_rq.get_queue("default") if queue is None else queue
    return queue.enqueue(
        daily_compliance_job,
        today.isoformat() if today else None,
        result_ttl=timedelta(days=7).total_seconds(),
    )
