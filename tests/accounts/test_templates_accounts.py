"""Every account page wears the site's layout: header, footer, one h1, labelled fields."""

from html.parser import HTMLParser

import pytest

from tests.factories import UserFactory


class PageStructure(HTMLParser):
    """Collects what the assertions need: h1 count, field ids, label targets."""

    def __init__(self):
        super().__init__()
        self.h1 = 0
        self.fields: list[str] = []
        self.labels: set[str] = set()
        self.landmarks: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "h1":
            self.h1 += 1
        elif tag in ("header", "footer", "main"):
            self.landmarks.add(tag)
        elif tag == "label" and attrs.get("for"):
            self.labels.add(attrs["for"])
        elif tag in ("input", "select", "textarea") and attrs.get("type") not in (
            "hidden",
            "submit",
        ):
            self.fields.append(attrs.get("id") or attrs.get("name"))


def assert_site_page(html: str) -> None:
    page = PageStructure()
    page.feed(html)
    assert page.landmarks == {"header", "footer", "main"}
    assert page.h1 == 1, f"{page.h1} h1"
    unlabelled = [field for field in page.fields if field not in page.labels]
    assert not unlabelled, unlabelled
    assert "site-header" in html and "site-footer" in html


ANONYMOUS_PAGES = [
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/password/reset/",
    "/accounts/password/reset/done/",
    "/accounts/confirm-email/",
    "/en/accounts/login/",
    "/en/accounts/signup/",
]
LOGGED_IN_PAGES = [
    "/accounts/profile/",
    "/accounts/profile/delete/",
    "/accounts/email/",
    "/accounts/password/change/",
    "/accounts/logout/",
    "/accounts/3rdparty/",
    "/en/accounts/profile/",
]


@pytest.mark.django_db
@pytest.mark.parametrize("url", ANONYMOUS_PAGES)
def test_templates_accounts_anonymous_pages_use_site_layout(client, url):
    """Log-in, sign-up and password-reset pages use the site's layout."""
    response = client.get(url)
    assert response.status_code == 200
    assert_site_page(response.content.decode())


@pytest.mark.django_db
@pytest.mark.parametrize("url", LOGGED_IN_PAGES)
def test_templates_accounts_logged_in_pages_use_site_layout(client, verified_user, url):
    """Profile, e-mail, password and log-out pages use the site's layout."""
    client.force_login(verified_user)
    response = client.get(url)
    assert response.status_code == 200
    assert_site_page(response.content.decode())


@pytest.mark.django_db
def test_templates_accounts_password_set_page_for_sso_user(client):
    """An SSO account without a password gets the "set a password" page, styled."""
    user = UserFactory(username="sso", password=None)
    user.set_unusable_password()
    user.save()
    client.force_login(user)
    response = client.get("/accounts/password/set/")
    assert response.status_code == 200
    assert_site_page(response.content.decode())


@pytest.mark.django_db
def test_templates_accounts_english_pages_are_in_english(client):
    """Under /en/ the account pages are in English; at / in French."""
    assert '<html lang="en">' in client.get("/en/accounts/login/").content.decode()
    french = client.get("/accounts/login/").content.decode()
    assert '<html lang="fr">' in french
    assert "Mot de passe" in french


@pytest.mark.django_db
def test_templates_accounts_header_links_follow_login_state(client, verified_user):
    """The header offers log-in when anonymous, profile and log-out when logged in."""
    html = client.get("/accounts/login/").content.decode()
    assert 'href="/accounts/login/"' in html
    assert 'href="/accounts/profile/"' not in html
    client.force_login(verified_user)
    html = client.get("/accounts/profile/").content.decode()
    assert 'href="/accounts/profile/"' in html
    assert 'href="/accounts/logout/"' in html
