"""The 404 and 500 pages in the browser (issue 17, point 9): the site's look,
the visitor's language, axe clean, even when a view fails."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_error_pages_not_found_styled_and_searchable(
    page, live_server, e2e_db, assert_accessible
):
    """An unknown address shows the site's page; its search leads to the catalogue."""
    response = page.goto(f"{live_server.url}/en/no-such-course/")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    expect(page.get_by_role("banner")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Search the courses").fill("FAIR")
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(f"{live_server.url}/en/catalogue/?q=FAIR")


@pytest.mark.parametrize(
    ("prefix", "title", "home"),
    [("", "Une erreur est survenue", "/"), ("/en", "Something went wrong", "/en/")],
)
def test_error_pages_server_error_styled(
    page, live_server, e2e_db, settings, assert_accessible, prefix, title, home
):
    """A view that fails answers the site's 500 page, styled by the site's
    stylesheet under its CSP, in the visitor's language."""
    settings.ROOT_URLCONF = "tests.cms.error_urls"
    errors = []
    page.on(
        "console",
        lambda message: (
            "status of 500" not in message.text and errors.append(message.text)
        ),
    )
    response = page.goto(f"{live_server.url}{prefix}/boom/")
    assert response.status == 500
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    background = page.locator("header.site-header").evaluate(
        "element => getComputedStyle(element).backgroundColor"
    )
    assert background == "rgb(29, 58, 110)"  # the brand colour: the CSS loaded
    assert not errors, errors
    assert_accessible(page)
    page.get_by_role("link", name="Atelier").click()
    expect(page).to_have_url(f"{live_server.url}{home}")
