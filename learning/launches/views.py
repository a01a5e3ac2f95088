"""The site's side of launching: the learner's launch form posts here, and the
player page frames the content origin (thin views over sessions.py)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from courses.packages.models import PackageLessonPage, PackageUnit
from learning.exceptions import (
    LearningError,
    LessonNotAvailable,
    NotEnrolled,
    PageRestricted,
)
from learning.models import Enrollment
from learning.navigation import localized
from learning.progress import canonical_page
from learning.views import restricted

from .cmi5 import FetchError, fetch_auth_token
from .models import LaunchMode
from .origin import content_origin
from .sessions import launch_url, start_session

# Modes a learner picks; Browse is for harnesses (the API).
LEARNER_MODES = {LaunchMode.NORMAL, LaunchMode.REVIEW}


@login_required
@require_POST
def launch_unit(request, lesson_id: int, unit_id: int):
    lesson = get_object_or_404(PackageLessonPage.objects.live(), pk=lesson_id)
    unit = get_object_or_404(PackageUnit, pk=unit_id)
    course = canonical_page(lesson.get_parent().specific)
    enrollment = Enrollment.objects.filter(user=request.user, course=course).first()
    if enrollment is None:
        messages.error(request, NotEnrolled.message)
        return render(
            request, "learning/not_enrolled.html", {"course": course}, status=403
        )
    mode = request.POST.get("mode", LaunchMode.NORMAL)
    if mode not in LEARNER_MODES:
        mode = LaunchMode.NORMAL
    try:
        session, token = start_session(
            enrollment,
            lesson,
            unit,
            mode=mode,
            return_url=request.build_absolute_uri(lesson.url),
            session=request.session,
        )
    except PageRestricted as error:
        return restricted(request, error, lesson)
    except LessonNotAvailable as error:
        raise Http404 from error
    except LearningError as error:
        messages.error(request, error.message)
        return HttpResponseRedirect(lesson.url)
    if unit.launch_method == "OwnWindow":  # cmi5: the AU wants the whole window
        return HttpResponseRedirect(launch_url(token))
    response = render(
        request,
        "launches/player.html",
        {
            "lesson": localized(lesson),
            "unit": unit,
            "session": session,
            "frame_url": launch_url(token),
        },
    )
    # The site's CSP lets frames come from https: only; add the content origin.
    response._csp_update = {"frame-src": [content_origin()]}
    return response


@csrf_exempt  # an AU posts it from the content origin, with no cookie
def fetch(request, token: str):
    """cmi5 fetch URL (section 8.2): POST once for the session's auth token."""
    if request.method == "OPTIONS":
        response = HttpResponse(status=204)
    elif request.method != "POST":
        response = JsonResponse(
            {"error-code": "3", "error-text": "the fetch URL takes POST"}, status=405
        )
    else:
        try:
            response = JsonResponse({"auth-token": fetch_auth_token(token)})
        except FetchError as error:
            response = JsonResponse(
                {"error-code": str(error.code), "error-text": error.text}, status=400
            )
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Allow-Methods"] = "POST, OPTIONS"
    response["Access-Control-Allow-Headers"] = "Content-Type"
    response["Cache-Control"] = "no-store"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response
