"""Admin screens over the learner records: per-course analytics for trainers.

The analytics live in the Wagtail admin (not on the site) because the people who
read them are the ones who edit the course: a user sees a course's figures when
they may edit that course page (the trainers' group has edit rights on the page
tree, see `cms/roles.py`), and superusers see everything. Managers, who have
admin access but no page rights, get a 403; learners never reach the admin.

Admin URLs come from the `register_admin_urls` hook, so they inherit Wagtail's
`require_admin_access` check:
https://docs.wagtail.org/en/stable/reference/hooks.html#register-admin-urls
"""

import csv
import io

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import include, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.models import Locale
from wagtail.permission_policies.pages import PagePermissionPolicy

from courses.models import CoursePage
from learning.analytics.course_analytics import (
    LESSON,
    MIN_ATTEMPTS_FOR_DISCRIMINATION,
    CourseAnalytics,
    course_analytics,
)
from learning.models import EnrollmentStatus
from learning.projection import canonical_page

EDIT_ACTIONS = {"change", "publish"}


# -- who may read the figures ------------------------------------------------


def can_read_analytics(user) -> bool:
    """Superusers and anyone who may edit some page (trainers)."""
    return user.is_active and PagePermissionPolicy().user_has_any_permission(
        user, EDIT_ACTIONS
    )


def readable_courses(user):
    """The canonical courses whose page `user` may edit, with enrolment counts."""
    editable = PagePermissionPolicy().instances_user_has_any_permission_for(
        user, EDIT_ACTIONS
    )
    return (
        CoursePage.objects.filter(
            locale=Locale.get_default(), pk__in=editable.values("pk")
        )
        .annotate(
            enrolled=Count("enrollments"),
            completed=Count(
                "enrollments",
                filter=Q(enrollments__status=EnrollmentStatus.COMPLETED),
            ),
        )
        .order_by("title")
    )


def _course_for(request, pk: int) -> CoursePage:
    course = canonical_page(get_object_or_404(CoursePage, pk=pk))
    if not course.permissions_for_user(request.user).can_edit():
        raise PermissionDenied
    return course


# -- pages ---------------------------------------------------------------------


class AnalyticsIndexView(WagtailAdminTemplateMixin, View):
    """The courses a trainer may read figures for."""

    template_name = "learning/admin/analytics_index.html"
    page_title = gettext_lazy("Analytics")
    header_icon = "table"

    def get(self, request):
        if not can_read_analytics(request.user):
            raise PermissionDenied
        courses = list(readable_courses(request.user))
        return self.render_to_response(self.get_context_data(courses=courses))

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]


class CourseAnalyticsView(WagtailAdminTemplateMixin, View):
    """Enrolments, funnel, quiz scores and item analysis of one course."""

    template_name = "learning/admin/course_analytics.html"
    header_icon = "table"

    def get(self, request, pk: int):
        self.course = _course_for(request, pk)
        analytics = course_analytics(self.course)
        return self.render_to_response(
            self.get_context_data(
                analytics=analytics,
                course=self.course,
                min_attempts=MIN_ATTEMPTS_FOR_DISCRIMINATION,
                funnel_csv_url=reverse("learning_analytics:funnel_csv", args=[pk]),
                questions_csv_url=reverse(
                    "learning_analytics:questions_csv", args=[pk]
                ),
            )
        )

    def get_page_title(self):
        return _("Analytics")

    def get_page_subtitle(self):
        return self.course.title

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("learning_analytics:index"), "label": _("Analytics")},
            {"url": "", "label": self.course.title},
        ]


# -- CSV downloads -------------------------------------------------------------


def _cell(value):
    """Keep spreadsheet software from reading a text cell as a formula."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _number(value: float | None, digits: int = 4):
    return "" if value is None else round(value, digits)


def _csv_response(filename: str, rows) -> HttpResponse:
    """A UTF-8 CSV with a byte-order mark, which Excel needs to read accents."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow([_cell(value) for value in row])
    response = HttpResponse(
        "\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def funnel_rows(analytics: CourseAnalytics):
    """The funnel table, ending with the course completion row."""
    yield [_("Step"), _("Type"), _("Title"), _("Learners"), _("Enrolled"), _("Share")]
    for position, step in enumerate(analytics.funnel, start=1):
        yield [
            position,
            _("lesson completed") if step.kind == LESSON else _("quiz passed"),
            step.title,
            step.learners,
            step.enrolled,
            _number(step.share),
        ]
    enrolments = analytics.enrolments
    yield [
        len(analytics.funnel) + 1,
        _("course completed"),
        analytics.course.title,
        enrolments.completed,
        enrolments.total,
        _number(enrolments.completion_rate),
    ]


def question_rows(analytics: CourseAnalytics):
    """One row per question of every quiz, hardest first within a quiz."""
    yield [
        _("Quiz"),
        _("Question id"),
        _("Pool"),
        _("Type"),
        _("Prompt"),
        _("Times asked"),
        _("Difficulty (share correct)"),
        _("Discrimination"),
    ]
    for quiz in analytics.quizzes:
        for question in quiz.questions:
            yield [
                quiz.title,
                question.question_id,
                question.pool,
                question.type,
                question.prompt,
                question.times_asked,
                _number(question.difficulty),
                _number(question.discrimination),
            ]


def funnel_csv(request, pk: int):
    course = _course_for(request, pk)
    return _csv_response(
        f"analytics-{course.slug}-funnel.csv", funnel_rows(course_analytics(course))
    )


def questions_csv(request, pk: int):
    course = _course_for(request, pk)
    return _csv_response(
        f"analytics-{course.slug}-questions.csv",
        question_rows(course_analytics(course)),
    )


# -- registration --------------------------------------------------------------

urlpatterns = [
    path("", AnalyticsIndexView.as_view(), name="index"),
    path("courses/<int:pk>/", CourseAnalyticsView.as_view(), name="course"),
    path("courses/<int:pk>/funnel.csv", funnel_csv, name="funnel_csv"),
    path("courses/<int:pk>/questions.csv", questions_csv, name="questions_csv"),
]


@hooks.register("register_admin_urls")
def register_analytics_urls():
    return [
        path(
            "analytics/",
            include(
                (urlpatterns, "learning_analytics"), namespace="learning_analytics"
            ),
        )
    ]


class AnalyticsMenuItem(MenuItem):
    def is_shown(self, request):
        return can_read_analytics(request.user)


@hooks.register("register_admin_menu_item")
def register_analytics_menu_item():
    return AnalyticsMenuItem(
        gettext_lazy("Analytics"),
        reverse("learning_analytics:index"),
        name="analytics",
        icon_name="table",
        order=300,
    )
