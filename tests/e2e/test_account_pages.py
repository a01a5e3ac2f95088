"""Log-in, sign-up and profile pages in the site's style, the SSO button, the
privacy notice at sign-up and the legal pages of the footer (issue 17, point 9).
"""

import re

import pytest
from playwright.sync_api import expect

from accounts.oidc import openid_connect_apps
from cms.legal import ensure_legal_pages
from tests.accounts.oidc_provider import LocalOpenIDProvider
from tests.e2e.test_certificate_journey import log_in
from tests.factories import UserFactory

pytestmark = pytest.mark.e2e

# A styled text field: a full-width box of the form, not the browser's 150 px default.
MIN_FIELD_WIDTH = 300


@pytest.fixture
def legal_pages(e2e_db):
    ensure_legal_pages()


def assert_styled_field(field) -> None:
    box = field.bounding_box()
    assert box["width"] >= MIN_FIELD_WIDTH, box
    assert box["height"] >= 40, box  # padded for a finger or a pointer
    radius = field.evaluate("element => getComputedStyle(element).borderRadius")
    assert radius == "8px"


def test_account_pages_sign_up_styled_with_privacy_notice(
    page, live_server, legal_pages, assert_accessible
):
    """The header's sign-up link leads to a styled form whose privacy notice says
    what is kept, why, how long and the rights, and links to the full page."""
    page.goto(f"{live_server.url}/")
    page.get_by_role("navigation", name="Menu principal").get_by_role(
        "link", name="Créer un compte"
    ).click()
    expect(page).to_have_url(f"{live_server.url}/accounts/signup/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Créer un compte")
    for label in ("E-mail", "Identifiant", "Prénom", "Nom", "Mot de passe"):
        assert_styled_field(page.get_by_label(label, exact=True))
    notice = page.get_by_role("region", name="Vos données personnelles")
    expect(notice).to_contain_text("tant que votre compte existe")
    expect(notice).to_contain_text("CNIL")
    expect(notice).to_contain_text("contact@atelier.example")
    assert_accessible(page)
    # The notice comes before the button that creates the account.
    button = page.get_by_role("button", name="Créer mon compte")
    assert notice.bounding_box()["y"] < button.bounding_box()["y"]

    notice.get_by_role("link", name=re.compile("Lire la notice complète")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Données personnelles")
    expect(page.get_by_role("heading", name="Vos droits")).to_be_visible()
    assert_accessible(page)


def test_account_pages_log_in_and_profile_styled(
    page, live_server, e2e_db, assert_accessible
):
    """The log-in form and the profile form use the site's fields and panel."""
    page.goto(f"{live_server.url}/en/accounts/login/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    assert_styled_field(page.get_by_label("Password"))
    expect(page.get_by_role("link", name="Create an account")).to_be_visible()
    assert_accessible(page)

    log_in(page, live_server, UserFactory(username="camille"))
    page.goto(f"{live_server.url}/accounts/profile/")
    assert_styled_field(page.get_by_label("Prénom"))
    assert_accessible(page)


def test_account_pages_sso_button_signs_in(
    page, live_server, e2e_db, settings, monkeypatch, assert_accessible
):
    """With OIDC configured, the log-in page offers the institution's button
    first; it signs the person in through the provider."""
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    claims = {
        "sub": "janus-7",
        "email": "dominique.leroy@cnrs.example",
        "email_verified": True,
        "given_name": "Dominique",
        "family_name": "Leroy",
        "locale": "fr-FR",
    }
    with LocalOpenIDProvider(
        client_id="atelier-e2e", client_secret="e2e-secret", claims=claims
    ) as provider:
        settings.SOCIALACCOUNT_PROVIDERS = {
            "openid_connect": {
                "APPS": openid_connect_apps(
                    name="Janus CNRS",
                    issuer_url=provider.issuer,
                    client_id="atelier-e2e",
                    client_secret="e2e-secret",
                )
            }
        }
        page.goto(f"{live_server.url}/accounts/login/")
        sso = page.get_by_role("button", name="Se connecter avec Janus CNRS")
        local = page.get_by_role("button", name="Se connecter", exact=True)
        expect(sso).to_be_visible()
        assert sso.bounding_box()["y"] < local.bounding_box()["y"]
        assert_accessible(page)

        page.goto(f"{live_server.url}/accounts/signup/")
        expect(
            page.get_by_role("button", name="Se connecter avec Janus CNRS")
        ).to_be_visible()
        assert_accessible(page)

        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_role("button", name="Se connecter avec Janus CNRS").click()
        page.wait_for_load_state()
        expect(
            page.get_by_role("navigation", name="Menu principal").get_by_role(
                "link", name="Mon profil"
            )
        ).to_be_attached()
        assert "GET /userinfo" in provider.requests


def test_account_pages_footer_legal_pages_in_both_languages(
    page, live_server, legal_pages, assert_accessible
):
    """Every page's footer links the legal notice, the personal data page and the
    accessibility statement with its conformity status, in French and English;
    the statement follows the RGAA's form down to the Défenseur des droits."""
    page.goto(f"{live_server.url}/")
    footer = page.get_by_role("contentinfo")
    expect(footer.get_by_role("link", name="Mentions légales")).to_be_visible()
    expect(footer.get_by_role("link", name="Données personnelles")).to_be_visible()
    footer.get_by_role("link", name="Accessibilité : non conforme").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Déclaration d’accessibilité"
    )
    for heading in (
        "État de conformité",
        "Résultats des tests",
        "Contenus non accessibles",
        "Établissement de cette déclaration d’accessibilité",
        "Retour d’information et contact",
        "Voies de recours",
    ):
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    expect(page.get_by_text("Cette déclaration a été établie le")).to_be_visible()
    expect(
        page.get_by_role("link", name="Écrire un message au Défenseur des droits")
    ).to_be_visible()
    assert_accessible(page)

    page.get_by_role("navigation", name="Langue").get_by_role(
        "link", name=re.compile("EN")
    ).click()
    expect(page).to_have_url(f"{live_server.url}/en/accessibility/")
    expect(page.get_by_role("heading", name="Means of redress")).to_be_visible()
    footer = page.get_by_role("contentinfo")
    expect(
        footer.get_by_role("link", name="Accessibility: not conformant")
    ).to_be_visible()
    footer.get_by_role("link", name="Legal notice").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Legal notice")
    expect(page.get_by_role("heading", name="Hosting")).to_be_visible()
    assert_accessible(page)
