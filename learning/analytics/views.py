"""Administrators download the learning-records export: request it, watch it, fetch it.

The export holds every statement of the LRS, those of external clients whose
actors are no account of ours included, so it cannot be cut along the units
of a manager: it is reserved to administrators (`manager_scope(...).everything`).
Managers have their units' register at /compliance/register.csv|xlsx.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from learning.compliance.scope import manager_scope

from .models import RecordsExport, RecordsExportStatus
from .web_exports import request_records_export


def _check_access(user) -> None:
    if not manager_scope(user).everything:
        raise PermissionDenied


@login_required
@require_http_methods(["GET", "POST"])
def records_exports(request):
    """The recent exports, and the button that starts a new one."""
    _check_access(request.user)
    if request.method == "POST":
        export = request_records_export(by=request.user)
        return HttpResponseRedirect(
            reverse("learning:records_export", kwargs={"export_id": export.pk})
        )
    exports = RecordsExport.objects.select_related("requested_by")[:10]
    return render(request, "analytics/records_exports.html", {"exports": exports})


@login_required
def records_export(request, export_id):
    """Progress of one export (JSON with ?format=json for the page's polling)."""
    _check_access(request.user)
    export = get_object_or_404(RecordsExport, pk=export_id)
    if request.GET.get("format") == "json":
        return JsonResponse(
            {
                "status": export.status,
                "status_display": str(export.get_status_display()),
                "done": export.done,
                "total": export.total,
                "percent": export.percent,
            }
        )
    return render(request, "analytics/records_export.html", {"export": export})


@login_required
def records_export_download(request, export_id):
    _check_access(request.user)
    export = get_object_or_404(RecordsExport, pk=export_id)
    if export.status != RecordsExportStatus.DONE or not export.file:
        raise Http404
    return FileResponse(
        export.file.open("rb"),
        as_attachment=True,
        filename=f"learning-records-{export.requested_at:%Y%m%d-%H%M}.h5",
        content_type="application/x-hdf5",
    )
