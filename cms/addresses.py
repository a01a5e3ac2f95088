"""Absolute addresses of the public site, all from one setting: SITE_BASE_URL.

Links that leave the site (PDF text, QR codes, e-mails, Open Badges, gate
answers, data exports) never use the request's Host nor Wagtail's `Site`
hostname (`Page.full_url`), which the site structure seeds as `localhost`.
Imported by the settings: no Django import at module level.
"""

import ipaddress

# Addresses a server listens on but no browser can open.
_WILDCARDS = {"", "0.0.0.0", "::"}  # noqa: S104 - compared with, not bound


def local_base_url(host: str, port: int) -> str:
    """The address of a server started on `host`:`port` (the embedded default)."""
    host = host.strip().strip("[]")
    if host in _WILDCARDS:
        host = "127.0.0.1"
    try:
        if ipaddress.ip_address(host).version == 6:
            host = f"[{host}]"
    except ValueError:
        pass  # a host name
    return f"http://{host}:{port}"


def absolute_url(path: str) -> str:
    """`path` (starting with /) on the public site."""
    from django.conf import settings

    return f"{settings.SITE_BASE_URL}{path}"


def page_absolute_url(page) -> str:
    """The public address of a Wagtail page (its path within its site, in its language)."""
    parts = page.get_url_parts()
    return absolute_url(parts[2] if parts else "/")
