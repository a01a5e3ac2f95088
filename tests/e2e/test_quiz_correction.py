"""The learner's way to the assessment and its correction (issue 17, points 8 and
9), in Chromium: the course outline lists the quiz, the last lesson's "next"
leads to it, one mistake, and the correction shows the learner's own answers,
the correct ones, each choice's feedback and the attempts left; "my learning"
counts lessons and quizzes apart.

Each page passes axe-core (no serious or critical violation).
"""

import re
import textwrap

import pytest
from playwright.sync_api import expect

from cms.site_structure import ensure_site_structure
from courses.course_files import import_course
from courses.quizzes import QuizPage

from .conftest import log_in

pytestmark = pytest.mark.e2e

FILES = {
    "course.md": """\
        ---
        title: Formats ouverts
        language: fr
        duration_minutes: 20
        ---
        Choisir un format de fichier pour ses données.
        """,
    "01-tableaux.md": """\
        ---
        title: Les tableaux
        duration_minutes: 5
        ---
        CSV pour les tableaux.
        """,
    "02-grands-volumes.md": """\
        ---
        title: Les grands volumes
        duration_minutes: 5
        ---
        HDF5 pour les grands tableaux numériques.
        """,
    "quiz-03-evaluation.yaml": """\
        title: Évaluation des formats
        pass_mark: 100
        max_attempts: 3
        shuffle_questions: false
        shuffle_choices: false
        questions:
          - type: single_choice
            prompt: Quel format pour un tableau de mesures ?
            feedback: Un format texte ouvert se lit partout et longtemps.
            choices:
              - {text: CSV, correct: true, feedback: "Oui : un format texte ouvert."}
              - {text: XLSX, feedback: "Non : le format d’un tableur, moins pérenne."}
              - {text: PDF}
          - type: true_false
            prompt: HDF5 convient aux grands tableaux numériques.
            answer: true
        """,
}


@pytest.fixture
def formats(e2e_db, tmp_path):
    ensure_site_structure()
    folder = tmp_path / "formats"
    folder.mkdir()
    for name, text in FILES.items():
        (folder / name).write_text(textwrap.dedent(text), encoding="utf-8")
    course = import_course(folder)
    lessons = list(course.lessons())
    return course, lessons, QuizPage.objects.live().child_of(course).get()


def test_last_lesson_leads_to_the_quiz_and_its_correction(
    page, live_server, formats, assert_accessible
):
    course, lessons, quiz = formats
    log_in(page, live_server, _learner())
    page.goto(f"{live_server.url}{course.url}")
    page.get_by_role("button", name="Commencer la formation").click()
    expect(page).to_have_url(re.compile(re.escape(lessons[0].url) + "$"))

    # The outline lists the quiz after the lessons, still to pass.
    outline = page.get_by_role("navigation", name="Plan de la formation")
    items = outline.get_by_role("listitem")
    expect(items).to_have_count(3)
    expect(items.nth(2)).to_contain_text("Évaluation des formats")
    expect(items.nth(2)).to_contain_text("Quiz")
    expect(items.nth(2)).to_contain_text("À réussir")
    assert_accessible(page)

    # Lesson 1 done; lesson 2, the last, is left by its "next": the quiz.
    page.get_by_role("button", name="Marquer comme faite et continuer").click()
    expect(page).to_have_url(re.compile(re.escape(lessons[1].url) + "$"))
    expect(items.nth(0)).to_contain_text("terminée")
    next_link = page.locator("a[rel=next]")
    expect(next_link).to_have_text("Ensuite, le quiz : Évaluation des formats →")
    assert_accessible(page)
    next_link.click()
    expect(page).to_have_url(re.compile(re.escape(quiz.url) + "$"))

    # One mistake: XLSX instead of CSV.
    page.get_by_role("button", name="Commencer le quiz").click()
    page.get_by_role("radio", name="XLSX").check()
    page.get_by_role("radio", name="Vrai").check()
    page.locator('button[value="submit"]').click()

    # The result: not passed, 2 attempts left out of 3.
    result = page.get_by_role("status")
    expect(result).to_contain_text("Non réussi")
    expect(result).to_contain_text("Il vous reste 2 tentatives sur 3.")
    # The correction, in words: the learner's choice, the correct one, feedback.
    chosen = page.locator(".review-choice", has_text="XLSX")
    expect(chosen).to_contain_text("Votre réponse")
    expect(chosen).to_contain_text("✗ Réponse incorrecte")
    expect(chosen).to_contain_text("Non : le format d’un tableur, moins pérenne.")
    right = page.locator(".review-choice", has_text="CSV")
    expect(right).to_contain_text("✓ Bonne réponse")
    expect(right).not_to_contain_text("Votre réponse")
    expect(right).to_contain_text("Oui : un format texte ouvert.")
    expect(page.locator(".review-choice", has_text="PDF")).to_have_text("PDF")
    true = page.locator(".review-choice", has_text="Vrai")
    expect(true).to_contain_text("Votre réponse")
    expect(true).to_contain_text("✓ Bonne réponse")
    expect(page.get_by_text("Un format texte ouvert se lit partout")).to_be_visible()
    assert_accessible(page)

    # "My learning": lessons and the quiz counted apart.
    page.goto(f"{live_server.url}/learning/")
    card = page.locator(".card", has_text="Formats ouverts")
    expect(card).to_contain_text("Leçons terminées : 1 sur 2")
    expect(card).to_contain_text("Quiz obligatoire réussi : 0 sur 1")
    assert_accessible(page)

    # A new attempt from the correction page, then the course page says passed.
    page.go_back()
    page.get_by_role("button", name="Commencer une nouvelle tentative").click()
    page.get_by_role("radio", name="CSV").check()
    page.get_by_role("radio", name="Vrai").check()
    page.locator('button[value="submit"]').click()
    expect(page.get_by_role("status")).to_contain_text(
        "Il vous reste 1 tentative sur 3."
    )
    page.goto(f"{live_server.url}{course.url}")
    quiz_item = page.locator(".syllabus__item", has_text="Évaluation des formats")
    expect(quiz_item).to_contain_text("✓ Réussi")
    assert_accessible(page)


def _learner():
    from tests.factories import UserFactory

    return UserFactory(username="sacha", email="sacha@example.org")
