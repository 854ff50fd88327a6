"""Where a tablet or a participant is in the day, and what it sees and decides there.

Plain functions on the database, called by the live pages (live.py) and by Socket.IO events
(events.py) alike.
"""

from sqlite_utils import Database

from kt_workshop import store
from kt_workshop.db import writing
from kt_workshop.i18n import _
from kt_workshop.live import day, notes
from kt_workshop.plan.store import day_rounds, planned_people, round_name

# What a tablet sees ---------------------------------------------------------------------------


def tablet_table(db: Database, workshop_id: int, grant: dict, round_id) -> int | None:
    """The table a tablet is at in a round: its own, or where its moderator leads."""
    if grant["table_id"]:
        return grant["table_id"]
    if grant["moderator_id"] and round_id:
        row = db.execute(
            "SELECT table_id FROM lead WHERE round_id = ? AND moderator_id = ?",
            [round_id, grant["moderator_id"]],
        ).fetchone()
        return row[0] if row else None
    return None


def sees_cell(db: Database, grant: dict, round_id, table_id) -> bool:
    """True when a tablet may see what was written at this table in this round: only at the
    table it is (or was) at in that round. A lost tablet shows one table's notes at most; the
    carry-over brief from earlier rounds comes with `tablet_cell`, worked out on the server."""
    if round_id is None or table_id is None:
        return False
    return tablet_table(db, grant["workshop_id"], grant, round_id) == table_id


def sees_change(db: Database, grant: dict, change: dict) -> bool:
    """True when a tablet may receive a logged change: everything for everyone (the round,
    announcements), and notes, photos and ideas of its own cells."""
    if change["audience"] == "all":
        return True
    payload = change["payload"]
    return sees_cell(db, grant, payload.get("round_id"), payload.get("table_id"))


def wrote(db: Database, grant_id: int, change: dict) -> bool:
    """True when the note or photo a change is about was written by this tablet."""
    uid = change["payload"].get("uid")
    if change["kind"] not in ("note", "photo") or not isinstance(uid, str):
        return False
    sql = f"SELECT 1 FROM {change['kind']} WHERE uid = ? AND access_id = ?"  # noqa: S608
    return db.execute(sql, [uid, grant_id]).fetchone() is not None


def uids_written_by(db: Database, grant_id: int) -> set[str]:
    """The notes and photos one tablet wrote (it may always see its own)."""
    return {
        row[0]
        for table in ("note", "photo")
        for row in db.execute(
            f"SELECT uid FROM {table} WHERE access_id = ?",  # noqa: S608 - fixed names
            [grant_id],
        ).fetchall()
    }


def is_closed(db: Database, round_id, table_id) -> bool:
    """True when the organiser closed this table for this round."""
    return bool(
        db.execute(
            "SELECT 1 FROM closed_table WHERE round_id = ? AND table_id = ?", [round_id, table_id]
        ).fetchone()
    )


def who_is_there(db: Database, workshop_id: int, round_id: int, table_id: int) -> list[str]:
    """Names of the delegates at a table in a round (pseudonyms as the organiser wrote them)."""
    seated = [
        row[0]
        for row in db.execute(
            "SELECT p.name FROM seat s JOIN participant p ON p.id = s.participant_id "
            "WHERE s.round_id = ? AND s.table_id = ? ORDER BY p.name COLLATE NOCASE",
            [round_id, table_id],
        ).fetchall()
    ]
    if seated:
        return seated
    return sorted(
        (p["name"] for p in planned_people(db, workshop_id) if p["table_id"] == table_id),
        key=str.casefold,
    )


def tablet_cell(db: Database, workshop_id: int, grant: dict) -> dict:
    """The tablet's current cell, the carry-over brief, this cell's notes and pending ideas."""
    rounds = day_rounds(db, workshop_id)  # once: the state, the cell and the brief share it
    state = day.state(db, workshop_id, rounds=rounds)
    round_id = state["round_id"]
    if round_id is None:
        round_id = rounds[0]["id"] if rounds else None
    table_id = tablet_table(db, workshop_id, grant, round_id)
    if round_id is None or table_id is None:
        return {"state": state, "cell": None, "brief": [], "notes": [], "ideas": []}
    cell = notes.cell_context(db, workshop_id, round_id, table_id)
    workshop = store.get_workshop(db, workshop_id)
    question = (
        store.get_item(db, "question", workshop_id, cell["question_id"])
        if cell["question_id"]
        else None
    )
    moderator = (
        store.get_item(db, "moderator", workshop_id, cell["moderator_id"])
        if cell["moderator_id"]
        else None
    )
    table = store.get_item(db, "tables", workshop_id, table_id)
    round_ = next(r for r in rounds if r["id"] == round_id)
    own = {
        row["uid"]
        for row in db["note"].rows_where(
            "access_id = ? AND round_id = ? AND table_id = ?",
            [grant["id"], round_id, table_id],
            select="uid",
        )
    }
    here = [
        {**note, "own": note["uid"] in own}
        for note in notes.notes(db, workshop_id, round_id=round_id, table_id=table_id)
    ]
    ideas = pending_ideas(db, workshop_id, grant, round_id, table_id, rounds)
    return {
        "state": state,
        "cell": {
            "round_id": round_id,
            "table_id": table_id,
            "table": table["name"],
            "block": round_["block"]["title"],
            "round": round_["number"],
            "question": question["text"] if question else "",
            "prompt": question["prompt"] if question else "",
            "moderator": moderator["name"] if moderator else None,
            "people": who_is_there(db, workshop_id, round_id, table_id),
            "closed": is_closed(db, round_id, table_id),
        },
        "brief": notes.carry_over(
            db, workshop_id, cell, workshop["format"] == "fixed_groups", rounds=rounds
        ),
        "notes": here,
        "ideas": ideas,
    }


def pending_ideas(db: Database, workshop_id: int, grant: dict, round_id, table_id, rounds):
    """Ideas still waiting for this tablet: its table's (or, for a moderator's link, those sent
    where its moderator led), of this round and of earlier ones, which stay decidable after
    their round ends. Each carries its round's name so the tablet shows it under its round."""
    if grant.get("table_id"):
        where, args = "i.table_id = ?", [grant["table_id"]]
    elif grant.get("moderator_id"):
        where = (
            "(EXISTS (SELECT 1 FROM lead l WHERE l.round_id = i.round_id AND "
            "l.table_id = i.table_id AND l.moderator_id = ?) "
            "OR (i.round_id = ? AND i.table_id = ?))"
        )
        args = [grant["moderator_id"], round_id, table_id]
    else:
        where, args = "i.round_id = ? AND i.table_id = ?", [round_id, table_id]
    names = {r["id"]: round_name(r) for r in rounds}
    return [
        {**row, "round": names.get(row["round_id"], "")}
        for row in db.query(
            f"SELECT i.* FROM idea i WHERE i.workshop_id = ? AND i.status = 'pending' AND {where} "  # noqa: S608
            "ORDER BY i.id",
            [workshop_id, *args],
        )
    ]


def _pending(db: Database, workshop_id: int, idea_id) -> dict:
    """A pending idea of the workshop, or Refused when it is gone or decided already."""
    rows = list(
        db["idea"].rows_where(
            "id = ? AND workshop_id = ? AND status = 'pending'",
            [idea_id if isinstance(idea_id, int) else -1, workshop_id],
        )
    )
    if not rows:
        raise notes.Refused(_("That idea has been handled already."))
    return rows[0]


def decide_idea(db: Database, workshop_id: int, grant: dict, idea_id, accept: bool) -> list:
    """Accept a participant's idea as a note of its cell, or dismiss it; return the changes."""
    idea = _pending(db, workshop_id, idea_id)
    cell = notes.cell_context(db, workshop_id, idea["round_id"], idea["table_id"])
    if not notes.may_write_at(db, grant, cell):
        raise notes.Refused(_("This idea was sent to another table."))
    return _decide(db, workshop_id, idea, cell, accept, grant["id"])


def decide_idea_later(db: Database, workshop_id: int, idea_id, accept: bool, access_id=None):
    """The organiser or an analyst decides an idea (any round, any table); return the changes."""
    idea = _pending(db, workshop_id, idea_id)
    cell = notes.cell_context(db, workshop_id, idea["round_id"], idea["table_id"])
    return _decide(db, workshop_id, idea, cell, accept, access_id)


def _decide(db: Database, workshop_id: int, idea: dict, cell: dict, accept: bool, access_id):
    """Make the idea a note of its cell (accepted) or set it aside, in one write."""
    changes = []
    with writing(db):
        if db.execute("SELECT status FROM idea WHERE id = ?", [idea["id"]]).fetchone()[0] != (
            "pending"
        ):
            raise notes.Refused(_("That idea has been handled already."))
        note_id = None
        if accept:
            note_id, change = notes.store_note(
                db,
                workshop_id,
                cell,
                kind="idea",
                text=idea["text"],
                source="participant",
                access_id=access_id,
            )
            changes.append(change)
        status = "accepted" if accept else "dismissed"
        db["idea"].update(idea["id"], {"status": status, "note_id": note_id})
        changes.append(
            day.record_change(
                db, workshop_id, "idea", {**idea, "status": status, "note_id": note_id}
            )
        )
    return changes


def ideas_by_round(db: Database, workshop_id: int) -> list[dict]:
    """Every idea of the workshop under its round, with its table's name, waiting ones first
    within each round: for the organiser and the analysts."""
    rounds = day_rounds(db, workshop_id)
    tables = {t["id"]: t["name"] for t in store.list_items(db, "tables", workshop_id)}
    found = list(db["idea"].rows_where("workshop_id = ?", [workshop_id], order_by="id"))
    out = []
    for round_ in [*rounds, None]:
        here = [
            {**idea, "table": tables.get(idea["table_id"], "")}
            for idea in found
            if (round_ and idea["round_id"] == round_["id"])
            or (round_ is None and idea["round_id"] not in {r["id"] for r in rounds})
        ]
        if here:
            here.sort(key=lambda idea: (idea["status"] != "pending", idea["id"]))
            out.append({"round": round_name(round_) if round_ else "", "ideas": here})
    return out


def idea_counts(db: Database, workshop_id: int) -> dict[str, int]:
    """How many ideas participants sent, and how many were accepted, dismissed or are undecided."""
    counts = {"sent": 0, "accepted": 0, "dismissed": 0, "pending": 0}
    for status, number in db.execute(
        "SELECT status, count(*) FROM idea WHERE workshop_id = ? GROUP BY status", [workshop_id]
    ):
        counts[status] = number
        counts["sent"] += number
    return counts


def participant_cell(db: Database, workshop_id: int, participant_id: int) -> dict | None:
    """Where a participant is in the current round, from the plan."""
    state = day.state(db, workshop_id)
    if state["round_id"] is None or state["status"] == "finished":
        return None
    seat = db.execute(
        "SELECT table_id FROM seat WHERE round_id = ? AND participant_id = ?",
        [state["round_id"], participant_id],
    ).fetchone()
    table_id = (
        seat[0]
        if seat
        else store.get_item(db, "participant", workshop_id, participant_id)["table_id"]
    )
    if table_id is None:
        return None
    return notes.cell_context(db, workshop_id, state["round_id"], table_id)
