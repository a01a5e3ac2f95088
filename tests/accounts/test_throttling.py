"""Log-in throttling: repeated failures are refused with a clear message."""

import pytest

from tests.accounts.conftest import PASSWORD


@pytest.mark.django_db
def test_throttling_refuses_login_after_repeated_failures(client, verified_user):
    """After five wrong passwords for one account, even the right one is refused for now."""
    for _attempt in range(5):
        response = client.post(
            "/accounts/login/", {"login": "camille", "password": "wrong"}
        )
        assert response.status_code == 200
        assert "_auth_user_id" not in client.session

    response = client.post(
        "/accounts/login/", {"login": "camille", "password": PASSWORD}
    )

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    html = response.content.decode()
    assert "Trop de tentatives de connexion échouées" in html
    assert 'class="message message--error"' in html


@pytest.mark.django_db
def test_throttling_counts_per_account(client, verified_user):
    """Failures against one account do not lock out another one."""
    from allauth.account.models import EmailAddress

    from tests.factories import UserFactory

    other = UserFactory(username="dominique", email="dominique@example.org")
    EmailAddress.objects.create(
        user=other, email=other.email, verified=True, primary=True
    )
    for _attempt in range(5):
        client.post("/accounts/login/", {"login": "camille", "password": "wrong"})

    response = client.post(
        "/accounts/login/", {"login": "dominique", "password": PASSWORD}
    )

    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == other.pk


@pytest.mark.django_db
def test_throttling_per_ip_answers_429_page(client, settings, verified_user):
    """Past the per-IP budget of log-in requests, a styled 429 page answers (no 500)."""
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login": "3/m/ip"}
    for _attempt in range(3):
        client.post("/accounts/login/", {"login": "camille", "password": "wrong"})

    response = client.post(
        "/accounts/login/", {"login": "camille", "password": PASSWORD}
    )

    assert response.status_code == 429
    assert "Trop de tentatives" in response.content.decode()
    assert "_auth_user_id" not in client.session
