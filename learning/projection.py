"""Progress tables as a projection of the statements.

`apply_statement` is the only code that writes enrolments and lesson progress:
the domain functions call it right after storing a statement, and
`rebuild_progress` replays the whole store through it. So progress always
rebuilds identically, by construction. `apply_statements` applies several at
once, with one update for a run of statements that only touch an enrolment's
last activity (a quiz submission's answers and outcome).
"""

import uuid
from functools import cached_property, lru_cache

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.dateparse import parse_datetime
from wagtail.models import Locale, Page

from .models import Enrollment, EnrollmentStatus, LessonProgress
from .xapi import vocabulary
from .xapi.statements import parse_activity_iri


def canonical_page(page: Page) -> Page:
    """The default-language version of a page (progress is language-independent)."""
    default = Locale.get_default()
    if page.locale_id == default.pk:
        return page.specific
    return (page.get_translation_or_none(default) or page).specific


class PageResolver:
    """Maps activity translation keys to default-language pages, with a cache."""

    def __init__(self):
        self.page = lru_cache(maxsize=4096)(self._page)

    @cached_property
    def _default_locale_id(self) -> int:
        # Read on first use: most statements (a course completed, an answer)
        # resolve no page.
        return Locale.get_default().pk

    def _page(self, key: uuid.UUID) -> Page | None:
        pages = Page.objects.filter(translation_key=key).order_by("id")
        page = pages.filter(locale_id=self._default_locale_id).first() or pages.first()
        return page.specific if page else None


def apply_statement(
    data: dict, resolver: PageResolver | None = None, *, replayed: set | None = None
) -> None:
    """Update the progress tables for one stored statement (ignores foreign ones).

    `replayed` (rebuild_progress): a "registered" statement resets its enrolment
    row in place instead of creating it, and its id is added to the set. The row
    keeps its id, so what refers to it (certificates, attempts) stays."""
    target = parse_activity_iri(data["object"].get("id", ""))
    registration = data.get("context", {}).get("registration")
    if target is None or registration is None:
        return
    kind, key = target
    resolver = resolver or PageResolver()
    verb = data["verb"]["id"]
    when = parse_datetime(data["timestamp"])
    registration = uuid.UUID(registration)

    if verb == vocabulary.REGISTERED.id and kind == "course":
        user = (
            get_user_model()
            .objects.filter(pseudonym=data["actor"]["account"]["name"])
            .first()
        )
        course = resolver.page(key)
        if user is None or course is None:
            return  # erased account or deleted page: the statement stays, no row
        fields = {"user": user, "course": course, "enrolled_at": when}
        if replayed is None:
            Enrollment.objects.create(id=registration, last_activity_at=when, **fields)
            return
        Enrollment.objects.update_or_create(
            id=registration,
            defaults={
                **fields,
                "status": EnrollmentStatus.ACTIVE,
                "completed_at": None,
                "last_lesson": None,
                "last_activity_at": when,
            },
        )
        replayed.add(registration)
        return

    enrollment = Enrollment.objects.filter(id=registration).first()
    if enrollment is None:
        return
    enrollment.last_activity_at = max(filter(None, [enrollment.last_activity_at, when]))
    if kind == "lesson" and verb in (vocabulary.LAUNCHED.id, vocabulary.COMPLETED.id):
        lesson = resolver.page(key)
        if lesson is None:
            return
        progress, _ = LessonProgress.objects.get_or_create(
            enrollment=enrollment, lesson=lesson, defaults={"opened_at": when}
        )
        if verb == vocabulary.LAUNCHED.id:
            enrollment.last_lesson = lesson
        elif progress.completed_at is None:
            progress.completed_at = when
            progress.save(update_fields=["completed_at"])
    elif kind == "course" and verb == vocabulary.COMPLETED.id:
        enrollment.status = EnrollmentStatus.COMPLETED
        enrollment.completed_at = when
    elif kind == "course" and verb == vocabulary.INITIALIZED.id:
        # A new certification cycle (certificates.issuance.recertify).
        enrollment.status = EnrollmentStatus.ACTIVE
        enrollment.completed_at = None
    enrollment.save()


COURSE_STATE_VERBS = {
    vocabulary.REGISTERED.id,
    vocabulary.COMPLETED.id,
    vocabulary.INITIALIZED.id,
}


def _touches_only(data: dict) -> tuple[uuid.UUID, object] | None:
    """(registration, when) of a statement whose only effect in `apply_statement`
    is to move its enrolment's last activity forward, else None."""
    target = parse_activity_iri(data["object"].get("id", ""))
    registration = data.get("context", {}).get("registration")
    if target is None or registration is None:
        return None
    kind, verb = target[0], data["verb"]["id"]
    if kind == "course" and verb in COURSE_STATE_VERBS:
        return None
    if kind == "lesson" and verb in (vocabulary.LAUNCHED.id, vocabulary.COMPLETED.id):
        return None
    return uuid.UUID(registration), parse_datetime(data["timestamp"])


def _touch(registration: uuid.UUID, when) -> None:
    """last_activity_at = max(last_activity_at, when), in one query."""
    Enrollment.objects.filter(id=registration).filter(
        Q(last_activity_at__isnull=True) | Q(last_activity_at__lt=when)
    ).update(last_activity_at=when)


def apply_statements(statements: list[dict], resolver: PageResolver | None = None):
    """`apply_statement` for each statement in order, with the same result: a run
    of statements that only touch last activity costs one update per enrolment."""
    pending: dict[uuid.UUID, object] = {}
    for data in statements:
        touch = _touches_only(data)
        if touch is None:
            for registration, when in pending.items():
                _touch(registration, when)
            pending.clear()
            apply_statement(data, resolver)
            continue
        registration, when = touch
        if when is not None:  # without a timestamp it changes nothing
            pending[registration] = max(filter(None, [pending.get(registration), when]))
    for registration, when in pending.items():
        _touch(registration, when)
