"""What "my learning" shows: courses in progress, completed, mandatory trainings.

A fixed number of queries whatever the number of enrolments: the enrolments,
their completed lessons, their passed quizzes, the certificates; course
structure, titles and URLs come from the memoised outlines (courses/outline.py).
"""

from dataclasses import dataclass, field

from cms.caching import memo
from courses.access import hidden_paths, is_hidden
from courses.models import CoursePage
from courses.outline import PageLink, default_locale_id, localized_link, outline_by_id

from .certificates.models import certificates_for
from .completion import completion
from .models import Enrollment, LessonProgress, QuizAttempt
from .navigation import resume_url


@dataclass
class CourseProgress:
    enrollment: Enrollment | None
    course: CoursePage | PageLink
    # What the completion rule counts: lessons and required quizzes, apart.
    lessons_done: int = 0
    lessons_total: int = 0
    quizzes_done: int = 0
    quizzes_total: int = 0
    resume_url: str = field(default="")

    @property
    def percent(self) -> int:
        if self.enrollment and self.enrollment.is_completed:
            return 100
        total = self.lessons_total + self.quizzes_total
        if not total:
            return 0
        return round(100 * (self.lessons_done + self.quizzes_done) / total)

    @property
    def state(self) -> str:
        if self.enrollment is None:
            return "not_started"
        return "completed" if self.enrollment.is_completed else "in_progress"


def _completed_by_enrollment(enrollments: list[Enrollment]) -> dict[int, set[int]]:
    """Enrolment id -> ids of its completed lessons and passed quizzes (1 query)."""
    ids = [enrollment.pk for enrollment in enrollments]
    done: dict[int, set[int]] = {pk: set() for pk in ids}
    if not ids:
        return done
    lessons = (
        LessonProgress.objects.filter(enrollment_id__in=ids, completed_at__isnull=False)
        .order_by()
        .values_list("enrollment_id", "lesson_id")
    )
    quizzes = (
        QuizAttempt.objects.filter(enrollment_id__in=ids, passed=True)
        .order_by()
        .values_list("enrollment_id", "quiz_id")
    )
    for enrollment_id, page_id in lessons.union(quizzes, all=True):
        done[enrollment_id].add(page_id)
    return done


def progress_for(enrollments: list[Enrollment]) -> list[CourseProgress]:
    """Steps that count (lessons, required quizzes) done per enrolment, as the
    course page counts them (learning/completion.py)."""
    done = _completed_by_enrollment(enrollments)
    rows = []
    for enrollment in enrollments:
        rule = completion(outline_by_id(enrollment.course_id), done[enrollment.pk])
        course = localized_link(enrollment.course_id) or enrollment.course
        row = CourseProgress(
            enrollment,
            course,
            lessons_done=rule.lessons_done,
            lessons_total=rule.lesson_count,
            quizzes_done=rule.quizzes_done,
            quizzes_total=rule.quiz_count,
        )
        row.done_ids = done[enrollment.pk]
        rows.append(row)
    return rows


def _mandatory_courses() -> list[tuple[int, str]]:
    """(id, tree path) of the live mandatory courses."""
    return list(
        CoursePage.objects.live()
        .filter(mandatory=True, locale_id=default_locale_id())
        .order_by("path")
        .values_list("pk", "path")
    )


def learner_dashboard(user) -> dict:
    """Context for the "my learning" page."""
    # Enrolment rows alone: titles, links and structure come from the outlines
    # (building the course and lesson page instances cost more than the rest).
    enrollments = list(Enrollment.objects.filter(user=user))
    rows = progress_for(enrollments)
    for row in rows:
        row.resume_url = resume_url(row.enrollment, done=row.done_ids)
    enrolled_course_ids = {e.course_id for e in enrollments}
    # Mandatory courses the learner may not view (view restrictions) are not
    # offered; those they are enrolled in stay listed.
    hidden = hidden_paths(user)
    mandatory_ids = [
        pk
        for pk, path in memo("mandatory-courses", compute=_mandatory_courses)
        if pk in enrolled_course_ids or not is_hidden(path, hidden)
    ]
    mandatory = [row for row in rows if row.enrollment.course_id in mandatory_ids] + [
        CourseProgress(None, localized_link(pk))
        for pk in mandatory_ids
        if pk not in enrolled_course_ids
    ]
    return {
        "in_progress": [row for row in rows if row.state == "in_progress"],
        "completed": [row for row in rows if row.state == "completed"],
        "mandatory": mandatory,
        "certificates": certificates_for(user),
    }
