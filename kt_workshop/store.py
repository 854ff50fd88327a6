"""Every read and write of workshop data: plain functions taking the database first."""

import ipaddress
import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlsplit

from sqlite_utils import Database

from kt_workshop.i18n import _, lazy_

FORMATS = ("travelling", "fixed_groups", "mixed")
# A language code such as en, pl, de-AT or zh_Hant (what topic packs and translations use).
LANGUAGE_CODE = r"[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*"
ATTENDANCE = ("registered", "attended", "absent")
DELEGATE_FIELDS = ("name", "organisation", "country", "sector", "role", "language")


class InputError(ValueError):
    """Input a user gave that cannot be stored, with a message per field."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


class NotFound(LookupError):
    """The row asked for is not in this workshop."""


def now() -> str:
    """The current time as an ISO 8601 UTC string, the format every timestamp is stored in."""
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Field:
    """How one user-editable column is checked."""

    kind: str = "text"  # text | int | bool | choice | ref | date | time | address
    required: bool = False
    max_length: int = 200
    choices: tuple = ()
    minimum: int = 0
    maximum: int = 10_000
    ref: str = ""  # for kind "ref": the table the id must belong to (same workshop)
    nullable: bool = False  # for kind "bool": may be left unanswered (None)
    pattern: str = ""  # for kind "text": a regular expression a non-empty value must match


# What a user may set on each kind of row. The views, the API and the archive all go
# through these, so a rule is stated once.
FIELDS: dict[str, dict[str, Field]] = {
    "workshop": {
        "title": Field(required=True),
        "date": Field("date", max_length=10),
        "venue": Field(),
        "language": Field(max_length=35, pattern=LANGUAGE_CODE),
        "format": Field("choice", choices=FORMATS),
        "description": Field(max_length=5000),
        "chatham_house": Field("bool"),
        "participant_pages": Field("bool"),
        "tablet_address": Field("address"),
    },
    "block": {
        "title": Field(required=True),
        "starts_at": Field("time", max_length=5),
        "break_title": Field(max_length=60),
    },
    "round": {"minutes": Field("int", minimum=1, maximum=480)},
    "question": {
        "text": Field(required=True, max_length=500),
        "prompt": Field(max_length=2000),
        "block_id": Field("ref", ref="block"),
    },
    "tables": {
        "name": Field(required=True, max_length=100),
        "capacity": Field("int", minimum=0, maximum=1000),
    },
    "moderator": {
        "name": Field(required=True, max_length=100),
        "question_id": Field("ref", ref="question"),
        "table_id": Field("ref", ref="tables"),
        "notes": Field(max_length=2000),
    },
    "participant": {
        **{name: Field(required=name == "name") for name in DELEGATE_FIELDS},
        "attendance": Field("choice", choices=ATTENDANCE),
        "consent": Field("bool", nullable=True),
        "table_id": Field("ref", ref="tables"),
        "stays": Field("bool"),
    },
    "theme": {
        "name": Field(required=True, max_length=200),
        "description": Field(max_length=2000),
        "usage": Field(max_length=2000),
    },
}

TRUE_WORDS = {"1", "true", "yes", "on", "y"}
FALSE_WORDS = {"0", "false", "no", "off", "n", ""}


def _clean_value(db: Database, workshop_id: int | None, field: Field, value):
    """Turn one submitted value into what is stored, or raise ValueError with the reason."""
    if field.kind == "bool":
        if isinstance(value, bool):
            return value
        if value is None and field.nullable:
            return None
        if value is None:
            raise ValueError(_("Choose yes or no."))
        word = str(value).strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise ValueError(_("Choose yes or no."))
    if field.kind in ("int", "ref"):
        if value in (None, "") and field.kind == "ref":
            return None
        try:
            number = int(str(value).strip())
        except ValueError:
            raise ValueError(_("Enter a whole number.")) from None
        if field.kind == "int" and not field.minimum <= number <= field.maximum:
            raise ValueError(
                _("Enter a number from %(low)s to %(high)s.", low=field.minimum, high=field.maximum)
            )
        if field.kind == "ref" and not _row_in_workshop(db, field.ref, number, workshop_id):
            raise ValueError(_("This choice is not part of the workshop."))
        return number
    if isinstance(value, list | dict | tuple | set):
        raise ValueError(_("Enter text."))
    if not isinstance(value, str):
        value = "" if value is None else str(value)
    value = value.strip()
    if field.required and not value:
        raise ValueError(_("This field is required."))
    if len(value) > field.max_length:
        raise ValueError(_("Keep this under %(n)s characters.", n=field.max_length))
    if field.pattern and value and not re.fullmatch(field.pattern, value):
        raise ValueError(_("Use a language code such as en, pl or de."))
    if field.kind == "time" and value:
        if not re.fullmatch(r"([01]?\d|2[0-3]):[0-5]\d", value):
            raise ValueError(_("Enter a time as HH:MM, such as 13:30."))
        return f"{int(value[:-3]):02d}:{value[-2:]}"
    if field.kind == "address":
        return clean_address(value)
    if field.kind == "date" and value:
        try:
            date.fromisoformat(value)
        except ValueError:
            raise ValueError(_("Enter a date as YYYY-MM-DD.")) from None
    if field.kind == "choice" and value not in field.choices:
        raise ValueError(_("Choose one of: %(choices)s.", choices=", ".join(field.choices)))
    return value


def clean(db: Database, kind: str, workshop_id: int | None, data: dict, partial=False) -> dict:
    """Check submitted fields for a kind of row; return the values to store or raise InputError."""
    errors, values = {}, {}
    for name, field in FIELDS[kind].items():
        if name not in data:
            if field.required and not partial:
                errors[name] = _("This field is required.")
            continue
        try:
            values[name] = _clean_value(db, workshop_id, field, data[name])
        except ValueError as error:
            errors[name] = str(error)
    if kind == "participant" and "extra" in data:
        extra = data["extra"]
        if extra is not None and (
            not isinstance(extra, dict)
            or not all(
                isinstance(k, str) and isinstance(v, str | int | float) for k, v in extra.items()
            )
        ):
            errors["extra"] = _("Give the extra columns as names with text values.")
    if errors:
        raise InputError(errors)
    return values


def _row_in_workshop(db: Database, table: str, row_id: int, workshop_id: int | None) -> bool:
    """True when the row exists and belongs to the workshop."""
    rows = db.execute(
        f"SELECT 1 FROM [{table}] WHERE id = ? AND workshop_id = ?",  # noqa: S608 - fixed names
        [row_id, workshop_id],
    ).fetchall()
    return bool(rows)


def audit(db: Database, workshop_id: int | None, actor: str, action: str, detail="") -> None:
    """Record who did what, for the workshop's audit log."""
    db["audit"].insert(
        {
            "workshop_id": workshop_id,
            "at": now(),
            "actor": actor,
            "action": action,
            "detail": detail if isinstance(detail, str) else json.dumps(detail, ensure_ascii=False),
        }
    )


# Views of the same page by the same person within this many seconds make one audit row.
VIEW_WINDOW_SECONDS = 300


def audit_view(
    db: Database, workshop_id: int | None, actor: str, what: dict, at: str | None = None
) -> None:
    """Record that someone viewed something: one row per person, page and workshop for
    VIEW_WINDOW_SECONDS from its first view, counting the views (`times`) and the last one
    (`last_at`), so reloads do not fill the log. Run it in a write transaction."""
    at = at or now()
    detail = json.dumps(what, ensure_ascii=False, sort_keys=True)
    since = datetime.fromisoformat(at) - timedelta(seconds=VIEW_WINDOW_SECONDS)
    since_text = since.isoformat(timespec="seconds")
    row = db.execute(
        "SELECT id FROM audit WHERE workshop_id IS ? AND action = 'viewed' AND actor = ? "
        "AND at >= ? AND detail = ? ORDER BY id DESC LIMIT 1",
        [workshop_id, actor, since_text, detail],
    ).fetchone()
    if row:
        db.execute("UPDATE audit SET times = times + 1, last_at = ? WHERE id = ?", [at, row[0]])
    else:
        db.execute(
            "INSERT INTO audit (workshop_id, at, actor, action, detail, times, last_at) "
            "VALUES (?, ?, ?, 'viewed', ?, 1, ?)",
            [workshop_id, at, actor, detail, at],
        )


# Workshops ----------------------------------------------------------------------------------


def create_workshop(db: Database, data: dict) -> int:
    """Create a workshop from the organiser's form and return its id."""
    values = clean(db, "workshop", None, data)
    values.setdefault("format", "fixed_groups")
    values.setdefault("language", "en")
    stamp = now()
    return db["workshop"].insert({**values, "created_at": stamp, "updated_at": stamp}).last_pk


def update_workshop(db: Database, workshop_id: int, data: dict) -> None:
    """Change the workshop's details."""
    get_workshop(db, workshop_id)
    values = clean(db, "workshop", workshop_id, data, partial=True)
    db["workshop"].update(workshop_id, {**values, "updated_at": now()})


def get_workshop(db: Database, workshop_id: int) -> dict:
    """One workshop's details, or NotFound."""
    rows = list(db["workshop"].rows_where("id = ?", [workshop_id]))
    if not rows:
        raise NotFound(_("There is no workshop %(id)s.", id=workshop_id))
    return _with_bools(rows[0])


def list_workshops(db: Database) -> list[dict]:
    """Every workshop in the database, newest first, with its counts."""
    rows = db.query(
        """SELECT w.*,
             (SELECT count(*) FROM participant p WHERE p.workshop_id = w.id) AS delegates,
             (SELECT count(*) FROM question q WHERE q.workshop_id = w.id) AS questions,
             (SELECT count(*) FROM tables t WHERE t.workshop_id = w.id) AS tables
           FROM workshop w ORDER BY w.date DESC, w.id DESC"""
    )
    return [_with_bools(row) for row in rows]


def delete_workshop(db: Database, workshop_id: int) -> None:
    """Delete a workshop and everything in it."""
    get_workshop(db, workshop_id)
    db.execute("DELETE FROM workshop WHERE id = ?", [workshop_id])


def _with_bools(row: dict) -> dict:
    """Turn SQLite's 0/1 flags back into booleans."""
    for name in ("chatham_house", "participant_pages", "stays"):
        if name in row:
            row[name] = bool(row[name])
    if "consent" in row and row["consent"] is not None:
        row["consent"] = bool(row["consent"])
    if isinstance(row.get("extra"), str):
        row["extra"] = json.loads(row["extra"] or "{}")
    return row


# Rows inside a workshop: blocks, rounds, questions, tables, moderators, delegates ------------


def list_items(db: Database, kind: str, workshop_id: int) -> list[dict]:
    """All rows of one kind in the workshop, in the organiser's order."""
    if kind == "round":
        sql = """SELECT r.* FROM round r JOIN block b ON b.id = r.block_id
                 WHERE b.workshop_id = ? ORDER BY b.position, r.position"""
        return [dict(row) for row in db.query(sql, [workshop_id])]
    order = {"participant": "name COLLATE NOCASE, id", "moderator": "id"}.get(kind, "position, id")
    return [
        _with_bools(row)
        for row in db[kind].rows_where("workshop_id = ?", [workshop_id], order_by=order)
    ]


def get_item(db: Database, kind: str, workshop_id: int, item_id: int) -> dict:
    """One row of the workshop, or NotFound when it is not there (or in another workshop)."""
    if kind == "round":
        rows = list(
            db.query(
                "SELECT r.* FROM round r JOIN block b ON b.id = r.block_id "
                "WHERE r.id = ? AND b.workshop_id = ?",
                [item_id, workshop_id],
            )
        )
    else:
        rows = list(db[kind].rows_where("id = ? AND workshop_id = ?", [item_id, workshop_id]))
    if not rows:
        raise NotFound(_("That item is not part of this workshop."))
    return _with_bools(dict(rows[0]))


def _next_position(db: Database, kind: str, column: str, parent_id: int) -> int:
    """The position after the last row under the same parent."""
    row = db.execute(
        f"SELECT coalesce(max(position), 0) + 1 FROM [{kind}] WHERE [{column}] = ?",  # noqa: S608
        [parent_id],
    ).fetchone()
    return row[0]


def add_item(db: Database, kind: str, workshop_id: int, data: dict) -> int:
    """Add a block, question, table, moderator or delegate to the workshop; return its id."""
    get_workshop(db, workshop_id)
    values = clean(db, kind, workshop_id, data)
    row = {**values, "workshop_id": workshop_id}
    if kind == "participant":
        row["created_at"] = now()
        row["extra"] = json.dumps(text_values(data.get("extra")), ensure_ascii=False)
        keep_groups(db, workshop_id)  # someone added mid-day was not in the earlier rounds
    if "position" in db[kind].columns_dict:
        row["position"] = _next_position(db, kind, "workshop_id", workshop_id)
    return db[kind].insert(row).last_pk


def update_item(db: Database, kind: str, workshop_id: int, item_id: int, data: dict) -> None:
    """Change some fields of one row of the workshop."""
    get_item(db, kind, workshop_id, item_id)
    values = clean(db, kind, workshop_id, data, partial=True)
    if kind == "participant" and "extra" in data:
        values["extra"] = json.dumps(text_values(data["extra"]), ensure_ascii=False)
    if kind == "participant" and {"table_id", "attendance", "stays"} & set(values):
        keep_groups(db, workshop_id)  # the change reaches the rounds to come only
    if values:
        db[kind].update(item_id, values)


def delete_item(db: Database, kind: str, workshop_id: int, item_id: int) -> None:
    """Remove one row of the workshop (and what hangs off it), unless rounds that have happened
    hold it: their seats and leads are history."""
    get_item(db, kind, workshop_id, item_id)
    reason = rewrites_history(db, kind, workshop_id, item_id)
    if reason:
        raise InputError({kind: reason})
    db.execute(f"DELETE FROM [{kind}] WHERE id = ?", [item_id])  # noqa: S608 - fixed names


def move_item(db: Database, kind: str, workshop_id: int, item_id: int, step: int) -> None:
    """Move a row one place up (step -1) or down (step +1) among its siblings."""
    item = get_item(db, kind, workshop_id, item_id)
    siblings = [
        row
        for row in list_items(db, kind, workshop_id)
        if kind != "question" or row["block_id"] == item["block_id"]
    ]
    ids = [row["id"] for row in siblings]
    index = ids.index(item_id)
    other = index + step
    if not 0 <= other < len(ids):
        return
    ids[index], ids[other] = ids[other], ids[index]
    with db.atomic():
        for position, row_id in enumerate(ids, start=1):
            db[kind].update(row_id, {"position": position})


# Blocks and their rounds ---------------------------------------------------------------------


def add_block(db: Database, workshop_id: int, data: dict, rounds: int = 5, minutes=20) -> int:
    """Add a block (session of the day) with its rounds; return the block's id."""
    if not 0 <= int(rounds) <= 50:
        raise InputError({"rounds": _("A block has from 0 to 50 rounds.")})
    with db.atomic():
        block_id = add_item(db, "block", workshop_id, data)
        set_rounds(db, workshop_id, block_id, [minutes] * int(rounds))
    return block_id


def set_rounds(db: Database, workshop_id: int, block_id: int, minutes: list) -> None:
    """Give a block exactly these rounds, with these lengths in minutes."""
    get_item(db, "block", workshop_id, block_id)
    if len(minutes) > 50:
        raise InputError({"rounds": _("A block has from 0 to 50 rounds.")})
    cleaned = [clean(db, "round", workshop_id, {"minutes": m})["minutes"] for m in minutes]
    existing = [
        r["id"] for r in db["round"].rows_where("block_id = ?", [block_id], order_by="position")
    ]
    with db.atomic():
        for position, length in enumerate(cleaned, start=1):
            if position <= len(existing):
                db["round"].update(
                    existing[position - 1], {"minutes": length, "position": position}
                )
            else:
                db["round"].insert({"block_id": block_id, "position": position, "minutes": length})
        for extra_id in existing[len(cleaned) :]:
            db["round"].delete(extra_id)


def programme(db: Database, workshop_id: int) -> list[dict]:
    """The blocks of the day in order, each with its rounds and questions."""
    blocks = list_items(db, "block", workshop_id)
    rounds = list_items(db, "round", workshop_id)
    questions = list_items(db, "question", workshop_id)
    for block in blocks:
        block["rounds"] = [r for r in rounds if r["block_id"] == block["id"]]
        block["questions"] = [q for q in questions if q["block_id"] == block["id"]]
    return blocks


def apply_pack(db: Database, workshop_id: int, pack, minutes: int = 20) -> int:
    """Add a topic pack's questions to the workshop, block by block; return how many."""
    added = 0
    with db.atomic():
        blocks = list_items(db, "block", workshop_id)
        for index, pack_block in enumerate(pack.blocks):
            if index < len(blocks):
                block_id = blocks[index]["id"]
            else:
                rounds = len(pack_block.questions)
                block_id = add_block(db, workshop_id, {"title": pack_block.title}, rounds, minutes)
            for question in pack_block.questions:
                add_item(
                    db,
                    "question",
                    workshop_id,
                    {"text": question.text, "prompt": question.prompt, "block_id": block_id},
                )
                added += 1
    return added


# Delegates -----------------------------------------------------------------------------------


def add_delegates(db: Database, workshop_id: int, delegates: list[dict]) -> list[int]:
    """Add many delegates in one transaction: all of them or, on any error, none."""
    with db.atomic():
        return [add_item(db, "participant", workshop_id, delegate) for delegate in delegates]


def delegate_extra_columns(delegates: list[dict]) -> list[str]:
    """The organiser's own columns across these delegates, in first-seen order."""
    seen: dict[str, None] = {}
    for delegate in delegates:
        for key in delegate.get("extra") or {}:
            seen.setdefault(key, None)
    return list(seen)


def stash_import(db: Database, workshop_id: int, kind: str, filename: str, rows: list) -> int:
    """Keep checked rows until the organiser confirms the import; return the stash id."""
    return (
        db["pending_import"]
        .insert(
            {
                "workshop_id": workshop_id,
                "kind": kind,
                "filename": filename,
                "created_at": now(),
                "rows": json.dumps(rows, ensure_ascii=False),
            }
        )
        .last_pk
    )


def take_stashed_import(db: Database, workshop_id: int, stash_id: int) -> tuple[str, list]:
    """Remove a confirmed import from the stash and return its file name and rows."""
    found = list(
        db["pending_import"].rows_where("id = ? AND workshop_id = ?", [stash_id, workshop_id])
    )
    if not found:
        raise NotFound(_("This import has already been confirmed or has expired."))
    db["pending_import"].delete(stash_id)
    return found[0]["filename"], json.loads(found[0]["rows"])


def delegate_key(delegate: dict) -> tuple[str, str]:
    """What makes two delegates the same person: name and organisation, case and spaces aside."""
    return tuple(
        " ".join(str(delegate.get(f) or "").split()).casefold() for f in ("name", "organisation")
    )


def without_duplicates(db: Database, workshop_id: int, rows: list[dict]) -> tuple[list, int]:
    """Drop rows naming delegates the workshop already has; return the rest and how many left."""
    known = {delegate_key(p) for p in list_items(db, "participant", workshop_id)}
    kept = []
    for row in rows:
        if delegate_key(row) not in known:
            known.add(delegate_key(row))
            kept.append(row)
    return kept, len(rows) - len(kept)


def text_values(extra: dict | None) -> dict[str, str]:
    """The organiser's own columns with every value as text."""
    return {str(key): str(value) for key, value in (extra or {}).items()}


# Rounds that have happened -------------------------------------------------------------------
# Their seats and leads are history: a round has happened once it has started (the running one
# counts), so a change made while people sit at their tables reaches the rounds to come only.
# Every tool that can change seats or leads asks here first.


def round_ids(db: Database, workshop_id: int) -> list[int]:
    """The ids of the day's rounds in order (blocks, then rounds within each block)."""
    return [
        row[0]
        for row in db.execute(
            "SELECT r.id FROM round r JOIN block b ON b.id = r.block_id WHERE b.workshop_id = ? "
            "ORDER BY b.position, r.position",
            [workshop_id],
        )
    ]


def rounds_held(db: Database, workshop_id: int, ids: list[int] | None = None) -> int:
    """How many rounds of the day have happened or are on now (0 before the first starts)."""
    ids = round_ids(db, workshop_id) if ids is None else ids
    row = db.execute(
        "SELECT status, round_id FROM day_state WHERE workshop_id = ?", [workshop_id]
    ).fetchone()
    if row is None:
        return 0
    if row[0] == "finished":
        return len(ids)
    return ids.index(row[1]) + 1 if row[1] in ids else 0


def held_round_ids(db: Database, workshop_id: int) -> list[int]:
    """The ids of the rounds that have happened or are on now, in order."""
    ids = round_ids(db, workshop_id)
    return ids[: rounds_held(db, workshop_id, ids)]


def keep_groups(db: Database, workshop_id: int, upto: int | None = None) -> int:
    """Fixed groups: write down who sat in which group in each round that has happened.

    Groups live on the delegates (participant.table_id), so changing one would rewrite the
    whole day; before a change, each held round (or each of the first `upto` rounds) without
    seats of its own gets them, and the change reaches the rounds to come only. Returns how
    many rounds were written down.
    """
    row = db.execute("SELECT format FROM workshop WHERE id = ?", [workshop_id]).fetchone()
    if row is None or row[0] != "fixed_groups":
        return 0
    ids = round_ids(db, workshop_id)
    written = 0
    for round_id in ids[: rounds_held(db, workshop_id, ids) if upto is None else upto]:
        if db.execute("SELECT 1 FROM seat WHERE round_id = ? LIMIT 1", [round_id]).fetchone():
            continue
        db.execute(
            "INSERT INTO seat (workshop_id, round_id, table_id, participant_id) "
            "SELECT workshop_id, ?, table_id, id FROM participant WHERE workshop_id = ? "
            "AND table_id IS NOT NULL AND attendance != 'absent'",
            [round_id, workshop_id],
        )
        written += 1
    return written


# What deleting a row would take out of the rounds that have happened, and why not to.
_HELD_ROWS = {
    "participant": (
        "SELECT count(*) FROM seat WHERE participant_id = ? AND round_id IN ({held})",
        lazy_(
            "This delegate took part in rounds that have happened, so they stay in the record "
            "of those rounds. Mark them absent instead: they leave the rounds to come when you "
            "re-plan."
        ),
    ),
    "moderator": (
        "SELECT count(*) FROM lead WHERE moderator_id = ? AND round_id IN ({held})",
        lazy_(
            "This moderator led rounds that have happened, so they stay in the record of those "
            "rounds. To take them out of the rounds to come, choose them under “A moderator "
            "leaves” when you re-plan."
        ),
    ),
    "tables": (
        "SELECT count(*) FROM (SELECT table_id FROM seat WHERE round_id IN ({held}) UNION ALL "
        "SELECT table_id FROM lead WHERE round_id IN ({held})) WHERE table_id = ?",
        lazy_(
            "This table was used in rounds that have happened. Close it for the rest of the day "
            "when you re-plan instead."
        ),
    ),
    "round": (
        "SELECT count(*) FROM round WHERE id = ? AND id IN ({held})",
        lazy_("This round has happened already, so it stays."),
    ),
    "block": (
        "SELECT count(*) FROM round WHERE block_id = ? AND id IN ({held})",
        lazy_("Rounds of this block have happened already, so it stays."),
    ),
}


def rewrites_history(db: Database, kind: str, workshop_id: int, item_id: int) -> str | None:
    """Why deleting this row would rewrite rounds that have happened; None when it would not."""
    held = held_round_ids(db, workshop_id)
    if not held or kind not in _HELD_ROWS:
        return None
    if kind == "participant":
        keep_groups(db, workshop_id)
    sql, reason = _HELD_ROWS[kind]
    ids = ",".join(str(int(i)) for i in held)
    # The ids are whole numbers from the database, not user input.
    found = db.execute(sql.format(held=ids), [item_id]).fetchone()[0]  # noqa: S608
    return str(reason) if found else None


# The address tablets use ----------------------------------------------------------------------

LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"}


def clean_address(text: str) -> str:
    """The tablets' address as stored: scheme, host and port ("" follows the server's own), or
    ValueError saying what is wrong."""
    text = (text or "").strip()
    if not text:
        return ""
    if "://" not in text:
        text = "http://" + text
    example = _("Enter an address such as http://192.168.1.20:5000.")
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise ValueError(example) from None
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.username:
        raise ValueError(example)
    if parts.path.strip("/") or parts.query or parts.fragment:
        raise ValueError(_("Give only the start of the address, such as https://kt.local:5000."))
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    return f"{parts.scheme}://{host}" + (f":{port}" if port else "")


def is_loopback(address: str) -> bool:
    """True when only the laptop itself can open the address (127.0.0.1, localhost, ::1)."""
    host = (urlsplit(address or "").hostname or "").lower()
    if host in LOOPBACK_NAMES or host.endswith(".localhost"):
        return True
    try:
        found = ipaddress.ip_address(host)
    except ValueError:
        return False
    return found.is_loopback or found.is_unspecified
