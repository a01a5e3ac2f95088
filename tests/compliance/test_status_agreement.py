"""The gate API and the managers' dashboard say the same thing about everyone.

One person per status, `identity_unverified` included (a valid certificate,
an address never confirmed): the gate's answer, the dashboard's person list,
its counts and status filter, the person page and the CSV/XLSX exports agree.
"""

import csv
import io
from datetime import date

import pytest
import time_machine
from openpyxl import load_workbook

from learning.compliance.api import create_api_token
from learning.compliance.models import ComplianceStatus as S

from .conftest import at, certify, enrol, member

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(at(date(2026, 3, 10)), tick=False):
        yield


@pytest.fixture
def people(requirement, snds_course, units):
    """Username → (person, the status expected everywhere), on 10 March 2026."""
    lab = units["lab_a"]
    found = {}

    def person(name, status, **kw):
        found[name] = (
            member(lab, username=name, email=f"{name}@example.org", **kw),
            status,
        )
        return found[name][0]

    certify(person("valid", S.COMPLIANT), snds_course, on=date(2026, 1, 20))
    certify(person("renew", S.EXPIRING), snds_course, on=date(2025, 3, 20))
    certify(person("lapsed", S.EXPIRED), snds_course, on=date(2025, 1, 20))
    enrol(person("started", S.IN_PROGRESS, joined=date(2026, 3, 1)), snds_course,
          on=date(2026, 3, 2))  # fmt: skip
    person("newcomer", S.DUE, joined=date(2026, 3, 1))
    person("late", S.OVERDUE, joined=date(2026, 1, 1))
    # A valid certificate, but nobody vouched for the address: never cleared.
    certify(
        person("unconfirmed", S.IDENTITY_UNVERIFIED, verified=False),
        snds_course,
        on=date(2026, 1, 20),
    )
    person("unconfirmed-new", S.IDENTITY_UNVERIFIED, verified=False)
    return found


def test_gate_and_dashboard_agree_on_every_status(
    client, requirement, people, manager_a
):
    """Each person's status is the same at the gate, in the dashboard's list,
    on their person page and in both exports; the statuses cover them all."""
    assert {status for _person, status in people.values()} == set(S)
    _row, token = create_api_token("Portail SNDS", [requirement])
    gate = {}
    for name, (person, _status) in people.items():
        body = client.get(
            f"/api/v1/compliance/gates/snds/{person.email}",
            headers={"Authorization": f"Bearer {token}"},
        ).json()
        gate[name] = body["status"]
        assert body["cleared"] is (body["status"] in ("compliant", "expiring"))
    assert gate == {name: status.value for name, (_p, status) in people.items()}

    client.force_login(manager_a)
    page = client.get("/en/compliance/")
    listed = {
        row.email.split("@")[0]: row.standing.status
        for row in page.context["overview"].people
        if row.email.split("@")[0] in people
    }
    assert listed == gate
    for name, (person, status) in people.items():
        html = client.get(f"/en/compliance/people/{person.pseudonym}/").content
        assert f"status-pill status-{status.value}".encode() in html, name

    labels = {status.value: str(status.label) for status in S}
    content = client.get("/en/compliance/export.csv").content.decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(content)))
    status_column = lines[0].index("Status")
    exported = {
        line[2].split("@")[0]: line[status_column]
        for line in lines[1:]
        if line[2].split("@")[0] in people
    }
    assert exported == {name: labels[status] for name, status in gate.items()}
    sheet = load_workbook(
        io.BytesIO(client.get("/en/compliance/register.xlsx").content)
    ).active
    rows = list(sheet.iter_rows(values_only=True))
    status_column = rows[0].index("Status")
    registered = {
        row[2].split("@")[0]: row[status_column]
        for row in rows[1:]
        if row[2].split("@")[0] in people
    }
    assert registered == exported


def test_dashboard_counts_and_filters_unverified_identities(
    client, requirement, people, manager_a
):
    """A column counts the unverified identities, in French and English, and the
    status filter lists exactly them; they are not counted as cleared."""
    client.force_login(manager_a)
    page = client.get("/en/compliance/")
    html = page.content.decode()
    assert "Identity not verified" in html
    table = page.context["overview"].tables[0][1]
    assert table[0].counts[S.IDENTITY_UNVERIFIED] == 2
    assert table[0].counts[S.COMPLIANT] == 1
    assert table[0].cleared_percent == round(100 * 2 / 9, 1)  # valid, renew
    filtered = client.get("/en/compliance/?status=identity_unverified")
    names = {row.email for row in filtered.context["overview"].people}
    assert names == {"unconfirmed@example.org", "unconfirmed-new@example.org"}
    assert "Identité non vérifiée" in client.get("/compliance/").content.decode()
    content = client.get(
        "/compliance/export.csv?status=identity_unverified"
    ).content.decode("utf-8-sig")
    assert content.count("Identité non vérifiée") == 2


def test_confirming_the_address_clears_the_person_at_once(
    client, requirement, people, manager_a
):
    """Once the address is confirmed, the dashboard shows the certificate's
    status without waiting for its cached counts to expire."""
    client.force_login(manager_a)
    page = client.get("/en/compliance/")
    assert page.context["overview"].tables[0][1][0].counts[S.COMPLIANT] == 1
    person, _status = people["unconfirmed"]
    person.emailaddress_set.create(email=person.email, verified=True, primary=True)
    page = client.get("/en/compliance/")
    counts = page.context["overview"].tables[0][1][0].counts
    assert (counts[S.COMPLIANT], counts[S.IDENTITY_UNVERIFIED]) == (2, 1)
