from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplianceConfig(AppConfig):
    """Training compliance: org units, requirements, status, dashboards, gate API."""

    name = "learning.compliance"
    label = "compliance"
    verbose_name = _("Training compliance")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import freshness

        freshness.connect()
