"""Previews show a course as it will be once published, drafts included.

Wagtail renders a preview with the page's `get_preview_context()`, on a copy of
the page built from the editor's form (or its latest revision, for "view
draft"), with `request.is_preview` set. The public pages read the published
structure (courses/outline.py); a preview reads the latest revision of the
course and of each of its lessons and quizzes instead, links them to their own
previews (the admin's "view draft", which checks the editor's permissions) and
records nothing: no enrolment, no opening, no attempt, no statement.
"""

from django.urls import reverse
from wagtail.models import Page, Revision

from .outline import Outline, PageLink, Step


def is_preview(request) -> bool:
    return bool(getattr(request, "is_preview", False))


def preview_url(page: Page) -> str:
    """The address of the page's latest revision in the admin ("" before its first save)."""
    if page.pk is None:
        return ""
    return reverse("wagtailadmin_pages:view_draft", args=[page.pk])


def latest(pages: list[Page]) -> list[Page]:
    """Each (specific) page as its latest revision: one query for those with drafts."""
    pending = {
        page.latest_revision_id: page
        for page in pages
        if page.has_unpublished_changes and page.latest_revision_id
    }
    contents = dict(
        Revision.objects.filter(pk__in=pending).values_list("pk", "content")
        if pending
        else ()
    )
    return [
        page.with_content_json(contents[page.latest_revision_id])
        if page.latest_revision_id in contents
        else page
        for page in pages
    ]


def draft_course(page: Page) -> Page:
    """The course of a lesson or quiz, as its latest revision."""
    course = page.get_parent().specific
    return latest([course])[0]


def draft_children(course: Page, *, current: Page | None = None) -> list[Page]:
    """The course's lessons and quizzes as their latest revisions, in the trainer's
    order (drafts and never-published pages included); `current`, the page being
    previewed (maybe not saved yet), stands in its own place."""
    from .models import LessonPage, QuizPage

    children = []
    if course.path:
        children = latest(
            list(
                Page.objects.child_of(course)
                .type(LessonPage, QuizPage)
                .order_by("path")
                .specific()
            )
        )
    if current is not None:
        if current.pk:
            children = [child for child in children if child.pk != current.pk]
        children.append(current)
        children.sort(key=lambda child: child.path)
    return children


def draft_outline(course: Page, children: list[Page]) -> Outline:
    """An outline of the draft course whose links lead to the other previews."""
    from .models import QuizPage

    return Outline(
        course=PageLink(course.pk, course.title, preview_url(course)),
        canonical_course_id=course.pk,
        steps=tuple(
            Step(
                pk=child.pk,
                title=child.title,
                url=preview_url(child),
                canonical_id=child.pk,
                is_quiz=isinstance(child, QuizPage),
                required=getattr(child, "required", True),
            )
            for child in children
        ),
    )
