"""One log-in for everyone: the admin log-in pages lead to allauth's."""

from django.contrib.auth.models import Permission

import pytest

from tests.accounts.conftest import PASSWORD
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ADMIN_LOGINS = [
    ("/admin/login/", "/admin/"),
    ("/django-admin/login/", "/django-admin/"),
]


@pytest.fixture
def unverified_staff(db):
    """A staff account with admin access whose e-mail address was never confirmed."""
    user = UserFactory(username="mallory", email="mallory@example.org", is_staff=True)
    user.user_permissions.add(
        Permission.objects.get(
            codename="access_admin", content_type__app_label="wagtailadmin"
        )
    )
    return user


@pytest.mark.parametrize(("login", "home"), ADMIN_LOGINS)
def test_admin_login_redirects_to_the_one_login(client, login, home):
    """GET /admin/login/ is allauth's log-in, keeping `next` (the admin by default)."""
    response = client.get(login)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={home.replace('/', '%2F')}"
    response = client.get(f"{login}?next=/admin/pages/")
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2Fpages%2F"


@pytest.mark.parametrize(("login", "_home"), ADMIN_LOGINS)
def test_admin_login_post_never_logs_in_an_unverified_account(
    client, unverified_staff, login, _home
):
    """Posting credentials to the admin log-in only redirects: nobody is logged in."""
    response = client.post(login, {"username": "mallory", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session
    # allauth's log-in, where the redirect leads, asks for the confirmation first.
    response = client.post(
        "/accounts/login/", {"login": "mallory", "password": PASSWORD}
    )
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302


@pytest.mark.parametrize(("login", "_home"), ADMIN_LOGINS)
def test_admin_login_checks_no_password_and_the_one_login_throttles(
    client, verified_user, login, _home
):
    """Thirty wrong passwords at the admin log-in test nothing (the right one then
    does not log in there either); on the one log-in, failures are throttled."""
    for _attempt in range(30):
        response = client.post(login, {"username": "camille", "password": "wrong"})
        assert response.status_code == 302
    client.post(login, {"username": "camille", "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    for _attempt in range(5):
        client.post("/accounts/login/", {"login": "camille", "password": "wrong"})
    response = client.post(
        "/accounts/login/", {"login": "camille", "password": PASSWORD}
    )
    assert "Trop de tentatives de connexion échouées" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_admin_sends_anonymous_visitors_to_the_one_login(client):
    """The Wagtail admin's own redirect for anonymous visitors goes to allauth."""
    response = client.get("/admin/pages/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/admin/pages/"


def test_verified_trainer_reaches_the_admin_through_allauth(client, verified_user):
    """A confirmed account with admin access logs in and lands on `next`."""
    verified_user.user_permissions.add(
        Permission.objects.get(
            codename="access_admin", content_type__app_label="wagtailadmin"
        )
    )
    response = client.post(
        "/accounts/login/?next=/admin/",
        {"login": "camille", "password": PASSWORD, "next": "/admin/"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_admin_password_reset_is_allauths(client):
    """The admin's password reset leads to allauth's (same throttling)."""
    response = client.get("/admin/password_reset/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/"
    assert client.get("/admin/password_reset/done/").status_code == 404
