"""The quiz correction (issue 17, point 8): the learner's own answers, the correct
choices and each choice's feedback, said in words; how many attempts remain."""

import re

from django.utils import translation

import pytest

from .conftest import perfect_answers
from .test_views import form_fields, open_attempt, start

pytestmark = pytest.mark.django_db


def _question(attempt, kind):
    return next(q for q in attempt.questions if q["type"] == kind)


def _wrong_single_choice(attempt) -> dict:
    """The single-choice question answered with a wrong choice."""
    question = _question(attempt, "single_choice")
    wrong = next(
        c for c in question["choices"] if c["text"] == "Des données nominatives"
    )
    return {question["key"]: wrong["id"]}


def _unanswered_true_false(attempt) -> dict:
    return {_question(attempt, "true_false")["key"]: None}


# 5 right answers out of 7: below the pass mark (80 %).
FAIL = (_wrong_single_choice, _unanswered_true_false)


def _submit(client, quiz, learner, *changes) -> str:
    """Start an attempt, submit perfect answers but for `changes` (functions of
    the attempt giving answers by key, None for none), return the review's text."""
    start(client, quiz)
    attempt = open_attempt(learner)
    given = perfect_answers(attempt)
    for change in changes:
        given |= change(attempt)
    given = {key: value for key, value in given.items() if value is not None}
    data = {"action": "submit", "attempt": attempt.pk, **form_fields(attempt, given)}
    response = client.post(quiz.url, data, follow=True)
    assert response.status_code == 200
    return " ".join(response.content.decode().split())


def _choices(html: str, prompt: str) -> list[str]:
    """The reviewed choices of the question whose prompt contains `prompt`."""
    question = html.split(prompt, 1)[1].split('<li class="question">')[0]
    listing = question.split('<ul class="review-choices">')[1].split("</ul>")[0]
    return re.split(r'<li class="review-choice[^"]*">', listing)[1:]


def test_correction_marks_own_answer_correct_choice_and_feedback(client, learner, quiz):
    """A wrong single choice: the learner's choice says "Your answer" and "Not a
    correct answer" with its feedback, the correct one says "Correct answer" with
    its own; a choice without feedback shows none."""
    client.force_login(learner)
    html = _submit(client, quiz, learner, _wrong_single_choice)
    right, chosen, other = _choices(html, "Que contient le SNDS")
    assert "Des données nominatives" in chosen
    assert "Votre réponse" in chosen and "✗ Réponse incorrecte" in chosen
    assert "Non, pseudonymisées." in chosen
    assert "Des données de santé pseudonymisées" in right
    assert "✓ Bonne réponse" in right and "Votre réponse" not in right
    assert "<p>Oui.</p>" in right
    assert "Votre réponse" not in other and "Bonne réponse" not in other
    assert "review-choice__feedback" not in other
    assert "Explication single_choice" in html  # the question's own feedback
    assert "Réponse attendue" in html  # other question types keep it


def test_correction_of_multiple_choice_and_true_false(client, learner, quiz):
    """Every chosen choice is the learner's; true/false lists both with the
    learner's and the correct one; no answer is said."""
    client.force_login(learner)
    html = _submit(client, quiz, learner, _unanswered_true_false)
    choices = _choices(html, "Quels principes")
    assert ["Votre réponse" in choice for choice in choices] == [True, True, False]
    assert ["Bonne réponse" in choice for choice in choices] == [True, True, False]
    true, false = _choices(html, "La formation ouvre un compte.")
    assert "Vrai" in true and "Votre réponse" not in true
    assert "Bonne réponse" not in true and "✓ Bonne réponse" in false
    after = html.split("La formation ouvre un compte.", 1)[1].split("</ul>", 1)[1]
    assert after.strip().startswith('<p class="muted">Vous n’avez pas répondu.</p>')


def test_without_corrections_only_own_answers_are_marked(client, learner, quiz):
    """Feedback set to "never": the learner's choices are marked, nothing says
    which are correct and no feedback shows."""
    quiz.feedback_mode = "never"
    quiz.save_revision().publish()
    client.force_login(learner)
    html = _submit(client, quiz, learner, _wrong_single_choice)
    right, chosen, _other = _choices(html, "Que contient le SNDS")
    assert "Votre réponse" in chosen and "Votre réponse" not in right
    for secret in ("Bonne réponse", "Réponse incorrecte", "Oui.", "pseudonymisées."):
        assert secret not in html, secret


def test_result_says_how_many_attempts_remain(client, learner, quiz):
    """Failed attempts, 3 allowed: 2 left, then 1, then none (and no new attempt offered)."""
    client.force_login(learner)
    html = _submit(client, quiz, learner, *FAIL)
    assert "Il vous reste 2 tentatives sur 3." in html
    assert "Commencer une nouvelle tentative" in html  # failed: try again here
    html = _submit(client, quiz, learner, *FAIL)
    assert "Il vous reste 1 tentative sur 3." in html
    html = _submit(client, quiz, learner, *FAIL)
    assert "Vous avez utilisé toutes vos tentatives pour ce quiz." in html
    assert "Commencer une nouvelle tentative" not in html


def test_result_says_attempts_are_unlimited(client, learner, quiz):
    quiz.max_attempts = None
    quiz.save_revision().publish()
    client.force_login(learner)
    html = _submit(client, quiz, learner)
    assert "Le nombre de tentatives n’est pas limité" in html
    assert "Commencer une nouvelle tentative" not in html  # passed: back to the quiz


def test_result_in_english(client, learner, course, quiz, site_structure):
    locale = site_structure.catalogue("en").locale
    for page in (course, quiz):
        page.copy_for_translation(locale).save_revision().publish()
    english = quiz.get_translation(locale)
    client.force_login(learner)
    with translation.override("en"):
        html = _submit(client, english, learner, _wrong_single_choice)
    assert "You have 2 attempts left out of 3." in html
    right, chosen, _other = _choices(html, "Que contient le SNDS")
    assert "Your answer" in chosen and "✗ Not a correct answer" in chosen
    assert "✓ Correct answer" in right


@pytest.mark.parametrize("count", [3, 7])
def test_review_queries_do_not_grow_with_questions(
    client, learner, quiz, count, django_assert_num_queries
):
    """Reviewing an attempt of 3 or 7 questions costs the same queries."""
    draw = quiz.draws.get()
    draw.count = count
    draw.save()
    client.force_login(learner)
    _submit(client, quiz, learner)
    attempt = learner.enrollments.get().quiz_attempts.get()
    url = f"{quiz.url}?attempt={attempt.pk}"
    client.get(url)
    with django_assert_num_queries(REVIEW_QUERIES):
        assert client.get(url).status_code == 200


# A fixed number, measured: none per question or choice.
REVIEW_QUERIES = 12
