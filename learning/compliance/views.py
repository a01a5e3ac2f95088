"""Managers' dashboard at /compliance/: thin views over `dashboard` and `exports`."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from courses.models import CoursePage
from learning.exceptions import AlreadyEnrolled, AlreadyRemindedToday, LearningError

from . import actions, exports, placement
from .dashboard import (
    STATUS_ORDER,
    NotAManager,
    OutOfScope,
    build_overview,
    person_history,
)
from .models import OrgUnit, Requirement
from .schedule import reminder_schedule
from .scope import manager_scope

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _filters(request) -> dict:
    unit = request.GET.get("unit") or None
    try:
        unit_id = int(unit) if unit else None
    except ValueError:
        unit_id = None
    return {
        "unit_id": unit_id,
        "requirement_slug": request.GET.get("requirement") or None,
        "status": request.GET.get("status") or None,
        "sort": request.GET.get("sort") or "name",
        "search": request.GET.get("q") or "",
    }


def _overview(request, **overrides):
    try:
        return build_overview(request.user, **{**_filters(request), **overrides})
    except NotAManager as error:
        raise PermissionDenied from error
    except OutOfScope as error:
        raise PermissionDenied from error


#: Past any real list, and an OFFSET every database takes: a larger page number
#: shows the last page, as any page past the end does.
MAX_PAGE = 10**9


def _page_number(request) -> int:
    try:
        number = int(request.GET.get("page") or 1)
    except ValueError:
        return 1
    return min(max(1, number), MAX_PAGE)


@login_required
def dashboard(request):
    number = _page_number(request)
    overview = _overview(request, page=number)
    page = Paginator(overview.people, settings.COMPLIANCE_PAGE_SIZE).get_page(number)
    # People to place: a constant number of queries, whatever their number.
    awaiting = list(placement.requests_for(overview.scope)[: placement.LIST_LIMIT + 1])
    unplaced = list(
        placement.unplaced_people(overview.scope)[: placement.LIST_LIMIT + 1]
    )
    query = request.GET.copy()
    query.pop("page", None)
    sort_query = query.copy()
    sort_query.pop("sort", None)
    return render(
        request,
        "compliance/dashboard.html",
        {
            "overview": overview,
            "page_obj": page,
            "statuses": STATUS_ORDER,
            "awaiting": awaiting[: placement.LIST_LIMIT],
            "awaiting_more": len(awaiting) > placement.LIST_LIMIT,
            "unplaced": unplaced[: placement.LIST_LIMIT],
            "unplaced_more": len(unplaced) > placement.LIST_LIMIT,
            "list_limit": placement.LIST_LIMIT,
            "query": query.urlencode(),
            "sort_query": sort_query.urlencode(),
            # Appended to the person links, so "back" returns to this view.
            "back": urlencode({"back": _kept_filters(request.GET)}),
            "sort_columns": [
                ("name", _("Name")),
                ("unit", _("Units")),
                ("requirement", _("Mandatory training")),
                ("status", _("Status")),
                ("valid_until", _("Valid until")),
                ("due_date", _("Due date")),
            ],
        },
    )


def _download(content: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


#: The CSV flavours by address: `export.csv` (comma) and `export.fr.csv`
#: (semicolon, for Excel set to French).
CSV_FORMATS = {"csv": exports.CSV, "fr.csv": exports.CSV_EXCEL_FR}


def _send(header, lines, *, stem: str, fmt: str, title: str) -> HttpResponse:
    """The rows as XLSX or one of the CSV flavours."""
    stamp = timezone.localdate().isoformat()
    if fmt == "xlsx":
        return _download(
            exports.to_xlsx(header, list(lines), title=title),
            f"{stem}-{stamp}.xlsx",
            XLSX,
        )
    if fmt in CSV_FORMATS:
        # Built chunk by chunk: rows are evaluated a few thousand at a time and
        # only the CSV text is kept. (Not a StreamingHttpResponse: callers,
        # the benchmark among them, read `response.content`.)
        suffix = "-excel-fr" if fmt == "fr.csv" else ""
        return _download(
            b"".join(exports.csv_chunks(header, lines, dialect=CSV_FORMATS[fmt])),
            f"{stem}-{stamp}{suffix}.csv",
            "text/csv; charset=utf-8",
        )
    raise Http404


@login_required
def export(request, fmt: str):
    """The person list of the current view (every page), as CSV or XLSX."""
    overview = _overview(request, counted=False)
    header = exports.person_header()
    lines = exports.person_lines(overview.people)
    return _send(header, lines, stem="compliance", fmt=fmt, title=_("Compliance"))


@login_required
def register(request, fmt: str):
    """The register: everyone in the viewer's units, every active requirement."""
    overview = _overview(
        request,
        requirement_slug=None,
        status=None,
        sort="name",
        search="",
        counted=False,
    )
    header = exports.person_header(register=True)
    lines = exports.person_lines(overview.people, register=True)
    return _send(header, lines, stem="register", fmt=fmt, title=_("Register"))


#: The dashboard's parameters a person page carries back to it.
BACK_KEYS = ("unit", "requirement", "status", "sort", "page", "q")


def _kept_filters(found: QueryDict) -> str:
    """The dashboard's own parameters of `found` (known keys only), encoded."""
    kept = QueryDict(mutable=True)
    for key in BACK_KEYS:
        value = found.get(key)
        if value:
            kept[key] = value[:200]
    return kept.urlencode()


def _back_query(data) -> str:
    """The dashboard filters to return to, from a `back` parameter."""
    return _kept_filters(QueryDict(data.get("back", "")[:1000]))


def _person_url(pseudonym, back: str) -> str:
    url = reverse("compliance:person", args=[pseudonym])
    return f"{url}?{urlencode({'back': back})}" if back else url


def _render_person(
    request, pseudonym, *, back: str, status: int = 200, insist_on: str = ""
):
    """The person page; `insist_on`: the requirement whose reminder button
    becomes "send another reminder anyway" (the daily run's went today)."""
    try:
        history = person_history(request.user, pseudonym)
    except NotAManager as error:
        raise PermissionDenied from error
    except OutOfScope as error:
        raise Http404 from error
    return render(
        request,
        "compliance/person.html",
        {
            "history": history,
            "rows": actions.standing_rows(history.person, history.standings),
            "schedule": reminder_schedule(),
            "insist_on": insist_on,
            "back": back,
            "dashboard_url": reverse("compliance:dashboard")
            + (f"?{back}" if back else ""),
        },
        status=status,
    )


@login_required
def person(request, pseudonym):
    return _render_person(request, pseudonym, back=_back_query(request.GET))


def _refused(request, pseudonym, message: str, *, status: int = 400, **extra):
    """The person page again, with why the action was refused (400)."""
    messages.error(request, message)
    return _render_person(
        request, pseudonym, back=_back_query(request.POST), status=status, **extra
    )


def _mail_failed(request, pseudonym):
    """The e-mail could not be sent: the action was rolled back (503)."""
    return _refused(
        request,
        pseudonym,
        _("The e-mail could not be sent, so nothing was done. Try again later."),
        status=503,
    )


def _done(request, pseudonym, message: str):
    messages.success(request, message)
    return redirect(_person_url(pseudonym, _back_query(request.POST)))


def _person_and_requirement(request, pseudonym):
    """The person (in the viewer's scope) and the active requirement posted, or
    None for an unknown requirement; 403 for non-managers, 404 outside the scope."""
    scope = manager_scope(request.user)
    if not scope:
        raise PermissionDenied
    person = scope.people(get_user_model().objects.filter(pseudonym=pseudonym)).first()
    if person is None:
        raise Http404
    requirement = Requirement.objects.filter(
        # A NUL is never in a slug; PostgreSQL would refuse the query with a 500.
        active=True,
        slug=request.POST.get("requirement", "")[:80].replace("\x00", ""),
    ).first()
    return person, requirement


def _already_reminded(person, requirement, sent) -> str:
    """Why no second reminder goes today: who sent the first one, and when."""
    if sent is None:
        return str(AlreadyRemindedToday.message)
    names = {
        "title": requirement.title,
        "name": person,
        "time": time_format(timezone.localtime(sent.sent_at), "TIME_FORMAT"),
        "manager": sent.sent_by,
    }
    if sent.manual and sent.sent_by:
        message = _(
            "A reminder about “%(title)s” was already sent to %(name)s today at "
            "%(time)s, by hand by %(manager)s. The next one can be sent tomorrow."
        )
    elif sent.manual:
        message = _(
            "A reminder about “%(title)s” was already sent to %(name)s today at "
            "%(time)s, by hand. The next one can be sent tomorrow."
        )
    else:
        message = _(
            "A reminder about “%(title)s” was already sent to %(name)s today at "
            "%(time)s, by the daily run. Send another one only if it is needed, "
            "with “Send another reminder anyway”."
        )
    return message % names


@login_required
@require_POST
def remind(request, pseudonym):
    """Send a person a reminder about one requirement now."""
    person, requirement = _person_and_requirement(request, pseudonym)
    if requirement is None:
        return _refused(request, pseudonym, _("Unknown mandatory training."))
    try:
        actions.send_reminder_now(
            request.user,
            person,
            requirement,
            after_daily_run=request.POST.get("after_daily_run") == "1",
        )
    except OutOfScope as error:
        raise Http404 from error
    except OSError:  # smtplib's errors included
        return _mail_failed(request, pseudonym)
    except AlreadyRemindedToday as error:
        # 409 with the button to insist when only the daily run's went today.
        return _refused(
            request,
            pseudonym,
            _already_reminded(person, requirement, error.sent),
            status=409 if error.may_insist else 400,
            insist_on=requirement.slug if error.may_insist else "",
        )
    except LearningError as error:
        return _refused(request, pseudonym, error.message)
    return _done(
        request,
        pseudonym,
        _("Reminder about “%(title)s” sent to %(name)s (%(email)s).")
        % {"title": requirement.title, "name": person, "email": person.email},
    )


@login_required
@require_POST
def enrol(request, pseudonym):
    """Enrol a person in a course of one requirement (or reopen it for renewal)."""
    person, requirement = _person_and_requirement(request, pseudonym)
    if requirement is None:
        return _refused(request, pseudonym, _("Unknown mandatory training."))
    course_id = request.POST.get("course", "")
    course = (
        CoursePage.objects.filter(pk=int(course_id)).first()
        if course_id.isdigit() and len(course_id) <= 18
        else None
    )
    if course is None:
        return _refused(request, pseudonym, _("Unknown course."))
    try:
        enrollment = actions.enrol_for_requirement(
            request.user, person, requirement, course
        )
    except OutOfScope as error:
        raise Http404 from error
    except OSError:  # smtplib's errors included
        return _mail_failed(request, pseudonym)
    except AlreadyEnrolled:
        return _refused(
            request,
            pseudonym,
            _("%(name)s is already enrolled in this training.") % {"name": person},
        )
    except LearningError as error:
        return _refused(request, pseudonym, error.message)
    names = {"name": person, "course": enrollment.course.localized.title}
    message = (
        _("%(name)s is enrolled in “%(course)s” and has been told by e-mail.")
        if person.email
        else _("%(name)s is enrolled in “%(course)s”.")
    )
    return _done(request, pseudonym, message % names)


def _decide(request, pk: int, decide, message: str):
    """Confirm or refuse a request to join a unit, back to the dashboard."""
    try:
        decided = decide(request.user, pk)
    except NotAManager as error:
        raise PermissionDenied from error
    except OutOfScope as error:
        raise Http404 from error
    messages.success(
        request, message % {"name": decided.user, "unit": decided.unit.name}
    )
    back = _back_query(request.POST)
    return redirect(reverse("compliance:dashboard") + (f"?{back}" if back else ""))


@login_required
@require_POST
def confirm_request(request, pk: int):
    """A manager of the unit (or above) confirms a person's request to join it."""
    return _decide(
        request,
        pk,
        placement.confirm_request,
        _("%(name)s is now a member of %(unit)s."),
    )


@login_required
@require_POST
def refuse_request(request, pk: int):
    """A manager of the unit (or above) declines a person's request to join it."""
    return _decide(
        request,
        pk,
        placement.refuse_request,
        _("The request of %(name)s to join %(unit)s is declined."),
    )


@login_required
@require_POST
def place(request, pseudonym):
    """An administrator places a person in a unit (as a member)."""
    scope = manager_scope(request.user)
    if not scope.everything:
        raise PermissionDenied
    person = get_user_model().objects.filter(pseudonym=pseudonym).first()
    if person is None:
        raise Http404
    unit_id = request.POST.get("unit", "")
    unit = (
        OrgUnit.objects.filter(pk=int(unit_id)).first()
        if unit_id.isdigit() and len(unit_id) <= 18
        else None
    )
    if unit is None:
        return _refused(request, pseudonym, _("Choose a unit."))
    placement.place_person(request.user, person, unit)
    return _done(
        request,
        pseudonym,
        _("%(name)s is now a member of %(unit)s.")
        % {"name": person, "unit": unit.name},
    )
