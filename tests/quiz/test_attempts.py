"""Attempts: drawing, limits, time limit, statements, course completion."""

from datetime import timedelta

from django.utils import timezone

import pytest

from courses.quizzes import QuizPoolDraw
from learning import progress
from learning.exceptions import AttemptClosed, NoAttemptsLeft, QuizMisconfigured
from learning.models import QuizAttempt
from learning.quiz import attempts
from learning.quiz.scoring import InvalidAnswer
from learning.xapi import vocabulary
from learning.xapi.models import Statement
from tests.learning.xapi_rules import assert_valid_statement

from .conftest import perfect_answers

pytestmark = pytest.mark.django_db


def test_start_attempt_draws_and_records_attempted(enrollment, quiz, rng):
    """Starting draws every question, stores the draw, and records "attempted"."""
    attempt = attempts.start_attempt(enrollment, quiz, rng=rng)
    assert len(attempt.questions) == 7 and attempt.number == 1
    statement = Statement.objects.get(verb=vocabulary.ATTEMPTED.id)
    assert_valid_statement(statement.data)
    assert statement.data["object"]["definition"]["type"] == vocabulary.ASSESSMENT


def test_reload_resumes_the_open_attempt(enrollment, quiz, rng):
    """Starting again while an attempt is open returns the same attempt."""
    first = attempts.start_attempt(enrollment, quiz, rng=rng)
    assert attempts.start_attempt(enrollment, quiz, rng=rng).pk == first.pk
    assert QuizAttempt.objects.count() == 1


def test_pool_draw_is_random_and_stored(enrollment, quiz, pool, rng):
    """A quiz drawing 3 of 7 questions stores which 3 it drew."""
    QuizPoolDraw.objects.filter(quiz=quiz).update(count=3)
    attempt = attempts.start_attempt(enrollment, quiz, rng=rng)
    assert len(attempt.questions) == 3
    ids = {q["id"] for q in pool.question_snapshots()}
    assert {q["id"] for q in attempt.questions} <= ids


def test_pool_with_too_few_questions(enrollment, quiz):
    """Asking more questions than a pool holds is a clear error, nothing recorded."""
    QuizPoolDraw.objects.filter(quiz=quiz).update(count=99)
    with pytest.raises(QuizMisconfigured):
        attempts.start_attempt(enrollment, quiz)
    assert not QuizAttempt.objects.exists()


def test_submit_scores_and_records_statements(enrollment, quiz, rng):
    """Submitting scores on the server and records answered ×7 then passed."""
    attempt = attempts.start_attempt(enrollment, quiz, rng=rng)
    result = attempts.submit_attempt(attempt, perfect_answers(attempt))
    assert result.attempt.score == 1 and result.attempt.passed
    answered = Statement.objects.filter(verb=vocabulary.ANSWERED.id)
    assert answered.count() == 7
    passed = Statement.objects.get(verb=vocabulary.PASSED.id).data
    assert_valid_statement(passed)
    assert passed["result"]["score"] == {
        "scaled": 1.0,
        "raw": 7.0,
        "min": 0.0,
        "max": 7.0,
    }
    assert passed["result"]["success"] is True and passed["result"][
        "duration"
    ].startswith("PT")


INTERACTION_EXPECTATIONS = {
    "single_choice": ("choice", "choices"),
    "multiple_choice": ("choice", "choices"),
    "true_false": ("true-false", None),
    "numeric": ("numeric", None),
    "short_text": ("fill-in", None),
    "ordering": ("sequencing", "choices"),
    "matching": ("matching", "source"),
}


def test_answered_statements_follow_cmi_interaction_rules(enrollment, quiz, rng):
    """Each answered statement carries its interaction type, pattern and response format."""
    attempt = attempts.start_attempt(enrollment, quiz, rng=rng)
    attempts.submit_attempt(attempt, perfect_answers(attempt))
    by_id = {q["id"]: q for q in attempt.questions}
    for statement in Statement.objects.filter(verb=vocabulary.ANSWERED.id):
        data = statement.data
        assert_valid_statement(data)
        question = by_id[data["object"]["id"].rsplit("/", 1)[-1]]
        definition = data["object"]["definition"]
        interaction, components = INTERACTION_EXPECTATIONS[question["type"]]
        assert definition["type"] == vocabulary.INTERACTION
        assert definition["interactionType"] == interaction
        assert definition["correctResponsesPattern"]
        if components:
            assert definition[components]
        if question["type"] == "matching":
            assert definition["target"]
            assert "[.]" in data["result"]["response"]
        if question["type"] == "numeric":
            assert definition["correctResponsesPattern"] == ["11.5[:]12.5"]
        if question["type"] == "short_text":
            assert definition["correctResponsesPattern"][0].startswith(
                "{case_matters=false}"
            )
        assert data["result"]["success"] is True
        parent = data["context"]["contextActivities"]["parent"][0]["id"]
        assert parent.endswith(str(quiz.translation_key))


def test_failed_attempt_then_limit(enrollment, quiz, rng):
    """Failing records "failed"; after three attempts no fourth can start."""
    for _ in range(3):
        attempt = attempts.start_attempt(enrollment, quiz, rng=rng)
        result = attempts.submit_attempt(attempt, {})
        assert result.attempt.passed is False and result.attempt.score == 0
    assert Statement.objects.filter(verb=vocabulary.FAILED.id).count() == 3
    with pytest.raises(NoAttemptsLeft):
        attempts.start_attempt(enrollment, quiz, rng=rng)


def test_submitted_attempt_cannot_be_submitted_again(enrollment, quiz, rng):
    """A second submission of the same attempt is refused and records nothing."""
    attempt = attempts.start_attempt(enrollment, quiz, rng=rng)
    attempts.submit_attempt(attempt, {})
    count = Statement.objects.count()
    with pytest.raises(AttemptClosed):
        attempts.submit_attempt(attempt, perfect_answers(attempt))
    assert Statement.objects.count() == count


def test_invalid_answer_records_nothing(enrollment, quiz, rng):
    """An answer of the wrong shape leaves the attempt open and records nothing."""
    attempt = attempts.start_attempt(enrollment, quiz, rng=rng)
    count = Statement.objects.count()
    with pytest.raises(InvalidAnswer, match="q1"):
        attempts.submit_attempt(attempt, {"q1": "not-a-choice"})
    with pytest.raises(InvalidAnswer, match="unknown question"):
        attempts.submit_attempt(attempt, {"q99": "x"})
    attempt.refresh_from_db()
    assert attempt.is_open and Statement.objects.count() == count


def test_late_submission_scored_at_limit_with_saved_answers(enrollment, quiz, rng):
    """After the time limit, posted answers are ignored; saved ones are scored at the limit."""
    quiz.time_limit_minutes = 10
    quiz.save_revision().publish()
    start = timezone.now() - timedelta(minutes=30)
    attempt = attempts.start_attempt(enrollment, quiz, rng=rng, when=start)
    perfect = perfect_answers(attempt)
    first_key = attempt.questions[0]["key"]
    attempts.save_answers(
        attempt, {first_key: perfect[first_key]}, when=start + timedelta(minutes=5)
    )
    result = attempts.submit_attempt(attempt, perfect)
    assert result.late
    assert result.attempt.submitted_at == attempt.deadline
    assert result.attempt.score == pytest.approx(1 / 7, abs=1e-3)


def test_passing_quiz_completes_course_after_lessons(enrollment, quiz, lessons, rng):
    """The course completes only when lessons are done and the required quiz passed."""
    for lesson in lessons:
        progress.complete_lesson(enrollment, lesson)
    enrollment.refresh_from_db()
    assert not enrollment.is_completed
    attempt = attempts.start_attempt(enrollment, quiz, rng=rng)
    attempts.submit_attempt(attempt, perfect_answers(attempt))
    enrollment.refresh_from_db()
    assert enrollment.is_completed
    course_done = Statement.objects.filter(
        verb=vocabulary.COMPLETED.id, activity_id__contains="/activities/course/"
    ).get()
    assert course_done.data["result"]["score"]["scaled"] == 1.0


def test_rescoring_from_stored_draw_is_exact(enrollment, quiz, pool, rng):
    """Editing the pool after an attempt does not change how that attempt scores."""
    from learning.quiz.scoring import score_attempt

    attempt = attempts.start_attempt(enrollment, quiz, rng=rng)
    attempts.submit_attempt(attempt, perfect_answers(attempt))
    pool.questions = [pool.questions.raw_data[0]]
    pool.save()
    attempt.refresh_from_db()
    assert score_attempt(attempt.questions, attempt.answers)[1] == attempt.score == 1
