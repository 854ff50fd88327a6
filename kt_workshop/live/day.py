"""The day's clock: which round is on, and its timer, kept in the database.

A restarted server reads the same row and carries on: the same round, the same time left.
Times are server wall-clock seconds; each client corrects for its own clock's offset.
"""

import json
import time
from datetime import datetime

from sqlite_utils import Database

from kt_workshop import store
from kt_workshop.db import writing
from kt_workshop.i18n import _
from kt_workshop.plan.store import day_rounds


def _row(db: Database, workshop_id: int) -> dict:
    """The workshop's day_state row, made on first use."""
    # Read first: only the very first call writes, so reading events never wait for (or
    # take) the write lock that tablets' notes need.
    rows = list(db["day_state"].rows_where("workshop_id = ?", [workshop_id]))
    if rows:
        return dict(rows[0])
    outside = not db.conn.in_transaction
    db.execute("INSERT OR IGNORE INTO day_state (workshop_id) VALUES (?)", [workshop_id])
    if outside and db.conn.in_transaction:
        db.conn.commit()  # not inside the caller's transaction: keep the row now
    return dict(next(db["day_state"].rows_where("workshop_id = ?", [workshop_id])))


def remaining(row: dict, now: float) -> float:
    """Seconds left in the round, or of a break until the next block starts (negative once
    overrun)."""
    counting = row["status"] in ("running", "break") and row["started_at"]
    running = now - row["started_at"] if counting else 0
    return row["duration"] - row["elapsed"] - running


def state(db: Database, workshop_id: int, now: float | None = None, rounds=None) -> dict:
    """Everything a screen needs to show where the day is and count down in step.

    `rounds` may pass the day's rounds (plan.day_rounds) when the caller has them already.
    """
    now = time.time() if now is None else now
    row = _row(db, workshop_id)
    rounds = day_rounds(db, workshop_id) if rounds is None else rounds
    current = next((r for r in rounds if r["id"] == row["round_id"]), None)
    position = rounds.index(current) if current else -1
    following = rounds[position + 1] if 0 <= position + 1 < len(rounds) else None
    return {
        "workshop_id": workshop_id,
        "status": row["status"],
        "round_id": row["round_id"],
        "duration": row["duration"],
        "elapsed": row["elapsed"],
        "started_at": row["started_at"],
        "chime": bool(row["chime"]),
        "server_now": now,
        "remaining": remaining(row, now),
        "seq": row["seq"],
        "round": round_json(current),
        "next_round": round_json(following),
        "position": position + 1,
        "rounds": len(rounds),
        "break": break_json(following) if row["status"] == "break" else None,
    }


def break_json(following: dict | None) -> dict | None:
    """The break before a block as screens show it: its name, when the block starts, the block."""
    if following is None:
        return None
    block = following["block"]
    return {
        "title": block.get("break_title") or _("Break"),
        "back_at": block.get("starts_at") or "",
        "block": block["title"],
    }


def seconds_until(clock: str, now: float) -> float:
    """Seconds from now to today's HH:MM on this laptop's clock (0 when no time is set)."""
    try:
        hours, minutes = (int(part) for part in clock.split(":"))
    except ValueError:
        return 0.0
    today = datetime.fromtimestamp(now)
    return today.replace(hour=hours, minute=minutes, second=0, microsecond=0).timestamp() - now


def round_json(round_: dict | None) -> dict | None:
    """A round as screens show it: its block, number and length."""
    if round_ is None:
        return None
    return {
        "id": round_["id"],
        "number": round_["number"],
        "minutes": round_["minutes"],
        "block_id": round_["block_id"],
        "block": round_["block"]["title"],
        "block_index": round_["block_index"],
    }


def latest_seq(db: Database, workshop_id: int) -> int:
    """The workshop's last sequence number (0 before any change), without the round details."""
    row = db.execute("SELECT seq FROM day_state WHERE workshop_id = ?", [workshop_id]).fetchone()
    return row[0] if row else 0


def next_seq(db: Database, workshop_id: int) -> int:
    """Take the workshop's next sequence number (inside the caller's write transaction)."""
    _row(db, workshop_id)
    db.execute("UPDATE day_state SET seq = seq + 1 WHERE workshop_id = ?", [workshop_id])
    return db.execute("SELECT seq FROM day_state WHERE workshop_id = ?", [workshop_id]).fetchone()[
        0
    ]


def record_change(
    db: Database, workshop_id: int, kind: str, payload: dict, audience: str = "staff"
) -> dict:
    """Log a change with the next sequence number; return it as it is broadcast."""
    return _log(db, workshop_id, next_seq(db, workshop_id), kind, payload, audience)


def _log(db: Database, workshop_id: int, seq: int, kind: str, payload: dict, audience: str):
    """Write one change-log row and return the change as it is broadcast."""
    at = store.now()
    db["change"].insert(
        {
            "workshop_id": workshop_id,
            "seq": seq,
            "kind": kind,
            "audience": audience,
            "at": at,
            "payload": json.dumps(payload, ensure_ascii=False),
        }
    )
    return {"seq": seq, "kind": kind, "audience": audience, "at": at, "payload": payload}


def changes_since(
    db: Database, workshop_id: int, seq: int, staff: bool, limit: int = 500
) -> list[dict]:
    """The changes after a sequence number, oldest first, that this audience may see."""
    audiences = ("staff", "all") if staff else ("all",)
    rows = db.query(
        "SELECT seq, kind, audience, at, payload FROM change WHERE workshop_id = ? AND seq > ? "
        "AND audience IN (?, ?) ORDER BY seq LIMIT ?",
        [workshop_id, seq, audiences[0], audiences[-1], limit],
    )
    return [{**row, "payload": json.loads(row["payload"])} for row in rows]


def _save(db: Database, workshop_id: int, now: float, **values) -> dict:
    """Write new round-state values and log them, with the state itself, in one transaction."""
    with writing(db):
        db["day_state"].update(workshop_id, values)
        seq = next_seq(db, workshop_id)
        return _log(db, workshop_id, seq, "round_state", state(db, workshop_id, now), "all")


def _round_seconds(round_: dict) -> float:
    """A round's planned length in seconds."""
    return float(round_["minutes"]) * 60


def start(
    db: Database, workshop_id: int, round_id: int | None = None, now: float | None = None
) -> dict:
    """Start a round (the given one, else the current one, else the first) from its full time."""
    now = time.time() if now is None else now
    rounds = day_rounds(db, workshop_id)
    if not rounds:
        raise store.InputError({"round": _("Add the blocks and their rounds first.")})
    row = _row(db, workshop_id)
    target = round_id or row["round_id"] or rounds[0]["id"]
    chosen = next((r for r in rounds if r["id"] == target), None)
    if chosen is None:
        raise store.NotFound(_("That round is not part of this workshop."))
    return _save(
        db,
        workshop_id,
        now,
        round_id=chosen["id"],
        status="running",
        duration=_round_seconds(chosen),
        elapsed=0.0,
        started_at=now,
    )


def pause(db: Database, workshop_id: int, now: float | None = None) -> dict:
    """Stop the clock; the time left is kept."""
    now = time.time() if now is None else now
    row = _row(db, workshop_id)
    if row["status"] != "running":
        raise store.InputError({"round": _("The round is not running.")})
    return _save(
        db,
        workshop_id,
        now,
        status="paused",
        started_at=None,
        elapsed=row["elapsed"] + (now - row["started_at"]),
    )


def resume(db: Database, workshop_id: int, now: float | None = None) -> dict:
    """Start the clock again after a pause."""
    now = time.time() if now is None else now
    if _row(db, workshop_id)["status"] != "paused":
        raise store.InputError({"round": _("The round is not paused.")})
    return _save(db, workshop_id, now, status="running", started_at=now)


def extend(db: Database, workshop_id: int, minutes: float, now: float | None = None) -> dict:
    """Give the current round more (or, with a negative number, fewer) minutes."""
    now = time.time() if now is None else now
    row = _row(db, workshop_id)
    if row["status"] not in ("running", "paused"):
        raise store.InputError({"round": _("Start a round first.")})
    if not -60 <= minutes <= 120:
        raise store.InputError({"minutes": _("Extend by -60 to 120 minutes.")})
    return _save(db, workshop_id, now, duration=max(0.0, row["duration"] + minutes * 60))


def advance(db: Database, workshop_id: int, now: float | None = None) -> dict:
    """Move on to the next round and start its clock. After a block's last round the day goes
    on a break (its clock counts down to the next block's start time); from the break, the next
    block's first round starts. After the last round the day is over."""
    now = time.time() if now is None else now
    rounds = day_rounds(db, workshop_id)
    row = _row(db, workshop_id)
    ids = [r["id"] for r in rounds]
    position = ids.index(row["round_id"]) + 1 if row["round_id"] in ids else 0
    if row["status"] == "waiting" and row["round_id"] is None:
        position = 0
    if position >= len(rounds):
        return _save(db, workshop_id, now, status="finished", started_at=None)
    following = rounds[position]
    new_block = position > 0 and rounds[position - 1]["block_index"] != following["block_index"]
    if row["status"] in ("running", "paused") and new_block:
        return start_break(db, workshop_id, following, now)
    return start(db, workshop_id, following["id"], now)


def start_break(db: Database, workshop_id: int, following: dict, now: float) -> dict:
    """Stop the round's clock and count down to the next block's start time instead."""
    clock = following["block"]["starts_at"] or ""
    return _save(
        db,
        workshop_id,
        now,
        status="break",
        duration=seconds_until(clock, now),
        elapsed=0.0,
        started_at=now if clock else None,
    )


def set_chime(db: Database, workshop_id: int, on: bool, now: float | None = None) -> dict:
    """Switch the end-of-round chime on or off for every screen."""
    _row(db, workshop_id)
    return _save(db, workshop_id, time.time() if now is None else now, chime=int(bool(on)))


def is_running(db: Database) -> bool:
    """True when any workshop in the database has a round running (for snapshots)."""
    return bool(db.execute("SELECT 1 FROM day_state WHERE status = 'running' LIMIT 1").fetchone())


def snapshot_while_running(db: Database, folder, keep: int = 12):
    """Back the database up while a round runs, keeping only the newest `keep` snapshots."""
    from kt_workshop.db import backup_to, prune_backups

    if not is_running(db):
        return None
    path = backup_to(db, folder, reason="live")
    prune_backups(folder, keep, reason="live")
    return path
