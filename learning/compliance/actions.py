"""What a manager does for one person: send a reminder now, enrol them.

Both act only on people of the manager's units (`scope.require_person_in_scope`,
OutOfScope otherwise) and only about an active requirement: the person page,
its POST views and any other caller get the same answers.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from cms.addresses import page_absolute_url
from courses.models import CoursePage
from learning import progress
from learning.certificates.issuance import recertify
from learning.exceptions import (
    AlreadyEnrolled,
    AlreadyRemindedToday,
    CourseNotAvailable,
    EnrolmentNotNeeded,
    NoEmailAddress,
    ReminderNotNeeded,
)
from learning.models import Enrollment, EnrollmentStatus

from .models import CLEARED_STATUSES, ComplianceStatus, Reminder, ReminderKind
from .reminders import KINDS, deliver
from .scope import require_person_in_scope
from .status import Standing, standing

#: What a manual reminder says, by status (the daily job's kinds, and people
#: who started but did not finish).
MANUAL_KINDS = {**KINDS, ComplianceStatus.IN_PROGRESS: ReminderKind.IN_PROGRESS}


def may_remind(item: Standing) -> bool:
    """A reminder makes sense: the requirement applies and the person has
    something to do (cleared people are reminded only when expiring). About the
    training: an unverified identity changes nothing to it."""
    status = item.training_status
    return item.applies and (
        status not in CLEARED_STATUSES or status == ComplianceStatus.EXPIRING
    )


def sent_today(person, requirement, today: date, *, manual: bool) -> Reminder | None:
    """The reminder about `requirement` sent to `person` on `today` (the site's
    local day) by hand, or the last one the daily run sent; None if none."""
    found = Reminder.objects.filter(user=person, requirement=requirement)
    if manual:
        found = found.filter(manual_on=today)
    else:
        start = timezone.make_aware(datetime.combine(today, time.min))
        found = found.filter(
            manual_on=None, sent_at__gte=start, sent_at__lt=start + timedelta(days=1)
        )
    return found.select_related("sent_by").order_by("-sent_at").first()


def send_reminder_now(
    manager,
    person,
    requirement,
    *,
    today: date | None = None,
    after_daily_run: bool = False,
):
    """E-mail `person` a reminder about `requirement` now, recorded as sent by
    `manager`; at most one by hand per person, requirement and day (a unique
    constraint), and one after the daily run's of the same day only when asked
    (`after_daily_run`), so a click does not repeat this morning's e-mail.

    It counts for its window: the daily job does not send the same reminder
    again. OutOfScope, ReminderNotNeeded, NoEmailAddress, AlreadyRemindedToday
    (its `sent` says which; `may_insist` when only the daily run's was sent).
    """
    require_person_in_scope(manager, person)
    today = today or timezone.localdate()
    item = standing(person, requirement, today=today)
    if not requirement.active or not may_remind(item):
        raise ReminderNotNeeded
    if not person.email:
        raise NoEmailAddress
    by_hand = sent_today(person, requirement, today, manual=True)
    if by_hand is not None:
        raise AlreadyRemindedToday(sent=by_hand)
    if not after_daily_run:
        daily = sent_today(person, requirement, today, manual=False)
        if daily is not None:
            raise AlreadyRemindedToday(sent=daily, may_insist=True)
    kind = MANUAL_KINDS[ComplianceStatus(item.training_status)]
    window = (
        item.valid_until
        if kind in (ReminderKind.EXPIRING, ReminderKind.EXPIRED)
        else item.due_date
    )
    reminder = Reminder(
        user=person,
        requirement=requirement,
        kind=kind,
        window=window or today,
        sent_by=manager,
        manual_on=today,
    )
    try:
        return deliver(reminder, item)
    except IntegrityError as error:  # a concurrent click got there first
        raise AlreadyRemindedToday(
            sent=sent_today(person, requirement, today, manual=True)
        ) from error


@dataclass(frozen=True)
class EnrolOption:
    """The enrolment a manager can make for one requirement."""

    course: CoursePage
    #: a completed enrolment is reopened for a new cycle (renewal)
    renewal: bool


def enrol_option(person, requirement, item: Standing) -> EnrolOption | None:
    """What "enrol" would do for `person` on `requirement`, None if nothing.

    The requirement's first acceptable course they are not already taking:
    enrolled in none, they are enrolled; with a completed, certified
    enrolment and an expiring or expired certificate, it is reopened.
    """
    if not item.applies or item.training_status in (
        ComplianceStatus.COMPLIANT,
        ComplianceStatus.IN_PROGRESS,
    ):
        return None
    courses = [c for c in requirement.courses.order_by("pk") if c.live]
    if not courses:
        return None
    taken = {
        e.course_id: e
        for e in Enrollment.objects.filter(
            user=person, course__in=[c.pk for c in courses]
        )
    }
    if any(e.status == EnrollmentStatus.ACTIVE for e in taken.values()):
        return None
    for course in courses:
        enrollment = taken.get(course.pk)
        if enrollment is None:
            return EnrolOption(course=course, renewal=False)
        if item.certificate_id and enrollment.is_completed:
            return EnrolOption(course=course, renewal=True)
    return None


def _notify_enrolment(manager, person, requirement, course, item, renewal) -> None:
    """Tell `person`, in their language, that `manager` enrolled them."""
    with translation.override(person.preferred_language or "fr"):
        context = {
            "user": person,
            "manager": manager,
            "requirement": requirement,
            "course": course.localized,
            "renewal": renewal,
            "standing": item,
            "course_url": page_absolute_url(course.localized),
            "site_url": settings.SITE_BASE_URL,
        }
        subject = render_to_string("compliance/email/enrolled_subject.txt", context)
        body = render_to_string("compliance/email/enrolled.txt", context)
    send_mail(" ".join(subject.split()), body, None, [person.email])


def enrol_for_requirement(manager, person, requirement, course: CoursePage):
    """Enrol `person` in `course`, an acceptable course of `requirement`, or reopen
    their completed enrolment for a renewal, and e-mail them; return the enrolment.

    One transaction: if the e-mail cannot be sent, nothing is recorded.
    OutOfScope, CourseNotAvailable (not one of the requirement's courses, or
    not published), EnrolmentNotNeeded (cleared, or not required of them),
    AlreadyEnrolled (taking one of its courses, or the one offered is another).
    """
    require_person_in_scope(manager, person)
    if (
        not requirement.active
        or not course.live
        or not requirement.courses.filter(pk=course.pk).exists()
    ):
        raise CourseNotAvailable
    item = standing(person, requirement)
    if not item.applies or item.training_status == ComplianceStatus.COMPLIANT:
        raise EnrolmentNotNeeded
    option = enrol_option(person, requirement, item)
    if option is None or option.course.pk != course.pk:
        raise AlreadyEnrolled
    with transaction.atomic():
        if option.renewal:
            enrollment = recertify(Enrollment.objects.get(user=person, course=course))
        else:
            enrollment = progress.enrol(person, course)
        if person.email:
            _notify_enrolment(
                manager, person, requirement, course, item, option.renewal
            )
    return enrollment


@dataclass(frozen=True)
class StandingRow:
    """One requirement on the person page: the status and what can be done."""

    requirement: object
    standing: Standing
    can_remind: bool
    enrol: EnrolOption | None
    #: the daily job's reminder for the current window: sent, or still to send
    automatic_sent: Reminder | None
    automatic_pending: bool


def standing_rows(
    person, standings: list[tuple[object, Standing]]
) -> list[StandingRow]:
    """The person page's rows, with the actions each allows (a few queries a row)."""
    rows = []
    for requirement, item in standings:
        kind = KINDS.get(ComplianceStatus(item.training_status))
        window = (
            item.valid_until
            if kind in (ReminderKind.EXPIRING, ReminderKind.EXPIRED)
            else item.due_date
        )
        sent = None
        if item.applies and kind is not None and window is not None:
            sent = (
                Reminder.objects.filter(
                    user=person, requirement=requirement, kind=kind, window=window
                )
                .select_related("sent_by")
                .first()
            )
        rows.append(
            StandingRow(
                requirement=requirement,
                standing=item,
                can_remind=bool(person.email) and may_remind(item),
                enrol=enrol_option(person, requirement, item),
                automatic_sent=sent,
                automatic_pending=(
                    item.applies
                    and kind is not None
                    and window is not None
                    and sent is None
                ),
            )
        )
    return rows
