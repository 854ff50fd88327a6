"""Changing the plan by hand: swaps, moves, locks, closed tables and pair rules.

A round that has happened (or is on now) is history: these tools refuse to change it, and in
fixed groups a change of group reaches the rounds to come only. Every change goes live at once.
"""

from sqlite_utils import Database

from kt_workshop import store
from kt_workshop.i18n import _
from kt_workshop.plan.store import mark_changed, refuse_held, rows_of, uses_seats


def _seat(db: Database, workshop_id: int, round_id: int, person_id: int) -> dict:
    """One delegate's seat in one round, or NotFound."""
    rows = list(
        db["seat"].rows_where(
            "workshop_id = ? AND round_id = ? AND participant_id = ?",
            [workshop_id, round_id, person_id],
        )
    )
    if not rows:
        raise store.NotFound(_("That delegate has no seat in that round."))
    return rows[0]


def swap_people(db: Database, workshop_id: int, round_id: int, first: int, second: int):
    """Swap two delegates' tables in one round (travelling) or their groups (fixed groups)."""
    workshop = store.get_workshop(db, workshop_id)
    if uses_seats(workshop):
        refuse_held(db, workshop_id, round_id)
    else:
        store.keep_groups(db, workshop_id)
    with db.atomic():
        if uses_seats(workshop):
            a, b = _seat(db, workshop_id, round_id, first), _seat(db, workshop_id, round_id, second)
            db["seat"].update(a["id"], {"table_id": b["table_id"]})
            db["seat"].update(b["id"], {"table_id": a["table_id"]})
        else:
            a = store.get_item(db, "participant", workshop_id, first)
            b = store.get_item(db, "participant", workshop_id, second)
            db["participant"].update(a["id"], {"table_id": b["table_id"]})
            db["participant"].update(b["id"], {"table_id": a["table_id"]})
        mark_changed(db, workshop_id)


def move_person(db: Database, workshop_id: int, round_id: int, person_id: int, table_id: int):
    """Move one delegate to another table for one round (or to another group)."""
    workshop = store.get_workshop(db, workshop_id)
    store.get_item(db, "tables", workshop_id, table_id)
    if uses_seats(workshop):
        refuse_held(db, workshop_id, round_id)
    with db.atomic():
        if uses_seats(workshop):
            db["seat"].update(
                _seat(db, workshop_id, round_id, person_id)["id"], {"table_id": table_id}
            )
        else:
            store.update_item(db, "participant", workshop_id, person_id, {"table_id": table_id})
        mark_changed(db, workshop_id)


def swap_moderators(
    db: Database, workshop_id: int, round_id: int, first_table: int, second_table: int
) -> None:
    """Swap who leads at two tables or groups in one round."""
    refuse_held(db, workshop_id, round_id)
    rows = {
        row["table_id"]: row
        for row in db["lead"].rows_where(
            "workshop_id = ? AND round_id = ? AND table_id IN (?, ?)",
            [workshop_id, round_id, first_table, second_table],
        )
    }
    if len(rows) != 2:
        raise store.NotFound(_("Plan the rotation first."))
    with db.atomic():
        db["lead"].update(
            rows[first_table]["id"], {"moderator_id": rows[second_table]["moderator_id"]}
        )
        db["lead"].update(
            rows[second_table]["id"], {"moderator_id": rows[first_table]["moderator_id"]}
        )
        mark_changed(db, workshop_id)


def _toggle(db: Database, table: str, workshop_id: int, round_id: int, table_id: int) -> bool:
    """Add the (round, table) row if absent, remove it if present; True when now present."""
    store.get_item(db, "round", workshop_id, round_id)
    store.get_item(db, "tables", workshop_id, table_id)
    refuse_held(db, workshop_id, round_id)
    existing = list(
        db[table].rows_where(
            "workshop_id = ? AND round_id = ? AND table_id = ?", [workshop_id, round_id, table_id]
        )
    )
    if existing:
        db[table].delete(existing[0]["id"])
        return False
    db[table].insert({"workshop_id": workshop_id, "round_id": round_id, "table_id": table_id})
    return True


def toggle_lock(db: Database, workshop_id: int, round_id: int, table_id: int) -> bool:
    """Lock a cell so re-planning keeps who sits there, or unlock it; True when locked."""
    return _toggle(db, "locked_cell", workshop_id, round_id, table_id)


def toggle_closed(db: Database, workshop_id: int, round_id: int, table_id: int) -> bool:
    """Close a table for one round (its seats go to the others next plan), or reopen it."""
    closed = _toggle(db, "closed_table", workshop_id, round_id, table_id)
    mark_changed(db, workshop_id)
    return closed


def add_pair_rule(db: Database, workshop_id: int, kind: str, first: int, second: int) -> None:
    """Keep two delegates apart, or together, in every round."""
    if kind not in ("apart", "together") or first == second:
        raise store.InputError({"pair": _("Choose two different delegates and apart or together.")})
    store.get_item(db, "participant", workshop_id, first)
    store.get_item(db, "participant", workshop_id, second)
    low, high = sorted((first, second))
    db["pair_rule"].insert(
        {"workshop_id": workshop_id, "kind": kind, "first_id": low, "second_id": high}, replace=True
    )
    mark_changed(db, workshop_id)


def pair_rules(db: Database, workshop_id: int) -> list[dict]:
    """The pairs kept apart or together, with both names."""
    people = {p["id"]: p for p in store.list_items(db, "participant", workshop_id)}
    return [
        {**rule, "first": people[rule["first_id"]], "second": people[rule["second_id"]]}
        for rule in rows_of(db, "pair_rule", workshop_id)
    ]


def remove_pair_rule(db: Database, workshop_id: int, rule_id: int) -> None:
    """Drop a keep-apart or keep-together rule."""
    cursor = db.execute(
        "DELETE FROM pair_rule WHERE id = ? AND workshop_id = ?", [rule_id, workshop_id]
    )
    if cursor.rowcount:
        mark_changed(db, workshop_id)
