"""Writing delegate lists as CSV or xlsx that import again exactly.

No text is ever written where a spreadsheet would run it as a formula (OWASP, CSV injection).
"""

import codecs
import csv
import io

import openpyxl
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from kt_workshop.setup.delegates.fields import (
    _QUOTED_DANGER,
    FIELDS,
    HEADINGS,
    TEXT_FIELDS,
    _cell_text,
    _clean,
)

_DANGEROUS = "=+-@\t\r\n"


def _table(
    delegates: list[dict], groups: dict[int, str] | None = None
) -> tuple[list[str], list[list[str]]]:
    """Headings and text rows: the standard fields, the group (when `groups` names each table
    id), then every extra column in first-seen order."""
    extras: dict[str, None] = {}
    for person in delegates:
        extras.update(dict.fromkeys(person.get("extra") or {}))
    headings = [HEADINGS[f] for f in FIELDS] + (["Group"] if groups is not None else [])
    headings += list(extras)
    rows = []
    for person in delegates:
        row = [str(person.get(f) or "") for f in TEXT_FIELDS]
        row.append(str(person.get("attendance") or "registered"))
        row.append({True: "yes", False: "no"}.get(person.get("consent"), ""))
        if groups is not None:
            row.append(groups.get(person.get("table_id"), ""))
        extra = person.get("extra") or {}
        row.extend(_cell_text(extra.get(h)) for h in extras)
        rows.append(row)
    return headings, rows


def _csv_safe(text: str) -> str:
    """Text a spreadsheet will not run: formula-like text gets a leading apostrophe."""
    if (text and text[0] in _DANGEROUS) or _QUOTED_DANGER.match(text):
        return "'" + text
    return text


def write_delegates_csv(delegates: list[dict], groups: dict[int, str] | None = None) -> bytes:
    """The delegates as a UTF-8 CSV (with BOM, so Excel reads accents) that imports again;
    with `groups` (table id -> name), a Group column too."""
    headings, rows = _table(delegates, groups)
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    for row in [headings, *rows]:
        writer.writerow([_csv_safe(_clean(text)) for text in row])
    return codecs.BOM_UTF8 + out.getvalue().encode("utf-8")


def write_delegates_xlsx(delegates: list[dict], groups: dict[int, str] | None = None) -> bytes:
    """The delegates as an Excel workbook: bold frozen header, filter, every cell plain text;
    with `groups` (table id -> name), a Group column too."""
    headings, rows = _table(delegates, groups)
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Delegates"
    bold = Font(bold=True)
    widths = [len(h) for h in headings]
    for row_number, row in enumerate([headings, *rows], start=1):
        for column, text in enumerate(row, start=1):
            text = _clean(text)
            if not text:
                continue
            cell = sheet.cell(row_number, column, text)
            # openpyxl would store text starting with "=" as a formula.
            cell.data_type = "s"
            if row_number == 1:
                cell.font = bold
            widths[column - 1] = max(widths[column - 1], len(text.partition("\n")[0]))
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = min(max(width + 2, 10), 50)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(headings))}{len(rows) + 1}"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
