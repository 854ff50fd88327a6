"""Delegate lists in and out: read an organiser's xlsx or CSV, write one they can re-import.

Pure functions, no Flask: the roster views, the API, the CLI and the tests call them alike.
Every upload is treated as hostile. Its kind is told from its content, a zip is measured before
it is opened, each row is checked on its own (a bad row is reported and never half-imported),
and no text is ever written where a spreadsheet would run it as a formula (OWASP, CSV
injection).
"""

import codecs
import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import openpyxl
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter, range_boundaries

from kt_workshop.i18n import _, lazy_

MAX_ROWS = 10_000
MAX_BYTES = 20 * 1024 * 1024
MAX_TEXT = 200
HEADER_ROWS = 20
# An xlsx of 20 MB unpacks to a few hundred MB at most; a zip bomb claims far more.
MAX_UNPACKED = 300 * 1024 * 1024
MAX_MEMBERS = 1_000

FIELDS = ("name", "organisation", "country", "sector", "role", "language", "attendance", "consent")
TEXT_FIELDS = FIELDS[:6]
ATTENDANCE = ("registered", "attended", "absent")
# Export headings stay English in every locale so that any exported file imports again.
HEADINGS = dict(
    zip(
        FIELDS,
        ("Name", "Organisation", "Country", "Sector", "Role", "Language", "Attendance", "Consent"),
        strict=True,
    )
)
LABELS = {
    "name": lazy_("Name"), "organisation": lazy_("Organisation"), "country": lazy_("Country"),
    "sector": lazy_("Sector"), "role": lazy_("Role"), "language": lazy_("Language"),
    "attendance": lazy_("Attendance"), "consent": lazy_("Consent"),
}  # fmt: skip

_SYNONYMS = {
    "name": ("name", "full name", "name or pseudonym", "pseudonym", "delegate", "delegate name",
             "participant", "participant name", "imię i nazwisko", "uczestnik",
             "vollständiger name", "teilnehmer", "teilnehmerin"),
    "organisation": ("organisation", "organization", "organisation name", "organization name",
                     "organisation/agency", "organization/agency", "agency", "institution",
                     "employer", "affiliation", "organizacja", "instytucja", "einrichtung"),
    "country": ("country", "nation", "kraj", "państwo", "land"),
    "sector": ("sector", "sektor", "branche"),
    "role": ("role", "job title", "position", "funkcja", "stanowisko", "rolle", "funktion"),
    "language": ("language", "languages", "język", "języki", "sprache", "sprachen"),
    "attendance": ("attendance", "attended", "present", "obecność", "anwesenheit"),
    "consent": ("consent", "photo consent", "data consent", "zgoda", "einwilligung"),
    # Split names are joined into the name when the file has no full-name column.
    "first": ("first name", "given name", "forename", "imię", "vorname"),
    "last": ("last name", "surname", "family name", "nazwisko", "nachname"),
}  # fmt: skip
_ATTENDANCE_WORDS = {
    "registered": ("registered", "zarejestrowany", "zarejestrowana", "angemeldet"),
    "attended": ("attended", "present", "yes", "y", "true", "1", "x", "✓", "✔", "tak", "ja",
                 "obecny", "obecna", "anwesend"),
    "absent": ("absent", "no", "n", "false", "0", "nie", "nein", "no-show", "nieobecny",
               "nieobecna", "abwesend"),
}  # fmt: skip
_CONSENT_WORDS = {
    True: ("yes", "y", "true", "1", "x", "✓", "✔", "tak", "ja"),
    False: ("no", "n", "false", "0", "nie", "nein"),
}
_DANGEROUS = "=+-@\t\r\n"
_QUOTED_DANGER = re.compile(r"'+[=+\-@\t\r\n]")
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
_MAGIC = {b"\x89PNG": "PNG", b"\xff\xd8\xff": "JPEG", b"GIF8": "GIF", b"%PDF": "PDF"}
_MERGE_REF = re.compile(rb'<(?:\w+:)?mergeCell\s[^>]*?\bref="([A-Za-z]+[0-9]+:[A-Za-z]+[0-9]+)"')
_XLS = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass
class ImportRow:
    """A row that can be imported: its number as the spreadsheet shows it and the delegate."""

    row: int
    delegate: dict


@dataclass
class RejectedRow:
    """A row that cannot be imported, every reason why, and its cells keyed like the preview."""

    row: int
    reasons: list[str]
    values: dict[str, str]


@dataclass
class ImportPreview:
    """What an import would do; values are keyed by field (columns) or heading (extra_columns)."""

    rows: list[ImportRow] = field(default_factory=list)
    rejected: list[RejectedRow] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    extra_columns: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when nothing is fatally wrong and at least one row can be imported."""
        return not self.file_errors and bool(self.rows)


class _FileProblem(Exception):
    """Nothing in the file can be imported; the message says why."""


class _Formula(str):
    """The text of a formula cell, kept apart from text that merely starts with '='."""


@dataclass
class _Layout:
    """Which columns feed which field, found from the header row."""

    header_row: int
    fields: dict[str, list[int]]
    extras: dict[str, list[int]]


def _key(text: str) -> str:
    """A heading reduced to letters and digits, without case or accents."""
    text = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in text if ch.isalnum())


_FIELD_BY_KEY = {_key(word): name for name, words in _SYNONYMS.items() for word in words}


def _field_for(heading: str) -> str | None:
    """The standard field a heading means, also when it carries a hint like '(yes/no)'."""
    found = _FIELD_BY_KEY.get(_key(heading))
    if found is None:
        found = _FIELD_BY_KEY.get(_key(re.sub(r"\(.*?\)|\[.*?\]", "", heading)))
    return found


def _clean(text: str) -> str:
    """Text with one kind of line break, no XML-illegal control characters, no outer spaces."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _ILLEGAL.sub("", text).strip()


def _cell_text(value) -> str:
    """What a cell shows, as text: 12345.0 is '12345', a date is its ISO form."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime) and value.time() == time(0):
        return value.date().isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    return _clean(str(value))


def _blank(value) -> bool:
    """True for a cell that holds nothing but spaces."""
    return value is None or (isinstance(value, str) and not value.strip())


def _is_name_heading(heading) -> bool:
    """True when a heading can give the delegate's name."""
    return isinstance(heading, str) and _field_for(heading) in ("name", "last")


def _fields_in(values: list) -> set[str]:
    """The standard fields a row of headings names."""
    return {_field_for(v) for v in values if isinstance(v, str)} - {None}


# Reading the file -----------------------------------------------------------------------------


def _open_rows(data: bytes, notices: list[str]) -> tuple[Iterator[tuple[int, list]], list]:
    """The rows of the file as (row number, cell values) and its merged cell ranges."""
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
    return _csv_rows(_decode(data, notices)), []


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


def _decode(data: bytes, notices: list[str]) -> str:
    """The text of a CSV file: UTF-8 (with or without BOM), UTF-16 or Windows-1250."""
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
        # Excel in Central Europe saves "CSV" in the Windows code page, not UTF-8.
        text = data.decode("cp1250", errors="replace")
        notices.append(
            _(
                "The file is not UTF-8; it was read as Windows-1250 (Central European)."
                " Check that names with accents look right."
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


# Understanding the rows -------------------------------------------------------------------------


def _spread_merges(rows: Iterator[tuple[int, list]], merges: list) -> Iterator[tuple[int, list]]:
    """Rows with the value of a cell merged downwards repeated in the rows it covers."""
    starts: dict[int, list] = {}
    for min_col, min_row, _max_col, max_row in merges:
        if max_row > min_row:
            starts.setdefault(min_row, []).append((min_col - 1, max_row))
    active: list[tuple[int, int, object]] = []
    for number, values in rows:
        if active:
            active = [span for span in active if span[1] >= number]
            for column, _last, value in active:
                if column >= len(values):
                    values.extend([None] * (column + 1 - len(values)))
                if values[column] is None:
                    values[column] = value
        for column, last in starts.get(number, ()):
            if column < len(values):
                active.append((column, last, values[column]))
        yield number, values


def _find_header(head: list[tuple[int, list]], merges: list) -> tuple[int, list[str]]:
    """The header row number and its headings (index = column)."""
    for index, (number, values) in enumerate(head):
        if number > HEADER_ROWS:
            break
        if not any(_is_name_heading(v) for v in values):
            continue
        following_number, following = head[index + 1] if index + 1 < len(head) else (0, [])
        if any(_is_name_heading(v) for v in following) and len(_fields_in(following)) > len(
            _fields_in(values)
        ):
            # The first row only labelled groups of columns; the real headings are below.
            return following_number, [_cell_text(v) for v in following]
        headings = [_cell_text(v) for v in values]
        below = [r for r in merges if r[1] <= number < r[3]]
        bottom = max((r[3] for r in below), default=number)
        if bottom == number and _is_subheader(values, following, number, merges):
            bottom = number + 1
        for lower_number, lower in head[index + 1 : index + 1 + bottom - number]:
            # Headings merged over two rows, or sub-headings under a merged group heading.
            headings.extend([""] * (len(lower) - len(headings)))
            for column, value in enumerate(lower):
                if not _blank(value):
                    headings[column] = _cell_text(value)
            number = lower_number
        return number, headings
    raise _no_name_column()


def _no_name_column() -> _FileProblem:
    """The problem for a file without a heading that gives the delegate's name."""
    return _FileProblem(
        _(
            "No column for the delegate's name was found. Expected a heading such"
            " as Name or Pseudonym."
        )
    )


def _is_subheader(values: list, following: list, number: int, merges: list) -> bool:
    """True when the next row only holds sub-headings under headings merged across columns."""
    grouped = {
        column - 1
        for min_col, min_row, max_col, max_row in merges
        if min_row <= number <= max_row
        and max_col > min_col
        and not _is_name_heading(values[min_col - 1] if min_col <= len(values) else None)
        for column in range(min_col, max_col + 1)
    }
    filled = [i for i, v in enumerate(following) if not _blank(v)]
    return bool(filled) and all(i in grouped and isinstance(following[i], str) for i in filled)


def _layout(number: int, headings: list[str], merges: list, notices: list[str]) -> _Layout:
    """Map each column to a field or an extra column; cells merged across join their texts."""
    across = [r for r in merges if r[1] <= number <= r[3] and r[2] > r[0]]
    width = max([len(headings), *(r[2] for r in across)])
    headings = headings + [""] * (width - len(headings))
    groups: dict[int, list[int]] = {i: [i] for i in range(width)}
    for min_col, _min_row, max_col, _max_row in across:
        if min_col - 1 in groups:
            for column in range(min_col, max_col):
                groups.pop(column, None)
                groups[min_col - 1].append(column)
    fields: dict[str, list[int]] = {}
    extras: dict[str, list[int]] = {}
    first_seen: dict[tuple[str, str | None], tuple[int, str]] = {}
    for start, columns in groups.items():
        heading = headings[start]
        if not heading:
            continue
        name = _field_for(heading)
        target = ("field", name) if name else ("extra", heading.casefold())
        if target in first_seen:
            other, other_heading = first_seen[target]
            raise _FileProblem(
                _(
                    "Columns %(first)s ('%(h1)s') and %(second)s ('%(h2)s') both hold %(field)s."
                    " Delete or rename one of them.",
                    first=get_column_letter(other + 1),
                    h1=other_heading,
                    second=get_column_letter(start + 1),
                    h2=heading,
                    field=LABELS.get(name, heading),
                )
            )
        first_seen[target] = (start, heading)
        if name:
            fields[name] = columns
        else:
            extras[heading] = columns
        if len(columns) > 1:
            notices.append(
                _(
                    "Columns %(first)s to %(last)s share the heading '%(heading)s'; their texts are"
                    " joined.",
                    first=get_column_letter(columns[0] + 1),
                    last=get_column_letter(columns[-1] + 1),
                    heading=heading,
                )
            )
    first, last = fields.pop("first", None), fields.pop("last", None)
    if "name" not in fields:
        if not last:
            raise _no_name_column()
        fields["name"] = (first or []) + last
        if first:
            notices.append(
                _(
                    "The name is made from the columns '%(first)s' and '%(last)s'.",
                    first=headings[first[0]],
                    last=headings[last[0]],
                )
            )
    else:
        for part in (first, last):
            if part:
                extras[headings[part[0]]] = part
    for heading in extras:
        notices.append(
            _(
                "Column '%(heading)s' is not a standard field; it will be kept as an extra column.",
                heading=heading,
            )
        )
    order = sorted(fields, key=lambda f: fields[f][0])
    return _Layout(number, {f: fields[f] for f in order}, extras)


def _person_key(name: str, organisation: str) -> tuple[str, str]:
    """Name and organisation compared without case or extra spaces."""
    return " ".join(name.casefold().split()), " ".join(organisation.casefold().split())


def _check_row(number: int, values: list, layout: _Layout) -> tuple[dict, list[str], dict]:
    """The delegate a row describes, the reasons it cannot be imported, and its cell texts."""
    reasons: list[str] = []
    texts: dict[str, str] = {}

    def gather(columns: list[int], label) -> str:
        """The text of a field's cells, noting formulas and dates that do not belong."""
        parts = []
        for column in columns:
            value = values[column] if column < len(values) else None
            if isinstance(value, str) and not isinstance(value, _Formula):
                parts.append(_clean(value))
                continue
            cell = f"{get_column_letter(column + 1)}{number}"
            if isinstance(value, _Formula):
                reasons.append(
                    _(
                        "Row %(row)s: cell %(cell)s is a formula; type the value instead.",
                        row=number,
                        cell=cell,
                    )
                )
            elif label is not None and isinstance(value, date | time | timedelta):
                reasons.append(
                    _(
                        "Row %(row)s: cell %(cell)s holds a date or time, which does"
                        " not fit %(field)s.",
                        row=number,
                        cell=cell,
                        field=label,
                    )
                )
            parts.append(_cell_text(value))
        return parts[0] if len(parts) == 1 else " ".join(part for part in parts if part)

    for name, columns in layout.fields.items():
        texts[name] = gather(columns, LABELS[name])
    extra = {heading: gather(columns, None) for heading, columns in layout.extras.items()}
    texts.update(extra)
    delegate = {name: texts.get(name, "") for name in TEXT_FIELDS}
    if not delegate["name"]:
        reasons.append(_("Row %(row)s: the name is missing.", row=number))
    for name in TEXT_FIELDS:
        if len(delegate[name]) > MAX_TEXT:
            reasons.append(
                _(
                    "Row %(row)s: %(field)s is longer than %(limit)s characters (%(n)s).",
                    row=number,
                    field=LABELS[name],
                    limit=MAX_TEXT,
                    n=len(delegate[name]),
                )
            )
    delegate["attendance"] = _word(texts.get("attendance", ""), _ATTENDANCE_WORDS, "registered")
    if delegate["attendance"] is None:
        reasons.append(
            _(
                "Row %(row)s: attendance '%(value)s' is not understood; use registered,"
                " attended or absent.",
                row=number,
                value=texts["attendance"],
            )
        )
    delegate["consent"] = _word(texts.get("consent", ""), _CONSENT_WORDS, None)
    if texts.get("consent") and delegate["consent"] is None:
        reasons.append(
            _(
                "Row %(row)s: consent '%(value)s' is not understood; use yes or no, or"
                " leave it empty.",
                row=number,
                value=texts["consent"],
            )
        )
    delegate["extra"] = extra
    return delegate, reasons, texts


def _word(text: str, words: dict, empty):
    """The value a yes/no-like word stands for, `empty` for no text, None when not understood."""
    if not text:
        return empty
    text = text.casefold()
    return next((value for value, spellings in words.items() if text in spellings), None)


def read_delegates(filename: str, data: bytes, existing: Iterable[dict] = ()) -> ImportPreview:
    """Check a delegate list (xlsx or CSV, told apart by content) and preview its import."""
    preview = ImportPreview()
    try:
        _read_into(preview, data, existing)
    except _FileProblem as problem:
        preview.file_errors.append(str(problem))
        preview.rows.clear()
        preview.rejected.clear()
    return preview


def _read_into(preview: ImportPreview, data: bytes, existing: Iterable[dict]) -> None:
    """Fill the preview row by row; a _FileProblem stops everything."""
    rows, merges = _open_rows(data, preview.notices)
    rows = _spread_merges(rows, merges)
    head = []
    for number, values in rows:
        head.append((number, values))
        if number > HEADER_ROWS + 1:
            break
    if not any(not _blank(v) for _n, values in head for v in values):
        raise _FileProblem(_("The file has no rows to import."))
    header_row, headings = _find_header(head, merges)
    layout = _layout(header_row, headings, merges, preview.notices)
    preview.columns = list(layout.fields)
    preview.extra_columns = list(layout.extras)
    used = {c for columns in [*layout.fields.values(), *layout.extras.values()] for c in columns}
    known = {_person_key(p.get("name") or "", p.get("organisation") or "") for p in existing}
    seen: dict[tuple[str, str], int] = {}
    ignored: set[int] = set()
    count = 0
    for number, values in _chain(head, rows):
        if number <= header_row:
            continue
        if all(_blank(values[c]) for c in used if c < len(values)):
            ignored.update(i for i, v in enumerate(values) if not _blank(v))
            continue
        ignored.update(i for i, v in enumerate(values) if i not in used and not _blank(v))
        count += 1
        if count > MAX_ROWS:
            raise _FileProblem(
                _(
                    "The file has more than %(limit)s delegates. Split it into"
                    " files of at most %(limit)s rows.",
                    limit=f"{MAX_ROWS:,}",
                )
            )
        delegate, reasons, texts = _check_row(number, values, layout)
        if delegate["name"]:
            key = _person_key(delegate["name"], delegate["organisation"])
            if key in seen:
                reasons.append(
                    _(
                        "Row %(row)s: duplicate of row %(other)s (same name and organisation).",
                        row=number,
                        other=seen[key],
                    )
                )
            elif key in known:
                reasons.append(
                    _(
                        "Row %(row)s: %(name)s is already in this workshop (same name"
                        " and organisation).",
                        row=number,
                        name=delegate["name"],
                    )
                )
            seen.setdefault(key, number)
        if reasons:
            preview.rejected.append(RejectedRow(number, reasons, texts))
        else:
            preview.rows.append(ImportRow(number, delegate))
    for column in sorted(ignored - used):
        preview.notices.append(
            _(
                "Column %(column)s has no heading; its data was ignored.",
                column=get_column_letter(column + 1),
            )
        )
    if not count:
        raise _FileProblem(_("The file has headings but no delegates below them."))


def _chain(head: list, rows: Iterator) -> Iterator[tuple[int, list]]:
    """The buffered first rows, then the rest."""
    yield from head
    yield from rows


# Writing ----------------------------------------------------------------------------------------


def _table(delegates: list[dict]) -> tuple[list[str], list[list[str]]]:
    """Headings and text rows: the standard fields, then every extra column in first-seen order."""
    extras: dict[str, None] = {}
    for person in delegates:
        extras.update(dict.fromkeys(person.get("extra") or {}))
    headings = [HEADINGS[f] for f in FIELDS] + list(extras)
    rows = []
    for person in delegates:
        row = [str(person.get(f) or "") for f in TEXT_FIELDS]
        row.append(str(person.get("attendance") or "registered"))
        row.append({True: "yes", False: "no"}.get(person.get("consent"), ""))
        extra = person.get("extra") or {}
        row.extend(_cell_text(extra.get(h)) for h in extras)
        rows.append(row)
    return headings, rows


def _csv_safe(text: str) -> str:
    """Text a spreadsheet will not run: formula-like text gets a leading apostrophe."""
    if (text and text[0] in _DANGEROUS) or _QUOTED_DANGER.match(text):
        return "'" + text
    return text


def write_delegates_csv(delegates: list[dict]) -> bytes:
    """The delegates as a UTF-8 CSV (with BOM, so Excel reads accents) that imports again."""
    headings, rows = _table(delegates)
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    for row in [headings, *rows]:
        writer.writerow([_csv_safe(_clean(text)) for text in row])
    return codecs.BOM_UTF8 + out.getvalue().encode("utf-8")


def write_delegates_xlsx(delegates: list[dict]) -> bytes:
    """The delegates as an Excel workbook: bold frozen header, filter, every cell plain text."""
    headings, rows = _table(delegates)
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
