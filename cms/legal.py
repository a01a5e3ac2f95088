"""The legal pages every page links to: legal notice, personal data, accessibility.

They are ordinary pages that administrators edit and translate in the Wagtail
admin; the institution settings say which ones they are. `legal_links` gives
the footer (and the sign-up form) their address in the visitor's language,
memoised per content generation: no query once warm. `ensure_legal_pages`
creates them, in French and English, for the demo (`seed_demo`).
"""

import datetime
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from wagtail.models import Locale, Page, Site

import yaml

from .caching import memo
from .models import AccessibilityStatementPage, InformationPage, InstitutionSettings

CONTENT_FILE = Path(settings.BASE_DIR) / "content" / "legal" / "pages.yaml"
# The demo's contact address, where the institution settings give none.
DEMO_CONTACT = "contact@atelier.example"


@dataclass(frozen=True)
class LegalLink:
    title: str
    url: str
    status: str = ""  # the accessibility statement's conformity status


def _localized_link(page_id: int | None, language_code: str) -> LegalLink | None:
    """The live translation of page `page_id` in that language, else the page."""
    if page_id is None:
        return None
    page = Page.objects.live().filter(pk=page_id).specific().first()
    if page is None:
        return None
    locale = Locale.objects.filter(language_code=language_code).first()
    translation = page.get_translation_or_none(locale) if locale else None
    if translation is not None and translation.live:
        page = translation.specific
    return LegalLink(title=page.title, url=page.url, status=getattr(page, "status", ""))


def legal_links(
    institution: InstitutionSettings | None, language_code: str
) -> dict[str, LegalLink]:
    """{"legal_notice", "privacy", "accessibility"} -> link, for those that are set."""
    if institution is None:
        return {}
    ids = {
        "legal_notice": institution.legal_notice_page_id,
        "privacy": institution.privacy_page_id,
        "accessibility": institution.accessibility_page_id,
    }

    def compute() -> dict[str, LegalLink]:
        links = {name: _localized_link(pk, language_code) for name, pk in ids.items()}
        return {name: link for name, link in links.items() if link is not None}

    return memo("legal-links", *ids.values(), language_code, compute=compute)


def _page_values(values: dict, placeholders: dict[str, str]) -> dict:
    """YAML values as model values: dates from ISO strings, {placeholders} filled."""
    result = {}
    for name, value in values.items():
        if name.endswith("_date") or name == "last_updated":
            value = datetime.date.fromisoformat(value)
        elif isinstance(value, str):
            for key, text in placeholders.items():
                value = value.replace(f"{{{key}}}", text)
        result[name] = value
    return result


def _create(home: Page, model, values: dict) -> Page:
    page = home.add_child(instance=model(**values))
    page.save_revision().publish()
    return page


def _translate(page: Page, locale: Locale, values: dict) -> Page:
    translated = page.get_translation_or_none(locale)
    if translated is not None:
        return translated
    translated = page.specific.copy_for_translation(locale)
    for name, value in values.items():
        setattr(translated, name, value)
    translated.save()
    translated.save_revision().publish()
    return translated


@transaction.atomic
def ensure_legal_pages() -> str:
    """Create the three legal pages (French, then English translations) where the
    institution settings name none, and name them there; give the institution
    the demo's contact address if it has none. Idempotent."""
    from .site_structure import ensure_site_structure

    structure = ensure_site_structure()
    content = yaml.safe_load(CONTENT_FILE.read_text(encoding="utf-8"))
    site = Site.objects.get(is_default_site=True)
    institution = InstitutionSettings.for_site(site)
    institution.contact_email = institution.contact_email or DEMO_CONTACT
    placeholders = {
        "institution": institution.institution_name,
        "contact": institution.contact_email,
    }
    models = {
        "legal_notice": InformationPage,
        "privacy": InformationPage,
        "accessibility": AccessibilityStatementPage,
    }
    default = settings.LANGUAGE_CODE
    created = []
    for name, model in models.items():
        field = f"{name}_page"
        if getattr(institution, f"{field}_id"):
            continue
        pages = {
            code: _page_values(values, placeholders)
            for code, values in content[name].items()
        }
        page = _create(structure.homes[default], model, pages.pop(default))
        for code, values in pages.items():
            _translate(page, Locale.objects.get(language_code=code), values)
        setattr(institution, field, page)
        created.append(page.title)
    institution.save()
    if not created:
        return "legal pages: kept"
    return f"legal pages: created ({', '.join(created)})"
