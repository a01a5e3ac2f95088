"""The legal pages: seeded in French and English, linked from every footer and
from the sign-up form, the accessibility statement in the RGAA's form."""

import datetime

from django.core.exceptions import ValidationError
from wagtail.models import Locale, Site

import pytest

from cms.legal import ensure_legal_pages, legal_links
from cms.models import AccessibilityStatementPage, InformationPage, InstitutionSettings

pytestmark = pytest.mark.django_db


def institution() -> InstitutionSettings:
    return InstitutionSettings.for_site(Site.objects.get(is_default_site=True))


@pytest.fixture
def seeded():
    ensure_legal_pages()
    return institution()


def test_legal_pages_seeded_in_both_languages_and_named_in_settings(seeded):
    """seed_demo's pages exist in French and English, published, and the
    institution settings point at the French ones; seeding again adds nothing."""
    notice = seeded.legal_notice_page
    privacy = seeded.privacy_page
    statement = seeded.accessibility_page
    assert (notice.slug, privacy.slug, statement.slug) == (
        "mentions-legales",
        "donnees-personnelles",
        "accessibilite",
    )
    english = Locale.objects.get(language_code="en")
    assert notice.get_translation(english).title == "Legal notice"
    assert privacy.get_translation(english).live
    assert statement.get_translation(english).specific.status == "none"
    assert "contact@atelier.example" in privacy.body  # placeholders filled

    assert ensure_legal_pages() == "legal pages: kept"
    assert InformationPage.objects.count() == 4
    assert AccessibilityStatementPage.objects.count() == 2


def test_legal_footer_links_every_page_in_its_language(client, seeded):
    """The footer links the three pages, in French at / and in English at /en/,
    the accessibility link stating the conformity status."""
    french = client.get("/").content.decode()
    assert '<a href="/mentions-legales/">Mentions légales</a>' in french
    assert '<a href="/donnees-personnelles/">Données personnelles</a>' in french
    assert '<a href="/accessibilite/">Accessibilité : non conforme</a>' in french
    english = client.get("/en/accounts/login/").content.decode()
    assert '<a href="/en/legal-notice/">Legal notice</a>' in english
    assert '<a href="/en/accessibility/">Accessibility: not conformant</a>' in english


def test_legal_footer_without_pages_has_no_legal_links(client):
    """A site whose settings name no legal page shows no dead link."""
    assert "Informations légales" not in client.get("/").content.decode()


def test_legal_links_untranslated_page_falls_back_to_default_language(seeded):
    """An English translation that is unpublished leaves the French page linked."""
    english = Locale.objects.get(language_code="en")
    seeded.legal_notice_page.get_translation(english).unpublish()
    links = legal_links(institution(), "en")
    assert links["legal_notice"].url == "/mentions-legales/"
    assert links["privacy"].url == "/en/personal-data/"


def test_legal_links_warm_cost_no_query(seeded, django_assert_num_queries):
    """Once computed, the footer's links are memoised: no query per page."""
    settings_row = institution()
    legal_links(settings_row, "fr")
    with django_assert_num_queries(0):
        assert set(legal_links(settings_row, "fr")) == {
            "legal_notice",
            "privacy",
            "accessibility",
        }


def test_legal_links_follow_a_change_of_status(client, seeded):
    """Publishing a new status shows in every footer at once (content generation)."""
    statement = seeded.accessibility_page.specific
    client.get("/")
    statement.status = "partial"
    statement.compliance_rate = 75
    statement.audited_by = "Access42"
    statement.save_revision().publish()
    html = client.get("/").content.decode()
    assert "Accessibilité : partiellement conforme" in html
    page = client.get("/accessibilite/").content.decode()
    assert "est partiellement conforme avec le référentiel général" in page
    assert "L’audit de conformité réalisé par Access42 révèle que 75 %" in page


@pytest.mark.parametrize(
    ("status", "sentence"),
    [
        ("full", "est totalement conforme avec le référentiel général"),
        ("partial", "en raison des non-conformités et des dérogations"),
        ("none", "est non conforme avec le référentiel général"),
    ],
)
def test_accessibility_statement_rgaa_form(client, seeded, status, sentence):
    """The statement has the RGAA's sections, its status sentence, its date, a
    contact and the recourse to the Défenseur des droits."""
    statement = seeded.accessibility_page.specific
    statement.status = status
    statement.save_revision().publish()
    html = client.get("/accessibilite/").content.decode()
    assert sentence in html
    for part in (
        "article 47 de la loi n° 2005-102 du 11 février 2005",
        "Cette déclaration a été établie le 3 décembre 2026.",
        "Retour d’information et contact",
        "mailto:contact@atelier.example",
        "https://formulaire.defenseurdesdroits.fr/",
        "Libre réponse 71120, 75342 Paris CEDEX 07",
    ):
        assert part in html, part


def test_accessibility_statement_bad_values_refused(seeded):
    """A share of criteria above 100 % or a bad address is a form error."""
    statement = seeded.accessibility_page.specific
    statement.compliance_rate = 120
    statement.contact_form_url = "pas une adresse"
    with pytest.raises(ValidationError) as error:
        statement.full_clean()
    assert {"compliance_rate", "contact_form_url"} <= set(error.value.message_dict)


def test_accessibility_statement_minimal_page_renders(client, seeded):
    """A statement with only its required fields still renders every section."""
    home = seeded.accessibility_page.get_parent()
    seeded.accessibility_page.delete()
    statement = home.add_child(
        instance=AccessibilityStatementPage(
            title="Accessibilité",
            slug="accessibilite",
            statement_date=datetime.date(2027, 1, 15),
        )
    )
    statement.save_revision().publish()
    html = client.get("/accessibilite/").content.decode()
    assert "Aucun audit de conformité n’a encore été réalisé." in html
    assert "Voies de recours" in html


def test_signup_privacy_notice_links_the_privacy_page(client, seeded):
    """The sign-up form's short notice links the full privacy page."""
    html = client.get("/accounts/signup/").content.decode()
    assert "Vos données personnelles" in html
    assert 'href="/donnees-personnelles/"' in html
    english = client.get("/en/accounts/signup/").content.decode()
    assert "They are kept as long as your account exists." in english
    assert 'href="/en/personal-data/"' in english
