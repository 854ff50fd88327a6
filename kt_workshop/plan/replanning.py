"""Re-planning the rest of the day: someone leaves, someone arrives late, a table or group
closes, a moderator leaves. The rounds that have happened (and the one on now) stay as they
were; the outcome names everyone who moves, in the grid's own words, so the organiser can tell
them and reprint only their itineraries.
"""

import json
from dataclasses import asdict, dataclass, field

from sqlite_utils import Database

from kt_workshop import store
from kt_workshop.i18n import _
from kt_workshop.plan.algorithms.replan import regroup
from kt_workshop.plan.store import (
    day_rounds,
    mark_changed,
    planned_people,
    replan_seats,
    round_name,
    rows_of,
    uses_seats,
)


@dataclass
class Outcome:
    """What a re-plan changed, by name: shown on the plan page, logged, sent to screens."""

    start: str  # the first re-planned round, e.g. "Afternoon round 2"
    start_round_id: int
    moved: list[dict] = field(default_factory=list)  # {name, changes: [{round, was, now}]}
    left: list[str] = field(default_factory=list)
    arrived: list[dict] = field(default_factory=list)  # {name, table}
    closed: list[str] = field(default_factory=list)  # tables closed from `start` on
    self_led: list[dict] = field(default_factory=list)  # {moderator, rounds}
    said: list[str] = field(default_factory=list)  # people who cannot move, and where they stay
    problems: list[str] = field(default_factory=list)


def first_open_round(db: Database, workshop_id: int, rounds: list[dict] | None = None) -> int:
    """The first round (0-based in the day) that has not started: re-planning starts there."""
    rounds = day_rounds(db, workshop_id) if rounds is None else rounds
    return store.rounds_held(db, workshop_id, [r["id"] for r in rounds])


def check_start(rounds: list[dict], held: int, start: int) -> None:
    """Refuse to re-plan a round that has happened or is on now, or one that does not exist."""
    if not rounds:
        raise store.InputError({"round": _("Add the blocks and their rounds first.")})
    if held >= len(rounds):
        raise store.InputError({"round": _("The day is over: every round has happened.")})
    if start < held:
        raise store.InputError(
            {
                "round": _(
                    "%(on)s has started, so its seats stay as they are: re-plan from "
                    "%(next)s or later.",
                    on=round_name(rounds[held - 1]),
                    next=round_name(rounds[held]),
                )
            }
        )
    if start >= len(rounds):
        raise store.InputError(
            {
                "round": _(
                    "Choose a round from %(first)s to %(last)s.",
                    first=round_name(rounds[held]),
                    last=round_name(rounds[-1]),
                )
            }
        )


def placements(db: Database, workshop_id: int, rounds: list[dict]) -> dict[int, dict[int, int]]:
    """Where each delegate is in each round: person id -> round id -> table id.

    Seats where a round has them; in fixed groups, the rounds without seats of their own follow
    each delegate's group.
    """
    found: dict[int, dict[int, int]] = {}
    seated = set()
    for seat in rows_of(db, "seat", workshop_id):
        found.setdefault(seat["participant_id"], {})[seat["round_id"]] = seat["table_id"]
        seated.add(seat["round_id"])
    if not uses_seats(store.get_workshop(db, workshop_id)):
        for person in planned_people(db, workshop_id):
            for round_ in rounds:
                if person["table_id"] and round_["id"] not in seated:
                    found.setdefault(person["id"], {})[round_["id"]] = person["table_id"]
    return found


def describe(db, workshop_id, rounds, start, before, after, outcome: Outcome) -> None:
    """Fill the outcome with who left, who arrived and who moved, round by round."""
    names = {p["id"]: p["name"] for p in store.list_items(db, "participant", workshop_id)}
    tables = {t["id"]: t["name"] for t in store.list_items(db, "tables", workshop_id)}
    future = rounds[start:]
    for person in sorted(set(before) | set(after), key=lambda p: names.get(p, "").casefold()):
        was = [before.get(person, {}).get(r["id"]) for r in future]
        now = [after.get(person, {}).get(r["id"]) for r in future]
        if was == now or person not in names:
            continue
        if not any(now):
            outcome.left.append(names[person])
        elif not any(was):
            first = next(t for t in now if t)
            outcome.arrived.append({"name": names[person], "table": tables.get(first, "")})
        else:
            outcome.moved.append(
                {
                    "name": names[person],
                    "changes": [
                        {
                            "round": round_name(r),
                            "was": tables.get(a) or _("free"),
                            "now": tables.get(b) or _("free"),
                        }
                        for r, a, b in zip(future, was, now, strict=True)
                        if a != b
                    ],
                }
            )


def replan_day(
    db: Database,
    workshop_id: int,
    start_round_id: int,
    *,
    left=(),
    arrived=(),
    close=(),
    leaving=(),
    seed: int = 0,
    time_limit: float = 0.2,
    actor: str = "organiser",
) -> Outcome:
    """Re-plan from a round on after the day changed, keeping every earlier round as it was.

    left / arrived: delegate ids who left (marked absent) or came late (marked attended);
    close: table ids closed from that round to the end of the day; leaving: moderator ids who
    leave (their cells become self-led with their question). Travelling and mixed formats
    re-seat the rounds to come moving as few people as possible; fixed groups merge a closed
    group into the smallest open one and put late arrivals in the smallest groups.
    """
    workshop = store.get_workshop(db, workshop_id)
    rounds = day_rounds(db, workshop_id)
    held = first_open_round(db, workshop_id, rounds)
    start = next((i for i, r in enumerate(rounds) if r["id"] == start_round_id), len(rounds))
    check_start(rounds, held, start)
    for person in (*left, *arrived):
        store.get_item(db, "participant", workshop_id, person)
    for table in close:
        store.get_item(db, "tables", workshop_id, table)
    for moderator in leaving:
        store.get_item(db, "moderator", workshop_id, moderator)
    # The rounds before the re-plan keep their groups (fixed groups), whatever changes below.
    store.keep_groups(db, workshop_id, upto=start)
    before = placements(db, workshop_id, rounds)
    outcome = Outcome(start=round_name(rounds[start]), start_round_id=rounds[start]["id"])
    for person in left:
        store.update_item(db, "participant", workshop_id, person, {"attendance": "absent"})
    for person in arrived:
        store.update_item(db, "participant", workshop_id, person, {"attendance": "attended"})
    later = [r["id"] for r in rounds[start:]]
    with db.atomic():
        for table in close:
            for round_id in later:
                db.execute(
                    "INSERT OR IGNORE INTO closed_table (workshop_id, round_id, table_id) "
                    "VALUES (?, ?, ?)",
                    [workshop_id, round_id, table],
                )
    outcome.closed = [store.get_item(db, "tables", workshop_id, t)["name"] for t in close]
    outcome.self_led = moderators_leave(db, workshop_id, leaving, later)
    if uses_seats(workshop):
        result, said = replan_seats(db, workshop_id, start, seed, time_limit)
        outcome.said, outcome.problems = said, list(result.problems)
    else:
        outcome.said = regroup_from(db, workshop_id, rounds, start)
    free_closed_cells(db, workshop_id, later)
    describe(db, workshop_id, rounds, start, before, placements(db, workshop_id, rounds), outcome)
    mark_changed(db, workshop_id)
    # The audit row keeps the whole outcome: the plan page shows the last one from it.
    store.audit(db, workshop_id, actor, "re-planned", asdict(outcome))
    return outcome


def moderators_leave(db: Database, workshop_id: int, leaving, later: list[int]) -> list[dict]:
    """Moderators who leave: from the given rounds on their cells are self-led and keep the
    question they would have asked; later plans leave them out."""
    out = []
    with db.atomic():
        for moderator_id in leaving:
            moderator = store.get_item(db, "moderator", workshop_id, moderator_id)
            marks = ",".join(str(int(r)) for r in later)
            cursor = db.execute(
                "UPDATE lead SET moderator_id = NULL, question_id = ? "  # noqa: S608 - ids
                f"WHERE moderator_id = ? AND round_id IN ({marks})",
                [moderator["question_id"], moderator_id],
            )
            db["moderator"].update(moderator_id, {"left_at": store.now()})
            out.append({"moderator": moderator["name"], "rounds": cursor.rowcount})
    return out


def free_closed_cells(db: Database, workshop_id: int, later: list[int]) -> None:
    """Nobody leads at a closed table in the rounds to come (run sheets send nobody there)."""
    marks = ",".join(str(int(r)) for r in later)
    db.execute(
        "UPDATE lead SET moderator_id = NULL, question_id = NULL WHERE workshop_id = ? AND "  # noqa: S608
        f"round_id IN ({marks}) AND EXISTS (SELECT 1 FROM closed_table c WHERE "
        "c.round_id = lead.round_id AND c.table_id = lead.table_id)",
        [workshop_id],
    )


def regroup_from(db: Database, workshop_id: int, rounds: list[dict], start: int) -> list[str]:
    """Fixed groups from round `start` on: merge closed groups, place late arrivals; return
    what was said about people who cannot move."""
    tables = store.list_items(db, "tables", workshop_id)
    index = {t["id"]: i for i, t in enumerate(tables)}
    people = planned_people(db, workshop_id)
    closed = {
        index[c["table_id"]]
        for c in rows_of(db, "closed_table", workshop_id)
        if c["round_id"] == rounds[start]["id"]
    }
    groups: list[list[int]] = [[] for _t in tables]
    newcomers = []
    for i, person in enumerate(people):
        if person["table_id"] in index:
            groups[index[person["table_id"]]].append(i)
        else:
            newcomers.append(i)
    stays = {i: index[p["table_id"]] for i, p in enumerate(people) if p.get("stays")}
    stays = {i: g for i, g in stays.items() if i not in newcomers}
    try:
        new, kept = regroup(groups, closed, newcomers, stays)
    except ValueError as error:
        raise store.InputError({"close": str(error)}) from None
    with db.atomic():
        for g, members in enumerate(new):
            for i in members:
                if people[i]["table_id"] != tables[g]["id"]:
                    db["participant"].update(people[i]["id"], {"table_id": tables[g]["id"]})
    return [
        _(
            "%(name)s cannot move: %(table)s is closed from %(round)s, so they stay at "
            "%(other)s for the rest of the day.",
            name=people[i]["name"],
            table=tables[stays[i]]["name"],
            round=round_name(rounds[start]),
            other=tables[g]["name"],
        )
        for i, g in sorted(kept.items())
    ]


def last_outcome(db: Database, workshop_id: int) -> dict | None:
    """The newest re-plan's outcome with when it was made (from the audit log), or None."""
    row = db.execute(
        "SELECT at, detail FROM audit WHERE workshop_id = ? AND action = 're-planned' "
        "ORDER BY id DESC LIMIT 1",
        [workshop_id],
    ).fetchone()
    if row is None:
        return None
    try:
        found = json.loads(row[1])
    except ValueError:
        return None
    return {**found, "at": row[0]} if isinstance(found, dict) and "moved" in found else None
