"""SQLite's busy timeout exceeded ("database is locked"): a 503 page saying to try
again in a moment, in the visitor's language, with Retry-After, and nothing
half-written; any other database error stays a 500 (cms/outages.py)."""

import logging

from django.db import OperationalError
from django.db.backends.sqlite3.base import DatabaseWrapper
from django.urls import reverse

import pytest

from learning import progress
from learning.models import Enrollment
from learning.xapi.models import Statement

pytestmark = pytest.mark.django_db


def real_lock_error(tmp_path) -> OperationalError:
    """The error Django raises when another connection holds SQLite's write
    lock past the busy timeout: two connections to one file."""
    settings = {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(tmp_path / "busy.sqlite3"),
        "OPTIONS": {"timeout": 0.05},
        "TIME_ZONE": None,
        "CONN_MAX_AGE": 0,
        "CONN_HEALTH_CHECKS": False,
        "AUTOCOMMIT": True,
        "ATOMIC_REQUESTS": False,
        "USER": "",
        "PASSWORD": "",
        "HOST": "",
        "PORT": "",
        "TEST": {},
    }
    holder, waiter = DatabaseWrapper(settings, "holder"), DatabaseWrapper(settings)
    try:
        with holder.cursor() as cursor:
            cursor.execute("CREATE TABLE t (x integer)")
            cursor.execute("BEGIN IMMEDIATE")  # the other writer, mid-transaction
            cursor.execute("INSERT INTO t VALUES (1)")
        with pytest.raises(OperationalError) as caught, waiter.cursor() as cursor:
            cursor.execute("INSERT INTO t VALUES (2)")
        return caught.value
    finally:
        holder.close()
        waiter.close()


@pytest.fixture
def locked_on_write(monkeypatch, tmp_path):
    """Enrolment's second write (the progress projection, after the statement
    is stored) meets a database locked beyond the busy timeout."""
    error = real_lock_error(tmp_path)
    assert "database is locked" in str(error)

    def locked(data):
        raise error

    monkeypatch.setattr(progress, "apply_statement", locked)
    return error


@pytest.mark.parametrize(
    ("prefix", "text"),
    [
        ("", "Le site est très sollicité en ce moment"),
        ("/en", "The site is very busy at the moment"),
    ],
)
def test_a_locked_database_is_a_503_page_and_nothing_is_written(
    client, learner, course, locked_on_write, caplog, prefix, text
):
    """Starting a course while the database stays locked: 503 in the visitor's
    language, Retry-After, a logged warning; neither the statement nor the
    enrolment is left behind (one transaction)."""
    caplog.set_level(logging.WARNING, logger="cms.outages")
    client.force_login(learner)
    response = client.post(
        f"{prefix}{reverse('learning:start_course', args=[course.pk])}"
    )
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    html = response.content.decode()
    assert text in html and "Traceback" not in html
    assert not Enrollment.objects.exists()
    assert not Statement.objects.exists()
    assert any("database is locked" in r.getMessage() for r in caplog.records)


def test_a_locked_database_then_free_again(client, learner, course, monkeypatch):
    """Once the lock is released, the same click works."""
    original = progress.apply_statement
    monkeypatch.setattr(
        progress,
        "apply_statement",
        lambda data: (_ for _ in ()).throw(OperationalError("database is locked")),
    )
    client.force_login(learner)
    url = reverse("learning:start_course", args=[course.pk])
    assert client.post(url).status_code == 503
    monkeypatch.setattr(progress, "apply_statement", original)
    assert client.post(url).status_code == 302
    assert Enrollment.objects.filter(user=learner).count() == 1


def test_a_locked_database_answers_json_on_the_api(client, monkeypatch):
    """The LRS and the API get a JSON 503, not the HTML page."""
    from learning.compliance import api
    from learning.compliance.models import Requirement

    requirement = Requirement.objects.create(slug="snds", title="SNDS")
    _row, token = api.create_api_token("Portail", [requirement])

    def locked(identifier):
        raise OperationalError("database is locked")

    monkeypatch.setattr(api, "find_person", locked)
    response = client.get(
        "/api/v1/compliance/gates/snds/someone@example.org",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "Réessayez dans un instant" in response.json()["error"]


@pytest.mark.parametrize(
    "message", ["no such table: learning_enrollment", "disk I/O error"]
)
def test_other_database_errors_are_not_disguised(
    client, learner, course, monkeypatch, message
):
    """Only the busy timeout is a 503: other operational errors stay 500s."""

    def broken(data):
        raise OperationalError(message)

    monkeypatch.setattr(progress, "apply_statement", broken)
    client.raise_request_exception = False
    client.force_login(learner)
    response = client.post(reverse("learning:start_course", args=[course.pk]))
    assert response.status_code == 500
    assert "Retry-After" not in response


def test_a_lock_outside_a_view_is_the_same_503(client, course, monkeypatch):
    """Saving the session after the view (SessionMiddleware) meets the lock:
    Django's 500 handler answers the busy page too; other errors there stay 500."""
    from django.contrib.sessions.middleware import SessionMiddleware

    error = OperationalError("database is locked")

    def save_session(self, request, response):
        raise error

    monkeypatch.setattr(SessionMiddleware, "process_response", save_session)
    client.raise_request_exception = False
    response = client.get("/en/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "The site is very busy at the moment" in response.content.decode()
    error = OperationalError("disk I/O error")
    assert client.get("/en/").status_code == 500
