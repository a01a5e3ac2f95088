"""`manage.py seed_demo`: the five demo courses and the demo people, idempotently."""

from django.contrib.auth import get_user_model
from django.core.management import call_command
from wagtail.models import Page, Revision

import pytest

from courses.models import CoursePage, LessonPage

pytestmark = pytest.mark.django_db


def counts():
    return (
        Page.objects.count(),
        Revision.objects.count(),
        get_user_model().objects.count(),
    )


def test_seed_demo_creates_courses_and_people(client):
    """The demo has the five courses (SNDS with 5+ lessons), in French and English."""
    call_command("seed_demo", stdout=None)
    french = CoursePage.objects.filter(locale__language_code="fr")
    assert french.count() >= 5
    snds = french.get(slug="acces-snds-formation-obligatoire")
    assert snds.mandatory and snds.certificate_validity_months == 12
    assert snds.pass_mark == 80
    assert LessonPage.objects.child_of(snds).live().count() >= 5
    assert CoursePage.objects.filter(locale__language_code="en").count() >= 2
    users = {user.username: user for user in get_user_model().objects.all()}
    assert set(users) >= {"apprenant", "formatrice", "responsable", "admin"}
    assert users["admin"].is_superuser
    assert users["formatrice"].has_perm("wagtailadmin.access_admin")
    assert not users["apprenant"].has_perm("wagtailadmin.access_admin")
    response = client.get("/catalogue/")
    assert len(response.context["results"].courses) >= 5


def test_seed_demo_is_idempotent():
    """Running the seed twice changes nothing the second time."""
    call_command("seed_demo")
    first = counts()
    call_command("seed_demo")
    assert counts() == first


def test_demo_trainer_can_edit_courses_learner_cannot(client):
    """The trainer reaches the page editor; the learner is refused the admin."""
    call_command("seed_demo")
    course = CoursePage.objects.filter(locale__language_code="fr").first()
    client.login(username="formatrice", password="formatrice-demo")
    assert client.get(f"/admin/pages/{course.pk}/edit/").status_code == 200
    client.logout()
    client.login(username="apprenant", password="apprenant-demo")
    response = client.get(f"/admin/pages/{course.pk}/edit/")
    assert response.status_code in (302, 403)


def test_demo_learner_logs_in_on_the_site(client):
    """Demo accounts have verified addresses: the learner logs in at /accounts/login/."""
    call_command("seed_demo")
    response = client.post(
        "/accounts/login/", {"login": "apprenant", "password": "apprenant-demo"}
    )
    assert response.status_code == 302
    assert "confirm" not in response["Location"]
    assert client.get("/learning/").status_code == 200
