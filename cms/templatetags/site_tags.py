"""Navigation helpers that know about languages: home, catalogue, switcher."""

from dataclasses import dataclass

from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language_info
from wagtail.models import Locale, Page

from cms.models import HomePage
from courses.models import CourseIndexPage

register = template.Library()


def _active_home() -> HomePage | None:
    try:
        locale = Locale.get_active()
    except Locale.DoesNotExist:
        return None
    return HomePage.objects.live().filter(locale=locale).first()


@register.simple_tag
def localized_home_url() -> str:
    home = _active_home()
    return home.url if home else "/"


@register.simple_tag
def localized_catalogue_url() -> str:
    home = _active_home()
    catalogue = home and CourseIndexPage.objects.live().child_of(home).first()
    return catalogue.url if catalogue else "/"


@dataclass
class LanguageLink:
    code: str
    name: str
    url: str


@register.filter
def language_links(page, request) -> list[LanguageLink]:
    """One link per language: the page's translation, else that language's home."""
    links = []
    for code, _name in settings.LANGUAGES:
        name = get_language_info(code)["name_local"]
        url = None
        if isinstance(page, Page):
            translation = (
                page.get_translations(inclusive=True)
                .live()
                .filter(locale__language_code=code)
                .first()
            )
            if translation:
                url = translation.url
            else:
                home = (
                    HomePage.objects.live().filter(locale__language_code=code).first()
                )
                url = home.url if home else None
        if url is None and request is not None:
            url = translate_url(request.get_full_path(), code)
        links.append(LanguageLink(code=code, name=name.capitalize(), url=url or "/"))
    return links
