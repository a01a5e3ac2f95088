from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PackagesConfig(AppConfig):
    """Packaged e-learning (cmi5, SCORM): the package lesson page, the imported
    packages and their units. Launching and tracking live in learning.launches."""

    name = "courses.packages"
    label = "packages"
    verbose_name = _("Packaged e-learning")
    default_auto_field = "django.db.models.BigAutoField"
