"""Where to send a learner: pages in their language, and where to resume."""

from wagtail.models import Locale, Page

from .models import Enrollment


def localized(page: Page) -> Page:
    """The page in the active language when translated and live, else as it is."""
    translation = page.get_translation_or_none(Locale.get_active())
    return (translation if translation and translation.live else page).specific


def resume_url(enrollment: Enrollment) -> str:
    """Where "continue" leads: the last lesson opened, else the first unfinished one."""
    lesson = enrollment.last_lesson
    if lesson is None or not lesson.live:
        done = set(
            enrollment.lesson_progress.filter(completed_at__isnull=False).values_list(
                "lesson_id", flat=True
            )
        )
        lessons = list(enrollment.course.lessons())
        lesson = next((item for item in lessons if item.pk not in done), None) or (
            lessons[0] if lessons else None
        )
    return localized(lesson or enrollment.course).url
