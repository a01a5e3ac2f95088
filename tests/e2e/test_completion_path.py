"""The SNDS learner who skipped a lesson with "next": passes the final assessment,
is told what is still missing for the certificate, follows the link, marks the
lesson as done, and gets the certificate (issue 13, point 3).

Each page passes axe-core.
"""

import re

import pytest
from playwright.sync_api import expect

from cms.site_structure import ensure_site_structure
from courses.course_files import import_course
from courses.quizzes import QuizPage
from learning.certificates.models import Certificate
from learning.models import QuizAttempt
from tests.factories import UserFactory

from .test_quiz_keyboard import SNDS_FOLDER, answer_correctly, log_in

pytestmark = pytest.mark.e2e


@pytest.fixture
def snds(e2e_db):
    ensure_site_structure()
    course = import_course(SNDS_FOLDER)
    lessons = list(course.lessons())
    quiz = QuizPage.objects.live().child_of(course).get()
    return course, lessons, quiz


def test_skipped_lesson_then_assessment_then_certificate(
    page, live_server, snds, assert_accessible
):
    course, lessons, quiz = snds
    learner = UserFactory(username="camille", email="camille@example.org")
    log_in(page, live_server, learner)

    # The course page says what completing takes.
    page.goto(f"{live_server.url}{course.url}")
    rule = page.locator(".completion-rule")
    expect(rule).to_contain_text("Pour terminer cette formation")
    expect(rule).to_contain_text("marquer chacune des 5 leçons comme faite")
    expect(rule).to_contain_text("réussir le quiz obligatoire")
    assert_accessible(page)
    page.get_by_role("button", name="Commencer la formation").click()
    expect(page).to_have_url(re.compile(re.escape(lessons[0].url) + "$"))

    # Lesson 1: one primary action; the plain "next" link skips the lesson.
    expect(page.locator("main .button--primary")).to_have_count(1)
    assert_accessible(page)
    page.locator("a[rel=next]").click()
    expect(page).to_have_url(re.compile(re.escape(lessons[1].url) + "$"))

    # Lessons 2 to 5 marked as done: the last leads on to the assessment.
    for lesson in lessons[1:]:
        expect(page).to_have_url(re.compile(re.escape(lesson.url) + "$"))
        page.get_by_role("button", name="Marquer comme faite et continuer").click()
    expect(page).to_have_url(re.compile(re.escape(quiz.url) + "$"))

    # The assessment, passed.
    page.get_by_role("button", name="Commencer le quiz").click()
    expect(page.locator("form.quiz-form")).to_be_visible()
    answer_correctly(page, QuizAttempt.objects.get(enrollment__user=learner))
    page.locator('button[value="submit"]').click()
    expect(page.get_by_text(re.compile(r"Réussi \("))).to_be_visible()

    # No certificate, and the result says why, with a link to the skipped lesson.
    status = page.locator(".completion-status")
    expect(status).to_contain_text("Pas encore de certificat")
    expect(status).to_contain_text("marquer cette leçon comme faite")
    missing = status.get_by_role("link")
    expect(missing).to_have_count(1)
    expect(missing).to_have_text(lessons[0].title)
    assert_accessible(page)
    assert not Certificate.objects.exists()

    # "Continue" on the course page goes to the same lesson, not the last one opened.
    page.goto(f"{live_server.url}{course.url}")
    page.get_by_role("link", name="Reprendre là où vous vous étiez arrêté").click()
    expect(page).to_have_url(re.compile(re.escape(lessons[0].url) + "$"))

    # Back on the quiz result, follow the link, mark the lesson as done.
    page.go_back()
    page.go_back()
    page.locator(".completion-status").get_by_role("link").click()
    expect(page).to_have_url(re.compile(re.escape(lessons[0].url) + "$"))
    page.get_by_role("button", name="Marquer comme faite et continuer").click()

    # Completed: the course page says so and the certificate is there.
    expect(page).to_have_url(re.compile(re.escape(course.url) + "$"))
    expect(page.get_by_text(re.compile("Félicitations"))).to_be_visible()
    status = page.locator(".completion-status")
    expect(status).to_contain_text("votre certificat a été délivré")
    certificate = Certificate.objects.get(enrollment__user=learner)
    expect(
        status.get_by_role("link", name=re.compile("Télécharger"))
    ).to_have_attribute("href", f"/certificates/{certificate.uuid}/pdf/")
    assert_accessible(page)
