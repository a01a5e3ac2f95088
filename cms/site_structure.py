"""The fixed top of the page tree: a home page and a catalogue per language.

French is the default locale (served at /), English its translation (/en/).
`ensure_site_structure` is idempotent: migrations, the demo seed, the course
import and the tests all call it.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from wagtail.models import Locale, Page, Site

from courses.models import CourseIndexPage

from .models import HomePage

CATALOGUE_TITLES = {
    "fr": ("Catalogue des formations", "catalogue"),
    "en": ("Course catalogue", "catalogue"),
}
CATALOGUE_INTROS = {
    "fr": "Des modules ouverts pour gérer, partager et protéger les données de la recherche.",
    "en": "Open modules to manage, share and protect research data.",
}


@dataclass
class SiteStructure:
    homes: dict[str, HomePage]
    catalogues: dict[str, CourseIndexPage]

    def catalogue(self, language_code: str) -> CourseIndexPage:
        return self.catalogues[language_code]


def _publish(page: Page) -> Page:
    page.save_revision().publish()
    page.refresh_from_db()
    return page


@transaction.atomic
def ensure_site_structure() -> SiteStructure:
    """Create whatever is missing of: locales, home pages, catalogues."""
    locales = {
        code: Locale.objects.get_or_create(language_code=code)[0]
        for code, _name in settings.WAGTAIL_CONTENT_LANGUAGES
    }
    default_code = settings.LANGUAGE_CODE
    home = HomePage.objects.filter(locale=locales[default_code]).first()
    if home is None:
        root = Page.get_first_root_node() or Page.add_root(
            instance=Page(title="Root", slug="root", locale=locales[default_code])
        )
        home = root.add_child(
            instance=HomePage(
                title="Atelier", slug="accueil", locale=locales[default_code]
            )
        )
        Site.objects.update_or_create(
            is_default_site=True,
            defaults={
                "hostname": "localhost",
                "root_page": home,
                "site_name": "Atelier",
            },
        )

    catalogue = CourseIndexPage.objects.child_of(home).first()
    if catalogue is None:
        title, slug = CATALOGUE_TITLES[default_code]
        catalogue = home.add_child(
            instance=CourseIndexPage(
                title=title, slug=slug, intro=CATALOGUE_INTROS[default_code]
            )
        )
        _publish(catalogue)

    homes = {default_code: home}
    catalogues = {default_code: catalogue}
    for code, locale in locales.items():
        if code == default_code:
            continue
        homes[code] = home.get_translation_or_none(locale) or _publish(
            home.copy_for_translation(locale)
        )
        translated = catalogue.get_translation_or_none(locale)
        if translated is None:
            translated = catalogue.copy_for_translation(locale)
            translated.title, translated.slug = CATALOGUE_TITLES[code]
            translated.intro = CATALOGUE_INTROS[code]
            translated.save()
            _publish(translated)
        catalogues[code] = translated.specific
    return SiteStructure(homes=homes, catalogues=catalogues)
