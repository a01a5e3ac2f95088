"""The learner's journey as the course and lesson pages show it.

The course structure comes from the memoised outline (courses/outline.py); what
is per learner costs one query on a lesson page (the enrolment joined to its
progress), two on a course page (the enrolment, then its progress), plus the
certificate once the course is completed. What the completion rule says comes
from learning/completion.py.
"""

from dataclasses import dataclass, field
from functools import cached_property

from django.db.models import (
    BooleanField,
    ExpressionWrapper,
    F,
    FilteredRelation,
    Q,
    Value,
)

from courses.models import CoursePage, LessonPage
from courses.outline import (
    Outline,
    Step,
    canonical_id,
    outline_by_id,
    parent_outline,
)

from .completion import Completion, completion, issued_certificate
from .models import Enrollment
from .navigation import localized_step, resume_url
from .progress import open_lesson


@dataclass
class Journey:
    """Read-only: the learner's enrolment in a course and what they completed."""

    enrollment: Enrollment | None = None
    # Canonical ids of the completed lessons and passed quizzes of the course.
    completed_lesson_ids: set[int] = field(default_factory=set)
    # Canonical ids of the lessons with a progress row (opened at least once).
    opened_lesson_ids: set[int] = field(default_factory=set)
    outline: Outline | None = None  # the canonical course's

    @cached_property
    def completion(self) -> Completion:
        """The completion rule applied to this learner (learning/completion.py)."""
        return completion(self.outline, self.completed_lesson_ids, self.enrollment)

    @property
    def percent(self) -> int:
        return self.completion.percent

    @cached_property
    def missing(self) -> list[Step]:
        """What is still to do, in the active language (titles and links)."""
        return [localized_step(step) for step in self.completion.missing]

    @cached_property
    def certificate(self):
        """The certificate of this completion; None before it, or while on its way."""
        return issued_certificate(self.enrollment) if self.enrollment else None

    @cached_property
    def resume_url(self) -> str:
        if self.enrollment is None:
            return ""
        return resume_url(self.enrollment, done=self.completed_lesson_ids)

    def is_completed(self, lesson: LessonPage) -> bool:
        return canonical_id(lesson) in self.completed_lesson_ids


def _enrollment(user, course: CoursePage) -> Enrollment | None:
    if not user.is_authenticated:
        return None
    return (
        Enrollment.objects.filter(user=user, course_id=canonical_id(course))
        .select_related("course", "last_lesson")
        .first()
    )


def _journey(
    enrollment: Enrollment | None, outline: Outline | None = None, rows=None
) -> Journey:
    if enrollment is None:
        return Journey()
    outline = outline or outline_by_id(enrollment.course_id)
    steps = outline.step_ids if outline else set()
    rows = _progress_rows(enrollment) if rows is None else rows
    return Journey(
        enrollment=enrollment,
        completed_lesson_ids={pk for pk, done, _kind in rows if done} & steps,
        opened_lesson_ids={pk for pk, _done, kind in rows if kind == "lesson"},
        outline=outline,
    )


def _progress_rows(enrollment: Enrollment) -> list[tuple[int, bool, str]]:
    """(page id, done, "lesson" | "quiz"): lesson progress and passed quizzes, one query."""
    lessons = enrollment.lesson_progress.order_by().values_list(
        "lesson_id",
        ExpressionWrapper(Q(completed_at__isnull=False), output_field=BooleanField()),
        Value("lesson"),
    )
    quizzes = (
        enrollment.quiz_attempts.filter(passed=True)
        .order_by()
        .values_list("quiz_id", Value(True), Value("quiz"))
    )
    return list(lessons.union(quizzes, all=True))


def _enrollment_and_progress(user, outline: Outline):
    """The enrolment and its progress rows in one query (LEFT JOINs: one row per
    lesson progress and passed quiz combination, a handful)."""
    queryset = (
        Enrollment.objects.filter(user=user, course_id=outline.canonical_course_id)
        .order_by()
        .annotate(
            progress_lesson=F("lesson_progress__lesson_id"),
            progress_done=F("lesson_progress__completed_at"),
        )
    )
    if outline.has_quizzes:
        queryset = queryset.annotate(
            passed=FilteredRelation(
                "quiz_attempts", condition=Q(quiz_attempts__passed=True)
            ),
            passed_quiz=F("passed__quiz_id"),
        )
    found = list(queryset)
    if not found:
        return None, []
    rows = set()
    for row in found:
        if row.progress_lesson is not None:
            rows.add((row.progress_lesson, row.progress_done is not None, "lesson"))
        if getattr(row, "passed_quiz", None) is not None:
            rows.add((row.passed_quiz, True, "quiz"))
    return found[0], list(rows)


def course_journey(user, course: CoursePage) -> Journey:
    enrollment = _enrollment(user, course)
    if enrollment is None:  # the rule is still shown: the outline is enough
        return Journey(outline=outline_by_id(canonical_id(course)))
    return _journey(enrollment)


def lesson_journey(user, lesson: LessonPage, *, session=None) -> Journey:
    """The journey in the lesson's course, after recording the opening of the lesson.

    A reload of the current lesson is not a new launch (`open_lesson` would
    return without recording): it is recognised here without taking the lock.
    """
    outline = parent_outline(lesson)
    if outline is None or not getattr(user, "is_authenticated", False):
        return Journey()
    # No page rows joined: the course's structure is in the outline.
    canonical = outline_by_id(outline.canonical_course_id)
    enrollment, rows = _enrollment_and_progress(user, canonical or outline)
    journey = _journey(enrollment, canonical, rows)
    if enrollment is None:
        return journey
    step = outline.step(lesson.pk)
    lesson_id = step.canonical_id if step else canonical_id(lesson)
    reload = (
        enrollment.last_lesson_id == lesson_id
        and lesson_id in journey.opened_lesson_ids
    )
    if not reload:
        open_lesson(enrollment, lesson, session=session)
        enrollment = Enrollment.objects.get(pk=enrollment.pk)
        journey = _journey(enrollment, canonical)
    return journey
