"""Translated questions: an attempt shows each drawn question in the learner's
language (the quiz page's locale), falls back to the original marked with its
own `lang`, grades as the original, and stays one question for analytics."""

import copy
import random

from django.db import IntegrityError
from django.utils import translation
from wagtail.models import Locale

import pytest

from courses.question_languages import localise
from courses.quizzes import QuestionPool, QuizPage
from learning.analytics.course_analytics import quiz_figures
from learning.quiz import attempts
from learning.quiz.interactions import question_iri

from .conftest import ALL_TYPES, perfect_answers

pytestmark = pytest.mark.django_db

ENGLISH_TEXTS = {
    "Que contient le SNDS ?": "What does the SNDS contain?",
    "Des données de santé pseudonymisées": "Pseudonymised health data",
    "Des données nominatives": "Named data",
    "Des images satellites": "Satellite images",
    "Quels principes s'appliquent ?": "Which principles apply?",
    "Minimisation": "Data minimisation",
    "Finalité": "Purpose limitation",
    "Publication intégrale": "Full publication",
    "La formation ouvre un compte.": "The training opens an account.",
    "Validité (mois) ?": "Validity (months)?",
    "mois": "months",
    "Le procédé qui remplace l'identité ?": "The process replacing the identity?",
    "Ordonnez l'accès sur projet.": "Order the steps of project access.",
    "Associez.": "Match.",
    "hospitalisations": "hospital stays",
    "remboursements": "reimbursements",
    "causes de décès": "causes of death",
}


def english(value):
    """A question value with its texts in English (ids untouched)."""
    if isinstance(value, dict):
        return {key: english(item) for key, item in value.items()}
    if isinstance(value, list):
        return [english(item) for item in value]
    if isinstance(value, str):
        return ENGLISH_TEXTS.get(value, value.replace("Explication", "Explanation"))
    return value


@pytest.fixture
def english_locale(site_structure):
    return Locale.objects.get(language_code="en")


@pytest.fixture
def english_pool(pool, english_locale):
    """The bank translated as the admin does it (copy_for_translation keeps the
    block and item ids), its texts then written in English, but for the short
    text question, left untranslated (removed from the translation)."""
    translated = pool.copy_for_translation(english_locale)
    data = english(copy.deepcopy(list(pool.questions.raw_data)))
    for block in data:
        if block["type"] == "short_text":
            block["value"]["accepted"][0]["value"] = "pseudonymisation"
            block["value"]["accepted"][1]["value"] = "pseudonymization"
    translated.questions = [b for b in data if b["type"] != "short_text"]
    translated.save()
    return translated


@pytest.fixture
def english_quiz(quiz, english_locale, site_structure, course):
    english_course = course.copy_for_translation(english_locale)
    english_course.save_revision().publish()
    page = quiz.copy_for_translation(english_locale)
    page.title = "Final assessment"
    page.save_revision().publish()
    return QuizPage.objects.get(pk=page.pk)


def test_pool_translation_shares_code_key_and_question_ids(pool, english_pool):
    """A bank's translation is the same bank (code, translation key) in English,
    whose questions keep their ids (and their answers' ids)."""
    assert english_pool.code == pool.code
    assert english_pool.translation_key == pool.translation_key
    assert pool.locale.language_code == "fr"
    originals = {q["id"]: q for q in pool.question_snapshots()}
    for question in english_pool.question_snapshots():
        original = originals[question["id"]]
        assert question["lang"] == "en" and original["lang"] == "fr"
        for name in ("choices", "items", "pairs"):
            if name in original:
                assert [i["id"] for i in question[name]] == [
                    i["id"] for i in original[name]
                ]


def test_pool_codes_are_unique_per_language(pool, english_pool):
    """Two banks cannot share a code in one language (the translation can)."""
    with pytest.raises(IntegrityError):
        QuestionPool.objects.create(
            code=pool.code, title="Autre", questions=[], locale=pool.locale
        )


def test_attempt_from_the_english_page_is_in_english(
    enrollment, quiz, english_quiz, english_pool
):
    """Started from the English quiz page, the drawn questions are the English
    ones (lang "en"); the untranslated one stays French, marked "fr"."""
    attempt = attempts.start_attempt(enrollment, english_quiz, rng=random.Random(1))
    assert attempt.quiz_id == quiz.pk  # attempts belong to the canonical quiz
    by_type = {q["type"]: q for q in attempt.questions}
    assert by_type["single_choice"]["prompt"] == "What does the SNDS contain?"
    assert by_type["single_choice"]["lang"] == "en"
    assert {c["text"] for c in by_type["single_choice"]["choices"]} == {
        "Pseudonymised health data",
        "Named data",
        "Satellite images",
    }
    assert by_type["numeric"]["unit"] == "months"
    assert [p["right"] for p in by_type["matching"]["pairs"]] == [
        "hospital stays",
        "reimbursements",
        "causes of death",
    ]
    short = by_type["short_text"]
    assert short["lang"] == "fr"
    assert short["prompt"] == "Le procédé qui remplace l'identité ?"


def test_attempt_from_the_french_page_is_in_french(
    enrollment, quiz, english_quiz, english_pool
):
    """The same quiz started from the French page asks the French questions."""
    attempt = attempts.start_attempt(enrollment, quiz, rng=random.Random(1))
    assert {q["lang"] for q in attempt.questions} == {"fr"}
    assert "Que contient le SNDS ?" in [q["prompt"] for q in attempt.questions]


def test_draw_does_not_depend_on_the_language(quiz, english_quiz, english_pool):
    """The same random draw picks the same questions in either language."""
    french = attempts.draw_questions(quiz, random.Random(7), "fr")
    in_english = attempts.draw_questions(quiz, random.Random(7), "en")
    assert [q["id"] for q in french] == [q["id"] for q in in_english]


def test_english_attempt_grades_as_the_french_one(
    enrollment, quiz, english_quiz, english_pool
):
    """Grading keeps the original's answers: right answers score 1, and a
    translation cannot change which answer is right."""
    data = list(english_pool.questions.raw_data)
    for block in data:
        if block["type"] == "true_false":
            block["value"]["answer"] = True  # a translator's slip
    english_pool.questions = data
    english_pool.save()
    attempt = attempts.start_attempt(enrollment, english_quiz, rng=random.Random(3))
    assert {q["type"]: q for q in attempt.questions}["true_false"]["answer"] is False
    result = attempts.submit_attempt(attempt, perfect_answers(attempt))
    assert result.attempt.score == 1.0 and result.attempt.passed


def test_short_text_accepts_both_languages(pool, english_locale):
    """A translated short-text question accepts its answers and the original's."""
    original = next(q for q in pool.question_snapshots() if q["type"] == "short_text")
    translated = {**original, "accepted": ["pseudonymised"], "lang": "en"}
    shown = localise(original, translated, "en")
    assert shown["accepted"] == [
        "pseudonymisation",
        "pseudonymization",
        "pseudonymised",
    ]


def test_translation_of_another_shape_is_not_used(pool):
    """A translation whose answers are not the original's (an answer added or
    removed) is ignored: the original is shown, in its own language."""
    original = next(
        q for q in pool.question_snapshots() if q["type"] == "single_choice"
    )
    translated = {
        **original,
        "prompt": "What?",
        "lang": "en",
        "choices": original["choices"][:2],
    }
    shown = localise(original, translated, "en")
    assert shown == original and shown["lang"] == "fr"


def test_page_shows_untranslated_question_with_its_lang(
    client, learner, enrollment, quiz, english_quiz, english_pool
):
    """On the English page, English questions carry no lang of their own and the
    French one carries lang="fr"; the page itself is English."""
    client.force_login(learner)
    attempts.start_attempt(enrollment, english_quiz, rng=random.Random(1))
    html = client.get(english_quiz.url).content.decode()
    assert '<html lang="en"' in html
    assert "What does the SNDS contain?" in html
    assert 'lang="fr"><p>Le procédé qui remplace l&#x27;identité ?</p>' in html or (
        'lang="fr"><p>Le procédé qui remplace l' in html
    )
    assert html.count('lang="fr"') >= 1
    assert 'id="q1-prompt" lang="en"' not in html


def test_french_page_marks_english_questions(
    client, learner, enrollment, quiz, english_quiz, english_pool
):
    """An English attempt reviewed on the French page keeps its English texts,
    marked lang="en"."""
    client.force_login(learner)
    attempt = attempts.start_attempt(enrollment, english_quiz, rng=random.Random(1))
    attempts.submit_attempt(attempt, perfect_answers(attempt))
    html = client.get(quiz.url, {"attempt": attempt.pk}).content.decode()
    assert '<div class="question__prompt" lang="en"><p>What does the SNDS' in html


def test_old_attempts_without_language_read_as_french(enrollment, quiz, client):
    """Attempts stored before questions had a language are in the default one."""
    from learning.quiz.views import public_question

    attempt = attempts.start_attempt(enrollment, quiz, rng=random.Random(1))
    question = {k: v for k, v in attempt.questions[0].items() if k != "lang"}
    assert public_question(question)["lang"] == "fr"


def test_translated_question_is_one_question_for_analytics(
    enrollment, quiz, english_quiz, english_pool, learner
):
    """French and English attempts at a question count for the same question,
    named in French, with the same xAPI activity id."""
    from learning import progress
    from tests.factories import UserFactory

    french = attempts.start_attempt(enrollment, quiz, rng=random.Random(5))
    attempts.submit_attempt(french, perfect_answers(french))
    other = progress.enrol(UserFactory(username="alex"), quiz.get_parent().specific)
    english_attempt = attempts.start_attempt(other, english_quiz, rng=random.Random(5))
    attempts.submit_attempt(english_attempt, perfect_answers(english_attempt))
    assert [question_iri(q) for q in french.questions] == [
        question_iri(q) for q in english_attempt.questions
    ]
    (figures,) = quiz_figures([quiz])
    assert len(figures.questions) == len(ALL_TYPES)
    assert {q.times_asked for q in figures.questions} == {2}
    prompts = {q.prompt for q in figures.questions}
    assert "Que contient le SNDS ?" in prompts
    assert "What does the SNDS contain?" not in prompts


def test_answered_statements_name_each_question_in_its_language(
    enrollment, quiz, english_quiz, english_pool
):
    """The "answered" statements of an English attempt describe English
    questions in "en" and the untranslated one in "fr"."""
    from learning.xapi import vocabulary
    from learning.xapi.models import Statement

    with translation.override("en"):
        attempt = attempts.start_attempt(enrollment, english_quiz, rng=random.Random(1))
        attempts.submit_attempt(attempt, perfect_answers(attempt))
    names = {}
    for statement in Statement.objects.filter(verb=vocabulary.ANSWERED.id):
        definition = statement.data["object"]["definition"]
        names.update(definition["name"])
        kind = definition["interactionType"]
        assert list(definition["name"]) == (["fr"] if kind == "fill-in" else ["en"])
    assert names["en"] and names["fr"]


def test_review_marks_french_choices_not_true_false(
    client, learner, enrollment, quiz, english_quiz, pool, english_locale
):
    """Reviewing an untranslated question on the English page: its choices are
    marked lang="fr", the True/False labels (the page's words) are not."""
    client.force_login(learner)
    attempt = attempts.start_attempt(enrollment, english_quiz, rng=random.Random(1))
    attempts.submit_attempt(attempt, perfect_answers(attempt))
    html = client.get(english_quiz.url, {"attempt": attempt.pk}).content.decode()
    assert '<span class="review-choice__text" lang="fr">Des images satellites' in html
    assert '<span class="review-choice__text">True</span>' in html
