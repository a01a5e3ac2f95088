"""A researcher takes the SNDS final assessment with the keyboard alone: fails
once, passes on the second attempt, and sees the course completed.

Each page passes axe-core. Answers are given by tabbing to each control and
using Space, typing, or the arrow keys, as a keyboard user would.
"""

import re

from django.conf import settings
from django.test import Client

import pytest
from playwright.sync_api import expect

from cms.site_structure import ensure_site_structure
from courses.course_files import import_course
from courses.quizzes import QuizPage
from learning import progress
from learning.models import Enrollment, QuizAttempt
from tests.factories import UserFactory

pytestmark = pytest.mark.e2e

SNDS_FOLDER = settings.BASE_DIR / "content/courses/acces-snds-formation-obligatoire"


@pytest.fixture
def snds_ready(e2e_db):
    """The SNDS course imported, a learner enrolled with every lesson completed."""
    ensure_site_structure()
    course = import_course(SNDS_FOLDER)
    learner = UserFactory(username="camille")
    enrollment = progress.enrol(learner, course)
    for lesson in course.lessons():
        progress.complete_lesson(enrollment, lesson)
    quiz = QuizPage.objects.live().child_of(course).get()
    return learner, course, quiz


def log_in(page, live_server, user):
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [{"name": cookie.key, "value": cookie.value, "url": live_server.url}]
    )


def tab_to(page, selector: str, *, limit: int = 400) -> None:
    """Press Tab until the element matching `selector` has the focus."""
    for _ in range(limit):
        if page.evaluate(
            "(s) => document.activeElement && document.activeElement.matches(s)",
            selector,
        ):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{selector} cannot be reached with the Tab key")


def choose_radio(page, name: str, value: str) -> None:
    """Tab into a radio group, then move with the arrow keys (which also select)."""
    tab_to(page, f'input[type=radio][name="{name}"]')
    for _ in range(20):
        if page.evaluate("() => document.activeElement.value") == value:
            page.keyboard.press("Space")
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"{name}={value} cannot be chosen with the arrow keys")


def answer_correctly(page, attempt: QuizAttempt) -> None:
    for question in attempt.questions:
        key, kind = question["key"], question["type"]
        if kind == "single_choice":
            correct = next(c for c in question["choices"] if c["correct"])
            choose_radio(page, key, correct["id"])
        elif kind == "multiple_choice":
            for choice in question["choices"]:
                if choice["correct"]:
                    tab_to(page, f'input[name="{key}"][value="{choice["id"]}"]')
                    page.keyboard.press("Space")
        elif kind == "true_false":
            choose_radio(page, key, "true" if question["answer"] else "false")
        elif kind in ("numeric", "short_text"):
            tab_to(page, f'input[name="{key}"]')
            text = question["value"] if kind == "numeric" else question["accepted"][0]
            page.keyboard.type(str(text))
        elif kind == "ordering":
            for position, item in enumerate(question["items"], start=1):
                tab_to(page, f'select[name="{key}-{item["id"]}"]')
                for _ in range(position):
                    page.keyboard.press("ArrowDown")
        elif kind == "matching":
            for pair in question["pairs"]:
                tab_to(page, f'select[name="{key}-{pair["id"]}"]')
                for _ in range(question["right_order"].index(pair["id"]) + 1):
                    page.keyboard.press("ArrowDown")


def test_snds_assessment_fail_then_pass_keyboard_only(
    page, live_server, snds_ready, assert_accessible
):
    """Fail, pass, course completed — every action with the keyboard."""
    learner, course, quiz = snds_ready
    log_in(page, live_server, learner)
    page.goto(f"{live_server.url}{quiz.url}")
    assert_accessible(page)

    # Attempt 1: submit without answering → not passed.
    tab_to(page, "button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    expect(page.locator("form.quiz-form")).to_be_visible()
    assert_accessible(page)
    tab_to(page, 'button[value="submit"]')
    page.keyboard.press("Enter")
    expect(page.get_by_text(re.compile("Non réussi"))).to_be_visible()
    assert_accessible(page)

    # Attempt 2: every answer right → passed, course completed.
    page.goto(f"{live_server.url}{quiz.url}")
    tab_to(page, "main button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.locator("form.quiz-form")).to_be_visible()
    attempt = QuizAttempt.objects.get(enrollment__user=learner, status="open")
    answer_correctly(page, attempt)
    tab_to(page, 'button[value="submit"]')
    page.keyboard.press("Enter")
    expect(page.get_by_text(re.compile(r"Réussi \("))).to_be_visible()
    expect(
        page.get_by_text(re.compile("La formation est terminée : votre certificat"))
    ).to_be_visible()
    assert_accessible(page)
    assert Enrollment.objects.get(user=learner).is_completed

    page.goto(f"{live_server.url}{course.url}")
    expect(page.get_by_role("progressbar").first).to_have_attribute(
        "aria-valuenow", "100"
    )
