"""The published structure of courses, memoised per content generation.

Lesson pages, "my learning" and the language switcher need the same facts on
every request: a course's live lessons and quizzes in order, their URLs and
titles, which page is the default-language (canonical) one, the translation in
the active language. They change only when content is published, so they are
computed once per content generation (cms/caching.py) and cost no query after.
Values are shared between requests: read-only.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.http import Http404
from django.utils.translation import get_language
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Locale, Page

from cms.caching import memo


@dataclass(frozen=True)
class PageLink:
    pk: int
    title: str
    url: str
    # The language of the title, for a link that can fall back to another
    # language's page (an untranslated course in "my learning"); "" if unknown.
    lang: str = field(default="", kw_only=True)


@dataclass(frozen=True)
class Step(PageLink):
    """A live lesson or quiz of a course."""

    canonical_id: int  # the default-language page: progress is recorded against it
    is_quiz: bool
    # A lesson always; a quiz when the trainer marked it required. What counts
    # towards completion is decided in learning/completion.py, not here.
    required: bool = True


@dataclass(frozen=True)
class Outline:
    """A course and its live steps (lessons and quizzes), in the trainer's order."""

    course: PageLink
    canonical_course_id: int
    steps: tuple[Step, ...]
    # Wagtail serves a live page below an unpublished one: its lessons and
    # quizzes are refused while the course is unpublished (require_live_course).
    course_live: bool = True

    @property
    def lessons(self) -> list[Step]:
        return [step for step in self.steps if not step.is_quiz]

    @property
    def step_ids(self) -> set[int]:
        """Canonical ids of the steps: what progress rows point at."""
        return {step.canonical_id for step in self.steps}

    @property
    def has_quizzes(self) -> bool:
        return any(step.is_quiz for step in self.steps)

    def step(self, page_id: int) -> Step | None:
        return next((step for step in self.steps if step.pk == page_id), None)


def _locale_ids() -> dict[str, int]:
    return dict(
        Locale.objects.values_list("language_code", "pk").order_by("language_code")
    )


def locale_id(language_code: str) -> int | None:
    try:
        code = get_supported_content_language_variant(language_code)
    except LookupError:
        return None
    return memo("locales", compute=_locale_ids).get(code)


def default_locale_id() -> int | None:
    return locale_id(settings.LANGUAGE_CODE)


def active_locale_id() -> int | None:
    return locale_id(get_language() or settings.LANGUAGE_CODE) or default_locale_id()


def _canonical_ids(pages) -> dict[int, int]:
    """Page id -> id of its default-language translation (itself when none)."""
    default = default_locale_id()
    result = {page.pk: page.pk for page in pages if page.locale_id == default}
    others = {page.translation_key: page.pk for page in pages if page.pk not in result}
    if others:
        rows = Page.objects.filter(
            translation_key__in=others, locale_id=default
        ).values_list("translation_key", "pk")
        for key, pk in rows:
            result[others[key]] = pk
    for page in pages:
        result.setdefault(page.pk, page.pk)
    return result


def canonical_id(page: Page) -> int:
    """The id of the default-language version of `page`."""
    if page.locale_id == default_locale_id():
        return page.pk
    return memo("canonical", page.pk, compute=lambda: _canonical_ids([page])[page.pk])


def _outline(course_path: str | None = None, pk: int | None = None) -> Outline | None:
    from .models import CoursePage, LessonPage, QuizPage

    courses = CoursePage.objects.all()
    course = (courses.filter(pk=pk) if pk else courses.filter(path=course_path)).first()
    if course is None:
        return None
    children = list(
        Page.objects.live().child_of(course).type(LessonPage, QuizPage).order_by("path")
    )
    canonical = _canonical_ids([course, *children])
    quiz_type = ContentType.objects.get_for_model(QuizPage).pk
    quiz_ids = [child.pk for child in children if child.content_type_id == quiz_type]
    # The default-language quiz says whether it is required: progress counts it.
    optional = set(
        QuizPage.objects.filter(
            pk__in=[canonical[pk] for pk in quiz_ids], required=False
        ).values_list("pk", flat=True)
        if quiz_ids
        else ()
    )
    steps = tuple(
        Step(
            pk=child.pk,
            title=child.title,
            url=child.url,
            canonical_id=canonical[child.pk],
            is_quiz=child.pk in quiz_ids,
            required=canonical[child.pk] not in optional,
        )
        for child in children
    )
    return Outline(
        course=PageLink(course.pk, course.title, course.url),
        canonical_course_id=canonical[course.pk],
        steps=steps,
        course_live=course.live,
    )


def outline_by_id(course_id: int) -> Outline | None:
    return memo("outline-id", course_id, compute=lambda: _outline(pk=course_id))


def parent_outline(page: Page) -> Outline | None:
    """The outline of the course `page` (a lesson or quiz) belongs to."""
    path = page.path[: -Page.steplen]
    return memo("outline", path, compute=lambda: _outline(path))


def require_live_course(page: Page, request) -> None:
    """Http404 for a lesson or quiz whose course is unpublished (previews excepted:
    trainers preview lessons before they publish the course)."""
    if getattr(request, "is_preview", False):
        return
    outline = parent_outline(page)
    if outline is None or not outline.course_live:
        raise Http404


def _localized_link(page_id: int, locale: int | None) -> PageLink | None:
    page = Page.objects.filter(pk=page_id).first()
    if page is None:
        return None
    if locale is not None and page.locale_id != locale:
        translation = (
            Page.objects.live()
            .filter(translation_key=page.translation_key, locale_id=locale)
            .first()
        )
        page = translation or page
    return PageLink(page.pk, page.title, page.url, lang=_language_code(page.locale_id))


def _language_code(locale_id: int) -> str:
    from .question_languages import locale_codes

    return locale_codes().get(locale_id, "")


def localized_link(page_id: int) -> PageLink | None:
    """Title and URL of the page in the active language when translated and live."""
    locale = active_locale_id()
    return memo(
        "localized", page_id, locale, compute=lambda: _localized_link(page_id, locale)
    )
