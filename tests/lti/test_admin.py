"""Platforms and registration URLs in the Wagtail admin."""

import pytest

from learning.lti.models import Platform, RegistrationInvite
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    return client


FIELDS = {
    "name": "Moodle",
    "issuer": "https://moodle.example.org",
    "client_id": "abc",
    "deployment_ids": "1\n2",
    "auth_login_url": "https://moodle.example.org/mod/lti/auth.php",
    "auth_token_url": "https://moodle.example.org/mod/lti/token.php",
    "auth_audience": "",
    "key_set_url": "https://moodle.example.org/mod/lti/certs.php",
    "frame_origins": "",
    "is_active": "on",
}


def test_admin_registers_a_platform(admin_client):
    response = admin_client.post("/admin/lti/platforms/new/", FIELDS)
    assert response.status_code == 302
    platform = Platform.objects.get()
    assert platform.deployments == ["1", "2"]
    assert platform.allowed_frame_origins == ["https://moodle.example.org"]


@pytest.mark.parametrize(
    "bad",
    [
        {"deployment_ids": "  \n "},
        {"frame_origins": "javascript:alert(1)"},
        {"key_set_url": "not a url"},
        {"issuer": ""},
    ],
)
def test_admin_bad_platform_is_a_form_error(admin_client, bad):
    response = admin_client.post("/admin/lti/platforms/new/", {**FIELDS, **bad})
    assert response.status_code == 200
    assert not Platform.objects.exists()


def test_registration_url_listed_until_used(admin_client):
    admin_client.post("/admin/lti/registration-urls/new/", {"label": "Moodle"})
    invite = RegistrationInvite.objects.get()
    page = admin_client.get("/admin/lti/registration-urls/").content.decode()
    assert invite.url in page and "/lti/register/" in invite.url


def test_learners_do_not_reach_lti_admin(client):
    client.force_login(UserFactory())
    assert client.get("/admin/lti/platforms/").status_code in (302, 403)
