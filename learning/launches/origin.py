"""The content origin: where package files are served, never the site's own.

A package is someone else's HTML and JavaScript. Its files are served only on
`PACKAGE_CONTENT_ORIGIN`, a different host name than the site's, so the
browser keeps them apart: the content cannot read the site's cookies (they are
host-only, and never sent to the content host), cannot read the site's pages
(no CORS for its origin), and its cross-site requests to the site carry no
session (SameSite=Lax) nor pass the CSRF check. Every content response also
carries a CSP `sandbox` (no top-level navigation, no plugins) and
`Referrer-Policy: no-referrer` (the session's path key never leaks).

Embedded default: the same server under its other loopback name (the site on
127.0.0.1 serves packages on localhost, and the reverse), so `make demo` plays
packages with no setup. In production set it to a host of another registrable
domain (e.g. https://atelier-content.example.net), served by the same
application, and add its host to ALLOWED_HOSTS.

`ContentOriginMiddleware` splits the two: on the content host only the routes
of `content_urls.py` exist (anything else redirects to the site); on the site's
hosts those routes do not exist at all.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.http import Http404, HttpResponseNotFound, HttpResponseRedirect
from django.urls import Resolver404, resolve

LOOPBACK_TWINS = {"127.0.0.1": "localhost", "localhost": "127.0.0.1"}
CONTENT_URLCONF = "learning.launches.content_urls"
SANDBOX = (
    "sandbox allow-scripts allow-forms allow-same-origin allow-popups "
    "allow-modals allow-downloads allow-top-navigation-by-user-activation"
)


def content_origin() -> str:
    """scheme://host[:port] of the content origin, "" when none is usable."""
    configured = (getattr(settings, "PACKAGE_CONTENT_ORIGIN", "") or "").rstrip("/")
    if configured:
        return configured
    site = urlsplit(settings.SITE_BASE_URL)
    twin = LOOPBACK_TWINS.get(site.hostname or "")
    if not twin:
        return ""
    port = f":{site.port}" if site.port else ""
    return f"{site.scheme}://{twin}{port}"


def site_origin() -> str:
    site = urlsplit(settings.SITE_BASE_URL)
    return f"{site.scheme}://{site.netloc}"


def content_host() -> str:
    """The content origin's host[:port], as a Host header names it."""
    origin = content_origin()
    return urlsplit(origin).netloc.lower() if origin else ""


def is_content_request(request) -> bool:
    host = content_host()
    return bool(host) and request.META.get("HTTP_HOST", "").lower() == host


def protect(response):
    """Headers of every answer on the content origin."""
    response["Content-Security-Policy"] = SANDBOX
    response["Referrer-Policy"] = "no-referrer"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cross-Origin-Opener-Policy"] = "same-origin"
    response.headers.pop("Set-Cookie", None)
    return response


class ContentOriginMiddleware:
    """Serve the content origin's routes alone on its host (before sessions,
    CSRF, authentication and the site's CSP: none of them belongs there)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not is_content_request(request):
            return self.get_response(request)
        try:
            match = resolve(request.path_info, urlconf=CONTENT_URLCONF)
        except Resolver404:
            if request.method in ("GET", "HEAD"):
                return protect(HttpResponseRedirect(settings.SITE_BASE_URL + "/"))
            return protect(HttpResponseNotFound())
        try:
            response = match.func(request, *match.args, **match.kwargs)
        except Http404:
            response = HttpResponseNotFound(
                b"Not found (or this launch has expired).", content_type="text/plain"
            )
        return protect(response)
