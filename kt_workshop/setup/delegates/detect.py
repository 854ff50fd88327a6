"""Telling what an uploaded file is, and opening it as numbered rows of raw cell values.

The kind is told from the content, never the name: an xlsx zip is measured before it is opened
(zip bombs), old .xls, .ods, images and PDFs get a message saying what to do, and CSV text has
its encoding and separator guessed.
"""

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Iterator

import openpyxl
from openpyxl.utils import range_boundaries

from kt_workshop.i18n import _, lazy_
from kt_workshop.setup.delegates.fields import _QUOTED_DANGER, _FileProblem, _Formula
from kt_workshop.setup.delegates.headings import HEADER_ROWS, _fields_in, _is_name_heading

MAX_BYTES = 20 * 1024 * 1024
# An xlsx of 20 MB unpacks to a few hundred MB at most; a zip bomb claims far more.
MAX_UNPACKED = 300 * 1024 * 1024
MAX_MEMBERS = 1_000
_MAGIC = {b"\x89PNG": "PNG", b"\xff\xd8\xff": "JPEG", b"GIF8": "GIF", b"%PDF": "PDF"}
_MERGE_REF = re.compile(rb'<(?:\w+:)?mergeCell\s[^>]*?\bref="([A-Za-z]+[0-9]+:[A-Za-z]+[0-9]+)"')
_XLS = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


# The Windows code pages Excel saves "CSV" in outside UTF-8, and the languages written in each:
# a file that is not UTF-8 is read in the one of the workshop's language (the preview can
# switch it).
CODE_PAGES = {
    "cp1250": lazy_("Central European (Windows-1250)"),
    "cp1251": lazy_("Cyrillic (Windows-1251)"),
    "cp1252": lazy_("Western European (Windows-1252)"),
    "cp1253": lazy_("Greek (Windows-1253)"),
    "cp1254": lazy_("Turkish (Windows-1254)"),
    "cp1257": lazy_("Baltic (Windows-1257)"),
}
LANGUAGE_CODE_PAGES = {
    **dict.fromkeys(("pl", "cs", "sk", "hu", "sl", "hr", "ro", "bs", "sq"), "cp1250"),
    **dict.fromkeys(("ru", "uk", "bg", "be", "sr", "mk"), "cp1251"),
    "el": "cp1253",
    **dict.fromkeys(("tr", "az"), "cp1254"),
    **dict.fromkeys(("et", "lv", "lt"), "cp1257"),
}


def fallback_encoding(language: str | None) -> str:
    """The code page a non-UTF-8 CSV of a workshop in this language is most likely in."""
    base = (language or "").replace("_", "-").split("-")[0].lower()
    return LANGUAGE_CODE_PAGES.get(base, "cp1252")


def _open_rows(
    data: bytes, notices: list[str], fallback: str = "cp1250"
) -> tuple[Iterator[tuple[int, list]], list]:
    """The rows of the file as (row number, cell values) and its merged cell ranges; a CSV
    that is not UTF-8 is read in the `fallback` code page."""
    if not data:
        raise _FileProblem(_("The file is empty."))
    if len(data) > MAX_BYTES:
        raise _FileProblem(
            _(
                "The file is larger than %(mb)s MB; split it into smaller files.",
                mb=MAX_BYTES // (1024 * 1024),
            )
        )
    if data.startswith(_XLS):
        raise _FileProblem(
            _(
                "This is an old Excel 97-2003 workbook (.xls) or a password-protected file. Open it"
                " in Excel or LibreOffice and save it, without a password, as .xlsx or CSV."
            )
        )
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _xlsx_rows(data, notices)
    for magic, kind in _MAGIC.items():
        if data.startswith(magic):
            raise _FileProblem(
                _(
                    "This file is not a spreadsheet (it is a %(kind)s file). Upload the delegate"
                    " list as .xlsx or CSV.",
                    kind=kind,
                )
            )
    return _csv_rows(_decode(data, notices, fallback)), []


def _not_a_spreadsheet() -> _FileProblem:
    """The problem for a file that is neither an xlsx workbook nor CSV text."""
    return _FileProblem(
        _(
            "This file is not a spreadsheet that can be read. Save the delegate list from Excel or"
            " LibreOffice as .xlsx (Excel workbook) or CSV and upload that."
        )
    )


def _xlsx_rows(data: bytes, notices: list[str]) -> tuple[Iterator[tuple[int, list]], list]:
    """The rows of the open sheet of a workbook, after checking the zip it comes in."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise _not_a_spreadsheet() from error
    if len(members) > MAX_MEMBERS or sum(m.file_size for m in members) > MAX_UNPACKED:
        raise _FileProblem(
            _("This file unpacks to far more than a delegate list can hold, so it was not opened.")
        )
    # zipfile stops at each member's declared size, so the sum above bounds what can unpack.
    names = {m.filename for m in members}
    try:
        mimetype = archive.read("mimetype")[:100] if "mimetype" in names else b""
    except Exception as error:  # encrypted or broken member
        raise _not_a_spreadsheet() from error
    if mimetype.startswith(b"application/vnd.oasis"):
        raise _FileProblem(
            _("This is an OpenDocument file (.ods). Save it from LibreOffice as .xlsx or CSV.")
        )
    if not {"[Content_Types].xml", "xl/workbook.xml"} <= names:
        raise _not_a_spreadsheet()
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        sheet = workbook.active
        if not hasattr(sheet, "iter_rows"):  # the open sheet is a chart
            sheet = workbook.worksheets[0]
        # Some programs write a wrong size into the sheet; read what is really there.
        sheet.reset_dimensions()
        merges = _merged_ranges(archive, getattr(sheet, "_worksheet_path", None))
    except Exception as error:
        raise _damaged() from error
    if len(workbook.sheetnames) > 1:
        notices.append(
            _(
                "Only the sheet '%(sheet)s' was read; the workbook has %(n)s sheets.",
                sheet=sheet.title,
                n=len(workbook.sheetnames),
            )
        )
    return _sheet_rows(sheet), merges


def _damaged() -> _FileProblem:
    """The problem for a workbook that openpyxl cannot read."""
    return _FileProblem(
        _(
            "This spreadsheet could not be read; it may be damaged. Open it in Excel or"
            " LibreOffice, save it again as .xlsx and upload that."
        )
    )


def _merged_ranges(archive: zipfile.ZipFile, path: str | None) -> list:
    """Merged cell ranges of a sheet as (min_col, min_row, max_col, max_row)."""
    if not path:
        return []
    xml = archive.read(path.lstrip("/"))
    # Read-only openpyxl does not report merges. They follow the cells in the sheet's XML, where
    # cell text cannot hold a literal "<", so a search of the tail finds them without parsing
    # the whole sheet a second time.
    tail = xml[xml.rfind(b"sheetData>") + 1 :]
    return [range_boundaries(ref.decode()) for ref in _MERGE_REF.findall(tail)]


def _sheet_rows(sheet) -> Iterator[tuple[int, list]]:
    """Numbered rows of cell values; formula cells come as _Formula."""
    try:
        for number, cells in enumerate(sheet.iter_rows(), start=1):
            values = []
            for cell in cells:
                value = cell.value
                if cell.data_type == "f":
                    text = getattr(value, "text", value)
                    value = _Formula(text if isinstance(text, str) else "=")
                values.append(value)
            yield number, values
    except Exception as error:
        raise _damaged() from error


def _decode(data: bytes, notices: list[str], fallback: str = "cp1250") -> str:
    """The text of a CSV file: UTF-8 (with or without BOM), UTF-16, else the fallback code
    page."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as error:
            raise _not_a_spreadsheet() from error
    if b"\x00" in data:
        raise _not_a_spreadsheet()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel saves "CSV" in the Windows code page of its language, not UTF-8.
        fallback = fallback if fallback in CODE_PAGES else "cp1252"
        text = data.decode(fallback, errors="replace")
        notices.append(
            _(
                "The file is not UTF-8; it was read as %(name)s."
                " Check that names with accents look right; if they do not, choose another"
                " encoding and check the file again.",
                name=CODE_PAGES[fallback],
            )
        )
    sample = text[:65536]
    if sum(1 for ch in sample if ch < " " and ch not in "\t\r\n\f") > len(sample) // 100:
        raise _not_a_spreadsheet()
    return text


def _csv_rows(text: str) -> Iterator[tuple[int, list]]:
    """Numbered CSV records, the separator guessed from the header among , ; and tab."""
    match = re.match(r"sep=(.)\r?\n", text)  # Excel's own hint line
    if match:
        text, delimiter = text[match.end() :], match.group(1)
    else:
        delimiter = _sniff(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for number, record in enumerate(reader, start=1):
            yield number, [_unquote(value) for value in record]
    except csv.Error as error:
        raise _FileProblem(
            _(
                "Line %(line)s of the CSV file cannot be read: %(error)s",
                line=reader.line_num,
                error=str(error),
            )
        ) from error


def _sniff(text: str) -> str:
    """The separator that gives the best header in the first rows."""
    sample = text[:65536]
    best, best_score = ",", (False, 0, 0)
    for delimiter in (",", ";", "\t"):
        rows = csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter)
        score = (False, 0, 0)
        try:
            for _row_number, values in zip(range(HEADER_ROWS), rows, strict=False):
                has_name = any(_is_name_heading(v) for v in values)
                score = max(score, (has_name, len(_fields_in(values)), len(values)))
        except csv.Error:
            continue
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _unquote(value: str) -> str:
    """A CSV value without the apostrophe an export put before formula-like text."""
    value = value.strip()
    if _QUOTED_DANGER.match(value):
        value = value[1:].strip()
    return value
