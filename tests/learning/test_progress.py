"""The learner-journey domain functions and the statements they record."""

from unittest import mock

from django.db import DatabaseError

import pytest

from learning import progress
from learning.exceptions import (
    AlreadyCompleted,
    AlreadyEnrolled,
    CourseNotAvailable,
    LessonNotAvailable,
)
from learning.models import Enrollment, LessonProgress
from learning.xapi import vocabulary
from learning.xapi.models import ImmutableStatementError, Statement
from tests.factories import CoursePageFactory, LessonPageFactory, UserFactory

from .xapi_rules import assert_valid_statement

pytestmark = pytest.mark.django_db


def verbs():
    return [
        s.verb.rsplit("/", 1)[-1]
        for s in Statement.objects.order_by("stored", "timestamp")
    ]


def test_enrol_records_registered_statement(learner, course):
    """Enrolling creates the enrolment and a valid "registered" statement for the course."""
    enrollment = progress.enrol(learner, course)
    statement = Statement.objects.get()
    assert_valid_statement(statement.data)
    assert statement.verb == vocabulary.REGISTERED.id
    assert statement.registration == enrollment.pk
    assert statement.data["object"]["id"].endswith(
        f"/activities/course/{course.translation_key}"
    )
    assert statement.data["object"]["definition"]["name"]["fr"] == "Accès au SNDS"
    assert statement.data["actor"]["account"]["name"] == str(learner.pseudonym)


def test_statement_actor_is_pseudonymous(learner, course):
    """No e-mail, username or name of the learner appears in any statement."""
    enrollment = progress.enrol(learner, course)
    progress.complete_lesson(enrollment, course.lessons().first())
    for statement in Statement.objects.all():
        text = str(statement.data)
        assert learner.email not in text and learner.username not in text
        assert learner.last_name not in text


def test_enrol_twice_is_refused(learner, course):
    """A second enrolment raises AlreadyEnrolled and records nothing."""
    progress.enrol(learner, course)
    with pytest.raises(AlreadyEnrolled):
        progress.enrol(learner, course)
    assert Enrollment.objects.count() == 1 and Statement.objects.count() == 1


def test_enrol_in_unpublished_course_is_refused(learner, course):
    """An unpublished course cannot be started."""
    course.unpublish()
    with pytest.raises(CourseNotAvailable):
        progress.enrol(learner, course)
    assert not Statement.objects.exists()


def test_open_lesson_records_launched_once_per_visit(learner, course, lessons):
    """Opening a lesson records "launched" with its course as parent; a reload does not."""
    enrollment = progress.enrol(learner, course)
    progress.open_lesson(enrollment, lessons[0])
    progress.open_lesson(enrollment, lessons[0])
    progress.open_lesson(enrollment, lessons[1])
    assert verbs() == ["registered", "launched", "launched"]
    launched = Statement.objects.filter(verb=vocabulary.LAUNCHED.id).first().data
    assert_valid_statement(launched)
    parent = launched["context"]["contextActivities"]["parent"][0]["id"]
    assert parent.endswith(str(course.translation_key))
    enrollment.refresh_from_db()
    assert enrollment.last_lesson == lessons[1]


def test_complete_lesson_records_completed(learner, course, lessons):
    """Completing a lesson stores progress and a "completed" statement with completion."""
    enrollment = progress.enrol(learner, course)
    lesson_progress = progress.complete_lesson(enrollment, lessons[0])
    assert lesson_progress.completed_at is not None
    statement = Statement.objects.get(verb=vocabulary.COMPLETED.id)
    assert_valid_statement(statement.data)
    assert statement.data["result"]["completion"] is True


def test_complete_lesson_twice_is_refused(learner, course, lessons):
    """The same lesson completed twice gives AlreadyCompleted and no duplicate record."""
    enrollment = progress.enrol(learner, course)
    progress.complete_lesson(enrollment, lessons[0])
    with pytest.raises(AlreadyCompleted):
        progress.complete_lesson(enrollment, lessons[0])
    assert LessonProgress.objects.count() == 1
    assert Statement.objects.filter(verb=vocabulary.COMPLETED.id).count() == 1


def test_complete_lesson_of_another_course_is_refused(learner, course, catalogue):
    """A lesson outside the enrolled course is refused."""
    other = CoursePageFactory(parent=catalogue)
    foreign = LessonPageFactory(parent=other)
    enrollment = progress.enrol(learner, course)
    with pytest.raises(LessonNotAvailable):
        progress.complete_lesson(enrollment, foreign)
    assert Statement.objects.count() == 1


def test_complete_unpublished_lesson_is_refused(learner, course, lessons):
    """A lesson that is not published cannot be completed."""
    enrollment = progress.enrol(learner, course)
    lessons[0].unpublish()
    with pytest.raises(LessonNotAvailable):
        progress.complete_lesson(enrollment, lessons[0])


def test_course_completed_after_last_lesson(learner, course, lessons):
    """Completing every lesson completes the course with a duration."""
    enrollment = progress.enrol(learner, course)
    for lesson in lessons:
        progress.complete_lesson(enrollment, lesson)
    enrollment.refresh_from_db()
    assert enrollment.is_completed and enrollment.completed_at
    course_done = Statement.objects.get(
        verb=vocabulary.COMPLETED.id, activity_id__contains="/activities/course/"
    )
    assert_valid_statement(course_done.data)
    assert course_done.data["result"]["duration"].startswith("PT")
    assert verbs() == ["registered", "completed", "completed", "completed", "completed"]


def test_progress_is_shared_across_languages(learner, course, lessons, site_structure):
    """Completing the English translation of a lesson completes the lesson."""
    english_locale = site_structure.catalogue("en").locale
    english_course = course.copy_for_translation(english_locale)
    english_course.save_revision().publish()
    english_lesson = lessons[0].copy_for_translation(english_locale)
    english_lesson.save_revision().publish()
    enrollment = progress.enrol(learner, english_course)
    assert enrollment.course_id == course.pk
    progress.complete_lesson(enrollment, english_lesson)
    assert LessonProgress.objects.get().lesson_id == lessons[0].pk


def test_statement_write_failure_rolls_back_progress(learner, course, lessons):
    """If the statement cannot be stored, no progress row is written."""
    enrollment = progress.enrol(learner, course)
    with (
        mock.patch(
            "learning.xapi.models.Statement.save",
            side_effect=DatabaseError("disk full"),
        ),
        pytest.raises(DatabaseError),
    ):
        progress.complete_lesson(enrollment, lessons[0])
    assert not LessonProgress.objects.exists()
    assert Statement.objects.count() == 1


def test_progress_write_failure_rolls_back_statement(learner, course, lessons):
    """If the progress row cannot be written, the statement is not stored either."""
    enrollment = progress.enrol(learner, course)
    with (
        mock.patch(
            "learning.projection.LessonProgress.objects.get_or_create",
            side_effect=DatabaseError("boom"),
        ),
        pytest.raises(DatabaseError),
    ):
        progress.complete_lesson(enrollment, lessons[0])
    assert Statement.objects.count() == 1
    assert not LessonProgress.objects.exists()


def test_stored_statements_are_immutable(learner, course):
    """A stored statement can be neither changed nor deleted."""
    progress.enrol(learner, course)
    statement = Statement.objects.get()
    with pytest.raises(ImmutableStatementError):
        statement.save()
    with pytest.raises(ImmutableStatementError):
        statement.delete()
    with pytest.raises(ImmutableStatementError):
        Statement.objects.all().update(verb="x")
    with pytest.raises(ImmutableStatementError):
        Statement.objects.all().delete()


def test_naive_timestamp_refused(learner, course):
    """Statements are never built from naive datetimes."""
    from datetime import datetime

    with pytest.raises(ValueError, match="timezone-aware"):
        progress.enrol(learner, course, when=datetime(2026, 1, 1, 12, 0))
    assert not Statement.objects.exists()


def test_activity_id_survives_rename(learner, course):
    """Renaming a course keeps its activity id."""
    progress.enrol(learner, course)
    first_id = Statement.objects.get().activity_id
    course.title = "Nouveau titre"
    course.save_revision().publish()
    other = UserFactory()
    progress.enrol(other, course)
    assert set(Statement.objects.values_list("activity_id", flat=True)) == {first_id}
