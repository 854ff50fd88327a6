"""Which join links the day's paper carries, who holds each, and where it is this round.

The model, per format (docs/printing.md):
- every moderator may have their own link: it follows the moderator's run sheet, so in fixed
  groups their tablet moves with them from group to group; run sheets carry its QR code;
- a table (or group) may have a link of its own: in the travelling format the host's table
  card carries it; in fixed groups only when the organiser makes one (a group's scribe);
- with participant pages, each delegate may have a page link (itineraries and badges).

Links are only ever made when the organiser asks: printing never creates one.
"""

from sqlite_utils import Database

from kt_workshop import access, store
from kt_workshop.i18n import _
from kt_workshop.plan.store import planned_people

KINDS = ("moderators", "tables", "participants")


def what_it_follows(grant: dict) -> tuple[str, int] | None:
    """("tables", id), ("moderators", id) or ("participants", id) for a link bound to one."""
    if grant["role"] == "moderator" and grant["table_id"]:
        return "tables", grant["table_id"]
    if grant["role"] == "moderator" and grant["moderator_id"]:
        return "moderators", grant["moderator_id"]
    if grant["role"] == "participant" and grant["participant_id"]:
        return "participants", grant["participant_id"]
    return None


def live_links(db: Database, workshop_id: int) -> dict[str, dict[int, dict]]:
    """The working links of each table, moderator and delegate (the newest when several)."""
    found: dict[str, dict[int, dict]] = {kind: {} for kind in KINDS}
    for grant in access.list_grants(db, workshop_id):  # newest first
        target = what_it_follows(grant)
        if target and not grant["revoked_at"]:
            found[target[0]].setdefault(target[1], grant)
    return found


def _rows(db: Database, workshop_id: int, kind: str) -> list[dict]:
    """The tables, moderators or planned delegates a kind of link is for."""
    if kind == "participants":
        return planned_people(db, workshop_id)
    return store.list_items(db, {"tables": "tables", "moderators": "moderator"}[kind], workshop_id)


def missing_links(db: Database, workshop_id: int) -> dict[str, list[dict]]:
    """The tables, moderators and delegates that have no working link yet."""
    have = live_links(db, workshop_id)
    return {
        kind: [row for row in _rows(db, workshop_id, kind) if row["id"] not in have[kind]]
        for kind in KINDS
    }


def make_links(db: Database, workshop_id: int, kind: str) -> int:
    """Make a link for every table, moderator or delegate that has none; return how many."""
    if kind not in KINDS:
        raise store.InputError({"kind": _("Choose moderators, tables or delegates.")})
    field = {"tables": "table_id", "moderators": "moderator_id", "participants": "participant_id"}
    role = "participant" if kind == "participants" else "moderator"
    missing = missing_links(db, workshop_id)[kind]
    with db.atomic():
        for row in missing:
            access.create_grant(
                db,
                workshop_id,
                role,
                row["name"],
                **{field[kind]: row["id"]},
            )
    return len(missing)


def where_now(db: Database, workshop_id: int, grant: dict, round_id: int | None) -> str:
    """Where a link's tablet or holder is in a round: a table, "free", or "" when unknown."""
    tables = {t["id"]: t["name"] for t in store.list_items(db, "tables", workshop_id)}
    target = what_it_follows(grant)
    if target is None:
        return ""
    kind, row_id = target
    if kind == "tables":
        return tables.get(row_id, "")
    if kind == "moderators":
        if round_id is None:
            return ""
        row = db.execute(
            "SELECT table_id FROM lead WHERE round_id = ? AND moderator_id = ?", [round_id, row_id]
        ).fetchone()
        return tables.get(row[0], "") if row else _("free this round")
    seat = db.execute(
        "SELECT table_id FROM seat WHERE round_id = ? AND participant_id = ?", [round_id, row_id]
    ).fetchone()
    if seat:
        return tables.get(seat[0], "")
    person = store.get_item(db, "participant", workshop_id, row_id)
    return tables.get(person["table_id"], "")


def holder(db: Database, workshop_id: int, grant: dict) -> str:
    """Who holds a link: the moderator, the table's tablet or the delegate it is for."""
    target = what_it_follows(grant)
    if target is None:
        return grant["label"]
    kind, row_id = target
    table = {"tables": "tables", "moderators": "moderator", "participants": "participant"}[kind]
    try:
        row = store.get_item(db, table, workshop_id, row_id)
    except store.NotFound:
        return grant["label"]
    if kind == "tables":
        return _("the tablet at %(table)s", table=row["name"])
    return row["name"]
