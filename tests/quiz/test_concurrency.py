"""Simultaneous submissions on PostgreSQL: one per attempt, and learners of the
same quiz do not queue behind each other.

Runs only against PostgreSQL (CI sets DATABASE_URL): SQLite has no row locks.
"""

from django.db import connection

import pytest

from learning import progress
from learning.exceptions import AttemptClosed
from learning.quiz import attempts
from learning.quiz.attempts import Submission
from learning.xapi import vocabulary
from learning.xapi.models import Statement
from tests.factories import UserFactory
from tests.learning.test_concurrency import run_together, while_locked

from .conftest import perfect_answers

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL)"
    ),
]


def test_simultaneous_submissions_of_one_attempt_record_one(learner, course, quiz):
    """Four simultaneous submissions of an attempt: one is scored, three refused."""
    attempt = attempts.start_attempt(progress.enrol(learner, course), quiz)
    answers = perfect_answers(attempt)
    outcomes = run_together(lambda: attempts.submit_attempt(attempt, answers))
    assert sum(isinstance(o, Submission) for o in outcomes) == 1
    assert sum(isinstance(o, AttemptClosed) for o in outcomes) == 3
    assert Statement.objects.filter(verb=vocabulary.PASSED.id).count() == 1
    assert Statement.objects.filter(verb=vocabulary.ANSWERED.id).count() == 7


def test_a_submission_in_progress_does_not_block_another_learner(learner, course, quiz):
    """While one learner's submission holds its locks, another learner of the same
    course and quiz submits at once (the course and quiz rows are not locked)."""
    first = attempts.start_attempt(progress.enrol(learner, course), quiz)
    second = attempts.start_attempt(progress.enrol(UserFactory(), course), quiz)
    with while_locked(lambda: attempts._lock_attempt(first)):
        result = attempts.submit_attempt(second, perfect_answers(second))
    assert result.attempt.passed


def test_starting_an_attempt_does_not_block_another_learner(learner, course, quiz):
    """While one learner's start holds its enrolment lock, another learner of the
    same course starts the quiz at once (the course row is not locked)."""
    first = progress.enrol(learner, course)
    second = progress.enrol(UserFactory(), course)
    with while_locked(lambda: attempts._lock_enrollment(first)):
        attempt = attempts.start_attempt(second, quiz)
    assert attempt.number == 1
