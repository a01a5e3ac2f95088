"""Compliance exports: formulas and characters spreadsheets cannot hold."""

import csv
import io

import pytest
from openpyxl import load_workbook

from learning.spreadsheets import csv_text, xlsx_text

from .conftest import member

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+33 1 23", "'+33 1 23"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Dupont", "Dupont"),
        ("", ""),
        (-0.5, -0.5),
    ],
)
def test_csv_text_neutralises_formulas(value, expected):
    """Text that a spreadsheet would run gets an apostrophe; numbers are left alone."""
    assert csv_text(value) == expected


def test_xlsx_text_drops_characters_xlsx_cannot_hold():
    assert xlsx_text("A\x01B\x1f=") == "AB="
    assert xlsx_text("=A\x00") == "'=A"


def test_xlsx_export_with_control_characters_and_formulas(
    client, requirement, units, manager_a
):
    """A name with control characters (the profile form accepts them) or a formula:
    the XLSX export is a workbook of text cells, not a 500."""
    member(units["lab_a"], username="ctl", last_name="Ma\x01rtin\x1f")
    member(units["lab_a"], username="evil", first_name="=HYPERLINK(1)")
    client.force_login(manager_a)
    for path in ("/en/compliance/export.xlsx", "/en/compliance/register.xlsx"):
        response = client.get(path)
        assert response.status_code == 200
        sheet = load_workbook(io.BytesIO(response.content)).active
        values = [cell.value for row in sheet.iter_rows() for cell in row]
        assert "Martin" in values and "'=HYPERLINK(1)" in values
        assert not any(str(v).startswith("=") for v in values if v)
    content = client.get("/en/compliance/register.csv").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(content)))
    assert any("'=HYPERLINK(1)" in row for row in rows)
