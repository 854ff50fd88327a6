"""Coding notes with themes: who codes, the workspace's filtered notes, codes, memos, quotes,
summaries and points for discussion.

Each analyst codes under their own name (an `analyst` row for their join link, or one for the
organiser). A note an analyst has been through is `seen`, coded or not, so the comparison knows
"neither" from "not read yet". The consensus the report uses is derived from these codes in
`kt_workshop.coding.agreement`.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields

from sqlite_utils import Database

from kt_workshop.coding.codebook import descendants, get_theme
from kt_workshop.i18n import _, local_number, local_time
from kt_workshop.live.notes import KINDS
from kt_workshop.store import InputError, NotFound, now

MAX_TEXT = 20_000  # memos, summaries and points: room for a page of writing
PAGE = 100  # notes per workspace page


# Who codes ------------------------------------------------------------------------------------


def analyst_for(
    db: Database, workshop_id: int, role: str, grant_id=None, label="", create: bool = True
) -> dict:
    """The analyst row an organiser or analyst codes under, made on their first change (until
    then, with create=False, a stand-in with no id, so reading a page writes nothing)."""
    if role == "organiser":
        row = next(
            db.query(
                "SELECT * FROM analyst WHERE workshop_id = ? AND kind = 'organiser'", [workshop_id]
            ),
            None,
        )
        values = {"kind": "organiser", "name": _("Organiser"), "access_id": None}
    elif role == "analyst":
        row = next(
            db.query(
                "SELECT * FROM analyst WHERE workshop_id = ? AND access_id = ?",
                [workshop_id, grant_id],
            ),
            None,
        )
        # An archived workshop comes back without join links: a new link with the same name
        # takes over the coding of the analyst it names.
        row = row or next(
            db.query(
                "SELECT * FROM analyst WHERE workshop_id = ? AND kind = 'analyst'"
                " AND access_id IS NULL AND name = ?",
                [workshop_id, label],
            ),
            None,
        )
        values = {"kind": "analyst", "name": label or _("Analyst"), "access_id": grant_id}
    else:
        raise InputError({"role": _("Only analysts and the organiser code notes.")})
    if row is not None:
        if create and role == "analyst" and row["access_id"] != grant_id:
            db["analyst"].update(row["id"], {"access_id": grant_id})
        return row
    if not create:
        return {**values, "id": None, "workshop_id": workshop_id}
    row_id = (
        db["analyst"].insert({**values, "workshop_id": workshop_id, "created_at": now()}).last_pk
    )
    return db["analyst"].get(row_id)


def analysts(db: Database, workshop_id: int) -> list[dict]:
    """Everyone who codes in this workshop, with how many notes they went through and coded."""
    return [
        dict(row)
        for row in db.query(
            """SELECT analyst.*,
                (SELECT COUNT(*) FROM note_seen s WHERE s.analyst_id = analyst.id) AS seen,
                (SELECT COUNT(DISTINCT note_id) FROM coding c WHERE c.analyst_id = analyst.id)
                    AS coded
            FROM analyst WHERE workshop_id = ? ORDER BY id""",
            [workshop_id],
        )
    ]


def get_analyst(db: Database, workshop_id: int, analyst_id) -> dict:
    """One analyst of the workshop, or NotFound."""
    row = next(
        db.query(
            "SELECT * FROM analyst WHERE id = ? AND workshop_id = ?", [analyst_id, workshop_id]
        ),
        None,
    )
    if row is None:
        raise NotFound(_("No such analyst in this workshop."))
    return row


# The workspace's notes -----------------------------------------------------------------------


@dataclass
class Filters:
    """What the analyst narrowed the notes down to; None or "" means no filter."""

    block: int | None = None
    question: int | None = None
    table: int | None = None
    round: int | None = None  # the round's number within its block, 1 to 5 or so
    kind: str = ""
    starred: bool | None = None
    coded: str = ""  # "yes" or "no": coded by `analyst` (or by anyone, for "anyone")
    theme: int | None = None  # coded with this theme or one below it
    analyst: int | None = None  # whose codes `coded` and `theme` look at
    text: str = ""

    def active(self) -> dict:
        """The filters that are set, as query arguments."""
        values = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value not in (None, ""):
                values[f.name] = {True: "yes", False: "no"}.get(value, value)
        return values


def filters_from(args: Mapping) -> Filters:
    """Filters from a query string; a value that makes no sense is ignored, never an error."""

    def number(name):
        value = str(args.get(name) or "").strip()
        return int(value) if value.isdigit() else None

    starred = {"yes": True, "no": False}.get(str(args.get("starred") or ""))
    kind = str(args.get("kind") or "")
    coded = str(args.get("coded") or "")
    return Filters(
        block=number("block"),
        question=number("question"),
        table=number("table"),
        round=number("round"),
        kind=kind if kind in KINDS else "",
        starred=starred,
        coded=coded if coded in ("yes", "no") else "",
        theme=number("theme"),
        analyst=number("analyst"),
        text=str(args.get("text") or "").strip()[:200],
    )


NOTE_COLUMNS = """note.id, note.uid, note.kind, note.text, note.starred, note.created_at,
    note.question_id, note.table_id, note.round_id, round.position AS round,
    round.block_id AS block_id, question.text AS question, question.position AS question_position,
    tables.name AS table_name"""
NOTE_JOINS = """FROM note LEFT JOIN round ON round.id = note.round_id
    LEFT JOIN question ON question.id = note.question_id
    LEFT JOIN tables ON tables.id = note.table_id"""


def _fold(text) -> str:
    return (text or "").casefold()


def _where(db: Database, workshop_id: int, filters: Filters, analyst_id) -> tuple[str, list]:
    """The SQL conditions and parameters for the filters."""
    where, params = ["note.workshop_id = ?", "note.deleted_at IS NULL"], [workshop_id]
    for column, value in (
        ("round.block_id", filters.block),
        ("note.question_id", filters.question),
        ("note.table_id", filters.table),
        ("round.position", filters.round),
    ):
        if value is not None:
            where.append(f"{column} = ?")
            params.append(value)
    if filters.kind:
        where.append("note.kind = ?")
        params.append(filters.kind)
    if filters.starred is not None:
        where.append("note.starred = ?")
        params.append(int(filters.starred))
    whose = filters.analyst or analyst_id
    if filters.coded:
        exists = "EXISTS (SELECT 1 FROM coding WHERE coding.note_id = note.id AND analyst_id = ?)"
        where.append(exists if filters.coded == "yes" else f"NOT {exists}")
        params.append(whose)
    if filters.theme is not None:
        ids = descendants(db, workshop_id, filters.theme) or [-1]
        where.append(
            "note.id IN (SELECT note_id FROM coding WHERE analyst_id = ?"  # noqa: S608 - marks only
            f" AND theme_id IN ({','.join('?' * len(ids))}))"
        )
        params += [whose, *ids]
    if filters.text:
        db.register_function(_fold, name="kt_fold", deterministic=True, replace=True)
        where.append("instr(kt_fold(note.text), ?) > 0")
        params.append(filters.text.casefold())
    return " AND ".join(where), params


def find_notes(
    db: Database,
    workshop_id: int,
    filters: Filters,
    analyst_id: int,
    page: int = 1,
    per_page: int = PAGE,
) -> tuple[list[dict], int]:
    """One page of the notes that pass the filters, in grid order, and how many pass in all."""
    where, params = _where(db, workshop_id, filters, analyst_id)
    total = db.execute(f"SELECT COUNT(*) {NOTE_JOINS} WHERE {where}", params).fetchone()[0]  # noqa: S608
    rows = [
        dict(row)
        for row in db.query(
            f"SELECT {NOTE_COLUMNS} {NOTE_JOINS} WHERE {where}"  # noqa: S608
            " ORDER BY question.position IS NULL, round.block_id, question.position,"
            " tables.position, round.position, note.id LIMIT ? OFFSET ?",
            [*params, per_page, (max(page, 1) - 1) * per_page],
        )
    ]
    return rows, total


def codes_on(db: Database, note_ids: list[int]) -> dict[int, dict[int, list[int]]]:
    """For each note, each analyst's theme ids on it."""
    codes: dict[int, dict[int, list[int]]] = {note_id: {} for note_id in note_ids}
    for chunk in _chunks(note_ids):
        for note_id, analyst_id, theme_id in db.execute(
            "SELECT note_id, analyst_id, theme_id FROM coding"  # noqa: S608
            f" WHERE note_id IN ({','.join('?' * len(chunk))}) ORDER BY id",
            chunk,
        ):
            codes[note_id].setdefault(analyst_id, []).append(theme_id)
    return codes


def _chunks(ids: list, size: int = 500):
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def seen_by(db: Database, analyst_id: int, note_ids: list[int]) -> set[int]:
    """Which of these notes the analyst has been through."""
    seen = set()
    for chunk in _chunks(note_ids):
        seen.update(
            row[0]
            for row in db.execute(
                "SELECT note_id FROM note_seen WHERE analyst_id = ?"  # noqa: S608
                f" AND note_id IN ({','.join('?' * len(chunk))})",
                [analyst_id, *chunk],
            )
        )
    return seen


def theme_counts(db: Database, workshop_id: int, analyst_id) -> dict[int, int]:
    """How many notes the analyst coded with each theme (on its own, not rolled up)."""
    return dict(
        db.execute(
            "SELECT theme_id, COUNT(*) FROM coding JOIN note ON note.id = coding.note_id"
            " WHERE coding.workshop_id = ? AND analyst_id = ? AND note.deleted_at IS NULL"
            " GROUP BY theme_id",
            [workshop_id, analyst_id],
        ).fetchall()
    )


# Coding ---------------------------------------------------------------------------------------


def live_notes(db: Database, workshop_id: int, note_ids: Iterable) -> tuple[list[int], list[str]]:
    """The notes that can be coded, and a message for each that cannot."""
    ok, problems = [], []
    for raw in note_ids:
        try:
            note_id = int(raw)
        except (TypeError, ValueError):
            problems.append(_("“%(id)s” is not a note.", id=str(raw)[:20]))
            continue
        row = db.execute(
            "SELECT deleted_at FROM note WHERE id = ? AND workshop_id = ?", [note_id, workshop_id]
        ).fetchone()
        if row is None:
            problems.append(_("Note %(id)s is not part of this workshop.", id=note_id))
        elif row[0] is not None:
            problems.append(
                _(
                    "Note %(id)s was deleted on the day (at %(at)s), so it was not coded.",
                    id=note_id,
                    at=local_time(row[0]),
                )
            )
        else:
            ok.append(note_id)
    return list(dict.fromkeys(ok)), problems


def code_notes(
    db: Database, workshop_id: int, analyst_id: int, note_ids: Iterable, theme_id, add: bool = True
) -> dict:
    """Add a theme to the notes (or take it off) for one analyst; say what could not be done."""
    theme = get_theme(db, workshop_id, theme_id)
    note_ids, problems = live_notes(db, workshop_id, note_ids)
    changed = 0
    for note_id in note_ids:
        if add:
            changed += (
                db.execute(
                    "INSERT OR IGNORE INTO coding"
                    " (workshop_id, note_id, theme_id, analyst_id, created_at)"
                    " VALUES (?, ?, ?, ?, ?)",
                    [workshop_id, note_id, theme["id"], analyst_id, now()],
                ).rowcount
                > 0
            )
        else:
            changed += (
                db.execute(
                    "DELETE FROM coding WHERE note_id = ? AND theme_id = ? AND analyst_id = ?",
                    [note_id, theme["id"], analyst_id],
                ).rowcount
                > 0
            )
    mark_seen(db, workshop_id, analyst_id, note_ids)
    unseen = []
    if not add:
        # Taking off a note's last theme is not an answer "no theme fits": the note goes back
        # to not gone through (so it is no disagreement); `d` says "no theme fits" on purpose.
        unseen = [
            note_id
            for note_id in note_ids
            if not db.execute(
                "SELECT 1 FROM coding WHERE note_id = ? AND analyst_id = ?", [note_id, analyst_id]
            ).fetchone()
        ]
        mark_seen(db, workshop_id, analyst_id, unseen, seen=False)
    return {
        "changed": changed,
        "notes": note_ids,
        "problems": problems,
        "theme": theme,
        "unseen": unseen,
    }


def mark_seen(
    db: Database, workshop_id: int, analyst_id: int, note_ids: Iterable, seen: bool = True
) -> list[str]:
    """Record that the analyst went through the notes (or take that back)."""
    note_ids, problems = live_notes(db, workshop_id, note_ids)
    for note_id in note_ids:
        if seen:
            db.execute(
                "INSERT OR IGNORE INTO note_seen (workshop_id, note_id, analyst_id)"
                " VALUES (?, ?, ?)",
                [workshop_id, note_id, analyst_id],
            )
        else:
            db.execute(
                "DELETE FROM note_seen WHERE note_id = ? AND analyst_id = ?", [note_id, analyst_id]
            )
    return problems


def _check_text(text, what: str, required: bool = True) -> str:
    text = text if isinstance(text, str) else ""
    if required and not text.strip():
        raise InputError({what: _("Write something first.")})
    if len(text) > MAX_TEXT:
        raise InputError({what: _("Keep this under %(n)s characters.", n=local_number(MAX_TEXT))})
    return text.strip()


def add_memo(
    db: Database, workshop_id: int, analyst_id: int, text, note_id=None, theme_id=None
) -> int:
    """A memo on a note, on a theme, or on the workshop's coding as a whole."""
    text = _check_text(text, "memo")
    if note_id is not None:
        ok, problems = live_notes(db, workshop_id, [note_id])
        if problems:
            raise InputError({"memo": problems[0]})
        note_id = ok[0]
    if theme_id is not None:
        theme_id = get_theme(db, workshop_id, theme_id)["id"]
    return (
        db["memo"]
        .insert(
            {
                "workshop_id": workshop_id,
                "note_id": note_id,
                "theme_id": theme_id,
                "analyst_id": analyst_id,
                "text": text,
                "created_at": now(),
                "updated_at": now(),
            }
        )
        .last_pk
    )


def delete_memo(db: Database, workshop_id: int, memo_id: int) -> None:
    """Remove a memo."""
    db.execute("DELETE FROM memo WHERE id = ? AND workshop_id = ?", [memo_id, workshop_id])


def memos(
    db: Database, workshop_id: int, note_ids=None, theme_id=None, analyst_ids=None
) -> list[dict]:
    """Memos of the workshop (on some notes, or on one theme; by some analysts), oldest first,
    with who wrote them."""
    sql = (
        "SELECT memo.*, analyst.name AS analyst FROM memo"
        " LEFT JOIN analyst ON analyst.id = memo.analyst_id WHERE memo.workshop_id = ?"
    )
    params: list = [workshop_id]
    if analyst_ids is not None:
        sql += f" AND memo.analyst_id IN ({','.join('?' * len(analyst_ids))})"
        params += list(analyst_ids)
    if note_ids is not None:
        sql += f" AND memo.note_id IN ({','.join('?' * len(note_ids))})"
        params += list(note_ids)
    if theme_id is not None:
        sql += " AND memo.theme_id = ?"
        params.append(theme_id)
    return [dict(row) for row in db.query(sql + " ORDER BY memo.id", params)]


def set_quote(
    db: Database,
    workshop_id: int,
    note_id,
    analyst_id: int,
    on: bool,
    theme_id=None,
    everyone: bool = True,
) -> None:
    """Mark a note as a key quote (for its question, or for one theme), or unmark it: the
    analyst's own mark, or (`everyone`, when coding is not blind) everybody's."""
    ok, problems = live_notes(db, workshop_id, [note_id])
    if problems:
        raise InputError({"quote": problems[0]})
    if theme_id is not None:
        theme_id = get_theme(db, workshop_id, theme_id)["id"]
    if on:
        db.execute(
            "INSERT OR IGNORE INTO quote (workshop_id, note_id, theme_id, analyst_id, created_at)"
            " VALUES (?, ?, ?, ?, ?)",
            [workshop_id, ok[0], theme_id, analyst_id, now()],
        )
    else:
        mine = "" if everyone else " AND analyst_id IS ?"
        db.execute(
            f"DELETE FROM quote WHERE note_id = ? AND theme_id IS ?{mine}",  # noqa: S608
            [ok[0], theme_id] + ([] if everyone else [analyst_id]),
        )


def quotes(db: Database, workshop_id: int, analyst_ids=None) -> list[dict]:
    """The key quotes with their note's text and question, in grid order: once each however
    many analysts marked it (or only those the given analysts marked)."""
    only = ""
    if analyst_ids is not None:
        only = f" AND quote.analyst_id IN ({','.join('?' * len(analyst_ids))})"
    return [
        dict(row)
        for row in db.query(
            f"SELECT MIN(quote.id) AS quote_id, quote.theme_id, {NOTE_COLUMNS} {NOTE_JOINS}"  # noqa: S608
            " JOIN quote ON quote.note_id = note.id"
            f" WHERE quote.workshop_id = ? AND note.deleted_at IS NULL{only}"
            " GROUP BY note.id, quote.theme_id"
            " ORDER BY question.position, tables.position, note.id",
            [workshop_id, *(analyst_ids or [])],
        )
    ]


# Summaries and points for further discussion --------------------------------------------------


def summaries(db: Database, workshop_id: int) -> dict[tuple[str, int], dict]:
    """Summaries keyed by ("question", id) or ("theme", id)."""
    result = {}
    for row in db.query("SELECT * FROM summary WHERE workshop_id = ?", [workshop_id]):
        key = ("question", row["question_id"]) if row["question_id"] else ("theme", row["theme_id"])
        result[key] = row
    return result


def save_summary(
    db: Database, workshop_id: int, text, actor: str, question_id=None, theme_id=None
) -> None:
    """Write (or clear) the summary of a question or of an overarching theme."""
    text = _check_text(text, "summary", required=False)
    if question_id is not None:
        found = db.execute(
            "SELECT 1 FROM question WHERE id = ? AND workshop_id = ?", [question_id, workshop_id]
        ).fetchone()
        if not found:
            raise NotFound(_("No such question in this workshop."))
    elif theme_id is not None:
        if get_theme(db, workshop_id, theme_id)["parent_id"] is not None:
            raise InputError({"summary": _("Summaries are written for overarching themes.")})
    else:
        raise InputError({"summary": _("Choose a question or an overarching theme.")})
    db.execute(
        "DELETE FROM summary WHERE workshop_id = ? AND question_id IS ? AND theme_id IS ?",
        [workshop_id, question_id, theme_id],
    )
    if text:
        db["summary"].insert(
            {
                "workshop_id": workshop_id,
                "question_id": question_id,
                "theme_id": theme_id,
                "text": text,
                "updated_by": actor,
                "updated_at": now(),
            }
        )


def points(db: Database, workshop_id: int) -> list[dict]:
    """The points for further discussion, in order."""
    return [
        dict(row)
        for row in db.query(
            "SELECT * FROM discussion_point WHERE workshop_id = ? ORDER BY position, id",
            [workshop_id],
        )
    ]


def add_point(db: Database, workshop_id: int, text, actor: str) -> int:
    """Add a point for further discussion at the end of the list."""
    text = _check_text(text, "point")
    position = db.execute(
        "SELECT COALESCE(MAX(position), 0) + 1 FROM discussion_point WHERE workshop_id = ?",
        [workshop_id],
    ).fetchone()[0]
    return (
        db["discussion_point"]
        .insert(
            {
                "workshop_id": workshop_id,
                "position": position,
                "text": text,
                "created_by": actor,
                "created_at": now(),
            }
        )
        .last_pk
    )


def delete_point(db: Database, workshop_id: int, point_id: int) -> None:
    """Remove a point from the list."""
    db.execute(
        "DELETE FROM discussion_point WHERE id = ? AND workshop_id = ?", [point_id, workshop_id]
    )
