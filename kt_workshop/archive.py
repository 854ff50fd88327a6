"""A whole workshop as one JSON document, and back: for moving, sharing and keeping a workshop.

Rows keep their ids inside the file so references between them survive; importing gives every
row a new id in the target database. Join links and sign-in tokens are never exported.
"""

import base64
import binascii
import json
import re
import uuid

from sqlite_utils import Database

from kt_workshop import __version__
from kt_workshop.i18n import _, local_number
from kt_workshop.store import FIELDS, InputError, clean, get_workshop

FORMAT = "kt-workshop-archive"
VERSION = 1

# Every table that holds part of a workshop, parents before children, with the columns that
# point at other rows of the archive. Later features add their tables here.
TABLES: list[tuple[str, dict[str, str]]] = [
    ("workshop", {}),
    ("block", {"workshop_id": "workshop"}),
    ("round", {"block_id": "block"}),
    ("question", {"workshop_id": "workshop", "block_id": "block"}),
    ("tables", {"workshop_id": "workshop"}),
    ("moderator", {"workshop_id": "workshop", "question_id": "question", "table_id": "tables"}),
    ("participant", {"workshop_id": "workshop", "table_id": "tables"}),
    ("audit", {"workshop_id": "workshop"}),
    (
        "seat",
        {
            "workshop_id": "workshop",
            "round_id": "round",
            "table_id": "tables",
            "participant_id": "participant",
        },
    ),
    (
        "lead",
        {
            "workshop_id": "workshop",
            "round_id": "round",
            "table_id": "tables",
            "moderator_id": "moderator",
            "question_id": "question",
        },
    ),
    ("locked_cell", {"workshop_id": "workshop", "round_id": "round", "table_id": "tables"}),
    ("closed_table", {"workshop_id": "workshop", "round_id": "round", "table_id": "tables"}),
    (
        "pair_rule",
        {"workshop_id": "workshop", "first_id": "participant", "second_id": "participant"},
    ),
    (
        "note",
        {
            "workshop_id": "workshop",
            "round_id": "round",
            "table_id": "tables",
            "question_id": "question",
            "moderator_id": "moderator",
        },
    ),
    ("note_version", {"workshop_id": "workshop", "note_id": "note"}),
    (
        "photo",
        {
            "workshop_id": "workshop",
            "round_id": "round",
            "table_id": "tables",
            "question_id": "question",
        },
    ),
    ("announcement", {"workshop_id": "workshop"}),
    (
        "idea",
        {
            "workshop_id": "workshop",
            "round_id": "round",
            "table_id": "tables",
            "question_id": "question",
            "note_id": "note",
        },
    ),
    ("analyst", {"workshop_id": "workshop"}),
    ("theme", {"workshop_id": "workshop", "parent_id": "theme"}),
    (
        "coding",
        {
            "workshop_id": "workshop",
            "note_id": "note",
            "theme_id": "theme",
            "analyst_id": "analyst",
        },
    ),
    ("consensus_decision", {"workshop_id": "workshop", "note_id": "note", "theme_id": "theme"}),
    ("note_seen", {"workshop_id": "workshop", "note_id": "note", "analyst_id": "analyst"}),
    (
        "memo",
        {
            "workshop_id": "workshop",
            "note_id": "note",
            "theme_id": "theme",
            "analyst_id": "analyst",
        },
    ),
    (
        "quote",
        {
            "workshop_id": "workshop",
            "note_id": "note",
            "theme_id": "theme",
            "analyst_id": "analyst",
        },
    ),
    ("summary", {"workshop_id": "workshop", "question_id": "question", "theme_id": "theme"}),
    ("discussion_point", {"workshop_id": "workshop"}),
    ("coding_rule", {"workshop_id": "workshop", "theme_id": "theme", "analyst_id": "analyst"}),
    ("dismissed_suggestion", {"workshop_id": "workshop"}),
    ("feedback_question", {"workshop_id": "workshop"}),
    ("feedback_answer", {"workshop_id": "workshop", "question_id": "feedback_question"}),
    ("report_note", {"workshop_id": "workshop", "note_id": "note"}),
    ("report_setting", {"workshop_id": "workshop"}),
    ("glossary_term", {"workshop_id": "workshop"}),
]
# Columns naming a join link (a tablet): links are not archived, so these become empty.
UNLINKED = {"access_id"}
# Tables deliberately left out, with the reason (tests check every table is in one list).
EXCLUDED = {
    "access": "join links are secrets; the organiser makes new ones after an import",
    "signin": "organiser sign-in tokens belong to one installation",
    "web_session": "browser sessions belong to one installation",
    "api_token": "the organiser's API tokens are secrets of one installation",
    "sqlite_sequence": "SQLite's record of ids already used",
    "pending_import": "unconfirmed uploads are not part of the workshop",
    "_sqlite_migrations": "schema bookkeeping",
    "day_state": "the live clock belongs to the running day, not to the workshop's record",
    "change": "the change log only serves live screens catching up",
    "operation": "tablets' operation ids only serve de-duplication on the day",
    "theme_change": "undo history holds this database's row ids; the audit log keeps the record",
}


class ArchiveError(ValueError):
    """An archive file that cannot be imported, with the reason."""


# Limits that no real workshop comes near, so a hostile or broken file is refused before it is
# stored (and cannot break pages afterwards: deep nesting, huge texts, rows by the million).
MAX_DEPTH = 5  # archive > tables > a table's rows > a row > a photo's {"base64": ...}
MAX_ROWS = 500_000  # rows in the whole archive
MAX_TEXT = 100_000  # characters in one text value (a note holds 10,000)
MAX_EXTRA = 100  # a delegate's own columns
THEME_LEVELS = 3  # overarching theme, theme, sub-theme (coding.codebook.MAX_DEPTH)
# Columns whose values come from a fixed list, beyond what the database's CHECKs hold.
CHOICES = {
    ("note", "kind"): ("insight", "challenge", "good_practice", "idea", "question", "quote"),
    ("note_version", "kind"): (
        "insight",
        "challenge",
        "good_practice",
        "idea",
        "question",
        "quote",
    ),
}


# Texts written on tablets: the same rules as a note typed on the day (no control characters).
NOTE_TEXTS = {("note", "text"), ("note_version", "text"), ("idea", "text")}
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _note_text_problem(value: str) -> str | None:
    """Why a note's text would not have been accepted on the day, or None."""
    if len(value) > 10_000:
        return _("a note holds up to 10,000 characters")
    if CONTROL.search(value):
        return _("it contains control characters")
    return None


def nesting_depth(value) -> int:
    """How deeply lists and objects nest in a parsed JSON value (without recursion, so a
    file nested 100,000 levels deep is measured, not a crash)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, depth)
            if deepest > 64:
                return deepest
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return deepest


def _column_kinds(db: Database, table: str) -> dict[str, tuple[str, bool]]:
    """Each column's declared type and whether it may hold NULL."""
    return {
        row[1]: (row[2].upper(), not row[3] or row[5] > 0)
        for row in db.execute(f"PRAGMA table_info([{table}])").fetchall()
    }


def _type_problem(declared: str, nullable: bool, value) -> str | None:
    """Why a value cannot go into a column of this type, or None when it fits."""
    if value is None:
        return None if nullable else _("it is empty")
    if declared == "INTEGER":
        ok = isinstance(value, int) and -(2**63) <= value < 2**63  # true/false are 1/0
        return None if ok else _("it is not a whole number")
    if declared == "REAL":
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        return None if ok else _("it is not a number")
    if declared == "BLOB":
        ok = (
            isinstance(value, dict)
            and set(value) == {"base64"}
            and isinstance(value["base64"], str)
        )
        return None if ok else _("it is not a photo")
    if not isinstance(value, str):
        return _("it is not text")
    if len(value) > MAX_TEXT:
        return _("it is longer than %(n)s characters", n=local_number(MAX_TEXT))
    return None


def _extra_problem(value) -> str | None:
    """Why a delegate's own columns (stored as a JSON object of texts) are not acceptable."""
    try:
        extra = json.loads(value or "{}")
    except (json.JSONDecodeError, RecursionError):
        return _("the delegate's own columns are not a JSON object")
    if not isinstance(extra, dict) or len(extra) > MAX_EXTRA:
        return _("the delegate's own columns are not a short list of names and texts")
    if not all(
        isinstance(v, str | int | float) and not isinstance(v, bool) for v in extra.values()
    ):
        return _("the delegate's own columns hold something other than text")
    return None


def check_archive_rows(db: Database, tables: dict) -> None:
    """Hold every row of an archive to the schema before anything is written: known columns,
    the right type in each (texts, whole numbers, photos), sizes, note kinds, delegates' own
    columns, and themes at most three levels deep. Raise ArchiveError naming the first problem."""
    total = sum(len(rows) for rows in tables.values())
    if total > MAX_ROWS:
        raise ArchiveError(
            _("The archive holds %(n)s rows; a workshop has far fewer.", n=local_number(total))
        )
    for table, _refs in TABLES:
        kinds = _column_kinds(db, table)
        for row in tables.get(table) or []:
            if not isinstance(row.get("id"), int) or isinstance(row.get("id"), bool):
                raise ArchiveError(_("A row in “%(t)s” has no id.", t=table))
            for column, value in row.items():
                if column not in kinds:
                    raise ArchiveError(
                        _(
                            "“%(t)s” has columns this version does not know: %(c)s.",
                            t=table,
                            c=column,
                        )
                    )
                declared, nullable = kinds[column]
                problem = _type_problem(declared, nullable or column == "id", value)
                if (
                    problem is None
                    and (table, column) in CHOICES
                    and value not in CHOICES[(table, column)]
                ):
                    problem = _("“%(v)s” is not one of its choices", v=str(value)[:40])
                if problem is None and (table, column) == ("participant", "extra"):
                    problem = _extra_problem(value)
                if problem is None and (table, column) in NOTE_TEXTS and value is not None:
                    problem = _note_text_problem(value)
                if problem:
                    raise ArchiveError(
                        _(
                            "“%(t)s” row %(id)s, column “%(c)s”: %(p)s.",
                            t=table,
                            id=row["id"],
                            c=column,
                            p=problem,
                        )
                    )
    _check_theme_levels(tables.get("theme") or [])


def _check_theme_levels(rows: list[dict]) -> None:
    """Themes form a tree at most THEME_LEVELS deep, without loops."""
    parent_of = {row["id"]: row.get("parent_id") for row in rows}
    for theme_id in parent_of:
        seen, level, current = {theme_id}, 1, parent_of[theme_id]
        while current is not None:
            level += 1
            if current in seen or level > THEME_LEVELS:
                raise ArchiveError(
                    _(
                        "Theme %(id)s is more than %(n)s levels deep or part of a loop.",
                        id=theme_id,
                        n=THEME_LEVELS,
                    )
                )
            seen.add(current)
            current = parent_of.get(current)


def _rows(db: Database, table: str, column: str, ids: list[int]) -> list[dict]:
    """The rows of a table whose column points at one of the given ids, in id order."""
    if not ids:
        return []
    marks = ",".join("?" * len(ids))
    sql = f"SELECT * FROM [{table}] WHERE [{column}] IN ({marks}) ORDER BY id"  # noqa: S608
    return [dict(row) for row in db.query(sql, ids)]


def export_workshop(db: Database, workshop_id: int) -> dict:
    """Everything in one workshop as a JSON-ready dict."""
    get_workshop(db, workshop_id)
    tables: dict[str, list[dict]] = {}
    for table, refs in TABLES:
        if table == "workshop":
            rows = _rows(db, "workshop", "id", [workshop_id])
        else:
            column, parent = next(iter(refs.items()))
            rows = _rows(db, table, column, [row["id"] for row in tables[parent]])
        tables[table] = rows
    for rows in tables.values():
        for row in rows:
            for column, value in row.items():
                if isinstance(value, bytes):  # photos: JSON carries bytes as base64
                    row[column] = {"base64": base64.b64encode(value).decode("ascii")}
    return {"format": FORMAT, "version": VERSION, "app_version": __version__, "tables": tables}


def archive_bytes(archive: dict) -> bytes:
    """The archive as UTF-8 JSON text, exactly as written (any script), one row a line: easy to
    read and to compare, and written by json's C encoder (an indent for every value would use
    the pure-Python one, seconds for a large workshop)."""
    dump = json.JSONEncoder(ensure_ascii=False).encode  # one encoder for every row
    head = [f"{dump(k)}: {dump(v)}" for k, v in archive.items() if k != "tables"]
    tables = []
    for name, rows in archive["tables"].items():
        lines = ",\n  ".join(dump(row) for row in rows)
        tables.append(f"{dump(name)}: [\n  {lines}\n ]" if rows else f"{dump(name)}: []")
    head.append('"tables": {\n ' + ",\n ".join(tables) + "\n}")
    return ("{\n" + ",\n".join(head) + "\n}\n").encode("utf-8")


def load_archive(data: bytes) -> dict:
    """Read and check an archive file; raise ArchiveError with a clear reason when it is bad."""
    try:
        archive = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ArchiveError(
            _("This is not a kt-workshop archive (not JSON: %(e)s).", e=error)
        ) from None
    except RecursionError:
        raise ArchiveError(_("The archive nests too deeply to be a kt-workshop archive.")) from None
    if nesting_depth(archive) > MAX_DEPTH:
        raise ArchiveError(_("The archive nests too deeply to be a kt-workshop archive."))
    if not isinstance(archive, dict) or archive.get("format") != FORMAT:
        raise ArchiveError(_("This JSON file is not a kt-workshop archive."))
    if archive.get("version") != VERSION:
        raise ArchiveError(
            _(
                "This archive has version %(v)s; this kt-workshop reads version %(ours)s.",
                v=archive.get("version"),
                ours=VERSION,
            )
        )
    tables = archive.get("tables")
    if not isinstance(tables, dict):
        raise ArchiveError(_("The archive has no tables."))
    unknown = set(tables) - {name for name, _refs in TABLES}
    if unknown:
        # Refuse rather than silently drop rows a newer version wrote (notes, codings...).
        raise ArchiveError(
            _(
                "The archive holds parts this version does not know: %(t)s. "
                "Use a newer kt-workshop.",
                t=", ".join(sorted(unknown)),
            )
        )
    for name, rows in tables.items():
        if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
            raise ArchiveError(_("“%(t)s” in the archive is not a list of rows.", t=name))
    if len(tables.get("workshop") or []) != 1:
        raise ArchiveError(_("The archive must hold exactly one workshop."))
    return archive


def import_workshop(db: Database, archive: dict) -> int:
    """Add the archived workshop to the database as a new workshop; return its id."""
    tables = archive["tables"]
    check_archive_rows(db, tables)
    new_ids: dict[str, dict[int, int]] = {}
    with db.atomic():
        for table, refs in TABLES:
            columns = set(db[table].columns_dict)
            new_ids[table] = {}
            for row in _parents_first(table, refs, tables.get(table) or []):
                if not isinstance(row, dict) or not isinstance(row.get("id"), int):
                    raise ArchiveError(_("A row in “%(t)s” has no id.", t=table))
                unknown = set(row) - columns
                if unknown:
                    raise ArchiveError(
                        _(
                            "“%(t)s” has columns this version does not know: %(c)s.",
                            t=table,
                            c=", ".join(sorted(unknown)),
                        )
                    )
                values = {k: _stored(v) for k, v in row.items() if k != "id"}
                values.update({k: None for k in UNLINKED if k in values})
                if "uid" in values and _uid_taken(db, table, values["uid"]):
                    values["uid"] = uuid.uuid4().hex  # a copy in the same database

                for column, parent in refs.items():
                    if values.get(column) is None:
                        continue
                    if values[column] not in new_ids[parent]:
                        raise ArchiveError(
                            _(
                                "“%(t)s” row %(id)s points at a missing %(p)s.",
                                t=table,
                                id=row["id"],
                                p=parent,
                            )
                        )
                    values[column] = new_ids[parent][values[column]]
                check_fields(db, table, values)
                try:
                    new_ids[table][row["id"]] = db[table].insert(values).last_pk
                except Exception as error:  # a constraint the file breaks: say which row
                    raise ArchiveError(
                        _(
                            "“%(t)s” row %(id)s cannot be stored: %(e)s",
                            t=table,
                            id=row["id"],
                            e=error,
                        )
                    ) from error
    return next(iter(new_ids["workshop"].values()))


def _parents_first(table: str, refs: dict, rows: list) -> list:
    """Rows of a table that points at itself (themes), each after the row it points at."""
    column = next((c for c, parent in refs.items() if parent == table), None)
    if column is None or not all(isinstance(row, dict) for row in rows):
        return rows
    by_id = {row.get("id"): row for row in rows}
    ordered, placed = [], set()

    def place(row, trail=()):
        if row.get("id") in placed:
            return
        parent = by_id.get(row.get(column))
        if parent is not None and parent.get("id") not in trail:
            place(parent, (*trail, row.get("id")))
        placed.add(row.get("id"))
        ordered.append(row)

    for row in rows:
        place(row)
    return ordered


def check_fields(db: Database, table: str, values: dict) -> None:
    """Hold an archived row to the same rules as the set-up forms (empty titles, 0 minutes...)."""
    if table not in FIELDS:
        return
    workshop_id = values.get("workshop_id")
    if table == "round":
        workshop_id = None
    user_values = {name: values[name] for name in FIELDS[table] if name in values}
    try:
        clean(db, table, workshop_id, user_values, partial=table != "workshop")
    except InputError as error:
        raise ArchiveError(
            _("“%(t)s” has a value the forms would refuse: %(e)s", t=table, e=error)
        ) from None


def _stored(value):
    """A value from the archive as the database stores it (base64 back to bytes)."""
    if isinstance(value, dict) and set(value) == {"base64"}:
        try:
            return base64.b64decode(value["base64"], validate=True)
        except (binascii.Error, TypeError):
            raise ArchiveError(_("A photo in the archive is damaged.")) from None
    return value


def _uid_taken(db: Database, table: str, uid) -> bool:
    """True when a note or photo with this client-made id is already in the database."""
    sql = f"SELECT 1 FROM [{table}] WHERE uid = ?"  # noqa: S608 - table from TABLES
    return db.execute(sql, [uid]).fetchone() is not None
