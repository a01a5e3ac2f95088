"""Account deletion and certificates: never "not issued" (README, "Account
deletion and certificates")."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.files.storage import storages
from django.utils import timezone

import pytest

from learning.certificates.issuance import revoke_certificate
from learning.certificates.models import Certificate
from learning.models import QuizAttempt

DELETE_URL = "/accounts/profile/delete/"
PASSWORD = "correct horse battery staple"


def _delete(client, user, certificates="keep"):
    client.force_login(user)
    response = client.post(
        DELETE_URL, {"password": PASSWORD, "certificates": certificates}
    )
    assert response.status_code == 302, response.content.decode()
    assert not get_user_model().objects.filter(pk=user.pk).exists()


def _public_status(client, certificate) -> tuple[str, str, dict]:
    page = client.get(f"/certificates/verify/{certificate.code}/")
    assert page.status_code == 200
    data = client.get(f"/certificates/verify/{certificate.code}.json").json()
    return page.content.decode(), data["status"], data


def test_deletion_page_says_what_happens_to_certificates(client, certificate, learner):
    """Before confirming, the learner reads what happens to their certificates
    and chooses between keeping them verifiable and withdrawing them."""
    client.force_login(learner)
    html = client.get(DELETE_URL).content.decode()
    assert "Ce qu’il advient de vos certificats" in html
    assert 'name="certificates" value="keep"' in html
    assert 'name="certificates" value="withdraw"' in html
    assert "retirés à la demande" in html or "retiré à la demande" in html


def test_deletion_page_without_certificates_has_no_choice(client, learner, db):
    client.force_login(learner)
    html = client.get(DELETE_URL).content.decode()
    assert "Vous n’avez aucun certificat" in html
    assert 'name="certificates"' not in html


def test_deleted_holder_certificate_stays_valid(
    client, certificate, learner, django_capture_on_commit_callbacks
):
    """Kept (the default): the certificate still reads valid with the printed
    name; it is cut from the account and its stored PDF file is gone."""
    from learning.certificates.pdf import ensure_pdf

    pdf_name = ensure_pdf(certificate).pdf.name
    assert storages["private"].exists(pdf_name)
    with django_capture_on_commit_callbacks(execute=True):  # the file goes after it
        _delete(client, learner, "keep")
    html, status, data = _public_status(client, certificate)
    assert status == "valid" and 'data-status="valid"' in html
    assert data["learner"] == certificate.learner_name
    kept = Certificate.objects.get(pk=certificate.pk)
    assert kept.enrollment is None and not kept.pdf
    assert not storages["private"].exists(pdf_name)
    assert not QuizAttempt.objects.exists()


def test_deleted_holder_expired_certificate_reads_expired(client, certificate, learner):
    Certificate.objects.filter(pk=certificate.pk).update(
        valid_until=timezone.localdate() - timedelta(days=1)
    )
    # valid_until is signed: re-sign as if issued with that date.
    expired = Certificate.objects.get(pk=certificate.pk)
    from learning.certificates import signing
    from learning.certificates.issuance import signed_payload

    expired.key_id, expired.signature = signing.sign(signed_payload(expired))
    expired.save(update_fields=["key_id", "signature"])
    _delete(client, learner, "keep")
    html, status, _data = _public_status(client, certificate)
    assert status == "expired" and 'data-status="expired"' in html


def test_deleted_holder_revoked_certificate_reads_revoked(
    client, certificate, learner, db
):
    from django.contrib.auth.models import Group

    from tests.factories import UserFactory

    admin = UserFactory(is_superuser=True, is_staff=True)
    admin.groups.add(*Group.objects.all())
    revoke_certificate(certificate, by=admin, reason="Erreur de saisie")
    _delete(client, learner, "keep")
    html, status, _data = _public_status(client, certificate)
    assert status == "revoked" and "Erreur de saisie" in html


def test_withdrawn_certificate_reads_withdrawn_without_a_name(
    client, certificate, learner
):
    """Withdrawn at the holder's request: said so, without the holder's name;
    never "not issued"; its Open Badge status lists it as revoked."""
    _delete(client, learner, "withdraw")
    html, status, data = _public_status(client, certificate)
    assert status == "withdrawn" and 'data-status="withdrawn"' in html
    assert "retiré à la demande" in html.lower()
    assert certificate.learner_name not in html
    assert "learner" not in data and certificate.learner_name not in str(data)
    badge = client.get(f"/certificates/status/{certificate.uuid}.json").json()
    assert badge["revokedCredentials"]


def test_unknown_certificate_choice_deletes_nothing(client, certificate, learner):
    """A forged choice is refused with a message; nothing is deleted."""
    client.force_login(learner)
    response = client.post(DELETE_URL, {"password": PASSWORD, "certificates": "x"})
    assert response.status_code == 200
    assert "certificates" in response.context["form"].errors
    assert get_user_model().objects.filter(pk=learner.pk).exists()
    assert Certificate.objects.get(pk=certificate.pk).enrollment is not None


@pytest.mark.parametrize("how", ["instance", "queryset"])
def test_admin_deletion_keeps_certificates_verifiable(
    how, client, certificate, learner
):
    """Deleting the person in the admin (one or in bulk) follows the same rule."""
    users = get_user_model().objects.filter(pk=learner.pk)
    learner.delete() if how == "instance" else users.delete()
    _html, status, _data = _public_status(client, certificate)
    assert status == "valid"


def test_personal_data_export_lists_certificates(client, certificate, learner):
    """The personal-data export holds each certificate: code, verification URL,
    status as the public page gives it, what it states."""
    client.force_login(learner)
    data = client.get("/accounts/profile/data.json").json()
    (exported,) = data["learning"]["certificates"]
    assert exported["code"] == certificate.display_code
    assert exported["verification_url"] == certificate.verification_url
    assert exported["status"] == "valid"
    assert exported["course"] == certificate.course_title
    assert exported["valid_until"] == certificate.valid_until.isoformat()


def test_deleted_holder_certificate_can_still_be_revoked_by_an_admin(
    client, certificate, learner, manager
):
    """After the holder's deletion, an administrator can still revoke the
    certificate (a unit manager no longer reaches it)."""
    from learning.exceptions import OutOfScope
    from tests.factories import UserFactory

    _delete(client, learner, "keep")
    kept = Certificate.objects.get(pk=certificate.pk)
    with pytest.raises(OutOfScope):
        revoke_certificate(kept, by=manager, reason="Fraude")
    admin = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(admin)
    response = client.post(
        f"/certificates/{certificate.uuid}/revoke/", {"reason": "Fraude"}
    )
    assert response.status_code == 302
    _html, status, _data = _public_status(client, certificate)
    assert status == "revoked"
