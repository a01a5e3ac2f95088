"""Questions written in the quiz itself, asked with those drawn from banks, and the
bank chooser (issue 17, point 4)."""

import random

from django.urls import reverse
from django.utils.text import slugify
from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

import pytest

from courses.quizzes import QuestionPool, QuizPage, QuizPoolDraw
from learning import progress
from learning.quiz import attempts
from tests.quiz.conftest import ALL_TYPES, items

pytestmark = pytest.mark.django_db

OWN = [
    {
        "type": "true_false",
        "value": {"prompt": "Le DOI est pérenne.", "feedback": "", "answer": True},
        "id": "0b0f6c1e-0000-4000-8000-000000000001",
    },
    {
        "type": "single_choice",
        "value": {
            "prompt": "Quel identifiant pour un jeu de données ?",
            "feedback": "",
            "choices": items(
                [
                    {"text": "DOI", "correct": True, "feedback": ""},
                    {"text": "URL", "correct": False, "feedback": ""},
                ]
            ),
        },
        "id": "0b0f6c1e-0000-4000-8000-000000000002",
    },
]


@pytest.fixture
def mixed_quiz(course):
    """A published quiz with two questions of its own and one drawn from a bank."""
    pool = QuestionPool.objects.create(
        code="banque", title="Banque", questions=ALL_TYPES
    )
    quiz = course.add_child(
        instance=QuizPage(title="Quiz", slug="quiz", questions=OWN, pass_mark=50)
    )
    QuizPoolDraw.objects.create(quiz=quiz, pool=pool, count=1)
    quiz.save_revision().publish()
    return QuizPage.objects.get(pk=quiz.pk)


def test_attempt_asks_own_questions_and_draws_from_banks(learner, course, mixed_quiz):
    """Every attempt asks all the quiz's own questions plus the bank's draw."""
    assert mixed_quiz.question_count == 3
    enrollment = progress.enrol(learner, course)
    attempt = attempts.start_attempt(enrollment, mixed_quiz, rng=random.Random(3))
    assert len(attempt.questions) == 3
    ids = {question["id"] for question in attempt.questions}
    assert {block["id"] for block in OWN} <= ids
    pools = sorted(question["pool"] for question in attempt.questions)
    assert pools == ["", "", "banque"]


def test_quiz_of_own_questions_only(learner, course):
    """A quiz needs no bank: its own questions are enough."""
    quiz = course.add_child(instance=QuizPage(title="Q", slug="q", questions=OWN))
    quiz.save_revision().publish()
    enrollment = progress.enrol(learner, course)
    attempt = attempts.start_attempt(enrollment, quiz)
    assert sorted(q["id"] for q in attempt.questions) == [b["id"] for b in OWN]


def quiz_form(title: str, questions, draws) -> dict:
    """The quiz editor's form as Wagtail posts it."""
    return nested_form_data(
        {
            "title": title,
            "slug": slugify(title),
            "intro": "",
            "questions": questions,
            "draws": draws,
            "pass_mark": 80,
            "max_attempts": "",
            "time_limit_minutes": "",
            "required": "on",
            "shuffle_questions": "on",
            "shuffle_choices": "on",
            "feedback_mode": "after_each_attempt",
            "comments": inline_formset([]),
        }
    )


def add_quiz_url(course) -> str:
    return reverse("wagtailadmin_pages:add", args=["courses", "quizpage", course.pk])


def test_trainer_writes_questions_in_the_quiz(client, trainer, course):
    """The quiz editor takes questions written in it, with no bank at all."""
    client.force_login(trainer)
    question = {
        "prompt": "Le DOI est pérenne.",
        "feedback": "",
        "answer": "on",
    }
    response = client.post(
        add_quiz_url(course),
        quiz_form(
            "Quiz écrit sur place",
            streamfield([("true_false", question)]),
            inline_formset([]),
        ),
    )
    assert response.status_code == 302, response.context["form"].errors
    quiz = QuizPage.objects.get(title="Quiz écrit sur place")
    assert [block.block_type for block in quiz.questions] == ["true_false"]
    assert quiz.question_count == 1


def test_quiz_without_any_question_is_refused(client, trainer, course):
    """No own question and no draw: the editor says what is missing, nothing is saved."""
    client.force_login(trainer)
    response = client.post(
        add_quiz_url(course),
        quiz_form("Quiz vide", streamfield([]), inline_formset([])),
    )
    assert response.status_code == 200
    assert "ce quiz n’a aucune question" in response.content.decode().lower()
    assert not QuizPage.objects.filter(title="Quiz vide").exists()


def test_quiz_editor_says_what_its_add_button_adds(client, trainer, mixed_quiz):
    """The draws' button is a sentence in French, not "Ajouter un(e) …"."""
    client.force_login(trainer)
    html = client.get(f"/admin/pages/{mixed_quiz.pk}/edit/").content.decode()
    assert "Tirer des questions d’une banque" in html
    assert "Ajouter un(e)" not in html


def chooser_url(**params) -> str:
    url = reverse("wagtailsnippetchoosers_courses_questionpool:choose_results")
    return url + (
        "?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else ""
    )


def test_bank_chooser_searches_and_counts(client, trainer):
    """The chooser finds banks by title or code and shows their question counts."""
    QuestionPool.objects.create(code="fair-bases", title="Les bases", questions=OWN)
    QuestionPool.objects.create(code="snds", title="SNDS", questions=ALL_TYPES)
    client.force_login(trainer)
    html = client.get(chooser_url(q="base")).content.decode()
    assert "Les bases" in html and "SNDS" not in html
    html = client.get(chooser_url()).content.decode()
    assert ">2<" in html.replace(" ", "").replace("\n", "")
    assert ">7<" in html.replace(" ", "").replace("\n", "")


def test_bank_chooser_lists_original_banks_only(client, trainer, site_structure):
    """A bank's translations are not offered to draws: quizzes draw from the
    original, and learners get its translation in their language."""
    from wagtail.models import Locale

    pool = QuestionPool.objects.create(code="snds", title="SNDS", questions=OWN)
    english = pool.copy_for_translation(Locale.objects.get(language_code="en"))
    english.title = "SNDS in English"
    english.save()
    client.force_login(trainer)
    html = client.get(chooser_url()).content.decode()
    assert "SNDS" in html and "SNDS in English" not in html


def test_bank_chooser_creates_a_bank(client, trainer):
    """The chooser's "new bank" tab creates a bank with its questions."""
    client.force_login(trainer)
    choose = client.get(reverse("wagtailsnippetchoosers_courses_questionpool:choose"))
    assert "Nouvelle banque de questions" in choose.json()["html"]
    response = client.post(
        reverse("wagtailsnippetchoosers_courses_questionpool:create"),
        nested_form_data(
            {
                "title": "Banque neuve",
                "code": "banque-neuve",
                "questions": streamfield(
                    [("true_false", {"prompt": "Vrai ?", "feedback": "", "answer": ""})]
                ),
            }
        ),
    )
    assert response.json()["step"] == "chosen"
    assert QuestionPool.objects.get(code="banque-neuve").question_count == 1


def test_bank_chooser_create_refuses_bad_input(client, trainer):
    """A bank without questions or with a taken code is refused with the form again."""
    QuestionPool.objects.create(code="prise", title="Prise", questions=OWN)
    client.force_login(trainer)
    response = client.post(
        reverse("wagtailsnippetchoosers_courses_questionpool:create"),
        nested_form_data({"title": "", "code": "prise", "questions": streamfield([])}),
    )
    assert response.status_code == 200
    assert response.json()["step"] == "reshow_creation_form"
    assert QuestionPool.objects.count() == 1


def test_learner_cannot_use_the_bank_chooser(client, learner):
    """The chooser is part of the admin: a learner is sent away."""
    client.force_login(learner)
    response = client.get(chooser_url())
    assert response.status_code in (302, 403)
