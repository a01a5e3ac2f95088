"""Deep Linking: a teacher picks Atelier content from the LMS; the platform
(lti1p3platform) checks the signed answer and creates the links."""

import re

import requests

from learning.lti.models import Identity, PendingScore

from .conftest import launch
from .platform import INSTRUCTOR
from .test_grades import pass_quiz


def open_picker(client, platform):
    response = launch(
        client, platform, deep_linking=True, user="teacher-1", roles=[INSTRUCTOR]
    )
    assert response.status_code == 303
    assert response["Location"] == "/lti/deep-link/"
    return client.get("/lti/deep-link/")


def answer(page) -> dict:
    html = page.content.decode()
    return {
        "action": re.search(r'<form method="post" action="([^"]+)"', html).group(1),
        "JWT": re.search(r'name="JWT" value="([^"]+)"', html).group(1),
    }


def test_teacher_picks_a_quiz_and_a_course(client, registered, platform, course, quiz):
    picker = open_picker(client, platform)
    html = picker.content.decode()
    assert picker.status_code == 200
    assert course.title in html and quiz.title in html
    assert f"frame-ancestors 'self' {platform.url}" in picker["Content-Security-Policy"]
    picked = client.post(
        "/lti/deep-link/",
        {"item": [str(quiz.translation_key), str(course.translation_key)]},
    )
    assert picked.status_code == 200
    form = answer(picked)
    assert form["action"] == f"{platform.url}/deep-link-return"
    # The browser posts the answer to the platform, which checks its signature
    # against the tool's JWKS and adds the links with their gradebook columns.
    result = requests.post(form["action"], data={"JWT": form["JWT"]}, timeout=10)
    assert result.status_code == 200, result.text
    quiz_item, course_item = platform.deep_link_items
    assert quiz_item["type"] == "ltiResourceLink"
    assert quiz_item["url"] == f"http://testserver/lti/go/{quiz.translation_key}/"
    assert quiz_item["custom"] == {"atelier_page": str(quiz.translation_key)}
    assert quiz_item["lineItem"]["scoreMaximum"] == 100
    assert course_item["title"] == course.title
    # A learner follows the new quiz link: the score goes to its column.
    client.cookies.clear()
    response = launch(
        client,
        platform,
        target=quiz_item["url"],
        link=quiz_item["id"],
        lineitem=quiz_item["lineitem"],
    )
    assert response["Location"] == quiz.url
    pass_quiz(client, quiz, Identity.objects.get(subject="student-1").user)
    assert PendingScore.objects.get().delivered_at is not None
    assert [item for item, _ in platform.scores] == [quiz_item["lineitem"]]


def test_learner_cannot_pick_content(client, registered, platform, course):
    response = launch(client, platform, deep_linking=True)
    assert response.status_code == 403


def test_picker_without_a_deep_linking_launch_refused(
    client, registered, platform, course
):
    launch(
        client, platform, target=f"http://testserver/lti/go/{course.translation_key}/"
    )
    assert client.get("/lti/deep-link/").status_code == 403


def test_bad_picks_are_a_clear_400(client, registered, platform, course):
    open_picker(client, platform)
    for data in (
        {},
        {"item": "not-a-key"},
        {"item": "00000000-0000-0000-0000-000000000000"},
    ):
        response = client.post("/lti/deep-link/", data)
        assert response.status_code == 400
        assert 'role="alert"' in response.content.decode()
