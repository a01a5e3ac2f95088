"""French is the default language at /, English lives under /en/."""

import pytest

from tests.factories import CoursePageFactory, LessonPageFactory

pytestmark = pytest.mark.django_db


def test_home_is_french_by_default(client, site_structure):
    """The site root answers in French, whatever the browser prefers."""
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="de")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="fr">' in html
    assert "Aller au contenu" in html


def test_english_under_en_prefix(client, site_structure):
    """/en/ serves the English home page with an English interface."""
    response = client.get("/en/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="en">' in html
    assert "Skip to content" in html
    assert client.get("/en/catalogue/").status_code == 200


def test_language_switcher_links_translations(client, site_structure):
    """The switcher on a translated course links to its English translation."""
    course = CoursePageFactory(parent=site_structure.catalogue("fr"), slug="fair")
    english = course.copy_for_translation(site_structure.catalogue("en").locale)
    english.title = "FAIR principles"
    english.save_revision().publish()
    html = client.get(course.url).content.decode()
    assert 'href="/en/catalogue/fair/" hreflang="en"' in html


def test_language_switcher_falls_back_to_home(client, site_structure):
    """Without a translation, the switcher offers the other language's home."""
    course = CoursePageFactory(parent=site_structure.catalogue("fr"))
    html = client.get(course.url).content.decode()
    assert 'href="/en/" hreflang="en"' in html


def test_english_catalogue_shows_untranslated_french_courses(client, site_structure):
    """Courses not yet translated still appear in the English catalogue, in French."""
    course = CoursePageFactory(
        parent=site_structure.catalogue("fr"), title="Choisir un entrepôt"
    )
    LessonPageFactory(parent=course, title="Les entrepôts")  # empty courses are hidden
    response = client.get("/en/catalogue/")
    assert [c.title for c in response.context["results"].courses] == [
        "Choisir un entrepôt"
    ]
    assert "1 course" in response.content.decode()
