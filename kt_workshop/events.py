"""Every Socket.IO handler and broadcast, and nothing else. docs/realtime.md lists each event.

A connection is accepted only from a signed-in browser (the session cookie) or with a join
token in the `auth` dict; it joins the room of its workshop and receives that room's
broadcasts only. Every event re-checks the actor, so a revoked link stops working at once.
"""

from flask import current_app, request
from flask_socketio import ConnectionRefusedError, emit, join_room

from kt_workshop import access, socketio
from kt_workshop.i18n import _
from kt_workshop.web import actor_from_grant, current_actor, get_db


def room_for(workshop_id: int) -> str:
    """The Socket.IO room that receives a workshop's broadcasts."""
    return f"workshop-{workshop_id}"


def actor_for_connection(auth):
    """The actor behind a new connection: its join token, else the browser session."""
    token = (auth or {}).get("token") if isinstance(auth, dict) else None
    if token:
        grant = access.grant_for_token(get_db(), current_app.config["SECRET_KEY"], str(token))
        return actor_from_grant(grant) if grant else None
    return current_actor()


@socketio.on("connect")
def connect(auth=None):
    """Sent by any page that follows the day live; the server answers `welcome` to the sender.

    `auth` may be {"token": <join token>, "workshop_id": <id>}; the organiser names the
    workshop to follow with `workshop_id`. Refused when not signed in or not allowed there.
    """
    actor = actor_for_connection(auth)
    if actor is None:
        raise ConnectionRefusedError(_("Please sign in first."))
    wanted = (auth or {}).get("workshop_id") if isinstance(auth, dict) else None
    workshop_id = actor.workshop_id
    if actor.role == "organiser":
        if not isinstance(wanted, int):
            raise ConnectionRefusedError(_("Say which workshop to follow."))
        workshop_id = wanted
    elif wanted is not None and wanted != actor.workshop_id:
        raise ConnectionRefusedError(_("You have access to a different workshop."))
    join_room(room_for(workshop_id))
    emit("welcome", {"role": actor.role, "workshop_id": workshop_id, "sid": request.sid})
