"""The learner journey as domain functions: enrol, open a lesson, complete it,
complete the course. Each runs in one transaction that stores the xAPI statement
and updates the progress projection together: one cannot exist without the other.
"""

import uuid
from collections.abc import Mapping
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import get_language

from courses.models import CoursePage, LessonPage

from .certificates.jobs import schedule_issuance
from .completion import requirements_met
from .exceptions import (
    AlreadyCompleted,
    AlreadyEnrolled,
    CompletedByPackage,
    CourseAlreadyCompleted,
    CourseNotAvailable,
    CourseNotFinished,
    LessonNotAvailable,
)
from .models import Enrollment, LessonProgress
from .projection import apply_statement, canonical_page
from .restrictions import require_view
from .xapi import vocabulary
from .xapi.statements import activity, build_statement
from .xapi.store import store_statement


def _record(data: dict) -> None:
    store_statement(data)
    apply_statement(data)


def _language() -> str:
    return (get_language() or "fr").split("-")[0]


def enrol(
    user,
    course: CoursePage,
    *,
    when: datetime | None = None,
    session: Mapping | None = None,
) -> Enrollment:
    """Enrol `user` in `course` and record "registered"; AlreadyEnrolled if done twice.

    `session`: the learner's, for a course behind a shared password
    (learning/restrictions.py); PageRestricted if the course's view restrictions
    refuse them.
    """
    given, course = course, canonical_page(course)
    if not course.live:
        raise CourseNotAvailable
    require_view(user, given, course, session=session)
    if Enrollment.objects.filter(user=user, course=course).exists():
        raise AlreadyEnrolled
    registration = uuid.uuid4()
    try:
        with transaction.atomic():
            _record(
                build_statement(
                    user=user,
                    verb=vocabulary.REGISTERED,
                    obj=activity("course", course),
                    when=when or timezone.now(),
                    registration=registration,
                    language=_language(),
                )
            )
    except IntegrityError as error:  # a concurrent request enrolled first
        raise AlreadyEnrolled from error
    return Enrollment.objects.get(id=registration)


def _lock(enrollment: Enrollment) -> Enrollment:
    """Re-read the enrolment row under a lock: a learner's concurrent requests
    queue here. Only this row: locking the course and user rows the join reads
    would make every learner of a course queue behind each other."""
    return (
        Enrollment.objects.select_for_update(of=("self",))
        .select_related("course", "user")
        .get(pk=enrollment.pk)
    )


def _lesson_of(
    enrollment: Enrollment, lesson: LessonPage, session: Mapping | None
) -> LessonPage:
    """The canonical lesson, live in the enrolled course, published and viewable."""
    given, lesson = lesson, canonical_page(lesson)
    if not isinstance(lesson, LessonPage) or not lesson.live:
        raise LessonNotAvailable
    # An unpublished course keeps its learners' progress, but takes no more.
    if not enrollment.course.live or lesson.get_parent().pk != enrollment.course_id:
        raise LessonNotAvailable
    require_view(enrollment.user, given, lesson, session=session)
    return lesson


def open_lesson(
    enrollment: Enrollment,
    lesson: LessonPage,
    *,
    when: datetime | None = None,
    session: Mapping | None = None,
) -> LessonProgress:
    """Record that the learner opened a lesson ("launched"), unless it is a reload."""
    with transaction.atomic():
        enrollment = _lock(enrollment)
        lesson = _lesson_of(enrollment, lesson, session)
        progress = LessonProgress.objects.filter(
            enrollment=enrollment, lesson=lesson
        ).first()
        if progress and enrollment.last_lesson_id == lesson.pk:
            return progress  # a reload of the current lesson is not a new launch
        _record(
            build_statement(
                user=enrollment.user,
                verb=vocabulary.LAUNCHED,
                obj=activity("lesson", lesson),
                when=when or timezone.now(),
                registration=enrollment.pk,
                parent=activity("course", enrollment.course, with_definition=False),
                language=_language(),
            )
        )
        return LessonProgress.objects.get(enrollment=enrollment, lesson=lesson)


def complete_lesson(
    enrollment: Enrollment,
    lesson: LessonPage,
    *,
    when: datetime | None = None,
    session: Mapping | None = None,
    by_package: bool = False,
) -> LessonProgress:
    """Mark `lesson` complete ("completed"); completes the course after its last lesson.

    A package lesson is completed by its package only (`by_package`, from
    learning/launches/results.py): CompletedByPackage otherwise.
    """
    when = when or timezone.now()
    with transaction.atomic():
        enrollment = _lock(enrollment)
        lesson = _lesson_of(enrollment, lesson, session)
        if getattr(lesson, "completed_by_package", False) and not by_package:
            raise CompletedByPackage
        progress = LessonProgress.objects.filter(
            enrollment=enrollment, lesson=lesson
        ).first()
        if progress and progress.completed_at:
            raise AlreadyCompleted
        _record(
            build_statement(
                user=enrollment.user,
                verb=vocabulary.COMPLETED,
                obj=activity("lesson", lesson),
                when=when,
                registration=enrollment.pk,
                parent=activity("course", enrollment.course, with_definition=False),
                language=_language(),
                completion=True,
            )
        )
        if not enrollment.is_completed and course_requirements_met(enrollment):
            complete_course(enrollment, when=when)
        return LessonProgress.objects.get(enrollment=enrollment, lesson=lesson)


def course_requirements_met(enrollment: Enrollment) -> bool:
    """The completion rule (learning/completion.py), read from the database."""
    return requirements_met(enrollment)


def complete_course(
    enrollment: Enrollment, *, when: datetime | None = None
) -> Enrollment:
    """Record the course "completed" with its duration; requirements must be met."""
    when = when or timezone.now()
    with transaction.atomic():
        enrollment = _lock(enrollment)
        if enrollment.is_completed:
            raise CourseAlreadyCompleted
        if not course_requirements_met(enrollment):
            raise CourseNotFinished
        _record(
            build_statement(
                user=enrollment.user,
                verb=vocabulary.COMPLETED,
                obj=activity("course", enrollment.course),
                when=when,
                registration=enrollment.pk,
                language=_language(),
                completion=True,
                success=True,
                score=_course_score_tuple(enrollment),
                duration=when - enrollment.enrolled_at,
            )
        )
        # The certificate job runs once the completion is committed (never before).
        transaction.on_commit(lambda: schedule_issuance(enrollment.pk), robust=True)
        enrollment.refresh_from_db()
        return enrollment


def course_score(enrollment: Enrollment) -> float | None:
    """Mean of the best scores of the required quizzes (0 to 1), None without quiz."""
    best: dict[int, float] = {}
    for quiz_id, score in enrollment.quiz_attempts.filter(
        passed=True, quiz__required=True
    ).values_list("quiz_id", "score"):
        best[quiz_id] = max(best.get(quiz_id, 0.0), score)
    return round(sum(best.values()) / len(best), 4) if best else None


def _course_score_tuple(enrollment: Enrollment) -> tuple[float, float, float] | None:
    score = course_score(enrollment)
    return None if score is None else (score, 0.0, 1.0)
