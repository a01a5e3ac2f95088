"""ZIP of a course's certificates: manager-only, built by a job with progress."""

import io
import zipfile

from learning.certificates.models import Certificate, CertificateExport
from learning.compliance.models import Membership
from tests.certificates.conftest import complete
from tests.factories import UserFactory


def test_export_zip_holds_every_certificate_of_the_course(
    client,
    certificate,
    manager,
    team,
    validity_course,
    django_capture_on_commit_callbacks,
):
    """A manager builds the ZIP; it holds one PDF per certificate of their people."""
    alex = UserFactory(username="alex")
    Membership.objects.create(user=alex, unit=team)
    complete(alex, validity_course, django_capture_on_commit_callbacks)
    client.force_login(manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/certificates/manage/courses/{validity_course.pk}/zip/"
        )
    export = CertificateExport.objects.get()
    assert response["Location"] == f"/certificates/manage/exports/{export.pk}/"
    progress = client.get(response["Location"], {"format": "json"}).json()
    assert progress == {
        "status": "done",
        "done": 2,
        "total": 2,
        "skipped": 0,
        "percent": 100,
    }
    html = client.get(response["Location"]).content.decode()
    assert "Télécharger le ZIP" in html and "Certificats : 2 sur 2" in html
    download = client.get(f"/certificates/manage/exports/{export.pk}/download/")
    names = zipfile.ZipFile(io.BytesIO(download.getvalue())).namelist()
    assert sorted(names) == sorted(
        f"certificate-{c.code}.pdf" for c in Certificate.objects.all()
    )


def test_export_progress_plural(client, manager, validity_course):
    """One certificate to add: the singular (it said "0 certificats sur 1")."""
    export = CertificateExport.objects.create(
        course=validity_course, requested_by=manager, total=1
    )
    client.force_login(manager)
    html = client.get(f"/certificates/manage/exports/{export.pk}/").content.decode()
    assert "Certificat : 0 sur 1" in html


def test_export_is_manager_only(client, certificate, learner, validity_course):
    """Learners can neither request nor read nor download an export."""
    client.force_login(learner)
    url = f"/certificates/manage/courses/{validity_course.pk}/zip/"
    assert client.post(url).status_code == 403
    assert not CertificateExport.objects.exists()
    export = CertificateExport.objects.create(course=validity_course)
    assert client.get(f"/certificates/manage/exports/{export.pk}/").status_code == 403
    assert (
        client.get(f"/certificates/manage/exports/{export.pk}/download/").status_code
        == 403
    )


def test_export_leaves_out_certificates_withdrawn_at_erasure(
    client,
    admin_user,
    certificate,
    validity_course,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    """An administrator's ZIP never renders a certificate whose holder erased
    their account and withdrew it: left out, counted as skipped, said on the
    progress page; one kept at erasure is still rendered from its row."""
    from accounts.privacy import delete_account
    from learning.certificates import pdf

    kept_holder = UserFactory(username="kept")
    complete(kept_holder, validity_course, django_capture_on_commit_callbacks)
    kept = Certificate.objects.get(enrollment__user=kept_holder)
    alex = UserFactory(username="alex")
    complete(alex, validity_course, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        delete_account(certificate.enrollment.user, withdraw_certificates=True)
        delete_account(kept_holder)
    certificate.refresh_from_db()
    assert certificate.is_withdrawn and not certificate.pdf
    rendered = []
    real_render = pdf.render_pdf

    def spying_render(found, **kwargs):
        rendered.append(found.code)
        return real_render(found, **kwargs)

    monkeypatch.setattr(pdf, "render_pdf", spying_render)
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/certificates/manage/courses/{validity_course.pk}/zip/"
        )
    export = CertificateExport.objects.get()
    progress = client.get(response["Location"], {"format": "json"}).json()
    assert progress == {
        "status": "done",
        "done": 2,
        "total": 2,
        "skipped": 1,
        "percent": 100,
    }
    html = client.get(response["Location"]).content.decode()
    assert (
        "1 certificat retiré à la demande de son titulaire est laissé de côté" in html
    )
    download = client.get(f"/certificates/manage/exports/{export.pk}/download/")
    names = zipfile.ZipFile(io.BytesIO(download.getvalue())).namelist()
    assert sorted(names) == sorted(
        f"certificate-{c.code}.pdf"
        for c in (kept, Certificate.objects.get(enrollment__user=alex))
    )
    assert certificate.code not in rendered and kept.code in rendered
    certificate.refresh_from_db()
    assert not certificate.pdf  # nothing printed with the erased name
    # Nor one by one.
    assert client.get(f"/certificates/{certificate.uuid}/pdf/").status_code == 404
    # The certificates list says so and offers no PDF link for it.
    listed = client.get("/certificates/manage/", {"q": certificate.code}).content
    assert "Retiré à la demande du titulaire" in listed.decode()
    assert f"/certificates/{certificate.uuid}/pdf/".encode() not in listed
    assert rendered.count(certificate.code) == 0
