"""The learner's journey as the course and lesson pages show it."""

from dataclasses import dataclass, field

from courses.models import CoursePage, LessonPage

from .models import Enrollment
from .navigation import resume_url
from .progress import canonical_page, open_lesson


@dataclass
class Journey:
    """Read-only: the learner's enrolment in a course and what they completed."""

    enrollment: Enrollment | None = None
    completed_lesson_ids: set[int] = field(default_factory=set)
    total_lessons: int = 0
    resume_url: str = ""

    @property
    def percent(self) -> int:
        if self.enrollment and self.enrollment.is_completed:
            return 100
        if not self.total_lessons:
            return 0
        return round(100 * len(self.completed_lesson_ids) / self.total_lessons)

    def is_completed(self, lesson: LessonPage) -> bool:
        return canonical_page(lesson).pk in self.completed_lesson_ids


def _enrollment(user, course: CoursePage) -> Enrollment | None:
    if not user.is_authenticated:
        return None
    return (
        Enrollment.objects.filter(user=user, course=canonical_page(course))
        .select_related("course", "last_lesson")
        .first()
    )


def course_journey(user, course: CoursePage) -> Journey:
    enrollment = _enrollment(user, course)
    if enrollment is None:
        return Journey()
    course = enrollment.course
    steps = set(course.lessons().values_list("pk", flat=True)) | set(
        course.quizzes().values_list("pk", flat=True)
    )
    completed = set(
        enrollment.lesson_progress.filter(completed_at__isnull=False).values_list(
            "lesson_id", flat=True
        )
    ) | set(
        enrollment.quiz_attempts.filter(passed=True).values_list("quiz_id", flat=True)
    )
    return Journey(
        enrollment=enrollment,
        completed_lesson_ids=completed & steps,
        total_lessons=len(steps),
        resume_url=resume_url(enrollment),
    )


def record_lesson_opened(user, lesson: LessonPage) -> None:
    """Record the opening of a lesson for an enrolled learner (others just read)."""
    enrollment = _enrollment(user, lesson.get_parent().specific)
    if enrollment is not None:
        open_lesson(enrollment, lesson)
