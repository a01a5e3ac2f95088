"""LTI Dynamic Registration: the LMS's administrator pastes one URL."""

from urllib.parse import urlsplit

from learning.lti.models import Platform, RegistrationInvite

from .conftest import launch


def visit(client, url):
    parts = urlsplit(url)
    return client.get(f"{parts.path}?{parts.query}")


def test_dynamic_registration_then_launch(client, platform, course):
    invite = RegistrationInvite.objects.create(label="Moodle")
    response = visit(client, platform.registration_start(invite.url))
    assert response.status_code == 200, response.content[:300]
    assert "lti/registered.js" in response.content.decode()
    [sent] = platform.registrations
    tool = sent["https://purl.imsglobal.org/spec/lti-tool-configuration"]
    assert sent["initiate_login_uri"] == "http://testserver/lti/login/"
    assert sent["redirect_uris"] == ["http://testserver/lti/launch/"]
    assert sent["jwks_uri"] == "http://testserver/lti/jwks.json"
    assert "https://purl.imsglobal.org/spec/lti-ags/scope/score" in sent["scope"]
    assert tool["messages"][0]["type"] == "LtiDeepLinkingRequest"
    registered = Platform.objects.get()
    assert (registered.issuer, registered.client_id) == (
        platform.issuer,
        platform.client_id,
    )
    assert registered.deployments == ["deployment-dyn"]
    assert registered.source == Platform.Source.DYNAMIC
    assert registered.auth_token_url == f"{platform.url}/token"
    invite.refresh_from_db()
    assert invite.used_at and invite.platform == registered
    # The platform now launches with what it registered.
    target = f"http://testserver/lti/go/{course.translation_key}/"
    assert launch(client, platform, target=target).status_code == 303


def test_registration_url_works_once(client, platform):
    invite = RegistrationInvite.objects.create(label="Moodle")
    visit(client, platform.registration_start(invite.url))
    again = visit(client, platform.registration_start(invite.url))
    assert again.status_code == 410
    assert Platform.objects.count() == 1


def test_unknown_registration_url_is_404(client, platform):
    url = platform.registration_start("http://testserver/lti/register/nope/")
    assert visit(client, url).status_code == 404


def test_refused_registration_token_is_a_clear_400(client, platform):
    invite = RegistrationInvite.objects.create(label="Moodle")
    platform.registration_token = "changed"
    url = platform.registration_start(invite.url).replace("changed", "wrong")
    response = visit(client, url)
    assert response.status_code == 400
    assert not Platform.objects.exists()
    invite.refresh_from_db()
    assert invite.used_at is None


def test_issuer_must_match_the_configuration_url(client, platform):
    invite = RegistrationInvite.objects.create(label="Moodle")
    platform.issuer = "https://elsewhere.example"
    response = visit(client, platform.registration_start(invite.url))
    assert response.status_code == 400
    assert not Platform.objects.exists()


def test_pasting_the_url_in_a_browser_explains(client, db):
    invite = RegistrationInvite.objects.create(label="Moodle")
    response = client.get(f"/lti/register/{invite.token}/")
    assert response.status_code == 400
