"""Navigation helpers that know about languages: home, catalogue, switcher.

Their answers depend on published pages only, so they are memoised per content
generation (cms/caching.py): no query once warm.
"""

from dataclasses import dataclass

from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language, get_language_info
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Page

from cms.caching import memo
from cms.models import HomePage
from courses.models import CourseIndexPage

register = template.Library()


def _site_urls() -> dict[str, dict[str, str | None]]:
    """Per language code: the live home page's URL and its catalogue's URL."""
    urls = {}
    homes = HomePage.objects.live().select_related("locale").order_by("path")
    for home in homes:
        code = home.locale.language_code
        if code in urls:
            continue
        catalogue = CourseIndexPage.objects.live().child_of(home).first()
        urls[code] = {
            "home": home.url,
            "catalogue": catalogue.url if catalogue else None,
        }
    return urls


def site_urls() -> dict[str, dict[str, str | None]]:
    return memo("site-urls", compute=_site_urls)


def _active_urls() -> dict[str, str | None]:
    try:
        code = get_supported_content_language_variant(get_language())
    except LookupError:
        code = settings.LANGUAGE_CODE
    return site_urls().get(code, {})


@register.simple_tag
def localized_home_url() -> str:
    return _active_urls().get("home") or "/"


@register.simple_tag
def localized_catalogue_url() -> str:
    return _active_urls().get("catalogue") or "/"


@register.simple_tag
def header_access(request) -> dict[str, bool]:
    """{"admin": ..., "compliance": ...}: which links the header shows (cached)."""
    from cms.access import header_access as access

    return access(request) if request is not None else {}


@dataclass
class LanguageLink:
    code: str
    name: str
    url: str


def _translation_urls(page: Page) -> dict[str, str]:
    """Language code -> URL of the page's live translation (itself included)."""
    translations = page.get_translations(inclusive=True).live().select_related("locale")
    return {item.locale.language_code: item.url for item in translations}


@register.filter
def language_links(page, request) -> list[LanguageLink]:
    """One link per language: the page's translation, else that language's home."""
    translations = (
        memo("translation-urls", page.pk, compute=lambda: _translation_urls(page))
        if isinstance(page, Page) and page.pk
        else None
    )
    links = []
    for code, _name in settings.LANGUAGES:
        name = get_language_info(code)["name_local"]
        url = None
        if translations is not None:
            url = translations.get(code) or site_urls().get(code, {}).get("home")
        if url is None and request is not None:
            url = translate_url(request.get_full_path(), code)
        links.append(LanguageLink(code=code, name=name.capitalize(), url=url or "/"))
    return links


@register.simple_tag
def site_address() -> str:
    """The site's public address (SITE_BASE_URL), as statements name the site."""
    return settings.SITE_BASE_URL


@register.simple_tag(takes_context=True)
def legal_links(context) -> dict:
    """The legal pages' links in the active language (cms/legal.py), or {}."""
    from cms.legal import legal_links as links

    proxy = context.get("settings")  # a dict, empty until a first lookup
    institution = None if proxy is None else proxy["cms"]["InstitutionSettings"]
    return links(institution, get_language() or settings.LANGUAGE_CODE)
