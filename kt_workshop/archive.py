"""A whole workshop as one JSON document, and back: for moving, sharing and keeping a workshop.

Rows keep their ids inside the file so references between them survive; importing gives every
row a new id in the target database. Join links and sign-in tokens are never exported.
"""

import base64
import binascii
import json
import uuid

from sqlite_utils import Database

from kt_workshop import __version__
from kt_workshop.i18n import _
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
]
# Columns naming a join link (a tablet): links are not archived, so these become empty.
UNLINKED = {"access_id"}
# Tables deliberately left out, with the reason (tests check every table is in one list).
EXCLUDED = {
    "access": "join links are secrets; the organiser makes new ones after an import",
    "signin": "organiser sign-in tokens belong to one installation",
    "pending_import": "unconfirmed uploads are not part of the workshop",
    "_sqlite_migrations": "schema bookkeeping",
    "day_state": "the live clock belongs to the running day, not to the workshop's record",
    "change": "the change log only serves live screens catching up",
    "operation": "tablets' operation ids only serve de-duplication on the day",
    "theme_change": "undo history holds this database's row ids; the audit log keeps the record",
}


class ArchiveError(ValueError):
    """An archive file that cannot be imported, with the reason."""


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
