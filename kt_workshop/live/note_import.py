"""Notes typed up after the day (from paper, in xlsx or CSV), checked row by row before import.

Pure reading, no Flask and no writing: `read_notes` turns a file into a preview of the notes it
would add and the rows it cannot take, each with every reason why, exactly as the delegate
import does (and with the same file detection: a file's kind is told from its content, a zip is
measured before it is opened, a formula cell is never taken as text). `context_of` gathers
what a file is checked against: the programme, the tables, and the plan.

The columns are block, round, table, question, kind and text. A block is its title or its
number in the day; a round its number within the block; a table its name or its number in the
organiser's order; a question its text or its number within the block, and may be left empty
when the plan says which question the table discussed in that round.
"""

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from openpyxl.utils import get_column_letter
from sqlite_utils import Database

from kt_workshop import store
from kt_workshop.i18n import _, lazy_, list_of, local_number
from kt_workshop.live import notes
from kt_workshop.plan.store import day_rounds
from kt_workshop.setup.delegates.detect import _MAGIC, _csv_rows, _decode, _open_rows
from kt_workshop.setup.delegates.fields import _blank, _cell_text, _FileProblem, _Formula
from kt_workshop.setup.delegates.headings import HEADER_ROWS, _key
from kt_workshop.setup.delegates.reading import RejectedRow, _spread_merges

MAX_ROWS = 10_000
REQUIRED = ("block", "round", "table", "kind", "text")
LABELS = {
    "block": lazy_("the block"), "round": lazy_("the round"), "table": lazy_("the table"),
    "question": lazy_("the question"), "kind": lazy_("the kind"), "text": lazy_("the text"),
}  # fmt: skip
_HEADINGS = {
    "block": ("block", "session", "part of the day", "blok", "sesja", "sitzung"),
    "round": ("round", "round number", "runda", "runde"),
    "table": ("table", "group", "table or group", "stół", "stolik", "grupa", "tisch", "gruppe"),
    "question": ("question", "topic", "pytanie", "temat", "frage", "thema"),
    "kind": ("kind", "type", "category", "kind of note", "rodzaj", "typ", "kategoria", "art",
             "kategorie"),
    "text": ("text", "note", "notes", "what was said", "tekst", "notatka", "notiz"),
}  # fmt: skip
_KIND_WORDS = {
    "insight": ("insight", "insights", "spostrzeżenie", "erkenntnis"),
    "challenge": ("challenge", "challenges", "barrier", "wyzwanie", "herausforderung"),
    "good_practice": ("good practice", "good practices", "good_practice", "practice",
                      "dobra praktyka", "gute praxis"),
    "idea": ("idea", "ideas", "recommendation", "recommendations", "idea or recommendation",
             "pomysł", "rekomendacja", "idee", "empfehlung"),
    "question": ("question", "questions", "open question", "pytanie", "frage"),
    "quote": ("quote", "quotes", "quotation", "cytat", "zitat"),
}  # fmt: skip
_COLUMN_BY_KEY = {_key(word): name for name, words in _HEADINGS.items() for word in words}
_KIND_BY_KEY = {_key(word): kind for kind, words in _KIND_WORDS.items() for word in words}
_NUMBER = re.compile(r"\d{1,4}")
_ROUND = re.compile(r"\D{0,12}?(\d{1,4})")  # "2", "Round 2", "R2"


@dataclass
class NotesContext:
    """What a notes file is checked against: blocks (with rounds and questions), tables, plan.

    blocks: [{"id", "title", "rounds": [round ids in order], "questions": [{"id", "text"}]}]
    tables: [{"id", "name"}] in the organiser's order
    planned: (round id, table id) -> {"question_id", "moderator_id"} as the plan has it
    existing: (round id, table id, text compared loosely) of the notes already there
    """

    blocks: list[dict]
    tables: list[dict]
    planned: dict[tuple[int, int], dict] = field(default_factory=dict)
    existing: set[tuple[int, int, str]] = field(default_factory=set)


@dataclass
class NoteRow:
    """A row that can be imported: its number in the file, where it belongs and the note."""

    row: int
    where: str
    note: dict


@dataclass
class NotesPreview:
    """What an import would add (rows) and what it cannot take (rejected, with reasons)."""

    rows: list[NoteRow] = field(default_factory=list)
    rejected: list[RejectedRow] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when nothing is fatally wrong and at least one note can be imported."""
        return not self.file_errors and bool(self.rows)


def context_of(db: Database, workshop_id: int) -> NotesContext:
    """Read the workshop's programme, tables, plan and notes for checking a notes file."""
    blocks = [
        {
            "id": block["id"],
            "title": block["title"],
            "rounds": [r["id"] for r in block["rounds"]],
            "questions": [{"id": q["id"], "text": q["text"]} for q in block["questions"]],
        }
        for block in store.programme(db, workshop_id)
    ]
    tables = [
        {"id": t["id"], "name": t["name"]} for t in store.list_items(db, "tables", workshop_id)
    ]
    planned = {}
    for round_ in day_rounds(db, workshop_id):
        for table in tables:
            cell = notes.cell_context(db, workshop_id, round_["id"], table["id"])
            planned[(round_["id"], table["id"])] = {
                "question_id": cell["question_id"],
                "moderator_id": cell["moderator_id"],
            }
    existing = {
        (note["round_id"], note["table_id"], _loose(note["text"]))
        for note in notes.notes(db, workshop_id)
    }
    return NotesContext(blocks, tables, planned, existing)


def find_table(tables: list[dict], text: str) -> dict | None:
    """The table a name or a number (1 = the organiser's first table) stands for, or None."""
    wanted = _loose(text)
    for table in tables:
        if _loose(table["name"]) == wanted:
            return table
    if _NUMBER.fullmatch(wanted) and 1 <= int(wanted) <= len(tables):
        return tables[int(wanted) - 1]
    return None


def _loose(text: str) -> str:
    """Text compared without case or extra spaces."""
    return " ".join(str(text).casefold().split())


def read_notes(filename: str, data: bytes, context: NotesContext) -> NotesPreview:
    """Check a notes file (xlsx or CSV, told apart by content) and preview its import."""
    preview = NotesPreview()
    try:
        _read_into(preview, data, context)
    except _FileProblem as problem:
        preview.file_errors.append(str(problem))
        preview.rows.clear()
        preview.rejected.clear()
    return preview


def _read_into(preview: NotesPreview, data: bytes, context: NotesContext) -> None:
    """Fill the preview row by row; a _FileProblem stops everything."""
    rows, merges = _rows(data, preview.notices)
    rows = _spread_merges(rows, merges)
    head = []
    for number, values in rows:
        head.append((number, values))
        if number > HEADER_ROWS:
            break
    if not any(not _blank(v) for _n, values in head for v in values):
        raise _FileProblem(_("The file has no rows to import."))
    header_row, columns = _find_header(head, preview.notices)
    seen: dict[tuple, int] = {}
    count = 0
    for number, values in _chain(head, rows):
        if number <= header_row or all(
            _blank(values[c]) for c in columns.values() if c < len(values)
        ):
            continue
        count += 1
        if count > MAX_ROWS:
            raise _FileProblem(
                _(
                    "The file has more than %(limit)s notes. Split it into files of at most"
                    " %(limit)s rows.",
                    limit=local_number(MAX_ROWS),
                )
            )
        texts, reasons = _cells(number, values, columns)
        note, where = _check_row(number, texts, context, reasons)
        if not reasons:
            key = (note["round_id"], note["table_id"], _loose(note["text"]))
            if key in seen:
                reasons.append(
                    _(
                        "Row %(row)s: duplicate of row %(other)s (same round, table and text).",
                        row=number,
                        other=seen[key],
                    )
                )
            elif key in context.existing:
                reasons.append(
                    _(
                        "Row %(row)s: this note is already in the workshop (same round, table"
                        " and text).",
                        row=number,
                    )
                )
            seen.setdefault(key, number)
        if reasons:
            preview.rejected.append(RejectedRow(number, reasons, texts))
        else:
            preview.rows.append(NoteRow(number, where, note))
    if not count:
        raise _FileProblem(_("The file has headings but no notes below them."))


def _rows(data: bytes, notices: list[str]) -> tuple[Iterator[tuple[int, list]], list]:
    """The file's rows as the delegate import reads them, CSV split at a notes file's separator."""
    for magic, kind in _MAGIC.items():
        if data.startswith(magic):
            raise _FileProblem(
                _(
                    "This file is not a spreadsheet (it is a %(kind)s file). Save the notes"
                    " as .xlsx or CSV.",
                    kind=kind,
                )
            )
    rows, merges = _open_rows(data, notices)
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return rows, merges
    # The delegate reader guesses the separator from delegate headings; a note's text full of
    # commas or semicolons would fool that guess, so tell it the separator our headings show.
    text = _decode(data, [])
    if not re.match(r"sep=.\r?\n", text):
        separator = _separator(text)
        if separator:
            text = f"sep={separator}\n{text}"
    return _csv_rows(text), []


def _separator(text: str) -> str | None:
    """The separator (, ; or tab) that splits a row of the first ones into the most headings."""
    best, best_count = None, 0
    for separator in (",", ";", "\t"):
        reader = csv.reader(io.StringIO(text[:65536], newline=""), delimiter=separator)
        try:
            for _number, values in zip(range(HEADER_ROWS), reader, strict=False):
                found = len({_column_for(v) for v in values} - {None})
                if found > best_count:
                    best, best_count = separator, found
        except csv.Error:
            continue
    return best


def _column_for(heading) -> str | None:
    """The column a heading names, also when it carries a hint like '(number)'."""
    if not isinstance(heading, str):
        return None
    found = _COLUMN_BY_KEY.get(_key(heading))
    if found is None:
        found = _COLUMN_BY_KEY.get(_key(re.sub(r"\(.*?\)|\[.*?\]", "", heading)))
    return found


def _find_header(head: list[tuple[int, list]], notices: list[str]) -> tuple[int, dict[str, int]]:
    """The header row's number and the column index of each field it names."""
    for number, values in head:
        named = {_column_for(v) for v in values} - {None}
        if "text" not in named or len(named) < 3:
            continue
        columns: dict[str, int] = {}
        for index, value in enumerate(values):
            name = _column_for(value)
            if name is None:
                if not _blank(value):
                    notices.append(
                        _(
                            "Column %(column)s ('%(heading)s') is not used; it was ignored.",
                            column=get_column_letter(index + 1),
                            heading=_cell_text(value),
                        )
                    )
                continue
            if name in columns:
                raise _FileProblem(
                    _(
                        "Columns %(first)s and %(second)s both hold %(field)s. Delete or rename"
                        " one of them.",
                        first=get_column_letter(columns[name] + 1),
                        second=get_column_letter(index + 1),
                        field=LABELS[name],
                    )
                )
            columns[name] = index
        missing = [name for name in REQUIRED if name not in columns]
        if missing:
            raise _FileProblem(_missing_columns(missing))
        return number, columns
    raise _FileProblem(_missing_columns(REQUIRED))


def _missing_columns(missing) -> str:
    """The message for a file whose header lacks some of the columns a note needs."""
    return _(
        "The file has no column for %(missing)s. A notes file needs the headings block, round,"
        " table, kind and text, and may have question.",
        missing=list_of(LABELS[name] for name in missing),
    )


def _cells(number: int, values: list, columns: dict[str, int]) -> tuple[dict, list[str]]:
    """The text of each of a row's cells, and a reason for each formula among them."""
    texts, reasons = {}, []
    for name, column in columns.items():
        value = values[column] if column < len(values) else None
        if isinstance(value, _Formula):
            reasons.append(
                _(
                    "Row %(row)s: cell %(cell)s is a formula; type the value instead.",
                    row=number,
                    cell=f"{get_column_letter(column + 1)}{number}",
                )
            )
            texts[name] = str(value)
        elif isinstance(value, str):
            # A note's text is kept as written (line breaks included); control characters
            # are refused below, never silently removed.
            texts[name] = value.replace("\r\n", "\n").replace("\r", "\n").strip()
        else:
            texts[name] = _cell_text(value)
    return texts, reasons


def _check_row(number: int, texts: dict, context: NotesContext, reasons: list[str]):
    """The note a row describes and where it belongs; its problems are added to reasons."""

    def missing(name: str) -> bool:
        if texts.get(name):
            return False
        reasons.append(_("Row %(row)s: %(field)s is missing.", row=number, field=LABELS[name]))
        return True

    block = round_id = table = question_id = None
    if not missing("block"):
        block = _find_block(context.blocks, texts["block"])
        if block is None:
            reasons.append(
                _(
                    "Row %(row)s: there is no block '%(value)s'; the blocks are: %(names)s.",
                    row=number,
                    value=texts["block"],
                    names=", ".join(b["title"] for b in context.blocks) or "-",
                )
            )
    if not missing("round") and block is not None:
        match = _ROUND.fullmatch(texts["round"])
        position = int(match.group(1)) if match else 0
        if 1 <= position <= len(block["rounds"]):
            round_id = block["rounds"][position - 1]
        else:
            reasons.append(
                _(
                    "Row %(row)s: block '%(block)s' has rounds 1 to %(n)s, not '%(value)s'.",
                    row=number,
                    block=block["title"],
                    n=len(block["rounds"]),
                    value=texts["round"],
                )
            )
    if not missing("table"):
        table = find_table(context.tables, texts["table"])
        if table is None:
            reasons.append(
                _(
                    "Row %(row)s: there is no table '%(value)s'; use a table's name or its"
                    " number (1 to %(n)s).",
                    row=number,
                    value=texts["table"],
                    n=len(context.tables),
                )
            )
    planned = context.planned.get((round_id, table["id"] if table else None), {})
    if texts.get("question") and block is not None:
        question_id = _find_question(block["questions"], texts["question"])
        if question_id is None:
            reasons.append(
                _(
                    "Row %(row)s: '%(value)s' is not a question of block '%(block)s'; use its"
                    " text or its number (1 to %(n)s).",
                    row=number,
                    value=texts["question"],
                    block=block["title"],
                    n=len(block["questions"]),
                )
            )
    elif not texts.get("question") and round_id and table:
        question_id = planned.get("question_id")
        if question_id is None:
            reasons.append(
                _(
                    "Row %(row)s: the question is missing, and the plan does not say which"
                    " question %(table)s discussed in round %(round)s of %(block)s.",
                    row=number,
                    table=table["name"],
                    round=texts["round"],
                    block=block["title"],
                )
            )
    kind = None
    if not missing("kind"):
        kind = _KIND_BY_KEY.get(_key(texts["kind"]))
        if kind is None:
            reasons.append(
                _(
                    "Row %(row)s: kind '%(value)s' is not understood; use one of: %(kinds)s.",
                    row=number,
                    value=texts["kind"],
                    kinds=list_of((k.replace("_", " ") for k in notes.KINDS), "or"),
                )
            )
    if not missing("text"):
        try:
            notes.check_text(texts["text"])
        except notes.Refused as why:
            reasons.append(_("Row %(row)s: %(why)s", row=number, why=str(why)))
    note = {
        "round_id": round_id,
        "table_id": table["id"] if table else None,
        "question_id": question_id,
        "moderator_id": planned.get("moderator_id"),
        "kind": kind,
        "text": texts.get("text", ""),
    }
    where = (
        _(
            "%(block)s, round %(round)s, %(table)s",
            block=block["title"],
            round=block["rounds"].index(round_id) + 1,
            table=table["name"],
        )
        if block and round_id and table
        else ""
    )
    return note, where


def _find_block(blocks: list[dict], text: str) -> dict | None:
    """The block a title or a number (1 = the first block of the day) stands for, or None."""
    wanted = _loose(text)
    for block in blocks:
        if _loose(block["title"]) == wanted:
            return block
    if _NUMBER.fullmatch(wanted) and 1 <= int(wanted) <= len(blocks):
        return blocks[int(wanted) - 1]
    return None


def _find_question(questions: list[dict], text: str) -> int | None:
    """The id of the block's question a text or a number (1 = the first) stands for, or None."""
    wanted = _loose(text)
    for question in questions:
        if _loose(question["text"]) == wanted:
            return question["id"]
    if _NUMBER.fullmatch(wanted) and 1 <= int(wanted) <= len(questions):
        return questions[int(wanted) - 1]["id"]
    return None


def _chain(head: list, rows: Iterator) -> Iterator[tuple[int, list]]:
    """The buffered first rows, then the rest."""
    yield from head
    yield from rows
