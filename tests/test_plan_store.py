"""The plan in the database: groups, rotation, changes by hand, locks, closed tables, printouts."""

import io
import json

import pytest
from docx import Document

from kt_workshop import cli, store
from kt_workshop.demo import create_demo
from kt_workshop.plan import edits as plan_edits
from kt_workshop.plan import grid as plan_view
from kt_workshop.plan import printing
from kt_workshop.plan import store as plan


@pytest.fixture
def cafe(db):
    """A travelling-participants café: 4 tables, 20 delegates, 2 blocks of 2 rounds."""
    workshop = store.create_workshop(db, {"title": "Café", "format": "travelling"})
    for title in ("Morning", "Afternoon"):
        block = store.add_block(db, workshop, {"title": title}, rounds=2, minutes=15)
        store.add_item(db, "question", workshop, {"text": f"{title} question", "block_id": block})
    for n in range(1, 5):
        store.add_item(db, "tables", workshop, {"name": f"Table {n}", "capacity": 6})
    countries = ["Poland", "Germany", "Italy", "Norway"]
    store.add_delegates(
        db,
        workshop,
        [
            {"name": f"Person {i:02}", "country": countries[i % 4], "organisation": f"Org {i % 7}"}
            for i in range(20)
        ],
    )
    return workshop


def seats_of(db, workshop, person_id):
    """Table ids of one delegate, round by round."""
    rounds = {r["id"]: i for i, r in enumerate(plan.day_rounds(db, workshop))}
    found = [None] * len(rounds)
    for seat in db["seat"].rows_where("participant_id = ?", [person_id]):
        found[rounds[seat["round_id"]]] = seat["table_id"]
    return found


def test_a_travelling_rotation_seats_everyone_once_per_round_and_scores_it(db, cafe):
    """Every delegate has one seat per round, tables are even and the scores add up."""
    planned = plan.make_plan(db, cafe)
    assert planned.problems == []
    rounds, people = plan_view.seat_rounds(db, cafe)
    assert len(rounds) == 4
    for round_ in rounds:
        assert sorted(p for table in round_ for p in table) == list(range(20))
        assert {len(table) for table in round_} == {5}
    scores = plan_view.scores(db, cafe)
    assert scores["planned"] and scores["unseated"] == 0
    assert scores["coincidences"] >= scores["lower_bound"] == scores["coincidences"] - scores["gap"]
    assert scores["max_meetings"] <= 2
    # 4 tables, 4 rounds: every delegate sits at each table once; one question per block,
    # asked at every table, so each delegate meets it twice, which nobody can avoid.
    assert (scores["returns"], scores["returners"], scores["travellers"]) == (0, 0, 20)
    assert scores["question_repeats"] == scores["fewest_question_repeats"] == 40
    assert not any("discussed before" in note for note in planned.gave_up)


def test_swapping_and_moving_change_one_round_only(db, cafe):
    """A swap exchanges two delegates' tables in that round and nowhere else."""
    plan.make_plan(db, cafe)
    first_round = plan.day_rounds(db, cafe)[0]["id"]
    people = plan.planned_people(db, cafe)
    a = people[0]["id"]
    b = next(p["id"] for p in people if seats_of(db, cafe, p["id"])[0] != seats_of(db, cafe, a)[0])
    before_a, before_b = seats_of(db, cafe, a), seats_of(db, cafe, b)
    plan_edits.swap_people(db, cafe, first_round, a, b)
    assert seats_of(db, cafe, a) == [before_b[0], *before_a[1:]]
    assert seats_of(db, cafe, b) == [before_a[0], *before_b[1:]]
    table = store.list_items(db, "tables", cafe)[3]["id"]
    plan_edits.move_person(db, cafe, first_round, a, table)
    assert seats_of(db, cafe, a)[0] == table
    with pytest.raises(store.NotFound):
        plan_edits.swap_people(db, cafe, first_round, a, 99999)


def test_a_locked_cell_keeps_its_people_when_the_plan_is_made_again(db, cafe):
    """Lock a cell, re-plan with another seed: the same delegates sit there."""
    plan.make_plan(db, cafe, seed=1)
    grid = plan_view.grid(db, cafe)
    cell = grid[2]["cells"][1]
    kept = {p["id"] for p in cell["people"]}
    assert plan_edits.toggle_lock(db, cafe, grid[2]["round"]["id"], cell["table"]["id"]) is True
    plan.make_plan(db, cafe, seed=7)
    again = plan_view.grid(db, cafe)[2]["cells"][1]
    assert again["locked"] and {p["id"] for p in again["people"]} == kept


def test_a_closed_table_is_empty_that_round_and_the_others_stay_even(db, cafe):
    """Closing a table for one round spreads its seats over the others."""
    round_id = plan.day_rounds(db, cafe)[1]["id"]
    table_id = store.list_items(db, "tables", cafe)[0]["id"]
    assert plan_edits.toggle_closed(db, cafe, round_id, table_id) is True
    plan.make_plan(db, cafe)
    cells = plan_view.grid(db, cafe)[1]["cells"]
    assert cells[0]["closed"] and cells[0]["people"] == []
    assert sorted(len(c["people"]) for c in cells[1:]) == [6, 7, 7]


def test_pairs_kept_apart_and_together_hold_in_every_round(db, cafe):
    """Pair rules from the organiser are never broken by the planner."""
    people = plan.planned_people(db, cafe)
    plan_edits.add_pair_rule(db, cafe, "apart", people[0]["id"], people[1]["id"])
    plan_edits.add_pair_rule(db, cafe, "together", people[2]["id"], people[3]["id"])
    plan.make_plan(db, cafe)
    assert all(
        x != y
        for x, y in zip(
            seats_of(db, cafe, people[0]["id"]), seats_of(db, cafe, people[1]["id"]), strict=True
        )
    )
    assert seats_of(db, cafe, people[2]["id"]) == seats_of(db, cafe, people[3]["id"])
    with pytest.raises(store.InputError):
        plan_edits.add_pair_rule(db, cafe, "apart", people[0]["id"], people[0]["id"])


def test_a_delegate_who_cannot_move_stays_at_their_table(db, cafe):
    """Access needs: a delegate marked as staying sits at their home table every round."""
    person = plan.planned_people(db, cafe)[5]
    table = store.list_items(db, "tables", cafe)[2]["id"]
    store.update_item(db, "participant", cafe, person["id"], {"stays": True, "table_id": table})
    plan.make_plan(db, cafe)
    assert seats_of(db, cafe, person["id"]) == [table] * 4


def test_the_demo_day_gives_every_group_every_moderator_once_per_block(db):
    """Fixed groups: balanced groups, then each group meets each block's moderators once."""
    workshop = create_demo(db)
    balance = plan.form_groups(db, workshop, ["country", "sector"], ["organisation"], seed=3)
    assert balance["attributes"]["country"]["within"] == balance["attributes"]["country"]["cells"]
    assert plan.make_plan(db, workshop) == ([], [])
    scores = plan_view.scores(db, workshop)
    assert scores["planned"] and scores["problems"] == [] and scores["self_led"] == 0
    grid = plan_view.grid(db, workshop)
    morning = [[c["moderator"]["id"] for c in row["cells"]] for row in grid[:5]]
    afternoon = [[c["moderator"]["id"] for c in row["cells"]] for row in grid[5:]]
    for block in (morning, afternoon):
        for group in range(5):
            assert len({row[group] for row in block}) == 5
        for row in block:
            assert len(set(row)) == 5
    assert not set(morning[0]) & set(afternoon[0])


def test_swapping_moderators_is_seen_by_the_check(db):
    """A hand swap that breaks 'once per block' is reported, and swapping back repairs it."""
    workshop = create_demo(db)
    plan.make_plan(db, workshop)
    rows = plan_view.grid(db, workshop)
    round_id = rows[0]["round"]["id"]
    tables = [c["table"]["id"] for c in rows[0]["cells"]]
    plan_edits.swap_moderators(db, workshop, round_id, tables[0], tables[1])
    problems = plan_view.scores(db, workshop)["problems"]
    assert problems and any("twice" in p for p in problems)
    plan_edits.swap_moderators(db, workshop, round_id, tables[0], tables[1])
    assert plan_view.scores(db, workshop)["problems"] == []


def test_printouts_show_the_plan_with_a_working_link_per_table(db, cafe):
    """The print plan lists every table with its join link and every delegate's tables;
    printing makes no link: a table has one once the organiser asked for them."""
    from kt_workshop.plan import links

    plan.make_plan(db, cafe)
    document = printing.print_plan(db, cafe, lambda grant: f"http://x/join/{grant['id']}")
    assert [t.join_url for t in document.tables] == [""] * 4
    assert links.make_links(db, cafe, "tables") == 4
    document = printing.print_plan(db, cafe, lambda grant: f"http://x/join/{grant['id']}")
    assert [t.name for t in document.tables] == ["Table 1", "Table 2", "Table 3", "Table 4"]
    assert all(t.join_url.startswith("http://x/join/") for t in document.tables)
    assert all(len(t.code) == 6 for t in document.tables)
    assert len(document.people) == 20
    assert all(len(p.places) == 2 and all(len(b) == 2 for b in p.places) for p in document.people)
    again = printing.print_plan(db, cafe, lambda grant: f"http://x/join/{grant['id']}")
    assert [t.join_url for t in again.tables] == [t.join_url for t in document.tables]


def test_the_printout_routes_give_word_files_and_pages(organiser, db):
    """The organiser downloads table cards, itineraries and run sheets."""
    workshop = create_demo(db)
    plan.make_plan(db, workshop)
    for kind in ("cards", "itineraries", "runsheets", "rosters", "badges", "links"):
        response = organiser.get(f"/w/{workshop}/printouts/{kind}.docx?paper=letter")
        assert response.status_code == 200
        Document(io.BytesIO(response.data))
        page = organiser.get(f"/w/{workshop}/printouts/{kind}.html")
        assert page.status_code == 200 and (b"Group 1" in page.data or kind == "links")
    assert organiser.get(f"/w/{workshop}/printouts/cards.docx?paper=a3").status_code == 400
    assert organiser.get(f"/w/{workshop}/printouts/posters.docx").status_code == 404


def run_cli(capsys, *args):
    """Run the kt-workshop command and return its status, stdout and stderr."""
    with pytest.raises(SystemExit) as done:
        cli.main(list(args))
    out = capsys.readouterr()
    return done.value.code, out.out, out.err


def test_plan_command_prints_a_plan_anyone_can_check(capsys):
    """`kt-workshop plan` prints rounds, scores and the bound as one JSON object."""
    status, out, _err = run_cli(
        capsys, "plan", "--tables", "5", "--size", "3", "--rounds", "7", "--json"
    )
    assert status == 0
    result = json.loads(out)
    assert result["coincidences"] == 0 and result["max_meetings"] == 1
    assert set(result) >= {"rounds", "coincidences", "max_meetings", "lower_bound", "seconds"}
    assert all(sorted(p for t in r for p in t) == list(range(15)) for r in result["rounds"])


def test_fixed_groups_command_prints_each_blocks_moderators(capsys):
    """`kt-workshop plan --format fixed-groups` prints moderators per group per round."""
    status, out, _err = run_cli(
        capsys,
        "plan",
        "--format",
        "fixed-groups",
        "--groups",
        "5",
        "--moderators",
        "4",
        "--rounds",
        "5",
        "--blocks",
        "2",
        "--json",
    )
    assert status == 0
    blocks = json.loads(out)["blocks"]
    assert len(blocks) == 2 and all(len(b) == 5 for b in blocks)
    assert sum(row.count(None) for row in blocks[0]) == 5  # one self-led group per round


def test_groups_command_splits_a_delegate_file(tmp_path, capsys):
    """`kt-workshop groups` reads a delegate list and prints balanced groups."""
    lines = ["Name,Country,Sector,Organisation"] + [
        f"P{i},{['PL', 'DE', 'UK'][i % 3]},{['Charity', 'Police'][i % 2]},Org{i % 4}"
        for i in range(12)
    ]
    file = tmp_path / "people.csv"
    file.write_text("\n".join(lines), encoding="utf-8")
    status, out, _err = run_cli(
        capsys, "groups", "--people-file", str(file), "--groups", "3", "--json"
    )
    assert status == 0
    result = json.loads(out)
    assert sorted(i for g in result["groups"] for i in g) == list(range(12))
    assert {len(g) for g in result["groups"]} == {4}


def test_replanning_after_someone_leaves_keeps_earlier_rounds_and_moves_few(db, cafe):
    """A delegate leaves during round 2; re-plan from round 3: rounds 1-2 are untouched."""
    from kt_workshop.live import day
    from kt_workshop.plan import replanning

    # Re-planning weighs pair meetings against seats moved, so start from a pair-first day.
    plan.make_plan(db, cafe, order=plan.plan_order("pairs"))
    rounds = plan.day_rounds(db, cafe)
    day.start(db, cafe, rounds[1]["id"])
    before = plan_view.grid(db, cafe)
    leaver = plan.planned_people(db, cafe)[4]
    outcome = replanning.replan_day(db, cafe, rounds[2]["id"], left=[leaver["id"]])
    after = plan_view.grid(db, cafe)
    for r in (0, 1):
        assert [[p["id"] for p in c["people"]] for c in after[r]["cells"]] == [
            [p["id"] for p in c["people"]] for c in before[r]["cells"]
        ]
    later = [p["id"] for row in after[2:] for c in row["cells"] for p in c["people"]]
    assert leaver["id"] not in later and len(later) == 2 * 19
    assert outcome.left == [leaver["name"]]
    assert sum(len(m["changes"]) for m in outcome.moved) <= 8  # only to even the tables out
    with pytest.raises(store.InputError):
        replanning.replan_day(db, cafe, 99999)


def test_a_moderator_sees_their_day_as_soon_as_the_plan_is_made(app, db):
    """Changes go live at once: a moderator's page lists where they lead each round."""
    from tests.conftest import sign_in_grant

    workshop = create_demo(db)
    moderator = store.list_items(db, "moderator", workshop)[0]
    client = app.test_client()
    sign_in_grant(client, app, db, workshop, "moderator", moderator_id=moderator["id"])
    db.execute("DELETE FROM lead")
    assert b"your-day" not in client.get(f"/w/{workshop}/me").data
    plan.make_plan(db, workshop)
    page = client.get(f"/w/{workshop}/me").get_data(as_text=True)
    assert 'id="your-day"' in page
    schedule = plan_view.schedule_for(db, workshop, moderator_id=moderator["id"])
    assert [row["table"] for row in schedule[:5]].count(None) == 0  # leads every morning round
    assert sorted(row["table"] for row in schedule[:5]) == [f"Group {n}" for n in range(1, 6)]


def test_a_delegate_who_cannot_move_is_set_on_the_delegate_page(organiser, db, cafe):
    """The delegate form sets the home table and the 'cannot move' mark."""
    person = plan.planned_people(db, cafe)[0]
    table = store.list_items(db, "tables", cafe)[1]
    response = organiser.post(
        f"/w/{cafe}/delegates/{person['id']}",
        data={
            "name": person["name"],
            "attendance": "registered",
            "table_id": table["id"],
            "stays": "on",
        },
    )
    assert response.status_code == 302
    saved = store.get_item(db, "participant", cafe, person["id"])
    assert saved["stays"] is True and saved["table_id"] == table["id"]


def test_the_demo_groups_show_the_planner_at_its_best(db):
    """Every group holds its fair share of each country and sector; colleagues sit together
    no more than the group sizes force (the demo used to put 8 of 13 criminal-justice people in
    Group 1)."""
    workshop = create_demo(db)
    summary = plan.group_summary(db, workshop, ["country", "sector"], ["organisation"])
    figure = summary["balance"]
    assert all(a["within"] == a["cells"] for a in figure["attributes"].values())
    assert figure["apart_conflicts"] == 0
    assert summary["unplaced"] == [] and {len(g["people"]) for g in summary["groups"]} == {13}
