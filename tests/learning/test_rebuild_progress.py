"""`manage.py rebuild_progress` recomputes progress from the statements."""

from django.core.management import call_command

import pytest

from learning import progress
from learning.models import Enrollment, LessonProgress

pytestmark = pytest.mark.django_db


@pytest.fixture
def journeys(learner, course, lessons):
    from tests.factories import UserFactory

    enrollment = progress.enrol(learner, course)
    progress.open_lesson(enrollment, lessons[0])
    progress.complete_lesson(enrollment, lessons[0])
    progress.open_lesson(enrollment, lessons[1])
    other = progress.enrol(UserFactory(), course)
    for lesson in lessons:
        progress.complete_lesson(other, lesson)
    return enrollment, other


def rows():
    return (
        sorted(Enrollment.objects.values_list("id", "status", "enrolled_at", "completed_at", "last_lesson_id", "last_activity_at"), key=str),
        sorted(LessonProgress.objects.values_list("enrollment_id", "lesson_id", "opened_at", "completed_at"), key=str),
    )  # fmt: skip


def test_rebuild_progress_is_identical(journeys, capsys):
    """Rebuilding from the statements gives exactly the same rows."""
    before = rows()
    call_command("rebuild_progress")
    assert rows() == before
    assert "0 row(s) changed" in capsys.readouterr().out


def test_rebuild_progress_check_passes_when_consistent(journeys, capsys):
    """--check says the progress matches and changes nothing."""
    call_command("rebuild_progress", "--check")
    assert "matches" in capsys.readouterr().out


def test_rebuild_progress_check_reports_differences(journeys, capsys):
    """--check lists a tampered row and exits 1, leaving the tables as they were."""
    enrollment, _ = journeys
    LessonProgress.objects.filter(enrollment=enrollment).delete()
    tampered = rows()
    with pytest.raises(SystemExit) as exit_info:
        call_command("rebuild_progress", "--check")
    assert exit_info.value.code == 1
    output = capsys.readouterr()
    assert "row missing from the stored tables" in output.out
    assert rows() == tampered


def test_rebuild_progress_repairs(journeys):
    """Without --check, a tampered table is repaired from the statements."""
    before = rows()
    LessonProgress.objects.all().delete()
    Enrollment.objects.all().delete()
    call_command("rebuild_progress")
    assert rows() == before


def test_rebuild_ignores_statements_from_lrs_clients(journeys, client):
    """A statement an external LRS client posts with a learner's registration never
    changes that learner's progress."""
    import copy
    import json
    import uuid

    from learning.xapi.models import Statement
    from tests.xapi.conftest import VERSION, basic, make_client

    enrollment, _ = journeys
    lrs_client = make_client()
    forged = copy.deepcopy(
        Statement.objects.filter(activity_id__contains="/activities/course/")
        .exclude(registration=enrollment.pk)
        .first()
        .data
    )
    forged["id"] = str(uuid.uuid4())
    forged["context"]["registration"] = str(enrollment.pk)
    for key in ("stored", "authority", "version"):
        forged.pop(key, None)
    response = client.post(
        "/xapi/statements",
        data=json.dumps(forged),
        content_type="application/json",
        HTTP_AUTHORIZATION=basic(lrs_client.key),
        **VERSION,
    )
    assert response.status_code == 200, response.content
    before = rows()
    call_command("rebuild_progress")
    assert rows() == before


@pytest.fixture
def records(course, lessons, django_capture_on_commit_callbacks):
    """Records that are not derived from statements: two certificates (the first
    superseded after a recertification), quiz attempts, a reminder, exports."""
    from datetime import date

    from learning.certificates.exports import request_export
    from learning.certificates.issuance import recertify
    from learning.compliance.models import Reminder, ReminderKind, Requirement
    from learning.models import RecordsExport
    from learning.quiz import attempts
    from tests.factories import UserFactory
    from tests.quiz.conftest import add_quiz, perfect_answers

    learner = UserFactory()
    quiz = add_quiz(course)
    with django_capture_on_commit_callbacks(execute=True):
        enrollment = progress.enrol(learner, course)
        for lesson in lessons:
            progress.complete_lesson(enrollment, lesson)
        failed = attempts.start_attempt(enrollment, quiz)
        attempts.submit_attempt(failed, {})
        attempt = attempts.start_attempt(enrollment, quiz)
        attempts.submit_attempt(attempt, perfect_answers(attempt))
    recertify(enrollment)
    with django_capture_on_commit_callbacks(execute=True):
        attempt = attempts.start_attempt(enrollment, quiz)
        attempts.submit_attempt(attempt, perfect_answers(attempt))
    requirement = Requirement.objects.create(slug="snds", title="SNDS")
    requirement.courses.add(course)
    Reminder.objects.create(
        user=learner, requirement=requirement, kind=ReminderKind.DUE,
        window=date(2026, 1, 1),
    )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=False):
        request_export(course, by=learner)
    RecordsExport.objects.create(requested_by=learner)
    return enrollment


def record_ids():
    from learning.certificates.models import Certificate, CertificateExport
    from learning.compliance.models import Reminder
    from learning.models import QuizAttempt, RecordsExport

    return {
        model.__name__: sorted(model.objects.values_list("pk", flat=True), key=str)
        for model in (
            Enrollment, Certificate, QuizAttempt, Reminder, CertificateExport,
            RecordsExport,
        )
    }  # fmt: skip


def test_rebuild_progress_keeps_records_not_derived_from_statements(
    records, journeys, capsys
):
    """Certificates, attempts, reminders and exports keep their rows and ids
    through a rebuild (PostgreSQL in CI: real ON DELETE behaviour), and the
    rebuilt progress then passes --check, recertification included."""
    from learning.certificates.models import Certificate

    before, progress_before = record_ids(), rows()
    assert len(before["Certificate"]) == 2 and len(before["QuizAttempt"]) == 3
    superseded = dict(Certificate.objects.values_list("pk", "superseded_by"))
    call_command("rebuild_progress")
    assert "0 row(s) changed" in capsys.readouterr().out
    assert record_ids() == before
    assert rows() == progress_before
    assert dict(Certificate.objects.values_list("pk", "superseded_by")) == superseded
    call_command("rebuild_progress", "--check")
    assert "matches" in capsys.readouterr().out


def test_enrolment_with_records_cannot_be_deleted(records):
    """Deleting an enrolment never takes its certificates or attempts along."""
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        Enrollment.objects.filter(pk=records.pk).delete()


def test_rebuild_keeps_an_underived_enrolment_that_records_refer_to(
    records, course, capsys
):
    """An enrolment no statement derives is kept (and reported) when a quiz
    attempt refers to it; one that nothing refers to is deleted."""
    from django.utils import timezone

    from learning.models import QuizAttempt
    from tests.factories import UserFactory

    now = timezone.now()
    referred, bare = (
        Enrollment.objects.create(user=UserFactory(), course=course, enrolled_at=now)
        for _ in range(2)
    )
    attempt = QuizAttempt.objects.first()
    attempt.pk, attempt.enrollment, attempt.number = None, referred, 1
    attempt.save()
    call_command("rebuild_progress")
    assert "kept because certificates or quiz attempts" in capsys.readouterr().err
    assert Enrollment.objects.filter(pk=referred.pk).exists()
    assert not Enrollment.objects.filter(pk=bare.pk).exists()
