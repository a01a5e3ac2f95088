"""The SCORM run-time on the server: CMI data per attempt, resume, statements in
the same transaction as the progress they cause, SCO completion feeding the
lesson, the course and the certificate."""

import pytest

from learning.launches.models import UnitProgress
from learning.models import Enrollment, LessonProgress
from learning.scorm.models import ScormAttempt
from learning.xapi.models import Statement
from learning.xapi.vocabulary import SCORM_PROFILE

from .conftest import launch

pytestmark = pytest.mark.django_db
ADL = "http://adlnet.gov/expapi/verbs/"


def verbs(enrollment) -> list[str]:
    return [
        statement.verb.removeprefix(ADL)
        for statement in Statement.objects.filter(registration=enrollment.pk).order_by(
            "timestamp"
        )
        if "/activities/sco/" in statement.activity_id
    ]


def scorm_statements(enrollment):
    return [
        s.data
        for s in Statement.objects.filter(registration=enrollment.pk)
        if "/activities/sco/" in s.activity_id
    ]


def intro_done(player, *, exit="normal", terminate=True):
    player.commit(
        {
            "completion_status": "completed",
            "progress_measure": "1",
            "location": "1",
            "exit": exit,
            "session_time": "PT2M",
        },
        terminate=terminate,
    )


def quiz_answer(response: str, scaled: str) -> dict:
    return {
        "completion_status": "completed",
        "score": {
            "scaled": scaled,
            "raw": "1" if scaled == "1" else "0",
            "min": "0",
            "max": "1",
        },
        "interactions": {
            "0": {
                "id": "fair-f",
                "type": "choice",
                "learner_response": response,
                "result": "correct" if scaled == "1" else "incorrect",
                "correct_responses": {"0": {"pattern": "findable"}},
                "description": "Que signifie le F de FAIR ?",
            }
        },
        "exit": "normal",
        "session_time": "PT1M30S",
    }


def test_runtime_new_attempt_starts_ab_initio_with_the_manifest_data(
    lesson2004, enrollment
):
    """The SCO starts with its learner's pseudonym (no name), mode, credit,
    entry ab-initio, language, and the quiz's scaled passing score."""
    player = launch(enrollment, lesson2004, 1)
    values = player.values()
    assert values["cmi.learner_id"] == str(enrollment.user.pseudonym)
    assert values["cmi.learner_name"] == ""
    assert values["cmi.entry"] == "ab-initio"
    assert values["cmi.mode"] == "normal"
    assert values["cmi.credit"] == "credit"
    assert values["cmi.learner_preference.language"] == "fr"
    assert values["cmi.scaled_passing_score"] == "0.8"
    assert values["cmi.objectives.0.id"] == "quiz-mastery"
    assert ScormAttempt.objects.get().number == 1


def test_runtime_suspend_then_resume_where_the_learner_left(lesson2004, enrollment):
    """exit=suspend keeps the attempt: the next launch resumes it with its
    location, suspend_data and total time; the statements say so."""
    player = launch(enrollment, lesson2004, 0)
    player.initialize()
    player.commit(
        {
            "location": "1",
            "suspend_data": '{"visited":[0,1]}',
            "completion_status": "incomplete",
            "progress_measure": "0.5",
            "exit": "suspend",
            "session_time": "PT1M5S",
        },
        terminate=True,
    )
    attempt = ScormAttempt.objects.get()
    assert (attempt.exit, attempt.ended_at, attempt.total_seconds) == (
        "suspend",
        None,
        65,
    )

    again = launch(enrollment, lesson2004, 0)
    values = again.values()
    assert values["cmi.entry"] == "resume"
    assert values["cmi.location"] == "1"
    assert values["cmi.suspend_data"] == '{"visited":[0,1]}'
    assert values["cmi.total_time"] == "PT0H1M5S"
    assert values["cmi.completion_status"] == "incomplete"
    again.initialize()
    assert verbs(enrollment) == ["initialized", "suspended", "resumed"]
    assert ScormAttempt.objects.count() == 1


def test_runtime_multi_sco_lesson_completes_when_every_sco_is_done(
    lesson2004, enrollment
):
    """The intro completed and the quiz passed: the lesson, then the course
    (its only lesson), is completed, and the certificate job is scheduled."""
    intro = launch(enrollment, lesson2004, 0)
    intro.initialize()
    intro_done(intro)
    assert not LessonProgress.objects.filter(completed_at__isnull=False).exists()

    quiz = launch(enrollment, lesson2004, 1)
    quiz.initialize()
    quiz.commit(quiz_answer("free", "0"), terminate=True)  # failed
    assert not LessonProgress.objects.filter(completed_at__isnull=False).exists()
    retry = launch(enrollment, lesson2004, 1)
    assert retry.values()["cmi.entry"] == "ab-initio"  # a new attempt
    retry.initialize()
    retry.commit(quiz_answer("findable", "1"), terminate=True)

    progress_row = LessonProgress.objects.get(lesson=lesson2004)
    assert progress_row.completed_at is not None
    enrollment.refresh_from_db()
    assert enrollment.is_completed
    assert UnitProgress.objects.filter(satisfied_at__isnull=False).count() == 2
    assert verbs(enrollment) == [
        "initialized", "completed", "terminated",  # intro
        "initialized", "answered", "completed", "failed", "terminated",  # quiz, 1st
        "initialized", "answered", "completed", "passed", "terminated",  # quiz, 2nd
    ]  # fmt: skip


def test_runtime_statements_follow_the_scorm_profile(lesson2004, enrollment):
    """SCO as a lesson activity, the attempt and the course as grouping, the
    profile as category, the enrolment as registration; answers as interactions."""
    quiz = launch(enrollment, lesson2004, 1)
    quiz.initialize()
    quiz.commit(quiz_answer("findable", "1"), terminate=True)
    statements = scorm_statements(enrollment)
    passed = next(s for s in statements if s["verb"]["id"].endswith("passed"))
    attempt = ScormAttempt.objects.get()
    assert (
        passed["object"]["definition"]["type"]
        == "http://adlnet.gov/expapi/activities/lesson"
    )
    assert passed["object"]["id"].endswith(
        f"/activities/sco/{lesson2004.translation_key}/quiz"
    )
    grouping = [a["id"] for a in passed["context"]["contextActivities"]["grouping"]]
    assert f"{passed['object']['id']}?attemptId={attempt.pk}" in grouping
    assert any("/activities/course/" in a for a in grouping)
    assert passed["context"]["contextActivities"]["category"][0]["id"] == SCORM_PROFILE
    assert passed["context"]["registration"] == str(enrollment.pk)
    assert passed["result"] == {
        "completion": True,
        "success": True,
        "score": {"scaled": 1.0, "raw": 1.0, "min": 0.0, "max": 1.0},
    }
    answered = next(s for s in statements if s["verb"]["id"].endswith("answered"))
    assert answered["object"]["id"].endswith("/quiz/interactions/fair-f")
    assert answered["object"]["definition"]["interactionType"] == "choice"
    assert answered["object"]["definition"]["correctResponsesPattern"] == ["findable"]
    assert answered["result"] == {"response": "findable", "success": True}
    terminated = next(s for s in statements if s["verb"]["id"].endswith("terminated"))
    assert terminated["result"]["duration"] == "PT0H1M30S"


def test_runtime_an_interaction_is_reported_once(lesson2004, enrollment):
    """Commits repeat the whole CMI data: an answer already written is not written again."""
    quiz = launch(enrollment, lesson2004, 1)
    quiz.initialize()
    body = quiz_answer("free", "0")
    body.pop("exit")
    quiz.commit(body)
    quiz.commit(body)
    assert verbs(enrollment).count("answered") == 1


def test_runtime_passing_score_is_decided_by_the_server(lesson2004, enrollment):
    """A SCO claiming "passed" below the scaled passing score has failed."""
    quiz = launch(enrollment, lesson2004, 1)
    quiz.initialize()
    body = quiz_answer("findable", "1")
    body["score"]["scaled"] = "0.5"
    body["success_status"] = "passed"
    quiz.commit(body, terminate=True)
    assert ScormAttempt.objects.get().success_status == "failed"
    assert "passed" not in verbs(enrollment)


def test_runtime_scorm12_mastery_score_decides_passed(lesson12, enrollment):
    """SCORM 1.2: lesson_status follows the raw score against masteryscore (80)."""
    player = launch(enrollment, lesson12)
    values = player.values()
    assert values["cmi.core.entry"] == "ab-initio"
    assert values["cmi.student_data.mastery_score"] == "80"
    player.initialize()
    player.commit(
        {
            "core": {
                "lesson_status": "completed",
                "score": {"raw": "100", "min": "0", "max": "100"},
                "lesson_location": "1",
                "exit": "",
                "session_time": "0000:02:30.00",
            },
            "interactions": {
                "0": {
                    "id": "fair-f",
                    "type": "choice",
                    "student_response": "findable",
                    "result": "correct",
                    "correct_responses": {"0": {"pattern": "findable"}},
                }
            },
        },
        terminate=True,
    )
    attempt = ScormAttempt.objects.get()
    assert (attempt.lesson_status, attempt.success_status, attempt.total_seconds) == (
        "passed",
        "passed",
        150,
    )
    assert Enrollment.objects.get(pk=enrollment.pk).is_completed
    assert verbs(enrollment) == [
        "initialized",
        "answered",
        "completed",
        "passed",
        "terminated",
    ]


@pytest.mark.parametrize("mode", ["Review", "Browse"])
def test_runtime_review_and_browse_modes_change_nothing(lesson2004, enrollment, mode):
    """A Review or Browse launch sees the last attempt with no credit and
    records nothing: no statement, no attempt, no progress."""
    quiz = launch(enrollment, lesson2004, 1)
    quiz.initialize()
    quiz.commit(quiz_answer("free", "0"), terminate=True)
    before = Statement.objects.count()
    review = launch(enrollment, lesson2004, 1, mode=mode)
    values = review.values()
    assert (values["cmi.mode"], values["cmi.credit"]) == (mode.lower(), "no-credit")
    assert values["cmi.success_status"] == "failed"
    review.initialize()
    review.commit(quiz_answer("findable", "1"), terminate=True)
    assert Statement.objects.count() == before
    assert ScormAttempt.objects.get().success_status == "failed"
    assert not UnitProgress.objects.filter(satisfied_at__isnull=False).exists()


def test_runtime_browse_before_any_attempt(lesson2004, enrollment):
    """Browsing a SCO never attempted (a harness, through the API) runs with no
    attempt data and creates none."""
    browse = launch(enrollment, lesson2004, 0, mode="Browse")
    values = browse.values()
    assert (values["cmi.mode"], values["cmi.entry"]) == ("browse", "")
    assert "cmi.location" not in values
    browse.initialize()
    intro_done(browse)
    assert not ScormAttempt.objects.exists()
    assert (
        not Statement.objects.filter(registration=enrollment.pk)
        .exclude(verb__endswith="registered")
        .exists()
    )


def test_runtime_statement_and_progress_roll_back_together(
    lesson2004, enrollment, monkeypatch
):
    """If storing the statements fails, the attempt's data is not written either."""
    from learning.scorm import runtime

    quiz = launch(enrollment, lesson2004, 1)
    quiz.initialize()

    def broken(statements):
        raise RuntimeError("LRS store down")

    monkeypatch.setattr(runtime, "store_own_statements", broken)
    with pytest.raises(RuntimeError):
        runtime.commit(quiz.session, {"cmi": quiz_answer("findable", "1")}, sequence=1)
    attempt = ScormAttempt.objects.get()
    assert (attempt.completion_status, attempt.interactions) == ("not attempted", [])
    assert not UnitProgress.objects.filter(satisfied_at__isnull=False).exists()
