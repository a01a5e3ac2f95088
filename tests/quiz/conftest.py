import random
import uuid

import pytest

from courses.quizzes import QuestionPool, QuizPage, QuizPoolDraw
from learning import progress
from learning.quiz.scoring import model_answers


def items(values):
    """A ListBlock value in Wagtail's stored form, with stable item ids."""
    return [
        {"type": "item", "value": value, "id": str(uuid.uuid4())} for value in values
    ]


def question(kind, **value):
    value.setdefault("feedback", f"Explication {kind}")
    return {"type": kind, "value": value, "id": str(uuid.uuid4())}


ALL_TYPES = [
    question(
        "single_choice",
        prompt="Que contient le SNDS ?",
        choices=items([
            {"text": "Des données de santé pseudonymisées", "correct": True, "feedback": "Oui."},
            {"text": "Des données nominatives", "correct": False, "feedback": "Non, pseudonymisées."},
            {"text": "Des images satellites", "correct": False, "feedback": ""},
        ]),
    ),
    question(
        "multiple_choice",
        prompt="Quels principes s'appliquent ?",
        partial_credit="proportional",
        choices=items([
            {"text": "Minimisation", "correct": True, "feedback": ""},
            {"text": "Finalité", "correct": True, "feedback": ""},
            {"text": "Publication intégrale", "correct": False, "feedback": ""},
        ]),
    ),
    question("true_false", prompt="La formation ouvre un compte.", answer=False),
    question("numeric", prompt="Validité (mois) ?", value="12", tolerance="0.5", unit="mois"),
    question(
        "short_text",
        prompt="Le procédé qui remplace l'identité ?",
        accepted=items(["pseudonymisation", "pseudonymization"]),
        case_sensitive=False,
        accent_sensitive=False,
    ),
    question("ordering", prompt="Ordonnez l'accès sur projet.", items=items(["HDH", "CESREES", "CNIL", "CNAM"])),
    question(
        "matching",
        prompt="Associez.",
        pairs=items([
            {"left": "PMSI", "right": "hospitalisations"},
            {"left": "DCIR", "right": "remboursements"},
            {"left": "CépiDc", "right": "causes de décès"},
        ]),
    ),
]  # fmt: skip


def add_quiz(course, *, count=3):
    """A published required quiz drawing `count` questions of every type."""
    pool = QuestionPool.objects.create(code="p", title="P", questions=ALL_TYPES)
    quiz = course.add_child(
        instance=QuizPage(title="Évaluation", slug="evaluation", pass_mark=80)
    )
    QuizPoolDraw.objects.create(quiz=quiz, pool=pool, count=count)
    quiz.save_revision().publish()
    return quiz


@pytest.fixture
def pool(db):
    return QuestionPool.objects.create(
        code="snds-tout", title="SNDS", questions=ALL_TYPES
    )


@pytest.fixture
def quiz(course, pool):
    quiz = course.add_child(
        instance=QuizPage(
            title="Évaluation finale", slug="evaluation", pass_mark=80, max_attempts=3,
            shuffle_questions=False, shuffle_choices=False,
        )
    )  # fmt: skip
    QuizPoolDraw.objects.create(quiz=quiz, pool=pool, count=7)
    quiz.save_revision().publish()
    return QuizPage.objects.get(pk=quiz.pk)


@pytest.fixture
def enrollment(learner, course):
    return progress.enrol(learner, course)


@pytest.fixture
def rng():
    return random.Random(42)


def perfect_answers(attempt):
    """The raw answers that score 1 on every question of the attempt."""
    return model_answers(attempt.questions)
