"""A data exercise written in the quiz itself (not in a bank) is asked and graded
like one drawn from a bank."""

import pytest

from courses.quizzes import QuizPage
from learning import progress
from learning.quiz import attempts
from tests.hdf5.test_questions import exercise_document, stream_item  # noqa: F401
from tests.quiz.conftest import perfect_answers

pytestmark = pytest.mark.django_db


def test_hdf5_question_in_the_quiz_is_graded(course, learner, exercise_document):  # noqa: F811
    """The quiz's own HDF5 question is drawn at every attempt and graded right."""
    quiz = course.add_child(
        instance=QuizPage(
            title="Exercice",
            slug="exercice",
            questions=[
                stream_item(
                    exercise_document,
                    "size",
                    "/run1/signal",
                    prompt="Combien de valeurs ?",
                )
            ],
        )
    )
    quiz.save_revision().publish()
    enrollment = progress.enrol(learner, course)
    attempt = attempts.start_attempt(enrollment, quiz)
    (question,) = attempt.questions
    assert (question["type"], question["value"], question["pool"]) == (
        "numeric",
        "12",
        "",
    )
    attempt = attempts.submit_attempt(attempt, perfect_answers(attempt)).attempt
    assert attempt.passed
