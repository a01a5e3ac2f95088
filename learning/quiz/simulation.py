"""Simulated learners for the demo: answers with realistic mistakes.

A demo learner who gets every question right makes uninformative analytics
(every score 100 %, no discrimination figure). Here each learner has an
*ability* and each question a *difficulty*, as in item response theory: the
chance of a right answer is ``1 / (1 + exp(-(BASE + SLOPE·ability − difficulty)))``,
so stronger learners get more right, hard questions trip more people, and the
analytics show spread scores, failed first attempts and discrimination figures.
A few questions are *noisy* (right or wrong by luck, whatever the ability): the
analytics flag them with a discrimination near zero, as they would a badly
worded question. Answers go through the real `submit_attempt`, so the scores
are the server's own.
"""

import math
import random
from dataclasses import dataclass
from decimal import Decimal

from .scoring import model_answers

BASE = 2.0  # a learner of average ability answers an average question right 88 % of the time
SLOPE = 1.3
LEARNING_PER_TRY = 0.8  # a retry comes after re-reading the lessons
NOISY_SHARE = 0.1
NOISY_CHANCE = 0.6


@dataclass(frozen=True)
class QuestionProfile:
    difficulty: float
    noisy: bool


def question_profile(question_id: str, *, seed: int = 0) -> QuestionProfile:
    """A question's difficulty, the same for every learner and every run."""
    rng = random.Random(f"{seed}:{question_id}")  # noqa: S311 - demo data
    return QuestionProfile(
        difficulty=rng.gauss(0.0, 1.0), noisy=rng.random() < NOISY_SHARE
    )


def wrong_answer(question: dict, rng: random.Random):
    """A plausible wrong (or partly wrong) answer to `question`, in the raw shape a
    form posts; None (not answered) for a type it does not know."""
    kind = question["type"]
    if kind == "single_choice":
        wrong = [c["id"] for c in question["choices"] if not c["correct"]]
        return rng.choice(wrong) if wrong else None
    if kind == "multiple_choice":
        right = [c["id"] for c in question["choices"] if c["correct"]]
        wrong = [c["id"] for c in question["choices"] if not c["correct"]]
        answer = right[:-1] if len(right) > 1 else []  # one right choice forgotten
        if wrong and (not answer or rng.random() < 0.5):
            answer.append(rng.choice(wrong))  # and a wrong one ticked
        return answer or None
    if kind == "true_false":
        return "false" if question["answer"] else "true"
    if kind == "numeric":
        value = Decimal(question["value"])
        miss = (Decimal(question.get("tolerance") or 0) + 1) * rng.choice([2, 3, 10])
        return str(value + miss if rng.random() < 0.5 else value - miss)
    if kind == "short_text":
        return rng.choice(["je ne sais pas", "aucune idée", "?"])
    if kind == "ordering":
        items = [item["id"] for item in question["items"]]
        if len(items) > 1:
            i = rng.randrange(len(items) - 1)
            items[i], items[i + 1] = items[i + 1], items[i]  # two neighbours swapped
        return items
    if kind == "matching":
        ids = [pair["id"] for pair in question["pairs"]]
        answer = {left: left for left in ids}
        if len(ids) > 1:
            a, b = rng.sample(ids, 2)
            answer[a], answer[b] = b, a  # two matches crossed
        return answer
    return None


@dataclass
class SimulatedLearner:
    """One demo learner: answers each attempt according to their ability."""

    ability: float
    rng: random.Random
    seed: int = 0

    def chance(self, question_id: str, *, tries: int = 0) -> float:
        profile = question_profile(question_id, seed=self.seed)
        if profile.noisy:
            return NOISY_CHANCE
        logit = BASE + SLOPE * (self.ability + LEARNING_PER_TRY * tries)
        return 1 / (1 + math.exp(profile.difficulty - logit))

    def answers(
        self, questions: list[dict], *, tries: int = 0, max_mistakes: int | None = None
    ) -> dict:
        """Raw answers to an attempt's questions (`tries`: earlier attempts), with
        at most `max_mistakes` mistakes when given (a last chance that must pass)."""
        right = model_answers(questions)
        answers = {}
        mistakes = 0
        for question in questions:
            key = question["key"]
            correct = self.rng.random() < self.chance(
                str(question.get("id") or key), tries=tries
            )
            allowed = max_mistakes is None or mistakes < max_mistakes
            if not correct and allowed:
                mistakes += 1
                answers[key] = wrong_answer(question, self.rng)
            else:
                answers[key] = right.get(key)
        return {key: value for key, value in answers.items() if value is not None}
