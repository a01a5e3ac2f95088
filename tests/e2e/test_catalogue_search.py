"""Catalogue search ranked by relevance (issue 17, point 9), in the browser, on
three of the demo's course folders imported as trainers import theirs."""

from django.conf import settings

import pytest
from playwright.sync_api import expect

from cms.site_structure import ensure_site_structure
from courses.course_files import import_course

pytestmark = pytest.mark.e2e

FOLDERS = ("choisir-un-entrepot", "identifiants-perennes-doi", "principes-fair")


@pytest.fixture
def demo_courses(e2e_db):
    ensure_site_structure()
    for folder in FOLDERS:
        import_course(settings.BASE_DIR / "content" / "courses" / folder)


def result_titles(page) -> list[str]:
    results = page.locator(".catalogue__results .card__title")
    return [title.strip() for title in results.all_inner_texts()]


def test_catalogue_search_most_relevant_course_first(
    page, live_server, demo_courses, assert_accessible
):
    """Searching "DOI" lists the course on persistent identifiers first, although
    other courses mention DOIs and come before it in alphabetical order."""
    page.goto(f"{live_server.url}/catalogue/")
    all_titles = result_titles(page)
    assert all_titles[0] == "Choisir un entrepôt de données"  # no search: by title

    page.get_by_label("Rechercher une formation").fill("DOI")
    page.get_by_role("button", name="Rechercher").click()
    expect(page.locator(".catalogue__results .card__title").first).to_have_text(
        "Identifiants pérennes\xa0: DOI, ORCID et les autres"
    )
    assert len(result_titles(page)) >= 2  # the others that mention DOIs follow
    assert_accessible(page)

    page.get_by_label("Rechercher une formation").fill("FAIR")
    page.get_by_role("button", name="Rechercher").click()
    expect(page.locator(".catalogue__results .card__title").first).to_have_text(
        "Les principes FAIR"
    )
