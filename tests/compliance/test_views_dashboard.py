"""The managers' dashboard, its exports and the person drill-down: who sees what."""

import csv
import io
from datetime import date

import pytest
import time_machine
from openpyxl import load_workbook

from learning.compliance.models import MembershipRole

from .conftest import at, certify, enrol, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def population(requirement, snds_course, units):
    """Lab A: one compliant, one in progress; team A1: one due; lab B: one overdue."""
    people = {
        "alice": member(units["lab_a"], username="alice", last_name="Alpha"),
        "bruno": member(
            units["lab_a"],
            username="bruno",
            last_name="Bravo",
            joined=date(2026, 2, 20),
        ),
        "chloe": member(
            units["team"],
            username="chloe",
            last_name="Charlie",
            joined=date(2026, 3, 1),
        ),
        "dan": member(units["lab_b"], username="dan", last_name="Delta"),
    }
    certify(people["alice"], snds_course, on=date(2026, 1, 20))
    enrol(people["bruno"], snds_course, on=date(2026, 2, 25))
    return people


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(at(date(2026, 3, 10)), tick=False):
        yield


def test_dashboard_requires_login(client):
    """Anonymous visitors are sent to the log-in page."""
    response = client.get("/compliance/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_dashboard_refused_to_learners(client, population):
    """A member who manages nothing gets a 403, and no link in the header."""
    client.force_login(population["alice"])
    assert client.get("/compliance/").status_code == 403
    assert client.get("/compliance/export.csv").status_code == 403
    assert client.get("/compliance/register.xlsx").status_code == 403
    bruno = population["bruno"]
    assert client.get(f"/compliance/people/{bruno.pseudonym}/").status_code == 403
    home = client.get("/compliance/", follow=True)
    assert 'href="/compliance/"' not in home.content.decode()


def test_dashboard_manager_sees_only_their_subtree(client, population, manager_a):
    """Lab A's manager sees lab A and team A1, not lab B."""
    client.force_login(manager_a)
    response = client.get("/compliance/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Alpha" in html and "Charlie" in html
    assert "Delta" not in html
    assert 'href="/compliance/"' in html  # the header link
    overview = response.context["overview"]
    (requirement, rows) = overview.tables[0]
    total = rows[0]
    assert total.is_total and total.total == 4  # alice, bruno, chloe, manon
    assert total.counts["compliant"] == 1
    assert total.counts["in_progress"] == 1
    assert total.counts["overdue"] == 1  # manon herself joined 1 January
    assert total.counts["due"] == 1
    assert [row.label for row in rows[1:]] == ["Équipe A1 (TEAM-A1)"]


def test_dashboard_other_unit_is_refused(client, population, manager_a, units):
    """Asking for lab B by URL is a 403, as is a stranger's drill-down (404)."""
    client.force_login(manager_a)
    assert client.get(f"/compliance/?unit={units['lab_b'].pk}").status_code == 403
    dan = population["dan"]
    assert client.get(f"/compliance/people/{dan.pseudonym}/").status_code == 404


def test_dashboard_filters_and_sorts(client, population, manager_a, units):
    """Filter by unit and status; sort descending by name."""
    client.force_login(manager_a)
    response = client.get(f"/compliance/?unit={units['team'].pk}")
    names = [row.last_name for row in response.context["overview"].people]
    assert names == ["Charlie"]
    assert response.context["overview"].parent == (
        units["lab_a"].pk,
        "Labo A (LAB-A)",
    )  # a way back up, within the manager's scope only
    top = client.get("/compliance/").context["overview"]
    assert top.parent is None  # the institute is above lab A: not shown
    response = client.get("/compliance/?status=compliant")
    assert [r.last_name for r in response.context["overview"].people] == ["Alpha"]
    response = client.get("/compliance/?sort=-name")
    names = [row.last_name for row in response.context["overview"].people]
    assert names == sorted(names, reverse=True)


def test_dashboard_person_history(client, population, manager_a):
    """The drill-down shows the person's certificate and status."""
    client.force_login(manager_a)
    alice = population["alice"]
    response = client.get(f"/compliance/people/{alice.pseudonym}/")
    assert response.status_code == 200
    history = response.context["history"]
    assert history.standings[0][1].status == "compliant"
    assert history.certificates[0].code in response.content.decode()


def test_dashboard_superuser_sees_everything(client, population, admin_user):
    client.force_login(admin_user)
    response = client.get("/compliance/")
    assert "Delta" in response.content.decode()


def test_export_csv_matches_the_view(client, population, manager_a):
    """The CSV holds the filtered rows with dates and certificate code."""
    client.force_login(manager_a)
    response = client.get("/compliance/export.csv?status=compliant")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 2
    header, line = rows
    record = dict(zip(header, line, strict=True))
    assert record["Nom"] == "Alpha"
    assert record["Statut"] == "Conforme"
    assert record["Valable jusqu’au"] == "2027-01-20"


def test_export_xlsx_has_every_row(client, population, manager_a):
    """The XLSX holds a header and one row per person of the view."""
    client.force_login(manager_a)
    response = client.get("/en/compliance/export.xlsx")
    book = load_workbook(io.BytesIO(response.content))
    rows = list(book.active.values)
    assert rows[0][0] == "Last name"
    last_names = sorted(row[0] for row in rows[1:])
    assert last_names == ["Alpha", "Bravo", "Charlie", manager_a.last_name]
    assert rows[1][5] in {"Compliant", "In progress", "Due", "Overdue"}


def test_register_export_lists_pseudonym_and_certificate(client, population, manager_a):
    """The register has the pseudonymous id and the certificate of each person."""
    client.force_login(manager_a)
    response = client.get("/en/compliance/register.csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    alice = next(row for row in rows if row["Last name"] == "Alpha")
    assert alice["Pseudonymous identifier"] == str(population["alice"].pseudonym)
    assert alice["Certificate code"]
    assert alice["Verification URL"].endswith(f"/verify/{alice['Certificate code']}/")
    assert {row["Last name"] for row in rows} >= {"Alpha", "Bravo", "Charlie"}
    assert "Delta" not in {row["Last name"] for row in rows}


def test_export_neutralises_formulas(client, requirement, units, manager_a):
    """A name starting with '=' is written as text, not as a formula."""
    member(units["lab_a"], username="evil", last_name="=HYPERLINK(1)")
    client.force_login(manager_a)
    content = client.get("/en/compliance/export.csv").content.decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in content


def test_manager_role_only_in_unit_b_does_not_see_a(client, population, units):
    """Managing lab B gives nothing in lab A."""
    boss = member(units["lab_b"], username="boss", role=MembershipRole.MANAGER)
    client.force_login(boss)
    html = client.get("/compliance/").content.decode()
    assert "Delta" in html and "Alpha" not in html
