"""Institutional SSO: allauth's OpenID Connect client against a real local provider."""

from urllib.parse import urlsplit

from django.contrib.auth import get_user_model
from django.core import mail

import pytest
import requests
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount

from accounts.oidc import openid_connect_apps
from tests.accounts.oidc_provider import LocalOpenIDProvider

CLIENT_ID = "atelier-test"
CLIENT_SECRET = "s3cret-for-tests"
LOGIN_URL = "/accounts/oidc/institution/login/"
CLAIMS = {
    "sub": "janus-4242",
    "email": "dominique.leroy@cnrs.fr",
    "email_verified": True,
    "given_name": "Dominique",
    "family_name": "Leroy",
    "preferred_username": "dleroy",
    "locale": "en-GB",
}


@pytest.fixture
def provider(monkeypatch):
    # allauth's HTTP calls go straight to 127.0.0.1, even where a proxy is set.
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    with LocalOpenIDProvider(
        client_id=CLIENT_ID, client_secret=CLIENT_SECRET, claims=dict(CLAIMS)
    ) as provider:
        yield provider


@pytest.fixture
def oidc_settings(settings, provider):
    """Point the SSO configuration at the local provider, as the env variables would."""
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            "APPS": openid_connect_apps(
                name="Janus CNRS",
                issuer_url=provider.issuer,
                client_id=CLIENT_ID,
                client_secret=CLIENT_SECRET,
            )
        }
    }
    return settings


def sso_login(client, provider):
    """Drive the browser's part of the flow: our site → provider → our callback."""
    response = client.post(LOGIN_URL)
    assert response.status_code == 302
    authorize_url = response["Location"]
    assert authorize_url.startswith(f"{provider.issuer}/authorize?")
    at_provider = requests.get(authorize_url, allow_redirects=False, timeout=10)
    assert at_provider.status_code == 302, at_provider.text
    callback = urlsplit(at_provider.headers["Location"])
    assert (callback.scheme, callback.netloc) == ("http", "testserver")
    return client.get(f"{callback.path}?{callback.query}")


@pytest.mark.django_db
def test_oidc_login_page_offers_configured_provider(client, oidc_settings):
    """The log-in page offers "Se connecter avec <name>" when SSO is configured."""
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert "Se connecter avec Janus CNRS" in response.content.decode()


@pytest.mark.django_db
def test_oidc_login_page_without_provider_has_no_sso_button(client, settings):
    """Without OIDC variables there is no SSO button and no SSO address."""
    settings.SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"APPS": []}}
    response = client.get("/accounts/login/")
    assert "Se connecter avec" not in response.content.decode()
    assert client.post(LOGIN_URL).status_code == 404


@pytest.mark.django_db
def test_oidc_login_creates_account_without_email_verification(
    client, oidc_settings, provider
):
    """A first SSO login creates a verified account and logs the person in, no e-mail."""
    response = sso_login(client, provider)

    assert response.status_code == 302, response.content.decode()[:2000]
    user = get_user_model().objects.get(email=CLAIMS["email"])
    assert int(client.session["_auth_user_id"]) == user.pk
    assert (user.first_name, user.last_name) == ("Dominique", "Leroy")
    assert user.preferred_language == "en"
    assert not user.has_usable_password()
    assert EmailAddress.objects.get(user=user).verified
    assert SocialAccount.objects.get(user=user).uid == CLAIMS["sub"]
    assert mail.outbox == []
    # allauth really talked to the provider, server to server.
    assert {
        "GET /.well-known/openid-configuration",
        "POST /token",
        "GET /userinfo",
    } <= set(provider.requests)
    # The home page, in the language the IdP gave.
    assert response["Location"] == "/en/"


@pytest.mark.django_db
def test_oidc_login_twice_reuses_the_account(client, oidc_settings, provider):
    """Logging in again through SSO finds the same account."""
    sso_login(client, provider)
    client.logout()
    response = sso_login(client, provider)
    assert response.status_code == 302
    assert get_user_model().objects.filter(email=CLAIMS["email"]).count() == 1
    assert "_auth_user_id" in client.session


@pytest.mark.django_db
def test_oidc_login_with_existing_local_account_logs_into_it(
    client, oidc_settings, provider
):
    """A local account with the address the IdP vouches for is the one logged in."""
    from tests.factories import UserFactory

    local = UserFactory(username="dominique", email=CLAIMS["email"])
    EmailAddress.objects.create(
        user=local, email=local.email, verified=True, primary=True
    )

    response = sso_login(client, provider)

    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == local.pk
    assert get_user_model().objects.filter(email=CLAIMS["email"]).count() == 1


@pytest.mark.django_db
def test_oidc_login_with_wrong_client_secret_fails_cleanly(client, settings, provider):
    """A provider that refuses our client gives an error page, not a login or a 500."""
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            "APPS": openid_connect_apps(
                name="Janus CNRS",
                issuer_url=provider.issuer,
                client_id=CLIENT_ID,
                client_secret="not-the-secret",
            )
        }
    }
    response = sso_login(client, provider)

    assert response.status_code == 401
    assert "_auth_user_id" not in client.session
    assert not get_user_model().objects.filter(email=CLAIMS["email"]).exists()
    assert "<h1" in response.content.decode()


def test_oidc_apps_empty_without_issuer_or_client():
    """Settings build no app (so no button) when the variables are not all set."""
    assert (
        openid_connect_apps(name="X", issuer_url="", client_id="a", client_secret="b")
        == []
    )
    assert (
        openid_connect_apps(
            name="X", issuer_url="https://idp", client_id="", client_secret=""
        )
        == []
    )
    [app] = openid_connect_apps(
        name="Janus CNRS",
        issuer_url="https://janus.cnrs.fr/oidc/",
        client_id="atelier",
        client_secret="s",
        trust_email=True,
    )
    assert app["provider_id"] == "institution"
    assert app["settings"]["server_url"] == "https://janus.cnrs.fr/oidc"
    assert app["settings"]["verified_email"] is True
