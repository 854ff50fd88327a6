"""Reading the plan: the grid of rounds x tables, its scores, and one person's day."""

import numpy as np
from sqlite_utils import Database

from kt_workshop import store
from kt_workshop.plan.algorithms.fixed_groups import check_fixed_groups
from kt_workshop.plan.algorithms.new_tables import place_scores, question_grid
from kt_workshop.plan.algorithms.scores import imbalance, lower_bound, score_plan
from kt_workshop.plan.store import (
    ROTATION_BALANCE,
    block_moderators,
    day_rounds,
    planned_people,
    round_name,
    rows_of,
    table_hosts,
    table_questions,
    uses_seats,
)


def seat_rounds(db: Database, workshop_id: int) -> tuple[list[list[list[int]]], list[dict]]:
    """The saved seats as the planners' rounds of tables of person indices, and the people."""
    people = planned_people(db, workshop_id)
    tables = store.list_items(db, "tables", workshop_id)
    rounds = day_rounds(db, workshop_id)
    person = {p["id"]: i for i, p in enumerate(people)}
    table = {t["id"]: i for i, t in enumerate(tables)}
    index = {r["id"]: i for i, r in enumerate(rounds)}
    grid = [[[] for _t in tables] for _r in rounds]
    for seat in rows_of(db, "seat", workshop_id):
        if seat["participant_id"] in person:
            grid[index[seat["round_id"]]][table[seat["table_id"]]].append(
                person[seat["participant_id"]]
            )
    return [[sorted(members) for members in round_] for round_ in grid], people


def scores(db: Database, workshop_id: int) -> dict:
    """How good the plan is now: table returns, question repeats, meetings and the bound."""
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
        **returns_and_repeats(db, workshop_id, rounds, people),
    }


def returns_and_repeats(db: Database, workshop_id: int, rounds: list, people: list) -> dict:
    """How many travellers come back to a table, or to a question, they have met before.

    Delegates who cannot move (access needs) stay at their table and are not counted.
    """
    tables = store.list_items(db, "tables", workshop_id)
    seat = np.full((len(rounds), len(people)), -1, dtype=np.int64)
    for r, round_tables in enumerate(rounds):
        for t, members in enumerate(round_tables):
            seat[r, members] = t
    moving = np.array([not p.get("stays") for p in people], dtype=bool)
    asked = table_questions(db, workshop_id, day_rounds(db, workshop_id), tables)
    found = place_scores(seat, moving, question_grid(asked, len(rounds), len(tables)))
    return {
        "travellers": int(moving.sum()),
        "returns": found.returns,
        "returners": found.returners,
        "question_repeats": found.question_repeats,
        "question_repeaters": found.question_repeaters,
        "fewest_returns": found.fewest_returns,
        "fewest_question_repeats": found.fewest_question_repeats,
    }


def fixed_group_scores(db: Database, workshop_id: int) -> dict:
    """For fixed groups: does every group meet every moderator of a block exactly once?"""
    leads = rows_of(db, "lead", workshop_id)
    if not leads:
        return {"planned": False}
    tables = store.list_items(db, "tables", workshop_id)
    problems = []
    for block in store.programme(db, workshop_id):
        moderators = block_moderators(db, workshop_id, [q["id"] for q in block["questions"]])
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
    # Travelling: a table's host is there all day, planned or not, with the table's question.
    hosts = table_hosts(db, workshop_id) if uses_seats(workshop) else {}
    people = {p["id"]: p for p in store.list_items(db, "participant", workshop_id)}
    lead_rows = rows_of(db, "lead", workshop_id)
    leads = {(r["round_id"], r["table_id"]): r["moderator_id"] for r in lead_rows}
    # A cell whose moderator left keeps the question they would have asked.
    kept = {(r["round_id"], r["table_id"]): r.get("question_id") for r in lead_rows}
    locked = {(c["round_id"], c["table_id"]) for c in rows_of(db, "locked_cell", workshop_id)}
    closed = {(c["round_id"], c["table_id"]) for c in rows_of(db, "closed_table", workshop_id)}
    seated: dict[tuple[int, int], list[dict]] = {}
    for seat in rows_of(db, "seat", workshop_id):
        seated.setdefault((seat["round_id"], seat["table_id"]), []).append(
            people[seat["participant_id"]]
        )
    # Fixed groups: a round that has happened has seats of its own (store.keep_groups); the
    # rounds to come follow each delegate's group.
    with_seats = {round_id for round_id, _table in seated}
    if not uses_seats(workshop):
        for person in planned_people(db, workshop_id):
            seated.setdefault((None, person["table_id"]), []).append(person)
    rows = []
    for round_ in day_rounds(db, workshop_id):
        cells = []
        for position, table in enumerate(tables):
            key = (round_["id"], table["id"])
            # Nobody leads at a closed table, its host included.
            moderator = (
                None if key in closed else moderators.get(leads.get(key)) or hosts.get(table["id"])
            )
            question = cell_question(round_, position, moderator, questions, workshop)
            if question is None and kept.get(key):
                question = questions.get(kept[key])
            if uses_seats(workshop) or round_["id"] in with_seats:
                members = seated.get(key)
            else:
                members = seated.get((None, table["id"]))
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


def column_heads(db: Database, workshop_id: int, rows: list[dict]) -> list[dict]:
    """Each table's column head: its name, and its host and question when they hold all day."""
    heads = []
    for position, table in enumerate(store.list_items(db, "tables", workshop_id)):
        cells = [row["cells"][position] for row in rows]
        heads.append(
            {
                "table": table,
                "host": _same(cell["moderator"] for cell in cells),
                "question": _same(cell["question"] for cell in cells),
            }
        )
    return heads


def _same(items) -> dict | None:
    """The one item every cell shares, or None when they differ (or there are none)."""
    found = list(items)
    ids = {(item or {}).get("id") for item in found}
    return found[0] if found and len(ids) == 1 and found[0] else None


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


def schedule_for(
    db: Database, workshop_id: int, *, moderator_id=None, table_id=None, participant_id=None
) -> list[dict]:
    """One person's (or one table's) day from the plan: round by round, where and what."""
    rows = []
    for row in grid(db, workshop_id):
        found = None
        for cell in row["cells"]:
            if not cell["closed"] and _is_theirs(cell, moderator_id, table_id, participant_id):
                found = cell
        rows.append(
            {
                "round_id": row["round"]["id"],
                "label": round_name(row["round"]),
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


def capacity_problems(db: Database, workshop_id: int) -> list[str]:
    """Where the tables cannot seat everyone: too few seats in all, or a table (in some round)
    with more people than its capacity. A capacity of 0 means "not limited"."""
    from kt_workshop.i18n import _, ngettext

    tables = store.list_items(db, "tables", workshop_id)
    people = planned_people(db, workshop_id)
    problems = []
    if tables and all(t["capacity"] for t in tables):
        seats = sum(t["capacity"] for t in tables)
        if seats < len(people):
            problems.append(
                _(
                    "%(people)s delegates, but the %(tables)s tables seat %(seats)s: about "
                    "%(each)s will sit at each. Add tables or raise their capacity.",
                    people=len(people),
                    tables=len(tables),
                    seats=seats,
                    each=-(-len(people) // len(tables)),
                )
            )
    crowded: dict[int, int] = {}
    for row in grid(db, workshop_id):
        for cell in row["cells"]:
            capacity = cell["table"]["capacity"]
            if capacity and len(cell["people"]) > capacity and not cell["closed"]:
                table_id = cell["table"]["id"]
                crowded[table_id] = max(crowded.get(table_id, 0), len(cell["people"]))
    for table in tables:
        if table["id"] in crowded:
            problems.append(
                ngettext(
                    "%(table)s seats %(capacity)s, but the plan puts %(num)s person there.",
                    "%(table)s seats %(capacity)s, but the plan puts %(num)s people there.",
                    crowded[table["id"]],
                    table=table["name"],
                    capacity=table["capacity"],
                )
            )
    return problems
