"""What the LRS trusts from outside clients (issue 14, point 6): a client voids
only its own statements, and statements from outside clients keep their
authority and do not move a learner's progress or certificates."""

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
