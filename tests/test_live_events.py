"""Socket.IO: connections, and every event a page sends, with what each audience receives.

Tablets connect with their join token in `auth`; the organiser with a signed-in Flask test
client and `auth={"workshop_id": id}`; participants and analysts with their session cookie.
The test client handles one client's events in order (async_handlers=False), as the app does.
"""

import json
import time
import types
import uuid

import pytest

from kt_workshop import access, store
from kt_workshop.live import day, events, notes
from kt_workshop.web import socketio
from tests.conftest import add_op, sign_in_grant, sign_in_organiser


def test_a_connection_without_sign_in_is_refused(app):
    """A browser that has not joined cannot listen to a workshop."""
    client = socketio.test_client(app, flask_test_client=app.test_client())
    assert not client.is_connected()


def test_a_moderator_connects_with_their_join_token(app, db, workshop):
    """A tablet's join token lets it follow its workshop and it is told which one."""
    grant = access.create_grant(db, workshop, "moderator", "Tablet 1")
    token = access.grant_token(app.config["SECRET_KEY"], grant)
    client = socketio.test_client(app, auth={"token": token})
    assert client.is_connected()
    welcome = [m for m in client.get_received() if m["name"] == "welcome"]
    assert welcome[0]["args"][0]["workshop_id"] == workshop
    assert welcome[0]["args"][0]["role"] == "moderator"


def test_a_revoked_or_forged_token_is_refused(app, db, workshop):
    """Revoking a link closes the real-time door too; a made-up token never opens it."""
    grant = access.create_grant(db, workshop, "moderator")
    token = access.grant_token(app.config["SECRET_KEY"], grant)
    access.revoke_grant(db, workshop, grant["id"])
    assert not socketio.test_client(app, auth={"token": token}).is_connected()
    assert not socketio.test_client(app, auth={"token": f"{grant['id']}.forged"}).is_connected()


def test_a_token_cannot_follow_another_workshop(app, db, workshop):
    """Asking for a different workshop than the link's is refused."""
    grant = access.create_grant(db, workshop, "analyst")
    token = access.grant_token(app.config["SECRET_KEY"], grant)
    client = socketio.test_client(app, auth={"token": token, "workshop_id": workshop + 1})
    assert not client.is_connected()


def test_the_session_cookie_signs_a_browser_in(app, db, workshop):
    """A participant who joined by link connects with the session cookie alone."""
    flask_client = app.test_client()
    sign_in_grant(flask_client, app, db, workshop, "participant")
    client = socketio.test_client(app, flask_test_client=flask_client)
    assert client.is_connected()


def test_the_organiser_names_the_workshop_to_follow(app, organiser, workshop):
    """The organiser sees every workshop, so must say which one to follow."""
    assert not socketio.test_client(app, flask_test_client=organiser).is_connected()
    client = socketio.test_client(app, flask_test_client=organiser, auth={"workshop_id": workshop})
    assert client.is_connected()


# Helpers ---------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def quick(no_fsync):
    """Every test here runs without an fsync per commit."""


@pytest.fixture
def app(fast_app):
    """conftest's `app` on one app for the module (see fast_app)."""
    return fast_app


@pytest.fixture(autouse=True)
def no_tablets_seen_yet(monkeypatch):
    """The control room's in-memory tablet list starts empty for every test (ids repeat)."""
    monkeypatch.setattr(events, "presence", {})


def token_of(app, grant: dict) -> str:
    return access.grant_token(app.config["SECRET_KEY"], grant)


def connect_tablet(app, db, workshop_id: int, label: str = "Tablet", **links):
    """A moderator's tablet connected with its join token; its welcome already read."""
    grant = access.create_grant(db, workshop_id, "moderator", label, **links)
    client = socketio.test_client(app, auth={"token": token_of(app, grant)})
    assert client.is_connected()
    client.get_received()
    return client, grant


def connect_organiser(app, organiser, workshop_id: int):
    """The control room of a workshop, signed in through the organiser's Flask client."""
    client = socketio.test_client(
        app, flask_test_client=organiser, auth={"workshop_id": workshop_id}
    )
    assert client.is_connected()
    client.get_received()
    return client


def connect_by_cookie(app, db, workshop_id: int, role: str, **links):
    """A participant's or analyst's page: signed in over HTTP, connected with the cookie."""
    browser = app.test_client()
    grant = sign_in_grant(browser, app, db, workshop_id, role, **links)
    client = socketio.test_client(app, flask_test_client=browser)
    assert client.is_connected()
    client.get_received()
    return client, browser, grant


def received(client, name: str = "change") -> list[dict]:
    """The first argument of every `name` event the client got since the last call."""
    return [m["args"][0] for m in client.get_received() if m["name"] == name]


def new_id() -> str:
    return uuid.uuid4().hex


def emit(client, event: str, data=None):
    """Send an event and return its acknowledgement."""
    return client.emit(event, data if data is not None else {}, callback=True)


def stored(db) -> tuple[int, int, int, int]:
    """Rows of note, note_version, change and operation: a refusal leaves them alone."""
    return tuple(db[t].count for t in ("note", "note_version", "change", "operation"))


# Connecting ------------------------------------------------------------------------------------


def test_welcome_carries_the_days_state_and_last_sequence_number(app, db, workshop, ids):
    day.start(db, workshop)
    grant = access.create_grant(
        db, workshop, "moderator", "Table 2 tablet", table_id=ids["tables"][1]
    )
    client = socketio.test_client(app, auth={"token": token_of(app, grant)})
    [welcome] = received(client, "welcome")
    assert welcome["role"] == "moderator"
    assert welcome["label"] == "Table 2 tablet"
    assert welcome["table_id"] == ids["tables"][1]
    assert welcome["seq"] == welcome["state"]["seq"] == 1
    assert welcome["state"]["status"] == "running"
    assert welcome["state"]["round_id"] == ids["rounds"][0]
    assert 0 < welcome["state"]["remaining"] <= 15 * 60


def test_the_organiser_must_name_an_existing_workshop(app, organiser, workshop):
    for wanted in (workshop + 100, True, str(workshop)):
        client = socketio.test_client(
            app, flask_test_client=organiser, auth={"workshop_id": wanted}
        )
        assert not client.is_connected(), wanted
    client = socketio.test_client(app, flask_test_client=organiser, auth={"workshop_id": workshop})
    [welcome] = received(client, "welcome")
    assert (welcome["role"], welcome["workshop_id"], welcome["table_id"]) == (
        "organiser",
        workshop,
        None,
    )


def test_each_audience_gets_only_its_rooms(app, db, organiser, workshop):
    """`all` reaches everyone, `staff` the organiser and analysts (a tablet only the changes of
    its own cells), `control` the organiser."""
    control = connect_organiser(app, organiser, workshop)
    tablet, _grant = connect_tablet(app, db, workshop)
    analyst, _b, _g = connect_by_cookie(app, db, workshop, "analyst")
    participant, _b, _g = connect_by_cookie(app, db, workshop, "participant")
    other_workshop = store.create_workshop(db, {"title": "Other café"})
    outsider = connect_organiser(app, organiser, other_workshop)
    for client in (control, tablet, analyst, participant, outsider):
        client.get_received()  # tablet_status of the tablet's arrival
    with app.app_context():
        events.broadcast({"seq": 1, "kind": "x", "audience": "all", "payload": {}}, workshop)
        events.broadcast({"seq": 2, "kind": "x", "audience": "staff", "payload": {}}, workshop)
    events.socketio.emit("tablet_status", {"grant_id": 0}, to=events.room(workshop, "control"))
    got = {
        name: [(m["name"], m["args"][0].get("seq")) for m in client.get_received()]
        for name, client in {
            "control": control,
            "tablet": tablet,
            "analyst": analyst,
            "participant": participant,
            "outsider": outsider,
        }.items()
    }
    staff = [("change", 1), ("change", 2)]
    assert got == {
        "control": [*staff, ("tablet_status", None)],
        "tablet": [("change", 1)],
        "analyst": staff,
        "participant": [("change", 1)],
        "outsider": [],
    }


# note_op ---------------------------------------------------------------------------------------


def test_a_note_is_acknowledged_stored_and_sent_to_staff_only(app, db, organiser, workshop, ids):
    tablet, grant = connect_tablet(app, db, workshop)
    same_table, _same = connect_tablet(app, db, workshop, "Table 1", table_id=ids["tables"][0])
    other_table, _other = connect_tablet(app, db, workshop, "Table 2", table_id=ids["tables"][1])
    control = connect_organiser(app, organiser, workshop)
    participant, _b, _g = connect_by_cookie(app, db, workshop, "participant")
    op = add_op(ids["rounds"][0], ids["tables"][0], kind="good_practice", starred=True)

    ack = emit(tablet, "note_op", op)

    assert ack == {"ok": True, "seq": 1, "uid": op["uid"], "duplicate": False}
    [note] = notes.notes(db, workshop)
    assert (note["uid"], note["kind"], note["text"], note["starred"]) == (
        op["uid"],
        "good_practice",
        "Peer mentoring helps",
        True,
    )
    for client in (tablet, same_table, control):  # the sender included
        [change] = received(client)
        assert (change["seq"], change["kind"], change["audience"]) == (1, "note", "staff")
        assert change["payload"]["uid"] == op["uid"]
        assert change["payload"]["text"] == "Peer mentoring helps"
    assert received(participant) == []
    assert received(other_table) == []  # another table's tablet reads nothing of table 1


def test_edit_and_delete_keep_the_notes_history(app, db, organiser, workshop, ids):
    tablet, _grant = connect_tablet(app, db, workshop)
    control = connect_organiser(app, organiser, workshop)
    op = add_op(ids["rounds"][0], ids["tables"][0])
    emit(tablet, "note_op", op)
    edited = emit(
        tablet,
        "note_op",
        {
            "op_id": new_id(),
            "type": "edit",
            "uid": op["uid"],
            "text": "Peer mentoring helps a lot",
            "kind": "insight",
            "starred": True,
        },
    )
    assert edited["ok"] and edited["seq"] == 2
    deleted = emit(tablet, "note_op", {"op_id": new_id(), "type": "delete", "uid": op["uid"]})
    assert deleted["ok"] and deleted["seq"] == 3
    changes = received(control)
    assert [c["payload"]["version"] for c in changes] == [1, 2, 3]
    assert changes[-1]["payload"]["deleted"] is True
    assert notes.notes(db, workshop) == []
    history = notes.history(db, workshop, op["uid"])
    assert [(v["version"], v["text"], v["starred"], v["deleted"]) for v in history] == [
        (1, "Peer mentoring helps", 0, 0),
        (2, "Peer mentoring helps a lot", 1, 0),
        (3, "Peer mentoring helps a lot", 1, 1),
    ]


def test_a_repeated_op_id_is_acknowledged_with_the_same_seq_and_not_applied_twice(
    app, db, organiser, workshop, ids
):
    tablet, _grant = connect_tablet(app, db, workshop)
    control = connect_organiser(app, organiser, workshop)
    op = add_op(ids["rounds"][0], ids["tables"][0])
    first = emit(tablet, "note_op", op)
    tablet.get_received()
    control.get_received()
    before = stored(db)

    again = emit(tablet, "note_op", op)  # the acknowledgement was lost: the outbox resends

    assert again == {**first, "duplicate": True}
    assert stored(db) == before
    assert len(notes.notes(db, workshop)) == 1
    assert received(tablet) == received(control) == []  # nothing new to broadcast
    # The same after a reconnect (a new Socket.IO session, the same outbox).
    tablet.disconnect()
    tablet.connect(auth={"token": token_of(app, _grant)})
    assert emit(tablet, "note_op", op)["seq"] == first["seq"]
    assert stored(db) == before


def test_another_tablets_note_cannot_be_changed(app, db, workshop, ids):
    writer, _grant = connect_tablet(app, db, workshop, "Writer")
    other, _other = connect_tablet(app, db, workshop, "Other")
    op = add_op(ids["rounds"][0], ids["tables"][0])
    emit(writer, "note_op", op)
    writer.get_received()
    other.get_received()
    before = stored(db)
    for kind in ("edit", "delete"):
        ack = emit(
            other,
            "note_op",
            {"op_id": new_id(), "type": kind, "uid": op["uid"], "text": "Mine now"},
        )
        assert ack == {"ok": False, "error": "Only the tablet that wrote a note can change it."}
    assert stored(db) == before
    assert notes.notes(db, workshop)[0]["text"] == "Peer mentoring helps"
    assert received(writer) == []


def test_a_tablet_cannot_write_into_another_workshop(app, db, workshop, ids):
    other = store.create_workshop(db, {"title": "Other café"})
    store.add_block(db, other, {"title": "Elsewhere"}, rounds=1)
    other_table = store.add_item(db, "tables", other, {"name": "Their table"})
    other_round = store.list_items(db, "round", other)[0]["id"]
    tablet, _grant = connect_tablet(app, db, workshop)
    before = stored(db)
    for round_id, table_id in (
        (other_round, other_table),
        (ids["rounds"][0], other_table),
        (other_round, ids["tables"][0]),
    ):
        ack = emit(tablet, "note_op", add_op(round_id, table_id))
        assert ack == {"ok": False, "error": "That table or round is not part of this workshop."}
    assert stored(db) == before


def test_a_table_tablet_writes_only_at_its_table(app, db, workshop, ids):
    tablet, _grant = connect_tablet(app, db, workshop, table_id=ids["tables"][0])
    before = stored(db)
    ack = emit(tablet, "note_op", add_op(ids["rounds"][0], ids["tables"][1]))
    assert ack == {
        "ok": False,
        "error": "This tablet does not take notes at that table in that round.",
    }
    assert stored(db) == before
    assert emit(tablet, "note_op", add_op(ids["rounds"][0], ids["tables"][0]))["ok"]


def test_a_moderators_tablet_writes_only_where_the_plan_puts_them(app, db, workshop, ids):
    rounds, tables = ids["rounds"], ids["tables"]
    second = store.add_item(db, "moderator", workshop, {"name": "Moderator Two"})
    # Round 1: moderator one at table 1; round 2: at table 2.
    db["lead"].insert_all(
        {"workshop_id": workshop, "round_id": r, "table_id": t, "moderator_id": m}
        for r, t, m in (
            (rounds[0], tables[0], ids["moderator"]),
            (rounds[0], tables[1], second),
            (rounds[1], tables[0], second),
            (rounds[1], tables[1], ids["moderator"]),
        )
    )
    tablet, _grant = connect_tablet(app, db, workshop, moderator_id=ids["moderator"])
    before = stored(db)
    for round_id, table_id in ((rounds[0], tables[1]), (rounds[1], tables[0])):
        ack = emit(tablet, "note_op", add_op(round_id, table_id))
        assert not ack["ok"]
        assert "does not take notes at that table" in ack["error"]
    assert stored(db) == before
    assert emit(tablet, "note_op", add_op(rounds[0], tables[0]))["ok"]
    assert emit(tablet, "note_op", add_op(rounds[1], tables[1]))["ok"]


BAD_NOTES = {
    "empty note": ({"text": ""}, "A note needs some text."),
    "whitespace only": ({"text": " \n\t "}, "A note needs some text."),
    "10,001 characters": (
        {"text": "x" * 10_001},
        "A note can hold up to 10000 characters; this one has 10001.",
    ),
    "control characters": (
        {"text": "before\x00after"},
        "The note contains control characters; remove them and try again.",
    ),
    "escape sequence": (
        {"text": "\x1b[2Jcleared"},
        "The note contains control characters; remove them and try again.",
    ),
    "unknown kind": (
        {"kind": "rumour"},
        "Choose a kind: insight, challenge, good_practice, idea, question, quote.",
    ),
    "text not a string": ({"text": ["a list"]}, "A note needs some text."),
    "unknown type": ({"type": "upsert"}, "Unknown operation."),
    "missing op_id": ({"op_id": None}, "The operation has no valid id."),
    "bad note uid": ({"uid": "<script>"}, "The note has no valid id."),
    "payload over 64 KB": ({"text": "x" * (64 * 1024 + 1)}, "The message is larger than 64 KB."),
}


@pytest.mark.parametrize("case", list(BAD_NOTES))
def test_bad_input_is_refused_clearly_and_nothing_is_stored(
    app, db, organiser, workshop, ids, case
):
    tablet, _grant = connect_tablet(app, db, workshop)
    control = connect_organiser(app, organiser, workshop)
    change, message = BAD_NOTES[case]
    op = {**add_op(ids["rounds"][0], ids["tables"][0]), **change}
    if op["op_id"] is None:
        del op["op_id"]
    before = stored(db)

    ack = emit(tablet, "note_op", op)

    assert ack == {"ok": False, "error": message}
    assert stored(db) == before
    assert received(tablet) == received(control) == []


@pytest.mark.parametrize("payload", ["add", ["add", {"op_id": "x"}], 42, None])
def test_a_payload_that_is_not_an_object_is_refused(app, db, workshop, payload):
    tablet, _grant = connect_tablet(app, db, workshop)
    before = stored(db)
    ack = tablet.emit("note_op", payload, callback=True)
    assert ack == {"ok": False, "error": "The operation has no valid id."}
    assert stored(db) == before


def test_ten_thousand_characters_with_line_breaks_are_accepted(app, db, workshop, ids):
    tablet, _grant = connect_tablet(app, db, workshop)
    text = ("Zażółć gęślą jaźń\t—\r\n" * 500)[:10_000]
    assert len(text) == 10_000
    ack = emit(tablet, "note_op", add_op(ids["rounds"][0], ids["tables"][0], text=text))
    assert ack["ok"]
    assert notes.notes(db, workshop)[0]["text"] == text


def test_a_payload_over_64_kb_in_utf8_is_refused(app, db, workshop):
    """Regression: the size was counted in characters, so 90 KB of '€' got through."""
    tablet, _grant = connect_tablet(app, db, workshop)
    payload = {"waiting": 1, "padding": "€" * 30_000}
    assert len(json.dumps(payload, ensure_ascii=False).encode()) > 64 * 1024
    assert emit(tablet, "outbox_status", payload) == {
        "ok": False,
        "error": "The message is larger than 64 KB.",
    }


def test_roles_are_checked_on_every_event(app, db, organiser, workshop, ids):
    participant, _b, _g = connect_by_cookie(app, db, workshop, "participant")
    analyst, _b, _g = connect_by_cookie(app, db, workshop, "analyst")
    control = connect_organiser(app, organiser, workshop)
    tablet, _grant = connect_tablet(app, db, workshop)
    op = add_op(ids["rounds"][0], ids["tables"][0])
    refusals = [
        (participant, "note_op", op, "participant"),
        (analyst, "note_op", op, "analyst"),
        (control, "note_op", op, "organiser"),
        (participant, "cell_get", {}, "participant"),
        (participant, "idea_decide", {"idea_id": 1, "accept": True}, "participant"),
        (tablet, "round_control", {"action": "start"}, "moderator"),
        (tablet, "announce", {"text": "Hello"}, "moderator"),
        (tablet, "note_hold", {"uid": op["uid"], "held": True}, "moderator"),
        (tablet, "tablets_get", {}, "moderator"),
        (analyst, "round_control", {"action": "start"}, "analyst"),
        (participant, "outbox_status", {"waiting": 1}, "participant"),
    ]
    for client, event, data, role in refusals:
        assert emit(client, event, data) == {
            "ok": False,
            "error": f"Your role ({role}) may not do this.",
        }, (event, role)
    assert stored(db) == (0, 0, 0, 0)
    assert day.state(db, workshop)["status"] == "waiting"


# Revoked links and floods ------------------------------------------------------------------------


def test_a_revoked_tablet_is_refused_on_its_next_event_and_disconnected(app, db, workshop, ids):
    tablet, grant = connect_tablet(app, db, workshop)
    assert emit(tablet, "catch_up", {"since": 0})["ok"]
    access.revoke_grant(db, workshop, grant["id"])
    ack = emit(tablet, "note_op", add_op(ids["rounds"][0], ids["tables"][0]))
    assert ack == {"ok": False, "revoked": True, "error": "This link has been revoked."}
    assert not tablet.is_connected()
    assert db["note"].count == 0
    # It cannot come back either.
    assert not socketio.test_client(app, auth={"token": token_of(app, grant)}).is_connected()


def test_revoking_a_link_tells_its_open_pages_at_once_and_closes_them(app, db, organiser, workshop):
    """Not at the next event: the revoke itself reaches the tablet, which is disconnected, and
    its session's reconnect is refused with the reason the page shows."""
    tablet, browser, grant = connect_by_cookie(app, db, workshop, "moderator")
    other, _other_browser, _other_grant = connect_by_cookie(app, db, workshop, "moderator")
    tablet.get_received()
    other.get_received()

    response = organiser.post(f"/w/{workshop}/access/{grant['id']}/revoke")

    assert response.status_code == 302
    assert not tablet.is_connected()
    told = [p for p in tablet.queue if p["name"] == "link_revoked"]  # what reached it first
    assert [p["args"][0] for p in told] == [{"message": "This link has been revoked."}]
    assert other.is_connected() and other.get_received() == []
    again = socketio.test_client(app, flask_test_client=browser)
    assert not again.is_connected()


def test_a_revoked_participant_is_disconnected_too(app, db, workshop):
    participant, _browser, grant = connect_by_cookie(app, db, workshop, "participant")
    access.revoke_grant(db, workshop, grant["id"])
    assert emit(participant, "catch_up", {"since": 0}) == {
        "ok": False,
        "revoked": True,
        "error": "This link has been revoked.",
    }
    assert not participant.is_connected()


def test_a_flood_of_events_is_refused_while_other_connections_carry_on(
    app, db, workshop, monkeypatch
):
    monkeypatch.setattr(events, "BUCKET_RATE", 0.0)  # no refill during the test: exact counts
    flooding, _grant = connect_tablet(app, db, workshop, "Flooding")
    calm, _other = connect_tablet(app, db, workshop, "Calm")
    answers = [emit(flooding, "catch_up", {"since": 0}) for _ in range(events.BUCKET_SIZE + 5)]
    assert all(a["ok"] for a in answers[: events.BUCKET_SIZE])
    assert (
        answers[events.BUCKET_SIZE :]
        == [{"ok": False, "retry": True, "error": "Too many events at once; slow down."}] * 5
    )
    assert emit(calm, "catch_up", {"since": 0})["ok"]
    assert flooding.is_connected()  # slowed down, not thrown out


def test_the_bucket_refills_with_time(app, db, workshop, monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(
        events, "time", types.SimpleNamespace(monotonic=lambda: clock[0], time=time.time)
    )
    tablet, _grant = connect_tablet(app, db, workshop)
    facts = events.connections[socketio.server.manager.sid_from_eio_sid(tablet.eio_sid, "/")]
    answers = [emit(tablet, "catch_up")["ok"] for _ in range(events.BUCKET_SIZE + 1)]
    assert answers == [True] * events.BUCKET_SIZE + [False]
    clock[0] += 1 / events.BUCKET_RATE + 1e-6  # one event's worth of time
    assert emit(tablet, "catch_up")["ok"] is True
    assert emit(tablet, "catch_up")["ok"] is False
    clock[0] += 3600  # a long quiet spell fills the bucket, no more
    answers = [emit(tablet, "catch_up")["ok"] for _ in range(events.BUCKET_SIZE + 1)]
    assert answers == [True] * events.BUCKET_SIZE + [False]
    assert facts["tokens"] < 1


# catch_up --------------------------------------------------------------------------------------


def test_catch_up_returns_the_changes_after_a_seq(app, db, organiser, workshop, ids):
    tablet, _grant = connect_tablet(app, db, workshop)
    control = connect_organiser(app, organiser, workshop)
    participant, _b, _g = connect_by_cookie(app, db, workshop, "participant")
    emit(control, "round_control", {"action": "start"})  # seq 1, all
    emit(tablet, "note_op", add_op(ids["rounds"][0], ids["tables"][0]))  # seq 2, staff
    emit(control, "announce", {"text": "Coffee is ready"})  # seq 3, all
    emit(tablet, "note_op", add_op(ids["rounds"][0], ids["tables"][0], text="Second"))  # 4

    staff = emit(tablet, "catch_up", {"since": 1})
    assert staff["ok"] and staff["more"] is False and staff["latest"] == 4
    assert [(c["seq"], c["kind"]) for c in staff["changes"]] == [
        (2, "note"),
        (3, "announcement"),
        (4, "note"),
    ]
    assert staff["changes"][1]["payload"] == {"text": "Coffee is ready"}
    assert staff["changes"][2]["payload"]["text"] == "Second"

    everyone = emit(participant, "catch_up", {"since": 0})
    assert [(c["seq"], c["kind"]) for c in everyone["changes"]] == [
        (1, "round_state"),
        (3, "announcement"),
    ]
    assert everyone["latest"] == 4  # nothing else for a participant up to 4: skip there
    assert everyone["changes"][0]["payload"]["status"] == "running"
    assert emit(tablet, "catch_up", {"since": 4}) == {
        "ok": True,
        "changes": [],
        "more": False,
        "latest": 4,
    }
    assert emit(tablet, "catch_up", {})["changes"][0]["seq"] == 1  # no since: from the start
    for since in (-1, "3", 2.5, None):
        assert emit(tablet, "catch_up", {"since": since}) == {
            "ok": False,
            "error": "Send the last sequence number seen.",
        }, since


def test_catch_up_pages_through_more_than_500_changes(app, db, workshop):
    # 1,200 logged changes, odd numbers for staff and even ones for everyone (one insert).
    db["change"].insert_all(
        {
            "workshop_id": workshop,
            "seq": seq,
            "kind": "note" if seq % 2 else "announcement",
            "audience": "staff" if seq % 2 else "all",
            "at": store.now(),
            "payload": json.dumps({"n": seq}),
        }
        for seq in range(1, 1201)
    )
    db.execute("INSERT INTO day_state (workshop_id, seq) VALUES (?, 1200)", [workshop])
    analyst, _b, _g = connect_by_cookie(app, db, workshop, "analyst")
    tablet, _grant = connect_tablet(app, db, workshop)  # these notes are at no table of its
    participant, _b, _g = connect_by_cookie(app, db, workshop, "participant")

    def pages(client):
        since, seen = 0, []
        while True:
            reply = emit(client, "catch_up", {"since": since})
            seen.append((len(reply["changes"]), reply["more"], reply["latest"]))
            assert all(c["seq"] > since for c in reply["changes"])
            since = reply["latest"]
            if not reply["more"]:
                return seen

    assert pages(analyst) == [(500, True, 500), (500, True, 1000), (200, False, 1200)]
    assert pages(tablet) == [(250, True, 500), (250, True, 1000), (100, False, 1200)]
    assert pages(participant) == [(500, True, 1000), (100, False, 1200)]
    everything = emit(participant, "catch_up", {"since": 1000})["changes"]
    assert {c["audience"] for c in everything} == {"all"}
    assert [c["seq"] for c in everything] == list(range(1002, 1201, 2))


# round_control and announce -------------------------------------------------------------------


def test_round_control_runs_the_day_for_every_screen(app, db, organiser, workshop, ids):
    control = connect_organiser(app, organiser, workshop)
    tablet, _grant = connect_tablet(app, db, workshop)
    participant, _b, _g = connect_by_cookie(app, db, workshop, "participant")
    full = 15 * 60

    def act(**data):
        ack = emit(control, "round_control", data)
        assert ack["ok"], ack
        for client in (control, tablet, participant):
            [change] = received(client)
            assert change["kind"] == "round_state"
            assert change["audience"] == "all"
            assert change["payload"] == ack["state"]
        return ack["state"]

    started = act(action="start")
    assert (started["status"], started["round_id"]) == ("running", ids["rounds"][0])
    assert full - 5 < started["remaining"] <= full
    paused = act(action="pause")
    assert paused["status"] == "paused"
    assert full - 5 < paused["remaining"] <= full
    extended = act(action="extend", minutes=5)
    assert extended["remaining"] == paused["remaining"] + 300  # paused: exact
    shortened = act(action="extend", minutes=-1.5)
    assert shortened["remaining"] == paused["remaining"] + 210
    resumed = act(action="resume")
    assert resumed["status"] == "running"
    assert resumed["remaining"] <= shortened["remaining"]
    assert act(action="chime", on=False)["chime"] is False
    second = act(action="advance")
    assert (second["round_id"], second["position"]) == (ids["rounds"][1], 2)
    assert full - 5 < second["remaining"] <= full
    assert act(action="start", round_id=ids["rounds"][0])["round_id"] == ids["rounds"][0]
    act(action="advance")
    assert act(action="advance")["status"] == "finished"
    # The state lives in the database, not in the server's memory.
    assert day.state(db, workshop)["status"] == "finished"
    assert day.state(db, workshop)["chime"] is False


def test_round_control_refuses_what_it_cannot_do(app, db, organiser, workshop):
    control = connect_organiser(app, organiser, workshop)
    refusals = [
        ({"action": "restart"}, "Unknown action."),
        ({}, "Unknown action."),
        ({"action": "pause"}, "round: The round is not running."),
        ({"action": "resume"}, "round: The round is not paused."),
        ({"action": "extend", "minutes": 5}, "round: Start a round first."),
        ({"action": "start", "round_id": 999}, "That round is not part of this workshop."),
    ]
    for data, message in refusals:
        assert emit(control, "round_control", data) == {"ok": False, "error": message}, data
    emit(control, "round_control", {"action": "start"})
    for minutes in ("5", True, None):
        assert emit(control, "round_control", {"action": "extend", "minutes": minutes}) == {
            "ok": False,
            "error": "minutes: Give the minutes as a number.",
        }
    assert emit(control, "round_control", {"action": "extend", "minutes": 500}) == {
        "ok": False,
        "error": "minutes: Extend by -60 to 120 minutes.",
    }
    assert db["change"].count == 1


def test_announce_reaches_everyone_and_is_kept(app, db, organiser, workshop):
    control = connect_organiser(app, organiser, workshop)
    participant, _b, _g = connect_by_cookie(app, db, workshop, "participant")
    tablet, _grant = connect_tablet(app, db, workshop)
    ack = emit(control, "announce", {"text": "Lunch in ten minutes"})
    assert ack == {"ok": True, "seq": 1}
    for client in (control, participant, tablet):
        [change] = received(client)
        assert (change["kind"], change["audience"], change["payload"]) == (
            "announcement",
            "all",
            {"text": "Lunch in ten minutes"},
        )
    assert [a["text"] for a in db["announcement"].rows] == ["Lunch in ten minutes"]
    for text in ("", "   ", "x" * 501, None, 5):
        assert emit(control, "announce", {"text": text}) == {
            "ok": False,
            "error": "An announcement needs 1 to 500 characters.",
        }
    assert emit(control, "announce", {"text": "x" * 500})["ok"]
    assert db["announcement"].count == 2


def test_note_hold_is_sent_to_staff_only(app, db, organiser, workshop, ids):
    tablet, _grant = connect_tablet(app, db, workshop)
    control = connect_organiser(app, organiser, workshop)
    participant, _b, _g = connect_by_cookie(app, db, workshop, "participant")
    op = add_op(ids["rounds"][0], ids["tables"][0])
    emit(tablet, "note_op", op)
    tablet.get_received()
    control.get_received()
    ack = emit(control, "note_hold", {"uid": op["uid"], "held": True})
    assert ack == {"ok": True, "seq": 2}
    for client in (control, tablet):
        [change] = received(client)
        assert change["kind"] == "note"
        assert change["payload"]["held"] is True
    assert received(participant) == []
    assert notes.notes(db, workshop)[0]["held"] is True
    assert emit(control, "note_hold", {"uid": op["uid"], "held": False})["ok"]
    assert notes.notes(db, workshop)[0]["held"] is False
    assert emit(control, "note_hold", {"uid": "nope", "held": True}) == {
        "ok": False,
        "error": "That note does not exist.",
    }


# Ideas from participants --------------------------------------------------------------------------


@pytest.fixture
def idea_day(app, db, workshop, ids):
    """Participants' pages on, the first round running, Zofia at table 1 with a join link."""
    store.update_workshop(db, workshop, {"participant_pages": True})
    store.update_item(
        db, "participant", workshop, ids["participant"], {"table_id": ids["tables"][0]}
    )
    day.start(db, workshop)
    browser = app.test_client()
    sign_in_grant(browser, app, db, workshop, "participant", participant_id=ids["participant"])
    return browser


def latest_idea(db) -> dict:
    return dict(next(db["idea"].rows_where(order_by="id desc", limit=1)))


def test_an_accepted_idea_becomes_a_participant_note(app, db, workshop, ids, idea_day):
    tablet, grant = connect_tablet(app, db, workshop, table_id=ids["tables"][0])
    participant = socketio.test_client(app, flask_test_client=idea_day)
    participant.get_received()

    response = idea_day.post(f"/w/{workshop}/ideas", data={"text": "Pair new staff with mentors"})

    assert response.status_code == 302
    idea = latest_idea(db)
    assert (idea["status"], idea["table_id"], idea["round_id"]) == (
        "pending",
        ids["tables"][0],
        ids["rounds"][0],
    )
    [change] = received(tablet)
    assert change["kind"] == "idea"
    assert change["payload"]["text"] == "Pair new staff with mentors"
    assert change["payload"]["status"] == "pending"
    assert "participant_id" not in change["payload"]  # ideas are anonymous
    assert [i["id"] for i in emit(tablet, "cell_get")["ideas"]] == [idea["id"]]

    assert emit(tablet, "idea_decide", {"idea_id": idea["id"], "accept": True}) == {"ok": True}

    note_change, idea_change = received(tablet)
    assert note_change["kind"] == "note"
    assert (note_change["payload"]["source"], note_change["payload"]["kind"]) == (
        "participant",
        "idea",
    )
    assert idea_change["payload"]["status"] == "accepted"
    [note] = notes.notes(db, workshop)
    assert (note["text"], note["source"], note["table_id"]) == (
        "Pair new staff with mentors",
        "participant",
        ids["tables"][0],
    )
    assert latest_idea(db)["status"] == "accepted"
    assert emit(tablet, "cell_get")["ideas"] == []
    assert received(participant) == []  # the idea and its note went to staff only
    assert emit(tablet, "idea_decide", {"idea_id": idea["id"], "accept": True}) == {
        "ok": False,
        "error": "That idea has been handled already.",
    }
    assert len(notes.notes(db, workshop)) == 1


def test_a_dismissed_idea_makes_no_note(app, db, workshop, ids, idea_day):
    tablet, _grant = connect_tablet(app, db, workshop, table_id=ids["tables"][0])
    idea_day.post(f"/w/{workshop}/ideas", data={"text": "Free lunch"})
    idea = latest_idea(db)
    assert emit(tablet, "idea_decide", {"idea_id": idea["id"], "accept": False}) == {"ok": True}
    assert latest_idea(db)["status"] == "dismissed"
    assert notes.notes(db, workshop) == []
    assert emit(tablet, "idea_decide", {"idea_id": str(idea["id"]), "accept": True})["ok"] is False


def test_another_tables_moderator_cannot_decide_an_idea(app, db, workshop, ids, idea_day):
    elsewhere, _grant = connect_tablet(app, db, workshop, table_id=ids["tables"][1])
    idea_day.post(f"/w/{workshop}/ideas", data={"text": "Rotate the chairs"})
    idea = latest_idea(db)
    assert received(elsewhere) == []  # another table's idea never reaches this tablet
    assert emit(elsewhere, "idea_decide", {"idea_id": idea["id"], "accept": True}) == {
        "ok": False,
        "error": "This idea was sent to another table.",
    }
    assert latest_idea(db)["status"] == "pending"
    assert notes.notes(db, workshop) == []


# Tablets' status in the control room ------------------------------------------------------------


def test_outbox_status_goes_to_the_control_room_only(app, db, organiser, workshop):
    control = connect_organiser(app, organiser, workshop)
    tablet, grant = connect_tablet(app, db, workshop)
    other_tablet, _other = connect_tablet(app, db, workshop, "Other")
    analyst, _b, _g = connect_by_cookie(app, db, workshop, "analyst")
    participant, _b, _g = connect_by_cookie(app, db, workshop, "participant")
    control.get_received()

    assert emit(tablet, "outbox_status", {"waiting": 3}) == {"ok": True}

    [status] = received(control, "tablet_status")
    assert (status["grant_id"], status["connected"], status["waiting"]) == (grant["id"], True, 3)
    assert status["last_activity"] > 0
    for client in (tablet, other_tablet, analyst, participant):
        assert client.get_received() == []
    for waiting in (-1, "3", None, 2.5):
        assert emit(tablet, "outbox_status", {"waiting": waiting}) == {
            "ok": False,
            "error": "Send how many notes are waiting.",
        }


def test_tablets_get_lists_every_tablet_and_disconnects_show(app, db, organiser, workshop, ids):
    control = connect_organiser(app, organiser, workshop)
    first, first_grant = connect_tablet(app, db, workshop, "First")
    second, second_grant = connect_tablet(app, db, workshop, "Second")
    emit(first, "outbox_status", {"waiting": 2})
    emit(second, "note_op", add_op(ids["rounds"][0], ids["tables"][0]))
    control.get_received()

    second.disconnect()

    [gone] = received(control, "tablet_status")
    assert (gone["grant_id"], gone["connected"]) == (second_grant["id"], False)
    reply = emit(control, "tablets_get")
    assert reply["ok"]
    tablets = reply["tablets"]
    assert set(tablets) == {str(first_grant["id"]), str(second_grant["id"])}
    assert (
        tablets[str(first_grant["id"])]["connected"],
        tablets[str(first_grant["id"])]["waiting"],
    ) == (True, 2)
    assert tablets[str(second_grant["id"])]["connected"] is False
    # Another workshop's control room sees none of them.
    other = store.create_workshop(db, {"title": "Other café"})
    assert emit(connect_organiser(app, organiser, other), "tablets_get") == {
        "ok": True,
        "tablets": {},
        "tables": {},
        "closed": [],
    }


# cell_get ---------------------------------------------------------------------------------------


def test_cell_get_gives_the_cell_the_carry_over_and_its_notes(app, db, organiser, workshop, ids):
    """Fixed groups: each moderator carries a question from group to group."""
    rounds, tables, questions = ids["rounds"], ids["tables"], ids["questions"]
    first_mod = ids["moderator"]
    store.update_item(db, "moderator", workshop, first_mod, {"question_id": questions[0]})
    second_mod = store.add_item(
        db, "moderator", workshop, {"name": "Moderator Two", "question_id": questions[1]}
    )
    store.update_item(db, "participant", workshop, ids["participant"], {"table_id": tables[1]})
    db["lead"].insert_all(
        {"workshop_id": workshop, "round_id": r, "table_id": t, "moderator_id": m}
        for r, t, m in (
            (rounds[0], tables[0], first_mod),
            (rounds[0], tables[1], second_mod),
            (rounds[1], tables[0], second_mod),
            (rounds[1], tables[1], first_mod),
        )
    )
    one, _one = connect_tablet(app, db, workshop, "One", moderator_id=first_mod)
    two, _two = connect_tablet(app, db, workshop, "Two", moderator_id=second_mod)
    control = connect_organiser(app, organiser, workshop)

    waiting = emit(one, "cell_get")  # before the day starts: the first round's cell
    assert waiting["ok"] and waiting["state"]["status"] == "waiting"
    assert (waiting["cell"]["round_id"], waiting["cell"]["table_id"]) == (rounds[0], tables[0])
    emit(control, "round_control", {"action": "start"})
    emit(one, "note_op", add_op(rounds[0], tables[0], text="Q1 said at table 1"))
    emit(two, "note_op", add_op(rounds[0], tables[1], text="Q2 said at table 2"))
    emit(control, "round_control", {"action": "advance"})
    emit(one, "note_op", add_op(rounds[1], tables[1], text="Q1 now at table 2"))
    emit(two, "note_op", add_op(rounds[1], tables[0], text="Q2 now at table 1"))

    reply = emit(one, "cell_get")

    assert reply["ok"]
    assert reply["state"]["round_id"] == rounds[1]
    assert reply["cell"] == {
        "round_id": rounds[1],
        "table_id": tables[1],
        "table": "Table 2",
        "block": "Morning",
        "round": 2,
        "question": "What works?",
        "prompt": "",
        "moderator": "Moderator One",
        "people": ["Zofia Wiśniewska"],
        "closed": False,
    }
    # The brief: what other groups said earlier on the same question, not at this table.
    assert [n["text"] for n in reply["brief"]] == ["Q1 said at table 1"]
    assert [(n["text"], n["own"]) for n in reply["notes"]] == [("Q1 now at table 2", True)]
    assert reply["ideas"] == []
    assert [(n["text"], n["own"]) for n in emit(two, "cell_get")["notes"]] == [
        ("Q2 now at table 1", True)
    ]


def test_cell_get_without_a_table_says_so(app, db, workshop, ids):
    rounds, tables = ids["rounds"], ids["tables"]
    db["lead"].insert(
        {
            "workshop_id": workshop,
            "round_id": rounds[0],
            "table_id": tables[0],
            "moderator_id": None,
        }
    )
    day.start(db, workshop)
    tablet, _grant = connect_tablet(app, db, workshop, moderator_id=ids["moderator"])
    reply = emit(tablet, "cell_get")  # the plan gives this moderator no table in round 1
    assert (reply["ok"], reply["cell"], reply["brief"], reply["notes"]) == (True, None, [], [])
    assert reply["state"]["round_id"] == rounds[0]


def test_participants_never_receive_staff_changes(app, db, organiser, workshop, ids, idea_day):
    participant = socketio.test_client(app, flask_test_client=idea_day)
    participant.get_received()
    control = connect_organiser(app, organiser, workshop)
    tablet, _grant = connect_tablet(app, db, workshop, table_id=ids["tables"][0])
    op = add_op(ids["rounds"][0], ids["tables"][0])
    emit(tablet, "note_op", op)
    emit(tablet, "note_op", {"op_id": new_id(), "type": "edit", "uid": op["uid"], "text": "Edited"})
    emit(control, "note_hold", {"uid": op["uid"], "held": True})
    idea_day.post(f"/w/{workshop}/ideas", data={"text": "An idea"})
    emit(tablet, "idea_decide", {"idea_id": latest_idea(db)["id"], "accept": True})
    emit(tablet, "outbox_status", {"waiting": 0})
    emit(tablet, "note_op", {"op_id": new_id(), "type": "delete", "uid": op["uid"]})
    emit(control, "announce", {"text": "Ten minutes left"})

    got = participant.get_received()

    assert [(m["name"], m["args"][0]["kind"]) for m in got] == [("change", "announcement")]
    assert "Edited" not in json.dumps(got)
    assert "An idea" not in json.dumps(got)


# Origins and the shipped tablet's traffic ------------------------------------------------------


def test_only_pages_of_the_same_origin_may_connect(app):
    """No cors_allowed_origins: the Origin must match the Host the server was reached by."""
    browser = app.test_client()
    handshake = "/socket.io/?EIO=4&transport=polling"
    refused = browser.get(handshake, headers={"Origin": "http://evil.example"})
    assert refused.status_code == 400
    assert b"Not an accepted origin" in refused.data
    assert browser.get(handshake, headers={"Origin": "http://localhost"}).status_code == 200
    lan = {"Origin": "http://192.168.1.20:5000", "Host": "192.168.1.20:5000"}
    assert browser.get(handshake, headers=lan).status_code == 200


def test_a_tablet_flushing_its_outbox_after_an_outage_loses_nothing(
    app, db, workshop, ids, monkeypatch
):
    """Even a client that reports its outbox after every note may flush 30 notes at once.

    Regression: with a bucket of 40 this was refused from about the 20th note with a plain
    {ok: false}, which tablet.js took as final: the notes left the outbox unsaved.
    """
    clock = [1000.0]
    monkeypatch.setattr(
        events, "time", types.SimpleNamespace(monotonic=lambda: clock[0], time=time.time)
    )
    tablet, _grant = connect_tablet(app, db, workshop)
    # What tablet.js sent on `welcome`: cell_get, outbox_status, then catch_up.
    emit(tablet, "cell_get")
    emit(tablet, "outbox_status", {"waiting": 30})
    emit(tablet, "catch_up", {"since": 0})
    outbox = [add_op(ids["rounds"][0], ids["tables"][0], text=f"Note {n}") for n in range(30)]
    answers = []
    for waiting, op in enumerate(outbox, start=1):
        clock[0] += 0.02  # a LAN round trip per acknowledged note
        answers.append(emit(tablet, "note_op", op))
        emit(tablet, "outbox_status", {"waiting": len(outbox) - waiting})  # saveOutbox()
    # Each answer is either saved or, at least, marked as one to send again.
    assert all(a["ok"] or a.get("retry") for a in answers), [a for a in answers if not a["ok"]][0]


def test_tablets_get_says_where_each_moderator_is_this_round(app, db, workshop, ids):
    """The control room learns from the server which table each tablet is at this round."""
    from kt_workshop.plan import store as plan

    store.update_item(
        db, "moderator", workshop, ids["moderator"], {"question_id": ids["questions"][0]}
    )
    plan.make_plan(db, workshop)
    table_grant = access.create_grant(db, workshop, "moderator", "T", table_id=ids["tables"][1])
    moderator_grant = access.create_grant(
        db, workshop, "moderator", "M", moderator_id=ids["moderator"]
    )
    day.start(db, workshop)
    flask_client = app.test_client()
    sign_in_organiser(flask_client, db)
    organiser = socketio.test_client(
        app, flask_test_client=flask_client, auth={"workshop_id": workshop}
    )
    tables = emit(organiser, "tablets_get")["tables"]
    assert tables[str(table_grant["id"])] == ids["tables"][1]
    lead = db.execute(
        "SELECT table_id FROM lead WHERE round_id = ? AND moderator_id = ?",
        [ids["rounds"][0], ids["moderator"]],
    ).fetchone()[0]
    assert tables[str(moderator_grant["id"])] == lead
