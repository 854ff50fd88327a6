"""The workshop's plan in the database: groups, seats per round, moderators per round, publishing.

The algorithms live in planning/ and know nothing of the database: this module turns rows into
their plain inputs (people and tables as indices) and their answers back into rows.
"""

from typing import NamedTuple

from blinker import Namespace
from sqlite_utils import Database

from kt_workshop import store
from kt_workshop.i18n import _
from kt_workshop.plan.algorithms import groups as grouping
from kt_workshop.plan.algorithms.constraints import Constraints, Names
from kt_workshop.plan.algorithms.fixed_groups import plan_fixed_groups
from kt_workshop.plan.algorithms.rotation import ORDER, ORDERS, plan_rotation
from kt_workshop.setup.delegates.fields import LABELS

BALANCE_CHOICES = ("country", "sector", "organisation", "role", "language")

# Sent by the plan's pages after every change to the plan (sender: the app, workshop_id=...,
# from_round_id=...): the live day logs it and tells every screen that shows the plan.
plan_changed = Namespace().signal("plan-changed")
# What the rotation keeps mixed at each table, after encounters (the quality order's third step).
ROTATION_BALANCE = ("country", "sector")


def day_rounds(db: Database, workshop_id: int) -> list[dict]:
    """Every round of the day in order, each with its block and its number within the block."""
    rounds = []
    for block_index, block in enumerate(store.programme(db, workshop_id)):
        for number, round_ in enumerate(block["rounds"], start=1):
            rounds.append(
                {
                    **round_,
                    "block": block,
                    "block_index": block_index,
                    "number": number,
                    "question_ids": [q["id"] for q in block["questions"]],
                }
            )
    return rounds


def planned_people(db: Database, workshop_id: int) -> list[dict]:
    """The delegates the plan seats: everyone not marked absent."""
    return [
        p for p in store.list_items(db, "participant", workshop_id) if p["attendance"] != "absent"
    ]


def uses_seats(workshop: dict) -> bool:
    """True when people move between tables (travelling or mixed format)."""
    return workshop["format"] in ("travelling", "mixed")


def _attributes(person: dict) -> dict:
    """A delegate's attributes as the planners see them (extra columns included)."""
    values = {k: str(v) for k, v in (person.get("extra") or {}).items()}
    values.update({k: person[k] or "" for k in store.DELEGATE_FIELDS})
    return values


def check_enough_people(tables: list, people: list) -> None:
    """Refuse to plan more tables than there are delegates to sit at them."""
    if len(tables) > len(people):
        raise store.InputError(
            {
                "tables": _(
                    "There are more tables (%(t)s) than delegates (%(p)s).",
                    t=len(tables),
                    p=len(people),
                )
            }
        )


def mark_changed(db: Database, workshop_id: int) -> None:
    """Note when the plan last changed (the plan page shows it)."""
    db["workshop"].update(workshop_id, {"plan_changed_at": store.now()})


def round_name(round_: dict) -> str:
    """A round as the grid names it, e.g. “Afternoon round 2”."""
    return _("%(block)s round %(n)s", block=round_["block"]["title"], n=round_["number"])


def refuse_held(db: Database, workshop_id: int, round_id, rounds: list[dict] | None = None):
    """Refuse a change to a round that has happened or is on now: its seats are history."""
    rounds = day_rounds(db, workshop_id) if rounds is None else rounds
    held = store.rounds_held(db, workshop_id, [r["id"] for r in rounds])
    position = next((i for i, r in enumerate(rounds) if r["id"] == round_id), len(rounds))
    if position < held:
        raise store.InputError(
            {
                "round": _(
                    "%(round)s has happened or is on now: who sat and led there stays as it "
                    "was. Change the rounds to come instead.",
                    round=round_name(rounds[position]),
                )
            }
        )


# Groups --------------------------------------------------------------------------------------


def group_columns(db: Database, workshop_id: int) -> dict[str, str]:
    """Columns groups can mix or keep apart: the standard ones, then the delegates' extra ones,
    each with the label a person reads."""
    columns = {c: str(LABELS[c]) for c in BALANCE_CHOICES}
    for person in store.list_items(db, "participant", workshop_id):
        columns.update({c: c for c in (person.get("extra") or {}) if c not in columns})
    return columns


def chosen_columns(
    db: Database, workshop_id: int, balance: list[str], apart: list[str]
) -> tuple[list[str], list[str]]:
    """Column keys for the names a person chose (case and spaces aside); an unknown name is an
    InputError that lists the columns there are."""
    columns = group_columns(db, workshop_id)
    try:
        return grouping.match_columns(balance, columns), grouping.match_columns(apart, columns)
    except ValueError as error:
        raise store.InputError({"columns": str(error)}) from None


def form_groups(
    db: Database, workshop_id: int, balance: list[str], apart: list[str], seed: int = 0
) -> dict:
    """Split the delegates over the workshop's tables or groups, balanced; save and return it."""
    tables = store.list_items(db, "tables", workshop_id)
    people = planned_people(db, workshop_id)
    if not tables:
        raise store.InputError({"tables": _("Add the tables or groups first.")})
    check_enough_people(tables, people)
    store.keep_groups(db, workshop_id)  # rounds that have happened keep their groups
    index = {table["id"]: i for i, table in enumerate(tables)}
    fixed = {
        i: index[p["table_id"]]
        for i, p in enumerate(people)
        if p.get("stays") and p["table_id"] in index
    }
    result = grouping.form_groups(
        [_attributes(p) for p in people],
        len(tables),
        balance=balance,
        apart=apart,
        seed=seed,
        fixed=fixed,
    )
    with db.atomic():
        for table_index, members in enumerate(result.groups):
            for person_index in members:
                db["participant"].update(
                    people[person_index]["id"], {"table_id": tables[table_index]["id"]}
                )
        mark_changed(db, workshop_id)
    return result.balance


def group_summary(db: Database, workshop_id: int, balance: list[str], apart: list[str]) -> dict:
    """Each group's members and make-up, and the balance figure of the groups as they are now."""
    tables = store.list_items(db, "tables", workshop_id)
    people = planned_people(db, workshop_id)
    index = {table["id"]: i for i, table in enumerate(tables)}
    members = [[] for _table in tables]
    unplaced = []
    for i, person in enumerate(people):
        if person["table_id"] in index:
            members[index[person["table_id"]]].append(i)
        else:
            unplaced.append(person)
    attributes = [_attributes(p) for p in people]
    figure = grouping.measure_balance(attributes, members, balance=balance, apart=apart)
    make_up = {column: grouping.make_up(attributes, members, column) for column in balance}
    return {
        "groups": [
            {
                "table": table,
                "people": [people[i] for i in members[t]],
                "make_up": {c: make_up[c][t] for c in balance},
            }
            for t, table in enumerate(tables)
        ],
        "balance": figure,
        "unplaced": unplaced,
    }


# Rotation ------------------------------------------------------------------------------------


def block_moderators(
    db: Database, workshop_id: int, question_ids: list[int], here_only: bool = False
) -> list[dict]:
    """The moderators who carry one of the block's questions, in question order (only those
    who have not left the day, with here_only)."""
    carrying = [
        m
        for m in store.list_items(db, "moderator", workshop_id)
        if m["question_id"] in question_ids and not (here_only and m.get("left_at"))
    ]
    return sorted(carrying, key=lambda m: question_ids.index(m["question_id"]))


def rows_of(db: Database, table: str, workshop_id: int) -> list[dict]:
    """All plan rows of one kind in the workshop."""
    return list(db[table].rows_where("workshop_id = ?", [workshop_id]))


def _save_leads(db: Database, workshop_id: int, cells: list[tuple[int, int, int | None]]):
    """Replace the leads of the rounds to come with (round id, table id, moderator id or None)
    cells; the rounds that have happened keep theirs."""
    held = set(store.held_round_ids(db, workshop_id))
    db.execute(
        "DELETE FROM lead WHERE workshop_id = ? AND round_id NOT IN "  # noqa: S608 - ids
        f"({','.join(str(int(i)) for i in held)})",
        [workshop_id],
    )
    db["lead"].insert_all(
        [
            {"workshop_id": workshop_id, "round_id": r, "table_id": t, "moderator_id": m}
            for r, t, m in cells
            if r not in held
        ]
    )


def rotate_moderators(db: Database, workshop_id: int) -> list[str]:
    """Plan which moderator leads at which group each round (fixed groups); return problems."""
    tables = store.list_items(db, "tables", workshop_id)
    if not tables:
        raise store.InputError({"tables": _("Add the tables or groups first.")})
    problems, cells = [], []
    blocks = store.programme(db, workshop_id)
    for block_index, block in enumerate(blocks):
        moderators = block_moderators(
            db, workshop_id, [q["id"] for q in block["questions"]], here_only=True
        )
        if not moderators or not block["rounds"]:
            problems.append(
                _(
                    "“%(block)s” has no moderator with one of its questions: its "
                    "rounds are self-led.",
                    block=block["title"],
                )
            )
            cells += [(r["id"], t["id"], None) for r in block["rounds"] for t in tables]
            continue
        plan = plan_fixed_groups(
            len(tables), len(moderators), len(block["rounds"]), blocks=block_index + 1
        )
        problems += [f"{block['title']}: {p}" for p in plan.problems]
        for round_, row in zip(block["rounds"], plan.blocks[block_index], strict=True):
            for table, moderator in zip(tables, row, strict=True):
                cells.append(
                    (
                        round_["id"],
                        table["id"],
                        None if moderator is None else moderators[moderator]["id"],
                    )
                )
    with db.atomic():
        _save_leads(db, workshop_id, cells)
        mark_changed(db, workshop_id)
    return problems


def seat_constraints(
    db: Database, workshop_id: int, people: list[dict], tables: list[dict], rounds: list[dict]
) -> Constraints:
    """The organiser's rules as the planner's Constraints: stays, pairs, closed and locked."""
    person = {p["id"]: i for i, p in enumerate(people)}
    table = {t["id"]: i for i, t in enumerate(tables)}
    round_index = {r["id"]: i for i, r in enumerate(rounds)}
    constraints = Constraints(
        names=Names(
            [p["name"] for p in people],
            [t["name"] for t in tables],
            [round_name(r) for r in rounds],
        )
    )
    constraints.fixed = {
        person[p["id"]]: table[p["table_id"]]
        for p in people
        if p.get("stays") and p["table_id"] in table
    }
    for rule in rows_of(db, "pair_rule", workshop_id):
        if rule["first_id"] in person and rule["second_id"] in person:
            pair = (person[rule["first_id"]], person[rule["second_id"]])
            (constraints.apart if rule["kind"] == "apart" else constraints.together).append(pair)
    for closed in rows_of(db, "closed_table", workshop_id):
        constraints.closed.setdefault(round_index[closed["round_id"]], set()).add(
            table[closed["table_id"]]
        )
    locked = {(c["round_id"], c["table_id"]) for c in rows_of(db, "locked_cell", workshop_id)}
    for seat in rows_of(db, "seat", workshop_id):
        if (seat["round_id"], seat["table_id"]) in locked and seat["participant_id"] in person:
            constraints.pinned[(round_index[seat["round_id"]], person[seat["participant_id"]])] = (
                table[seat["table_id"]]
            )
    return constraints


def table_hosts(db: Database, workshop_id: int) -> dict[int, dict]:
    """The moderator who hosts each table all day (travelling format), by table id."""
    return {
        m["table_id"]: m for m in store.list_items(db, "moderator", workshop_id) if m["table_id"]
    }


def table_questions(
    db: Database, workshop_id: int, rounds: list[dict], tables: list[dict]
) -> list[list[int | None]]:
    """The question asked at each table in each round: its host's, else the round's own."""
    hosts = table_hosts(db, workshop_id)
    grid = []
    for round_ in rounds:
        ids = round_["question_ids"]
        asked = ids[(round_["number"] - 1) % len(ids)] if ids else None
        grid.append([(hosts.get(t["id"]) or {}).get("question_id") or asked for t in tables])
    return grid


def settle_stayers(
    constraints: Constraints, people: list[dict], tables: list[dict], rounds: list[dict], start=0
) -> list[str]:
    """People who cannot move whose table closes from round `start` on stay at the nearest open
    table for the rest of the day (one table, not a new one each round); say so by name."""
    said = []
    for p, home in sorted(constraints.fixed.items()):
        closing = [r for r in range(start, len(rounds)) if home in constraints.closed.get(r, ())]
        if not closing:
            continue
        first = closing[0]
        later = range(first, len(rounds))
        choices = [
            t
            for t in range(len(tables))
            if all(t not in constraints.closed.get(r, ()) for r in later)
        ] or [t for t in range(len(tables)) if t not in constraints.closed.get(first, ())]
        if not choices:
            continue
        nearest = min(choices, key=lambda t: (abs(t - home), t))
        del constraints.fixed[p]
        for r in range(start, len(rounds)):
            constraints.pinned.setdefault((r, p), home if r < first else nearest)
        said.append(
            _(
                "%(name)s cannot move: %(table)s is closed from %(round)s, so they stay at "
                "%(other)s for the rest of the day.",
                name=people[p]["name"],
                table=tables[home]["name"],
                round=round_name(rounds[first]),
                other=tables[nearest]["name"],
            )
        )
    return said


def rotate_people(
    db: Database,
    workshop_id: int,
    seed: int = 0,
    time_limit: float = 1.0,
    order: tuple[str, ...] = ORDER,
):
    """Plan who sits where each round (travelling or mixed); save it and return the plan.

    Hosts (moderators with a table) never move and their question is the table's, so the
    travellers are sent to tables and questions they have not met, in the organiser's order.
    Once the day has begun, the rounds that have happened stay as they were and count as
    history: the rounds to come are planned afresh around them.
    """
    tables = store.list_items(db, "tables", workshop_id)
    people = planned_people(db, workshop_id)
    rounds = day_rounds(db, workshop_id)
    if not tables or not rounds:
        raise store.InputError(
            {"plan": _("Add the tables and the blocks with their rounds first.")}
        )
    check_enough_people(tables, people)
    held = store.rounds_held(db, workshop_id, [r["id"] for r in rounds])
    if held >= len(rounds):
        raise store.InputError({"plan": _("The day is over: every round has happened.")})
    if held:
        result, said = replan_seats(db, workshop_id, held, seed, time_limit, fresh=True)
        result.problems[:0] = said
    else:
        constraints = seat_constraints(db, workshop_id, people, tables, rounds)
        said = settle_stayers(constraints, people, tables, rounds)
        result = plan_rotation(
            tables=len(tables),
            rounds=len(rounds),
            people=len(people),
            seed=seed,
            time_limit=time_limit,
            constraints=constraints,
            attributes=[{c: p[c] for c in ROTATION_BALANCE} for p in people],
            questions=table_questions(db, workshop_id, rounds, tables),
            order=order,
        )
        result.problems[:0] = said
        with db.atomic():
            db.execute("DELETE FROM seat WHERE workshop_id = ?", [workshop_id])
            db["seat"].insert_all(
                {
                    "workshop_id": workshop_id,
                    "round_id": rounds[r]["id"],
                    "table_id": tables[t]["id"],
                    "participant_id": people[p]["id"],
                }
                for r, round_tables in enumerate(result.rounds)
                for t, members in enumerate(round_tables)
                for p in members
            )
    hosts = {
        table_id: m["id"]
        for table_id, m in table_hosts(db, workshop_id).items()
        if not m.get("left_at")
    }
    with db.atomic():
        _save_leads(
            db,
            workshop_id,
            [(r["id"], t["id"], hosts.get(t["id"])) for r in rounds for t in tables],
        )
        mark_changed(db, workshop_id)
    return result


class Planned(NamedTuple):
    """What planning tells the organiser: rules that gave way, and what the plan gave up."""

    problems: list[str]
    gave_up: list[str]


def plan_order(first: str) -> tuple[str, ...]:
    """The planner's order when `first` ("returns" or "pairs") matters most."""
    return next((order for order in ORDERS if order[0] == first), ORDER)


def make_plan(
    db: Database,
    workshop_id: int,
    seed: int = 0,
    time_limit: float = 1.0,
    order: tuple[str, ...] = ORDER,
) -> Planned:
    """Plan the day in the workshop's format; return what to tell the organiser.

    Rounds that have happened (or are on now) keep their seats and leads whatever the format.
    """
    workshop = store.get_workshop(db, workshop_id)
    if uses_seats(workshop):
        result = rotate_people(db, workshop_id, seed, time_limit, order)
        return Planned(result.problems, result.gave_up)
    return Planned(rotate_moderators(db, workshop_id), [])


def replan_seats(
    db: Database,
    workshop_id: int,
    start: int,
    seed: int = 0,
    time_limit: float = 0.2,
    fresh: bool = False,
):
    """Re-seat the rounds from `start` (0-based in the day) on, keeping earlier rounds as they
    were and moving as few people as possible (none kept when fresh); return the planner's
    result and what was said about people who cannot move."""
    tables = store.list_items(db, "tables", workshop_id)
    people = planned_people(db, workshop_id)
    rounds = day_rounds(db, workshop_id)
    everyone = store.list_items(db, "participant", workshop_id)
    index = {p["id"]: i for i, p in enumerate(everyone)}
    table_index = {t["id"]: i for i, t in enumerate(tables)}
    round_index = {r["id"]: i for i, r in enumerate(rounds)}
    grid = [[[] for _t in tables] for _r in rounds]
    for seat in rows_of(db, "seat", workshop_id):
        grid[round_index[seat["round_id"]]][table_index[seat["table_id"]]].append(
            index[seat["participant_id"]]
        )
    constraints = seat_constraints(db, workshop_id, everyone, tables, rounds)
    constraints.fixed = {
        p: t for p, t in constraints.fixed.items() if everyone[p]["attendance"] != "absent"
    }
    said = settle_stayers(constraints, everyone, tables, rounds, start)
    from kt_workshop.plan.algorithms.replan import replan

    result = replan(
        grid[:start],
        len(rounds) - start,
        len(tables),
        present={index[p["id"]] for p in people},
        previous_future=None if fresh else grid[start:],
        constraints=constraints,
        time_limit=time_limit,
        seed=seed,
        attributes=[{c: p[c] for c in ROTATION_BALANCE} for p in everyone],
    )
    later = ",".join(str(int(r["id"])) for r in rounds[start:])
    with db.atomic():
        db.execute(
            f"DELETE FROM seat WHERE workshop_id = ? AND round_id IN ({later})",  # noqa: S608
            [workshop_id],
        )
        db["seat"].insert_all(
            {
                "workshop_id": workshop_id,
                "round_id": rounds[start + r]["id"],
                "table_id": tables[t]["id"],
                "participant_id": everyone[p]["id"],
            }
            for r, round_tables in enumerate(result.rounds[start:])
            for t, members in enumerate(round_tables)
            for p in members
        )
        mark_changed(db, workshop_id)
    return result, said
