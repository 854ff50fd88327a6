"""The data layer: checked input, rows kept inside their workshop, blocks and rounds, packs."""

import pytest

from kt_workshop import store
from kt_workshop.db import init_db
from kt_workshop.demo import DEMO_TITLE, create_demo
from kt_workshop.setup import topics
from kt_workshop.store import InputError, NotFound

UNICODE = {
    "Polish": "Zażółć gęślą jaźń — Łódź, Kraków",
    "German": "Größere Übungen für Straßenkinder",
    "Greek": "Ποιες πρακτικές λειτουργούν; Ελλάδα",
    "emoji": "Ideas 💡 and care 👩🏽‍⚕️ 🇵🇱",
    "decomposed": "Cafe\u0301 Ame\u0301lie",  # é as e + combining accent: must not be normalised
}


@pytest.fixture
def db():
    """A fresh in-memory database with the full schema (no app needed for the data layer)."""
    connection = init_db(":memory:")
    yield connection
    connection.close()


def field_error(call, *args, **kwargs) -> dict:
    """Run a store call that must refuse its input; return the message per field."""
    with pytest.raises(InputError) as caught:
        call(*args, **kwargs)
    return caught.value.errors


# Workshops ----------------------------------------------------------------------------------


def test_create_workshop_stores_the_details_with_defaults(db):
    workshop_id = store.create_workshop(db, {"title": "  Café  ", "chatham_house": "no"})
    workshop = store.get_workshop(db, workshop_id)
    assert workshop["title"] == "Café"
    assert workshop["format"] == "fixed_groups"
    assert workshop["language"] == "en"
    assert workshop["chatham_house"] is False
    assert workshop["participant_pages"] is False


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "   "}, "title"),
        ({}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"title": "Ok", "format": "nonsense"}, "format"),
        ({"title": "Ok", "chatham_house": "maybe"}, "chatham_house"),
        ({"title": "Ok", "participant_pages": "sometimes"}, "participant_pages"),
        ({"title": "Ok", "date": "2026-05-04T09:00"}, "date"),
        ({"title": "Ok", "description": "x" * 5001}, "description"),
    ],
)
def test_create_workshop_refuses_bad_input_naming_the_field(db, data, field):
    errors = field_error(store.create_workshop, db, data)
    assert field in errors and errors[field]
    assert store.list_workshops(db) == []


def test_update_workshop_refuses_bad_input_and_keeps_the_old_details(db, workshop):
    for data, field in (
        ({"title": ""}, "title"),
        ({"format": "nonsense"}, "format"),
        ({"chatham_house": "perhaps"}, "chatham_house"),
        ({"title": "y" * 300}, "title"),
    ):
        assert field in field_error(store.update_workshop, db, workshop, data)
    kept = store.get_workshop(db, workshop)
    assert (kept["title"], kept["format"], kept["chatham_house"]) == (
        "Test café",
        "fixed_groups",
        True,
    )


def test_update_workshop_changes_only_the_given_fields(db, workshop):
    store.update_workshop(db, workshop, {"format": "travelling", "participant_pages": "yes"})
    changed = store.get_workshop(db, workshop)
    assert changed["format"] == "travelling"
    assert changed["participant_pages"] is True
    assert changed["title"] == "Test café"
    assert changed["date"] == "2026-05-04"


def test_a_missing_flag_value_is_an_input_error(db, workshop):
    errors = field_error(store.update_workshop, db, workshop, {"chatham_house": None})
    assert "chatham_house" in errors


def test_an_unknown_workshop_is_not_found(db):
    with pytest.raises(NotFound):
        store.get_workshop(db, 12345)
    with pytest.raises(NotFound):
        store.add_item(db, "tables", 12345, {"name": "Table"})


# Rows inside a workshop -----------------------------------------------------------------------

ITEMS = [
    ("block", {"title": "Afternoon"}, {"title": "Late afternoon"}, "title"),
    ("question", {"text": "What helps?"}, {"text": "What helps most?"}, "text"),
    ("tables", {"name": "Table 3", "capacity": "8"}, {"capacity": 10}, "capacity"),
    ("moderator", {"name": "Dr Ruth Okafor"}, {"notes": "Brings flipcharts"}, "notes"),
    ("participant", {"name": "Jürgen Müller"}, {"country": "Germany"}, "country"),
]


@pytest.mark.parametrize(("kind", "data", "change", "field"), ITEMS)
def test_add_update_delete_each_kind(db, workshop, kind, data, change, field):
    before = len(store.list_items(db, kind, workshop))
    item_id = store.add_item(db, kind, workshop, data)
    assert len(store.list_items(db, kind, workshop)) == before + 1
    store.update_item(db, kind, workshop, item_id, change)
    assert store.get_item(db, kind, workshop, item_id)[field] == change[field]
    store.delete_item(db, kind, workshop, item_id)
    with pytest.raises(NotFound):
        store.get_item(db, kind, workshop, item_id)
    assert len(store.list_items(db, kind, workshop)) == before


@pytest.mark.parametrize(
    ("kind", "data", "field"),
    [
        ("block", {"title": ""}, "title"),
        ("block", {"title": "Morning", "starts_at": "nine o'clock"}, "starts_at"),
        ("question", {"text": ""}, "text"),
        ("question", {"text": "q" * 501}, "text"),
        ("tables", {"name": "T", "capacity": "many"}, "capacity"),
        ("tables", {"name": "T", "capacity": -1}, "capacity"),
        ("tables", {"name": "T", "capacity": 1001}, "capacity"),
        ("moderator", {"name": ""}, "name"),
        ("participant", {"name": ""}, "name"),
        ("participant", {"name": "P", "attendance": "maybe"}, "attendance"),
        ("participant", {"name": "P", "consent": "perhaps"}, "consent"),
    ],
)
def test_bad_rows_are_refused_naming_the_field(db, workshop, kind, data, field):
    before = store.list_items(db, kind, workshop)
    assert field in field_error(store.add_item, db, kind, workshop, data)
    assert store.list_items(db, kind, workshop) == before


@pytest.mark.parametrize(
    ("kind", "column", "target"),
    [
        ("question", "block_id", "block"),
        ("moderator", "question_id", "question"),
        ("moderator", "table_id", "tables"),
        ("participant", "table_id", "tables"),
    ],
)
def test_a_reference_into_another_workshop_is_refused(db, workshop, kind, column, target):
    other = store.create_workshop(db, {"title": "Somebody else's café"})
    other_block = store.add_block(db, other, {"title": "Theirs"}, rounds=1)
    foreign = {
        "block": other_block,
        "question": store.add_item(db, "question", other, {"text": "Theirs?"}),
        "tables": store.add_item(db, "tables", other, {"name": "Their table"}),
    }[target]
    required = {"question": "text", "moderator": "name", "participant": "name"}[kind]
    data = {required: "Mine", column: foreign}
    before = store.list_items(db, kind, workshop)

    assert column in field_error(store.add_item, db, kind, workshop, data)
    assert store.list_items(db, kind, workshop) == before
    # Nor can an existing row be pointed there.
    mine = before[0]["id"]
    assert column in field_error(store.update_item, db, kind, workshop, mine, {column: foreign})
    assert store.get_item(db, kind, workshop, mine)[column] != foreign
    # A row id that does not exist at all is refused the same way.
    assert column in field_error(store.add_item, db, kind, workshop, {required: "M", column: 99999})


def test_rows_of_another_workshop_cannot_be_read_changed_or_deleted(db, workshop):
    other = store.create_workshop(db, {"title": "Other"})
    theirs = store.add_item(db, "tables", other, {"name": "Their table"})
    with pytest.raises(NotFound):
        store.get_item(db, "tables", workshop, theirs)
    with pytest.raises(NotFound):
        store.update_item(db, "tables", workshop, theirs, {"name": "Stolen"})
    with pytest.raises(NotFound):
        store.delete_item(db, "tables", workshop, theirs)
    assert store.get_item(db, "tables", other, theirs)["name"] == "Their table"


def test_a_question_can_point_at_its_own_block(db, workshop):
    block = store.add_block(db, workshop, {"title": "Afternoon"}, rounds=1)
    question = store.add_item(db, "question", workshop, {"text": "Q", "block_id": str(block)})
    assert store.get_item(db, "question", workshop, question)["block_id"] == block


# Blocks and rounds ----------------------------------------------------------------------------


def minutes_of(db, workshop_id, block_id) -> list[int]:
    """The round lengths of one block, in order."""
    return [
        r["minutes"]
        for r in store.list_items(db, "round", workshop_id)
        if r["block_id"] == block_id
    ]


def test_add_block_creates_its_rounds(db, workshop):
    block = store.add_block(db, workshop, {"title": "Afternoon", "starts_at": "13:30"}, 4, 25)
    assert minutes_of(db, workshop, block) == [25, 25, 25, 25]
    programme = store.programme(db, workshop)
    assert [b["title"] for b in programme] == ["Morning", "Afternoon"]
    assert [r["position"] for r in programme[1]["rounds"]] == [1, 2, 3, 4]


def test_add_block_refuses_too_many_rounds_or_bad_minutes_and_writes_nothing(db, workshop):
    before = store.programme(db, workshop)
    assert "rounds" in field_error(store.add_block, db, workshop, {"title": "Huge"}, 51)
    assert "minutes" in field_error(store.add_block, db, workshop, {"title": "Zero"}, 3, 0)
    assert store.programme(db, workshop) == before


def test_set_rounds_grows_shrinks_and_refuses_bad_lengths(db, workshop):
    block = store.list_items(db, "block", workshop)[0]["id"]
    store.set_rounds(db, workshop, block, [20, 25, "30"])
    assert minutes_of(db, workshop, block) == [20, 25, 30]
    store.set_rounds(db, workshop, block, [45])
    assert minutes_of(db, workshop, block) == [45]
    store.set_rounds(db, workshop, block, [10, 10, 10, 10, 10])
    assert minutes_of(db, workshop, block) == [10] * 5

    assert "minutes" in field_error(store.set_rounds, db, workshop, block, [20, 0, 20])
    assert "minutes" in field_error(store.set_rounds, db, workshop, block, [20, "half"])
    assert "rounds" in field_error(store.set_rounds, db, workshop, block, [20] * 51)
    assert minutes_of(db, workshop, block) == [10] * 5


def test_set_rounds_on_another_workshops_block_is_not_found(db, workshop):
    other = store.create_workshop(db, {"title": "Other"})
    theirs = store.add_block(db, other, {"title": "Theirs"}, rounds=2)
    with pytest.raises(NotFound):
        store.set_rounds(db, workshop, theirs, [5])
    assert minutes_of(db, other, theirs) == [20, 20]


def test_deleting_a_block_takes_its_rounds_and_questions(db, workshop):
    block = store.list_items(db, "block", workshop)[0]["id"]
    store.delete_item(db, "block", workshop, block)
    assert store.list_items(db, "round", workshop) == []
    assert store.list_items(db, "question", workshop) == []


def test_move_item_reorders_blocks_questions_and_tables(db, workshop):
    store.add_block(db, workshop, {"title": "Afternoon"}, rounds=1)
    store.add_block(db, workshop, {"title": "Evening"}, rounds=1)
    evening = store.list_items(db, "block", workshop)[-1]["id"]
    store.move_item(db, "block", workshop, evening, -1)
    assert [b["title"] for b in store.programme(db, workshop)] == [
        "Morning",
        "Evening",
        "Afternoon",
    ]
    store.move_item(db, "block", workshop, evening, -1)
    store.move_item(db, "block", workshop, evening, -1)  # already first: stays
    assert [b["title"] for b in store.programme(db, workshop)] == [
        "Evening",
        "Morning",
        "Afternoon",
    ]

    first, second = store.list_items(db, "question", workshop)
    store.move_item(db, "question", workshop, second["id"], -1)
    assert [q["text"] for q in store.list_items(db, "question", workshop)] == [
        "What gets in the way?",
        "What works?",
    ]

    tables = store.list_items(db, "tables", workshop)
    store.move_item(db, "tables", workshop, tables[0]["id"], 1)
    store.move_item(db, "tables", workshop, tables[0]["id"], 1)  # already last: stays
    assert [t["name"] for t in store.list_items(db, "tables", workshop)] == ["Table 2", "Table 1"]


def test_moving_a_question_keeps_it_in_its_block(db, workshop):
    morning = store.list_items(db, "block", workshop)[0]["id"]
    afternoon = store.add_block(db, workshop, {"title": "Afternoon"}, rounds=1)
    later = store.add_item(db, "question", workshop, {"text": "Later?", "block_id": afternoon})
    store.move_item(db, "question", workshop, later, -1)
    blocks = store.programme(db, workshop)
    assert [q["text"] for q in blocks[0]["questions"]] == ["What works?", "What gets in the way?"]
    assert [q["text"] for q in blocks[1]["questions"]] == ["Later?"]
    assert store.get_item(db, "question", workshop, later)["block_id"] == afternoon
    assert blocks[0]["id"] == morning


# Topic packs ------------------------------------------------------------------------------------


def reference_pack():
    """The shipped pack of the reference event."""
    return topics.find_shipped_pack("reference-2ps-csae")


def pack_texts(pack) -> list[list[str]]:
    """The question texts of a pack, block by block."""
    return [[q.text for q in block.questions] for block in pack.blocks]


def test_apply_pack_creates_the_blocks_when_missing(db):
    workshop_id = store.create_workshop(db, {"title": "From the pack"})
    pack = reference_pack()
    assert store.apply_pack(db, workshop_id, pack) == 10
    programme = store.programme(db, workshop_id)
    assert len(programme) == 2
    assert [b["title"] for b in programme] == [b.title for b in pack.blocks]
    assert [[q["text"] for q in b["questions"]] for b in programme] == pack_texts(pack)
    assert [len(b["questions"]) for b in programme] == [5, 5]
    assert [len(b["rounds"]) for b in programme] == [5, 5]
    assert programme[0]["questions"][0]["text"] == (
        "Identifying need and justifying resource/implementation"
    )
    assert programme[0]["questions"][0]["prompt"].startswith("How do you show")


def test_apply_pack_reuses_existing_blocks(db, workshop):
    pack = reference_pack()
    assert store.apply_pack(db, workshop, pack) == 10
    programme = store.programme(db, workshop)
    assert [b["title"] for b in programme] == ["Morning", pack.blocks[1].title]
    texts = [[q["text"] for q in b["questions"]] for b in programme]
    assert texts[0] == ["What works?", "What gets in the way?", *pack_texts(pack)[0]]
    assert texts[1] == pack_texts(pack)[1]
    assert len(programme[0]["rounds"]) == 2  # the organiser's own block keeps its rounds

    # With both blocks there, applying again adds questions but no block.
    store.apply_pack(db, workshop, pack)
    assert len(store.programme(db, workshop)) == 2
    assert len(store.list_items(db, "question", workshop)) == 22


# Delegates ------------------------------------------------------------------------------------


def test_add_delegates_is_all_or_nothing(db, workshop):
    before = store.list_items(db, "participant", workshop)
    people = [
        {"name": "Anja Schäfer", "country": "Germany"},
        {"name": "Lotte Janssens", "country": "Belgium"},
        {"name": "Bad Attendance", "attendance": "sometimes"},
        {"name": "Ingrid Hansen", "country": "Norway"},
    ]
    with pytest.raises(InputError):
        store.add_delegates(db, workshop, people)
    assert store.list_items(db, "participant", workshop) == before

    ids = store.add_delegates(db, workshop, [p for p in people if p["name"] != "Bad Attendance"])
    assert len(ids) == 3
    assert len(store.list_items(db, "participant", workshop)) == len(before) + 3


def test_delegate_extra_columns_are_kept(db, workshop):
    person = store.add_item(
        db,
        "participant",
        workshop,
        {"name": "Sanne Bakker", "consent": "yes", "extra": {"Dietary needs": "vegan 🌱"}},
    )
    stored = store.get_item(db, "participant", workshop, person)
    assert stored["extra"] == {"Dietary needs": "vegan 🌱"}
    assert stored["consent"] is True
    store.update_item(db, "participant", workshop, person, {"extra": {"Room": "Aula"}})
    assert store.get_item(db, "participant", workshop, person)["extra"] == {"Room": "Aula"}


@pytest.mark.parametrize("text", list(UNICODE.values()), ids=list(UNICODE))
def test_text_in_any_script_is_stored_exactly(db, text):
    workshop_id = store.create_workshop(db, {"title": text, "venue": text, "description": text})
    block = store.add_block(db, workshop_id, {"title": text}, rounds=1)
    question = store.add_item(
        db, "question", workshop_id, {"text": text, "prompt": text, "block_id": block}
    )
    table = store.add_item(db, "tables", workshop_id, {"name": text})
    moderator = store.add_item(db, "moderator", workshop_id, {"name": text, "notes": text})
    person = store.add_item(
        db,
        "participant",
        workshop_id,
        {**{f: text for f in store.DELEGATE_FIELDS}, "extra": {text: text}},
    )
    workshop = store.get_workshop(db, workshop_id)
    assert (workshop["title"], workshop["venue"], workshop["description"]) == (text, text, text)
    assert store.get_item(db, "block", workshop_id, block)["title"] == text
    stored_question = store.get_item(db, "question", workshop_id, question)
    assert (stored_question["text"], stored_question["prompt"]) == (text, text)
    assert store.get_item(db, "tables", workshop_id, table)["name"] == text
    assert store.get_item(db, "moderator", workshop_id, moderator)["notes"] == text
    stored_person = store.get_item(db, "participant", workshop_id, person)
    assert all(stored_person[f] == text for f in store.DELEGATE_FIELDS)
    assert stored_person["extra"] == {text: text}


# The demo workshop ------------------------------------------------------------------------------

REFERENCE_COUNTRIES = {
    "United Kingdom",
    "Poland",
    "Germany",
    "Belgium",
    "Italy",
    "Norway",
    "Czech Republic",
    "Netherlands",
}
REFERENCE_SECTORS = {
    "Criminal justice",
    "University research",
    "Charity",
    "Helpline support",
    "International agency",
}


def test_the_demo_workshop_is_shaped_like_the_reference_event(db):
    workshop_id = create_demo(db)
    workshop = store.get_workshop(db, workshop_id)
    assert workshop["title"] == DEMO_TITLE
    assert workshop["format"] == "fixed_groups"

    people = store.list_items(db, "participant", workshop_id)
    assert len(people) == 65
    assert {p["country"] for p in people} == REFERENCE_COUNTRIES
    assert {p["sector"] for p in people} == REFERENCE_SECTORS

    groups = store.list_items(db, "tables", workshop_id)
    assert len(groups) == 5
    for group in groups:
        members = [p for p in people if p["table_id"] == group["id"]]
        assert len(members) == 13
        assert len({p["country"] for p in members}) >= 4, "each group mixes countries"

    programme = store.programme(db, workshop_id)
    assert len(programme) == 2
    for block in programme:
        assert len(block["questions"]) == 5
        assert len(block["rounds"]) == 5
    assert [[q["text"] for q in b["questions"]] for b in programme] == pack_texts(reference_pack())

    questions = store.list_items(db, "question", workshop_id)
    moderators = store.list_items(db, "moderator", workshop_id)
    assert len(moderators) == 10
    assert sorted(m["question_id"] for m in moderators) == sorted(q["id"] for q in questions)


def test_two_demos_do_not_share_rows(db):
    first, second = create_demo(db), create_demo(db)
    assert first != second
    assert len(store.list_items(db, "participant", first)) == 65
    assert len(store.list_items(db, "participant", second)) == 65
    store.delete_workshop(db, first)
    assert len(store.list_items(db, "question", second)) == 10
