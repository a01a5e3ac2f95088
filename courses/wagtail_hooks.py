"""Admin screens for course content: themes, question pools, the course's
"publish with its lessons and quizzes" action, and the editor's moderation button."""

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from wagtail import hooks
from wagtail.admin.action_menu import ActionMenuItem
from wagtail.admin.action_menu import (
    SubmitForModerationMenuItem as WagtailSubmitMenuItem,
)
from wagtail.admin.ui.tables import Column
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .markdown_preview import PREVIEW_URL_NAME, preview_markdown_view
from .models import CoursePage, QuestionPool, Theme
from .publishing import CoursePublishingRefused, publish_course, submit_course
from .quiz_admin import QuestionPoolChooserViewSet

PUBLISH_COURSE = "action-publish-course"
SUBMIT_COURSE = "action-submit-course"


class ThemeViewSet(SnippetViewSet):
    model = Theme
    icon = "tag"
    menu_label = _("Themes")
    menu_order = 210
    add_to_admin_menu = False
    list_display = ["name_fr", "name_en", "code", "position"]
    search_fields = ["name_fr", "name_en", "code"]


class QuestionPoolViewSet(SnippetViewSet):
    """Question banks trainers build and reuse across quizzes."""

    model = QuestionPool
    icon = "help"
    menu_label = _("Question pools")
    menu_order = 200
    add_to_admin_menu = True
    list_display = ["title", "code", Column("question_count", label=_("Questions"))]
    search_fields = ["title", "code"]
    chooser_viewset_class = QuestionPoolChooserViewSet


register_snippet(ThemeViewSet)
register_snippet(QuestionPoolViewSet)


@hooks.register("register_admin_urls")
def register_markdown_preview_url():
    """POST /admin/markdown/preview/: the Markdown fields' preview (JSON)."""
    return [
        path("markdown/preview/", preview_markdown_view, name=PREVIEW_URL_NAME),
    ]


class _CourseMenuItem(ActionMenuItem):
    """An action of the course editor's menu: saves the draft, then acts on the
    course and its lessons and quizzes (`release_course_with_children`)."""

    def is_shown(self, context):
        page = context.get("page")
        if context["view"] != "edit" or context["locked_for_user"]:
            return False
        if page is None or page.specific_class is not CoursePage:
            return False
        return self.allowed(self.get_user_page_permissions_tester(context))


class PublishCourseMenuItem(_CourseMenuItem):
    name = PUBLISH_COURSE
    label = _("Publish with its lessons and quizzes")
    icon_name = "upload"

    def allowed(self, permissions) -> bool:
        return permissions.can_publish()


class SubmitCourseMenuItem(_CourseMenuItem):
    """For editors who may not publish: the same, through moderation."""

    name = SUBMIT_COURSE
    label = _("Submit for moderation with its lessons and quizzes")
    icon_name = "resubmit"

    def allowed(self, permissions) -> bool:
        return not permissions.can_publish() and permissions.can_submit_for_moderation()


@hooks.register("register_page_action_menu_item")
def publish_course_menu_item():
    return PublishCourseMenuItem(order=35)


@hooks.register("register_page_action_menu_item")
def submit_course_menu_item():
    return SubmitCourseMenuItem(order=65)


class SubmitForModerationMenuItem(WagtailSubmitMenuItem):
    """Wagtail's "Submit to <workflow name>" puts data (the workflow's name, in the
    site's language) in the middle of an interface sentence: the button says what
    it does in the editor's language; the side panel names the workflow."""

    def get_context_data(self, parent_context):
        context = ActionMenuItem.get_context_data(self, parent_context)
        page = context.get("page")
        state = page.current_workflow_state if page and page.pk else None
        if state and state.status == state.STATUS_NEEDS_CHANGES:
            context["label"] = _("Submit again for moderation")
        else:
            context["label"] = _("Submit for moderation")
        return context


@hooks.register("construct_page_action_menu")
def translated_submit_menu_item(menu_items, request, context):
    for position, item in enumerate(menu_items):
        if type(item) is WagtailSubmitMenuItem:
            menu_items[position] = SubmitForModerationMenuItem(order=item.order)


@hooks.register("after_edit_page")
def release_course_with_children(request, page):
    """After the course's draft is saved: publish (or submit) it with its children."""
    action = next(
        (a for a in (PUBLISH_COURSE, SUBMIT_COURSE) if request.POST.get(a)), None
    )
    if action is None or page.specific_class is not CoursePage:
        return None
    release = publish_course if action == PUBLISH_COURSE else submit_course
    try:
        result = release(page, request.user)
    except CoursePublishingRefused as error:
        messages.error(request, error.message)
        return redirect("wagtailadmin_pages:edit", page.pk)
    count = result.children_done
    if action == PUBLISH_COURSE:
        message = ngettext(
            "“%(title)s” is published with %(count)s lesson or quiz.",
            "“%(title)s” is published with %(count)s lessons and quizzes.",
            count,
        )
    else:
        message = ngettext(
            "“%(title)s” is submitted for moderation with %(count)s lesson or quiz.",
            "“%(title)s” is submitted for moderation with %(count)s lessons and quizzes.",
            count,
        )
    messages.success(request, message % {"title": page.title, "count": count})
    return redirect("wagtailadmin_explore", page.pk)
