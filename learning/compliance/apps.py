from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplianceConfig(AppConfig):
    """Training compliance: org units, requirements, status, dashboards, gate API."""

    name = "learning.compliance"
    label = "compliance"
    verbose_name = _("Training compliance")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.core.signals import request_finished

        from . import freshness, schedule

        freshness.connect()
        request_finished.connect(
            schedule.run_after_response, dispatch_uid="compliance-reminders-in-process"
        )
