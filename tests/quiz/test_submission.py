"""Submitting an attempt: a constant number of queries whatever the number of
questions, statements stored together, progress kept rebuildable, all or nothing."""

import uuid
from unittest import mock

from django.core.management import call_command
from django.db import DatabaseError
from django.utils.dateparse import parse_datetime

import pytest

from courses.quizzes import QuestionPool, QuizPoolDraw
from learning import progress
from learning.models import AttemptStatus, Enrollment, QuizAttempt
from learning.quiz import attempts
from learning.xapi import vocabulary
from learning.xapi.models import Statement
from tests.factories import UserFactory

from .conftest import ALL_TYPES, perfect_answers

pytestmark = pytest.mark.django_db

# Lock, statements, their index rows, activities (select, insert of the new
# questions), destinations, enrolment's last activity, attempt; plus the
# savepoint and its release. (The quiz title in every language is memoised
# since the attempt started: one more query after content changed.)
SUBMIT_QUERIES = 10
# A pass also checks the course requirements (lessons, required quizzes).
SUBMIT_PASSED_QUERIES = SUBMIT_QUERIES + 2
# The pass that completes the course records "completed" too (learning.progress).
SUBMIT_COMPLETING_QUERIES = 26


@pytest.fixture
def big_pool(pool):
    """Ten questions: every type, then three more with their own ids."""
    copies = [{**question, "id": str(uuid.uuid4())} for question in ALL_TYPES[:3]]
    pool.questions = ALL_TYPES + copies
    pool.save()
    return pool


def started(course, quiz, rng, count):
    QuizPoolDraw.objects.filter(quiz=quiz).update(count=count)
    enrollment = progress.enrol(UserFactory(), course)
    return attempts.start_attempt(enrollment, quiz, rng=rng)


@pytest.mark.parametrize("count", [3, 10])
def test_failed_submission_queries_do_not_grow_with_questions(
    course, quiz, big_pool, rng, count, django_assert_num_queries
):
    """3 or 10 questions: the same number of queries."""
    attempt = started(course, quiz, rng, count)
    with django_assert_num_queries(SUBMIT_QUERIES):
        attempts.submit_attempt(attempt, {})
    assert Statement.objects.filter(verb=vocabulary.ANSWERED.id).count() == count


@pytest.mark.parametrize("count", [3, 10])
def test_passed_submission_queries_do_not_grow_with_questions(
    course, quiz, big_pool, rng, count, django_assert_num_queries
):
    """A pass (course not finished yet) costs the requirement check on top."""
    attempt = started(course, quiz, rng, count)
    with django_assert_num_queries(SUBMIT_PASSED_QUERIES):
        attempts.submit_attempt(attempt, perfect_answers(attempt))
    assert QuizAttempt.objects.get(pk=attempt.pk).passed


@pytest.mark.parametrize("count", [3, 10])
def test_completing_submission_queries_do_not_grow_with_questions(
    course, quiz, big_pool, lessons, rng, count, django_assert_max_num_queries
):
    """The pass that completes the course: still no query per question."""
    attempt = started(course, quiz, rng, count)
    for lesson in lessons:
        progress.complete_lesson(attempt.enrollment, lesson)
    with django_assert_max_num_queries(SUBMIT_COMPLETING_QUERIES):
        attempts.submit_attempt(attempt, perfect_answers(attempt))
    assert Enrollment.objects.get(pk=attempt.enrollment_id).is_completed


def test_statements_stored_together(enrollment, quiz, rng):
    """One "answered" per drawn question and the outcome, stored at one instant
    after "attempted"."""
    attempt = attempts.start_attempt(enrollment, quiz, rng=rng)
    attempts.submit_attempt(attempt, perfect_answers(attempt))
    attempted = Statement.objects.get(verb=vocabulary.ATTEMPTED.id)
    submitted = Statement.objects.filter(
        verb__in=[vocabulary.ANSWERED.id, vocabulary.PASSED.id]
    )
    assert submitted.count() == 8
    assert {row.stored for row in submitted} == {submitted[0].stored}
    assert submitted[0].stored >= attempted.stored
    answered = {
        row.data["object"]["id"].rsplit("/", 1)[-1]: row.data
        for row in submitted.filter(verb=vocabulary.ANSWERED.id)
    }
    assert list(answered) != [] and set(answered) == {
        q["id"] for q in attempt.questions
    }
    for data in [*answered.values(), submitted.get(verb=vocabulary.PASSED.id).data]:
        assert data["stored"] == submitted[0].data["stored"]
        assert data["version"] == "1.0.3"
        assert data["authority"]["account"]["name"] == "atelier-platform"


def test_submission_moves_last_activity_and_rebuilds_identically(
    enrollment, quiz, rng, capsys
):
    """Starting and submitting are activity: the projection records it, so
    rebuilding progress from the statements finds the same rows."""
    attempt = attempts.start_attempt(enrollment, quiz, rng=rng)
    attempts.submit_attempt(attempt, {})
    enrollment = Enrollment.objects.get(pk=enrollment.pk)
    failed = Statement.objects.get(verb=vocabulary.FAILED.id)
    assert enrollment.last_activity_at == parse_datetime(failed.data["timestamp"])
    assert not enrollment.is_completed
    call_command("rebuild_progress", "--check")
    assert "matches" in capsys.readouterr().out


def test_completing_submission_rebuilds_identically(
    enrollment, quiz, lessons, rng, capsys
):
    """The submission that completes the course also rebuilds identically."""
    for lesson in lessons:
        progress.complete_lesson(enrollment, lesson)
    attempt = attempts.start_attempt(enrollment, quiz, rng=rng)
    attempts.submit_attempt(attempt, perfect_answers(attempt))
    assert Enrollment.objects.get(pk=enrollment.pk).is_completed
    call_command("rebuild_progress", "--check")
    assert "matches" in capsys.readouterr().out


@pytest.mark.parametrize(
    "target",
    [
        "learning.xapi.store.insert_statements",
        "learning.projection.Enrollment.objects.filter",
        "learning.models.QuizAttempt.save",
    ],
)
def test_failure_leaves_nothing_half_written(enrollment, quiz, rng, target):
    """Whichever write fails, the attempt stays open and nothing is recorded."""
    attempt = attempts.start_attempt(enrollment, quiz, rng=rng)
    before = Statement.objects.count(), Enrollment.objects.get(pk=enrollment.pk)
    with (
        mock.patch(target, side_effect=DatabaseError("boom")),
        pytest.raises(DatabaseError),
    ):
        attempts.submit_attempt(attempt, perfect_answers(attempt))
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.OPEN and attempt.score is None
    assert Statement.objects.count() == before[0]
    after = Enrollment.objects.get(pk=enrollment.pk)
    assert after.last_activity_at == before[1].last_activity_at


def test_pool_edit_between_start_and_submit_changes_nothing(enrollment, quiz, rng):
    """The statements come from the questions the attempt drew, not the pool now."""
    attempt = attempts.start_attempt(enrollment, quiz, rng=rng)
    QuestionPool.objects.update(questions=[])
    attempts.submit_attempt(attempt, perfect_answers(attempt))
    assert Statement.objects.filter(verb=vocabulary.ANSWERED.id).count() == 7
