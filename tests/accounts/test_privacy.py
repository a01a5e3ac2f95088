"""Personal data: download my data, delete my account."""

import json
import sys

from django.contrib.auth import get_user_model
from django.test import Client

import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount

from accounts.models import AccountDeletion
from accounts.privacy import delete_account, export_personal_data
from learning.models import Enrollment
from learning.progress import complete_lesson, enrol, open_lesson
from learning.xapi.models import Statement
from tests.accounts.conftest import PASSWORD
from tests.factories import CoursePageFactory, LessonPageFactory, UserFactory

EXPORT_URL = "/accounts/profile/data.json"
DELETE_URL = "/accounts/profile/delete/"


@pytest.fixture
def learner_with_records(verified_user, catalogue):
    """A learner enrolled in a course, with one lesson opened and completed."""
    course = CoursePageFactory(parent=catalogue, title="Le SNDS", slug="snds")
    lesson = LessonPageFactory(parent=course, title="Accès", slug="acces")
    LessonPageFactory(parent=course, title="Sécurité", slug="securite")
    enrollment = enrol(verified_user, course)
    open_lesson(enrollment, lesson)
    complete_lesson(enrollment, lesson)
    return verified_user


@pytest.mark.django_db
def test_data_export_contains_profile_and_learning_records(
    client, learner_with_records
):
    """The JSON download holds the profile, e-mail addresses and learning records."""
    user = learner_with_records
    client.force_login(user)
    response = client.get(EXPORT_URL)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="atelier-')
    assert "no-cache" in response["Cache-Control"]
    data = json.loads(response.content)
    user.refresh_from_db()
    assert data["profile"] == {
        "username": "camille",
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": "camille@example.org",
        "declared_unit": "UMR 1234",
        "preferred_language": "fr",
        "pseudonym": str(user.pseudonym),
        "date_joined": user.date_joined.isoformat(),
        "last_login": user.last_login.isoformat(),
    }
    assert data["email_addresses"] == [
        {"email": "camille@example.org", "verified": True, "primary": True}
    ]
    [enrollment] = data["learning"]["enrollments"]
    assert enrollment["course"] == "Le SNDS"
    assert [lesson["lesson"] for lesson in enrollment["lessons"]] == ["Accès"]
    statements = data["learning"]["xapi_statements"]
    assert len(statements) == 3  # registered, launched, completed
    assert {s["actor"]["account"]["name"] for s in statements} == {str(user.pseudonym)}


@pytest.mark.django_db
def test_data_export_only_ever_the_requesting_user(client, learner_with_records):
    """Another user downloading gets only their own data, whatever the query says."""
    owner = learner_with_records
    other = UserFactory(username="dominique", email="dominique@example.org")
    client.force_login(other)

    response = client.get(f"{EXPORT_URL}?user={owner.pk}&username=camille")

    text = response.content.decode()
    data = json.loads(text)
    assert data["profile"]["username"] == "dominique"
    assert data["learning"]["enrollments"] == []
    assert "camille" not in text
    assert str(owner.pseudonym) not in text


@pytest.mark.django_db
def test_data_export_without_learning_records_module(monkeypatch, verified_user):
    """If `learning.records` is not there, the export still works with empty learning data."""
    import learning

    monkeypatch.delattr(learning, "records", raising=False)
    monkeypatch.setitem(sys.modules, "learning.records", None)

    data = export_personal_data(verified_user)

    assert data["learning"] == {}
    assert data["profile"]["username"] == "camille"


@pytest.mark.django_db
def test_delete_page_asks_password_of_password_users(client, verified_user):
    """The confirmation page asks password users for their password."""
    client.force_login(verified_user)
    response = client.get(DELETE_URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<label for="id_password"' in html
    assert 'name="confirm"' not in html
    assert html.count("<h1") == 1


@pytest.mark.django_db
def test_delete_account_removes_personal_data_and_records_the_deletion(
    client, learner_with_records
):
    """Deletion erases the user, addresses and progress, keeps a pseudonymous trace, logs out."""
    user = learner_with_records
    pseudonym = user.pseudonym
    client.force_login(user)

    response = client.post(DELETE_URL, {"password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert not get_user_model().objects.filter(pk=user.pk).exists()
    assert not EmailAddress.objects.filter(email="camille@example.org").exists()
    assert not Enrollment.objects.exists()
    deletion = AccountDeletion.objects.get()
    assert deletion.pseudonym == pseudonym
    assert deletion.deleted_at is not None
    # The statements kept for statistics carry only the pseudonym.
    assert Statement.objects.for_actor(str(pseudonym)).exists()
    assert "_auth_user_id" not in client.session
    home = client.get("/", follow=True)
    assert (
        "Votre compte et vos données de formation ont été supprimés."
        in home.content.decode()
    )


@pytest.mark.django_db
def test_delete_account_wrong_password_deletes_nothing(client, learner_with_records):
    """A wrong password gives a form error; the account and its records stay."""
    user = learner_with_records
    client.force_login(user)

    response = client.post(DELETE_URL, {"password": "not my password"})

    assert response.status_code == 200
    assert "password" in response.context["form"].errors
    assert 'class="message message--error"' in response.content.decode()
    assert get_user_model().objects.filter(pk=user.pk).exists()
    assert Enrollment.objects.filter(user=user).exists()
    assert not AccountDeletion.objects.exists()
    assert "_auth_user_id" in client.session


@pytest.mark.django_db
def test_delete_account_password_guessing_is_throttled(client, verified_user):
    """Repeated wrong passwords on the deletion form are stopped by the rate limit."""
    client.force_login(verified_user)
    for _attempt in range(10):
        client.post(DELETE_URL, {"password": "guess"})

    response = client.post(DELETE_URL, {"password": PASSWORD})

    assert response.status_code == 200
    assert "Trop de tentatives" in response.content.decode()
    assert get_user_model().objects.filter(pk=verified_user.pk).exists()


@pytest.mark.django_db
def test_delete_account_sso_user_confirms_with_a_tick_box(client, db):
    """An SSO account (no password) confirms deletion with a tick box."""
    user = UserFactory(username="sso-user", password=None)
    user.set_unusable_password()
    user.save()
    SocialAccount.objects.create(user=user, provider="institution", uid="janus-1")
    client.force_login(user)

    response = client.post(DELETE_URL, {})
    assert response.status_code == 200
    assert "confirm" in response.context["form"].errors

    response = client.post(DELETE_URL, {"confirm": "on"})
    assert response.status_code == 302
    assert not get_user_model().objects.filter(pk=user.pk).exists()
    assert not SocialAccount.objects.exists()


@pytest.mark.django_db
def test_delete_account_without_csrf_token_is_refused(verified_user):
    """A cross-site POST (no CSRF token) cannot delete an account."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(verified_user)

    response = client.post(DELETE_URL, {"password": PASSWORD})

    assert response.status_code == 403
    assert get_user_model().objects.filter(pk=verified_user.pk).exists()


@pytest.mark.django_db
def test_delete_account_in_english_goes_to_english_home(client, verified_user):
    """Deleting from the English pages lands on the English home page."""
    client.force_login(verified_user)
    response = client.post(f"/en{DELETE_URL}", {"password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/en/"


@pytest.mark.django_db
def test_delete_account_is_all_or_nothing(monkeypatch, learner_with_records):
    """If forgetting the learning records fails, nothing is deleted or recorded."""
    import learning.records

    def broken(user, **options):
        Enrollment.objects.filter(user=user).delete()
        raise RuntimeError("learning store unavailable")

    monkeypatch.setattr(learning.records, "forget_learner", broken)
    with pytest.raises(RuntimeError):
        delete_account(learner_with_records)

    assert get_user_model().objects.filter(pk=learner_with_records.pk).exists()
    assert Enrollment.objects.filter(user=learner_with_records).exists()
    assert not AccountDeletion.objects.exists()
