"""Names and Role Provisioning: a teacher sees who in the LMS course has completed."""

from django.test import TestCase
from django.urls import reverse

from .conftest import launch
from .platform import INSTRUCTOR, LEARNER
from .test_launch import go


def member(sub, name, roles=(LEARNER,)):
    return {"user_id": sub, "name": name, "roles": list(roles), "status": "Active"}


def test_teacher_sees_learners_progress(client, registered, platform, course, lessons):
    platform.members = [
        member("student-1", "Camille Martin"),
        member("student-2", "Dominique Petit"),
        member("student-3", "Eve Durand"),
        member("teacher-1", "Prof", roles=[INSTRUCTOR]),
    ]
    launch(client, platform, target=go(course))
    with TestCase.captureOnCommitCallbacks(execute=True):
        for lesson in lessons:
            client.post(reverse("learning:complete_lesson", args=[lesson.pk]))
    client.cookies.clear()
    launch(
        client, platform, target=go(course), user="student-2", name="Dominique Petit"
    )
    client.cookies.clear()
    response = launch(
        client, platform, target=go(course), user="teacher-1", roles=[INSTRUCTOR]
    )
    assert response["Location"] == "/lti/members/"
    page = client.get("/lti/members/")
    html = page.content.decode()
    assert page.status_code == 200
    rows = html.split("<tbody>")[1]
    assert rows.index("Camille Martin") < rows.index("Dominique Petit")
    assert "Terminée le" in rows and "En cours" in rows and "Non commencée" in rows
    assert "Prof" not in rows
    assert f'href="{course.url}"' in html


def test_learners_cannot_see_members(client, registered, platform, course):
    launch(client, platform, target=go(course))
    assert client.get("/lti/members/").status_code == 403


def test_members_page_without_the_service(client, registered, platform, course):
    """The LMS's member service fails: the page says so, no 500."""
    launch(client, platform, target=go(course), user="teacher-1", roles=[INSTRUCTOR])
    platform.close()
    page = client.get("/lti/members/")
    assert page.status_code == 200
    assert 'role="status"' in page.content.decode()
