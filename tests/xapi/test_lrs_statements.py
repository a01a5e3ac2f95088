"""The statements resource: storing, conflicts, voiding, queries and paging."""

import uuid

import pytest

from learning.xapi.models import Statement
from tests.xapi.conftest import statement

VOIDED = "http://adlnet.gov/expapi/verbs/voided"


def void(target_id, **overrides):
    return statement(
        verb={"id": VOIDED, "display": {"en": "voided"}},
        object={"objectType": "StatementRef", "id": target_id},
        **overrides,
    )


def test_post_returns_ids_in_order_and_sets_lrs_properties(lrs):
    """POST of a batch returns the ids in order; the LRS sets stored, authority, version."""
    batch = [statement(), statement(), statement(id=None)]
    del batch[2]["id"]
    response = lrs.post(batch)
    assert response.status_code == 200
    ids = response.json()
    assert ids[:2] == [batch[0]["id"], batch[1]["id"]] and uuid.UUID(ids[2])
    stored = lrs.get(statementId=ids[0]).json()
    assert stored["stored"] and stored["version"] == "1.0.0"
    assert stored["authority"]["account"]["name"] == lrs.client.key
    assert stored["timestamp"] == stored["stored"]  # no timestamp: set to stored


def test_post_batch_is_bulk_inserted(lrs, django_assert_max_num_queries):
    """A batch of 50 is stored with a constant number of queries."""
    batch = [statement() for _ in range(50)]
    with django_assert_max_num_queries(15):
        assert lrs.post(batch).status_code == 200
    assert Statement.objects.count() == 50


def test_authority_is_overwritten_and_version_kept(lrs):
    """A client cannot claim another authority; a given 1.0.x version is kept."""
    data = statement(authority={"mbox": "mailto:boss@example.org"}, version="1.0.3")
    lrs.post(data)
    stored = lrs.get(statementId=data["id"]).json()
    assert stored["authority"] == lrs.client.authority and stored["version"] == "1.0.3"


def test_put_stores_with_statement_id(lrs):
    """PUT with statementId stores the statement and answers 204."""
    data = statement()
    statement_id = data.pop("id")
    assert lrs.put(data, statement_id).status_code == 204
    assert lrs.get(statementId=statement_id).json()["id"] == statement_id


def test_put_without_statement_id_or_with_another_id_is_400(lrs):
    """PUT needs statementId, and a body id must match it."""
    data = statement()
    assert lrs.request("PUT", "statements", data).status_code == 400
    response = lrs.put(data, str(uuid.uuid4()))
    assert response.status_code == 400 and "statementId" in response.json()["error"]


def test_same_id_same_content_is_a_no_op(lrs):
    """Resending an identical statement (even reformatted) is accepted, stored once."""
    data = statement(timestamp="2024-01-01T12:00:00Z")
    assert lrs.put(data, data["id"]).status_code == 204
    again = {**data, "id": data["id"].upper(), "timestamp": "2024-01-01T13:00:00+01:00"}
    assert lrs.put(again, data["id"]).status_code == 204
    assert lrs.post([data]).json() == [data["id"]]
    assert Statement.objects.count() == 1


def test_same_id_other_content_is_409(lrs):
    """A different statement under an existing id is a conflict, and nothing is stored."""
    data = statement()
    lrs.post(data)
    other = statement(id=data["id"], verb={"id": "http://example.org/other"})
    assert lrs.put(other, data["id"]).status_code == 409
    assert lrs.post([statement(), other]).status_code == 409
    assert Statement.objects.count() == 1


def test_duplicate_ids_in_a_batch_are_400(lrs):
    data = statement()
    assert lrs.post([data, data]).status_code == 400
    assert not Statement.objects.exists()


def test_stored_statements_are_immutable(lrs):
    """Rows cannot be changed or deleted through the ORM."""
    from learning.xapi.models import ImmutableStatementError

    lrs.post(statement())
    with pytest.raises(ImmutableStatementError):
        Statement.objects.all().delete()


def test_voided_statement_only_reachable_by_voided_statement_id(lrs):
    """Voiding hides a statement from queries and statementId; voidedStatementId finds it."""
    target = statement()
    lrs.post(target)
    voiding = void(target["id"])
    assert lrs.post(voiding).status_code == 200
    assert lrs.get(statementId=target["id"]).status_code == 404
    assert lrs.get(voidedStatementId=target["id"]).json()["id"] == target["id"]
    assert lrs.get(voidedStatementId=voiding["id"]).status_code == 404
    ids = [s["id"] for s in lrs.get().json()["statements"]]
    assert ids == [voiding["id"]]  # the voiding statement itself is a normal one


def test_voiding_a_voiding_statement_is_refused(lrs):
    target = statement()
    voiding = void(target["id"])
    lrs.post([target, voiding])
    response = lrs.post(void(voiding["id"]))
    assert response.status_code == 400 and "voiding" in response.json()["error"]
    a = statement()
    b = void(a["id"])
    assert lrs.post([a, b, void(b["id"])]).status_code == 400


def test_voiding_needs_a_statement_ref(lrs):
    response = lrs.post(statement(verb={"id": VOIDED}))
    assert response.status_code == 400 and "StatementRef" in response.json()["error"]


def test_get_single_statement_headers(lrs):
    """A single GET sets Last-Modified, Consistent-Through and the version header."""
    data = statement()
    lrs.post(data)
    response = lrs.get(statementId=data["id"])
    assert response["Last-Modified"] and response["X-Experience-API-Consistent-Through"]
    assert response["X-Experience-API-Version"] == "1.0.3"
    assert lrs.get(statementId=str(uuid.uuid4())).status_code == 404


def test_statement_id_with_filters_is_400(lrs):
    data = statement()
    lrs.post(data)
    assert lrs.get(statementId=data["id"], verb="http://x.org/v").status_code == 400
    assert lrs.get(statementId=data["id"], format="ids").status_code == 200
    assert lrs.get(unknown="1").status_code == 400


@pytest.fixture
def corpus(lrs):
    """Statements with varied agents, verbs, activities and registrations."""
    registration = str(uuid.uuid4())
    grace = {"mbox": "mailto:grace@example.org"}
    team = {
        "objectType": "Group",
        "account": {"homePage": "http://g.org", "name": "team"},
    }
    items = {
        "ada": statement(),
        "grace": statement(actor=grace, context={"registration": registration}),
        "about_grace": statement(
            object={"objectType": "Agent", **grace},
            verb={"id": "http://x.org/mentored"},
        ),
        "in_context": statement(
            object={"id": "http://example.org/activities/unit-2"},
            context={
                "contextActivities": {
                    "parent": {"id": "http://example.org/activities/unit-1"}
                },
                "instructor": grace,
            },
        ),
        "group": statement(
            actor={**team, "member": [{"mbox": "mailto:linus@example.org"}]}
        ),
        "sub": statement(
            object={
                "objectType": "SubStatement",
                "actor": grace,
                "verb": {"id": "http://x.org/planned"},
                "object": {"id": "http://example.org/activities/unit-3"},
            }
        ),
    }
    for item in items.values():
        assert lrs.post(item).status_code == 200
    items["registration"] = registration
    return items


def ids_of(response):
    assert response.status_code == 200, response.content
    return {s["id"] for s in response.json()["statements"]}


def test_filter_agent_actor_or_object(lrs, corpus):
    grace = {"mbox": "mailto:grace@example.org"}
    assert ids_of(lrs.get(agent=grace)) == {
        corpus["grace"]["id"],
        corpus["about_grace"]["id"],
    }


def test_filter_related_agents(lrs, corpus):
    grace = {"mbox": "mailto:grace@example.org"}
    expected = {corpus[k]["id"] for k in ("grace", "about_grace", "in_context", "sub")}
    assert ids_of(lrs.get(agent=grace, related_agents="true")) == expected


def test_filter_group_and_member(lrs, corpus):
    team = {
        "objectType": "Group",
        "account": {"homePage": "http://g.org", "name": "team"},
    }
    assert ids_of(lrs.get(agent=team)) == {corpus["group"]["id"]}
    assert ids_of(lrs.get(agent={"mbox": "mailto:linus@example.org"})) == {
        corpus["group"]["id"]
    }


def test_filter_verb_activity_registration(lrs, corpus):
    assert ids_of(lrs.get(verb="http://x.org/mentored")) == {
        corpus["about_grace"]["id"]
    }
    unit1 = "http://example.org/activities/unit-1"
    direct = {corpus[k]["id"] for k in ("ada", "grace", "group")}
    assert ids_of(lrs.get(activity=unit1)) == direct
    assert ids_of(lrs.get(activity=unit1, related_activities="true")) == direct | {
        corpus["in_context"]["id"]
    }
    unit3 = "http://example.org/activities/unit-3"
    assert ids_of(lrs.get(activity=unit3)) == set()
    assert ids_of(lrs.get(activity=unit3, related_activities="true")) == {
        corpus["sub"]["id"]
    }
    assert ids_of(lrs.get(registration=corpus["registration"])) == {
        corpus["grace"]["id"]
    }


def test_filter_since_until_and_order(lrs):
    import time

    first = statement()
    lrs.post(first)
    time.sleep(0.01)
    second = statement()
    lrs.post(second)
    stored = lrs.get(statementId=first["id"]).json()["stored"]
    assert ids_of(lrs.get(since=stored)) == {second["id"]}
    assert ids_of(lrs.get(until=stored)) == {first["id"]}
    ordered = [s["id"] for s in lrs.get(ascending="true").json()["statements"]]
    assert ordered == [first["id"], second["id"]]
    assert [s["id"] for s in lrs.get().json()["statements"]] == ordered[::-1]


def test_more_paging_is_stable(lrs):
    """`more` pages through every statement once, ignoring ones stored meanwhile."""
    batch = [statement() for _ in range(7)]
    lrs.post(batch)
    seen, response = [], lrs.get(limit=3, ascending="true")
    pages = 0
    while True:
        body = response.json()
        seen += [s["id"] for s in body["statements"]]
        pages += 1
        if pages == 1:
            lrs.post(statement())  # stored after the query started: not in this walk
        if not body["more"]:
            break
        assert body["more"].startswith("/xapi/statements/more/")
        response = lrs.http.get(body["more"], **lrs.headers)
    # One batch shares its `stored`: the id breaks ties, so the order is stable.
    assert len(seen) == 7 and set(seen) == {s["id"] for s in batch} and pages == 3


def test_more_cursor_is_tamper_proof_and_per_client(lrs, client):
    from tests.xapi.conftest import LRS, make_client

    lrs.post([statement() for _ in range(3)])
    more = lrs.get(limit=1).json()["more"]
    assert lrs.http.get(more + "x", **lrs.headers).status_code == 400
    other = LRS(client, make_client("other"))
    assert other.http.get(more, **other.headers).status_code == 403


def test_format_ids_and_canonical(lrs):
    """ids strips to identifiers; canonical keeps one language and the LRS definition."""
    data = statement()
    lrs.post(data)
    ids = lrs.get(statementId=data["id"], format="ids").json()
    assert ids["verb"] == {"id": data["verb"]["id"]}
    assert ids["object"] == {"objectType": "Activity", "id": data["object"]["id"]}
    assert ids["actor"] == {"objectType": "Agent", "mbox": "mailto:ada@example.org"}
    canonical = lrs.get(
        statementId=data["id"],
        format="canonical",
        headers={"HTTP_ACCEPT_LANGUAGE": "fr"},
    ).json()
    assert canonical["object"]["definition"]["name"] == {"fr": "Unité 1"}
    assert lrs.get(format="bogus").status_code == 400


def test_limit_is_bounded(lrs, settings):
    settings.XAPI_STATEMENTS_MAX_PAGE_SIZE = 2
    lrs.post([statement() for _ in range(3)])
    body = lrs.get(limit=0).json()
    assert len(body["statements"]) == 2 and body["more"]
    assert lrs.get(limit=-1).status_code == 400


def test_read_mine_scope_sees_only_own_statements(client, lrs):
    from learning.xapi.lrs.models import Scope
    from tests.xapi.conftest import LRS, make_client

    mine = LRS(
        client, make_client("h5p", [Scope.STATEMENTS_WRITE, Scope.STATEMENTS_READ_MINE])
    )
    theirs = statement()
    lrs.post(theirs)
    own = statement()
    mine.post(own)
    assert ids_of(mine.get()) == {own["id"]}
    assert mine.get(statementId=theirs["id"]).status_code == 404


def test_learner_journey_statements_are_queryable(lrs, learner, course, lessons):
    """Statements the platform stores itself are served by the API, by actor."""
    from learning.progress import complete_lesson, enrol

    enrollment = enrol(learner, course)
    complete_lesson(enrollment, lessons[0])
    agent = {
        "account": {"homePage": "http://testserver", "name": str(learner.pseudonym)}
    }
    body = lrs.get(agent=agent, registration=str(enrollment.pk)).json()
    assert len(body["statements"]) == 2
    lesson_iri = body["statements"][0]["object"]["id"]
    activity = lrs.get("activities", activityId=lesson_iri).json()
    assert activity["definition"]["name"]["fr"] == lessons[0].title


def test_statements_targeting_a_match_are_returned(lrs):
    """A statement whose object is a StatementRef matches its target's filters (2.1.3)."""
    ben = {"mbox": "mailto:ben@example.org"}
    passed = statement(
        actor=ben,
        verb={"id": "http://adlnet.gov/expapi/verbs/passed"},
        object={"id": "http://example.org/explosives"},
        context={"registration": "6f1c3f0e-6d0b-4f55-9d6f-2a8e0c1b2d3e"},
    )
    confirmed = statement(
        actor={"mbox": "mailto:andrew@example.org"},
        verb={"id": "http://example.org/confirmed"},
        object={"objectType": "StatementRef", "id": passed["id"]},
    )
    lrs.post(passed)
    lrs.post(confirmed)
    both = {passed["id"], confirmed["id"]}
    assert ids_of(lrs.get(agent=ben)) == both
    assert ids_of(lrs.get(activity="http://example.org/explosives")) == both
    assert ids_of(lrs.get(verb="http://adlnet.gov/expapi/verbs/passed")) == both
    assert ids_of(lrs.get(registration="6f1c3f0e-6d0b-4f55-9d6f-2a8e0c1b2d3e")) == both
    assert ids_of(lrs.get(verb="http://example.org/confirmed")) == {confirmed["id"]}
    again = statement(
        verb={"id": "http://example.org/endorsed"},
        object={"objectType": "StatementRef", "id": confirmed["id"]},
    )
    lrs.post(again)  # recursively: again -> confirmed -> passed
    assert ids_of(lrs.get(agent=ben)) == both | {again["id"]}


def test_existing_statements_are_indexed_by_the_migration(learner, course, lessons):
    """Statements stored before the LRS tables existed get their index rows."""
    from django.apps import apps as global_apps
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from learning.progress import enrol
    from learning.xapi.lrs.models import Activity, StatementRelation

    enrol(learner, course)
    StatementRelation.objects.all().delete()
    Activity.objects.all().delete()
    module = __import__(
        "learning.xapi.migrations.0002_index_existing_statements", fromlist=["x"]
    )
    state = MigrationExecutor(connection).loader.project_state(
        ("xapi", "0002_index_existing_statements")
    )
    module.index_existing(state.apps, None)
    then = __import__("learning.xapi.migrations.0003_relation_stored", fromlist=["x"])
    with connection.cursor() as cursor:
        cursor.execute(then.BACKFILL)
    assert StatementRelation.objects.filter(kind=StatementRelation.VERB).count() == 1
    assert not StatementRelation.objects.filter(stored__isnull=True).exists()
    assert Activity.objects.count() == 1
    assert global_apps.get_model("xapi", "Activity") is Activity


def test_timestamp_without_offset_is_utc(lrs):
    """A timestamp with no offset is read as UTC (not the server's time zone)."""
    data = statement(timestamp="2024-06-01T12:00:00")
    lrs.post(data)
    row = Statement.objects.get(id=data["id"])
    assert row.timestamp.isoformat() == "2024-06-01T12:00:00+00:00"
    assert row.data["timestamp"] == "2024-06-01T12:00:00"  # the JSON as issued


def test_resending_a_statement_without_timestamp_is_a_no_op(lrs):
    """The LRS filled in `timestamp`: a resend without one is still the same statement."""
    data = statement()
    assert lrs.post(data).status_code == 200
    assert lrs.post(data).status_code == 200
    assert lrs.put(data, data["id"]).status_code == 204
    assert Statement.objects.count() == 1


def test_query_uses_a_constant_number_of_queries(lrs, django_assert_max_num_queries):
    """A filtered page costs the same few queries however many statements it holds."""
    lrs.post([statement() for _ in range(40)])
    agent = {"mbox": "mailto:ada@example.org"}
    with django_assert_max_num_queries(3):  # client, statements (+ session-less)
        body = lrs.get(agent=agent, verb=statement()["verb"]["id"], limit=30).json()
    assert len(body["statements"]) == 30 and body["more"]


def test_consistent_through_lags_by_the_margin(lrs, settings):
    """Consistent-Through leaves room for transactions still committing."""
    from datetime import UTC, datetime, timedelta

    settings.XAPI_CONSISTENCY_MARGIN = 60
    header = lrs.get()["X-Experience-API-Consistent-Through"]
    through = datetime.fromisoformat(header.replace("Z", "+00:00"))
    assert through < datetime.now(UTC) - timedelta(seconds=59)
