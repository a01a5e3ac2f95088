"""Issue 17, point 6, in Chromium: an English-speaking learner takes the SNDS
final assessment in English (the demo course folder, translated questions) and
passes it; the French catalogue's "English" finds the English versions of the
courses. Each page passes axe-core (no serious or critical violation)."""

import re

from django.conf import settings
from wagtail.models import Locale

import pytest
from playwright.sync_api import expect

from cms.site_structure import ensure_site_structure
from courses.course_files import import_course
from courses.quizzes import QuizPage
from learning.models import QuizAttempt
from tests.factories import UserFactory

from .conftest import log_in

pytestmark = pytest.mark.e2e

SNDS = "acces-snds-formation-obligatoire"


@pytest.fixture
def snds_quiz(e2e_db):
    """The demo SNDS course (French and English), imported as seed_demo does."""
    ensure_site_structure()
    course = import_course(settings.COURSE_CONTENT_DIR / SNDS)
    quiz = QuizPage.objects.live().child_of(course).get()
    return quiz.get_translation(Locale.objects.get(language_code="en")).specific


def answer_everything_right(page, attempt: QuizAttempt) -> None:
    """Fill the form with the right answer to each drawn question."""
    for question in attempt.questions:
        key, kind = question["key"], question["type"]
        if kind in ("single_choice", "multiple_choice"):
            for choice in question["choices"]:
                if choice["correct"]:
                    page.locator(f'input[name="{key}"][value="{choice["id"]}"]').check()
        elif kind == "true_false":
            value = "true" if question["answer"] else "false"
            page.locator(f'input[name="{key}"][value="{value}"]').check()
        elif kind == "numeric":
            page.locator(f"#{key}-n").fill(question["value"])
        elif kind == "short_text":
            page.locator(f"#{key}-s").fill(question["accepted"][0])
        elif kind == "ordering":
            for position, item in enumerate(question["items"], start=1):
                page.locator(f"#{key}-{item['id']}").select_option(str(position))
        elif kind == "matching":
            for pair in question["pairs"]:
                page.locator(f"#{key}-{pair['id']}").select_option(pair["id"])


def test_english_learner_takes_the_snds_assessment_in_english(
    page, live_server, snds_quiz, assert_accessible
):
    """From the English quiz page, the ten drawn questions are in English (no
    French left, no lang="fr" inside the form); the right answers pass."""
    learner = UserFactory(username="sam", preferred_language="en")
    log_in(page, live_server, learner)
    page.goto(f"{live_server.url}{snds_quiz.url}")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Final assessment")
    assert_accessible(page)

    page.get_by_role("button", name="Start the quiz").click()
    questions = page.locator("form.quiz-form li.question")
    expect(questions).to_have_count(10)
    attempt = QuizAttempt.objects.get()
    assert {question["lang"] for question in attempt.questions} == {"en"}
    # Every text of the form is English: nothing marked as French.
    expect(page.locator('form.quiz-form [lang="fr"]')).to_have_count(0)
    for question in attempt.questions:
        prompt = page.locator(f"#{question['key']}-prompt")
        expect(prompt).not_to_contain_text("’")  # the French typography
        start = re.sub(r"[*`]", "", question["prompt"]).split("\n")[0][:25]
        expect(prompt).to_contain_text(start)
        if "choices" in question:
            first = question["choices"][0]["text"]
            expect(page.get_by_text(first, exact=True).first).to_be_visible()
    assert_accessible(page)

    answer_everything_right(page, attempt)
    page.locator('button[value="submit"]').click()
    expect(page.locator(".result__score")).to_have_text(re.compile(r"Attempt 1: 100"))
    expect(page.locator(".result")).to_contain_text("Passed")
    expect(page.locator('.questions [lang="fr"]')).to_have_count(0)
    assert_accessible(page)
    attempt.refresh_from_db()
    assert attempt.passed and attempt.score == 1.0


def test_untranslated_question_carries_lang_fr(
    page, live_server, snds_quiz, assert_accessible
):
    """A bank left untranslated is asked in French on the English page, its
    texts marked lang="fr" (screen readers switch voice); still axe clean."""
    from courses.quizzes import QuestionPool

    QuestionPool.objects.filter(locale__language_code="en").delete()
    log_in(page, live_server, UserFactory(username="kim", preferred_language="en"))
    page.goto(f"{live_server.url}{snds_quiz.url}")
    page.get_by_role("button", name="Start the quiz").click()
    attempt = QuizAttempt.objects.get()
    assert {question["lang"] for question in attempt.questions} == {"fr"}
    prompts = page.locator("form.quiz-form .question__prompt")
    expect(prompts).to_have_count(10)
    expect(page.locator('form.quiz-form .question__prompt[lang="fr"]')).to_have_count(
        10
    )
    # The legend ("Question 1") is the page's English.
    expect(page.locator("legend").first).to_have_text("Question 1")
    assert_accessible(page)


@pytest.fixture
def english_versions(e2e_db):
    """The demo courses that have English versions, as seed_demo imports them."""
    ensure_site_structure()
    for folder in (SNDS, "principes-fair", "plan-de-gestion-des-donnees"):
        import_course(settings.COURSE_CONTENT_DIR / folder)
    import_course(settings.COURSE_CONTENT_DIR / "choisir-un-entrepot")  # French only


def test_catalogue_english_facet_finds_the_english_versions(
    page, live_server, english_versions, assert_accessible
):
    """In the French catalogue, ticking "English" lists the three English
    versions (titles marked lang="en", links to /en/); in the English
    catalogue, the same facet finds them too."""
    page.goto(f"{live_server.url}/catalogue/")
    english = page.get_by_role("checkbox", name=re.compile(r"English \(3\)"))
    expect(english).to_be_visible()
    english.check()
    page.get_by_role("button", name="Appliquer les filtres").click()
    expect(page).to_have_url(re.compile(r"language=en"))
    cards = page.locator(".card-grid .card")
    expect(cards).to_have_count(3)
    titles = page.locator('.card__title a[lang="en"]')
    expect(titles).to_have_count(3)
    for link in titles.all():
        assert link.get_attribute("href").startswith("/en/")
    expect(page.get_by_role("link", name="The FAIR principles")).to_be_visible()
    assert_accessible(page)

    page.goto(f"{live_server.url}/en/catalogue/?language=en")
    expect(page.locator(".card-grid .card")).to_have_count(3)
    expect(page.locator('.card-grid [lang="fr"]')).to_have_count(0)
    assert_accessible(page)
