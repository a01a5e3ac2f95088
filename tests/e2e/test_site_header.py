"""The header on a phone (issue 17, point 9): short, with a menu button that
opens and closes the menu by mouse or keyboard, under the site's strict
Content-Security-Policy (the script is a static file). Without JavaScript the
menu stays open and the button is not shown.
"""

import pytest
from playwright.sync_api import expect

from tests.e2e.test_certificate_journey import log_in
from tests.factories import UserFactory

pytestmark = pytest.mark.e2e

PHONE = {"width": 375, "height": 740}
# The brand, the language switcher and the menu button on one row.
MAX_PHONE_HEADER = 80


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(viewport=PHONE, locale="fr-FR")
    errors = []
    page = context.new_page()
    page.on(
        "console",
        lambda message: message.type == "error" and errors.append(message.text),
    )
    page.errors = errors
    yield page
    context.close()


def header_height(page) -> float:
    return page.locator("header.site-header").bounding_box()["height"]


def test_site_header_phone_menu_button_opens_the_menu(
    phone, live_server, e2e_db, assert_accessible
):
    """An administrator's header (every link) is one short row at 375 px; the
    menu button discloses the links, Escape closes them and refocuses it."""
    admin = UserFactory(username="alex", is_staff=True, is_superuser=True)
    log_in(phone, live_server, admin)
    phone.goto(f"{live_server.url}/")
    button = phone.get_by_role("button", name="Menu")
    menu = phone.get_by_role("navigation", name="Menu principal")
    expect(button).to_be_visible()
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(menu).to_be_hidden()
    assert header_height(phone) <= MAX_PHONE_HEADER
    assert_accessible(phone)

    button.click()
    expect(button).to_have_attribute("aria-expanded", "true")
    for name in ("Catalogue", "Mon parcours", "Administration", "Se déconnecter"):
        expect(menu.get_by_role("link", name=name)).to_be_visible()
    assert_accessible(phone)

    phone.keyboard.press("Escape")
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(menu).to_be_hidden()
    expect(button).to_be_focused()

    # Keyboard only: Enter opens, Tab reaches the first link.
    phone.keyboard.press("Enter")
    expect(button).to_have_attribute("aria-expanded", "true")
    phone.keyboard.press("Tab")
    expect(menu.get_by_role("link", name="Catalogue")).to_be_focused()
    phone.keyboard.press("Enter")
    expect(phone.get_by_role("heading", level=1)).to_have_text(
        "Catalogue des formations"
    )
    assert not phone.errors, phone.errors  # no CSP refusal, no script error


def test_site_header_phone_anonymous_offers_log_in_and_sign_up(
    phone, live_server, e2e_db
):
    """An anonymous visitor on a phone finds "log in" and "create an account"
    behind the menu button, in English under /en/ too."""
    phone.goto(f"{live_server.url}/en/")
    assert header_height(phone) <= MAX_PHONE_HEADER
    phone.get_by_role("button", name="Menu").click()
    menu = phone.get_by_role("navigation", name="Main menu")
    expect(menu.get_by_role("link", name="Log in")).to_be_visible()
    menu.get_by_role("link", name="Sign up").click()
    expect(phone).to_have_url(f"{live_server.url}/en/accounts/signup/")


def test_site_header_wide_screen_shows_the_menu_without_button(
    page, live_server, e2e_db
):
    """At 1280 px the links are in the header itself and there is no menu button."""
    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    nav = page.get_by_role("navigation", name="Menu principal")
    expect(nav.get_by_role("link", name="Créer un compte")).to_be_visible()
    assert header_height(page) <= 64


def test_site_header_without_javascript_keeps_the_menu_open(
    browser, live_server, e2e_db
):
    """With JavaScript off the phone header shows every link and no dead button."""
    context = browser.new_context(
        viewport=PHONE, locale="fr-FR", java_script_enabled=False
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    nav = page.get_by_role("navigation", name="Menu principal")
    expect(nav.get_by_role("link", name="Se connecter")).to_be_visible()
    context.close()
