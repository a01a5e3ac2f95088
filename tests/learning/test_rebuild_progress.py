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
