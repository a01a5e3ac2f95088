"""The quiz pages: no answer leaks before submission, clear 4xx on bad input."""

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from learning.models import QuizAttempt
from learning.quiz import attempts
from learning.xapi.models import Statement
from tests.factories import UserFactory

from .conftest import perfect_answers

pytestmark = pytest.mark.django_db


def start(client, quiz):
    return client.post(quiz.url, {"action": "start"})


def open_attempt(learner):
    return QuizAttempt.objects.get(enrollment__user=learner, status="open")


def form_fields(attempt, answers: dict) -> dict:
    """The form fields that post `answers` (raw answers by question key)."""
    data = {}
    for key, value in answers.items():
        question = next(q for q in attempt.questions if q["key"] == key)
        if question["type"] == "ordering":
            data.update(
                {f"{key}-{item}": position for position, item in enumerate(value, 1)}
            )
        elif question["type"] == "matching":
            data.update({f"{key}-{left}": right for left, right in value.items()})
        else:
            data[key] = value
    return data


def test_start_enrols_and_shows_the_attempt(client, learner, quiz):
    """Starting the quiz enrols the learner if needed and shows the questions."""
    client.force_login(learner)
    assert start(client, quiz).status_code == 302
    html = client.get(quiz.url).content.decode()
    assert "Que contient le SNDS" in html and 'name="attempt"' in html


def test_attempt_page_never_leaks_answers(client, learner, quiz):
    """The attempt page holds no correctness flag, feedback or accepted answer."""
    client.force_login(learner)
    start(client, quiz)
    html = client.get(quiz.url).content.decode()
    for secret in ("Explication", "Oui.", "Non, pseudonymisées", "pseudonymization", "correct",
                   "12.5", "11.5", "hospitalisations\" selected", "tolerance"):  # fmt: skip
        assert secret not in html, secret
    attempt = open_attempt(learner)
    ordering = next(q for q in attempt.questions if q["type"] == "ordering")
    shown = re.findall(rf'name="{ordering["key"]}-([^"]+)"', html)
    assert (
        shown == ordering["display_order"] != [item["id"] for item in ordering["items"]]
    )


def test_submit_shows_review_with_corrections(client, learner, quiz):
    """After submission the review shows the score and, per the setting, corrections."""
    client.force_login(learner)
    start(client, quiz)
    attempt = open_attempt(learner)
    data = {"action": "submit", "attempt": attempt.pk}
    data.update(form_fields(attempt, perfect_answers(attempt)))
    response = client.post(quiz.url, data, follow=True)
    html = response.content.decode()
    assert "100 %" in html and "Réussi" in html
    assert "Explication single_choice" in html


def test_feedback_never_hides_corrections(client, learner, quiz):
    """With feedback set to never, the review shows the score but no correction."""
    quiz.feedback_mode = "never"
    quiz.save_revision().publish()
    client.force_login(learner)
    start(client, quiz)
    attempt = open_attempt(learner)
    response = client.post(
        quiz.url, {"action": "submit", "attempt": attempt.pk}, follow=True
    )
    assert "Explication" not in response.content.decode()


@pytest.mark.parametrize(
    "fields",
    [
        {"single_choice": "not-a-choice"},
        {"q99": "x"},
        {"ordering-anything": "1"},
        {"action": "explode"},
    ],
)
def test_bad_answers_are_400_and_record_nothing(client, learner, quiz, fields):
    """Odd answers get a clear 400 (or 409) message, never a 500, and nothing is stored."""
    client.force_login(learner)
    start(client, quiz)
    attempt = open_attempt(learner)
    count = Statement.objects.count()
    keys = {q["type"]: q["key"] for q in attempt.questions}
    data = {"action": "submit", "attempt": attempt.pk}
    for name, value in fields.items():
        kind, _, suffix = name.partition("-")
        data[keys.get(kind, kind) + (f"-{suffix}" if suffix else "")] = value
    response = client.post(quiz.url, data)
    assert response.status_code == 400
    assert "message--error" in response.content.decode()
    assert Statement.objects.count() == count
    attempt.refresh_from_db()
    assert attempt.is_open


@pytest.mark.parametrize(
    ("typed", "score", "problem"),
    [("12 mois", 1, False), ("12mois", 1, False), ("douze", 0, True)],
)
def test_numeric_answer_with_unit_or_text(client, learner, quiz, typed, score, problem):
    """A number with the question's unit is read; text scores 0 with a message for
    that question only: the rest of the submission is recorded, the review shows
    what the learner typed."""
    client.force_login(learner)
    start(client, quiz)
    attempt = open_attempt(learner)
    answers = perfect_answers(attempt)
    key = next(q["key"] for q in attempt.questions if q["type"] == "numeric")
    answers[key] = typed
    data = {"action": "submit", "attempt": attempt.pk, **form_fields(attempt, answers)}
    response = client.post(quiz.url, data, follow=True)
    assert response.status_code == 200
    attempt.refresh_from_db()
    assert not attempt.is_open
    assert attempt.question_scores[key] == score
    assert attempt.answers[key] == typed
    html = response.content.decode()
    assert typed in html
    assert ("n’a pas pu être lu comme un nombre" in html) is problem


def test_save_warns_about_an_unreadable_number(client, learner, quiz):
    """Saving keeps a non-number and says, for that question, that it will score 0."""
    client.force_login(learner)
    start(client, quiz)
    attempt = open_attempt(learner)
    key = next(q["key"] for q in attempt.questions if q["type"] == "numeric")
    response = client.post(
        quiz.url, {"action": "save", "attempt": attempt.pk, key: "12 km"}, follow=True
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "« 12 km » n’a pas pu être lu comme un nombre" in html
    assert 'aria-invalid="true"' in html
    attempt.refresh_from_db()
    assert attempt.answers[key] == "12 km"


def test_forged_attempt_of_another_learner_is_404(client, learner, quiz, course):
    """A learner cannot submit or review another learner's attempt."""
    from learning import progress

    other = UserFactory(username="intrus")
    theirs = attempts.start_attempt(progress.enrol(other, course), quiz)
    client.force_login(learner)
    start(client, quiz)
    response = client.post(quiz.url, {"action": "submit", "attempt": theirs.pk})
    assert response.status_code == 404
    assert client.get(f"{quiz.url}?attempt={theirs.pk}").status_code == 404
    assert client.get(f"{quiz.url}?attempt=not-a-uuid").status_code == 404
    theirs.refresh_from_db()
    assert theirs.is_open


def test_no_attempt_left_is_409(client, learner, quiz):
    """Starting beyond the maximum number of attempts is refused with a message."""
    client.force_login(learner)
    for _ in range(3):
        start(client, quiz)
        client.post(quiz.url, {"action": "submit", "attempt": open_attempt(learner).pk})
    response = start(client, quiz)
    assert response.status_code == 409
    assert "toutes vos tentatives" in response.content.decode()


def test_anonymous_is_sent_to_log_in(client, quiz):
    """Anonymous visitors see the quiz rules and a log-in link; posting redirects."""
    assert "Se connecter pour passer le quiz" in client.get(quiz.url).content.decode()
    assert client.post(quiz.url, {"action": "start"}).status_code == 302


form_values = st.one_of(
    st.text(max_size=30), st.integers().map(str), st.sampled_from(["", "true", "1"])
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    fields=st.dictionaries(
        st.sampled_from(
            ["q1", "q2", "q3", "q4", "q5", "q6", "q7", "q6-x", "qq", "attempt"]
        ),
        form_values,
        max_size=6,
    )
)
def test_submit_view_fuzzing_never_500(client, learner, quiz, fields):
    """Random form payloads to the submit view: never a 500, scores within [0, 1]."""
    client.force_login(learner)
    start(client, quiz)
    attempt = QuizAttempt.objects.filter(
        enrollment__user=learner, status="open"
    ).first()
    if attempt is None:
        return
    data = {"action": "submit", "attempt": str(attempt.pk), **fields}
    response = client.post(quiz.url, data)
    assert response.status_code < 500
    for done in QuizAttempt.objects.filter(status="submitted"):
        assert 0 <= done.score <= 1
