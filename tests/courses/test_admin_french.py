"""The trainer's admin reads in French (issue 17, point 5): none of the English
strings trainers reported ("Soumettre à Moderators approval", "Password*",
"Ajouter un(e) Questions tirées des banques") on the screens they use."""

import re

import pytest

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

REPORTED = ["Moderators approval", "Password", "Ajouter un(e)", "Submit to"]


def visible_text(html: str) -> str:
    """The page's text and labels, without scripts, tags or attribute values."""
    html = re.sub(r"<script\b.*?</script>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


@pytest.fixture
def pages(draft_course):
    children = draft_course.get_children()
    return {
        "course": draft_course.pk,
        "lesson": children.get(slug="lecon-1").pk,
        "quiz": children.get(slug="evaluation").pk,
    }


@pytest.mark.parametrize(
    "url",
    [
        "/admin/pages/{course}/edit/",
        "/admin/pages/{lesson}/edit/",
        "/admin/pages/{quiz}/edit/",
        "/admin/pages/add/courses/lessonpage/{course}/",
        "/admin/pages/{lesson}/privacy/",
        "/admin/account/",
        "/admin/snippets/courses/questionpool/add/",
    ],
)
def test_admin_french_for_trainers(client, trainer, editor, pages, url):
    """Trainers and editors (who submit for moderation) read no reported string."""
    for user in (trainer, editor):
        client.force_login(user)
        response = client.get(url.format(**pages))
        if user is editor and response.status_code == 302:
            continue  # a screen editors may not open (privacy, question banks)
        assert response.status_code == 200, (user, url)
        text = visible_text(response.content.decode())
        if url.endswith("/privacy/"):
            text = response.json()["html"]
            text = visible_text(text)
        for english in REPORTED:
            assert english not in text, (user.username, url, english)


def test_admin_french_user_forms_for_administrators(client):
    """An administrator creating a user reads "Mot de passe"."""
    admin = UserFactory(username="admin", is_superuser=True, is_staff=True)
    client.force_login(admin)
    text = visible_text(client.get("/admin/users/new/").content.decode())
    assert "Mot de passe" in text
    assert "Password" not in text
