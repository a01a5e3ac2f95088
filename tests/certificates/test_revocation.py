"""Revocation by managers, supersession on recertification, permissions."""

import pytest

from learning import progress
from learning.certificates.exceptions import (
    AlreadyRevoked,
    NoCertificateToRenew,
    RevocationReasonMissing,
)
from learning.certificates.issuance import recertify, revoke_certificate
from learning.certificates.models import Certificate
from learning.certificates.verification import verify_certificate
from learning.models import EnrollmentStatus
from learning.xapi.models import Statement


def test_revoke_records_reason_who_and_when(certificate, manager):
    """Revocation keeps the reason, the manager and the date."""
    revoke_certificate(certificate, by=manager, reason="Identité usurpée")
    certificate.refresh_from_db()
    assert certificate.revoked_by == manager
    assert certificate.revocation_reason == "Identité usurpée"
    assert certificate.revoked_at is not None
    assert verify_certificate(certificate).status == "revoked"


def test_revoke_needs_a_reason_and_happens_once(certificate, manager):
    with pytest.raises(RevocationReasonMissing):
        revoke_certificate(certificate, by=manager, reason="  ")
    revoke_certificate(certificate, by=manager, reason="Erreur")
    with pytest.raises(AlreadyRevoked):
        revoke_certificate(certificate, by=manager, reason="Encore")


def test_revoke_view_manager_can(client, certificate, manager):
    """A manager revokes through the form; the verification page shows it."""
    client.force_login(manager)
    url = f"/certificates/{certificate.uuid}/revoke/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"reason": "Fraude constatée"})
    assert response.status_code == 302
    assert response["Location"] == f"/certificates/verify/{certificate.code}/"
    certificate.refresh_from_db()
    assert certificate.is_revoked and certificate.revoked_by == manager


def test_revoke_view_learner_cannot(client, certificate, learner):
    """The owner (or any learner) cannot revoke: 403, nothing changes."""
    client.force_login(learner)
    url = f"/certificates/{certificate.uuid}/revoke/"
    assert client.get(url).status_code == 403
    assert client.post(url, {"reason": "Je veux"}).status_code == 403
    certificate.refresh_from_db()
    assert not certificate.is_revoked


def test_revoke_view_anonymous_must_log_in(client, certificate):
    response = client.post(f"/certificates/{certificate.uuid}/revoke/", {"reason": "x"})
    assert response.status_code == 302
    certificate.refresh_from_db()
    assert not certificate.is_revoked


def test_manage_list_is_for_managers(client, certificate, manager, learner):
    """The managers' list finds certificates by code; learners get 403."""
    client.force_login(learner)
    assert client.get("/certificates/manage/").status_code == 403
    client.force_login(manager)
    response = client.get("/certificates/manage/", {"q": certificate.display_code})
    assert response.status_code == 200
    assert certificate.display_code in response.content.decode()


def test_recertify_issues_a_new_certificate_and_supersedes_the_old(
    completed, certificate, django_capture_on_commit_callbacks
):
    """Reopening and completing again issues a new certificate; the old one is superseded."""
    enrollment = recertify(completed)
    assert enrollment.status == EnrollmentStatus.ACTIVE
    assert enrollment.completed_at is None
    with django_capture_on_commit_callbacks(execute=True):
        progress.complete_course(enrollment)
    certificates = Certificate.objects.filter(enrollment=completed).order_by("pk")
    assert certificates.count() == 2
    old, new = certificates
    assert old.superseded_by == new
    assert new.code != old.code and new.superseded_by is None
    assert verify_certificate(old).status == "superseded"
    assert verify_certificate(new).status == "valid"
    verbs = [s.data["verb"]["id"].rsplit("/", 1)[-1] for s in Statement.objects.all()]
    assert verbs.count("earned") == 2 and verbs.count("initialized") == 1


def test_recertify_by_passing_the_quiz_again(
    learner, validity_course, django_capture_on_commit_callbacks
):
    """With a required quiz, passing it again after reopening re-certifies."""
    from learning.quiz import attempts
    from tests.quiz.conftest import add_quiz, perfect_answers

    quiz = add_quiz(validity_course)
    with django_capture_on_commit_callbacks(execute=True):
        enrollment = progress.enrol(learner, validity_course)
        for lesson in validity_course.lessons():
            progress.complete_lesson(enrollment, lesson)
        attempt = attempts.start_attempt(enrollment, quiz)
        attempts.submit_attempt(attempt, perfect_answers(attempt))
    first = Certificate.objects.get(enrollment=enrollment)
    assert first.score == 1.0
    recertify(enrollment)
    with django_capture_on_commit_callbacks(execute=True):
        attempt = attempts.start_attempt(enrollment, quiz)
        attempts.submit_attempt(attempt, perfect_answers(attempt))
    first.refresh_from_db()
    assert first.superseded_by is not None
    assert Certificate.objects.filter(enrollment=enrollment).current().count() == 1


def test_recertify_needs_a_current_certificate(learner, validity_course):
    """Nothing to renew before completion."""
    enrollment = progress.enrol(learner, validity_course)
    with pytest.raises(NoCertificateToRenew):
        recertify(enrollment)


def test_my_learning_lists_certificates_with_links(client, certificate, learner):
    """ "My learning" shows the certificate with its PDF, verification and badge links."""
    client.force_login(learner)
    html = client.get("/learning/").content.decode()
    assert "Mes certificats" in html
    assert f"/certificates/{certificate.uuid}/pdf/" in html
    assert f"/certificates/verify/{certificate.code}/" in html
    assert f"/certificates/{certificate.uuid}/open-badge.jwt" in html
    assert "Valable jusqu’au" in html


def test_my_learning_shows_no_one_elses_certificate(client, certificate, other_learner):
    client.force_login(other_learner)
    html = client.get("/learning/").content.decode()
    assert certificate.code not in html
