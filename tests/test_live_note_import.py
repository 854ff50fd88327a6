"""Reading a notes file typed up after the day: every row checked on its own, with reasons."""

import io

import openpyxl
import pytest

from kt_workshop import store
from kt_workshop.db import init_db
from kt_workshop.live import note_import, notes
from kt_workshop.live.note_import import find_table, read_notes

HEADER = "block,round,table,question,kind,text\n"


@pytest.fixture
def db():
    """An empty database in memory."""
    connection = init_db(":memory:")
    yield connection
    connection.close()


def make_workshop(db, format="travelling") -> int:
    """Two blocks (Morning: 2 rounds, 2 questions; Afternoon: 2 rounds, 1), three tables."""
    workshop_id = store.create_workshop(db, {"title": "Notes café", "format": format})
    morning = store.add_block(db, workshop_id, {"title": "Morning"}, rounds=2)
    afternoon = store.add_block(db, workshop_id, {"title": "Afternoon"}, rounds=2)
    for block, text in ((morning, "What works?"), (morning, "What gets in the way?")):
        store.add_item(db, "question", workshop_id, {"text": text, "block_id": block})
    store.add_item(db, "question", workshop_id, {"text": "What next?", "block_id": afternoon})
    for name in ("Table 1", "Table 2", "3"):
        store.add_item(db, "tables", workshop_id, {"name": name})
    return workshop_id


@pytest.fixture
def workshop(db) -> int:
    """A travelling-format workshop: the plan says which question each round asks."""
    return make_workshop(db)


def ids(db, workshop_id) -> dict:
    """Rounds, tables and questions of the workshop by a short name."""
    rounds = store.list_items(db, "round", workshop_id)
    tables = store.list_items(db, "tables", workshop_id)
    questions = store.list_items(db, "question", workshop_id)
    return {
        "rounds": [r["id"] for r in rounds],
        "tables": [t["id"] for t in tables],
        "questions": [q["id"] for q in questions],
    }


def read(db, workshop_id, content, name="notes.csv"):
    """Read a file's content (text is UTF-8 encoded) against the workshop."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    return read_notes(name, data, note_import.context_of(db, workshop_id))


def xlsx(rows, formulas=(), merge=None) -> bytes:
    """A workbook with the rows, formula cells (e.g. 'F3') and an optional merged range."""
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    for cell in formulas:
        sheet[cell] = '=CONCAT("a","b")'
    if merge:
        sheet.merge_cells(merge)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def all_reasons(preview) -> dict[int, str]:
    """Each rejected row's reasons joined, by row number."""
    return {r.row: " ".join(r.reasons) for r in preview.rejected}


# Good files ------------------------------------------------------------------------------------


def test_a_good_csv_is_read_into_notes_of_their_cells(db, workshop):
    known = ids(db, workshop)
    preview = read(
        db,
        workshop,
        HEADER
        + "Morning,1,Table 1,What works?,insight,Helplines share scripts\n"
        + '1,2,2,,Good practice,"Two lines:\nkept"\n'
        + "afternoon,Round 1,table 2,1,Idea or recommendation,Ask the children\n"
        + "Afternoon,2,3,What next?,quotes,“We learnt a lot”\n",
    )

    assert preview.ok and not preview.rejected and not preview.file_errors
    got = [
        (row.row, row.note["round_id"], row.note["table_id"], row.note["question_id"])
        for row in preview.rows
    ]
    rounds, tables, questions = known["rounds"], known["tables"], known["questions"]
    assert got == [
        (2, rounds[0], tables[0], questions[0]),
        # No question given: the plan's (round 2 of the morning asks the second question).
        (3, rounds[1], tables[1], questions[1]),
        (4, rounds[2], tables[1], questions[2]),
        # The table named "3" is the third table, found by its name.
        (5, rounds[3], tables[2], questions[2]),
    ]
    assert [row.note["kind"] for row in preview.rows] == [
        "insight",
        "good_practice",
        "idea",
        "quote",
    ]
    assert preview.rows[1].note["text"] == "Two lines:\nkept"
    assert preview.rows[0].where == "Morning, round 1, Table 1"


def test_a_semicolon_csv_whose_texts_hold_many_commas_is_split_at_the_semicolons(db, workshop):
    text = "police, helplines, charities, schools, parents, researchers, NGOs, and more"
    preview = read(
        db, workshop, "block;round;table;kind;text\n" + f"Morning;1;Table 1;challenge;{text}\n"
    )
    assert preview.ok, preview.file_errors + [r.reasons for r in preview.rejected]
    assert preview.rows[0].note["text"] == text


def test_an_xlsx_with_a_merged_block_column_is_read(db, workshop):
    data = xlsx(
        [
            ["Block", "Round", "Table", "Question", "Kind", "Text"],
            ["Morning", 1, "Table 1", 1, "insight", "First"],
            [None, 2, 2, None, "challenge", "Second"],
        ],
        merge="A2:A3",
    )
    preview = read(db, workshop, data, "notes.xlsx")
    assert preview.ok and not preview.rejected
    assert [row.where for row in preview.rows] == [
        "Morning, round 1, Table 1",
        "Morning, round 2, Table 2",
    ]


# Bad rows --------------------------------------------------------------------------------------


def test_each_bad_row_is_rejected_with_its_reason_and_the_good_ones_stay(db, workshop):
    preview = read(
        db,
        workshop,
        HEADER
        + "Evening,1,Table 1,,insight,Unknown block\n"  # 2
        + "Morning,3,Table 1,,insight,Unknown round\n"  # 3
        + "Morning,1,Table 9,,insight,Unknown table\n"  # 4
        + "Morning,1,Table 1,What next?,insight,Question of another block\n"  # 5
        + "Morning,1,Table 1,,gossip,Unknown kind\n"  # 6
        + "Morning,1,Table 1,,insight,   \n"  # 7
        + f"Morning,1,Table 1,,insight,{'x' * (notes.MAX_TEXT + 1)}\n"  # 8
        + "Morning,1,Table 1,,insight,Bell\x07 character\n"  # 9
        + "Morning,1,Table 1,,insight,Said twice\n"  # 10: good
        + "Morning,1,Table 1,,idea,said  TWICE\n"  # 11: duplicate of 10
        + ",,,,,\n"  # blank: skipped
        + "Morning,,Table 1,,,No round and no kind\n",  # 13
    )

    reasons = all_reasons(preview)
    assert [row.row for row in preview.rows] == [10]
    assert sorted(reasons) == [2, 3, 4, 5, 6, 7, 8, 9, 11, 13]
    assert "no block 'Evening'" in reasons[2] and "Morning, Afternoon" in reasons[2]
    assert "rounds 1 to 2" in reasons[3]
    assert "no table 'Table 9'" in reasons[4]
    assert "'What next?' is not a question of block 'Morning'" in reasons[5]
    assert "kind 'gossip' is not understood" in reasons[6]
    assert "the text is missing" in reasons[7]
    assert f"up to {notes.MAX_TEXT}" in reasons[8]
    assert "control characters" in reasons[9]
    assert "duplicate of row 10" in reasons[11]
    assert "the round is missing" in reasons[13] and "the kind is missing" in reasons[13]
    assert all(reason.startswith(f"Row {row}:") for row, reason in reasons.items())
    assert preview.ok


def test_a_formula_cell_is_rejected_not_read_as_text(db, workshop):
    data = xlsx(
        [
            ["block", "round", "table", "kind", "text"],
            ["Morning", 1, "Table 1", "insight", "Fine"],
            ["Morning", 1, "Table 2", "insight", "replaced by a formula"],
        ],
        formulas=["E3"],
    )
    preview = read(db, workshop, data, "notes.xlsx")
    assert [row.row for row in preview.rows] == [2]
    assert "cell E3 is a formula" in all_reasons(preview)[3]


def test_notes_already_in_the_workshop_are_not_imported_again(db, workshop):
    known = ids(db, workshop)
    db["note"].insert(
        {
            "uid": notes.new_uid(),
            "workshop_id": workshop,
            "round_id": known["rounds"][0],
            "table_id": known["tables"][0],
            "kind": "insight",
            "text": "Typed on the day",
            "created_at": store.now(),
            "updated_at": store.now(),
        }
    )
    preview = read(db, workshop, HEADER + "Morning,1,Table 1,,insight,Typed on the day\n")
    assert not preview.ok and "already in the workshop" in all_reasons(preview)[2]


def test_without_a_question_from_the_plan_the_question_is_needed(db):
    workshop_id = make_workshop(db, format="fixed_groups")
    preview = read(
        db,
        workshop_id,
        HEADER + "Morning,1,Table 1,,insight,No question\nMorning,1,Table 1,2,insight,Q2\n",
    )
    assert "the plan does not say which question" in all_reasons(preview)[2]
    assert [row.row for row in preview.rows] == [3]


# Bad files -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "not a spreadsheet (it is a PNG file)"),
        (b"", "empty"),
        (b"\x00\x01\x02" * 100, "not a spreadsheet"),
        (b"PK\x03\x04 broken zip", "not a spreadsheet"),
        ("round,table,text\n1,Table 1,Hello\n", "no column for the block and the kind"),
        ("block,round,table,kind,text\n", "no notes below them"),
        ("block,round,table,kind,text,Text\n1,1,1,insight,a,b\n", "both hold the text"),
    ],
    ids=["png", "empty", "binary", "broken-zip", "missing-columns", "no-rows", "two-texts"],
)
def test_a_file_that_cannot_be_read_is_refused_as_a_whole(db, workshop, content, message):
    preview = read(db, workshop, content)
    assert not preview.ok and not preview.rows and not preview.rejected
    assert message in preview.file_errors[0]


def test_too_many_rows_refuse_the_file(db, workshop, monkeypatch):
    monkeypatch.setattr(note_import, "MAX_ROWS", 3)
    rows = "".join(f"Morning,1,Table 1,,insight,Note {n}\n" for n in range(4))
    preview = read(db, workshop, HEADER + rows)
    assert "more than 3 notes" in preview.file_errors[0]
    assert not preview.rows


def test_a_table_is_found_by_its_name_before_its_number():
    tables = [{"id": 10, "name": "2"}, {"id": 20, "name": "Garden room"}]
    assert find_table(tables, "2")["id"] == 10
    assert find_table(tables, "1")["id"] == 10
    assert find_table(tables, " garden  ROOM ")["id"] == 20
    assert find_table(tables, "3") is None
    assert find_table(tables, "0") is None
