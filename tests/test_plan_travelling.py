"""The travelling format end to end: hosts stay, travellers meet new tables, the page says so."""

import json
import re

import pytest

from kt_workshop import cli, store
from kt_workshop.plan import grid as plan_view
from kt_workshop.plan import store as plan


@pytest.fixture
def hosted(db):
    """The issue's café: 8 tables, each with a host and the host's own question; 40 delegates;
    one block of 4 rounds."""
    workshop = store.create_workshop(db, {"title": "Hosted café", "format": "travelling"})
    block = store.add_block(db, workshop, {"title": "Morning"}, rounds=4, minutes=20)
    for n in range(1, 9):
        table = store.add_item(db, "tables", workshop, {"name": f"Table {n}", "capacity": 6})
        question = store.add_item(
            db, "question", workshop, {"text": f"Question {n}", "block_id": block}
        )
        store.add_item(
            db,
            "moderator",
            workshop,
            {"name": f"Host {n}", "question_id": question, "table_id": table},
        )
    store.add_delegates(
        db,
        workshop,
        [
            {
                "name": f"Delegate {i:02}",
                "country": ["Poland", "Germany", "Italy", "Norway", "Belgium"][i % 5],
                "sector": ["Police", "Charity", "School"][i % 3],
                "organisation": f"Org {i % 9}",
            }
            for i in range(40)
        ],
    )
    return workshop


def itineraries(db, workshop) -> dict[str, list[str]]:
    """Each delegate's tables, round by round, as the grid shows them."""
    found: dict[str, list[str]] = {}
    for row in plan_view.grid(db, workshop):
        for cell in row["cells"]:
            for person in cell["people"]:
                found.setdefault(person["name"], []).append(cell["table"]["name"])
    return found


@pytest.mark.parametrize("seed", [0, 1, 7])
def test_nobody_is_sent_back_to_a_table_or_a_question(db, hosted, seed):
    """The issue's finding: with seeds 0, 1 and 7, nobody sits at a table (so a question) twice."""
    planned = plan.make_plan(db, hosted, seed=seed)
    assert planned.problems == [] and planned.gave_up == []
    days = itineraries(db, hosted)
    assert len(days) == 40 and all(len(set(tables)) == 4 for tables in days.values())
    scores = plan_view.scores(db, hosted)
    assert scores["coincidences"] == 0
    assert scores["returns"] == scores["question_repeats"] == scores["returners"] == 0
    # Hosts never move: each leads their own table, with their question, every round.
    for row in plan_view.grid(db, hosted):
        for position, cell in enumerate(row["cells"], start=1):
            assert cell["moderator"]["name"] == f"Host {position}"
            assert cell["question"]["text"] == f"Question {position}"


def test_pair_meetings_first_counts_the_people_who_return(db, hosted):
    """With 5 tables and 8 rounds, returns are unavoidable and the scores count them."""
    workshop = store.create_workshop(db, {"title": "Long day", "format": "travelling"})
    store.add_block(db, workshop, {"title": "All day"}, rounds=7, minutes=20)
    for n in range(1, 6):
        store.add_item(db, "tables", workshop, {"name": f"T{n}", "capacity": 3})
    store.add_delegates(db, workshop, [{"name": f"P{i:02}"} for i in range(15)])
    plan.make_plan(db, workshop, order=plan.plan_order("pairs"))
    scores = plan_view.scores(db, workshop)
    assert scores["coincidences"] == 0
    days = itineraries(db, workshop)
    counted = sum(len(t) - len(set(t)) for t in days.values())
    assert scores["returns"] == counted >= scores["fewest_returns"] == 30
    assert scores["returners"] == sum(1 for t in days.values() if len(set(t)) < len(t))


def test_the_plan_page_reads_at_a_glance(organiser, db, hosted):
    """Empty plan says so; after planning the scores say who returns; hosts head the columns."""
    page = organiser.get(f"/w/{hosted}/plan").get_data(as_text=True)
    assert "The plan is empty: nobody is seated yet." in page
    assert "self-led" not in page
    heads = re.findall(r"<th>Table \d.*?</th>", page)
    assert len(heads) == 8 and "Host 3" in heads[2] and "Question 3" in heads[2]
    response = organiser.post(
        f"/w/{hosted}/plan/rotation", data={"seed": "0", "first": "returns", "time_limit": "1"}
    )
    assert response.status_code == 302 and "first=returns" in response.location
    page = organiser.get(response.location).get_data(as_text=True)
    assert '<option value="returns" selected>' in page
    assert "The plan is empty" not in page
    returns = re.search(r'<dd class="returns">(.*?)</dd>', page).group(1)
    assert returns == "nobody"
    assert re.search(r'<dd class="question-repeats">(.*?)</dd>', page).group(1) == "nobody"
    # Names first; the countries and sectors are there for whoever ticks the box.
    cell = page[page.index('<ul class="names">') :]
    assert cell.index("Delegate") < cell.index('class="make-up"')
    assert 'id="show-mix"' in page


def test_the_plan_page_matches_columns_as_a_person_reads_them(organiser, db, hosted):
    """`?balance=Country` is the country column; an unknown column says which ones exist."""
    page = organiser.get(f"/w/{hosted}/plan?balance=%20Country%20&balance=SECTOR")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "There is no column" not in text
    assert 'value="country" checked' in text and 'value="sector" checked' in text
    text = organiser.get(f"/w/{hosted}/plan?balance=Colour").get_data(as_text=True)
    assert "There is no column “Colour”. The columns are: Country, Sector, Organisation" in text
    response = organiser.post(
        f"/w/{hosted}/plan/groups", data={"balance": ["Countries"], "apart": "organisation"}
    )
    assert response.status_code == 302
    assert all(p["table_id"] is None for p in plan.planned_people(db, hosted))
    organiser.post(f"/w/{hosted}/plan/groups", data={"balance": [" Country"], "apart": "Sector"})
    summary = plan.group_summary(db, hosted, ["country"], ["sector"])
    assert summary["balance"]["attributes"]["country"]["within"] > 0
    assert all(len(g["people"]) == 5 for g in summary["groups"])


def run_cli(capsys, *args):
    """Run the kt-workshop command and return its status, stdout and stderr."""
    with pytest.raises(SystemExit) as done:
        cli.main(list(args))
    out = capsys.readouterr()
    return done.value.code, out.out, out.err


@pytest.mark.parametrize(
    "args", [("8", "5", "4", "40"), ("7", "3", "7", "21"), ("15", "10", "6", "150")]
)
def test_plan_command_sends_everyone_to_new_tables(capsys, args):
    tables, size, rounds, people = args
    status, out, _err = run_cli(
        capsys, "plan", "--tables", tables, "--size", size, "--rounds", rounds,
        "--people", people, "--json",
    )  # fmt: skip
    assert status == 0
    result = json.loads(out)
    assert result["coincidences"] == result["returns"] == result["people_returning"] == 0
    assert result["question_repeats"] == 0 and result["gave_up"] == []
    seats = {}
    for round_tables in result["rounds"]:
        for t, table in enumerate(round_tables):
            for p in table:
                seats.setdefault(p, []).append(t)
    assert all(len(set(ts)) == int(rounds) for ts in seats.values())


def test_plan_command_pairs_first_says_who_returns(capsys):
    status, out, _err = run_cli(
        capsys, "plan", "--tables", "5", "--size", "13", "--rounds", "3", "--first", "pairs",
        "--json",
    )  # fmt: skip
    result = json.loads(out)
    assert status == 0 and result["coincidences"] == result["lower_bound"] == 165
    assert result["people_returning"] > 0
    assert result["gave_up"][0].startswith(f"{result['people_returning']} people return")


@pytest.fixture
def people_file(tmp_path):
    """A delegate list whose headers are capitalised, as spreadsheets usually are."""
    lines = ["Name,Country,Sector,Organisation"] + [
        f"P{i},{['PL', 'DE', 'UK', 'IT', 'NO'][i % 5]},"
        f"{['Charity', 'Police', 'School'][(i // 5) % 3]},Org{i % 10}"
        for i in range(60)
    ]
    file = tmp_path / "people.csv"
    file.write_text("\n".join(lines), encoding="utf-8")
    return str(file)


def test_groups_command_reads_headers_as_the_file_spells_them(capsys, people_file):
    """The issue's finding: `--balance Country,Sector --apart Organisation` was silently ignored."""
    runs = [
        run_cli(
            capsys,
            "groups",
            "--people-file",
            people_file,
            "--groups",
            "10",
            "--balance",
            balance,
            "--apart",
            apart,
            "--json",
        )  # fmt: skip
        for balance, apart in [
            ("Country,Sector", "Organisation"),
            ("country, sector", " ORGANISATION"),
        ]
    ]
    assert [status for status, _out, _err in runs] == [0, 0]
    first, second = (json.loads(out) for _status, out, _err in runs)
    assert first == second
    attributes = first["balance"]["attributes"]
    assert set(attributes) == {"country", "sector"}
    assert all(a["cells"] > 0 and a["within"] == a["cells"] for a in attributes.values())
    assert first["balance"]["apart"]["organisation"]["pairs"] == 0


def test_groups_command_names_the_columns_the_file_has(capsys, people_file):
    status, _out, err = run_cli(
        capsys, "groups", "--people-file", people_file, "--groups", "10",
        "--balance", "Country,Colour", "--json",
    )  # fmt: skip
    assert status != 0
    assert "There is no column “Colour”. The columns are: Country, Sector, Organisation." in err
