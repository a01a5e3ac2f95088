"""The demo's simulated learners (issue 17, point 5): plausible mistakes of every
question type, more right answers for stronger learners, a last chance that passes."""

import random

import pytest

from learning.quiz.attempts import parse_answers
from learning.quiz.scoring import score_attempt
from learning.quiz.simulation import SimulatedLearner, question_profile, wrong_answer

pytestmark = pytest.mark.django_db


@pytest.fixture
def questions(pool):
    """The pool's questions as an attempt stores them (with their keys)."""
    return [
        {**question, "key": f"q{number}"}
        for number, question in enumerate(pool.question_snapshots(), start=1)
    ]


class _Attempt:
    def __init__(self, questions):
        self.questions = questions


def test_simulation_wrong_answers_are_valid_and_wrong(questions):
    """Each type's wrong answer is accepted by the form's parser and scores
    below 1 (a partial credit at most)."""
    rng = random.Random(3)
    for question in questions:
        raw = {question["key"]: wrong_answer(question, rng)}
        raw = {key: value for key, value in raw.items() if value is not None}
        parsed = parse_answers(_Attempt([question]), raw)
        fractions, score = score_attempt([question], parsed)
        assert score < 1, (question["type"], raw)


def test_simulation_stronger_learners_answer_better(questions):
    """The chance of a right answer grows with ability and with each retry;
    a question's difficulty is the same from one run to the next."""
    question_id = questions[0]["id"]
    weak = SimulatedLearner(-1.5, random.Random(1))
    strong = SimulatedLearner(1.5, random.Random(1))
    if not question_profile(question_id).noisy:
        assert weak.chance(question_id) < strong.chance(question_id)
        assert weak.chance(question_id) < weak.chance(question_id, tries=2)
    assert question_profile(question_id) == question_profile(question_id)


def test_simulation_last_chance_keeps_mistakes_within_the_pass_mark(questions):
    """With `max_mistakes`, even a very weak learner makes no more mistakes."""
    learner = SimulatedLearner(-6.0, random.Random(5))
    answers = learner.answers(questions, max_mistakes=1)
    parsed = parse_answers(_Attempt(questions), answers)
    fractions, _score = score_attempt(questions, parsed)
    assert sum(1 for fraction in fractions.values() if fraction < 1) <= 1
    unbounded = parse_answers(_Attempt(questions), learner.answers(questions))
    fractions, _score = score_attempt(questions, unbounded)
    assert sum(1 for fraction in fractions.values() if fraction < 1) > 1
