"""The SCORM run-time endpoints refuse bad input with a 4xx and a message,
never a 500, and write nothing then; only the session's runtime token opens them."""

import json

from django.test import Client

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from learning.launches.models import LaunchSession
from learning.scorm.models import ScormAttempt
from learning.xapi.models import Statement

from .conftest import CONTENT, launch

pytestmark = pytest.mark.django_db


@pytest.fixture
def player(lesson2004, enrollment):
    player = launch(enrollment, lesson2004, 1)
    player.initialize()
    return player


def snapshot():
    attempt = ScormAttempt.objects.get()
    return (Statement.objects.count(), attempt.completion_status, attempt.suspend_data)


@pytest.mark.parametrize(
    "cmi, element",
    [
        ({"completion_status": "done"}, "cmi.completion_status"),
        ({"success_status": ["passed"]}, "cmi.success_status"),
        ({"score": {"scaled": "2"}}, "cmi.score.scaled"),
        ({"score": {"scaled": "NaN"}}, "cmi.score.scaled"),
        ({"score": {"raw": "1e400"}}, "cmi.score.raw"),
        ({"progress_measure": "-0.1"}, "cmi.progress_measure"),
        ({"location": "x" * 1001}, "cmi.location"),
        ({"suspend_data": "x" * 64001}, "cmi.suspend_data"),
        ({"suspend_data": "a\x00b"}, "cmi.suspend_data"),
        ({"exit": "crash"}, "cmi.exit"),
        ({"session_time": "an hour"}, "cmi.session_time"),
        ({"session_time": "PT99999999H"}, "cmi.session_time"),
        ({"interactions": {"zero": {}}}, "cmi.interactions.zero"),
        ({"interactions": {"0": "answer"}}, "cmi.interactions.0"),
        (
            {"interactions": {"0": {"id": "q", "type": "essay"}}},
            "cmi.interactions.0.type",
        ),
        (
            {"interactions": {str(n): {"id": "q"} for n in range(251)}},
            "cmi.interactions",
        ),
        (
            {"objectives": {"0": {"id": "o", "success_status": "maybe"}}},
            "cmi.objectives.0",
        ),
    ],
)
def test_runtime_commit_refuses_invalid_cmi(player, cmi, element):
    """Each invalid element is named in a 400; nothing is written."""
    before = snapshot()
    response = player.commit(cmi, expect=400)
    assert response.json()["error"].startswith(element)
    assert response.json()["result"] == "false"
    assert snapshot() == before


@pytest.mark.parametrize(
    "raw, message",
    [
        ("not json", "not valid JSON"),
        ('{"cmi": {"score": {"raw": NaN}}, "sequence": 1}', "not valid JSON"),
        ("[" * 100_000, "not valid JSON"),
        ("[]", "a JSON object"),
        ('{"cmi": {}}', "sequence"),
        ('{"cmi": {}, "sequence": "1"}', "sequence"),
        ('{"cmi": {}, "sequence": true}', "sequence"),
        ('{"cmi": {}, "sequence": 1, "terminate": "yes"}', "terminate"),
        ('{"cmi": [], "sequence": 1}', "cmi: a commit is a JSON object"),
        ('{"sequence": 1}', "cmi: a commit is a JSON object"),
    ],
)
def test_runtime_commit_refuses_malformed_bodies(player, raw, message):
    before = snapshot()
    response = player.post("commit", raw=raw)
    assert response.status_code == 400
    assert message in response.json()["error"]
    assert snapshot() == before


def test_runtime_commit_too_large(player, settings):
    settings.SCORM_MAX_COMMIT_BYTES = 1000
    response = player.post(
        "commit", {"cmi": {"suspend_data": "x" * 2000}, "sequence": 1}
    )
    assert response.status_code == 413


def test_runtime_commit_sequence_stale_and_retried(player):
    """A retried commit (same number) is answered and ignored; an older one is refused."""
    player.commit({"location": "2"})
    player.commit({"location": "3"})
    retried = player.post("commit", {"cmi": {"location": "9"}, "sequence": 2})
    assert retried.status_code == 200
    stale = player.post("commit", {"cmi": {"location": "9"}, "sequence": 1})
    assert stale.status_code == 409
    assert ScormAttempt.objects.get().location == "3"


def test_runtime_after_terminate_the_session_is_closed(player):
    player.commit({"exit": "suspend"}, terminate=True)
    response = player.commit({"location": "4"}, expect=409)
    assert "(Terminate)" in response.json()["error"]
    assert player.post("initialize").status_code == 409


def test_runtime_requires_the_session_token(player, lesson2004, enrollment):
    """No token, another session's token, a wrong scheme: 403; an unknown key: 404."""
    other = launch(enrollment, lesson2004, 0)
    for token in ("", "not-the-token", other.token):
        response = player.post("data", token=token or " ")
        assert response.status_code == 403, token
    response = Client().post(
        f"/packages/scorm/{player.session.content_key}/data",
        HTTP_HOST=CONTENT,
        HTTP_AUTHORIZATION=f"Basic {player.token}",
    )
    assert response.status_code == 403
    response = Client().post(
        "/packages/scorm/unknown-key/data",
        HTTP_HOST=CONTENT,
        HTTP_AUTHORIZATION="Bearer x",
    )
    assert response.status_code == 404


def test_runtime_refuses_other_origins(player):
    """A page of another origin (even the site) cannot post to the run-time."""
    response = player.post("data", HTTP_ORIGIN="http://testserver")
    assert response.status_code == 403


def test_runtime_endpoints_exist_only_on_the_content_origin(player):
    """On the site's host, the SCORM routes do not exist."""
    response = Client().post(
        f"/packages/scorm/{player.session.content_key}/data",
        HTTP_AUTHORIZATION=f"Bearer {player.token}",
        follow=True,
    )
    assert response.status_code == 404


def test_runtime_endpoints_refuse_get_and_expired_sessions(player):
    response = Client().get(
        f"/packages/scorm/{player.session.content_key}/commit", HTTP_HOST=CONTENT
    )
    assert response.status_code == 405
    LaunchSession.objects.filter(pk=player.session.pk).update(
        expires_at=player.session.created_at
    )
    assert player.post("data").status_code == 404


def test_runtime_wrapper_page_and_files(player):
    """The wrapper holds no learner data; unknown runtime files are 404."""
    client = Client()
    page = client.get(
        f"/packages/scorm/{player.session.content_key}/player", HTTP_HOST=CONTENT
    )
    assert page.status_code == 200
    assert str(player.session.enrollment.user.pseudonym) not in page.content.decode()
    assert page["Content-Security-Policy"].startswith("sandbox")
    traversal = client.get(
        "/packages/scorm/runtime/..%2Fsettings.py", HTTP_HOST=CONTENT
    )
    assert traversal.status_code != 200
    assert (
        client.get("/packages/scorm/runtime/evil.js", HTTP_HOST=CONTENT).status_code
        == 404
    )
    script = client.get("/packages/scorm/runtime/player.js", HTTP_HOST=CONTENT)
    assert script.status_code == 200
    assert script["Content-Type"] == "text/javascript"


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    cmi=st.recursive(
        st.none()
        | st.booleans()
        | st.integers()
        | st.floats(allow_nan=False)
        | st.text(),
        lambda children: (
            st.lists(children, max_size=4)
            | st.dictionaries(
                st.sampled_from(
                    [
                        "completion_status",
                        "score",
                        "scaled",
                        "raw",
                        "interactions",
                        "0",
                        "id",
                        "type",
                        "result",
                        "location",
                        "exit",
                        "session_time",
                        "objectives",
                        "learner_response",
                        "correct_responses",
                        "pattern",
                    ]
                ),
                children,
                max_size=5,
            )
        ),
        max_leaves=20,
    )
)
def test_runtime_commit_fuzzed_never_500(player, cmi):
    """Whatever the commit holds, the answer is 200 or 4xx."""
    player.sequence += 1
    response = player.post(
        "commit", raw=json.dumps({"cmi": cmi, "sequence": player.sequence})
    )
    assert response.status_code in (200, 400), response.content
