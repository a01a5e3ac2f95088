"""The issuance job through a real RQ worker against real Redis (CI: REDIS_URL)."""

import os

import pytest

from learning import progress
from learning.certificates import jobs
from learning.certificates.models import Certificate

pytestmark = pytest.mark.skipif(
    not os.environ.get("REDIS_URL"), reason="needs a real Redis (REDIS_URL)"
)


@pytest.fixture
def queue():
    import django_rq
    from rq import Queue

    connection = django_rq.get_connection("certificates")
    queue = Queue("certificates-test", connection=connection, is_async=True)
    queue.empty()
    yield queue
    queue.empty()


def _work(queue):
    from rq import SimpleWorker

    SimpleWorker([queue], connection=queue.connection).work(burst=True)


@pytest.fixture
def finished(learner, validity_course):
    enrollment = progress.enrol(learner, validity_course)
    for lesson in validity_course.lessons():
        progress.complete_lesson(enrollment, lesson)
    return enrollment


def test_job_worker_issues_once_for_duplicate_jobs(queue, finished, mailoutbox):
    """Two queued jobs for the same completion: one certificate, one e-mail."""
    first = queue.enqueue(jobs.issue_certificate_job, str(finished.pk))
    second = queue.enqueue(jobs.issue_certificate_job, str(finished.pk))
    _work(queue)
    assert first.get_status() == "finished" and second.get_status() == "finished"
    assert first.return_value() == second.return_value()
    assert Certificate.objects.filter(enrollment=finished).count() == 1
    assert len(mailoutbox) == 1


def test_job_worker_retries_after_a_failure(queue, finished, monkeypatch, mailoutbox):
    """A failing job is retried (rq Retry) and the retry completes the issuance."""
    from rq import Retry

    from learning.certificates import pdf

    real = pdf.ensure_pdf
    calls = []

    def flaky(certificate, **kwargs):
        calls.append(certificate.pk)
        if len(calls) == 1:
            raise OSError("storage unavailable")
        return real(certificate, **kwargs)

    monkeypatch.setattr(pdf, "ensure_pdf", flaky)
    job = queue.enqueue(
        jobs.issue_certificate_job, str(finished.pk), retry=Retry(max=2)
    )
    _work(queue)
    assert job.get_status() == "finished"
    assert len(calls) == 2
    certificate = Certificate.objects.get(enrollment=finished)
    assert certificate.pdf
    assert len(mailoutbox) == 1


def test_job_schedule_uses_the_certificates_queue(
    finished, django_capture_on_commit_callbacks
):
    """schedule_issuance enqueues on "certificates" (synchronous in tests)."""
    with django_capture_on_commit_callbacks(execute=True):  # django-rq waits for it
        jobs.schedule_issuance(finished.pk)
    assert Certificate.objects.filter(enrollment=finished).count() == 1


# The worker class of settings.RQ: issuance in the worker's process, the rest forked.
# Transactional: the worker closes database connections between jobs, as Django
# does between requests, which a test wrapped in a transaction cannot survive.


def _atelier_worker(queue):
    from learning.certificates.worker import Worker

    return Worker([queue], connection=queue.connection)


@pytest.mark.django_db(transaction=True)
def test_worker_issues_in_its_own_process(queue, finished, monkeypatch, mailoutbox):
    """No work horse is forked for the issuance job."""

    def no_fork():
        raise AssertionError("the issuance job was forked")

    worker = _atelier_worker(queue)
    monkeypatch.setattr(os, "fork", no_fork)
    job = queue.enqueue(jobs.issue_certificate_job, str(finished.pk))
    again = queue.enqueue(jobs.issue_certificate_job, str(finished.pk))
    worker.work(burst=True)
    assert job.get_status() == "finished" and again.get_status() == "finished"
    assert job.return_value() == again.return_value()
    assert Certificate.objects.filter(enrollment=finished).count() == 1
    assert len(mailoutbox) == 1


@pytest.mark.django_db(transaction=True)
def test_worker_in_process_failure_is_retried(queue, finished, monkeypatch, mailoutbox):
    """A job failing in the worker's process is retried like a forked one, and the
    worker goes on with a usable database connection."""
    from rq import Retry

    from learning.certificates import pdf

    real = pdf.ensure_pdf
    calls = []

    def flaky(certificate, **kwargs):
        calls.append(certificate.pk)
        if len(calls) == 1:
            raise OSError("storage unavailable")
        return real(certificate, **kwargs)

    worker = _atelier_worker(queue)
    monkeypatch.setattr(pdf, "ensure_pdf", flaky)
    job = queue.enqueue(
        jobs.issue_certificate_job, str(finished.pk), retry=Retry(max=2)
    )
    worker.work(burst=True)
    assert job.get_status() == "finished"
    assert len(calls) == 2
    assert Certificate.objects.get(enrollment=finished).pdf
    assert len(mailoutbox) == 1


@pytest.mark.django_db(transaction=True)
def test_worker_forks_other_jobs_and_grown_issuance(queue, finished):
    """Other jobs get a work horse; so does issuance once the worker's memory grew."""
    worker = _atelier_worker(queue)
    other = queue.enqueue(os.getpid)
    worker.work(burst=True)
    assert other.get_status() == "finished"
    assert other.return_value() != os.getpid()

    worker._rss_limit = 0  # as if it had grown past its limit
    job = queue.enqueue(jobs.issue_certificate_job, str(finished.pk))
    worker.work(burst=True)
    assert job.get_status() == "finished"
    assert worker._fork_all
