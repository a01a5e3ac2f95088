"""Thin views over the learner-journey domain functions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from courses.models import CoursePage, LessonPage

from . import progress
from .dashboard import learner_dashboard
from .exceptions import AlreadyCompleted, AlreadyEnrolled, LearningError, NotEnrolled
from .models import Enrollment
from .navigation import localized, resume_url


@login_required
@require_POST
def start_course(request, course_id: int):
    course = get_object_or_404(CoursePage.objects.live(), pk=course_id)
    try:
        enrollment = progress.enrol(request.user, course)
    except AlreadyEnrolled:
        enrollment = Enrollment.objects.get(
            user=request.user, course=progress.canonical_page(course)
        )
    except LearningError as error:
        messages.error(request, error.message)
        return HttpResponseRedirect(course.url)
    return HttpResponseRedirect(resume_url(enrollment))


@login_required
@require_POST
def complete_lesson(request, lesson_id: int):
    lesson = get_object_or_404(LessonPage.objects.live(), pk=lesson_id)
    course = progress.canonical_page(lesson.get_parent().specific)
    enrollment = Enrollment.objects.filter(user=request.user, course=course).first()
    if enrollment is None:
        messages.error(request, NotEnrolled.message)
        return render(
            request, "learning/not_enrolled.html", {"course": course}, status=403
        )
    was_completed = enrollment.is_completed
    try:
        progress.complete_lesson(enrollment, lesson)
    except AlreadyCompleted as error:
        messages.info(request, error.message)
    except LearningError as error:
        messages.error(request, error.message)
        return HttpResponseRedirect(lesson.url)
    enrollment.refresh_from_db()
    if enrollment.is_completed and not was_completed:
        messages.success(
            request,
            gettext("Congratulations, you have completed “%(course)s”!")
            % {"course": lesson.get_parent().title},
        )
        return HttpResponseRedirect(localized(course).url)
    next_lesson = _next_lesson(lesson)
    return HttpResponseRedirect(
        next_lesson.url if next_lesson else localized(course).url
    )


def _next_lesson(lesson: LessonPage):
    return (
        LessonPage.objects.live()
        .sibling_of(lesson, inclusive=False)
        .filter(path__gt=lesson.path)
        .order_by("path")
        .first()
    )


@login_required
def my_learning(request):
    return render(request, "learning/my_learning.html", learner_dashboard(request.user))
