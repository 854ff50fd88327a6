"""Build the printouts' PrintPlan from the workshop's plan in the database.

Printing never makes a join link: each card, run sheet, itinerary and badge carries the link
its table, moderator or delegate already has (plan/links.py), or none.
"""

from collections.abc import Callable

from sqlite_utils import Database

from kt_workshop import store
from kt_workshop.i18n import local_date
from kt_workshop.plan import grid as plan_view
from kt_workshop.plan import store as plan
from kt_workshop.plan.links import live_links
from kt_workshop.plan.printouts import (
    Block,
    Duty,
    Group,
    ModeratorSheet,
    Person,
    PrintPlan,
    Round,
    Seat,
    TableCard,
)


def print_plan(
    db: Database, workshop_id: int, join_url: Callable[[dict], str], welcome_url: str = ""
) -> PrintPlan:
    """Everything the printouts show, from the current plan; `join_url` turns a grant into
    the address its QR code opens, `welcome_url` is where a short code is typed."""
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
    links = live_links(db, workshop_id)
    if not workshop["participant_pages"]:
        links["participants"] = {}
    table_names = {t["id"]: t["name"] for t in tables}

    def link(kind: str, row_id: int) -> tuple[str, str]:
        grant = links[kind].get(row_id)
        return (join_url(grant), grant["short_code"] or "") if grant else ("", "")

    return PrintPlan(
        title=workshop["title"],
        date=local_date(workshop["date"]),
        venue=workshop["venue"],
        language=workshop["language"],
        fixed_groups=not plan.uses_seats(workshop),
        welcome_url=welcome_url,
        blocks=blocks,
        tables=[
            TableCard(
                t["name"],
                *link("tables", t["id"]),
                stays=[p["name"] for p in people if p.get("stays") and p["table_id"] == t["id"]],
            )
            for t in tables
        ],
        people=[
            Person(
                name=p["name"],
                url=link("participants", p["id"])[0],
                places=places[p["id"]],
                code=link("participants", p["id"])[1],
                organisation=p["organisation"] or "",
                group=table_names.get(p["table_id"], ""),
            )
            for p in people
        ],
        moderators=[
            ModeratorSheet(
                m["name"],
                [[_duty(item) for item in block] for block in duties[m["id"]]],
                *link("moderators", m["id"]),
            )
            for m in moderators
            # Someone who leads nowhere all day gets no sheet saying "free" in every round.
            if any(item for block in duties[m["id"]] for item in block)
        ],
        groups=[
            Group(
                t["name"],
                [
                    (p["name"], p["organisation"] or "", p["country"] or "")
                    for p in sorted(people, key=lambda p: p["name"].casefold())
                    if p["table_id"] == t["id"]
                ],
            )
            for t in tables
        ],
    )


def _duty(item) -> Duty:
    """One round of a moderator's run sheet: a table and question, or a free round."""
    if item is None:
        return Duty()
    table, question = item
    return Duty(table=table, question=question.get("text", ""), prompt=question.get("prompt", ""))


def has_links(document: PrintPlan, kind: str) -> bool:
    """Whether a printout of this kind carries any join link or code."""
    sources = {
        "cards": document.tables,
        "runsheets": document.moderators,
        "links": document.moderators,
        "itineraries": document.people,
        "badges": document.people,
    }.get(kind, ())
    return any(getattr(item, "join_url", "") or getattr(item, "url", "") for item in sources)


def note_printed(db: Database, workshop_id: int, address: str) -> None:
    """Remember the address the printed QR codes carry, to warn when it changes later."""
    db["workshop"].update(
        workshop_id, {"links_printed_address": address, "links_printed_at": store.now()}
    )
