from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LaunchesConfig(AppConfig):
    """Launch sessions of package lessons (cmi5, SCORM) and their results."""

    name = "learning.launches"
    label = "launches"
    verbose_name = _("Package launches")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import (
            checks,  # noqa: F401 - registers the content-origin check
            cmi5,  # noqa: F401 - registers the cmi5 player
        )
