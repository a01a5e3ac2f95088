"""A researcher completes a small course, finds the certificate on "my learning",
and opens its public verification page from the link and from the PDF's QR code.

Each page passes axe-core (no serious or critical violation).
"""

import io
import re

from django.conf import settings
from django.test import Client

import pypdf
import pytest
from PIL import Image
from playwright.sync_api import expect

from cms.site_structure import ensure_site_structure
from learning.certificates.models import Certificate
from tests.factories import CoursePageFactory, LessonPageFactory, UserFactory

pytestmark = pytest.mark.e2e


@pytest.fixture
def small_course(e2e_db):
    structure = ensure_site_structure()
    course = CoursePageFactory(
        parent=structure.catalogue("fr"),
        title="Accès au SNDS",
        slug="snds",
        certificate_validity_months=12,
        version="2026.1",
    )
    for number in (1, 2):
        LessonPageFactory(parent=course, title=f"Leçon {number}", slug=f"l{number}")
    return course


def log_in(page, live_server, user):
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [{"name": cookie.key, "value": cookie.value, "url": live_server.url}]
    )


def test_certificate_journey(page, live_server, small_course, assert_accessible):
    """Complete the course, open the certificate's verification page: it is valid."""
    learner = UserFactory(username="camille", first_name="Camille", last_name="Durand")
    log_in(page, live_server, learner)

    page.goto(f"{live_server.url}{small_course.url}")
    page.get_by_role("button", name="Commencer la formation").click()
    for _ in range(2):
        page.get_by_role("button", name="Marquer comme faite et continuer").click()
        page.wait_for_load_state()

    page.goto(f"{live_server.url}/learning/")
    assert_accessible(page)
    certificates = page.locator("section[aria-labelledby=certificates-heading]")
    expect(certificates.get_by_role("strong")).to_have_text("Accès au SNDS")
    certificate = Certificate.objects.get(enrollment__user=learner)

    certificates.get_by_role("link", name=re.compile("Page de vérification")).click()
    expect(page).to_have_url(re.compile(rf"/certificates/verify/{certificate.code}/$"))
    expect(page.get_by_role("status")).to_contain_text("Certificat valide")
    expect(page.get_by_text("Camille Durand")).to_be_visible()
    assert_accessible(page)

    # The link printed on the certificate (its QR code) leads to the same page.
    zxingcpp = pytest.importorskip("zxingcpp")
    with certificate.pdf.open("rb") as handle:
        reader = pypdf.PdfReader(io.BytesIO(handle.read()))
    (qr,) = [
        result.text
        for image in reader.pages[0].images
        for result in zxingcpp.read_barcodes(Image.open(io.BytesIO(image.data)))
    ]
    page.goto(qr.replace(settings.SITE_BASE_URL, live_server.url))
    expect(page.get_by_role("status")).to_contain_text("Certificat valide")

    # A mistyped code, through the form: a clear "no such certificate".
    page.get_by_label("Code de vérification").fill("AAAA-BBBB-CCCC")
    page.get_by_role("button", name="Vérifier", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Certificat introuvable")
    assert_accessible(page)


def test_certificate_outlives_the_account(
    page, live_server, small_course, assert_accessible
):
    """The learner deletes their account: the page says what happens to the
    certificate first; withdrawn, the verification page says so, without a name."""
    from learning import progress

    learner = UserFactory(username="camille", first_name="Camille", last_name="Durand")
    enrollment = progress.enrol(learner, small_course)
    for lesson in small_course.lessons():
        progress.complete_lesson(enrollment, lesson)
    certificate = Certificate.objects.get(enrollment=enrollment)
    log_in(page, live_server, learner)

    page.goto(f"{live_server.url}/accounts/profile/delete/")
    expect(
        page.get_by_role("heading", name="Ce qu’il advient de vos certificats")
    ).to_be_visible()
    assert_accessible(page)
    page.get_by_role("radio", name=re.compile("Les retirer")).check()
    page.get_by_label("Votre mot de passe").fill("correct horse battery staple")
    page.get_by_role("button", name="Supprimer mon compte").click()
    page.wait_for_load_state()

    page.goto(f"{live_server.url}/certificates/verify/{certificate.code}/")
    expect(page.get_by_role("status")).to_contain_text(
        "Retiré à la demande du titulaire"
    )
    expect(page.get_by_text("Camille Durand")).to_have_count(0)
    assert_accessible(page)
