from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = _("Site")

    def ready(self):
        from .signals import connect_access_signals, connect_content_signals

        connect_content_signals()
        connect_access_signals()
