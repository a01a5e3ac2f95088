"""A completion whose certificate job was lost is found and issued by the sweep."""

import os

from django.core.management import call_command

import pytest

from learning import progress
from learning.certificates import jobs
from learning.certificates.models import Certificate
from learning.certificates.sweep import pending_issuance, sweep_pending_certificates_job
from tests.certificates.conftest import complete


def _complete_without_job(user, course, capture):
    return complete(user, course, capture, run_job=False)


def test_completion_without_a_job_is_pending(
    learner, validity_course, django_capture_on_commit_callbacks
):
    """The completed enrolment itself is the durable trace: it is pending."""
    enrollment = _complete_without_job(
        learner, validity_course, django_capture_on_commit_callbacks
    )
    assert enrollment.is_completed
    assert list(pending_issuance()) == [enrollment]


def test_sweep_command_issues_once_with_progress(
    learner, validity_course, django_capture_on_commit_callbacks, capsys, mailoutbox
):
    """The command issues the missing certificate with progress output; run
    again, it issues nothing more."""
    enrollment = _complete_without_job(
        learner, validity_course, django_capture_on_commit_callbacks
    )
    call_command("issue_pending_certificates", "--list")
    assert str(enrollment.pk) in capsys.readouterr().out
    call_command("issue_pending_certificates")
    certificate = Certificate.objects.get(enrollment=enrollment)
    output = capsys.readouterr().out
    assert f"[1/1] enrolment {enrollment.pk}: certificate {certificate.code}" in output
    assert "1 certificate(s) issued, 0 failed." in output
    assert certificate.pdf and len(mailoutbox) == 1
    call_command("issue_pending_certificates")
    assert "0 certificate(s) issued" in capsys.readouterr().out
    assert Certificate.objects.filter(enrollment=enrollment).count() == 1
    assert not pending_issuance().exists()


def test_sweep_leaves_a_failure_pending_and_goes_on(
    learner, other_learner, validity_course, django_capture_on_commit_callbacks,
    monkeypatch, capsys,
):  # fmt: skip
    """One failing issuance does not stop the others; the command exits 1 and
    the failed one stays pending for the next sweep."""
    first = _complete_without_job(
        learner, validity_course, django_capture_on_commit_callbacks
    )
    second = _complete_without_job(
        other_learner, validity_course, django_capture_on_commit_callbacks
    )
    real = jobs.issue_certificate_job

    def flaky(enrollment_id):
        if enrollment_id == str(first.pk):
            raise OSError("storage unavailable")
        return real(enrollment_id)

    monkeypatch.setattr("learning.certificates.sweep.issue_certificate_job", flaky)
    with pytest.raises(SystemExit) as exit_info:
        call_command("issue_pending_certificates")
    assert exit_info.value.code == 1
    assert "FAILED" in capsys.readouterr().out
    assert Certificate.objects.filter(enrollment=second).exists()
    assert list(pending_issuance()) == [first]


def test_sweep_job_is_scheduled_by_rq_cron(settings):
    """cms.cron (what `make worker` gives rqcron) schedules the sweep on the
    certificates queue with the configured expression, next to the reminders;
    loaded twice (rqcron reloads it), each job is there once."""
    from fakeredis import FakeStrictRedis
    from rq.cron import CronScheduler

    for _ in range(2):
        scheduler = CronScheduler(connection=FakeStrictRedis())
        scheduler.load_config_from_file("cms.cron")
        jobs_by_name = {job.func.__name__: job for job in scheduler.get_jobs()}
        assert len(scheduler.get_jobs()) == len(jobs_by_name) >= 2
    sweep = jobs_by_name[sweep_pending_certificates_job.__name__]
    assert sweep.queue_name == "certificates"
    assert sweep.cron == settings.CERTIFICATE_SWEEP_CRON
    assert "daily_compliance_job" in jobs_by_name


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs a real Redis")
def test_job_lost_in_a_flushed_queue_is_issued_by_the_sweep_job(
    learner, validity_course, django_capture_on_commit_callbacks, monkeypatch
):
    """Complete with a real Redis queue, flush it (the job is lost), run the
    periodic job: the certificate exists, once."""
    import django_rq
    from rq import Queue

    connection = django_rq.get_connection("certificates")
    queue = Queue("certificates-sweep-test", connection=connection, is_async=True)
    queue.empty()
    monkeypatch.setattr(django_rq, "get_queue", lambda name: queue)
    with django_capture_on_commit_callbacks(execute=True):
        enrollment = progress.enrol(learner, validity_course)
        for lesson in validity_course.lessons():
            progress.complete_lesson(enrollment, lesson)
    assert queue.count == 1
    queue.empty()  # Redis flushed: the job is gone
    assert not Certificate.objects.filter(enrollment=enrollment).exists()
    assert sweep_pending_certificates_job() == {"issued": 1, "failed": 0}
    assert sweep_pending_certificates_job() == {"issued": 0, "failed": 0}
    assert Certificate.objects.filter(enrollment=enrollment).count() == 1
