"""Where to send a learner: pages in their language, and where to resume."""

from dataclasses import replace

from wagtail.models import Locale, Page

from courses.outline import Step, localized_link, outline_by_id

from .completion import completion, done_step_ids
from .models import Enrollment


def localized(page: Page) -> Page:
    """The page in the active language when translated and live, else as it is."""
    translation = page.get_translation_or_none(Locale.get_active())
    return (translation if translation and translation.live else page).specific


def localized_step(step: Step) -> Step:
    """`step` with the title and URL of its translation in the active language."""
    link = localized_link(step.pk)
    return replace(step, pk=link.pk, title=link.title, url=link.url) if link else step


def resume_url(enrollment: Enrollment, done: set[int] | None = None) -> str:
    """Where "continue" leads: the first lesson or required quiz not yet done
    (the completion rule's next step); the first lesson once all is done.

    `done`: the canonical ids of the completed steps, when the caller has them.
    Reads the course's memoised outline, not the enrolment's page rows: building
    Wagtail page instances costs more than the rest of "my learning".
    """
    outline = outline_by_id(enrollment.course_id)
    if done is None:
        done = done_step_ids(enrollment)
    step = completion(outline, done, enrollment).next_step
    if step is None and outline and outline.steps:
        step = (outline.lessons or outline.steps)[0]
    link = localized_link(step.pk if step else enrollment.course_id)
    return link.url if link else enrollment.course.url
