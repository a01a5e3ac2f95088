"""What "my learning" shows: courses in progress, completed, mandatory trainings."""

from dataclasses import dataclass

from wagtail.models import Locale

from courses.models import CoursePage

from .certificates.models import certificates_for
from .models import Enrollment
from .navigation import localized, resume_url


@dataclass
class CourseProgress:
    enrollment: Enrollment | None
    course: CoursePage
    completed_lessons: int
    total_lessons: int

    @property
    def percent(self) -> int:
        if self.enrollment and self.enrollment.is_completed:
            return 100
        if not self.total_lessons:
            return 0
        return round(100 * self.completed_lessons / self.total_lessons)

    @property
    def state(self) -> str:
        if self.enrollment is None:
            return "not_started"
        return "completed" if self.enrollment.is_completed else "in_progress"


def progress_for(enrollments: list[Enrollment]) -> list[CourseProgress]:
    """Steps (lessons and quizzes) done per enrolment, as the course page counts them."""
    from .journey import course_journey

    rows = []
    for enrollment in enrollments:
        journey = course_journey(enrollment.user, enrollment.course)
        rows.append(
            CourseProgress(
                enrollment,
                enrollment.course,
                len(journey.completed_lesson_ids),
                journey.total_lessons,
            )
        )
    return rows


def learner_dashboard(user) -> dict:
    """Context for the "my learning" page."""
    enrollments = list(Enrollment.objects.for_user(user))
    rows = progress_for(enrollments)
    for row in rows:
        row.course = localized(row.course)
        row.resume_url = resume_url(row.enrollment)
    enrolled_course_ids = {e.course_id for e in enrollments}
    default_locale = Locale.get_default()
    mandatory = [row for row in rows if row.enrollment.course.mandatory] + [
        CourseProgress(None, localized(course), 0, 0)
        for course in CoursePage.objects.live()
        .filter(mandatory=True, locale=default_locale)
        .exclude(pk__in=enrolled_course_ids)
    ]
    return {
        "in_progress": [row for row in rows if row.state == "in_progress"],
        "completed": [row for row in rows if row.state == "completed"],
        "mandatory": mandatory,
        "certificates": certificates_for(user),
    }
