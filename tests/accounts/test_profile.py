"""The profile page: names, unit and language, and the links to the other account pages."""

from django.urls import reverse

import pytest

PROFILE = {
    "first_name": "Camille",
    "last_name": "Bernard",
    "preferred_language": "fr",
}


def test_profile_url_is_stable():
    """`accounts:profile` is /accounts/profile/ (and /en/accounts/profile/ in English)."""
    assert reverse("accounts:profile") == "/accounts/profile/"


@pytest.mark.django_db
def test_profile_shows_the_form_and_account_links(client, verified_user):
    """The profile page shows the editable fields and links to e-mail, password, data, deletion."""
    client.force_login(verified_user)
    response = client.get("/accounts/profile/")
    assert response.status_code == 200
    html = response.content.decode()
    for name in PROFILE:
        assert f'<label for="id_{name}"' in html
    for url in [
        "/accounts/email/",
        "/accounts/password/change/",
        "/accounts/profile/data.json",
        "/accounts/profile/delete/",
    ]:
        assert f'href="{url}"' in html
    assert html.count("<h1") == 1


@pytest.mark.django_db
def test_profile_edit_saves_and_stays_in_french(client, verified_user):
    """Saving with French kept redirects to the French profile with a message."""
    client.force_login(verified_user)
    response = client.post("/accounts/profile/", PROFILE)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/profile/"
    verified_user.refresh_from_db()
    assert verified_user.last_name == "Bernard"
    page = client.get(response["Location"])
    assert "Votre profil a été enregistré." in page.content.decode()


@pytest.mark.django_db
def test_profile_language_change_switches_the_site_language(client, verified_user):
    """Choosing English redirects to /en/accounts/profile/, shown in English."""
    client.force_login(verified_user)
    response = client.post(
        "/accounts/profile/", {**PROFILE, "preferred_language": "en"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/en/accounts/profile/"
    assert response.cookies["django_language"].value == "en"
    verified_user.refresh_from_db()
    assert verified_user.preferred_language == "en"
    page = client.get(response["Location"])
    html = page.content.decode()
    assert '<html lang="en">' in html
    assert "Your profile has been saved." in html


@pytest.mark.django_db
def test_profile_unknown_language_and_empty_name_show_errors(client, verified_user):
    """An unknown language code or an emptied name is refused with field errors."""
    client.force_login(verified_user)
    response = client.post(
        "/accounts/profile/", {**PROFILE, "preferred_language": "de", "first_name": ""}
    )
    assert response.status_code == 200
    assert response.context["form"].errors.keys() == {
        "preferred_language",
        "first_name",
    }
    verified_user.refresh_from_db()
    assert verified_user.first_name == "Camille"


@pytest.mark.django_db
def test_profile_ignores_fields_it_does_not_offer(client, verified_user):
    """Posting e-mail, username or staff flags through the profile changes nothing of them."""
    client.force_login(verified_user)
    client.post(
        "/accounts/profile/",
        {**PROFILE, "email": "evil@example.org", "username": "root", "is_staff": "on"},
    )
    verified_user.refresh_from_db()
    assert (verified_user.email, verified_user.username, verified_user.is_staff) == (
        "camille@example.org",
        "camille",
        False,
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    ["/accounts/profile/", "/accounts/profile/data.json", "/accounts/profile/delete/"],
)
def test_account_pages_anonymous_redirected_to_login(client, url):
    """Anonymous visitors are sent to the log-in page, with a way back."""
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={url}"


@pytest.mark.django_db
def test_account_pages_anonymous_post_does_nothing(client):
    """An anonymous POST to the profile or deletion is redirected to log-in too."""
    for url in ["/accounts/profile/", "/accounts/profile/delete/"]:
        response = client.post(url, PROFILE)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
