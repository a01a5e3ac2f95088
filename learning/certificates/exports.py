"""ZIP exports of a course's certificates for managers, built by a background job.

A ZIP holds the certificates of the people the requester manages
(`manager_scope`, evaluated when the job runs: a manager who lost a unit in
between gets less, never more); only the requester (and administrators) see it.
Certificates withdrawn at their holder's request (account erased) are left out,
never rendered, and counted in the export's `skipped`.
"""

import io
import zipfile
from functools import partial

from django.core.files.base import ContentFile
from django.db import transaction

from cms.outages import QueueUnavailable, enqueue
from learning.compliance.scope import NOBODY, manager_scope

from .models import Certificate, CertificateExport, ExportStatus
from .pdf import ensure_pdf, pdf_name

PROGRESS_EVERY = 10  # rows written between progress updates


def request_export(course, *, by) -> CertificateExport:
    """Record the export and queue its job after the commit (QueueUnavailable,
    and no export left behind, when Redis is down)."""
    export = CertificateExport.objects.create(course=course, requested_by=by)
    transaction.on_commit(partial(_queue_build, export.pk))
    return export


def _queue_build(export_id: int) -> None:
    try:
        enqueue("certificates", build_export_job, export_id)
    except QueueUnavailable:
        CertificateExport.objects.filter(pk=export_id).delete()  # never pending
        raise


def visible_exports(user):
    """The exports `user` may follow and download: their own; administrators, all."""
    exports = CertificateExport.objects.all()
    scope = manager_scope(user)
    if scope.everything:
        return exports
    if not scope:
        return exports.none()
    return exports.filter(requested_by=user)


def build_export_job(export_id: int) -> str:
    """Write every certificate PDF of the course (rendering missing ones) into a
    ZIP, but for withdrawn ones (counted as skipped)."""
    export = CertificateExport.objects.select_related("course").get(pk=export_id)
    scope = manager_scope(export.requested_by) if export.requested_by else NOBODY
    found = list(
        scope.about_people(
            Certificate.objects.filter(course=export.course), "enrollment__user"
        ).order_by("issued_at", "pk")
    )
    certificates = [c for c in found if not c.is_withdrawn]
    CertificateExport.objects.filter(pk=export.pk).update(
        status=ExportStatus.RUNNING,
        total=len(certificates),
        done=0,
        skipped=len(found) - len(certificates),
    )
    try:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for number, certificate in enumerate(certificates, start=1):
                ensure_pdf(certificate)
                with certificate.pdf.open("rb") as handle:
                    archive.writestr(pdf_name(certificate), handle.read())
                if number % PROGRESS_EVERY == 0 or number == len(certificates):
                    CertificateExport.objects.filter(pk=export.pk).update(done=number)
        export.file.save(
            f"certificates-{export.course.slug}-{export.pk}.zip",
            ContentFile(buffer.getvalue()),
            save=False,
        )
        CertificateExport.objects.filter(pk=export.pk).update(
            file=export.file.name, status=ExportStatus.DONE
        )
    except Exception:
        CertificateExport.objects.filter(pk=export.pk).update(
            status=ExportStatus.FAILED
        )
        raise
    return export.file.name
