"""CSV and XLSX exports of the dashboard's person list and of the register.

The register (every person in the viewer's units, every active requirement, with
the certificate behind each status) is what the data protection officer keeps as
the register of people cleared for SNDS access.
"""

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from openpyxl import Workbook
from openpyxl.styles import Font

from learning.spreadsheets import csv_text, xlsx_text

from .dashboard import PersonRow

#: How each format writes a date: CSV in ISO 8601 (any program reads it), the
#: French Excel variant as Excel in French types it, XLSX as a real date.
ISO_DATE, FRENCH_DATE = "%Y-%m-%d", "%d/%m/%Y"
XLSX_DATE = {"fr": "DD/MM/YYYY"}  # other languages: YYYY-MM-DD


@dataclass(frozen=True)
class CsvDialect:
    """A CSV flavour: comma and ISO dates, or semicolon and French dates for an
    Excel set to French (which reads `,` as the decimal separator and opens a
    comma-separated file as one column)."""

    delimiter: str
    date_format: str


CSV = CsvDialect(",", ISO_DATE)
CSV_EXCEL_FR = CsvDialect(";", FRENCH_DATE)


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
    """One list per row, as they come (the rows may be streamed): text, and
    `date` objects (or None) in the date columns."""
    for row in rows:
        s = row.standing
        line = [
            row.last_name,
            row.first_name,
            row.email,
            row.unit_label,
            row.requirement.title,
            str(s.status_label),
            timezone.localdate(s.completed_at) if s.completed_at else None,
            s.valid_until,
            s.due_date,
            s.certificate_code or "",
            s.verification_url or "",
        ]
        if register:
            line.insert(3, row.pseudonym)
        yield line


def _csv_cell(value, dialect: CsvDialect) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.strftime(dialect.date_format)
    return csv_text(str(value))


def to_csv(header: list[str], body: Iterable[list], *, dialect=CSV) -> bytes:
    return b"".join(csv_chunks(header, body, dialect=dialect))


def csv_chunks(
    header: list[str], body: Iterable[list], *, dialect=CSV, lines: int = 1000
):
    """The CSV as encoded chunks of `lines` lines, for a streaming response."""
    out = io.StringIO()
    out.write("\ufeff")  # BOM: Excel reads UTF-8
    writer = csv.writer(out, delimiter=dialect.delimiter)
    writer.writerow(header)
    for count, line in enumerate(body, start=1):
        writer.writerow([_csv_cell(v, dialect) for v in line])
        if count % lines == 0:
            yield out.getvalue().encode("utf-8")
            out.seek(0)
            out.truncate()
    yield out.getvalue().encode("utf-8")


def _width(value) -> int:
    return 10 if isinstance(value, date) else len(str(value or ""))


def to_xlsx(header: list[str], body: list[list], *, title: str) -> bytes:
    """The rows as a workbook: dates are date cells, in the reader's format."""
    number_format = XLSX_DATE.get(get_language() or "", "YYYY-MM-DD")
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for line in body:
        sheet.append([v if isinstance(v, date) else xlsx_text(v) for v in line])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, date | datetime):
                cell.number_format = number_format
    sheet.freeze_panes = "A2"
    for index, name in enumerate(header, start=1):
        width = max([len(name)] + [_width(line[index - 1]) for line in body[:200]])
        sheet.column_dimensions[sheet.cell(1, index).column_letter].width = min(
            width + 2, 60
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
