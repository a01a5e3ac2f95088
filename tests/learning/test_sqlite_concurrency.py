"""The embedded default (a SQLite file, runserver's threads) queues simultaneous writers.

Before WAL, IMMEDIATE transactions and a busy timeout, four simultaneous quiz
submissions gave three 500s ("database is locked") and eight simultaneous
final-lesson completions seven. These tests serve a real SQLite file with
`runserver` in a child process, whatever database the rest of the suite uses.
"""

import sqlite3
import threading

import pytest

from .embedded_site import EmbeddedSite


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    site = EmbeddedSite(tmp_path_factory.mktemp("embedded"))
    site.data = site.prepare()
    site.start()
    yield site
    site.stop()


def simultaneously(calls) -> list:
    """Run the calls in threads released together; their results, in order."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        barrier.wait()
        try:
            results[index] = call()
        except Exception as error:  # noqa: BLE001 - the outcome is what we assert
            results[index] = error

    threads = [
        threading.Thread(target=run, args=(index, call))
        for index, call in enumerate(calls)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    return results


def count(site, sql: str) -> int:
    with sqlite3.connect(site.directory / "db.sqlite3") as db:
        return db.execute(sql).fetchone()[0]


def test_sqlite_runs_in_wal_mode(site):
    """The embedded default's database file is in WAL mode."""
    with sqlite3.connect(site.directory / "db.sqlite3") as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_simultaneous_quiz_submissions_all_recorded(site):
    """Four learners submit at the same instant: four redirects to their review."""
    takers = site.data["takers"][:4]
    responses = simultaneously(
        [
            lambda taker=taker: site.post(
                site.session(taker["session"]), site.data["quiz_url"], taker["form"]
            )
            for taker in takers
        ]
    )
    assert [getattr(r, "status_code", r) for r in responses] == [302] * len(takers)
    assert all("?attempt=" in r.headers["Location"] for r in responses)
    assert count(
        site, "SELECT count(*) FROM learning_quizattempt WHERE status = 'submitted'"
    ) == len(takers)
    assert "Traceback" not in site.log.read_text()


def test_one_attempt_submitted_four_times_at_once_is_scored_once(site):
    """The same attempt posted four times at once: one is scored, three refused (409)."""
    taker = site.data["takers"][4]
    http = site.session(taker["session"])
    responses = simultaneously(
        [lambda: site.post(http, site.data["quiz_url"], taker["form"])] * 4
    )
    assert sorted(getattr(r, "status_code", r) for r in responses) == [302] + [409] * 3
    assert "Traceback" not in site.log.read_text()


def test_simultaneous_final_lesson_completions_all_recorded(site):
    """Eight learners finish the course at the same instant: eight completions and
    certificates (their PDFs rendered one at a time: WeasyPrint is not thread-safe)."""
    path = f"/learning/lessons/{site.data['last_lesson']}/complete/"
    finishers = site.data["finishers"]
    responses = simultaneously(
        [lambda key=key: site.post(site.session(key), path, {}) for key in finishers]
    )
    assert [getattr(r, "status_code", r) for r in responses] == [302] * len(finishers)
    assert count(
        site, "SELECT count(*) FROM learning_enrollment WHERE completed_at IS NOT NULL"
    ) == len(finishers)
    # Their certificates too (jobs run in the request in the embedded default).
    assert count(site, "SELECT count(*) FROM certificates_certificate") == len(
        finishers
    )
    assert "Traceback" not in site.log.read_text()
