from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = _("Site")

    def ready(self):
        from django.urls import register_converter

        from . import checks  # noqa: F401 - registers the system checks
        from .converters import IdConverter
        from .signals import connect_access_signals, connect_content_signals

        # Before any URLconf is read (admin hooks add theirs when Wagtail's load).
        register_converter(IdConverter, "id")

        connect_content_signals()
        connect_access_signals()
