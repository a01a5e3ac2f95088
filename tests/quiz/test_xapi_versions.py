"""The platform's own statements (enrolment, lessons, quiz answers with their
cmi.interaction definitions, pass, course completion) are valid xAPI 1.0.3 and
xAPI 2.0 statements, and the LRS answers them unchanged to readers of either."""

import pytest

from learning import progress
from learning.quiz import attempts
from learning.xapi.lrs.validation import validate_statement
from learning.xapi.models import Statement
from tests.xapi.conftest import LRS, make_client

from .conftest import perfect_answers

pytestmark = pytest.mark.django_db


@pytest.fixture
def platform_statements(enrollment, course, quiz, rng):
    for lesson in course.lessons():
        progress.open_lesson(enrollment, lesson)
        progress.complete_lesson(enrollment, lesson)
    attempt = attempts.start_attempt(enrollment, quiz, rng=rng)
    attempts.submit_attempt(attempt, perfect_answers(attempt))
    rows = list(Statement.objects.order_by("stored", "id"))
    verbs = {row.verb.rsplit("/", 1)[-1] for row in rows}
    assert {"registered", "launched", "completed", "answered", "passed"} <= verbs
    return rows


@pytest.mark.parametrize("v2", [False, True], ids=["1.0.3", "2.0"])
def test_platform_statements_are_valid_in_both_versions(platform_statements, v2):
    for row in platform_statements:
        validate_statement(row.data, v2=v2)


def test_platform_statements_read_unchanged_in_both_versions(
    client, platform_statements
):
    lrs = LRS(client, make_client())
    for version in ("1.0.3", "2.0.0"):
        headers = {"HTTP_X_EXPERIENCE_API_VERSION": version}
        for row in platform_statements:
            response = lrs.get(statementId=str(row.id), headers=headers)
            assert response.status_code == 200
            assert response.json() == row.data
            assert response["X-Experience-API-Version"] == version
