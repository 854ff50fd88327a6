"""`kt-workshop join-link` and `kt-workshop import-notes`, run in-process."""

import json
import re
from pathlib import Path

import pytest

from kt_workshop import access, store
from kt_workshop.app import create_app
from kt_workshop.cli import main
from kt_workshop.db import init_db, open_db
from kt_workshop.live import day, notes

NOTES_CSV = (
    "Block,Round,Table,Question,Kind,Text\n"
    "Morning,1,Table 1,What works?,insight,Helplines share their scripts\n"
    "Morning,1,Table 1,,good practice,A named contact in every school\n"
    "Morning,2,2,,challenge,Data cannot be shared across borders\n"
)
MIXED_CSV = (
    "block,round,table,kind,text\n"
    "Morning,1,Table 1,quote,“Listen first”\n"
    "Morning,1,Table 7,insight,No such table\n"
    "Morning,1,Table 1,gossip,No such kind\n"
)


@pytest.fixture
def db_path(tmp_path, monkeypatch) -> Path:
    """The database file the commands use; the current folder is tmp_path, as for `serve`."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("KT_WORKSHOP_DB", raising=False)
    monkeypatch.delenv("KT_WORKSHOP_INSTANCE", raising=False)
    return tmp_path / "data" / "kt.db"


@pytest.fixture
def workshop(db_path) -> int:
    """A travelling workshop: one block of two rounds and two questions, two tables."""
    db = init_db(db_path)
    try:
        workshop_id = store.create_workshop(db, {"title": "CLI café", "format": "travelling"})
        block = store.add_block(db, workshop_id, {"title": "Morning"}, rounds=2)
        for text in ("What works?", "What gets in the way?"):
            store.add_item(db, "question", workshop_id, {"text": text, "block_id": block})
        for name in ("Table 1", "Table 2"):
            store.add_item(db, "tables", workshop_id, {"name": name})
        return workshop_id
    finally:
        db.close()


def run(capsys, *argv) -> tuple[int, str, str]:
    """Run the command; return its exit status, stdout and stderr."""
    with pytest.raises(SystemExit) as exit_info:
        main([str(arg) for arg in argv])
    out, err = capsys.readouterr()
    code = exit_info.value.code
    return (0 if code is None else code), out, err


def rows(db_path, sql: str, args=()) -> list[dict]:
    """Rows of a query on the database file."""
    db = open_db(db_path)
    try:
        return [dict(row) for row in db.query(sql, args)]
    finally:
        db.close()


# join-link -------------------------------------------------------------------------------------


def test_join_link_signs_a_tablet_in_at_its_table_on_the_served_app(capsys, db_path, workshop):
    code, out, err = run(capsys, "join-link", workshop, "--table", "2", "--db", db_path)

    assert code == 0, err
    match = re.fullmatch(r"http://127\.0\.0\.1:8470(/join/\d+\.[0-9a-f]+)\n", out)
    assert match, out
    table = rows(db_path, "SELECT * FROM tables ORDER BY position")[1]
    grants = rows(db_path, "SELECT * FROM access WHERE role = 'moderator'")
    assert [(g["table_id"], g["label"]) for g in grants] == [(table["id"], "Table 2")]

    # The app as `kt-workshop serve --db` starts it from this folder signs the link's holder in.
    app = create_app({"TESTING": True, "DATABASE": str(db_path), "RATELIMIT_ENABLED": False})
    client = app.test_client()
    response = client.get(match.group(1))
    assert response.status_code == 302 and response.location.endswith(f"/w/{workshop}/me")
    assert client.get(f"/w/{workshop}/tablet").status_code == 200


def test_join_link_reuses_the_tables_link_until_it_is_revoked(capsys, db_path, workshop):
    first = run(capsys, "join-link", workshop, "--table", "Table 1", "--db", db_path)[1]
    again = run(capsys, "join-link", workshop, "--table", "table 1", "--db", db_path)[1]
    assert first == again
    assert len(rows(db_path, "SELECT id FROM access")) == 1

    db = open_db(db_path)
    access.revoke_grant(db, workshop, rows(db_path, "SELECT id FROM access")[0]["id"])
    db.close()
    fresh = run(capsys, "join-link", workshop, "--table", "1", "--db", db_path)[1]
    assert fresh != first
    assert len(rows(db_path, "SELECT id FROM access WHERE revoked_at IS NULL")) == 1


def test_join_link_uses_the_base_url(capsys, db_path, workshop):
    code, out, _err = run(
        capsys,
        "join-link",
        workshop,
        "--table",
        "1",
        "--base-url",
        "http://192.168.1.20:8080/",
        "--db",
        db_path,
    )
    assert code == 0 and out.startswith("http://192.168.1.20:8080/join/")


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["999", "--table", "1"], "999"),
        (["{w}", "--table", "3"], "Table 1"),
        (["{w}", "--table", "0"], "no table '0'"),
        (["{w}", "--table", "Garden"], "no table 'Garden'"),
        (["{w}", "--table", "1", "--base-url", "192.168.1.20"], "http://"),
    ],
    ids=["workshop", "number", "zero", "name", "base-url"],
)
def test_join_link_refuses_a_bad_workshop_or_table_in_one_line(
    capsys, db_path, workshop, argv, expected
):
    argv = [a.format(w=workshop) for a in argv]
    code, out, err = run(capsys, "join-link", *argv, "--db", db_path)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and expected in err
    assert rows(db_path, "SELECT id FROM access") == []


# import-notes ----------------------------------------------------------------------------------


def test_import_notes_adds_each_note_with_its_change_log_entry(capsys, db_path, workshop, tmp_path):
    file = tmp_path / "notes.csv"
    file.write_text(NOTES_CSV, encoding="utf-8")

    code, out, err = run(capsys, "import-notes", workshop, file, "--db", db_path)

    assert code == 0, err
    assert "Morning, round 1, Table 1: 2 notes" in out
    assert "Morning, round 2, Table 2: 1 note\n" in out
    assert "Imported 3 notes, rejected 0 rows." in out
    saved = rows(db_path, "SELECT * FROM note ORDER BY id")
    assert [n["text"] for n in saved] == [
        "Helplines share their scripts",
        "A named contact in every school",
        "Data cannot be shared across borders",
    ]
    assert {n["source"] for n in saved} == {"import"}
    assert {n["access_id"] for n in saved} == {None}
    assert len({n["uid"] for n in saved}) == 3
    assert [n["kind"] for n in saved] == ["insight", "good_practice", "challenge"]
    questions = rows(db_path, "SELECT id FROM question ORDER BY position")
    # Round 2 asks the block's second question in the plan.
    assert saved[2]["question_id"] == questions[1]["id"]
    changes = rows(db_path, "SELECT * FROM change WHERE kind = 'note' ORDER BY seq")
    assert [json.loads(c["payload"])["uid"] for c in changes] == [n["uid"] for n in saved]
    assert len(rows(db_path, "SELECT id FROM note_version")) == 3
    db = open_db(db_path)
    try:
        assert day.changes_since(db, workshop, 0, staff=True)[-1]["payload"]["source"] == "import"
    finally:
        db.close()

    # The same file again adds nothing.
    code, _out, err = run(capsys, "import-notes", workshop, file, "--db", db_path)
    assert code == 1 and "already in the workshop" in err and "Nothing was imported" in err
    assert len(rows(db_path, "SELECT id FROM note")) == 3


def test_import_notes_reports_every_rejected_row_and_imports_the_rest(
    capsys, db_path, workshop, tmp_path
):
    file = tmp_path / "mixed.csv"
    file.write_text(MIXED_CSV, encoding="utf-8")

    code, out, err = run(capsys, "import-notes", workshop, file, "--db", db_path)

    assert code == 0
    assert "Imported 1 note, rejected 2 rows." in out
    rejected = [line for line in err.splitlines() if line.startswith("Rejected row")]
    assert rejected[0].startswith("Rejected row 3:") and "Table 7" in rejected[0]
    assert rejected[1].startswith("Rejected row 4:") and "gossip" in rejected[1]
    assert [n["text"] for n in rows(db_path, "SELECT text FROM note")] == ["“Listen first”"]


def test_import_notes_with_nothing_importable_exits_1(capsys, db_path, workshop, tmp_path):
    picture = tmp_path / "notes.xlsx"
    picture.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    code, _out, err = run(capsys, "import-notes", workshop, picture, "--db", db_path)
    assert code == 1 and "PNG" in err and "Nothing was imported" in err
    assert rows(db_path, "SELECT id FROM note") == []


def test_import_notes_writes_all_or_nothing(capsys, db_path, workshop, tmp_path, monkeypatch):
    file = tmp_path / "notes.csv"
    file.write_text(NOTES_CSV, encoding="utf-8")
    calls = []

    def failing(*args, **kwargs):
        calls.append(args)
        if len(calls) == 3:
            raise RuntimeError("disk full")
        return real(*args, **kwargs)

    real = notes.record_change
    monkeypatch.setattr(notes, "record_change", failing)
    with pytest.raises(RuntimeError):
        main(["import-notes", str(workshop), str(file), "--db", str(db_path)])

    assert rows(db_path, "SELECT id FROM note") == []
    assert rows(db_path, "SELECT id FROM change") == []


def test_import_notes_into_an_unknown_workshop_or_from_a_missing_file_exits_2(
    capsys, db_path, workshop, tmp_path
):
    file = tmp_path / "notes.csv"
    file.write_text(NOTES_CSV, encoding="utf-8")
    code, out, err = run(capsys, "import-notes", 404, file, "--db", db_path)
    assert code == 2 and out == "" and "404" in err and len(err.strip().splitlines()) == 1

    code, out, err = run(capsys, "import-notes", workshop, tmp_path / "nope.csv", "--db", db_path)
    assert code == 2 and out == "" and "nope.csv" in err
    assert rows(db_path, "SELECT id FROM note") == []
