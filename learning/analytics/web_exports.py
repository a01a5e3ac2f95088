"""The managers' web download of the learning-records export (an RQ job).

The view records a `RecordsExport` and queues `build_records_export_job` after
the commit; the job writes the HDF5 file (same layout as `manage.py
export_learning_records`) into a private path under MEDIA, reporting rows
written as it goes, so the status page can show a progress bar.
"""

import tempfile
from functools import partial
from pathlib import Path

from django.core.files import File
from django.db import transaction
from django.utils import timezone

from cms.outages import QueueUnavailable, enqueue

from .hdf5_export import ROWS, export_learning_records
from .models import RecordsExport, RecordsExportStatus

QUEUE = "default"


def request_records_export(*, by) -> RecordsExport:
    """Record the export and queue its job once the transaction commits
    (QueueUnavailable, and no export left behind, when Redis is down)."""
    export = RecordsExport.objects.create(requested_by=by)
    transaction.on_commit(partial(_queue_build, export.pk))
    return export


def _queue_build(export_id) -> None:
    try:
        enqueue(QUEUE, build_records_export_job, str(export_id))
    except QueueUnavailable:
        RecordsExport.objects.filter(pk=export_id).delete()  # never pending
        raise


def build_records_export_job(export_id: str) -> str:
    """Write the HDF5 export, updating the row counts; the stored file's name."""
    export = RecordsExport.objects.get(pk=export_id)
    rows = RecordsExport.objects.filter(pk=export.pk)
    total = sum(count() for _rows, count in ROWS.values())
    rows.update(status=RecordsExportStatus.RUNNING, total=total, done=0)
    finished = {}

    def progress(table: str, written: int, _table_total: int) -> None:
        finished[table] = written
        rows.update(done=min(total, sum(finished.values())))

    try:
        with tempfile.TemporaryDirectory() as directory:
            path = Path(directory) / "learning-records.h5"
            export_learning_records(path, progress=progress)
            with open(path, "rb") as stream:
                export.file.save(
                    f"learning-records-{export.pk}.h5", File(stream), save=False
                )
        rows.update(
            file=export.file.name,
            status=RecordsExportStatus.DONE,
            done=total,
            finished_at=timezone.now(),
        )
    except Exception:
        rows.update(status=RecordsExportStatus.FAILED, finished_at=timezone.now())
        raise
    return export.file.name
