"""The kt-workshop command, run in-process: exit statuses, what it prints, what it writes."""

import argparse
import json
import re
import sqlite3
import sys
import types
from pathlib import Path

import pytest

from kt_workshop import store
from kt_workshop.app import create_app
from kt_workshop.cli import build_parser, main
from kt_workshop.db import open_db
from kt_workshop.setup import topics

DOCS = Path(__file__).resolve().parent.parent / "docs" / "cli.md"

GOOD_CSV = (
    "Name,Organisation,Country,Sector,Attendance\n"
    "Zofia Wiśniewska,Fundacja Dajemy Dzieciom Siłę,Poland,Charity,attended\n"
    "Jürgen Müller,Universität Köln,Germany,University research,registered\n"
    "Ingrid Hansen,Redd Barna,Norway,Charity,\n"
)
MIXED_CSV = (
    "Name,Organisation,Country,Attendance\n"
    "Lotte Janssens,Child Focus,Belgium,attended\n"
    ",Nameless Org,Italy,attended\n"
    "Matteo Rossi,Telefono Azzurro,Italy,sometimes\n"
    "Sanne Bakker,Stop it Now NL,Netherlands,absent\n"
)
NOTHING_CSV = "Name,Organisation,Country\n,Org A,Poland\n,Org B,Germany\n"

BROKEN_PACK = """\
[pack]
title = "Broken pack"

[[blocks]]
title = "Morning"

[[blocks.questions]]
txt = "A typo in the key"
"""


@pytest.fixture
def db_path(tmp_path, monkeypatch) -> Path:
    """The database file the commands use, in a temporary folder that is also the cwd."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("KT_WORKSHOP_DB", raising=False)
    return tmp_path / "data" / "kt.db"


def run(capsys, *argv) -> tuple[int, str, str]:
    """Run the command; return its exit status, stdout and stderr."""
    with pytest.raises(SystemExit) as exit_info:
        main([str(arg) for arg in argv])
    out, err = capsys.readouterr()
    code = exit_info.value.code
    return (0 if code is None else code), out, err


def make_demo(capsys, db_path) -> int:
    """Create the demo workshop through the command and return its id."""
    code, out, _err = run(capsys, "demo", "--db", db_path)
    assert code == 0
    return int(out.strip())


def workshop_titles(path) -> list[str]:
    """The workshop titles in a database file, read with plain sqlite3."""
    connection = sqlite3.connect(path)
    try:
        return [row[0] for row in connection.execute("SELECT title FROM workshop ORDER BY id")]
    finally:
        connection.close()


def delegates_of(db_path, workshop_id: int) -> list[dict]:
    """The delegates of a workshop in the database file."""
    db = open_db(db_path)
    try:
        return store.list_items(db, "participant", workshop_id)
    finally:
        db.close()


def new_workshop(db_path, title="CLI café") -> int:
    """An empty workshop in the database file, created with the schema the commands make."""
    from kt_workshop.db import init_db

    db = init_db(db_path)
    try:
        return store.create_workshop(db, {"title": title})
    finally:
        db.close()


# demo, import-participants -------------------------------------------------------------------


def test_demo_prints_the_new_workshops_id(capsys, db_path, tmp_path):
    code, out, err = run(capsys, "demo", "--db", db_path)
    assert code == 0 and err == ""
    assert re.fullmatch(r"\d+\n", out)
    workshop_id = int(out)
    assert len(delegates_of(db_path, workshop_id)) == 65
    assert not (tmp_path / "instance").exists()
    # A second demo is another workshop.
    assert make_demo(capsys, db_path) != workshop_id


def test_import_participants_from_a_good_csv(capsys, db_path, tmp_path):
    workshop_id = new_workshop(db_path)
    file = tmp_path / "delegates.csv"
    file.write_text(GOOD_CSV, encoding="utf-8")

    code, out, err = run(capsys, "import-participants", workshop_id, file, "--db", db_path)

    assert code == 0, err
    assert "Imported 3 delegates" in out
    people = {p["name"]: p for p in delegates_of(db_path, workshop_id)}
    assert set(people) == {"Zofia Wiśniewska", "Jürgen Müller", "Ingrid Hansen"}
    assert people["Zofia Wiśniewska"]["attendance"] == "attended"
    assert people["Jürgen Müller"]["organisation"] == "Universität Köln"

    # The same file again: everyone is already there, so nothing is imported.
    code, _out, err = run(capsys, "import-participants", workshop_id, file, "--db", db_path)
    assert code == 1
    assert "already in this workshop" in err
    assert len(delegates_of(db_path, workshop_id)) == 3


def test_import_participants_reports_each_bad_row_and_imports_the_good_ones(
    capsys, db_path, tmp_path
):
    workshop_id = new_workshop(db_path)
    file = tmp_path / "mixed.csv"
    file.write_text(MIXED_CSV, encoding="utf-8")

    code, out, err = run(capsys, "import-participants", workshop_id, file, "--db", db_path)

    assert code == 0
    assert "Imported 2 delegates, rejected 2 rows" in out
    rejected = [line for line in err.splitlines() if line.startswith("Rejected row")]
    assert len(rejected) == 2
    assert rejected[0].startswith("Rejected row 3:") and "name is missing" in rejected[0]
    assert rejected[1].startswith("Rejected row 4:") and "sometimes" in rejected[1]
    names = sorted(p["name"] for p in delegates_of(db_path, workshop_id))
    assert names == ["Lotte Janssens", "Sanne Bakker"]


def test_import_participants_with_nothing_importable_exits_1(capsys, db_path, tmp_path):
    workshop_id = new_workshop(db_path)
    file = tmp_path / "nothing.csv"
    file.write_text(NOTHING_CSV, encoding="utf-8")
    code, _out, err = run(capsys, "import-participants", workshop_id, file, "--db", db_path)
    assert code == 1
    assert "Nothing was imported" in err
    assert delegates_of(db_path, workshop_id) == []

    picture = tmp_path / "photo.csv"
    picture.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    code, _out, err = run(capsys, "import-participants", workshop_id, picture, "--db", db_path)
    assert code == 1
    assert "PNG" in err
    assert delegates_of(db_path, workshop_id) == []


def test_import_participants_into_an_unknown_workshop_or_from_a_missing_file_exits_2(
    capsys, db_path, tmp_path
):
    workshop_id = new_workshop(db_path)
    file = tmp_path / "delegates.csv"
    file.write_text(GOOD_CSV, encoding="utf-8")

    code, out, err = run(capsys, "import-participants", 9999, file, "--db", db_path)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and "9999" in err

    code, out, err = run(
        capsys, "import-participants", workshop_id, tmp_path / "nope.csv", "--db", db_path
    )
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and "nope.csv" in err
    assert delegates_of(db_path, workshop_id) == []


# backup ---------------------------------------------------------------------------------------


def test_backup_prints_the_path_of_a_copy_holding_the_workshops(capsys, db_path, tmp_path):
    make_demo(capsys, db_path)
    new_workshop(db_path, "Zweites Café")

    code, out, err = run(capsys, "backup", "--db", db_path, "--out", tmp_path / "copies")

    assert code == 0, err
    copy = Path(out.strip())
    assert copy.is_file() and copy.parent == tmp_path / "copies"
    assert copy != db_path
    assert len(workshop_titles(copy)) == 2 and "Zweites Café" in workshop_titles(copy)


def test_backup_without_a_database_exits_2(capsys, db_path):
    code, out, err = run(capsys, "backup", "--db", db_path)
    assert code == 2 and out == ""
    assert "no database" in err
    assert not db_path.exists()


# topics check -----------------------------------------------------------------------------------


def test_topics_check_accepts_the_shipped_packs(capsys):
    packs = sorted(topics.topics_dir().glob("*.toml"))
    assert packs
    for pack in packs:
        code, out, err = run(capsys, "topics", "check", pack)
        assert code == 0, err
        assert "valid" in out and err == ""


def test_topics_check_lists_line_and_field_of_each_problem(capsys, tmp_path):
    file = tmp_path / "broken.toml"
    file.write_text(BROKEN_PACK, encoding="utf-8")
    code, out, err = run(capsys, "topics", "check", file)
    assert code == 1 and out == ""
    lines = err.strip().splitlines()
    assert any("line 8" in line and "blocks[1].questions[1].txt" in line for line in lines)
    assert any("blocks[1].questions[1].text" in line and "missing" in line for line in lines)
    assert all(line.startswith(str(file)) for line in lines)


# archive export / import --------------------------------------------------------------------


def test_archive_export_then_import_gives_a_second_workshop(capsys, db_path, tmp_path):
    workshop_id = make_demo(capsys, db_path)
    target = tmp_path / "out" / "demo.json"

    code, out, err = run(capsys, "archive", "export", workshop_id, "--out", target, "--db", db_path)
    assert code == 0, err
    assert Path(out.strip()) == target and json.loads(target.read_bytes())["tables"]

    code, out, err = run(capsys, "archive", "import", target, "--db", db_path)
    assert code == 0, err
    new_id = int(out.strip())
    assert new_id != workshop_id
    titles = workshop_titles(db_path)
    assert len(titles) == 2 and titles[0] == titles[1]
    assert len(delegates_of(db_path, new_id)) == 65


def test_archive_import_of_a_broken_file_exits_1_with_one_message(capsys, db_path, tmp_path):
    new_workshop(db_path)
    broken = tmp_path / "broken.json"
    broken.write_text('{"format": "kt-workshop-archive", "version": 1, "tables": ', "utf-8")

    code, out, err = run(capsys, "archive", "import", broken, "--db", db_path)

    assert code == 1 and out == ""
    assert len(err.strip().splitlines()) == 1 and "JSON" in err
    assert len(workshop_titles(db_path)) == 1


def test_archive_export_of_an_unknown_workshop_exits_2(capsys, db_path, tmp_path):
    new_workshop(db_path)
    code, _out, err = run(
        capsys, "archive", "export", 777, "--out", tmp_path / "x.json", "--db", db_path
    )
    assert code == 2 and "777" in err
    assert not (tmp_path / "x.json").exists()


# organiser-link -----------------------------------------------------------------------------


def test_organiser_link_signs_in_once(capsys, db_path, tmp_path):
    new_workshop(db_path)
    code, out, err = run(capsys, "organiser-link", "--db", db_path, "--port", 5123)
    assert code == 0, err
    match = re.fullmatch(r"http://127\.0\.0\.1:5123(/signin\?token=[\w-]+)\n", out)
    assert match, out
    app = create_app(
        {
            "TESTING": True,
            "DATABASE": str(db_path),
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "SECRET_KEY": "cli-test",
            "RATELIMIT_ENABLED": False,
        }
    )

    first = app.test_client()
    response = first.get(match.group(1))
    assert response.status_code == 302 and response.location.endswith("/")
    assert first.get("/").status_code == 200  # the dashboard, signed in

    second = app.test_client()
    response = second.get(match.group(1))
    assert response.status_code == 302 and "/welcome" in response.location
    assert second.get("/").status_code != 200


# plan and groups: argument errors only (the planners belong elsewhere) -----------------------


@pytest.fixture
def no_planner(monkeypatch):
    """Replace the rotation planner by one that fails the test if it is ever called."""

    def plan_rotation(**_kwargs):
        raise AssertionError("bad arguments must be refused before planning")

    module = types.ModuleType("kt_workshop.plan.algorithms.rotation")
    module.plan_rotation = plan_rotation
    monkeypatch.setitem(sys.modules, "kt_workshop.plan.algorithms.rotation", module)


@pytest.mark.parametrize(
    "argv",
    [
        ["plan", "--tables", "0", "--size", "4", "--rounds", "3"],
        ["plan", "--tables", "5", "--size", "4", "--rounds", "0"],
        ["plan", "--tables", "5", "--size", "1", "--rounds", "3"],
        ["plan", "--tables", "10", "--people", "5", "--rounds", "2"],
        ["plan", "--tables", "five", "--size", "4", "--rounds", "3"],
        ["groups", "--people-file", "missing.csv", "--groups", "3"],
        ["groups", "--people-file", "missing.csv", "--groups", "0"],
    ],
    ids=lambda argv: " ".join(argv),
)
def test_plan_and_groups_refuse_bad_arguments_in_one_line(capsys, db_path, no_planner, argv):
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert out == ""
    # One line says what is wrong; a usage mistake also shows the usage and where help is.
    said = [line for line in err.splitlines() if line.startswith("kt-workshop")]
    assert len(said) == 1 and "Traceback" not in err, err


# docs -------------------------------------------------------------------------------------------


def command_paths(parser: argparse.ArgumentParser, prefix: str = "") -> list[str]:
    """Every runnable sub-command, as typed after `kt-workshop` (e.g. 'archive export')."""
    paths = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                path = f"{prefix}{name}"
                nested = command_paths(sub, path + " ")
                paths.extend(nested or [path])
    return paths


def test_the_parser_has_the_commands_this_file_tests():
    paths = command_paths(build_parser())
    for expected in (
        "serve",
        "demo",
        "organiser-link",
        "import-participants",
        "backup",
        "topics check",
        "archive export",
        "archive import",
        "plan",
        "groups",
    ):
        assert expected in paths


def test_every_command_is_documented_in_docs_cli_md():
    assert DOCS.is_file(), (
        "docs/cli.md is missing: it must show every command as `kt-workshop <command>`"
    )
    text = DOCS.read_text("utf-8")
    missing = [p for p in command_paths(build_parser()) if f"kt-workshop {p}" not in text]
    assert not missing, f"docs/cli.md does not document: {', '.join(missing)}"
