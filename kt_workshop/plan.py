"""The workshop's plan in the database: groups, seats per round, moderators per round, publishing.

The algorithms live in planning/ and know nothing of the database: this module turns rows into
their plain inputs (people and tables as indices) and their answers back into rows.
"""

from sqlite_utils import Database

from kt_workshop import store
from kt_workshop.i18n import _
from kt_workshop.planning import groups as grouping
from kt_workshop.planning.constraints import Constraints
from kt_workshop.planning.fixed_groups import check_fixed_groups, plan_fixed_groups
from kt_workshop.planning.rotation import plan_rotation
from kt_workshop.planning.scores import imbalance, lower_bound, score_plan

BALANCE_CHOICES = ("country", "sector", "organisation", "role", "language")
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


def mark_changed(db: Database, workshop_id: int) -> None:
    """Note that the plan changed, so the organiser knows to publish it again."""
    db["workshop"].update(workshop_id, {"plan_changed_at": store.now()})


# Groups --------------------------------------------------------------------------------------


def form_groups(
    db: Database, workshop_id: int, balance: list[str], apart: list[str], seed: int = 0
) -> dict:
    """Split the delegates over the workshop's tables or groups, balanced; save and return it."""
    tables = store.list_items(db, "tables", workshop_id)
    people = planned_people(db, workshop_id)
    if not tables:
        raise store.InputError({"tables": _("Add the tables or groups first.")})
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


def move_to_group(db: Database, workshop_id: int, person_id: int, table_id: int) -> None:
    """Put one delegate in another group by hand."""
    store.update_item(db, "participant", workshop_id, person_id, {"table_id": table_id})
    mark_changed(db, workshop_id)


# Rotation ------------------------------------------------------------------------------------


def _block_moderators(db: Database, workshop_id: int, question_ids: list[int]) -> list[dict]:
    """The moderators who carry one of the block's questions, in question order."""
    carrying = [
        m
        for m in store.list_items(db, "moderator", workshop_id)
        if m["question_id"] in question_ids
    ]
    return sorted(carrying, key=lambda m: question_ids.index(m["question_id"]))


def _rows(db: Database, table: str, workshop_id: int) -> list[dict]:
    """All plan rows of one kind in the workshop."""
    return list(db[table].rows_where("workshop_id = ?", [workshop_id]))


def _save_leads(db: Database, workshop_id: int, cells: list[tuple[int, int, int | None]]):
    """Replace the workshop's leads with (round id, table id, moderator id or None) cells."""
    db.execute("DELETE FROM lead WHERE workshop_id = ?", [workshop_id])
    db["lead"].insert_all(
        [
            {"workshop_id": workshop_id, "round_id": r, "table_id": t, "moderator_id": m}
            for r, t, m in cells
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
        moderators = _block_moderators(db, workshop_id, [q["id"] for q in block["questions"]])
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
    constraints = Constraints()
    constraints.fixed = {
        person[p["id"]]: table[p["table_id"]]
        for p in people
        if p.get("stays") and p["table_id"] in table
    }
    for rule in _rows(db, "pair_rule", workshop_id):
        if rule["first_id"] in person and rule["second_id"] in person:
            pair = (person[rule["first_id"]], person[rule["second_id"]])
            (constraints.apart if rule["kind"] == "apart" else constraints.together).append(pair)
    for closed in _rows(db, "closed_table", workshop_id):
        constraints.closed.setdefault(round_index[closed["round_id"]], set()).add(
            table[closed["table_id"]]
        )
    locked = {(c["round_id"], c["table_id"]) for c in _rows(db, "locked_cell", workshop_id)}
    for seat in _rows(db, "seat", workshop_id):
        if (seat["round_id"], seat["table_id"]) in locked and seat["participant_id"] in person:
            constraints.pinned[(round_index[seat["round_id"]], person[seat["participant_id"]])] = (
                table[seat["table_id"]]
            )
    return constraints


def rotate_people(db: Database, workshop_id: int, seed: int = 0, time_limit: float = 1.0):
    """Plan who sits where each round (travelling or mixed); save it and return the plan."""
    tables = store.list_items(db, "tables", workshop_id)
    people = planned_people(db, workshop_id)
    rounds = day_rounds(db, workshop_id)
    if not tables or not rounds:
        raise store.InputError(
            {"plan": _("Add the tables and the blocks with their rounds first.")}
        )
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
    constraints = seat_constraints(db, workshop_id, people, tables, rounds)
    result = plan_rotation(
        tables=len(tables),
        rounds=len(rounds),
        people=len(people),
        seed=seed,
        time_limit=time_limit,
        constraints=constraints,
        attributes=[{c: p[c] for c in ROTATION_BALANCE} for p in people],
    )
    hosts = {
        m["table_id"]: m["id"]
        for m in store.list_items(db, "moderator", workshop_id)
        if m["table_id"]
    }
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
        _save_leads(
            db,
            workshop_id,
            [(r["id"], t["id"], hosts.get(t["id"])) for r in rounds for t in tables],
        )
        mark_changed(db, workshop_id)
    return result


def make_plan(db: Database, workshop_id: int, seed: int = 0, time_limit: float = 1.0) -> list:
    """Plan the day in the workshop's format; return the problems to show the organiser."""
    workshop = store.get_workshop(db, workshop_id)
    if uses_seats(workshop):
        return rotate_people(db, workshop_id, seed, time_limit).problems
    return rotate_moderators(db, workshop_id)


# Looking at the plan -------------------------------------------------------------------------


def seat_rounds(db: Database, workshop_id: int) -> tuple[list[list[list[int]]], list[dict]]:
    """The saved seats as the planners' rounds of tables of person indices, and the people."""
    people = planned_people(db, workshop_id)
    tables = store.list_items(db, "tables", workshop_id)
    rounds = day_rounds(db, workshop_id)
    person = {p["id"]: i for i, p in enumerate(people)}
    table = {t["id"]: i for i, t in enumerate(tables)}
    index = {r["id"]: i for i, r in enumerate(rounds)}
    grid = [[[] for _t in tables] for _r in rounds]
    for seat in _rows(db, "seat", workshop_id):
        if seat["participant_id"] in person:
            grid[index[seat["round_id"]]][table[seat["table_id"]]].append(
                person[seat["participant_id"]]
            )
    return [[sorted(members) for members in round_] for round_ in grid], people


def scores(db: Database, workshop_id: int) -> dict:
    """How good the plan is now: meetings, pair coincidences, the bound and the gap."""
    workshop = store.get_workshop(db, workshop_id)
    if not uses_seats(workshop):
        return fixed_group_scores(db, workshop_id)
    rounds, people = seat_rounds(db, workshop_id)
    if not rounds or not any(any(t) for r in rounds for t in r):
        return {"planned": False}
    counted = score_plan(rounds, len(people))
    sizes = [[len(t) for t in round_ if t] for round_ in rounds]
    bound = lower_bound(len(people), sizes, len(rounds))
    seated = sum(len(t) for r in rounds for t in r)
    return {
        "planned": True,
        "max_meetings": counted.max_meetings,
        "coincidences": counted.coincidences,
        "lower_bound": bound,
        "gap": counted.coincidences - bound,
        "imbalance": imbalance(rounds, [{c: p[c] for c in ROTATION_BALANCE} for p in people]),
        "unseated": len(people) * len(rounds) - seated,
    }


def fixed_group_scores(db: Database, workshop_id: int) -> dict:
    """For fixed groups: does every group meet every moderator of a block exactly once?"""
    leads = _rows(db, "lead", workshop_id)
    if not leads:
        return {"planned": False}
    tables = store.list_items(db, "tables", workshop_id)
    problems = []
    for block in store.programme(db, workshop_id):
        moderators = _block_moderators(db, workshop_id, [q["id"] for q in block["questions"]])
        position = {m["id"]: i for i, m in enumerate(moderators)}
        cell = {(row["round_id"], row["table_id"]): row["moderator_id"] for row in leads}
        grid = [
            [position.get(cell.get((r["id"], t["id"]))) for t in tables] for r in block["rounds"]
        ]
        if moderators:
            problems += [
                f"{block['title']}: {p}"
                for p in check_fixed_groups([grid], len(tables), len(moderators))
            ]
    self_led = sum(1 for row in leads if row["moderator_id"] is None)
    return {"planned": True, "problems": problems, "self_led": self_led}


def grid(db: Database, workshop_id: int) -> list[dict]:
    """The plan as rounds x tables: who sits there, who leads, the question, locked or closed."""
    workshop = store.get_workshop(db, workshop_id)
    tables = store.list_items(db, "tables", workshop_id)
    questions = {q["id"]: q for q in store.list_items(db, "question", workshop_id)}
    moderators = {m["id"]: m for m in store.list_items(db, "moderator", workshop_id)}
    people = {p["id"]: p for p in store.list_items(db, "participant", workshop_id)}
    leads = {
        (r["round_id"], r["table_id"]): r["moderator_id"] for r in _rows(db, "lead", workshop_id)
    }
    locked = {(c["round_id"], c["table_id"]) for c in _rows(db, "locked_cell", workshop_id)}
    closed = {(c["round_id"], c["table_id"]) for c in _rows(db, "closed_table", workshop_id)}
    seated: dict[tuple[int, int], list[dict]] = {}
    if uses_seats(workshop):
        for seat in _rows(db, "seat", workshop_id):
            seated.setdefault((seat["round_id"], seat["table_id"]), []).append(
                people[seat["participant_id"]]
            )
    else:
        for person in planned_people(db, workshop_id):
            seated.setdefault((None, person["table_id"]), []).append(person)
    rows = []
    for round_ in day_rounds(db, workshop_id):
        cells = []
        for position, table in enumerate(tables):
            key = (round_["id"], table["id"])
            moderator = moderators.get(leads.get(key))
            question = cell_question(round_, position, moderator, questions, workshop)
            members = seated.get(key) if uses_seats(workshop) else seated.get((None, table["id"]))
            cells.append(
                {
                    "table": table,
                    "people": sorted(members or [], key=_by_name),
                    "moderator": moderator,
                    "question": question,
                    "locked": key in locked,
                    "closed": key in closed,
                    "mix": table_mix(members or []),
                }
            )
        rows.append({"round": round_, "cells": cells})
    return rows


def _by_name(person: dict) -> str:
    """Sort delegates by name, ignoring case."""
    return person["name"].casefold()


def cell_question(round_: dict, position: int, moderator, questions: dict, workshop: dict):
    """The question asked at a table in a round: the moderator's own, else the round's."""
    if moderator and moderator["question_id"] in questions:
        return questions[moderator["question_id"]]
    if uses_seats(workshop):
        ids = round_["question_ids"]
        if ids:
            return questions.get(ids[(round_["number"] - 1) % len(ids)])
    return None


# Changing the plan by hand -------------------------------------------------------------------


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
        for rule in _rows(db, "pair_rule", workshop_id)
    ]


def remove_pair_rule(db: Database, workshop_id: int, rule_id: int) -> None:
    """Drop a keep-apart or keep-together rule."""
    cursor = db.execute(
        "DELETE FROM pair_rule WHERE id = ? AND workshop_id = ?", [rule_id, workshop_id]
    )
    if cursor.rowcount:
        mark_changed(db, workshop_id)


def publish(db: Database, workshop_id: int) -> None:
    """Publish the plan to the day: moderators' pages and printouts use it from now on."""
    store.get_workshop(db, workshop_id)
    db["workshop"].update(workshop_id, {"plan_published_at": store.now()})


def table_mix(people: list[dict]) -> dict[str, dict[str, int]]:
    """How many people of each country and sector sit at a table, most common first."""
    mix = {}
    for column in ROTATION_BALANCE:
        counts: dict[str, int] = {}
        for person in people:
            if person[column]:
                counts[person[column]] = counts.get(person[column], 0) + 1
        mix[column] = dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))
    return mix


def replan_from(
    db: Database, workshop_id: int, round_number: int, seed: int = 0, time_limit: float = 0.2
):
    """Re-plan the rounds from a round of the day on (1-based), keeping earlier rounds as they
    were and moving as few people as possible: for late arrivals, leavers and closed tables."""
    tables = store.list_items(db, "tables", workshop_id)
    people = planned_people(db, workshop_id)
    rounds = day_rounds(db, workshop_id)
    if not 1 <= round_number <= len(rounds):
        raise store.InputError({"round": _("Choose a round from 1 to %(n)s.", n=len(rounds))})
    everyone = store.list_items(db, "participant", workshop_id)
    index = {p["id"]: i for i, p in enumerate(everyone)}
    table_index = {t["id"]: i for i, t in enumerate(tables)}
    round_index = {r["id"]: i for i, r in enumerate(rounds)}
    grid = [[[] for _t in tables] for _r in rounds]
    for seat in _rows(db, "seat", workshop_id):
        grid[round_index[seat["round_id"]]][table_index[seat["table_id"]]].append(
            index[seat["participant_id"]]
        )
    held = round_number - 1
    constraints = seat_constraints(db, workshop_id, everyone, tables, rounds)
    constraints.fixed = {
        p: t for p, t in constraints.fixed.items() if everyone[p]["attendance"] != "absent"
    }
    from kt_workshop.planning.replan import replan

    result = replan(
        grid[:held],
        len(rounds) - held,
        len(tables),
        present={index[p["id"]] for p in people},
        previous_future=grid[held:],
        constraints=constraints,
        time_limit=time_limit,
        seed=seed,
        attributes=[{c: p[c] for c in ROTATION_BALANCE} for p in everyone],
    )
    with db.atomic():
        later = [r["id"] for r in rounds[held:]]
        db.execute(
            f"DELETE FROM seat WHERE workshop_id = ? AND round_id IN "  # noqa: S608
            f"({','.join('?' * len(later))})",
            [workshop_id, *later],
        )
        db["seat"].insert_all(
            {
                "workshop_id": workshop_id,
                "round_id": rounds[held + r]["id"],
                "table_id": tables[t]["id"],
                "participant_id": everyone[p]["id"],
            }
            for r, round_tables in enumerate(result.rounds[held:])
            for t, members in enumerate(round_tables)
            for p in members
        )
        mark_changed(db, workshop_id)
    return result


def schedule_for(
    db: Database, workshop_id: int, *, moderator_id=None, table_id=None, participant_id=None
) -> list[dict]:
    """One person's (or one table's) day from the plan: round by round, where and what."""
    rows = []
    for row in grid(db, workshop_id):
        found = None
        for cell in row["cells"]:
            if _is_theirs(cell, moderator_id, table_id, participant_id):
                found = cell
        rows.append(
            {
                "block": row["round"]["block"]["title"],
                "round": row["round"]["number"],
                "table": found["table"]["name"] if found else None,
                "question": (found["question"] or {}).get("text", "") if found else "",
                "prompt": (found["question"] or {}).get("prompt", "") if found else "",
                "moderator": (found["moderator"] or {}).get("name") if found else None,
            }
        )
    return rows


def _is_theirs(cell: dict, moderator_id, table_id, participant_id) -> bool:
    """True when a grid cell is where this moderator leads, this table is, or this person sits."""
    leader = cell["moderator"]
    return bool(
        (moderator_id is not None and leader and leader["id"] == moderator_id)
        or (table_id is not None and cell["table"]["id"] == table_id)
        or (participant_id is not None and any(p["id"] == participant_id for p in cell["people"]))
    )
