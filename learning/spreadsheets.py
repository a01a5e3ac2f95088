"""Text cells that spreadsheet software shows as text and never runs as a formula.

Every CSV or XLSX file Atelier writes (compliance exports, analytics tables,
the learning-records CSV) passes its text cells through here: a name, a unit or
an activity id starting with `=` must not become a formula on a manager's or a
researcher's computer (OWASP, "CSV Injection").
"""

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

#: What makes Excel, LibreOffice or Google Sheets read a cell as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_text(value):
    """A CSV cell: text that would start a formula is preceded by an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def xlsx_text(value):
    """An XLSX cell: as csv_text(), without the control characters XLSX cannot hold."""
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    return csv_text(value)
