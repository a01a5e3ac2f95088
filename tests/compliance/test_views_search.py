"""The person list's search, the filters kept by the person page, the exports'
dates and CSV flavours, the link to the certificates (issue 17, point 12)."""

import csv
import io
from datetime import date, datetime

import pytest
import time_machine
from openpyxl import load_workbook

from .conftest import at, certify, member

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(at(date(2026, 3, 10)), tick=False):
        yield


@pytest.fixture
def homonyms(requirement, snds_course, units):
    """Three Emma Dubois (lab A, its team, lab B), one certified; and others."""
    people = [
        member(
            unit,
            username=f"emma{number}",
            first_name="Emma",
            last_name="Dubois",
            email=f"emma.dubois{number}@example.org",
        )
        for number, unit in enumerate(
            [units["lab_a"], units["team"], units["lab_b"]], start=1
        )
    ]
    certify(people[0], snds_course, on=date(2026, 1, 20))
    member(units["lab_a"], username="ana", first_name="Ana", last_name="Martin")
    member(units["lab_a"], username="pct", first_name="Ben", last_name="100%_sure")
    return people


def listed(response) -> list[str]:
    return [row.email for row in response.context["page_obj"]]


def test_search_by_name_shows_each_email(client, admin_user, homonyms):
    """ "emma dubois" finds the three, each shown with their e-mail; the count and
    the unit tables stay those of the whole view."""
    client.force_login(admin_user)
    everyone = client.get("/compliance/").context["overview"].tables
    response = client.get("/compliance/?q=emma+dubois")
    assert sorted(listed(response)) == [p.email for p in homonyms]
    assert response.context["page_obj"].paginator.count == 3
    html = response.content.decode()
    for person in homonyms:
        assert person.email in html
    assert 'value="emma dubois"' in html
    assert response.context["overview"].tables[0][1][0].counts == (
        everyone[0][1][0].counts
    )


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("DUBOIS", 3),  # any case
        ("emma.dubois2@", 1),  # the e-mail
        ("emma2", 1),  # the username
        ("emma martin", 0),  # every word must match
        ("%", 1),  # a LIKE wildcard is a character like any other
        ("_", 1),
        ("\\", 0),
        ('"', 5),  # only quotes: no words, no filter
        ("\x00dubois", 3),  # a NUL separates words
        ("x" * 5000, 0),
    ],
)
def test_search_terms(client, admin_user, homonyms, q, expected):
    client.force_login(admin_user)
    response = client.get("/compliance/", {"q": q})
    assert response.status_code == 200
    assert response.context["page_obj"].paginator.count == expected


def test_search_with_status_and_manager_scope(client, homonyms, manager_a):
    """The search combines with the filters, within the manager's units only."""
    client.force_login(manager_a)
    response = client.get("/compliance/?q=dubois")
    assert sorted(listed(response)) == [p.email for p in homonyms[:2]]
    response = client.get("/compliance/?q=dubois&status=compliant")
    assert listed(response) == [homonyms[0].email]


def test_export_follows_the_search(client, admin_user, homonyms):
    """ "Download this view" exports what the search found; the register, everyone."""
    client.force_login(admin_user)
    rows = list(
        csv.reader(
            io.StringIO(
                client.get("/compliance/export.csv?q=dubois").content.decode(
                    "utf-8-sig"
                )
            )
        )
    )
    assert len(rows) == 4
    register = client.get("/compliance/register.csv?q=dubois").content
    assert len(register.decode("utf-8-sig").splitlines()) > 4


def test_person_links_carry_the_filters_back(client, admin_user, homonyms, units):
    """Each person link carries the view's filters; the person page's back link
    returns to them (known parameters only)."""
    client.force_login(admin_user)
    response = client.get(
        f"/compliance/?q=dubois&status=overdue&unit={units['lab_a'].pk}&page=1&x=<b>"
    )
    assert "?back=unit%3D" in response.content.decode()
    person = homonyms[1]
    back = f"q=dubois&status=overdue&unit={units['lab_a'].pk}&page=1&x=<b>"
    page = client.get(f"/compliance/people/{person.pseudonym}/", {"back": back})
    link = page.context["dashboard_url"]
    assert link == (
        f"/compliance/?unit={units['lab_a'].pk}&status=overdue&page=1&q=dubois"
    )
    assert "x=" not in link
    hostile = client.get(
        f"/compliance/people/{person.pseudonym}/",
        {"back": "//evil.example/?q=" + "y" * 3000 + "\x00"},
    )
    assert hostile.status_code == 200
    assert hostile.context["dashboard_url"].startswith("/compliance/")


def test_xlsx_dates_are_dates(client, admin_user, homonyms):
    """Completion, expiry and due dates are date cells in the reader's format."""
    client.force_login(admin_user)
    book = load_workbook(io.BytesIO(client.get("/compliance/export.xlsx").content))
    header, *rows = list(book.active.iter_rows())
    names = [cell.value for cell in header]
    completed = names.index("Terminée le")
    valid = names.index("Valable jusqu’au")
    certified = next(row for row in rows if row[valid].value is not None)
    assert certified[valid].value == datetime(2027, 1, 20)
    assert certified[valid].is_date and certified[valid].number_format == "DD/MM/YYYY"
    assert certified[completed].value == datetime(2026, 1, 20)
    english = load_workbook(
        io.BytesIO(client.get("/en/compliance/register.xlsx").content)
    )
    cells = [c for row in english.active.iter_rows(min_row=2) for c in row if c.is_date]
    assert cells and {c.number_format for c in cells} == {"YYYY-MM-DD"}


def test_csv_flavours(client, admin_user, homonyms):
    """`export.csv`: commas and ISO dates; `export.fr.csv`: semicolons and French
    dates, for an Excel set to French; both UTF-8 with a BOM; others: 404."""
    client.force_login(admin_user)
    plain = client.get("/compliance/export.csv?q=emma1")
    assert plain["Content-Disposition"].endswith('.csv"')
    header, line = list(csv.reader(io.StringIO(plain.content.decode("utf-8-sig"))))
    assert dict(zip(header, line, strict=True))["Valable jusqu’au"] == "2027-01-20"
    french = client.get("/compliance/export.fr.csv?q=emma1")
    assert french.content.startswith(b"\xef\xbb\xbf")
    assert "-excel-fr.csv" in french["Content-Disposition"]
    rows = list(
        csv.reader(io.StringIO(french.content.decode("utf-8-sig")), delimiter=";")
    )
    record = dict(zip(*rows, strict=True))
    assert record["Valable jusqu’au"] == "20/01/2027"
    assert record["Terminée le"] == "20/01/2026"
    register = client.get("/compliance/register.fr.csv")
    assert register.status_code == 200 and b";" in register.content.splitlines()[0]
    for fmt in ("json", "fr.xlsx", "csv.fr", ""):
        assert client.get(f"/compliance/export.{fmt}").status_code == 404


def test_dashboard_links_the_certificates(client, manager_a, requirement):
    """Managers reach /certificates/manage/ from the dashboard, and back."""
    client.force_login(manager_a)
    assert 'href="/certificates/manage/"' in client.get("/compliance/").content.decode()
    back = client.get("/certificates/manage/").content.decode()
    assert 'href="/compliance/"' in back


def test_status_bars_need_no_inline_style(client, admin_user, homonyms):
    """The stacked bars are SVG geometry: the site's CSP allows no inline style,
    which left them empty."""
    client.force_login(admin_user)
    html = client.get("/compliance/").content.decode()
    assert " style=" not in html
    assert '<svg class="status-bar" role="img"' in html
    assert '<rect class="status-compliant" x="0.00" y="0" width="' in html
