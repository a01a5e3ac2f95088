"""The embedded default when a writer holds SQLite's lock past the busy timeout:
a 503 "try again in a moment" with Retry-After, nothing half-written, and the
same click works once the lock is free (cms/outages.py).

Served for real (a SQLite file, runserver in a child process, a one-second
busy timeout), with a second connection holding the write lock.
"""

import sqlite3
import time

import pytest

from .embedded_site import EmbeddedSite


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    site = EmbeddedSite(tmp_path_factory.mktemp("busy"))
    site.env["SQLITE_BUSY_TIMEOUT"] = "1"
    site.data = site.prepare()
    site.start()
    yield site
    site.stop()


def completions(site) -> int:
    with sqlite3.connect(site.directory / "db.sqlite3") as db:
        return db.execute(
            "SELECT count(*) FROM learning_lessonprogress WHERE completed_at IS NOT NULL"
        ).fetchone()[0]


def daily_job_done(site) -> None:
    """Wait for the day's compliance job, run after the first response (its own
    writes would meet the lock this test holds)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        with sqlite3.connect(site.directory / "db.sqlite3") as db:
            finished = db.execute(
                "SELECT count(*) FROM compliance_reminderrun"
                " WHERE finished_at IS NOT NULL"
            ).fetchone()[0]
        if finished:
            return
        time.sleep(0.5)
    raise AssertionError("the daily compliance job did not finish")


def test_a_lock_held_past_the_busy_timeout_is_a_503_then_works(site):
    """Another connection holds the write lock: the completion answers 503 in
    French with Retry-After and records nothing; released, it goes through."""
    path = f"/learning/lessons/{site.data['last_lesson']}/complete/"
    http = site.session(site.data["finishers"][0])
    daily_job_done(site)
    before = completions(site)
    holder = sqlite3.connect(site.directory / "db.sqlite3", isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")  # the write lock, held
        response = site.post(http, path, {})
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert "réessayez dans un instant" in response.text
    assert completions(site) == before
    assert "Traceback" not in site.log.read_text()
    again = site.post(http, path, {})
    assert again.status_code == 302
    assert completions(site) == before + 1
