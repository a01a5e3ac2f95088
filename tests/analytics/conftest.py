"""A hand-built course record for the analytics tests.

Six learners (A to F) in the shared three-lesson course, plus a final quiz of
four questions (ids "qa" to "qd") with a pass mark of 80 %. Rows are written
directly so every figure is known in advance (see the expected values in
test_course_analytics.py).

    lessons completed      A: 1 2 3   B: 1 2 3   C: 1 2 3   D: 1 2   E: 1   F: (opened 1)
    course completed       A, B

    attempt   qa   qb   qc   qd    score   passed
    A #1       1    1    1    1    1.000   yes
    B #1       1    0    1    1    0.750   no
    B #2       1    1    1   .5    0.875   yes
    C #1       1    0    0    1    0.500   no
    C #2       0    0    1   .5    0.375   no
    D #1       1    0    0    0    0.250   no
    E #1       0    0    1    0    0.250   no
    E #2      (open, never submitted: ignored)
    F #1       0    -    0    0    0.000   no     (drew three questions only)

The keys q1..q4 are assigned in a different order in some attempts (a shuffled
draw), so the figures must follow the stable question id, not the key.
"""

from datetime import timedelta

from django.utils import timezone

import pytest

from courses.quizzes import QuizPage
from learning.models import (
    AttemptStatus,
    Enrollment,
    EnrollmentStatus,
    LessonProgress,
    QuizAttempt,
)
from tests.factories import UserFactory

PROMPTS = {
    "qa": "Que contient le SNDS ?",
    "qb": "Qui autorise l'accès sur projet ?",
    "qc": "La formation ouvre-t-elle un compte ?",
    "qd": "Quelle est la durée de validité ?",
}
TYPES = {
    "qa": "single_choice",
    "qb": "short_text",
    "qc": "true_false",
    "qd": "multiple_choice",
}

# learner -> lessons completed (1-based), course completed
JOURNEYS = {
    "A": ([1, 2, 3], True),
    "B": ([1, 2, 3], True),
    "C": ([1, 2, 3], False),
    "D": ([1, 2], False),
    "E": ([1], False),
    "F": ([], False),
}

# (learner, number, {question id: fraction}, key order)
ATTEMPTS = [
    ("A", 1, {"qa": 1, "qb": 1, "qc": 1, "qd": 1}, ["qa", "qb", "qc", "qd"]),
    ("B", 1, {"qa": 1, "qb": 0, "qc": 1, "qd": 1}, ["qd", "qc", "qb", "qa"]),
    ("B", 2, {"qa": 1, "qb": 1, "qc": 1, "qd": 0.5}, ["qb", "qa", "qd", "qc"]),
    ("C", 1, {"qa": 1, "qb": 0, "qc": 0, "qd": 1}, ["qa", "qb", "qc", "qd"]),
    ("C", 2, {"qa": 0, "qb": 0, "qc": 1, "qd": 0.5}, ["qc", "qd", "qa", "qb"]),
    ("D", 1, {"qa": 1, "qb": 0, "qc": 0, "qd": 0}, ["qa", "qb", "qc", "qd"]),
    ("E", 1, {"qa": 0, "qb": 0, "qc": 1, "qd": 0}, ["qd", "qa", "qb", "qc"]),
    ("F", 1, {"qa": 0, "qc": 0, "qd": 0}, ["qc", "qa", "qd"]),
]


def make_quiz(course, *, title="Évaluation finale", slug="evaluation") -> QuizPage:
    quiz = course.add_child(
        instance=QuizPage(title=title, slug=slug, pass_mark=80, max_attempts=3)
    )
    quiz.save_revision().publish()
    return QuizPage.objects.get(pk=quiz.pk)


def snapshot(question_id: str, key: str) -> dict:
    """A stored question as `draw_questions` leaves it (trimmed to what matters)."""
    return {
        "id": question_id,
        "key": key,
        "type": TYPES.get(question_id, "true_false"),
        "prompt": PROMPTS.get(question_id, f"Question {question_id}"),
        "pool": "snds-tout",
        "answer": True,
    }


def add_attempt(enrollment, quiz, number, fractions, order, *, pass_mark=80, when):
    """A submitted attempt with the given fraction per question id."""
    questions = [snapshot(qid, f"q{i}") for i, qid in enumerate(order, start=1)]
    scores = {q["key"]: float(fractions[q["id"]]) for q in questions}
    score = round(sum(scores.values()) / len(scores), 4)
    return QuizAttempt.objects.create(
        enrollment=enrollment,
        quiz=quiz,
        number=number,
        status=AttemptStatus.SUBMITTED,
        started_at=when,
        submitted_at=when + timedelta(minutes=10),
        questions=questions,
        question_scores=scores,
        score=score,
        passed=score * 100 >= pass_mark,
    )


def enrol(user, course, *, completed=False, when):
    return Enrollment.objects.create(
        user=user,
        course=course,
        enrolled_at=when,
        status=EnrollmentStatus.COMPLETED if completed else EnrollmentStatus.ACTIVE,
        completed_at=when + timedelta(days=1) if completed else None,
    )


@pytest.fixture
def final_quiz(course):
    return make_quiz(course)


@pytest.fixture
def records(course, lessons, final_quiz):
    """The data set above; returns the enrolments by learner letter."""
    when = timezone.now() - timedelta(days=30)
    enrollments = {}
    for letter, (done, completed) in JOURNEYS.items():
        user = UserFactory(username=f"learner-{letter.lower()}")
        enrollment = enrol(user, course, completed=completed, when=when)
        enrollments[letter] = enrollment
        for number in done:
            LessonProgress.objects.create(
                enrollment=enrollment,
                lesson=lessons[number - 1],
                opened_at=when,
                completed_at=when + timedelta(hours=number),
            )
    LessonProgress.objects.create(  # opened, never completed: not in the funnel
        enrollment=enrollments["F"], lesson=lessons[0], opened_at=when
    )
    for position, (letter, number, fractions, order) in enumerate(ATTEMPTS):
        add_attempt(
            enrollments[letter],
            final_quiz,
            number,
            fractions,
            order,
            when=when + timedelta(days=1, hours=position),
        )
    QuizAttempt.objects.create(  # E's second attempt, still open
        enrollment=enrollments["E"],
        quiz=final_quiz,
        number=2,
        started_at=when + timedelta(days=2),
        questions=[snapshot("qa", "q1")],
    )
    return enrollments
