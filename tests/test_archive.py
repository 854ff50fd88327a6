"""Workshop archives: a lossless round trip, every table accounted for, bad files refused whole."""

import copy
import json

import pytest

from kt_workshop import access, archive, store
from kt_workshop.archive import ArchiveError, export_workshop, import_workshop, load_archive
from kt_workshop.db import init_db
from kt_workshop.demo import create_demo


@pytest.fixture
def db():
    """A fresh in-memory database with the full schema."""
    connection = init_db(":memory:")
    yield connection
    connection.close()


def foreign_keys(db) -> dict[str, dict[str, str]]:
    """Each table's columns that point at another table, read from the schema itself."""
    return {
        table: {fk.column: fk.other_table for fk in db[table].foreign_keys}
        for table in db.table_names()
    }


def canonical(db, data: dict) -> dict:
    """An archive with every id and reference replaced by the row's index in its table, and
    what an import into the same database must change (join links, client-made uids) blanked."""
    keys = foreign_keys(db)
    tables = data["tables"]
    index = {
        name: {row["id"]: position for position, row in enumerate(rows)}
        for name, rows in tables.items()
    }
    out = {}
    for name, rows in tables.items():
        out[name] = []
        for row in rows:
            row = dict(row)
            row["id"] = index[name][row["id"]]
            row.update({c: None for c in (*archive.UNLINKED, "uid") if c in row})
            for column, parent in keys.get(name, {}).items():
                if row.get(column) is not None and parent in index:
                    row[column] = index[parent].get(row[column], ("dangling", row[column]))
            out[name].append(row)
    return {k: v for k, v in data.items() if k not in ("tables", "app_version")} | {"tables": out}


def round_trip(db, workshop_id: int) -> tuple[dict, int, dict]:
    """Export, write as bytes, read back, import; return the first archive, new id, second."""
    first = export_workshop(db, workshop_id)
    new_id = import_workshop(db, load_archive(archive.archive_bytes(first)))
    return first, new_id, export_workshop(db, new_id)


def unicode_workshop(db) -> int:
    """A workshop with text in several scripts in every text field there is."""
    text = 'Zażółć gęślą jaźń · Größe · Ελληνικά · 💡👩🏽‍⚕️ · "quotes" \\ back\nslash'
    workshop_id = store.create_workshop(
        db,
        {
            "title": "Łódź & Köln ✨",
            "venue": "Αθήνα",
            "description": text,
            "language": "pl",
            "format": "mixed",
            "chatham_house": False,
            "participant_pages": True,
            "date": "2026-03-12",
        },
    )
    block = store.add_block(db, workshop_id, {"title": "Poranek ☀️", "starts_at": "09:30"}, 3, 25)
    store.set_rounds(db, workshop_id, block, [25, 30, 35])
    question = store.add_item(
        db, "question", workshop_id, {"text": "Co działa? 🤔", "prompt": text, "block_id": block}
    )
    store.add_item(db, "question", workshop_id, {"text": "Ohne Block: Wer fehlt?"})
    table = store.add_item(db, "tables", workshop_id, {"name": "Stół Ω", "capacity": 7})
    store.add_item(
        db,
        "moderator",
        workshop_id,
        {"name": "Dr Eva Horáková", "question_id": question, "table_id": table, "notes": text},
    )
    store.add_item(db, "moderator", workshop_id, {"name": "Без вопроса"})
    store.add_item(
        db,
        "participant",
        workshop_id,
        {
            "name": "Małgorzata Wójcik",
            "organisation": "Fundacja Dajemy Dzieciom Siłę",
            "country": "Poland",
            "sector": "Charity",
            "role": "Terapeutka",
            "language": "pl",
            "attendance": "attended",
            "consent": True,
            "table_id": table,
            "extra": {"Dieta / Ernährung": "wegańska 🌱", "Pokój": ""},
        },
    )
    store.add_item(db, "participant", workshop_id, {"name": "Σωκράτης", "consent": False})
    store.audit(db, workshop_id, "organiser", "edited", {"note": text})
    return workshop_id


@pytest.mark.parametrize("make", [create_demo, unicode_workshop], ids=["demo", "unicode"])
def test_export_import_export_gives_back_the_same_workshop(db, make):
    workshop_id = make(db)
    first, new_id, second = round_trip(db, workshop_id)
    assert new_id != workshop_id
    assert canonical(db, second) == canonical(db, first)
    # Not a trivial comparison: the archive holds the workshop's rows.
    tables = first["tables"]
    assert len(tables["workshop"]) == 1
    assert tables["question"] and tables["round"] and tables["participant"]
    assert tables["moderator"] and tables["tables"] and tables["block"]


def test_the_round_trip_keeps_references_inside_the_new_workshop(db):
    workshop_id = create_demo(db)
    _first, new_id, _second = round_trip(db, workshop_id)
    old = {kind: store.list_items(db, kind, workshop_id) for kind in ("question", "tables")}
    new_questions = {q["id"] for q in store.list_items(db, "question", new_id)}
    new_tables = {t["id"] for t in store.list_items(db, "tables", new_id)}
    moderators = store.list_items(db, "moderator", new_id)
    assert {m["question_id"] for m in moderators} == new_questions
    people = store.list_items(db, "participant", new_id)
    assert len(people) == 65 and {p["table_id"] for p in people} == new_tables
    assert not new_questions & {q["id"] for q in old["question"]}
    assert not new_tables & {t["id"] for t in old["tables"]}
    # The copy is independent: deleting the original leaves it whole.
    store.delete_workshop(db, workshop_id)
    assert len(store.list_items(db, "participant", new_id)) == 65
    assert len(store.list_items(db, "round", new_id)) == 10


def test_the_archive_is_utf8_text_without_secrets(db):
    workshop_id = unicode_workshop(db)
    access.create_grant(db, workshop_id, "moderator", "Tablet 1")
    access.issue_signin_token(db)
    data = archive.archive_bytes(export_workshop(db, workshop_id))
    assert "Łódź & Köln ✨".encode() in data
    parsed = json.loads(data)
    assert parsed["format"] == "kt-workshop-archive"
    assert "access" not in parsed["tables"] and "signin" not in parsed["tables"]
    new_id = import_workshop(db, load_archive(data))
    assert access.list_grants(db, new_id) == []


def test_the_archive_has_one_row_a_line_and_reads_back_as_written(db):
    workshop_id = unicode_workshop(db)
    exported = export_workshop(db, workshop_id)
    data = archive.archive_bytes(exported)
    assert json.loads(data) == exported
    rows = sum(len(rows) for rows in exported["tables"].values())
    assert sum(line.startswith(b"  {") for line in data.splitlines()) == rows
    assert json.loads(archive.archive_bytes({"format": "x", "tables": {}})) == {
        "format": "x",
        "tables": {},
    }


def test_exporting_an_unknown_workshop_is_not_found(db):
    with pytest.raises(store.NotFound):
        export_workshop(db, 4242)


# Every table is accounted for --------------------------------------------------------------------


def workshop_tables(db) -> set[str]:
    """Tables with a workshop_id column, and tables hanging off those (like round off block)."""
    keys = foreign_keys(db)
    found = {t for t in db.table_names() if "workshop_id" in db[t].columns_dict} | {"workshop"}
    grew = True
    while grew:
        more = {t for t, refs in keys.items() if set(refs.values()) & found} - found
        found |= more
        grew = bool(more)
    return found


def test_every_workshop_table_is_archived_or_excluded_on_purpose(db):
    archived = [name for name, _refs in archive.TABLES]
    missing = workshop_tables(db) - set(archived) - set(archive.EXCLUDED)
    assert not missing, (
        f"tables {sorted(missing)} hold workshop data but are neither in archive.TABLES "
        "nor in archive.EXCLUDED: add them to one of the two"
    )
    assert not set(archived) & set(archive.EXCLUDED)
    stale = (set(archived) | set(archive.EXCLUDED)) - set(db.table_names())
    assert not stale, f"archive lists tables the database does not have: {sorted(stale)}"


def test_every_reference_between_archived_tables_is_remapped(db):
    keys = foreign_keys(db)
    archived = [name for name, _refs in archive.TABLES]
    for position, (table, refs) in enumerate(archive.TABLES):
        expected = {col: parent for col, parent in keys[table].items() if parent in archived}
        assert refs == expected, f"archive.TABLES entry for {table} must list {expected}"
        for parent in refs.values():
            if parent == table:  # themes point at their parent theme: ordered row by row
                continue
            assert archived.index(parent) < position, f"{parent} must come before {table}"


# Bad archives ---------------------------------------------------------------------------------


def row_counts(db) -> dict[str, int]:
    """How many rows each table holds."""
    return {t: db[t].count for t in db.table_names()}


@pytest.fixture
def good(db) -> dict:
    """A valid archive of a small workshop (the database keeps the original)."""
    workshop_id = unicode_workshop(db)
    return export_workshop(db, workshop_id)


def edited(archive_dict: dict, change) -> bytes:
    """The archive as file bytes after a change to a copy of it."""
    data = copy.deepcopy(archive_dict)
    change(data)
    return json.dumps(data, ensure_ascii=False).encode()


def set_version(data):
    data["version"] = 2


def two_workshops(data):
    data["tables"]["workshop"].append({**data["tables"]["workshop"][0], "id": 999})


def missing_parent(data):
    data["tables"]["question"][0]["block_id"] = 424242


def unknown_column(data):
    data["tables"]["participant"][-1]["shoe_size"] = 44


def bad_format(data):
    data["tables"]["workshop"][0]["format"] = "nonsense"


def bad_attendance(data):
    data["tables"]["participant"][-1]["attendance"] = "maybe"


def row_without_id(data):
    del data["tables"]["tables"][0]["id"]


def missing_title(data):
    del data["tables"]["workshop"][0]["title"]


BAD = [
    ("not JSON", lambda good: b"\x89PNG this is not { json", "JSON"),
    ("not UTF-8", lambda good: "Łódź".encode("utf-16"), "JSON"),
    ("JSON list", lambda good: b"[1, 2, 3]", "not a kt-workshop archive"),
    ("other JSON", lambda good: b'{"hello": "world"}', "not a kt-workshop archive"),
    ("wrong version", lambda good: edited(good, set_version), "version 2"),
    ("two workshops", lambda good: edited(good, two_workshops), "exactly one workshop"),
    ("missing parent", lambda good: edited(good, missing_parent), "missing block"),
    ("unknown column", lambda good: edited(good, unknown_column), "shoe_size"),
    ("CHECK violated", lambda good: edited(good, bad_format), "workshop"),
    ("late CHECK violated", lambda good: edited(good, bad_attendance), "participant"),
    ("row without id", lambda good: edited(good, row_without_id), "tables"),
    ("NOT NULL violated", lambda good: edited(good, missing_title), "workshop"),
]


@pytest.mark.parametrize(("make", "says"), [(m, s) for _n, m, s in BAD], ids=[n for n, *_ in BAD])
def test_a_bad_archive_is_refused_with_a_reason_and_nothing_is_written(db, good, make, says):
    before = row_counts(db)
    with pytest.raises(ArchiveError) as caught:
        import_workshop(db, load_archive(make(good)))
    message = str(caught.value)
    assert says in message
    assert "\n" not in message.strip() and "Traceback" not in message
    assert row_counts(db) == before
    assert len(store.list_workshops(db)) == 1


def table_not_a_list(data):
    data["tables"]["block"] = 5


def workshop_not_a_list(data):
    data["tables"]["workshop"] = 1


@pytest.mark.parametrize("change", [table_not_a_list, workshop_not_a_list])
def test_a_table_that_is_not_a_list_is_an_archive_error(db, good, change):
    before = row_counts(db)
    with pytest.raises(ArchiveError):
        import_workshop(db, load_archive(edited(good, change)))
    assert row_counts(db) == before


def unknown_table(data):
    data["tables"]["note"] = [{"id": 1, "workshop_id": data["tables"]["workshop"][0]["id"]}]


def test_an_archive_with_a_table_this_version_does_not_know_is_refused(db, good):
    before = row_counts(db)
    with pytest.raises(ArchiveError, match="note"):
        import_workshop(db, load_archive(edited(good, unknown_table)))
    assert row_counts(db) == before


def empty_title(data):
    data["tables"]["workshop"][0]["title"] = ""


def zero_minutes(data):
    data["tables"]["round"][0]["minutes"] = 0


@pytest.mark.parametrize("change", [empty_title, zero_minutes])
def test_an_archive_breaking_the_forms_rules_is_refused(db, good, change):
    before = row_counts(db)
    with pytest.raises(ArchiveError):
        import_workshop(db, load_archive(edited(good, change)))
    assert row_counts(db) == before


def live_workshop(db) -> int:
    """The demo after a round: notes with history, a photo, an idea, feedback."""
    import io

    from PIL import Image

    from kt_workshop import access
    from kt_workshop.live import day, feedback, notes
    from kt_workshop.plan import store as plan

    workshop_id = create_demo(db)
    plan.make_plan(db, workshop_id)
    day.start(db, workshop_id)
    table = store.list_items(db, "tables", workshop_id)[0]
    grant = access.create_grant(db, workshop_id, "moderator", "t", table_id=table["id"])
    round_id = day.state(db, workshop_id)["round_id"]
    base = {"round_id": round_id, "table_id": table["id"], "kind": "quote", "starred": True}
    notes.apply_operation(
        db,
        workshop_id,
        grant,
        {
            **base,
            "op_id": "op-add-0001",
            "type": "add",
            "uid": "note-0001",
            "text": "„Zaufanie” ✨",
        },
    )
    notes.apply_operation(
        db,
        workshop_id,
        grant,
        {"op_id": "op-edit-0001", "type": "edit", "uid": "note-0001", "text": "Trust 🙂"},
    )
    picture = io.BytesIO()
    Image.new("RGB", (8, 6), "red").save(picture, "JPEG")
    db["photo"].insert(
        {
            "uid": "photo-0001",
            "workshop_id": workshop_id,
            "round_id": round_id,
            "table_id": table["id"],
            "question_id": None,
            "access_id": grant["id"],
            "mime": "image/jpeg",
            "width": 8,
            "height": 6,
            "data": picture.getvalue(),
            "created_at": "2026-01-01T00:00:00+00:00",
        }
    )
    feedback.set_questions(db, workshop_id, "rating: How useful?\ntext: What next?")
    question = feedback.questions(db, workshop_id)[0]
    feedback.save_answers(db, workshop_id, "anon", {f"q{question['id']}": "4"})
    return workshop_id


def test_notes_history_photos_and_feedback_survive_the_round_trip(db):
    """A workshop after the day comes back whole: notes with versions, photos, feedback."""
    workshop_id = live_workshop(db)
    first, new_id, second = round_trip(db, workshop_id)
    assert canonical(db, first) == canonical(db, second)  # uids and join links aside
    uids = [row[0] for row in db.execute("SELECT uid FROM note").fetchall()]
    assert len(uids) == len(set(uids))  # the copy in the same database got fresh uids
    copy = list(db["note"].rows_where("workshop_id = ?", [new_id], order_by="id"))
    assert copy[-1]["text"] == "Trust 🙂" and copy[-1]["access_id"] is None
    versions = db.execute(
        "SELECT v.text FROM note_version v JOIN note n ON n.id = v.note_id "
        "WHERE n.workshop_id = ? AND n.id = ? ORDER BY v.version",
        [new_id, copy[-1]["id"]],
    ).fetchall()
    assert [v[0] for v in versions] == ["„Zaufanie” ✨", "Trust 🙂"]
    photo = next(db["photo"].rows_where("workshop_id = ?", [new_id]))
    original = next(db["photo"].rows_where("workshop_id = ?", [workshop_id]))
    assert photo["data"] == original["data"] and photo["data"][:2] == b"\xff\xd8"
    assert (
        db.execute("SELECT rating FROM feedback_answer WHERE workshop_id = ?", [new_id]).fetchone()[
            0
        ]
        == 4
    )
