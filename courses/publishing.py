"""Publishing a course with its lessons and quizzes in one action.

Wagtail publishes one page at a time; a course published without its lessons is
an empty course. `publish_course` publishes the latest revision of the course
and of each of its lessons and quizzes that has unpublished changes, with
Wagtail's own publish action (permission check, scheduled dates, log, signals,
workflow cancelled on publish), all in one transaction. An editor who may not
publish submits instead: the course and those pages enter their moderation
workflow, as Wagtail's "Submit for moderation" does for one page.
"""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from wagtail.actions.publish_page_revision import PublishPageRevisionAction
from wagtail.models import Page, WorkflowState


class CoursePublishingRefused(PermissionDenied):
    """The editor may neither publish nor submit one of the pages."""

    def __init__(self, page: Page, message):
        self.page = page
        self.message = message
        super().__init__(message)


@dataclass
class CourseRelease:
    """What `publish_course` or `submit_course` did, page by page."""

    course: Page
    done: list[Page] = field(default_factory=list)  # published, or submitted
    unchanged: list[Page] = field(default_factory=list)  # nothing new to publish

    @property
    def children_done(self) -> int:
        return sum(1 for page in self.done if page.pk != self.course.pk)


def pending_pages(course: Page) -> list[Page]:
    """The course and its lessons and quizzes (specific, in the trainer's order)."""
    from .models import LessonPage, QuizPage

    children = list(
        Page.objects.child_of(course)
        .type(LessonPage, QuizPage)
        .order_by("path")
        .specific()
    )
    return [course.specific, *children]


def _has_changes(page: Page) -> bool:
    return page.has_unpublished_changes or not page.live


def _may_publish(page: Page, user) -> bool:
    permissions = page.permissions_for_user(user)
    return permissions.can_publish() and not permissions.page_locked()


def _may_submit(page: Page, user) -> bool:
    permissions = page.permissions_for_user(user)
    return permissions.can_edit() and not permissions.page_locked()


def publish_course(course: Page, user) -> CourseRelease:
    """Publish the latest revision of the course and of each of its lessons and
    quizzes with unpublished changes; all or nothing."""
    release = CourseRelease(course=course)
    with transaction.atomic():
        for page in pending_pages(course):
            if not _has_changes(page):
                release.unchanged.append(page)
                continue
            if not _may_publish(page, user):
                raise CoursePublishingRefused(
                    page,
                    _("You may not publish “%(title)s”.") % {"title": page.title},
                )
            revision = page.latest_revision or page.save_revision(user=user)
            PublishPageRevisionAction(revision, user=user).execute()
            release.done.append(page)
    return release


def submit_course(course: Page, user) -> CourseRelease:
    """Submit the course and its lessons and quizzes with unpublished changes for
    moderation (their workflow), for an editor who may not publish; all or nothing."""
    release = CourseRelease(course=course)
    with transaction.atomic():
        for page in pending_pages(course):
            state = page.current_workflow_state
            if not _has_changes(page) or (
                state and state.status == WorkflowState.STATUS_IN_PROGRESS
            ):
                release.unchanged.append(page)  # already awaiting moderation
                continue
            workflow = page.get_workflow()
            if workflow is None or not _may_submit(page, user):
                raise CoursePublishingRefused(
                    page,
                    _("You may not submit “%(title)s” for moderation.")
                    % {"title": page.title},
                )
            if page.latest_revision is None:
                page.save_revision(user=user)
            if state and state.status == WorkflowState.STATUS_NEEDS_CHANGES:
                state.resume(user)
            else:
                workflow.start(page, user)
            release.done.append(page)
    return release
