"""Build the printouts' PrintPlan from the workshop's published plan in the database."""

from collections.abc import Callable
from datetime import UTC, datetime

from sqlite_utils import Database

from kt_workshop import access, store
from kt_workshop.plan import grid as plan_view
from kt_workshop.plan import store as plan
from kt_workshop.plan.printouts import (
    Block,
    Duty,
    ModeratorSheet,
    Person,
    PrintPlan,
    Round,
    Seat,
    TableCard,
)


def table_grants(db: Database, workshop_id: int) -> dict[int, dict]:
    """The join grant of each table's tablet (made when missing): table id -> grant."""
    grants = {}
    for grant in access.list_grants(db, workshop_id):
        if grant["role"] == "moderator" and grant["table_id"] and not grant["revoked_at"]:
            grants.setdefault(grant["table_id"], grant)
    for table in store.list_items(db, "tables", workshop_id):
        if table["id"] not in grants:
            grants[table["id"]] = access.create_grant(
                db, workshop_id, "moderator", table["name"], table_id=table["id"]
            )
    return grants


def participant_grants(db: Database, workshop_id: int) -> dict[int, dict]:
    """Each delegate's personal grant (made when missing): participant id -> grant."""
    grants = {}
    for grant in access.list_grants(db, workshop_id):
        if grant["role"] == "participant" and grant["participant_id"] and not grant["revoked_at"]:
            grants.setdefault(grant["participant_id"], grant)
    for person in plan.planned_people(db, workshop_id):
        if person["id"] not in grants:
            grants[person["id"]] = access.create_grant(
                db,
                workshop_id,
                "participant",
                person["name"],
                participant_id=person["id"],
            )
    return grants


def live_code(grant: dict) -> str:
    """A grant's short code while it still works, else ""."""
    expires = grant.get("code_expires_at") or ""
    if grant.get("short_code") and expires > datetime.now(UTC).isoformat():
        return grant["short_code"]
    return ""


def print_plan(
    db: Database, workshop_id: int, join_url: Callable[[dict], str], welcome_url: str = ""
) -> PrintPlan:
    """Everything the table cards, itineraries and run sheets show, from the current plan."""
    workshop = store.get_workshop(db, workshop_id)
    tables = store.list_items(db, "tables", workshop_id)
    rows = plan_view.grid(db, workshop_id)
    people = plan.planned_people(db, workshop_id)
    moderators = store.list_items(db, "moderator", workshop_id)
    by_block: dict[int, list[dict]] = {}
    for row in rows:
        by_block.setdefault(row["round"]["block_index"], []).append(row)
    blocks, places, duties = [], {p["id"]: [] for p in people}, {m["id"]: [] for m in moderators}
    for block_rows in by_block.values():
        block = block_rows[0]["round"]["block"]
        rounds = []
        for person_places in places.values():
            person_places.append([])
        for duty in duties.values():
            duty.append([])
        for row in block_rows:
            seats = []
            seated_at = {}
            for cell in row["cells"]:
                if cell["closed"]:
                    continue  # a closed table is on no card, run sheet or itinerary that round
                question = cell["question"] or {}
                leader = cell["moderator"]
                seats.append(
                    Seat(
                        table=cell["table"]["name"],
                        question=question.get("text", ""),
                        prompt=question.get("prompt", ""),
                        moderator=leader["name"] if leader else None,
                        delegates=[p["name"] for p in cell["people"]],
                    )
                )
                for person in cell["people"]:
                    seated_at[person["id"]] = cell["table"]["name"]
                if leader:
                    duties[leader["id"]][-1].append((cell["table"]["name"], question))
            for person_id, person_places in places.items():
                person_places[-1].append(seated_at.get(person_id))
            for duty in duties.values():
                if len(duty[-1]) < len(rounds) + 1:
                    duty[-1].append(None)
            rounds.append(
                Round(number=row["round"]["number"], minutes=row["round"]["minutes"], seats=seats)
            )
        blocks.append(Block(title=block["title"], starts_at=block["starts_at"], rounds=rounds))
    table_links = table_grants(db, workshop_id)
    person_links = participant_grants(db, workshop_id) if workshop["participant_pages"] else {}
    return PrintPlan(
        title=workshop["title"],
        date=workshop["date"],
        venue=workshop["venue"],
        language=workshop["language"],
        welcome_url=welcome_url,
        blocks=blocks,
        tables=[TableCard(name=t["name"], join_url=join_url(table_links[t["id"]])) for t in tables],
        people=[
            Person(
                name=p["name"],
                url=join_url(person_links[p["id"]]) if p["id"] in person_links else "",
                places=places[p["id"]],
                code=live_code(person_links[p["id"]]) if p["id"] in person_links else "",
            )
            for p in people
        ],
        moderators=[
            ModeratorSheet(
                name=m["name"],
                duties=[[_duty(item) for item in block] for block in duties[m["id"]]],
            )
            for m in moderators
            # Someone who leads nowhere all day gets no sheet saying "free" in every round.
            if any(item for block in duties[m["id"]] for item in block)
        ],
    )


def _duty(item) -> Duty:
    """One round of a moderator's run sheet: a table and question, or a free round."""
    if item is None:
        return Duty()
    table, question = item
    return Duty(table=table, question=question.get("text", ""), prompt=question.get("prompt", ""))
