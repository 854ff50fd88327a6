"""Re-planning when the day changes: the past stays as it was, for every tool that could touch it."""

import json

import pytest

from kt_workshop import store
from kt_workshop.live import day
from kt_workshop.plan import edits, replanning
from kt_workshop.plan import grid as plan_view
from kt_workshop.plan import store as plan


def build(db, fmt: str) -> int:
    """Two blocks of two rounds, six tables or groups, thirty delegates, a moderator per
    question (hosts at the tables in the travelling format)."""
    workshop = store.create_workshop(db, {"title": f"Café {fmt}", "format": fmt})
    tables = [
        store.add_item(db, "tables", workshop, {"name": f"Table {n}", "capacity": 8})
        for n in range(1, 7)
    ]
    for title in ("Morning", "Afternoon"):
        block = store.add_block(db, workshop, {"title": title}, rounds=2, minutes=15)
        for q in range(1, 3):
            question = store.add_item(
                db, "question", workshop, {"text": f"{title} Q{q}", "block_id": block}
            )
            store.add_item(
                db, "moderator", workshop, {"name": f"{title} mod {q}", "question_id": question}
            )
    if fmt != "fixed_groups":
        for n, table in enumerate(tables, start=1):
            store.add_item(db, "moderator", workshop, {"name": f"Host {n}", "table_id": table})
    countries = ["Poland", "Germany", "Italy", "Norway", "Spain"]
    store.add_delegates(
        db,
        workshop,
        [{"name": f"Person {i:02}", "country": countries[i % 5]} for i in range(30)],
    )
    if fmt == "fixed_groups":
        plan.form_groups(db, workshop, ["country"], ["organisation"])
    plan.make_plan(db, workshop, time_limit=0.2)
    return workshop


def run_to(db, workshop: int, position: int) -> list[dict]:
    """Start the day and advance until round `position` (1-based in the day) is on."""
    rounds = plan.day_rounds(db, workshop)
    day.start(db, workshop, rounds[position - 1]["id"])
    return rounds


def history(db, workshop: int, upto: int):
    """Who sat and who led at each table in each of the first rounds, as the grid shows it."""
    return [
        [
            (
                c["table"]["name"],
                sorted(p["name"] for p in c["people"]),
                (c["moderator"] or {}).get("name"),
                (c["question"] or {}).get("text"),
            )
            for c in row["cells"]
        ]
        for row in plan_view.grid(db, workshop)[:upto]
    ]


def person(db, workshop, name):
    return next(p for p in store.list_items(db, "participant", workshop) if p["name"] == name)


def try_it(action):
    """Run a tool; refusing with a clear message is as good as leaving the past alone."""
    try:
        action()
    except store.InputError as error:
        assert error.errors and all(str(m) for m in error.errors.values())


@pytest.mark.parametrize("fmt", ["travelling", "fixed_groups"])
def test_no_tool_changes_the_seats_or_leads_of_a_round_that_has_happened(db, fmt):
    """With Afternoon round 1 on, every tool that can change seats or leads leaves the three
    rounds that have started exactly as they were (or refuses, saying why)."""
    workshop = build(db, fmt)
    rounds = run_to(db, workshop, 3)
    before = history(db, workshop, 3)
    assert all(any(cell[1] for cell in row) for row in before)
    leaver, late, other = (person(db, workshop, n) for n in ("Person 01", "Person 02", "Person 03"))
    held_round = rounds[0]["id"]
    tables = store.list_items(db, "tables", workshop)
    moderator = plan_view.grid(db, workshop)[0]["cells"][0]["moderator"]  # led the first round
    tools = {
        "plan the rotation": lambda: plan.make_plan(db, workshop, seed=5, time_limit=0.2),
        "form groups": lambda: plan.form_groups(db, workshop, ["country"], [], seed=9),
        "delete a moderator": lambda: store.delete_item(db, "moderator", workshop, moderator["id"]),
        "mark absent": lambda: store.update_item(
            db, "participant", workshop, leaver["id"], {"attendance": "absent"}
        ),
        "a late arrival": lambda: store.update_item(
            db,
            "participant",
            workshop,
            late["id"],
            {"attendance": "attended", "table_id": tables[5]["id"]},
        ),
        "add a delegate who just came": lambda: store.add_item(
            db, "participant", workshop, {"name": "Newcomer", "table_id": tables[0]["id"]}
        ),
        "remove a delegate": lambda: store.delete_item(db, "participant", workshop, other["id"]),
        "delete a table": lambda: store.delete_item(db, "tables", workshop, tables[0]["id"]),
        "swap two people": lambda: edits.swap_people(
            db, workshop, held_round, leaver["id"], other["id"]
        ),
        "move a person": lambda: edits.move_person(
            db, workshop, held_round, other["id"], tables[1]["id"]
        ),
        "swap moderators": lambda: edits.swap_moderators(
            db, workshop, held_round, tables[0]["id"], tables[1]["id"]
        ),
        "close a table": lambda: edits.toggle_closed(db, workshop, held_round, tables[2]["id"]),
        "re-plan from the next round": lambda: replanning.replan_day(
            db,
            workshop,
            rounds[3]["id"],
            left=[other["id"]],
            close=[tables[4]["id"]],
            leaving=[moderator["id"]],
        ),
    }
    for name, tool in tools.items():
        try_it(tool)
        assert history(db, workshop, 3) == before, name
    if fmt == "fixed_groups":
        # The report still has everyone who stays in both blocks, the leaver in the morning.
        from kt_workshop.reports.gather import gather

        blocks = [b["id"] for b in store.programme(db, workshop)]
        delegates = {d.pseudonym: d for d in gather(db, workshop).delegates}
        assert sum(d.blocks == blocks for d in delegates.values()) >= 25
    # The delegates who took part are still there, the moderator too.
    assert store.get_item(db, "participant", workshop, other["id"])
    assert store.get_item(db, "moderator", workshop, moderator["id"])


def test_replanning_before_the_running_round_is_refused_in_the_grids_words(db):
    workshop = build(db, "travelling")
    rounds = run_to(db, workshop, 3)
    with pytest.raises(store.InputError) as refused:
        replanning.replan_day(db, workshop, rounds[1]["id"])
    assert "Afternoon round 1 has started" in str(refused.value)
    assert "re-plan from Afternoon round 2" in str(refused.value)
    with pytest.raises(store.InputError):
        replanning.replan_day(db, workshop, rounds[2]["id"])


def test_a_travelling_replan_names_who_left_who_arrived_and_who_moved(db):
    """A leaver, a late arrival and Table 6 closing from Afternoon round 2: the outcome names
    them all in the grid's words, and only the rounds to come change."""
    workshop = build(db, "travelling")
    late = person(db, workshop, "Person 29")
    store.update_item(db, "participant", workshop, late["id"], {"attendance": "absent"})
    plan.make_plan(db, workshop, time_limit=0.2)
    rounds = run_to(db, workshop, 3)
    before = history(db, workshop, 3)
    leaver = person(db, workshop, "Person 04")
    table6 = store.list_items(db, "tables", workshop)[5]
    seated_at_6 = {p["name"] for p in plan_view.grid(db, workshop)[3]["cells"][5]["people"]}

    outcome = replanning.replan_day(
        db,
        workshop,
        rounds[3]["id"],
        left=[leaver["id"]],
        arrived=[late["id"]],
        close=[table6["id"]],
    )

    assert outcome.start == "Afternoon round 2"
    assert outcome.left == ["Person 04"]
    assert [a["name"] for a in outcome.arrived] == ["Person 29"]
    assert outcome.closed == ["Table 6"]
    moved = {m["name"] for m in outcome.moved}
    assert seated_at_6 - {"Person 04"} <= moved  # everyone from the closed table moved
    for m in outcome.moved:
        assert all(c["round"] == "Afternoon round 2" and c["was"] != c["now"] for c in m["changes"])
    assert history(db, workshop, 3) == before
    last = plan_view.grid(db, workshop)[3]
    assert last["cells"][5]["closed"] and last["cells"][5]["people"] == []
    assert last["cells"][5]["moderator"] is None  # nobody is sent to lead a closed table
    names = [p["name"] for c in last["cells"] for p in c["people"]]
    assert "Person 04" not in names and "Person 29" in names and len(names) == 29
    # The outcome stays on the plan page, from the audit log.
    assert replanning.last_outcome(db, workshop)["left"] == ["Person 04"]


def test_a_delegate_who_cannot_move_stays_at_the_nearest_open_table_for_the_rest_of_the_day(db):
    workshop = build(db, "mixed")
    tables = store.list_items(db, "tables", workshop)
    bella = person(db, workshop, "Person 07")
    store.update_item(
        db, "participant", workshop, bella["id"], {"stays": True, "table_id": tables[1]["id"]}
    )
    plan.make_plan(db, workshop, time_limit=0.2)
    rounds = run_to(db, workshop, 2)

    outcome = replanning.replan_day(db, workshop, rounds[2]["id"], close=[tables[1]["id"]])

    assert outcome.said == [
        "Person 07 cannot move: Table 2 is closed from Afternoon round 1, so they stay at "
        "Table 1 for the rest of the day."
    ]
    where = [
        next(
            c["table"]["name"]
            for c in row["cells"]
            if any(p["name"] == "Person 07" for p in c["people"])
        )
        for row in plan_view.grid(db, workshop)
    ]
    assert where == ["Table 2", "Table 2", "Table 1", "Table 1"]


def test_fixed_groups_replan_a_moderator_leaves_a_group_merges_and_a_late_arrival_joins(db):
    workshop = build(db, "fixed_groups")
    late = person(db, workshop, "Person 11")
    store.update_item(
        db, "participant", workshop, late["id"], {"attendance": "absent", "table_id": None}
    )
    rounds = run_to(db, workshop, 2)
    before = history(db, workshop, 2)
    groups = store.list_items(db, "tables", workshop)
    leaving = next(
        m for m in store.list_items(db, "moderator", workshop) if m["name"] == "Afternoon mod 1"
    )
    members_of_6 = {
        p["name"] for p in plan.planned_people(db, workshop) if p["table_id"] == groups[5]["id"]
    }
    theirs = [
        (r, t)
        for r, row in enumerate(plan_view.grid(db, workshop))
        for t, c in enumerate(row["cells"])
        if c["moderator"] and c["moderator"]["id"] == leaving["id"] and t != 5
    ]
    assert theirs and all(r >= 2 for r, _t in theirs)

    outcome = replanning.replan_day(
        db,
        workshop,
        rounds[2]["id"],
        arrived=[late["id"]],
        close=[groups[5]["id"]],
        leaving=[leaving["id"]],
    )

    assert history(db, workshop, 2) == before
    assert [a["name"] for a in outcome.arrived] == ["Person 11"]
    assert {m["name"] for m in outcome.moved} == members_of_6
    merged_into = {c["now"] for m in outcome.moved for c in m["changes"]}
    assert len(merged_into) == 1 and "Table 6" not in merged_into  # the group stays together
    assert outcome.self_led[0]["moderator"] == "Afternoon mod 1"
    afternoon = plan_view.grid(db, workshop)[2:]
    for row in afternoon:
        assert row["cells"][5]["closed"] and not row["cells"][5]["people"]
        led = [c["moderator"]["name"] for c in row["cells"] if c["moderator"]]
        assert "Afternoon mod 1" not in led
    # The groups that would have met the leaver lead their question themselves.
    grid = plan_view.grid(db, workshop)
    for r, t in theirs:
        assert grid[r]["cells"][t]["moderator"] is None
        assert grid[r]["cells"][t]["question"]["text"] == "Afternoon Q1"
    # The morning still shows the group that closed, with its people.
    assert sorted(before[0][5][1]) == sorted(members_of_6)


def test_the_replan_page_shows_the_outcome_where_the_organiser_looks_and_tells_the_screens(
    organiser, db
):
    workshop = build(db, "travelling")
    rounds = run_to(db, workshop, 1)
    leaver = person(db, workshop, "Person 12")
    page = organiser.get(f"/w/{workshop}/plan").get_data(as_text=True)
    options = page[
        page.index('name="from_round"') : page.index("</select>", page.index('name="from_round"'))
    ]
    assert "Morning round 1</option>" not in options and "Morning round 2</option>" in options

    response = organiser.post(
        f"/w/{workshop}/plan/replan",
        data={"from_round": rounds[1]["id"], "left": [leaver["id"]]},
    )

    assert response.status_code == 302 and response.location.endswith("#replan")
    page = organiser.get(f"/w/{workshop}/plan").get_data(as_text=True)
    outcome = page[page.index('id="replan-outcome"') :]
    assert "Re-planned from Morning round 2" in outcome and "Left: Person 12" in outcome
    change = db.execute(
        "SELECT kind, audience, payload FROM change WHERE workshop_id = ? ORDER BY seq DESC",
        [workshop],
    ).fetchone()
    assert change[:2] == ("plan", "all")
    # No publishing step: the page says changes go live at once.
    assert "Every change goes live at once" in page and "/plan/publish" not in page
    assert json.loads(change[2]) == {"from_round_id": rounds[1]["id"]}

    response = organiser.post(f"/w/{workshop}/plan/replan", data={"from_round": rounds[0]["id"]})
    page = organiser.get(f"/w/{workshop}/plan").get_data(as_text=True)
    box = page[page.index('id="replan"') :]
    assert "Morning round 1 has started" in box[: box.index("</form>")]


def test_a_closed_table_leaves_the_projector_its_tablet_the_control_room_and_the_printouts(
    organiser, db
):
    from kt_workshop import access
    from kt_workshop.live import cells, notes
    from kt_workshop.plan import printing

    workshop = build(db, "travelling")
    rounds = run_to(db, workshop, 2)
    table6 = store.list_items(db, "tables", workshop)[5]
    replanning.replan_day(db, workshop, rounds[2]["id"], close=[table6["id"]])

    # The projector's where-next for Afternoon round 1 names five tables, not Table 6.
    where_next = organiser.get(f"/w/{workshop}/projector/next.json").get_json()
    assert where_next["round"]["id"] == rounds[2]["id"]
    assert [c["table"] for c in where_next["tables"]] == [f"Table {n}" for n in range(1, 6)]
    # Table 6's tablet says it is closed in that round and takes no notes there.
    tablet = access.create_grant(db, workshop, "moderator", "Table 6", table_id=table6["id"])
    day.advance(db, workshop)  # the morning's last round ends: the break before the afternoon
    day.advance(db, workshop)  # the afternoon starts
    cell = cells.tablet_cell(db, workshop, tablet)["cell"]
    assert cell["closed"] is True
    op = {
        "op_id": "op-closed-1",
        "type": "add",
        "uid": "note-closed-1",
        "round_id": rounds[2]["id"],
        "table_id": table6["id"],
        "kind": "insight",
        "text": "Anyone here?",
    }
    with pytest.raises(notes.Refused):
        notes.apply_operation(db, workshop, tablet, op)
    # The control room is told which tables are closed this round (it leaves them out).
    from kt_workshop.web import socketio

    control = socketio.test_client(
        organiser.application, flask_test_client=organiser, auth={"workshop_id": workshop}
    )
    reply = control.emit("tablets_get", {}, callback=True)
    assert reply["ok"] and reply["closed"] == [table6["id"]]
    # The card and the host's run sheet give the morning only.
    document = printing.print_plan(db, workshop, lambda grant: "http://x/join")
    card = dict(
        (block.title, [stop.round for stop in stops])
        for block, stops in document.table_schedule("Table 6")
    )
    assert card == {"Morning": [1, 2], "Afternoon": []}
    # Moderators who lead nowhere all day (the question moderators here) get no sheet at all.
    assert sorted(s.name for s in document.moderators) == [f"Host {n}" for n in range(1, 7)]
    host = next(s for s in document.moderators if s.name == "Host 6")
    schedule = document.run_sheet_schedule(host)
    assert [stop.table for stop in schedule[1][1]] == [None, None]


def test_removing_someone_who_took_part_is_refused_on_the_page_with_what_to_do(organiser, db):
    workshop = build(db, "travelling")
    run_to(db, workshop, 2)
    delegate = person(db, workshop, "Person 05")
    host = next(m for m in store.list_items(db, "moderator", workshop) if m["name"] == "Host 1")

    response = organiser.post(f"/w/{workshop}/delegates/{delegate['id']}/delete")
    assert response.status_code == 302
    page = organiser.get(response.location).get_data(as_text=True)
    assert "Mark them absent instead" in page
    response = organiser.post(f"/w/{workshop}/moderators/{host['id']}/delete")
    assert response.status_code == 302
    page = organiser.get(response.location).get_data(as_text=True)
    assert "A moderator leaves" in page
    assert store.get_item(db, "moderator", workshop, host["id"])
    assert store.get_item(db, "participant", workshop, delegate["id"])


def test_printed_itineraries_carry_a_short_code_and_the_report_says_when_someone_left(
    organiser, db
):
    from kt_workshop.plan import printing
    from kt_workshop.reports.gather import gather

    workshop = build(db, "travelling")
    store.update_workshop(db, workshop, {"participant_pages": True})
    from kt_workshop.plan import links

    links.make_links(db, workshop, "participants")  # printing never makes a link by itself
    page = organiser.get(f"/w/{workshop}/printouts/itineraries.html").get_data(as_text=True)
    assert "type the code" in page
    document = printing.print_plan(db, workshop, lambda grant: "http://x/join", "http://x/welcome")
    codes = [p.code for p in document.people]
    assert all(len(c) == 6 and c.isdigit() for c in codes) and len(set(codes)) == 30

    rounds = run_to(db, workshop, 2)
    leaver = person(db, workshop, "Person 08")
    replanning.replan_day(db, workshop, rounds[2]["id"], left=[leaver["id"]])
    data = gather(db, workshop)
    left = [d for d in data.delegates if d.left_after]
    assert [(d.attended, d.left_after) for d in left] == [(True, "Morning round 2")]
    import io

    from docx import Document

    from kt_workshop.reports.word import write_report

    text = "\n".join(p.text for p in Document(io.BytesIO(write_report(data, {}))).paragraphs)
    assert "30 delegates took part" in text
    assert "1 of them left during the day (after Morning round 2)." in text


def test_the_api_replans_as_the_page_does_and_refuses_the_past(organiser, db):
    workshop = build(db, "travelling")
    rounds = run_to(db, workshop, 3)
    leaver = person(db, workshop, "Person 09")
    refused = organiser.post(
        f"/api/v1/workshops/{workshop}/replan", json={"from_round_id": rounds[2]["id"]}
    )
    assert refused.status_code == 422 and "Afternoon round 1 has started" in refused.get_data(
        as_text=True
    )
    bad = organiser.post(
        f"/api/v1/workshops/{workshop}/replan",
        json={"from_round_id": rounds[3]["id"], "left": ["Person 09"]},
    )
    assert bad.status_code == 422
    done = organiser.post(
        f"/api/v1/workshops/{workshop}/replan",
        json={"from_round_id": rounds[3]["id"], "left": [leaver["id"]]},
    )
    assert done.status_code == 200
    assert done.get_json()["left"] == ["Person 09"]
    assert done.get_json()["start"] == "Afternoon round 2"


def test_planning_the_rotation_once_the_day_is_over_says_so_and_changes_nothing(organiser, db):
    workshop = build(db, "fixed_groups")
    rounds = run_to(db, workshop, 4)
    day.advance(db, workshop)  # the day is over
    before = history(db, workshop, len(rounds))
    response = organiser.post(f"/w/{workshop}/plan/rotation", data={"seed": "3"})
    page = organiser.get(response.location).get_data(as_text=True)
    assert "The day is over" in page
    assert history(db, workshop, len(rounds)) == before
    travelling = build(db, "travelling")
    run_to(db, travelling, 4)
    day.advance(db, travelling)
    response = organiser.post(f"/w/{travelling}/plan/rotation", data={"seed": "3"})
    page = organiser.get(response.location).get_data(as_text=True)
    assert "The day is over: every round has happened." in page and "plan:" not in page


def test_the_planners_warnings_name_people_tables_and_rounds_as_the_grid_does(db):
    """A keep-together rule between two people who cannot move from different tables, and a
    locked seat at a table closed that round: the warnings say who, where and when in the
    organiser's words (names, table names, "Afternoon round 1"), never "Person 6" or round 0."""
    workshop = build(db, "mixed")
    tables = store.list_items(db, "tables", workshop)
    rounds = plan.day_rounds(db, workshop)
    ana, bo = person(db, workshop, "Person 05"), person(db, workshop, "Person 06")
    store.update_item(db, "participant", workshop, ana["id"], {"name": "Ana Stays"})
    store.update_item(db, "participant", workshop, bo["id"], {"name": "Bo Stays"})
    for who, table in ((ana, tables[0]), (bo, tables[1])):
        store.update_item(
            db, "participant", workshop, who["id"], {"stays": True, "table_id": table["id"]}
        )
    edits.add_pair_rule(db, workshop, "together", ana["id"], bo["id"])
    plan.make_plan(db, workshop, time_limit=0.2)
    at_table_5 = plan_view.grid(db, workshop)[2]["cells"][4]["people"][0]["name"]
    edits.toggle_lock(db, workshop, rounds[2]["id"], tables[4]["id"])
    edits.toggle_closed(db, workshop, rounds[2]["id"], tables[4]["id"])

    problems = plan.make_plan(db, workshop, time_limit=0.2).problems

    assert (
        "Ana Stays and Bo Stays must be kept together but Ana Stays cannot move from Table 1 "
        "and Bo Stays is fixed at Table 2; they sit apart." in problems
    ), problems
    assert (
        f"{at_table_5} is locked at Table 5, which is closed in Afternoon round 1; they move "
        "that round." in problems
    ), problems
    assert not [p for p in problems if "Person 5" in p or "round 0" in p or "round 2" in p]
