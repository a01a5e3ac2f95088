"""Issuance: one certificate per completion, with its "earned" statement."""

import threading
from datetime import date

from django.db import connection
from django.utils import timezone

import pytest

from learning import progress
from learning.certificates.exceptions import CourseNotCompleted
from learning.certificates.issuance import (
    institution_settings,
    issue_certificate,
    signature_is_valid,
)
from learning.certificates.jobs import issue_certificate_job
from learning.certificates.models import CODE_ALPHABET, CODE_LENGTH, Certificate
from learning.xapi.models import Statement
from learning.xapi.statements import activity_iri


def test_issuance_on_completion_creates_a_signed_certificate(completed, learner):
    """Completing the course issues one certificate with the snapshot fields."""
    certificate = Certificate.objects.get(enrollment=completed)
    assert len(certificate.code) == CODE_LENGTH
    assert set(certificate.code) <= set(CODE_ALPHABET)
    assert certificate.learner_name == learner.get_full_name()
    assert certificate.course_title == "Accès au SNDS"
    assert certificate.course_version == "2.1"
    assert certificate.completed_at == completed.completed_at
    assert certificate.institution_name == "CNRS"
    assert certificate.score is None  # no quiz in this course
    today = timezone.localdate(completed.completed_at)  # the institution's day
    assert certificate.valid_until == date(today.year + 1, today.month, today.day)
    assert signature_is_valid(certificate)
    assert certificate.pdf.name.endswith(".pdf")


def test_issuance_records_earned_statement(certificate, completed):
    """The "earned" statement has the certificate as object, same registration."""
    rows = [
        s for s in Statement.objects.all()
        if s.data["verb"]["id"] == "http://id.tincanapi.com/verb/earned"
    ]  # fmt: skip
    assert len(rows) == 1
    data = rows[0].data
    assert data["object"]["id"] == certificate.verification_url
    assert data["object"]["id"].startswith("http://testserver/")
    assert data["context"]["registration"] == str(completed.pk)
    assert data["context"]["contextActivities"]["parent"][0]["id"] == activity_iri(
        "course", completed.course
    )


def test_issuance_twice_returns_the_same_certificate(completed):
    """Issuing again for the same completion (a retried job) changes nothing."""
    first = Certificate.objects.get(enrollment=completed)
    again = issue_certificate(completed)
    assert again.pk == first.pk
    assert Certificate.objects.count() == 1
    earned = [
        s for s in Statement.objects.all()
        if s.data["verb"]["id"].endswith("/earned")
    ]  # fmt: skip
    assert len(earned) == 1


def test_issuance_refuses_an_unfinished_course(learner, validity_course):
    """No certificate for a course in progress."""
    enrollment = progress.enrol(learner, validity_course)
    with pytest.raises(CourseNotCompleted):
        issue_certificate(enrollment)
    assert not Certificate.objects.exists()


def test_issuance_sends_one_email_in_preferred_language(
    learner, validity_course, django_capture_on_commit_callbacks, mailoutbox
):
    """The learner gets one e-mail, in English if they prefer English, with the PDF."""
    from tests.certificates.conftest import complete

    learner.preferred_language = "en"
    learner.save()
    enrollment = complete(learner, validity_course, django_capture_on_commit_callbacks)
    certificate = Certificate.objects.get(enrollment=enrollment)
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.subject == "Your certificate for “Accès au SNDS”"
    assert certificate.verification_url in message.body
    assert certificate.display_code in message.body
    assert message.attachments[0][0] == f"certificate-{certificate.code}.pdf"
    from learning.certificates.jobs import issue_certificate_job

    issue_certificate_job(enrollment.pk)  # a retry: no second e-mail
    assert len(mailoutbox) == 1


def test_issuance_email_in_french_by_default(completed, mailoutbox):
    """Without an English preference the e-mail is in French."""
    assert len(mailoutbox) == 1
    assert mailoutbox[0].subject.startswith("Votre certificat")


def test_issuance_failure_leaves_nothing_half_issued(
    learner, validity_course, monkeypatch
):
    """If storing the statement fails, no certificate row remains."""
    from learning.certificates import issuance

    enrollment = progress.enrol(learner, validity_course)
    for lesson in validity_course.lessons():
        progress.complete_lesson(enrollment, lesson)

    def boom(data):
        raise RuntimeError("LRS down")

    monkeypatch.setattr(issuance, "store_statement", boom)
    with pytest.raises(RuntimeError):
        issue_certificate(enrollment)
    assert not Certificate.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_issuance_concurrent_jobs_issue_once(learner, course):
    """Two jobs racing for the same completion produce one certificate."""
    course.certificate_validity_months = 12
    course.save()
    enrollment = progress.enrol(learner, course)
    for lesson in course.lessons():
        progress.complete_lesson(enrollment, lesson)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            barrier.wait()
            results.append(issue_certificate(enrollment).pk)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers: the race needs PostgreSQL")
    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(set(results)) == 1
    assert Certificate.objects.count() == 1


def test_issuance_job_queries_bounded(
    learner, validity_course, django_assert_max_num_queries
):
    """The issuance job (certificate, statement, PDF, e-mail) in a bounded number
    of queries: the enrolment is read once, the institution once."""
    enrollment = progress.enrol(learner, validity_course)
    for lesson in validity_course.lessons():
        progress.complete_lesson(enrollment, lesson)  # job left to on_commit
    assert not Certificate.objects.filter(enrollment=enrollment).exists()
    institution_settings()  # created on first use; a running site has them
    with django_assert_max_num_queries(18):
        issue_certificate_job(str(enrollment.pk))
    assert Certificate.objects.get(enrollment=enrollment).pdf
