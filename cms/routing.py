"""Front-end page serving with a memoised route: one query for the page.

Wagtail routes a URL by walking the tree from the site's root, two queries per
level (a lesson: about ten). The outcome depends only on published content and
the active language, so `serve` memoises it per content generation (as the page
class and id) and hands Wagtail the page through its own per-request route
cache (`request._wagtail_route_for_request`); Wagtail's view then runs as usual
(view restrictions, hooks, `serve`).
"""

from django.apps import apps
from django.utils.translation import get_language
from wagtail import views as wagtail_views
from wagtail.models import Page, Site, get_page_models
from wagtail.url_routing import RouteResult

from .caching import memo
from .middleware import attach_site


def _default_routing_only() -> bool:
    """Memoising is exact only when no page type routes on its own."""
    return all(model.route is Page.route for model in get_page_models())


def _route(request, path: str):
    result = Page.route_for_request(request, path)
    if result is None:
        return None
    page, args, kwargs = result
    if args or kwargs:
        return None
    return page._meta.label, page.pk


def _fresh_page(label: str, pk: int) -> Page | None:
    return apps.get_model(label).objects.filter(pk=pk).first()


def serve(request, path):
    attach_site(request)
    site = Site.find_for_request(request)
    if site is not None and memo("default-routing", compute=_default_routing_only):
        found = memo(
            "route",
            site.pk,
            get_language(),
            path,
            compute=lambda: _route(request, path),
            keep=lambda route: route is not None,  # unknown paths: not remembered
        )
        if found is not None and not hasattr(request, "_wagtail_route_for_request"):
            page = _fresh_page(*found)
            if page is not None:
                request._wagtail_route_for_request = RouteResult(page)
    return wagtail_views.serve(request, path)
