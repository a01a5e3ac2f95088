"""LTI in Chromium: a learner launched from an LMS (lti1p3platform, its page
framing Atelier) passes a quiz inside the frame; the grade reaches the LMS.

The LMS and Atelier run on two ports of localhost: two origins (the frame is
allowed by frame-ancestors for the LMS's origin only) of one site (plain HTTP
cannot carry the `SameSite=None; Secure` cookies a cross-site frame needs).
Each of Atelier's pages passes axe-core.
"""

import textwrap

import pytest
from playwright.sync_api import expect

from cms.site_structure import ensure_site_structure
from courses.course_files import import_course
from courses.quizzes import QuizPage
from learning.lti.models import PendingScore, Platform
from tests.lti.platform import TestPlatform

pytestmark = pytest.mark.e2e


@pytest.fixture
def quiz(e2e_db, tmp_path):
    ensure_site_structure()
    folder = tmp_path / "donnees"
    folder.mkdir()
    files = {
        "course.md": """\
            ---
            title: Données de santé
            language: fr
            duration_minutes: 20
            ---
            Le SNDS.
            """,
        "01-snds.md": """\
            ---
            title: Le SNDS
            duration_minutes: 10
            ---
            Des données pseudonymisées.
            """,
        "quiz-02-quiz.yaml": """\
            title: Quiz SNDS
            pools:
              - code: snds-lti
                title: SNDS
                questions:
                  - type: true_false
                    answer: true
                    prompt: Les données du SNDS sont pseudonymisées.
            """,
    }
    for name, text in files.items():
        (folder / name).write_text(textwrap.dedent(text), encoding="utf-8")
    course = import_course(folder)
    return QuizPage.objects.live().child_of(course).get()


@pytest.fixture
def lms(live_server, settings, quiz):
    settings.SITE_BASE_URL = live_server.url
    lms = TestPlatform(host="localhost", tool_base=live_server.url)
    lms.tool_key_set_url = f"{live_server.url}/lti/jwks.json"
    Platform.objects.create(**lms.tool_settings())
    yield lms
    lms.close()


def test_launch_pass_quiz_grade_reaches_lms(
    page, live_server, lms, quiz, assert_accessible
):
    target = f"{live_server.url}/lti/go/{quiz.translation_key}/"
    page.goto(lms.course_url(target=target, link="quiz-link", link_title="Quiz SNDS"))
    frame = page.frame_locator("iframe[title=Atelier]")
    frame.get_by_role("button", name="Commencer le quiz").click()
    frame.get_by_role("radio", name="Vrai").check()
    frame.locator('button[value="submit"]').click()
    expect(frame.get_by_text("100 %").first).to_be_visible()

    [(lineitem, score)] = lms.scores
    assert score["userId"] == "student-1"
    assert (score["scoreGiven"], score["scoreMaximum"]) == (100, 100)
    assert lms.lineitems[lineitem]["resourceLinkId"] == "quiz-link"
    assert PendingScore.objects.get().delivered_at is not None

    # The framed page, opened on its own (the launch's session): accessible.
    atelier = next(f for f in page.frames if f.url.startswith(live_server.url))
    page.goto(atelier.url)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Quiz SNDS")
    assert_accessible(page)


def test_site_pages_refuse_other_frames(page, live_server, lms, quiz):
    """Without a launch, the LMS cannot frame Atelier's pages (frame-ancestors 'self')."""
    response = page.request.get(f"{live_server.url}{quiz.url}")
    assert "frame-ancestors 'self'" in response.headers["content-security-policy"]
    assert lms.url not in response.headers["content-security-policy"]
    assert response.headers["x-frame-options"] == "DENY"
