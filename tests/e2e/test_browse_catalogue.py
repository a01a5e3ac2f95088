"""A learner browses the catalogue in a real browser, from the home page to a lesson.

Every page on the way must pass axe-core (no serious or critical violation), be
in the right language (`<html lang>`), have a single h1 and a working skip link.
The course is the SNDS demo folder, imported as trainers import theirs.
"""

from dataclasses import dataclass

from django.conf import settings
from django.test import Client

import pytest
from playwright.sync_api import Page as BrowserPage
from playwright.sync_api import expect

from cms.models import HomePage
from cms.site_structure import ensure_site_structure
from courses.course_files import import_course
from courses.models import CoursePage, LessonPage, Level
from tests.factories import UserFactory, offered_course

pytestmark = pytest.mark.e2e

SNDS_FOLDER = settings.BASE_DIR / "content/courses/acces-snds-formation-obligatoire"


@dataclass
class BrowseContent:
    course: CoursePage
    lessons: list[LessonPage]
    other: CoursePage


@pytest.fixture
def browse_content(e2e_db) -> BrowseContent:
    """The SNDS course and its lessons, and another course that the filters leave out.

    The other course is French only (no English translation) and of another level.
    """
    structure = ensure_site_structure()
    course = import_course(SNDS_FOLDER)
    other = offered_course(
        parent=structure.catalogue("fr"),
        title="Bien nommer ses fichiers",
        level=Level.ADVANCED if course.level != Level.ADVANCED else Level.BEGINNER,
    )
    return BrowseContent(course=course, lessons=list(course.lessons()), other=other)


def log_in(page: BrowserPage, live_server) -> None:
    """Give the browser a learner's session (the log-in form is tested elsewhere)."""
    client = Client()
    client.force_login(UserFactory(username="camille"))
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [{"name": cookie.key, "value": cookie.value, "url": live_server.url}]
    )


def check_page(page: BrowserPage, assert_accessible, *, lang: str = "fr") -> None:
    """The checks every page passes: its language, one h1, axe-core."""
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.locator("h1")).to_have_count(1)
    assert_accessible(page)


def check_skip_link(page: BrowserPage) -> None:
    """The first Tab shows the skip link; Enter moves the focus to <main>."""
    page.keyboard.press("Tab")
    skip_link = page.locator(".skip-link")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()


def test_browse_catalogue_home_to_second_lesson(
    browse_content, live_server, page, assert_accessible
):
    """A learner walks from the home page to lesson 2 through accessible pages.

    Home, catalogue (a facet and a search), course page, "start" (which enrols
    them and opens lesson 1), then the link to the next lesson.
    """
    course, lessons = browse_content.course, browse_content.lessons
    catalogue_url = live_server.url + course.get_parent().url
    assert len(lessons) >= 2
    log_in(page, live_server)

    page.goto(live_server.url + "/")
    check_page(page, assert_accessible)
    check_skip_link(page)

    page.locator(".site-header").get_by_role("link", name="Catalogue").click()
    expect(page).to_have_url(catalogue_url)
    check_page(page, assert_accessible)
    results = page.locator(".catalogue__results")
    expect(results.get_by_role("link", name=browse_content.other.title)).to_be_visible()

    level = page.locator(f"#f-level-{course.level}")
    level.check()
    page.get_by_role("searchbox", name="Rechercher une formation").fill("SNDS")
    page.get_by_role("button", name="Rechercher", exact=True).click()
    expect(page).to_have_url(f"{catalogue_url}?q=SNDS&level={course.level}")
    expect(level).to_be_checked()
    expect(results.locator(".card")).to_have_count(1)
    check_page(page, assert_accessible)

    results.get_by_role("link", name=course.title).click()
    expect(page).to_have_url(live_server.url + course.url)
    expect(page.locator("h1")).to_have_text(course.title)
    check_page(page, assert_accessible)

    page.get_by_role("button", name="Commencer la formation").click()
    expect(page).to_have_url(live_server.url + lessons[0].url)
    expect(page.locator("h1")).to_have_text(lessons[0].title)
    expect(page.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "0")
    check_page(page, assert_accessible)
    check_skip_link(page)

    page.locator("a[rel=next]").click()
    expect(page).to_have_url(live_server.url + lessons[1].url)
    expect(page.locator("h1")).to_have_text(lessons[1].title)
    check_page(page, assert_accessible)


def test_browse_catalogue_in_english(
    browse_content, live_server, page, assert_accessible
):
    """/en/ is in English; the switcher leads to the translation, else the home."""
    page.goto(live_server.url + "/en/")
    check_page(page, assert_accessible, lang="en")
    expect(page.locator(".skip-link")).to_have_text("Skip to content")
    expect(page.locator(".site-header")).to_contain_text("Log in")

    english_home = HomePage.objects.live().get(locale__language_code="en")
    for french in (browse_content.course, browse_content.lessons[0]):
        translation = (
            french.get_translations().live().filter(locale__language_code="en").first()
        )
        page.goto(live_server.url + french.url)
        expect(page.locator(".language-switcher a[hreflang=en]")).to_have_attribute(
            "href", translation.url if translation else english_home.url
        )
    page.goto(live_server.url + browse_content.other.url)
    expect(page.locator(".language-switcher a[hreflang=en]")).to_have_attribute(
        "href", english_home.url
    )

    page.goto(live_server.url + browse_content.course.url)
    page.locator(".language-switcher a[hreflang=en]").click()
    check_page(page, assert_accessible, lang="en")
