"""Reading a delegate list into an import preview: each row checked on its own, with reasons.

A bad row is reported and never half-imported; a problem with the whole file stops everything
and is the preview's only error.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, time, timedelta

from openpyxl.utils import get_column_letter

from kt_workshop.i18n import _, local_number
from kt_workshop.setup.delegates.detect import _open_rows
from kt_workshop.setup.delegates.fields import (
    LABELS,
    TEXT_FIELDS,
    _blank,
    _cell_text,
    _clean,
    _FileProblem,
    _Formula,
)
from kt_workshop.setup.delegates.headings import HEADER_ROWS, _find_header, _Layout, _layout

MAX_ROWS = 10_000
MAX_TEXT = 200
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
    if texts.get("group"):  # the group's name; the import matches it to a table or group
        delegate["group"] = texts["group"]
    return delegate, reasons, texts


def _word(text: str, words: dict, empty):
    """The value a yes/no-like word stands for, `empty` for no text, None when not understood."""
    if not text:
        return empty
    text = text.casefold()
    return next((value for value, spellings in words.items() if text in spellings), None)


def read_delegates(
    filename: str, data: bytes, existing: Iterable[dict] = (), encoding: str = "cp1250"
) -> ImportPreview:
    """Check a delegate list (xlsx or CSV, told apart by content) and preview its import; a
    CSV that is not UTF-8 is read in the `encoding` code page (see `fallback_encoding`)."""
    preview = ImportPreview()
    try:
        _read_into(preview, data, existing, encoding)
    except _FileProblem as problem:
        preview.file_errors.append(str(problem))
        preview.rows.clear()
        preview.rejected.clear()
    return preview


def _read_into(
    preview: ImportPreview, data: bytes, existing: Iterable[dict], encoding: str = "cp1250"
) -> None:
    """Fill the preview row by row; a _FileProblem stops everything."""
    rows, merges = _open_rows(data, preview.notices, encoding)
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
                    limit=local_number(MAX_ROWS),
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
