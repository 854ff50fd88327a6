"""Notes captured on the day: operations from tablets applied once, in order, with history.

Every change a tablet makes arrives as an operation with a client-made id. The id is stored
with the result, so a repeated operation (a retry after a lost acknowledgement) is answered
with the same result and never applied twice. Each applied change gets the workshop's next
sequence number in the change log.
"""

import json
import re
import time
import uuid
from datetime import UTC, datetime

from sqlite_utils import Database

from kt_workshop import store
from kt_workshop.db import writing
from kt_workshop.i18n import _
from kt_workshop.live.day import record_change
from kt_workshop.plan.store import day_rounds

KINDS = ("insight", "challenge", "good_practice", "idea", "question", "quote")
# How each kind reads on the analysts' pages (the report's words for them too).
MAX_TEXT = 10_000
# Control characters other than tab, line feed and carriage return have no place in a note.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
UID = re.compile(r"[A-Za-z0-9_-]{8,64}")
TYPED_AGE_LIMIT = 24 * 3600  # a tablet's typing time older than this is not believed


def kind_names() -> dict[str, str]:
    """Each note kind's name as screens show it ("Good practice"), translated, in the tablet's
    order: the tablet's buttons, the projector, the coding filters all say the same."""
    return {
        "insight": _("Insight"),
        "challenge": _("Challenge"),
        "good_practice": _("Good practice"),
        "idea": _("Idea or recommendation"),
        "question": _("Question"),
        "quote": _("Quote"),
    }


class Refused(ValueError):
    """An operation the server will not apply, with the reason shown on the tablet."""


def note_json(row: dict) -> dict:
    """A note as screens and the change log show it (never who typed it)."""
    return {
        "uid": row["uid"],
        "round_id": row["round_id"],
        "table_id": row["table_id"],
        "question_id": row["question_id"],
        "kind": row["kind"],
        "text": row["text"],
        "starred": bool(row["starred"]),
        "held": bool(row["held"]),
        "version": row["version"],
        "source": row["source"],
        "deleted": row["deleted_at"] is not None,
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }


def check_text(text) -> str:
    """A note's text as written, or Refused with the reason."""
    if not isinstance(text, str) or not text.strip():
        raise Refused(_("A note needs some text."))
    if len(text) > MAX_TEXT:
        raise Refused(
            _(
                "A note can hold up to %(n)s characters; this one has %(m)s.",
                n=MAX_TEXT,
                m=len(text),
            )
        )
    if CONTROL.search(text):
        raise Refused(_("The note contains control characters; remove them and try again."))
    return text


def check_kind(kind) -> str:
    """One of the note kinds, or Refused."""
    if kind not in KINDS:
        raise Refused(_("Choose a kind: %(kinds)s.", kinds=", ".join(KINDS)))
    return kind


def cell_context(db: Database, workshop_id: int, round_id, table_id) -> dict:
    """The question asked and the moderator leading at a table in a round, from the plan."""
    try:
        round_ = store.get_item(db, "round", workshop_id, int(round_id))
        store.get_item(db, "tables", workshop_id, int(table_id))
    except (store.NotFound, TypeError, ValueError):
        raise Refused(_("That table or round is not part of this workshop.")) from None
    lead = db.execute(
        "SELECT moderator_id, question_id FROM lead WHERE round_id = ? AND table_id = ?",
        [round_["id"], int(table_id)],
    ).fetchone()
    moderator_id = lead[0] if lead else None
    question_id = lead[1] if lead else None  # a self-led cell that kept its question
    if moderator_id:
        question_id = store.get_item(db, "moderator", workshop_id, moderator_id)["question_id"]
    if question_id is None:
        questions = db.execute(
            "SELECT id FROM question WHERE block_id = ? ORDER BY position", [round_["block_id"]]
        ).fetchall()
        workshop = store.get_workshop(db, workshop_id)
        if questions and workshop["format"] != "fixed_groups":
            question_id = questions[(round_["position"] - 1) % len(questions)][0]
    return {
        "round_id": round_["id"],
        "table_id": int(table_id),
        "question_id": question_id,
        "moderator_id": moderator_id,
    }


def may_write_at(db: Database, grant: dict, cell: dict) -> bool:
    """True when this tablet may take notes at this table in this round."""
    if grant["role"] != "moderator":
        return False
    if db.execute(
        "SELECT 1 FROM closed_table WHERE round_id = ? AND table_id = ?",
        [cell["round_id"], cell["table_id"]],
    ).fetchone():
        return False  # a table closed for the round takes no notes
    if grant["table_id"]:
        return grant["table_id"] == cell["table_id"]
    if grant["moderator_id"]:
        planned = db.execute(
            "SELECT count(*) FROM lead WHERE round_id = ? AND moderator_id IS NOT NULL",
            [cell["round_id"]],
        ).fetchone()[0]
        return not planned or cell["moderator_id"] == grant["moderator_id"]
    return True


def apply_operation(db: Database, workshop_id: int, grant: dict, op: dict) -> dict:
    """Apply a tablet's operation once and return the acknowledgement (the same on a retry).

    op: {"op_id", "type": "add"|"edit"|"delete", "uid", and for add: round_id, table_id,
    kind, text, starred; for edit: any of kind, text, starred}.
    """
    op_id = op.get("op_id") if isinstance(op, dict) else None
    if not isinstance(op_id, str) or not UID.fullmatch(op_id):
        raise Refused(_("The operation has no valid id."))
    kind = op.get("type")
    with writing(db):
        # Looked up inside the write transaction: the same operation resent on a second
        # connection waits for the first to commit and then gets its acknowledgement.
        done = db.execute(
            "SELECT workshop_id, access_id, result FROM operation WHERE op_id = ?", [op_id]
        ).fetchone()
        if done:
            # Only the tablet that sent an operation hears its result again: another
            # tablet's op id tells it nothing (neither the note nor that it exists).
            if (done[0], done[1]) != (workshop_id, grant["id"]):
                raise Refused(_("The operation has no valid id."))
            done = (done[0], done[2])
            return {**json.loads(done[1]), "duplicate": True}
        if kind == "add":
            change = _add(db, workshop_id, grant, op)
        elif kind in ("edit", "delete"):
            change = _change(db, workshop_id, grant, op, delete=kind == "delete")
        else:
            raise Refused(_("Unknown operation."))
        result = {
            "ok": True,
            "seq": change["seq"],
            "uid": change["payload"]["uid"],
            "change": change,
        }
        db["operation"].insert(
            {
                "op_id": op_id,
                "workshop_id": workshop_id,
                "access_id": grant["id"],
                "seq": change["seq"],
                "result": json.dumps(result, ensure_ascii=False),
                "at": store.now(),
            }
        )
    return result


def _add(db: Database, workshop_id: int, grant: dict, op: dict) -> dict:
    """Store a new note in its cell and log it."""
    uid = op.get("uid")
    if not isinstance(uid, str) or not UID.fullmatch(uid):
        raise Refused(_("The note has no valid id."))
    if list(db["note"].rows_where("uid = ?", [uid])):
        raise Refused(_("A note with this id exists already."))
    cell = cell_context(db, workshop_id, op.get("round_id"), op.get("table_id"))
    if not may_write_at(db, grant, cell):
        raise Refused(_("This tablet does not take notes at that table in that round."))
    _note_id, change = store_note(
        db,
        workshop_id,
        cell,
        uid=uid,
        access_id=grant["id"],
        source="tablet",
        kind=check_kind(op.get("kind")),
        text=check_text(op.get("text")),
        starred=bool(op.get("starred")),
        created_at=typed_time(op.get("typed_at")),
    )
    return change


def typed_time(typed_at) -> str:
    """When a note was typed: the tablet's time on the server's clock (the tablet corrects
    for its own clock's offset), so a note typed offline keeps its time when it arrives
    later. Now, when the time is missing or cannot be right (ahead, or over a day ago)."""
    now = time.time()
    if isinstance(typed_at, bool) or not isinstance(typed_at, int | float):
        return store.now()
    if not now - TYPED_AGE_LIMIT <= typed_at <= now + 60:
        return store.now()
    return datetime.fromtimestamp(min(typed_at, now), UTC).isoformat(timespec="seconds")


def store_note(
    db: Database,
    workshop_id: int,
    cell: dict,
    *,
    kind: str,
    text: str,
    source: str,
    access_id=None,
    uid: str | None = None,
    starred: bool = False,
    created_at: str | None = None,
) -> tuple[int, dict]:
    """Add a note to a cell with its first version and its change-log entry (inside the
    caller's write transaction); return its id and the change to broadcast. `created_at`
    is when it was typed, when that was earlier than now."""
    at = store.now()
    row = {
        "uid": uid or new_uid(),
        "workshop_id": workshop_id,
        **cell,
        "access_id": access_id,
        "source": source,
        "kind": kind,
        "text": text,
        "starred": int(starred),
        "held": 0,
        "version": 1,
        "created_at": created_at or at,
        "updated_at": at,
        "deleted_at": None,
    }
    note_id = db["note"].insert(row).last_pk
    _keep_version(db, note_id, workshop_id, row)
    return note_id, record_change(db, workshop_id, "note", note_json(row))


def _change(db: Database, workshop_id: int, grant: dict, op: dict, delete: bool) -> dict:
    """Edit or delete one of this tablet's own notes, keeping the old version."""
    rows = list(db["note"].rows_where("uid = ? AND workshop_id = ?", [op.get("uid"), workshop_id]))
    if not rows:
        raise Refused(_("That note does not exist."))
    row = rows[0]
    if row["access_id"] != grant["id"]:
        raise Refused(_("Only the tablet that wrote a note can change it."))
    if row["deleted_at"]:
        raise Refused(_("That note has been deleted."))
    values = {"version": row["version"] + 1, "updated_at": store.now()}
    if delete:
        values["deleted_at"] = values["updated_at"]
    else:
        if "text" in op:
            values["text"] = check_text(op["text"])
        if "kind" in op:
            values["kind"] = check_kind(op["kind"])
        if "starred" in op:
            values["starred"] = int(bool(op["starred"]))
    db["note"].update(row["id"], values)
    row.update(values)
    _keep_version(db, row["id"], workshop_id, row)
    return record_change(db, workshop_id, "note", note_json(row))


def _keep_version(db: Database, note_id: int, workshop_id: int, row: dict) -> None:
    """Keep this version of the note in its history."""
    db["note_version"].insert(
        {
            "note_id": note_id,
            "workshop_id": workshop_id,
            "version": row["version"],
            "kind": row["kind"],
            "text": row["text"],
            "starred": row["starred"],
            "deleted": int(bool(row.get("deleted_at"))),
            "at": store.now(),
        }
    )


def set_held(db: Database, workshop_id: int, uid: str, held: bool) -> dict:
    """Hold a note back from the projector's harvest wall, or show it again."""
    rows = list(db["note"].rows_where("uid = ? AND workshop_id = ?", [uid, workshop_id]))
    if not rows:
        raise Refused(_("That note does not exist."))
    with writing(db):
        db["note"].update(rows[0]["id"], {"held": int(bool(held))})
        row = {**rows[0], "held": int(bool(held))}
        return record_change(db, workshop_id, "note", note_json(row))


def notes(
    db: Database,
    workshop_id: int,
    *,
    question_id=None,
    table_id=None,
    round_id=None,
    include_deleted: bool = False,
) -> list[dict]:
    """Notes of a workshop, oldest first, optionally of one question, table or round."""
    where, args = ["workshop_id = ?"], [workshop_id]
    for column, value in (
        ("question_id", question_id),
        ("table_id", table_id),
        ("round_id", round_id),
    ):
        if value is not None:
            where.append(f"{column} = ?")
            args.append(value)
    if not include_deleted:
        where.append("deleted_at IS NULL")
    return [
        note_json(row) for row in db["note"].rows_where(" AND ".join(where), args, order_by="id")
    ]


def history(db: Database, workshop_id: int, uid: str) -> list[dict]:
    """Every version of a note, oldest first."""
    return [
        dict(row)
        for row in db.query(
            "SELECT v.version, v.kind, v.text, v.starred, v.deleted, v.at FROM note_version v "
            "JOIN note n ON n.id = v.note_id WHERE n.uid = ? AND n.workshop_id = ? "
            "ORDER BY v.version",
            [uid, workshop_id],
        )
    ]


def carry_over(
    db: Database, workshop_id: int, cell: dict, fixed_groups: bool, rounds=None
) -> list[dict]:
    """What earlier rounds said: on this question (moderator format) or at this table."""
    order = [r["id"] for r in (day_rounds(db, workshop_id) if rounds is None else rounds)]
    position = order.index(cell["round_id"]) if cell["round_id"] in order else len(order)
    earlier = set(order[:position])
    if fixed_groups and cell["question_id"]:
        found = notes(db, workshop_id, question_id=cell["question_id"])
    else:
        found = notes(db, workshop_id, table_id=cell["table_id"])
    return [note for note in found if note["round_id"] in earlier]


def new_uid() -> str:
    """A fresh id for a note or operation made on the server (imports, accepted ideas)."""
    return uuid.uuid4().hex
