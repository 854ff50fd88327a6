"""Every Socket.IO handler and broadcast, and nothing else. docs/realtime.md lists each event.

A connection is accepted only from a signed-in browser (the session cookie) or with a join
token in the `auth` dict. It joins its workshop's rooms: `all` (round state, announcements)
for everyone, `staff` (notes, photos, ideas) for the organiser and analysts, and `control`
(tablets' status) for the organiser. A tablet (moderator) is sent only the notes, photos and
ideas of its own cells (cells.sees_change), live and on catch-up. Every event checks the
connection's grant again, and revoking a link, deleting its row or workshop, or ending a
session disconnects the connections that stood on it at once (`end_stale_connections`, run
after every change the organiser makes). Changes carry the workshop's sequence number; a
client that reconnects sends `catch_up` with the last number it saw.
"""

import json
import sqlite3
import threading
import time

from flask import current_app, request, session
from flask_socketio import ConnectionRefusedError, disconnect, emit, join_room

from kt_workshop import access, store
from kt_workshop.db import writing
from kt_workshop.i18n import _
from kt_workshop.live import cells, day, notes
from kt_workshop.plan.store import plan_changed
from kt_workshop.web import actor_from_grant, current_actor, get_db, grant_room, socketio

MAX_PAYLOAD = 64 * 1024
BUCKET_SIZE = 60  # events a connection may send in a burst
BUCKET_RATE = 20.0  # events per second it earns back
STAFF = ("organiser", "moderator", "analyst")
# Who is in the staff room and so receives every table's notes: never a tablet.
ROOM_STAFF = ("organiser", "analyst")

# Per-connection facts that the auth dict gave at connect time, by Socket.IO session id.
connections: dict[str, dict] = {}
# What the control room shows per tablet: connected, last activity, notes waiting.
presence: dict[int, dict[int, dict]] = {}
_lock = threading.Lock()


def room(workshop_id: int, audience: str) -> str:
    """The Socket.IO room of one audience of a workshop: all, staff or control."""
    return f"workshop-{workshop_id}-{audience}"


def broadcast(change: dict, workshop_id: int, author: int | None = None) -> None:
    """Send a logged change to everyone in its audience, the sender included; a tablet gets
    a staff change only when it is about one of its own cells or it wrote it (`author`: the
    writing tablet's grant id)."""
    socketio.emit("change", change, to=room(workshop_id, change["audience"]))
    if change["audience"] == "all":
        return
    for sid, facts in list(connections.items()):
        if facts["workshop_id"] != workshop_id or facts["role"] != "moderator":
            continue
        if facts["grant_id"] == author or tablet_sees(get_db(), facts, change):
            after = previous_seen(get_db(), facts, change)
            socketio.emit("change", change if after is None else {**change, "after": after}, to=sid)


GAP_LOOKBACK = 50  # changes looked through for the one a tablet saw before


def previous_seen(db, facts: dict, change: dict) -> int | None:
    """The sequence number of the change this tablet was meant to see before this one (0 when
    none), so it may apply this one without a catch-up when it has that one: the numbers in
    between are other tables' (live.js reads it as `after`). None when it is further back."""
    rows = db.execute(
        "SELECT seq, kind, audience, payload FROM change WHERE workshop_id = ? AND seq < ? "
        "ORDER BY seq DESC LIMIT ?",
        [facts["workshop_id"], change["seq"], GAP_LOOKBACK + 1],
    ).fetchall()
    for seq, kind, audience, payload in rows[:GAP_LOOKBACK]:
        earlier = {"seq": seq, "kind": kind, "audience": audience, "payload": json.loads(payload)}
        if tablet_sees(db, facts, earlier):
            return seq
    return 0 if len(rows) <= GAP_LOOKBACK else None


def tablet_sees(db, facts: dict, change: dict) -> bool:
    """True when a tablet may receive a change: about its own cells, or a note it wrote."""
    return cells.sees_change(db, facts["grant"], change) or cells.wrote(
        db, facts["grant_id"], change
    )


def still_allowed(db, facts: dict) -> bool:
    """True while what a connection stood on still holds: its grant is live (the same grant,
    by its nonce), its browser session has not ended, its workshop exists."""
    if facts.get("grant_id") is not None:
        grant = access.live_grant(db, facts["grant_id"])
        if grant is None or grant["nonce"] != facts["nonce"]:
            return False
    if (
        facts.get("session_key") is not None
        and access.session_alive(db, facts["session_key"]) is None
    ):
        return False
    row = db.execute("SELECT 1 FROM workshop WHERE id = ?", [facts["workshop_id"]]).fetchone()
    return row is not None


def end_stale_connections(db) -> int:
    """Disconnect at once every connection whose link was revoked or deleted, whose session
    ended or whose workshop is gone; each is told why first (`revoked`). Return how many."""
    ended = 0
    for sid, facts in list(connections.items()):
        if still_allowed(db, facts):
            continue
        if facts["grant_id"] is not None:
            message = _("This link has been revoked. Ask the organiser for a new one.")
        else:
            message = _("You are signed out.")
        if facts["grant_id"] is not None:
            # A link's pages show their "revoked" panel (and offer waiting notes to copy out).
            socketio.emit("link_revoked", {"message": message}, to=sid)
        else:
            socketio.emit("revoked", {"message": message}, to=sid)
        connections.pop(sid, None)
        if facts["role"] == "moderator":
            _tablet_seen(facts["workshop_id"], facts["grant_id"], connected=False)
        socketio.server.disconnect(sid, namespace="/")
        ended += 1
    return ended


@plan_changed.connect
def plan_change(sender, workshop_id: int, from_round_id=None, **_extra) -> None:
    """Sent by the plan's pages after a change: everyone in the workshop receives `change`
    plan ({from_round_id}), and screens that show the plan fetch it again."""
    db = get_db()
    try:
        with writing(db):
            change = day.record_change(
                db, workshop_id, "plan", {"from_round_id": from_round_id}, audience="all"
            )
    except sqlite3.OperationalError:
        # The plan itself is saved; screens pick it up at their next round change or reload.
        current_app.logger.warning("could not log the plan change of workshop %s", workshop_id)
        return
    broadcast(change, workshop_id)


def actor_for_connection(auth):
    """The actor behind a new connection and the session it rides on: its join token, else
    the browser session."""
    token = auth.get("token") if isinstance(auth, dict) else None
    if token:
        grant = access.grant_for_token(get_db(), current_app.config["SECRET_KEY"], str(token))
        return (actor_from_grant(grant) if grant else None), None
    actor = current_actor()
    return actor, (session.get("key") if actor is not None else None)


@socketio.on("connect")
def connect(auth=None):
    """Sent by every live page; the sender gets `welcome` with the day's state and last seq.

    auth: {"token": join token (tablets), "workshop_id": id (the organiser names one)}.
    Refused when not signed in, revoked, or asking for another workshop.
    """
    revoked = session_link_revoked()
    actor, session_key = actor_for_connection(auth)
    if actor is None:
        if revoked:
            # The tablet page says so and offers its waiting notes to copy out.
            raise ConnectionRefusedError(_("This link has been revoked."), {"revoked": True})
        raise ConnectionRefusedError(_("Please sign in first."))
    wanted = auth.get("workshop_id") if isinstance(auth, dict) else None
    workshop_id = actor.workshop_id
    if actor.role == "organiser":
        if not isinstance(wanted, int) or isinstance(wanted, bool):
            raise ConnectionRefusedError(_("Say which workshop to follow."))
        try:
            store.get_workshop(get_db(), wanted)
        except store.NotFound:
            raise ConnectionRefusedError(_("There is no such workshop.")) from None
        workshop_id = wanted
    elif wanted is not None and wanted != actor.workshop_id:
        raise ConnectionRefusedError(_("You have access to a different workshop."))
    grant = access.get_grant(get_db(), actor.grant_id) if actor.grant_id is not None else None
    connections[request.sid] = {
        "role": actor.role,
        "workshop_id": workshop_id,
        "grant_id": actor.grant_id,
        "grant": grant,
        "nonce": grant["nonce"] if grant else None,
        "session_key": session_key,
        "tokens": BUCKET_SIZE,
        "checked": time.monotonic(),
    }
    join_room(room(workshop_id, "all"))
    if actor.grant_id is not None:
        join_room(grant_room(actor.grant_id))  # so revoking the link reaches it at once
    if actor.role in ROOM_STAFF:
        join_room(room(workshop_id, "staff"))
    if actor.role == "organiser":
        join_room(room(workshop_id, "control"))
    if actor.role == "moderator":
        _tablet_seen(workshop_id, actor.grant_id, connected=True)
    state = day.state(get_db(), workshop_id)
    emit(
        "welcome",
        {
            "role": actor.role,
            "workshop_id": workshop_id,
            "state": state,
            "seq": state["seq"],
            "label": actor.label,
            "table_id": actor.table_id,
        },
    )


def session_link_revoked() -> bool:
    """True when the browser's session came from a join link the organiser has revoked."""
    grant_id = session.get("grant_id")
    if grant_id is None:
        return False
    try:
        return access.get_grant(get_db(), int(grant_id))["revoked_at"] is not None
    except (store.NotFound, TypeError, ValueError):
        return False


@socketio.on("disconnect")
def on_disconnect(*_args):
    """Sent by the transport when a page goes away; the control room sees the tablet drop."""
    facts = connections.pop(request.sid, None)
    if facts and facts["role"] == "moderator":
        _tablet_seen(facts["workshop_id"], facts["grant_id"], connected=False)


def checked(*roles: str):
    """Wrap a handler: known connection, right role, live grant, size and rate limits."""

    def decorate(handler):
        def wrapper(data=None):
            facts = connections.get(request.sid)
            if facts is None:
                return {"ok": False, "error": _("Please sign in first.")}
            if facts["grant_id"] is not None:
                grant = access.live_grant(get_db(), facts["grant_id"])
                if grant is None or grant["nonce"] != facts["nonce"]:
                    connections.pop(request.sid, None)
                    disconnect()
                    return {"ok": False, "revoked": True, "error": _("This link has been revoked.")}
                facts["grant"] = grant
            if facts["role"] not in roles:
                return {
                    "ok": False,
                    "error": _(
                        "Your role (%(role)s) may not do this.",
                        role=access.role_name(facts["role"]),
                    ),
                }
            if not _take_token(facts):
                # retry: the client keeps the operation and sends it again a little later.
                return {
                    "ok": False,
                    "retry": True,
                    "error": _("Too many events at once; slow down."),
                }
            if len(json.dumps(data, ensure_ascii=False, default=str).encode()) > MAX_PAYLOAD:
                return {"ok": False, "error": _("The message is larger than 64 KB.")}
            try:
                return handler(facts, data if isinstance(data, dict) else {})
            except (notes.Refused, store.InputError, store.NotFound) as error:
                return {"ok": False, "error": str(error)}
            except sqlite3.OperationalError:
                # The database stayed locked past the busy timeout: nothing was written, so
                # the client keeps the operation and sends it again.
                return {
                    "ok": False,
                    "retry": True,
                    "error": _("The server is busy; this will be sent again."),
                }

        wrapper.__name__ = handler.__name__
        wrapper.__doc__ = handler.__doc__
        wrapper.access_roles = frozenset(roles)  # read by the access matrix and its tests
        return wrapper

    return decorate


def _take_token(facts: dict) -> bool:
    """Token bucket per connection: True when this event is within the rate limit."""
    now = time.monotonic()
    facts["tokens"] = min(BUCKET_SIZE, facts["tokens"] + (now - facts["checked"]) * BUCKET_RATE)
    facts["checked"] = now
    if facts["tokens"] < 1:
        return False
    facts["tokens"] -= 1
    return True


def _tablet_seen(workshop_id: int, grant_id: int, connected=None, waiting=None) -> None:
    """Update what the control room knows of one tablet and tell the control room."""
    with _lock:
        entry = presence.setdefault(workshop_id, {}).setdefault(
            grant_id, {"connected": False, "last_activity": None, "waiting": 0}
        )
        if connected is not None:
            entry["connected"] = connected
        if waiting is not None:
            entry["waiting"] = waiting
        entry["last_activity"] = time.time()
        snapshot = {"grant_id": grant_id, **entry}
    socketio.emit("tablet_status", snapshot, to=room(workshop_id, "control"))


@socketio.on("note_op")
@checked("moderator")
def note_op(facts, data):
    """Sent by a tablet: add, edit or delete a note (see notes.apply_operation).

    Acknowledged with {ok, seq, uid} (the same again for a repeated op_id) or {ok: false,
    error}; the staff room, sender included, receives `change` with the note.
    """
    result = notes.apply_operation(get_db(), facts["workshop_id"], facts["grant"], data)
    if not result.get("duplicate"):
        broadcast(result["change"], facts["workshop_id"], author=facts["grant_id"])
    _tablet_seen(facts["workshop_id"], facts["grant_id"])
    return {
        "ok": True,
        "seq": result["seq"],
        "uid": result["uid"],
        "duplicate": bool(result.get("duplicate")),
    }


@socketio.on("catch_up")
@checked("organiser", "moderator", "participant", "analyst")
def catch_up(facts, data):
    """Sent by any page after (re)connecting: {since: last seq seen}.

    Acknowledged with {ok, changes: [...oldest first], more: bool, latest: seq the client
    may skip to}; nothing is broadcast.
    """
    since = data.get("since", 0)
    if isinstance(since, bool) or not isinstance(since, int) or since < 0:
        return {"ok": False, "error": _("Send the last sequence number seen.")}
    db = get_db()
    # Read the latest number first: every change up to it that this audience may see is in
    # the answer, so the client may skip to it (changes for other audiences leave gaps).
    latest = day.latest_seq(db, facts["workshop_id"])
    found = day.changes_since(
        db, facts["workshop_id"], since, staff=facts["role"] in STAFF, limit=501
    )
    more = len(found) > 500
    shown = found[:500]
    if facts["role"] == "moderator":
        own = cells.uids_written_by(db, facts["grant_id"])
        shown = [
            c
            for c in shown
            if cells.sees_change(db, facts["grant"], c) or c["payload"].get("uid") in own
        ]
    return {
        "ok": True,
        "changes": shown,
        "more": more,
        "latest": found[499]["seq"] if more else latest,
    }


@socketio.on("cell_get")
@checked("moderator")
def cell_get(facts, data):
    """Sent by a tablet: where am I now? Acknowledged with the current cell, the carry-over
    brief from earlier rounds and this cell's notes; nothing is broadcast."""
    return {"ok": True, **cells.tablet_cell(get_db(), facts["workshop_id"], facts["grant"])}


@socketio.on("outbox_status")
@checked("moderator")
def outbox_status(facts, data):
    """Sent by a tablet when its outbox changes: {waiting: n}; the control room receives
    `tablet_status` for it. Acknowledged with {ok}."""
    waiting = data.get("waiting")
    if isinstance(waiting, bool) or not isinstance(waiting, int) or waiting < 0:
        return {"ok": False, "error": _("Send how many notes are waiting.")}
    _tablet_seen(facts["workshop_id"], facts["grant_id"], waiting=waiting)
    return {"ok": True}


ROUND_ACTIONS = {
    "start": lambda db, w, d: day.start(db, w, d.get("round_id")),
    "pause": lambda db, w, d: day.pause(db, w),
    "resume": lambda db, w, d: day.resume(db, w),
    "extend": lambda db, w, d: day.extend(db, w, _number(d.get("minutes"))),
    "advance": lambda db, w, d: day.advance(db, w),
    "chime": lambda db, w, d: day.set_chime(db, w, bool(d.get("on"))),
}


def _number(value) -> float:
    """A number of minutes from an event, or InputError."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise store.InputError({"minutes": _("Give the minutes as a number.")})
    return float(value)


@socketio.on("round_control")
@checked("organiser")
def round_control(facts, data):
    """Sent by the control room: {action: start|pause|resume|extend|advance|chime, ...}.

    Acknowledged with {ok, state}; everyone in the workshop receives `change` round_state.
    """
    action = ROUND_ACTIONS.get(data.get("action"))
    if action is None:
        return {"ok": False, "error": _("Unknown action.")}
    change = action(get_db(), facts["workshop_id"], data)
    broadcast(change, facts["workshop_id"])
    return {"ok": True, "state": change["payload"]}


@socketio.on("announce")
@checked("organiser")
def announce(facts, data):
    """Sent by the control room: {text}. Everyone receives `change` announcement."""
    text = data.get("text")
    if not isinstance(text, str) or not text.strip() or len(text) > 500:
        return {"ok": False, "error": _("An announcement needs 1 to 500 characters.")}
    db = get_db()
    from kt_workshop.db import writing

    with writing(db):
        db["announcement"].insert(
            {"workshop_id": facts["workshop_id"], "text": text, "at": store.now()}
        )
        change = day.record_change(
            db, facts["workshop_id"], "announcement", {"text": text}, audience="all"
        )
    broadcast(change, facts["workshop_id"])
    return {"ok": True, "seq": change["seq"]}


@socketio.on("note_hold")
@checked("organiser")
def note_hold(facts, data):
    """Sent by the projector's operator: {uid, held}. Staff receive `change` note."""
    change = notes.set_held(
        get_db(), facts["workshop_id"], str(data.get("uid")), bool(data.get("held"))
    )
    broadcast(change, facts["workshop_id"])
    return {"ok": True, "seq": change["seq"]}


@socketio.on("idea_decide")
@checked("moderator")
def idea_decide(facts, data):
    """Sent by a tablet: {idea_id, accept}. Accepting makes the idea a note of the cell;
    staff receive `change` idea (and `change` note when accepted)."""
    changes = cells.decide_idea(
        get_db(),
        facts["workshop_id"],
        facts["grant"],
        data.get("idea_id"),
        bool(data.get("accept")),
    )
    for change in changes:
        broadcast(change, facts["workshop_id"], author=facts["grant_id"])
    return {"ok": True}


@socketio.on("tablets_get")
@checked("organiser")
def tablets_get(facts, data):
    """Sent by the control room on load, when the round changes and after a plan change:
    acknowledged with every tablet's status, per moderator link the table it is at in the
    current round, and the tables closed in that round."""
    db = get_db()
    round_id = day.state(db, facts["workshop_id"])["round_id"]
    grants = db["access"].rows_where(
        "workshop_id = ? AND role = 'moderator' AND revoked_at IS NULL", [facts["workshop_id"]]
    )
    tables = {
        str(g["id"]): cells.tablet_table(db, facts["workshop_id"], g, round_id) for g in grants
    }
    closed = [
        row[0]
        for row in db.execute("SELECT table_id FROM closed_table WHERE round_id = ?", [round_id])
    ]
    with _lock:
        found = {str(k): dict(v) for k, v in presence.get(facts["workshop_id"], {}).items()}
    return {"ok": True, "tablets": found, "tables": tables, "closed": closed}
