"""Learning-records exports requested by managers on the web, built by an RQ job."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cms.storage import UnguessableName, private_storage

# In the private storage (never served; cms/storage.py) under a random name:
# only the administrators' download view sends it; deleted after
# EXPORT_RETENTION_DAYS (learning/retention.py).
EXPORT_DIRECTORY = "exports/learning-records"


class RecordsExportStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("In progress")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")
    EXPIRED = "expired", _("Expired (file deleted)")


class RecordsExport(models.Model):
    """One HDF5 export of the learning records, with the job's progress."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=RecordsExportStatus.choices,
        default=RecordsExportStatus.PENDING,
    )
    done = models.PositiveBigIntegerField(_("rows written"), default=0)
    total = models.PositiveBigIntegerField(_("rows to write"), default=0)
    file = models.FileField(
        _("HDF5 file"),
        storage=private_storage,
        upload_to=UnguessableName(EXPORT_DIRECTORY),
        blank=True,
    )
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        app_label = "learning"  # this module is part of the learning app's models
        verbose_name = _("learning-records export")
        verbose_name_plural = _("learning-records exports")
        ordering = ["-requested_at"]

    def __str__(self):
        return f"learning records — {self.requested_at:%Y-%m-%d %H:%M}"

    @property
    def percent(self) -> int:
        if self.status == RecordsExportStatus.DONE:
            return 100
        return min(99, round(100 * self.done / self.total)) if self.total else 0
