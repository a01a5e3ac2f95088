"""cmi5, the LMS side: launch, fetch, launch data, statement rules, modes,
moveOn for AUs, blocks and the course, abandoned and waived sessions."""

import json

from django.test import Client

import pytest

from courses.packages.importing import create_package_lesson
from learning import progress
from learning.launches import cmi5
from learning.launches.models import LaunchSession, UnitProgress
from learning.models import Enrollment, LessonProgress, Statement
from tests.factories import CoursePageFactory

from .cmi5_au import AU, CONTENT
from .conftest import two_au_zip

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def origin(settings):
    settings.PACKAGE_CONTENT_ORIGIN = f"http://{CONTENT}"


def make_lesson(private_root, tmp_path, course, **au_options):
    path = tmp_path / f"p{len(list(tmp_path.iterdir()))}.zip"
    path.write_bytes(two_au_zip(**au_options))
    return create_package_lesson(course, path)


@pytest.fixture
def package_course(catalogue):
    """A course whose only lesson will be the package lesson."""
    return CoursePageFactory(parent=catalogue, title="Données", slug="donnees")


@pytest.fixture
def setup(private_root, tmp_path, package_course, learner):
    lesson = make_lesson(private_root, tmp_path, package_course)
    enrollment = progress.enrol(learner, package_course)
    units = list(lesson.package.units.all())
    return lesson, enrollment, units


def verbs_stored(verb_name):
    return Statement.objects.filter(verb=cmi5.VERBS[verb_name])


def test_launch_url_carries_the_cmi5_parameters(setup, learner):
    """endpoint, fetch, actor, registration and activityId (section 8.1)."""
    lesson, enrollment, units = setup
    au = AU(enrollment, lesson, units[0])
    assert au.url.startswith(f"/packages/s/{au.session.content_key}/au1/index.html?")
    assert au.params["endpoint"] == "http://testserver/xapi/"
    assert au.params["fetch"].startswith("http://testserver/xapi/cmi5/fetch/")
    assert au.actor["account"] == {
        "homePage": "http://testserver",
        "name": str(learner.pseudonym),
    }
    assert au.params["registration"] == str(enrollment.pk)
    assert au.params["activityId"] == cmi5.au_iri(units[0])
    assert verbs_stored("launched").count() == 1


def test_fetch_gives_one_auth_token(setup):
    """The fetch URL answers once; then error-code 1; an unknown one error-code 2."""
    lesson, enrollment, units = setup
    au = AU(enrollment, lesson, units[0])
    first = au.fetch()
    assert first.status_code == 200 and "auth-token" in first.json()
    again = au.fetch()
    assert again.json()["error-code"] == "1"
    assert Client().post("/xapi/cmi5/fetch/nope").json()["error-code"] == "2"
    assert Client().get("/xapi/cmi5/fetch/nope").status_code == 405
    assert first["Access-Control-Allow-Origin"] == "*"


def test_launch_data_and_preferences(setup):
    """The AU reads LMS.LaunchData and the learner preferences with its token."""
    lesson, enrollment, units = setup
    au = AU(enrollment, lesson, units[0]).connect()
    response = au.lrs(
        "get",
        "activities/state",
        data={
            "activityId": au.params["activityId"],
            "agent": json.dumps(au.actor),
            "registration": au.params["registration"],
            "stateId": "LMS.LaunchData",
        },
    )
    assert response.status_code == 200, response.content
    data = json.loads(response.content)
    assert data["launchMode"] == "Normal"
    assert data["moveOn"] == "CompletedOrPassed"
    assert data["launchMethod"] == "AnyWindow"
    assert data["returnURL"].startswith(f"http://{CONTENT}/packages/return/")
    assert data["contextTemplate"]["extensions"][cmi5.SESSION_ID] == str(au.session.pk)
    profile = au.lrs(
        "get",
        "agents/profile",
        data={"agent": json.dumps(au.actor), "profileId": "cmi5LearnerPreferences"},
    )
    assert json.loads(profile.content)["languagePreference"] == "fr-FR"


def test_documents_are_held_to_the_session(setup, catalogue):
    """Another agent's documents, another activity, writing LaunchData: 403."""
    lesson, enrollment, units = setup
    au = AU(enrollment, lesson, units[0]).connect()
    other = {"objectType": "Agent", "account": {"homePage": "http://x", "name": "y"}}
    base = {"activityId": au.params["activityId"], "stateId": "s"}
    assert (
        au.lrs(
            "get", "activities/state", data={**base, "agent": json.dumps(other)}
        ).status_code
        == 403
    )
    wrong = {
        **base,
        "activityId": "https://example.org/other",
        "agent": json.dumps(au.actor),
    }
    assert au.lrs("get", "activities/state", data=wrong).status_code == 403
    query = "&".join(
        f"{k}={v}"
        for k, v in {
            "activityId": au.params["activityId"],
            "agent": json.dumps(au.actor),
            "stateId": "LMS.LaunchData",
        }.items()
    )
    put = au.lrs(
        "put", f"activities/state?{query}", data="{}", content_type="application/json"
    )
    assert put.status_code == 403


@pytest.mark.parametrize(
    ("statements", "refusal"),
    [
        ([("completed", {})], "initialized must be the session's first"),
        ([("initialized", {}), ("initialized", {})], "initialized twice"),
        ([("initialized", {}), ("satisfied", {})], "only the LMS issues"),
        (
            [("initialized", {}), ("terminated", {}), ("experienced", {})],
            "after terminated",
        ),
        (
            [("initialized", {}), ("completed", {}), ("completed", {})],
            "completed was already",
        ),
        ([("initialized", {}), ("passed", {}), ("failed", {})], "after passed"),
        ([("initialized", {}), ("passed", {}), ("passed", {})], "after passed"),
        ([("initialized", {}), ("launched", {})], "only the LMS issues"),
        ([("initialized", {}), ("abandoned", {})], "only the LMS issues"),
        ([("initialized", {}), ("waived", {})], "only the LMS issues"),
        (
            [("initialized", {}), ("completed", {"session_id": "other"})],
            "sessionid extension must be this session's",
        ),
    ],
)
def test_statement_rules(setup, statements, refusal):
    """Each refused batch is a 403 naming the rule, and nothing of it is stored."""
    lesson, enrollment, units = setup
    au = AU(enrollment, lesson, units[0]).connect()
    before = Statement.objects.count()
    response = au.send(*[au.statement(verb, **extra) for verb, extra in statements])
    assert response.status_code == 403
    assert refusal in response.json()["error"]
    assert Statement.objects.count() == before


def test_results_are_once_per_registration_across_sessions(setup):
    """completed once, nothing after passed, even in a later session; nothing
    after terminated, even in a later batch (the credential is off)."""
    lesson, enrollment, units = setup
    first = AU(enrollment, lesson, units[0]).connect()
    for verb in ("initialized", "completed", "passed", "terminated"):
        assert first.say(verb).status_code == 200, verb
    assert first.say("experienced").status_code == 401
    second = AU(enrollment, lesson, units[0]).connect()
    assert second.say("initialized").status_code == 200
    for verb, refusal in [
        ("completed", "completed was already recorded"),
        ("passed", "passed after passed"),
        ("failed", "failed after passed"),
    ]:
        response = second.say(verb)
        assert response.status_code == 403 and refusal in response.json()["error"]


def test_identity_rules(setup):
    """Another actor, registration, object or session id: 403."""
    lesson, enrollment, units = setup
    au = AU(enrollment, lesson, units[0]).connect()
    assert au.say("initialized").status_code == 200
    other = {"objectType": "Agent", "account": {"homePage": "http://x", "name": "y"}}
    assert au.say("completed", actor=other).status_code == 403
    wrong_object = au.statement("completed")
    wrong_object["object"] = {"id": "https://example.org/other"}
    assert au.send(wrong_object).status_code == 403
    wrong_registration = au.statement("completed")
    wrong_registration["context"]["registration"] = (
        "8d0ec3f5-1f0c-4f4e-9c55-2d2b1b2c3d4e"
    )
    assert au.send(wrong_registration).status_code == 403
    assert au.say("completed", session_id="other").status_code == 403
    assert au.say("experienced").status_code == 200  # cmi5 allowed statement


def test_mastery_score_rules(private_root, tmp_path, package_course, learner):
    """With a masteryScore, passed needs a score at least that, failed below it."""
    lesson = make_lesson(
        private_root, tmp_path, package_course, moveOn="Passed", masteryScore="0.8"
    )
    enrollment = progress.enrol(learner, package_course)
    au = AU(enrollment, lesson, lesson.package.units.first()).connect()
    au.say("initialized")
    assert au.say("passed", result={"score": {"scaled": 0.5}}).status_code == 403
    assert au.say("passed").status_code == 403  # no score: not shown to reach it
    assert au.say("failed", result={"score": {"scaled": 0.9}}).status_code == 403
    assert au.say("failed", result={"score": {"scaled": 0.5}}).status_code == 200
    assert au.say("passed", result={"score": {"scaled": 0.85}}).status_code == 200
    assert (
        UnitProgress.objects.get(enrollment=enrollment, unit=au.session.unit).score
        == 0.85
    )


def launch_data(au) -> dict:
    response = au.lrs(
        "get",
        "activities/state",
        data={
            "activityId": au.params["activityId"],
            "agent": json.dumps(au.actor),
            "registration": au.params["registration"],
            "stateId": "LMS.LaunchData",
        },
    )
    assert response.status_code == 200, response.content
    return json.loads(response.content)


@pytest.mark.parametrize("mode", ["Browse", "Review"])
def test_modes_record_no_result(setup, mode):
    """Browse and Review sessions run (the mode in "launched" and LMS.LaunchData),
    but completed, passed and failed are refused."""
    lesson, enrollment, units = setup
    au = AU(enrollment, lesson, units[0], mode=mode).connect()
    launched = verbs_stored("launched").get()
    assert (
        launched.data["context"]["extensions"][
            "https://w3id.org/xapi/cmi5/context/extensions/launchmode"
        ]
        == mode
    )
    assert launch_data(au)["launchMode"] == mode
    assert au.say("initialized").status_code == 200
    assert au.say("experienced").status_code == 200  # cmi5 allowed statements are
    for verb in ("completed", "passed", "failed"):
        response = au.say(verb)
        assert (
            response.status_code == 403
            and f"not allowed in {mode} mode" in response.json()["error"]
        )
    assert au.say("terminated").status_code == 200
    assert not UnitProgress.objects.filter(satisfied_at__isnull=False).exists()


def test_normal_mode_records_results(setup):
    """In Normal mode completed, passed and failed are stored and counted."""
    lesson, enrollment, units = setup
    au = AU(enrollment, lesson, units[0]).connect()
    assert launch_data(au)["launchMode"] == "Normal"
    for verb in ("initialized", "failed", "completed", "passed", "terminated"):
        assert au.say(verb).status_code == 200, verb
    row = UnitProgress.objects.get(enrollment=enrollment, unit=units[0])
    assert row.completed_at and row.passed_at and row.failed_at and row.satisfied_at


@pytest.mark.parametrize("mode", ["Browse", "Review"])
def test_not_applicable_au_is_satisfied_only_in_normal_mode(
    private_root, tmp_path, package_course, learner, mode
):
    """A NotApplicable AU is satisfied when launched in Normal mode, not when
    browsed or reviewed: no "satisfied" statement, no unit progress."""
    lesson = make_lesson(private_root, tmp_path, package_course, moveOn="NotApplicable")
    enrollment = progress.enrol(learner, package_course)
    unit = lesson.package.units.first()
    AU(enrollment, lesson, unit, mode=mode)
    assert not UnitProgress.objects.filter(satisfied_at__isnull=False).exists()
    assert not verbs_stored("satisfied").exists()
    AU(enrollment, lesson, unit)
    assert UnitProgress.objects.get(unit=unit).satisfied_at is not None


def test_learner_launches_in_normal_or_review_mode_only(setup, learner):
    """The learner's launch button opens Normal or Review sessions; Browse (for
    harnesses, through the API) or an unknown mode posted by hand is Normal."""
    lesson, enrollment, units = setup
    client = Client()
    client.force_login(learner)
    url = f"/learning/packages/{lesson.pk}/units/{units[0].pk}/launch/"
    for posted, expected in [
        ("Review", "Review"),
        ("Browse", "Normal"),
        ("Teacher", "Normal"),
        ("", "Normal"),
    ]:
        assert client.post(url, {"mode": posted}).status_code == 200
        assert LaunchSession.objects.latest("created_at").mode == expected, posted


@pytest.mark.parametrize(
    ("move_on", "verbs", "satisfied"),
    [
        ("Completed", ["completed"], True),
        ("Completed", ["passed"], False),
        ("Passed", ["passed"], True),
        ("Passed", ["completed"], False),
        ("Passed", ["failed"], False),
        ("CompletedAndPassed", ["completed"], False),
        ("CompletedAndPassed", ["completed", "passed"], True),
        ("CompletedOrPassed", ["passed"], True),
        ("CompletedOrPassed", ["completed"], True),
        ("CompletedOrPassed", ["failed"], False),
        ("NotApplicable", [], True),
    ],
)
def test_move_on(
    private_root, tmp_path, package_course, learner, move_on, verbs, satisfied
):
    """Each moveOn value: the AU is satisfied exactly when its criterion is met;
    with both AUs satisfied the block and the course are, and the lesson and
    course complete."""
    lesson = make_lesson(private_root, tmp_path, package_course, moveOn=move_on)
    enrollment = progress.enrol(learner, package_course)
    for unit in lesson.package.units.all():
        au = AU(enrollment, lesson, unit).connect()
        assert au.say("initialized").status_code == 200
        for verb in verbs:
            assert au.say(verb).status_code == 200, verb
        assert au.say("terminated").status_code == 200
    rows = UnitProgress.objects.filter(
        enrollment=enrollment, satisfied_at__isnull=False
    )
    assert rows.count() == (2 if satisfied else 0)
    done = LessonProgress.objects.filter(
        enrollment=enrollment, lesson_id=lesson.pk, completed_at__isnull=False
    ).exists()
    assert done is satisfied
    enrollment.refresh_from_db()
    assert enrollment.is_completed is satisfied
    if satisfied:
        ids = {s.data["object"]["id"] for s in verbs_stored("satisfied")}
        assert cmi5.course_iri(lesson.package) in ids
        assert cmi5.block_iri(lesson.package, "https://example.org/block/1") in ids
    else:
        assert not verbs_stored("satisfied").exists()


def test_abandoned_session(setup):
    """Relaunching an AU left open abandons the old session: "abandoned", its credential off."""
    lesson, enrollment, units = setup
    first = AU(enrollment, lesson, units[0]).connect()
    assert first.say("initialized").status_code == 200
    second = AU(enrollment, lesson, units[0]).connect()
    old = LaunchSession.objects.get(pk=first.session.pk)
    assert old.abandoned_at is not None
    abandoned = verbs_stored("abandoned").get()
    assert abandoned.data["context"]["extensions"][cmi5.SESSION_ID] == str(old.pk)
    assert abandoned.data["result"]["duration"].startswith("PT")
    assert first.say("completed").status_code == 401  # the old credential is off
    assert second.say("initialized").status_code == 200


def test_abandoned_without_initialized_and_not_after_terminated(setup):
    """A session launched but never initialized is abandoned by the next launch;
    a terminated one is not; another AU's open session is left alone; an
    abandoned session satisfies nothing."""
    lesson, enrollment, units = setup
    never_started = AU(enrollment, lesson, units[0])
    other_au = AU(enrollment, lesson, units[1]).connect()
    assert other_au.say("initialized").status_code == 200
    AU(enrollment, lesson, units[0])
    assert LaunchSession.objects.get(pk=never_started.session.pk).abandoned_at
    assert LaunchSession.objects.get(pk=other_au.session.pk).abandoned_at is None
    assert verbs_stored("abandoned").count() == 1

    finished = AU(enrollment, lesson, units[1]).connect()  # abandons other_au
    assert finished.say("initialized").status_code == 200
    assert finished.say("terminated").status_code == 200
    AU(enrollment, lesson, units[1])
    assert LaunchSession.objects.get(pk=finished.session.pk).abandoned_at is None
    assert verbs_stored("abandoned").count() == 2
    assert not UnitProgress.objects.filter(satisfied_at__isnull=False).exists()
    assert not LessonProgress.objects.filter(completed_at__isnull=False).exists()


def test_abandoned_session_keeps_what_it_recorded(setup):
    """What an abandoned session stored before (completed) still counts: the
    next session cannot complete again, and the AU is satisfied."""
    lesson, enrollment, units = setup
    first = AU(enrollment, lesson, units[0]).connect()
    assert first.say("initialized").status_code == 200
    assert first.say("completed").status_code == 200
    assert UnitProgress.objects.get(unit=units[0]).satisfied_at is not None
    second = AU(enrollment, lesson, units[0]).connect()
    assert second.say("initialized").status_code == 200
    response = second.say("completed")
    assert response.status_code == 403
    assert "completed was already recorded" in response.json()["error"]


def test_sessions_past_their_end_are_abandoned_by_the_sweep(setup):
    """The hourly sweep abandons cmi5 sessions past their end and never
    terminated (once: a later relaunch writes no second "abandoned"); it leaves
    running and terminated sessions alone; cms.cron schedules it."""
    from datetime import timedelta

    from django.utils import timezone

    from fakeredis import FakeStrictRedis
    from rq.cron import CronScheduler

    lesson, enrollment, units = setup
    left = AU(enrollment, lesson, units[0]).connect()
    assert left.say("initialized").status_code == 200
    done = AU(enrollment, lesson, units[1]).connect()
    assert done.say("initialized").status_code == 200
    assert done.say("terminated").status_code == 200
    later = timezone.now() + timedelta(hours=9)  # PACKAGE_SESSION_HOURS is 8
    assert cmi5.abandon_expired_sessions(now=timezone.now()) == 0
    assert cmi5.abandon_expired_sessions(now=later) == 1
    assert cmi5.abandon_expired_sessions(now=later) == 0
    assert LaunchSession.objects.get(pk=left.session.pk).abandoned_at == later
    assert LaunchSession.objects.get(pk=done.session.pk).abandoned_at is None
    AU(enrollment, lesson, units[0])
    (abandoned,) = verbs_stored("abandoned")
    assert abandoned.data["context"]["extensions"][cmi5.SESSION_ID] == str(
        left.session.pk
    )
    assert left.say("completed").status_code == 401

    scheduler = CronScheduler(connection=FakeStrictRedis())
    scheduler.load_config_from_file("cms.cron")
    jobs = {job.func.__name__: job for job in scheduler.get_jobs()}
    assert jobs["abandon_expired_sessions_job"].cron == "41 * * * *"


def test_waived_au_counts_as_satisfied(setup):
    """A waived AU ("waived" by the LMS) satisfies its moveOn."""
    lesson, enrollment, units = setup
    for unit in units:
        cmi5.waive_unit(enrollment, lesson, unit)
    assert verbs_stored("waived").count() == 2
    enrollment.refresh_from_db()
    assert enrollment.is_completed


def test_au_statements_keep_their_authority(setup):
    """What the AU posts is stored under its session's client, not the platform."""
    lesson, enrollment, units = setup
    au = AU(enrollment, lesson, units[0]).connect()
    au.say("initialized")
    stored = Statement.objects.filter(verb=cmi5.VERBS["initialized"]).get()
    assert stored.client.name == f"cmi5 session {au.session.pk}"
    assert Enrollment.objects.get(pk=enrollment.pk).status == "active"
