"""Exports are kept `EXPORT_RETENTION_DAYS` days, then their files are deleted.

Certificate ZIPs and learning-records exports name people, and managers
download them at once. Every hour (learning/cron.py, started by `make worker`;
or `manage.py delete_expired_exports` from a system cron) the file of each
export requested longer ago than the retention period is deleted and the export
marked expired: the row stays, as the record of who exported what and when.
Files in the exports' folders that no export names (a job killed between
writing the file and recording it) go too, once as old. 0 days keeps everything.
"""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from learning.analytics.models import RecordsExport, RecordsExportStatus
from learning.certificates.models import CertificateExport, ExportStatus

EXPORTS: tuple[tuple[type[models.Model], str], ...] = (
    (CertificateExport, ExportStatus.EXPIRED),
    (RecordsExport, RecordsExportStatus.EXPIRED),
)


def _delete_orphans(model, cutoff) -> int:
    """Files of the model's export folder that no row names, older than `cutoff`."""
    field = model._meta.get_field("file")
    storage, folder = field.storage, field.upload_to.directory
    try:
        _folders, names = storage.listdir(folder)
    except FileNotFoundError:
        return 0
    named = set(model.objects.exclude(file="").values_list("file", flat=True))
    deleted = 0
    for name in (f"{folder}/{name}" for name in names):
        if name not in named and storage.get_modified_time(name) < cutoff:
            storage.delete(name)
            deleted += 1
    return deleted


def delete_expired_exports(*, now=None) -> int:
    """Delete the files of exports past the retention period; how many were deleted."""
    days = settings.EXPORT_RETENTION_DAYS
    if days <= 0:
        return 0
    cutoff = (now or timezone.now()) - timedelta(days=days)
    deleted = 0
    for model, expired in EXPORTS:
        for export in model.objects.filter(requested_at__lt=cutoff).exclude(file=""):
            export.file.storage.delete(export.file.name)
            model.objects.filter(pk=export.pk).update(file="", status=expired)
            deleted += 1
        deleted += _delete_orphans(model, cutoff)
    return deleted


def delete_expired_exports_job() -> int:
    """The hourly RQ job (learning/cron.py)."""
    return delete_expired_exports()
