"""A manager opens the compliance dashboard, filters it and downloads the XLSX.

Every page on the way passes axe-core (no serious or critical violation).
"""

import io

from django.conf import settings
from django.contrib.auth import get_user_model

import pytest
from allauth.account.models import EmailAddress
from openpyxl import load_workbook
from playwright.sync_api import expect

from cms.site_structure import ensure_site_structure
from courses.course_files import import_course
from learning.compliance.demo import SNDS_COURSE_SLUG, seed_compliance_demo

pytestmark = pytest.mark.e2e
PASSWORD = "Une-phrase-de-passe-solide-2026"


@pytest.fixture
def demo(e2e_db):
    ensure_site_structure()
    import_course(settings.COURSE_CONTENT_DIR / SNDS_COURSE_SLUG)
    manager = get_user_model().objects.create_user(
        "responsable", "responsable@atelier.example", PASSWORD, first_name="Thomas"
    )
    EmailAddress.objects.create(
        user=manager, email=manager.email, verified=True, primary=True
    )
    seed_compliance_demo(people=40)
    return manager


def test_compliance_manager_filters_and_downloads_xlsx(
    page, live_server, demo, assert_accessible
):
    """Log in, open Conformité, keep the overdue people, download them as XLSX."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", "responsable@atelier.example")
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()

    page.get_by_role("link", name="Conformité").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Conformité des formations"
    )
    assert_accessible(page)
    expect(page.locator(".status-bar").first).to_be_visible()

    page.get_by_label("Statut").select_option("overdue")
    page.get_by_role("button", name="Filtrer").click()
    page.wait_for_load_state()
    assert "status=overdue" in page.url
    pills = page.locator(".compliance-people tbody .status-pill")
    expect(pills.first).to_have_text("En retard")
    shown = pills.count()
    assert shown > 0
    assert set(pills.all_inner_texts()) == {"En retard"}
    assert_accessible(page)

    with page.expect_download() as info:
        page.get_by_role("link", name="Excel (XLSX)").click()
    download = info.value
    assert download.suggested_filename.endswith(".xlsx")
    book = load_workbook(io.BytesIO(open(download.path(), "rb").read()))
    rows = list(book.active.values)
    assert rows[0][:2] == ("Nom", "Prénom")
    assert len(rows) - 1 == shown
    assert {row[5] for row in rows[1:]} == {"En retard"}

    # Drill down to the first person of the list.
    page.locator(".compliance-people tbody a").first.click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="Formations obligatoires")).to_be_visible()
    assert_accessible(page)
