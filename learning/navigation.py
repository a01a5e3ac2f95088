"""Where to send a learner: pages in their language, and where to resume."""

from wagtail.models import Locale, Page

from courses.outline import localized_link, outline_by_id

from .models import Enrollment


def localized(page: Page) -> Page:
    """The page in the active language when translated and live, else as it is."""
    translation = page.get_translation_or_none(Locale.get_active())
    return (translation if translation and translation.live else page).specific


def resume_url(enrollment: Enrollment, done: set[int] | None = None) -> str:
    """Where "continue" leads: the last lesson opened, else the first unfinished one.

    `done`: the canonical ids of the completed steps, when the caller has them.
    Reads the course's memoised outline, not the enrolment's page rows: building
    Wagtail page instances costs more than the rest of "my learning".
    """
    outline = outline_by_id(enrollment.course_id)
    lessons = outline.lessons if outline else []
    if enrollment.last_lesson_id in {item.pk for item in lessons}:
        target = enrollment.last_lesson_id
    else:
        if done is None:
            done = set(
                enrollment.lesson_progress.filter(
                    completed_at__isnull=False
                ).values_list("lesson_id", flat=True)
            )
        first = next((item for item in lessons if item.pk not in done), None) or (
            lessons[0] if lessons else None
        )
        target = first.pk if first else enrollment.course_id
    link = localized_link(target)
    return link.url if link else enrollment.course.url
