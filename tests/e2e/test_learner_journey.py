"""A researcher signs up, verifies their e-mail, starts the SNDS course, completes
two lessons, leaves, comes back and continues from the right lesson.

Each page on the way passes axe-core (no serious or critical violation).
"""

import re

from django.conf import settings
from django.core import mail

import pytest
from playwright.sync_api import expect

from cms.site_structure import ensure_site_structure
from courses.course_files import import_course

pytestmark = pytest.mark.e2e

SNDS_FOLDER = settings.BASE_DIR / "content/courses/acces-snds-formation-obligatoire"
PASSWORD = "Une-phrase-de-passe-solide-2026"


@pytest.fixture
def snds(e2e_db):
    ensure_site_structure()
    course = import_course(SNDS_FOLDER)
    return course, list(course.lessons())


def test_learner_journey_sign_up_to_resume(page, live_server, snds, assert_accessible):
    """Sign up, verify, log in, complete two lessons, come back and continue."""
    course, lessons = snds
    mail.outbox.clear()

    page.goto(f"{live_server.url}/accounts/signup/")
    assert_accessible(page)
    page.fill("input[name=email]", "camille.durand@cnrs.example")
    page.fill("input[name=username]", "cdurand")
    page.fill("input[name=first_name]", "Camille")
    page.fill("input[name=last_name]", "Durand")
    # No organisation unit exists here: the form offers no unit to pick.
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    page.locator("form").filter(has=page.locator("input[name=password2]")).locator(
        "button[type=submit]"
    ).click()
    page.wait_for_load_state()
    assert_accessible(page)

    assert len(mail.outbox) == 1, "one verification e-mail"
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[0].body)
    assert link, mail.outbox[0].body
    confirm_path = link.group(0).split("/accounts/", 1)[1]
    page.goto(f"{live_server.url}/accounts/{confirm_path}")
    assert_accessible(page)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()

    page.goto(f"{live_server.url}/accounts/login/")
    assert_accessible(page)
    page.fill("input[name=login]", "camille.durand@cnrs.example")
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()

    page.goto(f"{live_server.url}{course.url}")
    assert_accessible(page)
    page.get_by_role("button", name="Commencer la formation").click()
    expect(page).to_have_url(re.compile(re.escape(lessons[0].url) + "$"))
    assert_accessible(page)

    for expected_next in lessons[1:3]:
        page.get_by_role("button", name="Marquer comme faite et continuer").click()
        expect(page).to_have_url(re.compile(re.escape(expected_next.url) + "$"))

    # Leave, come back: the course page offers to continue at lesson 3.
    page.goto(f"{live_server.url}/")
    page.goto(f"{live_server.url}{course.url}")
    bar = page.get_by_role("progressbar").first
    steps = len(list(course.syllabus()))  # lessons and quizzes
    expect(bar).to_have_attribute("aria-valuenow", str(round(200 / steps)))
    assert_accessible(page)
    page.get_by_role("link", name="Reprendre là où vous vous étiez arrêté").click()
    expect(page).to_have_url(re.compile(re.escape(lessons[2].url) + "$"))

    page.goto(f"{live_server.url}/learning/")
    assert_accessible(page)
    expect(page.get_by_text("Accès au SNDS").first).to_be_visible()
