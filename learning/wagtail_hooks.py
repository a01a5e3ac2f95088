"""Admin screens over the learner records: per-course analytics for trainers.

The analytics live in the Wagtail admin (not on the site) because the people who
read them are the ones who edit the course: a user sees a course's figures when
they may edit that course page (the trainers' group has edit rights on the page
tree, see `cms/roles.py`), and superusers see everything. A manager who may not
edit the course reads the figures of the people of their units only
(`learning.compliance.scope.manager_scope`); others get a 403, and learners
never reach the admin.

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
from learning.compliance.scope import is_manager, manager_scope
from learning.models import Enrollment, EnrollmentStatus
from learning.projection import canonical_page
from learning.spreadsheets import csv_text

EDIT_ACTIONS = {"change", "publish"}


# -- who may read the figures ------------------------------------------------


def can_read_analytics(user) -> bool:
    """Superusers, anyone who may edit some page (trainers) and managers."""
    return user.is_active and (
        PagePermissionPolicy().user_has_any_permission(user, EDIT_ACTIONS)
        or is_manager(user)
    )


def _with_counts(courses, enrolments=None):
    """Enrolled and completed counts, of `enrolments` only when given."""
    among = Q() if enrolments is None else Q(enrollments__in=enrolments)
    return courses.annotate(
        enrolled=Count("enrollments", filter=among),
        completed=Count(
            "enrollments",
            filter=among & Q(enrollments__status=EnrollmentStatus.COMPLETED),
        ),
    )


def readable_courses(user) -> list:
    """The canonical courses `user` reads, with enrolment counts: every learner's
    for a course they may edit, otherwise those of the people they manage."""
    editable = PagePermissionPolicy().instances_user_has_any_permission_for(
        user, EDIT_ACTIONS
    )
    canonical = CoursePage.objects.filter(locale=Locale.get_default())
    courses = list(_with_counts(canonical.filter(pk__in=editable.values("pk"))))
    scope = manager_scope(user)
    if scope:
        enrolments = scope.about_people(Enrollment.objects.all(), "user")
        courses += _with_counts(
            canonical.exclude(pk__in=editable.values("pk")).filter(
                pk__in=enrolments.values("course")
            ),
            enrolments,
        )
    return sorted(courses, key=lambda course: course.title)


def _course_for(request, pk: int):
    """The course and whose figures `request.user` reads: None for everyone's
    (an editor of the course), their people for a manager; 403 otherwise."""
    course = canonical_page(get_object_or_404(CoursePage, pk=pk))
    if course.permissions_for_user(request.user).can_edit():
        return course, None
    scope = manager_scope(request.user)
    if not scope:
        raise PermissionDenied
    return course, scope.people()


# -- pages ---------------------------------------------------------------------


class AnalyticsIndexView(WagtailAdminTemplateMixin, View):
    """The courses a trainer may read figures for."""

    template_name = "learning/admin/analytics_index.html"
    page_title = gettext_lazy("Analytics")
    header_icon = "table"

    def get(self, request):
        if not can_read_analytics(request.user):
            raise PermissionDenied
        courses = readable_courses(request.user)
        return self.render_to_response(self.get_context_data(courses=courses))

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]


class CourseAnalyticsView(WagtailAdminTemplateMixin, View):
    """Enrolments, funnel, quiz scores and item analysis of one course."""

    template_name = "learning/admin/course_analytics.html"
    header_icon = "table"

    def get(self, request, pk: int):
        self.course, learners = _course_for(request, pk)
        analytics = course_analytics(self.course, learners=learners)
        return self.render_to_response(
            self.get_context_data(
                analytics=analytics,
                course=self.course,
                scoped=learners is not None,
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


def _number(value: float | None, digits: int = 4):
    return "" if value is None else round(value, digits)


def _csv_response(filename: str, rows) -> HttpResponse:
    """A UTF-8 CSV with a byte-order mark, which Excel needs to read accents."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow([csv_text(value) for value in row])
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
    course, learners = _course_for(request, pk)
    return _csv_response(
        f"analytics-{course.slug}-funnel.csv",
        funnel_rows(course_analytics(course, learners=learners)),
    )


def questions_csv(request, pk: int):
    course, learners = _course_for(request, pk)
    return _csv_response(
        f"analytics-{course.slug}-questions.csv",
        question_rows(course_analytics(course, learners=learners)),
    )


# -- registration --------------------------------------------------------------

urlpatterns = [
    path("", AnalyticsIndexView.as_view(), name="index"),
    path("courses/<id:pk>/", CourseAnalyticsView.as_view(), name="course"),
    path("courses/<id:pk>/funnel.csv", funnel_csv, name="funnel_csv"),
    path("courses/<id:pk>/questions.csv", questions_csv, name="questions_csv"),
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
