"""Sign-up with mandatory e-mail verification, then log-in by e-mail or username."""

import re

from django.contrib.auth import get_user_model
from django.core import mail

import pytest
from allauth.account.models import EmailAddress

from tests.accounts.conftest import PASSWORD

SIGNUP = {
    "email": "alex.durand@inserm.fr",
    "username": "adurand",
    "first_name": "Alex",
    "last_name": "Durand",
    "preferred_language": "en",
    "password1": "un mot de passe solide 2026",
    "password2": "un mot de passe solide 2026",
}


def confirmation_path(message) -> str:
    """The confirmation link of an allauth e-mail, as a path for the test client."""
    match = re.search(r"http://testserver(/\S*/confirm-email/\S+/)", message.body)
    assert match, message.body
    return match.group(1)


@pytest.mark.django_db
def test_signup_form_asks_names_unit_and_language(client):
    """The sign-up page asks the e-mail, username, names and preferred language (the
    unit too, once the site has units: tests/compliance/test_placement.py)."""
    response = client.get("/accounts/signup/")
    assert response.status_code == 200
    html = response.content.decode()
    for name in [
        "email",
        "username",
        "first_name",
        "last_name",
        "preferred_language",
        "password1",
        "password2",
    ]:
        assert f'name="{name}"' in html
        assert f'<label for="id_{name}"' in html


@pytest.mark.django_db
def test_signup_sends_verification_then_login_works(client):
    """Sign-up sends a confirmation e-mail; once followed, the person can log in."""
    response = client.post("/accounts/signup/", SIGNUP)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"

    user = get_user_model().objects.get(username="adurand")
    assert (user.first_name, user.last_name) == ("Alex", "Durand")
    assert user.preferred_language == "en"
    assert not EmailAddress.objects.get(user=user).verified
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["alex.durand@inserm.fr"]

    # Not usable before the address is confirmed: log-in leads to the "check your e-mail" page.
    client.logout()
    response = client.post(
        "/accounts/login/", {"login": "adurand", "password": SIGNUP["password1"]}
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert "_auth_user_id" not in client.session

    link = confirmation_path(mail.outbox[-1])
    assert client.get(link).status_code == 200
    response = client.post(link)
    assert response.status_code == 302
    assert EmailAddress.objects.get(user=user).verified

    response = client.post(
        "/accounts/login/",
        {"login": "alex.durand@inserm.fr", "password": SIGNUP["password1"]},
    )
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == user.pk
    # No `next`: the home page in the language chosen at sign-up.
    assert response["Location"] == "/en/"


@pytest.mark.django_db
def test_signup_missing_names_shows_errors(client):
    """Without first and last name the form comes back with visible errors."""
    response = client.post(
        "/accounts/signup/", {**SIGNUP, "first_name": "", "last_name": ""}
    )
    assert response.status_code == 200
    assert response.context["form"].errors.keys() >= {"first_name", "last_name"}
    assert 'class="message message--error"' in response.content.decode()
    assert not get_user_model().objects.filter(username="adurand").exists()


@pytest.mark.django_db
def test_signup_defaults_language_to_the_page_language(client):
    """The language field starts on the language of the page (English under /en/)."""
    response = client.get("/en/accounts/signup/")
    assert response.context["form"].fields["preferred_language"].initial == "en"
    response = client.get("/accounts/signup/")
    assert response.context["form"].fields["preferred_language"].initial == "fr"


@pytest.mark.django_db
def test_login_by_username_and_by_email(client, verified_user):
    """A verified account logs in with its username or its e-mail address."""
    for login in ["camille", "camille@example.org"]:
        response = client.post(
            "/accounts/login/", {"login": login, "password": PASSWORD}
        )
        assert response.status_code == 302, login
        assert int(client.session["_auth_user_id"]) == verified_user.pk
        client.logout()


@pytest.mark.django_db
def test_logout_asks_then_logs_out(client, verified_user):
    """The log-out page asks for confirmation; POST logs out and goes home."""
    client.force_login(verified_user)
    assert client.get("/accounts/logout/").status_code == 200
    assert "_auth_user_id" in client.session
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_password_reset_sends_a_working_link(client, verified_user):
    """Password reset e-mails a link that sets a new password."""
    response = client.post(
        "/accounts/password/reset/", {"email": "camille@example.org"}
    )
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(
        r"http://testserver(/\S*/password/reset/key/\S+/)", mail.outbox[0].body
    )
    assert link, mail.outbox[0].body
    response = client.get(link.group(1))
    # allauth stores the key in the session and redirects to a key-less URL.
    assert response.status_code == 302
    new_password = "un autre mot de passe 2026"
    response = client.post(
        response["Location"], {"password1": new_password, "password2": new_password}
    )
    assert response.status_code == 302
    verified_user.refresh_from_db()
    assert verified_user.check_password(new_password)


@pytest.mark.django_db
def test_email_change_requires_verification_of_new_address(client, verified_user):
    """Changing the e-mail sends a confirmation to the new address first."""
    client.force_login(verified_user)
    response = client.get("/accounts/email/")
    assert response.status_code == 200
    response = client.post(
        "/accounts/email/", {"action_add": "", "email": "camille.new@example.org"}
    )
    assert response.status_code == 302
    assert mail.outbox[-1].to == ["camille.new@example.org"]
    new = EmailAddress.objects.get(email="camille.new@example.org")
    assert not new.verified
    client.post(confirmation_path(mail.outbox[-1]))
    verified_user.refresh_from_db()
    assert verified_user.email == "camille.new@example.org"
    assert list(
        EmailAddress.objects.filter(user=verified_user).values_list("email", flat=True)
    ) == ["camille.new@example.org"]
