"""Socket.IO connections: only signed-in people get in, and only to their own workshop."""

from kt_workshop import access, socketio
from tests.conftest import sign_in_grant


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
