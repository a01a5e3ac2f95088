"""The PDF: text content, QR code, storage, regeneration, who may download it."""

import io

import pypdf
import pytest
from PIL import Image

from learning.certificates.models import Certificate
from learning.certificates.pdf import qr_png


def _pdf(certificate) -> pypdf.PdfReader:
    with certificate.pdf.open("rb") as handle:
        return pypdf.PdfReader(io.BytesIO(handle.read()))


def test_pdf_is_a4_landscape_with_name_course_and_code(certificate):
    """One A4 landscape page naming the learner, the course and the code, in FR and EN."""
    reader = _pdf(certificate)
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert round(float(box.width) / 72 * 25.4) == 297
    assert round(float(box.height) / 72 * 25.4) == 210
    text = " ".join(reader.pages[0].extract_text().split())
    assert certificate.learner_name in text
    assert "Accès au SNDS" in text
    assert certificate.display_code in text
    assert certificate.verification_url in text.replace(" ", "")  # may wrap
    assert "Certificat de réussite" in text and "Certificate of completion" in text


def test_pdf_qr_code_decodes_to_the_verification_url(certificate):
    """The QR image inside the PDF decodes (zxing-cpp) to the verification URL."""
    zxingcpp = pytest.importorskip("zxingcpp")
    images = [image for page in _pdf(certificate).pages for image in page.images]
    decoded = []
    for image in images:
        picture = Image.open(io.BytesIO(image.data)).convert("L")
        decoded += [result.text for result in zxingcpp.read_barcodes(picture)]
    assert decoded == [certificate.verification_url]


def test_pdf_qr_payload_is_exactly_the_url():
    """What we encode is the URL, nothing else."""
    zxingcpp = pytest.importorskip("zxingcpp")
    url = "http://testserver/certificates/verify/ACDE3479FGHJ/"
    (result,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(qr_png(url))))
    assert result.text == url


def test_pdf_with_institution_logo_and_signatory(
    learner, validity_course, django_capture_on_commit_callbacks
):
    """The institution's logo and signatory appear on the certificate."""
    from wagtail.images.models import Image as WagtailImage
    from wagtail.images.tests.utils import get_test_image_file
    from wagtail.models import Site

    from cms.models import InstitutionSettings
    from tests.certificates.conftest import complete

    settings_ = InstitutionSettings.for_site(Site.objects.get(is_default_site=True))
    settings_.logo = WagtailImage.objects.create(
        title="Logo", file=get_test_image_file(size=(200, 100))
    )
    settings_.signatory_name = "Dr Alix Renard"
    settings_.signatory_title = "Directrice de l’INIST"
    settings_.save()
    enrollment = complete(learner, validity_course, django_capture_on_commit_callbacks)
    certificate = Certificate.objects.get(enrollment=enrollment)
    assert certificate.signatory_name == "Dr Alix Renard"
    page = _pdf(certificate).pages[0]
    text = page.extract_text()
    assert "Dr Alix Renard" in text and "Directrice de l’INIST" in text
    assert len(page.images) == 2  # logo + QR code


def test_pdf_owner_downloads_it(client, certificate, learner):
    """The learner downloads their PDF."""
    client.force_login(learner)
    response = client.get(f"/certificates/{certificate.uuid}/pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_pdf_other_learner_gets_404(client, certificate, other_learner):
    """Another learner cannot download it (404, not 403: no oracle)."""
    client.force_login(other_learner)
    assert client.get(f"/certificates/{certificate.uuid}/pdf/").status_code == 404
    assert (
        client.get(f"/certificates/{certificate.uuid}/open-badge.jwt").status_code
        == 404
    )


def test_pdf_anonymous_is_sent_to_log_in(client, certificate):
    response = client.get(f"/certificates/{certificate.uuid}/pdf/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_pdf_manager_downloads_it(client, certificate, manager):
    """Managers can download any certificate."""
    client.force_login(manager)
    assert client.get(f"/certificates/{certificate.uuid}/pdf/").status_code == 200


def test_pdf_missing_file_is_regenerated(client, certificate, learner):
    """A PDF lost from storage is rendered again on demand."""
    storage = certificate.pdf.storage
    storage.delete(certificate.pdf.name)
    assert not storage.exists(certificate.pdf.name)
    client.force_login(learner)
    response = client.get(f"/certificates/{certificate.uuid}/pdf/")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    certificate.refresh_from_db()
    assert storage.exists(certificate.pdf.name)


def test_pdf_stylesheet_parsed_once_per_process():
    """The stylesheet and fonts are built once and shared by every rendering;
    it keeps to layouts WeasyPrint lays out cheaply (flexbox and break-all cost
    more than the rest of the page)."""
    from learning.certificates import pdf

    assert pdf.stylesheet() is pdf.stylesheet()
    assert pdf.font_config() is pdf.font_config()
    css = pdf.STYLESHEET.read_text().replace(" ", "")
    assert "display:flex" not in css and "word-break:break-all" not in css


def test_pdf_shows_unit_what_it_certifies_and_completion(
    learner, validity_course, django_capture_on_commit_callbacks
):
    """As the SNDS course promises: the holder's unit, the course, its version
    and learning objectives, the completion date and score."""
    from django.utils import timezone

    from tests.certificates.conftest import complete

    learner.declared_unit = "UMR 1234 Épidémiologie"
    learner.save()
    validity_course.objectives = "Décrire le SNDS\nAppliquer le RGPD aux données"
    validity_course.save()
    enrollment = complete(learner, validity_course, django_capture_on_commit_callbacks)
    certificate = Certificate.objects.get(enrollment=enrollment)
    text = " ".join(_pdf(certificate).pages[0].extract_text().split())
    assert "UMR 1234 Épidémiologie" in text
    assert "Décrire le SNDS" in text and "Appliquer le RGPD aux données" in text
    assert "2.1" in text
    assert f"{timezone.localdate(certificate.completed_at):%d/%m/%Y}" in text
    assert "Completed on" in text


def test_pdf_unit_from_membership_first(
    learner, validity_course, django_capture_on_commit_callbacks
):
    """The unit the learner is a member of, before what they once typed."""
    from learning.compliance.models import Membership, OrgUnit
    from tests.certificates.conftest import complete

    learner.declared_unit = "typed long ago"
    learner.save()
    unit = OrgUnit.objects.create(code="EPI", name="Laboratoire d’épidémiologie")
    Membership.objects.create(user=learner, unit=unit)
    enrollment = complete(learner, validity_course, django_capture_on_commit_callbacks)
    certificate = Certificate.objects.get(enrollment=enrollment)
    assert certificate.learner_unit == "Laboratoire d’épidémiologie"
    assert "Laboratoire d’épidémiologie" in _pdf(certificate).pages[0].extract_text()


def test_pdf_without_signatory_is_signed_for_the_institution(certificate):
    """No signatory set: the institution signs, electronically (never a blank)."""
    assert certificate.signatory_name == ""
    text = " ".join(_pdf(certificate).pages[0].extract_text().split())
    assert "Pour l’établissement" in text and "On behalf of the institution" in text
    assert "Signature électronique" in text


def test_pdf_is_tagged_pdf_ua(certificate):
    """A tagged PDF/UA-1 document: structure tree, marked content, language,
    title shown, PDF/UA identification in its XMP metadata."""
    reader = _pdf(certificate)
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in root
    assert root["/Lang"] == "fr"
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])
    xmp = root["/Metadata"].get_object().get_data()
    assert b"pdfuaid:part>1<" in xmp or b'pdfuaid:part="1"' in xmp
    assert reader.metadata.title == f"Certificat {certificate.display_code}"
