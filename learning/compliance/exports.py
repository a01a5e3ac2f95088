"""CSV and XLSX exports of the dashboard's person list and of the register.

The register (every person in the viewer's units, every active requirement, with
the certificate behind each status) is what the data protection officer keeps as
the register of people cleared for SNDS access.
"""

import csv
import io
from collections.abc import Iterable

from django.utils import timezone
from django.utils.translation import gettext as _

from openpyxl import Workbook
from openpyxl.styles import Font

from learning.spreadsheets import csv_text, xlsx_text

from .dashboard import PersonRow


def _date(value) -> str:
    return value.isoformat() if value else ""


def person_header(*, register: bool = False) -> list[str]:
    header = [
        _("Last name"),
        _("First name"),
        _("E-mail"),
        _("Units"),
        _("Mandatory training"),
        _("Status"),
        _("Completed on"),
        _("Valid until"),
        _("Due date"),
        _("Certificate code"),
        _("Verification URL"),
    ]
    if register:
        header.insert(3, _("Pseudonymous identifier"))
    return header


def person_lines(rows: Iterable[PersonRow], *, register: bool = False):
    """One list of strings per row, as they come (the rows may be streamed)."""
    for row in rows:
        s = row.standing
        line = [
            row.last_name,
            row.first_name,
            row.email,
            row.unit_label,
            row.requirement.title,
            s.status_label,
            _date(timezone.localdate(s.completed_at) if s.completed_at else None),
            _date(s.valid_until),
            _date(s.due_date),
            s.certificate_code or "",
            s.verification_url or "",
        ]
        if register:
            line.insert(3, row.pseudonym)
        yield [str(value) for value in line]


def person_table(rows: Iterable[PersonRow], *, register: bool = False):
    """(header, rows of strings) for the person list or the register."""
    return person_header(register=register), list(person_lines(rows, register=register))


def to_csv(header: list[str], body: Iterable[list[str]]) -> bytes:
    return b"".join(csv_chunks(header, body))


def csv_chunks(header: list[str], body: Iterable[list[str]], *, lines: int = 1000):
    """The CSV as encoded chunks of `lines` lines, for a streaming response."""
    out = io.StringIO()
    out.write("\ufeff")  # BOM: Excel reads UTF-8
    writer = csv.writer(out)
    writer.writerow(header)
    for count, line in enumerate(body, start=1):
        writer.writerow([csv_text(v) for v in line])
        if count % lines == 0:
            yield out.getvalue().encode("utf-8")
            out.seek(0)
            out.truncate()
    yield out.getvalue().encode("utf-8")


def to_xlsx(header: list[str], body: list[list[str]], *, title: str) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for line in body:
        sheet.append([xlsx_text(v) for v in line])
    sheet.freeze_panes = "A2"
    for index, name in enumerate(header, start=1):
        width = max([len(name)] + [len(line[index - 1]) for line in body[:200]])
        sheet.column_dimensions[sheet.cell(1, index).column_letter].width = min(
            width + 2, 60
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
