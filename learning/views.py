"""Thin views over the learner-journey domain functions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from courses.models import CoursePage, LessonPage
from courses.outline import canonical_id, outline_by_id

from . import progress
from .completion import completion, done_step_ids
from .dashboard import learner_dashboard
from .exceptions import (
    AlreadyCompleted,
    AlreadyEnrolled,
    LearningError,
    LessonNotAvailable,
    NotEnrolled,
    PageRestricted,
)
from .models import Enrollment
from .navigation import localized, localized_step, resume_url


def restricted(request, error: PageRestricted, page):
    """A view restriction refused the action: the page (it asks for the shared
    password), or 403 for a group or log-in restriction."""
    if error.password:
        return HttpResponseRedirect(page.url)
    return render(
        request, "learning/restricted.html", {"message": error.message}, status=403
    )


@login_required
@require_POST
def start_course(request, course_id: int):
    course = get_object_or_404(CoursePage.objects.live(), pk=course_id)
    try:
        enrollment = progress.enrol(request.user, course, session=request.session)
    except AlreadyEnrolled:
        enrollment = Enrollment.objects.get(
            user=request.user, course=progress.canonical_page(course)
        )
    except PageRestricted as error:
        return restricted(request, error, course)
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
        progress.complete_lesson(enrollment, lesson, session=request.session)
    except AlreadyCompleted as error:
        messages.info(request, error.message)
    except PageRestricted as error:
        return restricted(request, error, lesson)
    except LessonNotAvailable as error:  # e.g. its course was unpublished
        raise Http404 from error
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
    if enrollment.is_completed:
        return HttpResponseRedirect(localized(course).url)
    # "Continue": the next lesson or required quiz still to do (the rule's order).
    rule = completion(outline_by_id(course.pk), done_step_ids(enrollment))
    step = rule.next_after(canonical_id(lesson))
    return HttpResponseRedirect(
        localized_step(step).url if step else localized(course).url
    )


@login_required
def my_learning(request):
    return render(request, "learning/my_learning.html", learner_dashboard(request.user))
