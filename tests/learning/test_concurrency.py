"""Simultaneous requests on PostgreSQL: one completion, one statement.

Runs only against PostgreSQL (CI sets DATABASE_URL): SQLite serialises writers
on one file lock and cannot show the race this guards against.
"""

import threading
from contextlib import contextmanager

from django.db import connection, connections, transaction

import pytest

from learning import progress
from learning.exceptions import AlreadyCompleted, AlreadyEnrolled
from learning.models import Enrollment, LessonProgress
from learning.xapi import vocabulary
from learning.xapi.models import Statement

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL)"
    ),
]


def run_together(function, count=4):
    barrier = threading.Barrier(count)
    outcomes = []

    def worker():
        try:
            barrier.wait()
            outcomes.append(function())
        except Exception as error:  # noqa: BLE001 - the outcome is what we assert
            outcomes.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


@contextmanager
def while_locked(take_lock):
    """Run the block while another connection holds the row locks `take_lock()`
    takes, in a transaction that fails after 3 s of waiting for a lock: the block
    must not queue behind them."""
    locked, release = threading.Event(), threading.Event()

    def hold():
        try:
            with transaction.atomic():
                take_lock()
                locked.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert locked.wait(timeout=30)
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '3s'")
            yield
    finally:
        release.set()
        holder.join(timeout=30)


def test_simultaneous_completions_record_one(learner, course, lessons):
    """Four simultaneous "complete" requests give one completion and one statement."""
    enrollment = progress.enrol(learner, course)
    outcomes = run_together(lambda: progress.complete_lesson(enrollment, lessons[0]))
    assert sum(isinstance(o, LessonProgress) for o in outcomes) == 1
    assert sum(isinstance(o, AlreadyCompleted) for o in outcomes) == 3
    assert Statement.objects.filter(verb=vocabulary.COMPLETED.id).count() == 1


def test_simultaneous_enrolments_record_one(learner, course):
    """Four simultaneous enrolments give one enrolment and one statement."""
    outcomes = run_together(lambda: progress.enrol(learner, course))
    assert sum(isinstance(o, Enrollment) for o in outcomes) == 1
    assert sum(isinstance(o, AlreadyEnrolled) for o in outcomes) == 3
    assert Enrollment.objects.count() == 1
    assert Statement.objects.filter(verb=vocabulary.REGISTERED.id).count() == 1


def test_one_learners_lock_does_not_block_another_learner(learner, course, lessons):
    """While one learner's progress change holds its lock, another learner of the
    same course completes a lesson at once (the course row is not locked)."""
    from tests.factories import UserFactory

    first = progress.enrol(learner, course)
    second = progress.enrol(UserFactory(), course)
    with while_locked(lambda: progress._lock(first)):
        progress.complete_lesson(second, lessons[0])
    assert LessonProgress.objects.filter(
        enrollment=second, completed_at__isnull=False
    ).exists()
