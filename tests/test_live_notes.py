"""Notes on the day (kt_workshop/notes.py): operations applied once, checks, history, carry-over."""

import uuid

import pytest

from kt_workshop import access, store
from kt_workshop.db import open_db
from kt_workshop.live import day, notes
from tests.conftest import add_op


@pytest.fixture
def db(quick_db):
    """A migrated database without an app (see conftest's quick_db)."""
    return quick_db


@pytest.fixture
def cells(ids):
    """The workshop's rounds, tables, questions and moderator, by position."""
    return ids


def new_id() -> str:
    return uuid.uuid4().hex


def add(round_id, table_id, text="Peer support works", kind="insight", **extra) -> dict:
    """An `add` operation as a tablet sends it."""
    return add_op(round_id, table_id, text=text, kind=kind, **extra)


def counts(db) -> tuple[int, int, int, int]:
    """Rows in note, note_version, change and operation: what a refusal must not touch."""
    return tuple(db[t].count for t in ("note", "note_version", "change", "operation"))


# Checks ---------------------------------------------------------------------------------------


def test_check_text_accepts_up_to_10000_characters_with_tabs_and_line_breaks():
    assert notes.check_text("x" * 10_000) == "x" * 10_000
    assert notes.check_text("one\ttwo\r\nthree\n") == "one\ttwo\r\nthree\n"
    assert notes.check_text("Zażółć gęślą jaźń ✓") == "Zażółć gęślą jaźń ✓"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "needs some text"),
        ("   \n\t ", "needs some text"),
        (None, "needs some text"),
        (42, "needs some text"),
        ("x" * 10_001, "up to 10000 characters; this one has 10001"),
        ("bell\x07", "control characters"),
        ("nul\x00", "control characters"),
        ("escape\x1b[31m", "control characters"),
        ("delete\x7f", "control characters"),
    ],
)
def test_check_text_refuses_with_a_clear_reason(text, message):
    with pytest.raises(notes.Refused, match=message.replace("(", r"\(")):
        notes.check_text(text)


def test_check_kind_knows_the_six_kinds():
    for kind in notes.KINDS:
        assert notes.check_kind(kind) == kind
    for wrong in ("Insight", "gossip", None, ""):
        with pytest.raises(notes.Refused, match="Choose a kind: insight, challenge"):
            notes.check_kind(wrong)


# Where a note belongs --------------------------------------------------------------------------


def test_cell_context_reads_the_question_from_the_plan(db, workshop, cells):
    rounds, tables, questions = cells["rounds"], cells["tables"], cells["questions"]
    # Fixed groups and nobody leading: the note has no question of its own.
    fixed = notes.cell_context(db, workshop, rounds[0], tables[0])
    assert fixed == {
        "round_id": rounds[0],
        "table_id": tables[0],
        "question_id": None,
        "moderator_id": None,
    }
    # Travelling format: the block's questions go round by round.
    store.update_workshop(db, workshop, {"format": "travelling"})
    assert notes.cell_context(db, workshop, rounds[0], tables[1])["question_id"] == questions[0]
    assert notes.cell_context(db, workshop, rounds[1], tables[1])["question_id"] == questions[1]
    # A moderator who leads there brings their question; ids may come as strings (forms).
    store.update_item(db, "moderator", workshop, cells["moderator"], {"question_id": questions[1]})
    db["lead"].insert(
        {
            "workshop_id": workshop,
            "round_id": rounds[0],
            "table_id": tables[0],
            "moderator_id": cells["moderator"],
        }
    )
    led = notes.cell_context(db, workshop, str(rounds[0]), str(tables[0]))
    assert led["moderator_id"] == cells["moderator"]
    assert led["question_id"] == questions[1]


def test_cell_context_refuses_cells_of_other_workshops(db, workshop, cells):
    other = store.create_workshop(db, {"title": "Other"})
    store.add_block(db, other, {"title": "B"}, rounds=1)
    other_table = store.add_item(db, "tables", other, {"name": "Elsewhere"})
    other_round = store.list_items(db, "round", other)[0]["id"]
    for round_id, table_id in (
        (cells["rounds"][0], other_table),
        (other_round, cells["tables"][0]),
        (None, cells["tables"][0]),
        (cells["rounds"][0], "x"),
        (cells["rounds"][0], None),
    ):
        with pytest.raises(notes.Refused, match="not part of this workshop"):
            notes.cell_context(db, workshop, round_id, table_id)


def test_may_write_at_follows_the_grant_and_the_plan(db, workshop, cells):
    rounds, tables, moderator = cells["rounds"], cells["tables"], cells["moderator"]
    table_grant = access.create_grant(db, workshop, "moderator", table_id=tables[0])
    person_grant = access.create_grant(db, workshop, "moderator", moderator_id=moderator)
    any_table = access.create_grant(db, workshop, "moderator")
    analyst = access.create_grant(db, workshop, "analyst")
    here = notes.cell_context(db, workshop, rounds[0], tables[0])
    there = notes.cell_context(db, workshop, rounds[0], tables[1])
    assert notes.may_write_at(db, table_grant, here)
    assert not notes.may_write_at(db, table_grant, there)
    assert notes.may_write_at(db, any_table, there)
    assert not notes.may_write_at(db, analyst, here)
    # Without a plan for the round, a moderator's tablet may write anywhere...
    assert notes.may_write_at(db, person_grant, there)
    # ...with one, only where the plan puts the moderator.
    db["lead"].insert(
        {
            "workshop_id": workshop,
            "round_id": rounds[0],
            "table_id": tables[0],
            "moderator_id": moderator,
        }
    )
    here = notes.cell_context(db, workshop, rounds[0], tables[0])
    assert notes.may_write_at(db, person_grant, here)
    assert not notes.may_write_at(db, person_grant, there)


# Operations -----------------------------------------------------------------------------------


def test_a_note_typed_offline_keeps_the_time_it_was_typed(db, workshop, cells):
    """typed_at (the tablet's time on the server's clock) becomes created_at; a time in the
    future, over a day old, or not a number, is replaced by the time of arrival."""
    import time
    from datetime import datetime

    grant = access.create_grant(db, workshop, "moderator")
    typed = time.time() - 600
    kept = notes.apply_operation(
        db, workshop, grant, add(cells["rounds"][0], cells["tables"][0], typed_at=typed)
    )
    created = datetime.fromisoformat(kept["change"]["payload"]["created_at"]).timestamp()
    assert abs(created - typed) < 1.5
    assert kept["change"]["payload"]["updated_at"] > kept["change"]["payload"]["created_at"]
    for wrong in (time.time() + 3600, time.time() - 3 * 86400, "yesterday", True, None):
        stamped = notes.apply_operation(
            db, workshop, grant, add(cells["rounds"][0], cells["tables"][0], typed_at=wrong)
        )
        at = datetime.fromisoformat(stamped["change"]["payload"]["created_at"]).timestamp()
        assert abs(at - time.time()) < 5, wrong


def test_add_edit_delete_keep_every_version(db, workshop, cells):
    grant = access.create_grant(db, workshop, "moderator")
    first = add(cells["rounds"][0], cells["tables"][0], kind="challenge", starred=True)
    added = notes.apply_operation(db, workshop, grant, first)
    uid = first["uid"]
    assert added["ok"] and added["uid"] == uid and added["seq"] == 1
    note = added["change"]["payload"]
    assert (note["kind"], note["text"], note["starred"], note["version"]) == (
        "challenge",
        "Peer support works",
        True,
        1,
    )
    assert note["source"] == "tablet"
    assert "access_id" not in note  # who typed a note is never broadcast

    edit = {"op_id": new_id(), "type": "edit", "uid": uid, "text": "Peer support works well"}
    edited = notes.apply_operation(db, workshop, grant, edit)
    assert edited["seq"] == 2
    assert edited["change"]["payload"]["version"] == 2
    assert edited["change"]["payload"]["kind"] == "challenge"  # fields not sent stay
    restar = {"op_id": new_id(), "type": "edit", "uid": uid, "kind": "quote", "starred": False}
    notes.apply_operation(db, workshop, grant, restar)
    deleted = notes.apply_operation(
        db, workshop, grant, {"op_id": new_id(), "type": "delete", "uid": uid}
    )
    assert deleted["change"]["payload"]["deleted"] is True

    assert notes.notes(db, workshop) == []
    kept = notes.notes(db, workshop, include_deleted=True)
    assert [n["uid"] for n in kept] == [uid]
    history = notes.history(db, workshop, uid)
    assert [(v["version"], v["kind"], v["text"], v["starred"], v["deleted"]) for v in history] == [
        (1, "challenge", "Peer support works", 1, 0),
        (2, "challenge", "Peer support works well", 1, 0),
        (3, "quote", "Peer support works well", 0, 0),
        (4, "quote", "Peer support works well", 0, 1),
    ]
    # A deleted note cannot be changed again.
    with pytest.raises(notes.Refused, match="has been deleted"):
        notes.apply_operation(db, workshop, grant, {"op_id": new_id(), "type": "edit", "uid": uid})


def test_a_repeated_operation_is_acknowledged_again_and_applied_once(db, workshop, cells):
    grant = access.create_grant(db, workshop, "moderator")
    op = add(cells["rounds"][0], cells["tables"][0])
    first = notes.apply_operation(db, workshop, grant, op)
    before = counts(db)
    again = notes.apply_operation(db, workshop, grant, dict(op))
    assert again["duplicate"] is True
    assert (again["seq"], again["uid"]) == (first["seq"], first["uid"])
    assert counts(db) == before
    # Even a changed body under the same op_id is not applied: the id decides.
    notes.apply_operation(db, workshop, grant, {**op, "text": "Something else"})
    assert notes.notes(db, workshop)[0]["text"] == "Peer support works"
    # An edit retried after its acknowledgement was lost bumps the version once.
    edit = {"op_id": new_id(), "type": "edit", "uid": op["uid"], "text": "Edited"}
    for _attempt in range(3):
        notes.apply_operation(db, workshop, grant, edit)
    assert [v["version"] for v in notes.history(db, workshop, op["uid"])] == [1, 2]


def test_an_operation_id_of_another_workshop_is_refused(db, workshop, cells):
    other = store.create_workshop(db, {"title": "Other"})
    store.add_block(db, other, {"title": "B"}, rounds=1)
    other_table = store.add_item(db, "tables", other, {"name": "Elsewhere"})
    other_round = store.list_items(db, "round", other)[0]["id"]
    other_grant = access.create_grant(db, other, "moderator")
    op = add(other_round, other_table)
    notes.apply_operation(db, other, other_grant, op)
    grant = access.create_grant(db, workshop, "moderator")
    # The other workshop's result is not handed out.
    with pytest.raises(notes.Refused, match="no valid id"):
        notes.apply_operation(db, workshop, grant, op)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"op_id": None}, "operation has no valid id"),
        ({"op_id": "short"}, "operation has no valid id"),
        ({"op_id": "has space in it"}, "operation has no valid id"),
        ({"op_id": "x" * 65}, "operation has no valid id"),
        ({"type": "move"}, "Unknown operation"),
        ({"uid": "bad uid!"}, "note has no valid id"),
        ({"uid": None}, "note has no valid id"),
        ({"text": "   "}, "needs some text"),
        ({"kind": "gossip"}, "Choose a kind"),
        ({"table_id": 999}, "not part of this workshop"),
    ],
)
def test_a_refused_operation_stores_nothing(db, workshop, cells, change, message):
    grant = access.create_grant(db, workshop, "moderator")
    before = counts(db)
    with pytest.raises(notes.Refused, match=message):
        notes.apply_operation(
            db, workshop, grant, {**add(cells["rounds"][0], cells["tables"][0]), **change}
        )
    assert counts(db) == before
    assert day.state(db, workshop)["seq"] == 0  # no sequence number was used up


def test_an_operation_that_is_not_a_dict_is_refused(db, workshop):
    grant = access.create_grant(db, workshop, "moderator")
    for op in (None, [], "add", 3):
        with pytest.raises(notes.Refused, match="no valid id"):
            notes.apply_operation(db, workshop, grant, op)


def test_a_note_id_is_used_once(db, workshop, cells):
    grant = access.create_grant(db, workshop, "moderator")
    op = add(cells["rounds"][0], cells["tables"][0])
    notes.apply_operation(db, workshop, grant, op)
    with pytest.raises(notes.Refused, match="exists already"):
        notes.apply_operation(db, workshop, grant, {**op, "op_id": new_id()})


def test_only_the_tablet_that_wrote_a_note_changes_it(db, workshop, cells):
    writer = access.create_grant(db, workshop, "moderator")
    other = access.create_grant(db, workshop, "moderator")
    op = add(cells["rounds"][0], cells["tables"][0])
    notes.apply_operation(db, workshop, writer, op)
    before = counts(db)
    for kind in ("edit", "delete"):
        with pytest.raises(notes.Refused, match="Only the tablet that wrote"):
            notes.apply_operation(
                db,
                workshop,
                other,
                {"op_id": new_id(), "type": kind, "uid": op["uid"], "text": "Mine"},
            )
    assert counts(db) == before
    with pytest.raises(notes.Refused, match="does not exist"):
        notes.apply_operation(
            db, workshop, writer, {"op_id": new_id(), "type": "edit", "uid": "nope"}
        )


def test_set_held_hides_a_note_from_the_wall_and_logs_it(db, workshop, cells):
    grant = access.create_grant(db, workshop, "moderator")
    op = add(cells["rounds"][0], cells["tables"][0])
    notes.apply_operation(db, workshop, grant, op)
    change = notes.set_held(db, workshop, op["uid"], True)
    assert change["payload"]["held"] is True
    assert change["audience"] == "staff"
    assert notes.notes(db, workshop)[0]["held"] is True
    assert notes.set_held(db, workshop, op["uid"], False)["payload"]["held"] is False
    with pytest.raises(notes.Refused):
        notes.set_held(db, workshop, "no-such-note", True)


def test_notes_filter_by_cell(db, workshop, cells):
    grant = access.create_grant(db, workshop, "moderator")
    rounds, tables = cells["rounds"], cells["tables"]
    for round_id in rounds:
        for table_id in tables:
            notes.apply_operation(
                db, workshop, grant, add(round_id, table_id, f"{round_id}/{table_id}")
            )
    assert len(notes.notes(db, workshop)) == 4
    assert [
        n["text"] for n in notes.notes(db, workshop, round_id=rounds[1], table_id=tables[0])
    ] == [f"{rounds[1]}/{tables[0]}"]
    assert len(notes.notes(db, workshop, table_id=tables[1])) == 2


def test_carry_over_is_by_table_or_by_question_in_fixed_groups(db, workshop, cells):
    rounds, tables, questions = cells["rounds"], cells["tables"], cells["questions"]
    store.update_workshop(db, workshop, {"format": "travelling"})
    grant = access.create_grant(db, workshop, "moderator")
    for round_id in rounds:
        for table_id in tables:
            notes.apply_operation(
                db, workshop, grant, add(round_id, table_id, f"{round_id}/{table_id}")
            )
    second = notes.cell_context(db, workshop, rounds[1], tables[0])
    # Travelling: what this table said in earlier rounds (never the current round).
    assert [n["text"] for n in notes.carry_over(db, workshop, second, fixed_groups=False)] == [
        f"{rounds[0]}/{tables[0]}"
    ]
    first = notes.cell_context(db, workshop, rounds[0], tables[0])
    assert notes.carry_over(db, workshop, first, fixed_groups=False) == []
    # Fixed groups: what every group said earlier on the same question.
    on_question = {**second, "question_id": questions[0]}
    brief = notes.carry_over(db, workshop, on_question, fixed_groups=True)
    assert sorted(n["text"] for n in brief) == sorted(f"{rounds[0]}/{t}" for t in tables)


def test_the_same_operation_racing_on_two_connections_is_acknowledged_not_refused(
    tmp_path, db, workshop, cells, monkeypatch
):
    """A tablet reconnects and resends while its first attempt is still being written.

    Regression: the op_id was looked up before the write transaction, so the resent `add`
    was refused ("A note with this id exists already") although it had been saved.
    """
    grant = access.create_grant(db, workshop, "moderator")
    op = add(cells["rounds"][0], cells["tables"][0])
    first_connection = open_db(tmp_path / "quick.db")
    real_writing = notes.writing
    results = []

    def first_attempt_wins_the_lock(connection):
        monkeypatch.setattr(notes, "writing", real_writing)
        results.append(notes.apply_operation(first_connection, workshop, grant, op))
        return real_writing(connection)

    monkeypatch.setattr(notes, "writing", first_attempt_wins_the_lock)
    second = notes.apply_operation(db, workshop, grant, op)
    first_connection.close()
    assert second["duplicate"] is True
    assert second["seq"] == results[0]["seq"]
    assert db["note"].count == 1
