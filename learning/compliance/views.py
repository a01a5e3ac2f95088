"""Managers' dashboard at /compliance/: thin views over `dashboard` and `exports`."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from . import exports
from .dashboard import (
    STATUS_ORDER,
    NotAManager,
    OutOfScope,
    build_overview,
    person_history,
)

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
            "query": query.urlencode(),
            "sort_query": sort_query.urlencode(),
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


def _send(header, lines, *, stem: str, fmt: str, title: str) -> HttpResponse:
    """The rows as XLSX or CSV."""
    stamp = timezone.localdate().isoformat()
    if fmt == "xlsx":
        return _download(
            exports.to_xlsx(header, list(lines), title=title),
            f"{stem}-{stamp}.xlsx",
            XLSX,
        )
    if fmt == "csv":
        # Built chunk by chunk: rows are evaluated a few thousand at a time and
        # only the CSV text is kept. (Not a StreamingHttpResponse: callers,
        # the benchmark among them, read `response.content`.)
        return _download(
            b"".join(exports.csv_chunks(header, lines)),
            f"{stem}-{stamp}.csv",
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
        request, requirement_slug=None, status=None, sort="name", counted=False
    )
    header = exports.person_header(register=True)
    lines = exports.person_lines(overview.people, register=True)
    return _send(header, lines, stem="register", fmt=fmt, title=_("Register"))


@login_required
def person(request, pseudonym):
    try:
        history = person_history(request.user, pseudonym)
    except NotAManager as error:
        raise PermissionDenied from error
    except OutOfScope as error:
        raise Http404 from error
    return render(request, "compliance/person.html", {"history": history})
