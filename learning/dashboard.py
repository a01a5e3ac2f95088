"""What "my learning" shows: courses in progress, completed, mandatory trainings."""

from dataclasses import dataclass

from django.db.models import Count, Q
from wagtail.models import Locale

from courses.models import CoursePage, LessonPage

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
    """Lesson counts for several enrolments in two queries."""
    totals = {}
    for enrollment in enrollments:
        course = enrollment.course
        totals[course.pk] = LessonPage.objects.live().child_of(course).count()
    done = dict(
        Enrollment.objects.filter(pk__in=[e.pk for e in enrollments])
        .annotate(
            n=Count(
                "lesson_progress",
                filter=Q(
                    lesson_progress__completed_at__isnull=False,
                    lesson_progress__lesson__live=True,
                ),
            )
        )
        .values_list("pk", "n")
    )
    return [
        CourseProgress(e, e.course, done.get(e.pk, 0), totals.get(e.course_id, 0))
        for e in enrollments
    ]


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
    }
