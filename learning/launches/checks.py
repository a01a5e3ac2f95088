"""`manage.py check`: the content origin must not be the site's."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Warning, register

from .origin import content_origin


@register()
def content_origin_check(app_configs=None, **kwargs):
    origin = content_origin()
    if not origin:
        return []
    site = urlsplit(settings.SITE_BASE_URL).hostname or ""
    host = urlsplit(origin).hostname or ""
    if host == site:
        return [
            Error(
                "PACKAGE_CONTENT_ORIGIN must use another host name than SITE_BASE_URL: "
                "packages would run with the site's cookies.",
                id="launches.E001",
            )
        ]
    allowed = settings.ALLOWED_HOSTS
    if "*" not in allowed and not any(
        host == entry or (entry.startswith(".") and host.endswith(entry))
        for entry in allowed
    ):
        return [
            Warning(
                f"{host} (PACKAGE_CONTENT_ORIGIN) is not in ALLOWED_HOSTS: package "
                "files cannot be served.",
                id="launches.W001",
            )
        ]
    return []
