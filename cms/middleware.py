"""Per-request caching: the content generation, the Wagtail site, anonymous pages.

`ContentCacheMiddleware` sits after LocaleMiddleware (the language is known).
It pins the content generation (cms/caching.py) for the request. For anonymous
visitors it serves pages from a shared cache of whole responses, under strict
rules:

- looked up only for GET requests without a session or messages cookie and
  without credentials, keyed on scheme, host, full path and language;
- stored only when the page opted in (`mark_cacheable`: published pages, not
  previews), for an anonymous user, with status 200, no cookie set (so no CSRF
  token and no message was used), the session untouched, no `Cache-Control`
  forbidding it;
- valid for the content generation it was rendered in: a publish, unpublish,
  move or delete shows up at once.

`attach_site` gives Wagtail the request's Site and institution settings without
a query (page serving and the `settings` context processor call it).
"""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.http.request import split_domain_port
from django.urls import Resolver404, resolve
from django.utils.cache import patch_vary_headers
from wagtail.models import Site

from .access import ACCESS_KEY
from .caching import GENERATION_KEY, content_generation, memo, request_scope

PAGE_TIMEOUT = 3600
_CACHEABLE_ATTR = "_atelier_page_cacheable"


def mark_cacheable(request) -> None:
    """Called by a page's `serve`: this response may go to every anonymous visitor."""
    if not getattr(request, "is_preview", False):
        setattr(request, _CACHEABLE_ATTR, True)


def _site_fields(request) -> dict | None:
    site = Site._find_for_request(request)
    return _fields(site) if site is not None else None


def _fields(instance) -> dict:
    return {
        field.attname: getattr(instance, field.attname)
        for field in type(instance)._meta.concrete_fields
    }


def _settings_fields(site_id: int) -> dict:
    from .models import InstitutionSettings

    return _fields(InstitutionSettings.for_site(Site(pk=site_id)))


def attach_site(request) -> None:
    """Set Wagtail's per-request caches of the site and its settings from the memo
    (fresh instances each time: nothing is shared between requests). Called where
    they are needed: page serving, the settings context processor."""
    if hasattr(request, "_wagtail_site"):
        return
    try:
        hostname = split_domain_port(request._get_raw_host())[0]
        port = request.get_port()
    except Exception:  # noqa: BLE001 - a bad Host header: let Wagtail decide
        return
    fields = memo("site", hostname, port, compute=lambda: _site_fields(request))
    request._wagtail_site = Site(**fields) if fields else None
    if fields:
        from .models import InstitutionSettings

        institution = InstitutionSettings(
            **memo(
                "institution-settings",
                fields["id"],
                compute=lambda: _settings_fields(fields["id"]),
            )
        )
        institution._request = request
        setattr(request, InstitutionSettings.get_cache_attr_name(), institution)


def _anonymous_candidate(request) -> bool:
    return (
        request.method == "GET"
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
        and "HTTP_AUTHORIZATION" not in request.META
        and _serves_a_page(request)
    )


def _serves_a_page(request) -> bool:
    """Only Wagtail pages are ever stored: other URLs (the LRS, the API, static
    views) skip the cache round trip. Resolving costs microseconds; Django
    resolves again after the middleware, from its cached resolver."""
    try:
        match = resolve(request.path_info, getattr(request, "urlconf", None))
    except Resolver404:
        return False
    return match.url_name == "wagtail_serve"


def _session_cache_key(request) -> str | None:
    """The cache key of the request's session (cached_db sessions in the default cache)."""
    from django.contrib.sessions.backends.cached_db import SessionStore

    session = getattr(request, "session", None)
    if (
        isinstance(session, SessionStore)
        and settings.SESSION_CACHE_ALIAS == "default"
        and session.session_key
        and not hasattr(session, "_session_cache")
    ):
        return session.cache_key
    return None


def _page_key(request) -> str:
    raw = "|".join(
        [
            request.scheme,
            request._get_raw_host(),
            request.get_full_path(),
            getattr(request, "LANGUAGE_CODE", ""),
        ]
    )
    return "atelier:page:" + hashlib.sha256(raw.encode()).hexdigest()


def _storable(request, response) -> bool:
    if not getattr(request, _CACHEABLE_ATTR, False) or response.status_code != 200:
        return False
    if response.streaming or response.cookies:
        return False
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return False
    session = getattr(request, "session", None)
    if session is not None and session.modified:
        return False
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return False
    cache_control = response.get("Cache-Control", "").lower()
    return not any(
        word in cache_control for word in ("private", "no-cache", "no-store")
    )


class ContentCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = _page_key(request) if _anonymous_candidate(request) else None
        session_key = _session_cache_key(request)
        generation = access = None
        if key or session_key:
            # One round trip for what the request needs from the cache: the
            # generations, the anonymous page or the session.
            keys = [GENERATION_KEY, key] if key else [GENERATION_KEY, ACCESS_KEY]
            found = cache.get_many([*keys, *([session_key] if session_key else [])])
            generation, access = found.get(GENERATION_KEY), found.get(ACCESS_KEY)
            entry = found.get(key) if key else None
            if entry and generation is not None and entry[0] == generation:
                return self._replay(entry)
            if found.get(session_key) is not None:
                # What SessionStore.load() would read from the cache.
                request.session._session_cache = found[session_key]
        with request_scope(generation, access):
            if key and generation is None:  # a fresh cache: start the counter
                generation = content_generation()
            response = self.get_response(request)
            if key and generation is not None and _storable(request, response):
                # Stored under the generation the page was rendered in, unless
                # content changed during the request (here): it may mix both.
                rendered_in = content_generation()
                if rendered_in == generation:
                    patch_vary_headers(response, ("Cookie",))
                    entry = (
                        rendered_in,
                        response.status_code,
                        list(response.items()),
                        response.content,
                    )
                    cache.set(key, entry, PAGE_TIMEOUT)
        return response

    @staticmethod
    def _replay(entry) -> HttpResponse:
        _generation, status, headers, content = entry
        response = HttpResponse(content, status=status)
        for name, value in headers:
            response[name] = value
        return response
