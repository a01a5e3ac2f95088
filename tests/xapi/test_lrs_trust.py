"""What the LRS trusts from outside clients (issue 14, point 6): a client voids
only its own statements, and statements from outside clients keep their
authority and do not move a learner's progress or certificates."""

import uuid
from types import SimpleNamespace

from django.conf import settings

import pytest

from learning.certificates.models import Certificate
from learning.models import Enrollment, LessonProgress
from learning.xapi import vocabulary
from learning.xapi.lrs.models import Scope
from learning.xapi.models import Statement
from learning.xapi.statements import activity_iri
from tests.certificates.conftest import complete
from tests.xapi.conftest import LRS, make_client, statement


def void(target_id):
    return statement(
        verb={"id": vocabulary.VOIDED.id, "display": {"en": "voided"}},
        object={"objectType": "StatementRef", "id": str(target_id)},
    )


@pytest.fixture
def writer(client, db):
    """A write-only client, as in the report."""
    return LRS(client, make_client("writer", scopes=[Scope.STATEMENTS_WRITE]))


@pytest.fixture
def reader(client, db):
    return LRS(client, make_client("reader", scopes=[Scope.STATEMENTS_READ]))


@pytest.fixture
def certified(learner, course, django_capture_on_commit_callbacks):
    """A learner who completed the course and earned its certificate."""
    enrollment = complete(learner, course, django_capture_on_commit_callbacks)
    assert Certificate.objects.filter(enrollment=enrollment).exists()
    return enrollment


def test_a_client_cannot_void_the_platforms_earned_statement(writer, reader, certified):
    """403, nothing stored, and the earned statement still reads."""
    earned = Statement.objects.get(verb=vocabulary.EARNED.id)
    count = Statement.objects.count()
    response = writer.post(void(earned.id))
    assert response.status_code == 403
    assert "only its own statements" in response.json()["error"]
    assert Statement.objects.count() == count
    assert reader.get(statementId=str(earned.id)).status_code == 200
    data = void(earned.id)
    response = writer.put(data, data["id"])
    assert response.status_code == 403


def test_a_client_cannot_void_another_clients_statement(client, writer):
    other = LRS(client, make_client("other", scopes=[Scope.STATEMENTS_WRITE]))
    data = statement()
    assert other.post(data).status_code == 200
    assert writer.post(void(data["id"])).status_code == 403
    assert not Statement.objects.filter(voids__isnull=False).exists()


def test_a_client_voids_its_own_statements(writer, reader):
    """Its own, stored earlier or in the same batch: voided as before."""
    earlier, batch_target = statement(), statement()
    assert writer.post(earlier).status_code == 200
    response = writer.post(
        [void(earlier["id"]), batch_target, void(batch_target["id"])]
    )
    assert response.status_code == 200
    assert reader.get(statementId=earlier["id"]).status_code == 404
    assert reader.get(voidedStatementId=earlier["id"]).status_code == 200


def learner_statement(user, enrollment, verb, obj_iri):
    return statement(
        actor={
            "objectType": "Agent",
            "account": {
                "homePage": settings.SITE_BASE_URL,
                "name": str(user.pseudonym),
            },
        },
        verb={"id": verb.id, "display": {"en": verb.en}},
        object={"id": obj_iri, "objectType": "Activity"},
        context={"registration": str(enrollment.pk)},
    )


def test_outside_completions_keep_their_authority_and_move_nothing(
    writer, reader, learner, course
):
    """A client's `completed` statements with the learner's actor and registration
    are stored under the client's authority; progress and certificates stay put."""
    from learning import progress

    enrollment = progress.enrol(learner, course)
    statements = [
        learner_statement(
            learner, enrollment, vocabulary.COMPLETED, activity_iri("lesson", lesson)
        )
        for lesson in course.lessons()
    ]
    statements.append(
        learner_statement(
            learner, enrollment, vocabulary.COMPLETED, activity_iri("course", course)
        )
    )
    assert writer.post(statements).status_code == 200
    stored = reader.get(statementId=statements[-1]["id"]).json()
    assert stored["authority"] == writer.client.authority
    enrollment.refresh_from_db()
    assert enrollment.status == "active" and enrollment.completed_at is None
    assert not LessonProgress.objects.filter(completed_at__isnull=False).exists()
    assert not Certificate.objects.exists()
    assert Enrollment.objects.count() == 1


@pytest.fixture
def trusted(client, course, db):
    """A write-only client an administrator trusts for `course`."""
    lrs_client = make_client("cmi5-player", scopes=[Scope.STATEMENTS_WRITE])
    lrs_client.trusted_courses.add(course)
    return LRS(client, lrs_client)


def lesson_completions(learner, enrollment, course):
    return [
        learner_statement(
            learner, enrollment, vocabulary.COMPLETED, activity_iri("lesson", lesson)
        )
        for lesson in course.lessons()
    ]


def test_a_trusted_client_moves_progress_and_earns_the_certificate(
    trusted, reader, learner, course, django_capture_on_commit_callbacks
):
    """Trusted for the course: its lesson completions count, the course completes
    and the certificate is issued; its statements keep its authority, and
    rebuild_progress derives the same progress."""
    from django.core.management import call_command

    from learning import progress
    from learning.xapi.lrs.models import TrustedStatement

    enrollment = progress.enrol(learner, course)
    statements = lesson_completions(learner, enrollment, course)
    with django_capture_on_commit_callbacks(execute=True):
        assert trusted.post(statements).status_code == 200
    enrollment.refresh_from_db()
    assert enrollment.is_completed
    assert LessonProgress.objects.filter(completed_at__isnull=False).count() == 3
    assert Certificate.objects.filter(enrollment=enrollment).exists()
    stored = reader.get(statementId=statements[0]["id"]).json()
    assert stored["authority"] == trusted.client.authority
    assert TrustedStatement.objects.count() == 3
    # Trust withdrawn later: what it moved stays derivable from the statements.
    trusted.client.trusted_courses.clear()
    call_command("rebuild_progress", "--check")


@pytest.mark.parametrize("case", ["other course", "other learner", "other site"])
def test_trust_is_for_one_course_and_its_enrolled_learner(
    client, learner, course, catalogue, case
):
    """Trusted for another course, or a statement naming another actor than the
    enrolment's learner: nothing moves."""
    from learning import progress
    from tests.factories import CoursePageFactory, UserFactory

    lrs_client = make_client("player", scopes=[Scope.STATEMENTS_WRITE])
    lrs_client.trusted_courses.add(
        CoursePageFactory(parent=catalogue, slug="autre")
        if case == "other course"
        else course
    )
    enrollment = progress.enrol(learner, course)
    actor = UserFactory(username="dominique") if case == "other learner" else learner
    statements = lesson_completions(actor, enrollment, course)
    if case == "other site":
        for data in statements:
            data["actor"]["account"]["homePage"] = "https://elsewhere.example.org"
    assert LRS(client, lrs_client).post(statements).status_code == 200
    enrollment.refresh_from_db()
    assert not enrollment.is_completed
    assert not LessonProgress.objects.filter(completed_at__isnull=False).exists()


def test_a_trusted_client_never_enrols(trusted, learner, course):
    """A "registered" (or any statement) with an unknown registration creates nothing."""
    data = learner_statement(
        learner,
        SimpleNamespace(pk=uuid.uuid4()),  # no such enrolment
        vocabulary.COMPLETED,
        activity_iri("course", course),
    )
    assert trusted.post(data).status_code == 200
    assert not Enrollment.objects.exists()


def test_trust_is_set_in_the_client_admin(admin_client, course):
    """An administrator picks the trusted courses on the client's page (none by default)."""
    from django.urls import reverse

    lrs_client = make_client("player", scopes=[Scope.STATEMENTS_WRITE])
    assert not lrs_client.trusted_courses.exists()
    url = reverse("lrsclient:edit", args=[lrs_client.pk])
    assert course.title in admin_client.get(url).content.decode()
    response = admin_client.post(
        url,
        {
            "name": "player",
            "scopes": [Scope.STATEMENTS_WRITE],
            "is_active": "on",
            "trusted_courses": [course.pk],
        },
    )
    assert response.status_code == 302
    assert list(lrs_client.trusted_courses.values_list("pk", flat=True)) == [course.pk]


def test_exports_take_outside_statements(writer, client, learner, course, tmp_path):
    """Outside statements about a learner (odd but valid content included) reach
    the research export and the learner's own export, which both succeed."""
    import json

    from learning import progress
    from learning.analytics.hdf5_export import export_learning_records

    enrollment = progress.enrol(learner, course)
    data = learner_statement(
        learner, enrollment, vocabulary.COMPLETED, activity_iri("course", course)
    )
    data["result"] = {
        "response": "é𝄞" * 300,
        "score": {"scaled": -1, "raw": 1e300},
        "duration": "P1Y2M3DT4H5M6.789S",
        "extensions": {"http://example.org/x": {"nested": [1, None, "ü"]}},
    }
    assert writer.post(data).status_code == 200
    counts = export_learning_records(tmp_path / "records.h5")
    assert counts["statements"] == 2
    counts = export_learning_records(tmp_path / "csv", format="csv")
    assert counts["statements"] == 2
    client.force_login(learner)
    response = client.get("/accounts/profile/data.json")
    assert response.status_code == 200
    exported = json.loads(response.content)["learning"]["xapi_statements"]
    assert exported[-1]["authority"] == writer.client.authority


def test_a_trusted_course_completion_earns_the_certificate(
    trusted, learner, course, django_capture_on_commit_callbacks
):
    """A trusted client (a cmi5 player, say) reporting the course completed
    completes the enrolment, and the certificate follows."""
    from learning import progress

    enrollment = progress.enrol(learner, course)
    data = learner_statement(
        learner, enrollment, vocabulary.COMPLETED, activity_iri("course", course)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert trusted.post(data).status_code == 200
    enrollment.refresh_from_db()
    assert enrollment.is_completed
    assert Certificate.objects.filter(enrollment=enrollment).exists()
