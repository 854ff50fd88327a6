"""The security audit's findings (issue 16), each as the attack that used to work.

Every test here is the repro from the audit, run against the app as a user (or an attacker)
would: a browser with a cookie, a tablet with a token, a script with a bearer token, a file.
"""

import io
import json
import os
import stat
from pathlib import Path

import pytest
from conftest import add_op, sign_in_grant, sign_in_organiser

from kt_workshop import access, archive, store
from kt_workshop.db import backup_to, init_db, open_db
from kt_workshop.live import day, notes
from kt_workshop.migrations import migrations
from kt_workshop.web import socketio

COOKIE = "kt_workshop_session"


@pytest.fixture(autouse=True)
def quick(no_fsync):
    """Behaviour, not durability: no fsync per commit."""


def token_of(app, grant: dict) -> str:
    return access.grant_token(app.config["SECRET_KEY"], grant)


def connect_tablet(app, grant: dict):
    """A tablet connected with its join token, its welcome read."""
    client = socketio.test_client(app, auth={"token": token_of(app, grant)})
    assert client.is_connected()
    client.get_received()
    return client


def copy_of(app, client):
    """Another browser holding a copy of the client's session cookie."""
    thief = app.test_client()
    thief.set_cookie(COOKIE, client.get_cookie(COOKIE).value)
    return thief


def event_names(client) -> list[str]:
    return [m["name"] for m in client.get_received()]


# 1. Ids are never reused; a session is bound to its grant's secret ---------------------------


def test_a_deleted_delegates_session_does_not_become_the_next_links_analyst(
    app, db, workshop, ids, organiser
):
    old = app.test_client()
    grant = sign_in_grant(old, app, db, workshop, "participant", participant_id=ids["participant"])
    assert old.get("/api/v1/me").json["role"] == "participant"
    # Deleting the delegate takes their link with it.
    organiser.post(f"/w/{workshop}/delegates/{ids['participant']}/delete")
    analyst = access.create_grant(db, workshop, "analyst")

    assert analyst["id"] != grant["id"]
    assert old.get("/api/v1/me").status_code == 401
    assert old.get(f"/w/{workshop}/coding").status_code == 302  # to the welcome page


def test_a_session_stands_for_its_grant_not_for_whatever_row_has_its_id(app, db, workshop):
    old = app.test_client()
    grant = sign_in_grant(old, app, db, workshop, "participant")
    # Even were an id ever given out again, the new row has its own nonce: no takeover.
    db.execute("DELETE FROM access WHERE id = ?", [grant["id"]])
    db["access"].insert({**grant, "role": "analyst", "nonce": "a-new-secret"})
    db.conn.commit()
    assert old.get("/api/v1/me").status_code == 401


def test_a_deleted_workshops_tablet_is_not_the_next_workshops_moderator(
    app, db, workshop, ids, organiser
):
    grant = access.create_grant(db, workshop, "moderator", table_id=ids["tables"][0])
    tablet = connect_tablet(app, grant)
    browser = app.test_client()
    assert browser.get(f"/join/{token_of(app, grant)}").status_code == 302
    organiser.post(f"/w/{workshop}/delete", data={"confirm_title": "Test café"})

    rehearsal = store.create_workshop(db, {"title": "The real day"})
    assert rehearsal != workshop
    block = store.add_block(db, rehearsal, {"title": "Morning"}, rounds=1, minutes=15)
    store.add_item(db, "question", rehearsal, {"text": "Q", "block_id": block})
    table = store.add_item(db, "tables", rehearsal, {"name": "Table 1"})
    new_grant = access.create_grant(db, rehearsal, "moderator", table_id=table)
    new_tablet = connect_tablet(app, new_grant)
    round_id = store.list_items(db, "round", rehearsal)[0]["id"]
    assert new_tablet.emit("note_op", add_op(round_id, table), callback=True)["ok"]

    assert not tablet.is_connected()  # cut off when its workshop went
    assert browser.get("/api/v1/me").status_code == 401
    assert browser.get(f"/w/{rehearsal}/tablet").status_code == 302


def test_a_new_participant_does_not_see_a_deleted_ones_feedback(app, db, workshop, ids):
    store.update_workshop(db, workshop, {"participant_pages": True})
    from kt_workshop.live import feedback

    feedback.set_questions(db, workshop, "text: What next?")
    [question] = feedback.questions(db, workshop)
    first = app.test_client()
    grant = sign_in_grant(first, app, db, workshop, "participant")
    first.post(f"/w/{workshop}/feedback", data={f"q{question['id']}": "My private answer"})
    access.revoke_grant(db, workshop, grant["id"])
    db.execute("DELETE FROM access WHERE id = ?", [grant["id"]])
    db.conn.commit()

    second = app.test_client()
    sign_in_grant(second, app, db, workshop, "participant")
    page = second.get(f"/w/{workshop}/feedback").get_data(as_text=True)
    assert "My private answer" not in page


def test_the_migration_keeps_every_row_and_makes_ids_unique_for_good(tmp_path):
    path = tmp_path / "old.db"
    db = open_db(path)
    migrations.apply(db, stop_before="m_issue16_ids_never_reused")
    workshop = store.create_workshop(db, {"title": "Before"})
    store.add_item(db, "tables", workshop, {"name": "Table 1"})
    gone = store.create_workshop(db, {"title": "Deleted"})
    kept = access.create_grant(db, workshop, "moderator")
    db.close()

    db = init_db(path)
    assert sorted(w["title"] for w in store.list_workshops(db)) == ["Before", "Deleted"]
    assert access.get_grant(db, kept["id"])["nonce"] == kept["nonce"]
    assert [t["name"] for t in store.list_items(db, "tables", workshop)] == ["Table 1"]
    store.delete_workshop(db, workshop)  # cascades still work after the rebuild
    assert db["tables"].count == 0 and db["access"].count == 0
    store.delete_workshop(db, gone)
    after = store.create_workshop(db, {"title": "After"})
    assert after > gone  # the last id is not handed out again
    assert access.create_grant(db, after, "analyst")["id"] > kept["id"]


# 2. Revoking a link disconnects its live connections at once ----------------------------------


def test_revoking_a_link_disconnects_a_listening_tablet_at_once(app, db, workshop, organiser):
    grant = access.create_grant(db, workshop, "moderator")
    tablet = connect_tablet(app, grant)  # listens, never sends
    browser = app.test_client()
    participant = sign_in_grant(browser, app, db, workshop, "participant")
    listener = socketio.test_client(app, flask_test_client=browser)
    listener.get_received()

    organiser.post(f"/w/{workshop}/access/{grant['id']}/revoke")
    organiser.post(f"/api/v1/workshops/{workshop}/access/{participant['id']}/revoke")

    assert not tablet.is_connected()
    assert not listener.is_connected()


def test_the_tablet_is_told_why_before_it_is_cut_off(app, db, workshop):
    from kt_workshop.live import events

    grant = access.create_grant(db, workshop, "moderator")
    tablet = connect_tablet(app, grant)
    access.revoke_grant(db, workshop, grant["id"])
    with app.app_context():
        from kt_workshop.web import get_db

        assert events.end_stale_connections(get_db()) == 1
    assert not tablet.is_connected()


# 3. A table's link sees its own cells, nothing else -------------------------------------------


def test_a_table_cards_link_reads_only_its_own_table(app, db, workshop, ids):
    day.start(db, workshop)
    first, second = ids["tables"]
    round_id = ids["rounds"][0]
    writer = access.create_grant(db, workshop, "moderator", table_id=first)
    reader = access.create_grant(db, workshop, "moderator", table_id=second)
    writing = connect_tablet(app, writer)
    for text in ("A child's name and case", "Another case"):
        assert writing.emit("note_op", add_op(round_id, first, text), callback=True)["ok"]
    upload = app.test_client().post(
        f"/w/{workshop}/photos",
        headers={"Authorization": f"Bearer {token_of(app, writer)}"},
        data={
            "photo": (io.BytesIO(png()), "p.png"),
            "uid": "photo-table-1",
            "round_id": str(round_id),
            "table_id": str(first),
        },
    )
    photo_id = upload.json["id"]

    scanned = connect_tablet(app, reader)  # whoever scanned table 2's card
    caught_up = scanned.emit("catch_up", {"since": 0}, callback=True)
    texts = json.dumps(caught_up["changes"])
    assert "case" not in texts and "photo-table-1" not in texts
    assert caught_up["latest"] == day.latest_seq(db, workshop)
    own = scanned.emit("cell_get", {}, callback=True)
    assert own["cell"]["table_id"] == second and own["notes"] == []
    headers = {"Authorization": f"Bearer {token_of(app, reader)}"}
    photo = app.test_client().get(f"/w/{workshop}/photos/{photo_id}", headers=headers)
    assert photo.status_code == 404
    # Its own table's tablet does get them.
    writer_view = connect_tablet(app, writer).emit("catch_up", {"since": 0}, callback=True)
    assert "A child's name and case" in json.dumps(writer_view["changes"])


def png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (20, 10), "white").save(out, "PNG")
    return out.getvalue()


# 4. Deleting a workshop deletes its files -----------------------------------------------------


def test_deleting_a_workshop_deletes_its_report_packs(app, db, workshop, organiser):
    folder = Path(app.instance_path) / "exports" / f"workshop-{workshop}"
    folder.mkdir(parents=True)
    (folder / "report.docx").write_bytes(b"names and notes")
    organiser.post(f"/w/{workshop}/delete", data={"confirm_title": "Test café"})
    assert not folder.exists()
    other = store.create_workshop(db, {"title": "By the API"})
    folder = Path(app.instance_path) / "exports" / f"workshop-{other}"
    folder.mkdir(parents=True)
    assert organiser.delete(f"/api/v1/workshops/{other}").status_code == 204
    assert not folder.exists()


def test_deleted_photos_are_overwritten_in_the_database_file(app, db):
    assert db.execute("PRAGMA secure_delete").fetchone()[0] == 1


# 6. Malicious archives are refused with the reason, and nothing is written --------------------


def archive_of(db, workshop) -> dict:
    """A real archive of the small workshop, with one note, to spoil."""
    return json.loads(archive.archive_bytes(archive.export_workshop(db, workshop)))


def spoiled(db, workshop, ids):
    """Each way the audit spoiled an archive, as (name, archive)."""
    day.start(db, workshop)
    grant = access.create_grant(db, workshop, "moderator", table_id=ids["tables"][0])
    notes.apply_operation(db, workshop, grant, add_op(ids["rounds"][0], ids["tables"][0]))
    db["theme"].insert({"workshop_id": workshop, "name": "T", "created_at": "x", "updated_at": "x"})
    base = archive_of(db, workshop)

    def variant(change):
        copy = json.loads(json.dumps(base))
        change(copy["tables"])
        return copy

    def nested_themes(tables):
        tables["theme"] = [
            {**tables["theme"][0], "id": n, "parent_id": n - 1 if n > 1 else None}
            for n in range(1, 5001)
        ]

    def deep_extra(tables):
        tables["participant"][0]["extra"] = "[" * 10_000 + "]" * 10_000

    def extra_as_object(tables):
        deep: dict = {}
        for _level in range(500):
            deep = {"x": deep}
        tables["participant"][0]["extra"] = deep

    def set_note(column, value):
        return lambda tables: tables["note"][0].update({column: value})

    return {
        "5,000 nested themes": variant(nested_themes),
        "extra 10,000 levels deep": variant(deep_extra),
        "extra as nested objects": variant(extra_as_object),
        "note text as a list": variant(set_note("text", ["a", "b"])),
        "note text as a blob": variant(set_note("text", {"base64": "AAAA"})),
        "unknown note kind": variant(set_note("kind", "gossip")),
        "round number as text": variant(lambda t: t["round"][0].update({"minutes": "many"})),
        "note with control characters": variant(set_note("text", "bell\x07")),
        "text of a million characters": variant(set_note("text", "x" * 1_000_000)),
    }


def test_malicious_archives_are_refused_with_the_reason_and_nothing_written(
    app, db, workshop, ids, organiser
):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    before = db["workshop"].count
    for name, bad in spoiled(db, workshop, ids).items():
        response = organiser.post("/api/v1/archive", data=json.dumps(bad))
        assert response.status_code == 422, (name, response.status_code)
        assert response.json["error"], name
        assert db["workshop"].count == before, name


def test_an_archive_nested_100000_levels_deep_is_refused(app, organiser):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = organiser.post("/api/v1/archive", data="[" * 100_000 + "]" * 100_000)
    assert response.status_code == 422
    with pytest.raises(archive.ArchiveError):
        archive.load_archive(
            b'{"format": "kt-workshop-archive", "version": 1, "tables": '
            + b'{"x": [' * 10
            + b"]}" * 10
            + b"}"
        )


# 7. Signing out ends the session on the server ------------------------------------------------


def test_signing_out_ends_a_copied_organiser_cookie(app, organiser):
    thief = copy_of(app, organiser)
    assert thief.get("/api/v1/workshops").status_code == 200
    organiser.post("/signout")
    assert thief.get("/api/v1/workshops").status_code == 401
    assert organiser.get("/api/v1/workshops").status_code == 401


def test_sign_out_everywhere_ends_every_organiser_session_and_its_live_connection(
    app, db, workshop
):
    laptop, lost = app.test_client(), app.test_client()
    sign_in_organiser(laptop, db)
    sign_in_organiser(lost, db)
    control = socketio.test_client(app, flask_test_client=lost, auth={"workshop_id": workshop})
    assert control.is_connected()
    participant = app.test_client()
    sign_in_grant(participant, app, db, workshop, "participant")

    assert laptop.post("/account/signout-everywhere").status_code == 302
    for client in (laptop, lost):
        assert client.get("/api/v1/workshops").status_code == 401
    assert not control.is_connected()
    assert participant.get("/api/v1/me").status_code == 200  # links are not sessions of hers


# 8. Malformed input never gives a 500 ---------------------------------------------------------


def test_malformed_tokens_and_huge_ids_are_refused_not_a_server_error(app, db, workshop, organiser):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    anonymous = app.test_client()
    assert anonymous.get("/join/%C2%B2.abc").status_code == 302
    for token in ("99999999999999999999999.abc", "²³.abc", "-1.abc", "0.abc"):
        headers = {"Authorization": f"Bearer {token}"}
        assert anonymous.get("/api/v1/me", headers=headers).status_code == 401, token
    huge = 2**63
    for path in (
        f"/api/v1/workshops/{huge}",
        f"/api/v1/workshops/{workshop}/tables/{huge}",
        f"/w/{huge}",
        f"/w/{workshop}/photos/{huge * 10}",
    ):
        assert organiser.get(path).status_code == 404, path
    for body in ({"table_id": huge}, {"table_id": "²"}, {"moderator_id": -(2**70)}):
        response = organiser.post(
            f"/api/v1/workshops/{workshop}/access", json={"role": "moderator", **body}
        )
        assert response.status_code == 422, body
    form = organiser.post(f"/w/{workshop}/access", data={"role": "moderator", "table_id": "²"})
    assert form.status_code == 302


# 9. The smaller findings ----------------------------------------------------------------------


def test_another_tablets_op_id_tells_nothing(app, db, workshop, ids):
    first = access.create_grant(db, workshop, "moderator", table_id=ids["tables"][0])
    second = access.create_grant(db, workshop, "moderator", table_id=ids["tables"][1])
    op = add_op(ids["rounds"][0], ids["tables"][0], "Their secret")
    assert connect_tablet(app, first).emit("note_op", op, callback=True)["ok"]
    replay = {**op, "table_id": ids["tables"][1], "text": "mine"}
    answer = connect_tablet(app, second).emit("note_op", replay, callback=True)
    assert answer["ok"] is False
    assert "Their secret" not in json.dumps(answer) and op["uid"] not in json.dumps(answer)


def test_a_participant_does_not_read_the_organisers_notes_on_moderators(
    app, db, workshop, ids, organiser
):
    store.update_item(db, "moderator", workshop, ids["moderator"], {"notes": "Needs a break"})
    participant = app.test_client()
    sign_in_grant(participant, app, db, workshop, "participant")
    shown = participant.get(f"/api/v1/workshops/{workshop}").get_data(as_text=True)
    assert "Needs a break" not in shown
    assert "Needs a break" in organiser.get(f"/api/v1/workshops/{workshop}").get_data(as_text=True)


def test_a_join_link_asks_before_replacing_a_signed_in_session(app, db, workshop, organiser):
    grant = access.create_grant(db, workshop, "participant")
    token = token_of(app, grant)
    page = organiser.get(f"/join/{token}")
    assert page.status_code == 200
    assert "Switch to this link?" in page.get_data(as_text=True)
    assert organiser.get("/api/v1/me").json["role"] == "organiser"  # nothing changed yet
    assert organiser.post(f"/join/{token}").status_code == 302
    assert organiser.get("/api/v1/me").json["role"] == "participant"
    # Someone not signed in joins at once, as before.
    fresh = app.test_client()
    assert fresh.get(f"/join/{token}").status_code == 302
    assert fresh.get("/api/v1/me").json["role"] == "participant"


def test_switching_needs_the_forms_csrf_token(app, db, workshop, organiser):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        grant = access.create_grant(db, workshop, "participant")
        assert organiser.post(f"/join/{token_of(app, grant)}").status_code == 400
        assert organiser.get("/api/v1/me").json["role"] == "organiser"
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_participants_ideas_are_rate_limited_per_link(tmp_path, monkeypatch):
    from kt_workshop.app import create_app

    app = create_app(
        {
            "TESTING": True,
            "INSTANCE_PATH": str(tmp_path / "limited"),
            "SECRET_KEY": "test-secret",
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": True,
            "IDEA_RATE_LIMIT": "3 per minute",
        }
    )
    db = open_db(app.config["DATABASE"])
    workshop = store.create_workshop(db, {"title": "Ideas", "participant_pages": True})
    block = store.add_block(db, workshop, {"title": "Morning"}, rounds=1, minutes=15)
    store.add_item(db, "question", workshop, {"text": "Q", "block_id": block})
    table = store.add_item(db, "tables", workshop, {"name": "T"})
    person = store.add_item(db, "participant", workshop, {"name": "P", "table_id": table})
    day.start(db, workshop)
    client = app.test_client()
    sign_in_grant(client, app, db, workshop, "participant", participant_id=person)
    answers = [client.post(f"/w/{workshop}/ideas", data={"text": f"Idea {n}"}) for n in range(5)]
    assert [a.status_code for a in answers] == [302, 302, 302, 429, 429]
    assert db["idea"].count == 3
    db.close()


def test_a_photo_id_used_in_another_workshop_is_refused_not_a_server_error(app, db, workshop, ids):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    day.start(db, workshop)
    mine = access.create_grant(db, workshop, "moderator", table_id=ids["tables"][0])
    other = store.create_workshop(db, {"title": "Other"})
    theirs = access.create_grant(db, other, "moderator")
    db["photo"].insert(
        {
            "uid": "shared-uid-1",
            "workshop_id": other,
            "access_id": theirs["id"],
            "mime": "image/jpeg",
            "width": 1,
            "height": 1,
            "data": b"x",
            "created_at": "x",
        }
    )
    response = app.test_client().post(
        f"/w/{workshop}/photos",
        headers={"Authorization": f"Bearer {token_of(app, mine)}"},
        data={
            "photo": (io.BytesIO(png()), "p.png"),
            "uid": "shared-uid-1",
            "round_id": str(ids["rounds"][0]),
            "table_id": str(ids["tables"][0]),
        },
    )
    assert response.status_code == 409
    assert "duplicate" not in response.json


def test_pages_and_api_answers_are_not_kept_by_browsers(app, db, workshop, organiser):
    for path in ("/", f"/w/{workshop}", "/api/v1/workshops", f"/api/v1/workshops/{workshop}"):
        assert organiser.get(path).headers["Cache-Control"] == "no-store", path
    assert "no-store" not in organiser.get("/static/css/app.css").headers.get("Cache-Control", "")


@pytest.mark.skipif(os.name == "nt", reason="POSIX permissions")
def test_the_database_and_its_backups_are_the_owners_alone(app, db, tmp_path):
    database = Path(app.config["DATABASE"])
    for path in (database, database.with_name(database.name + "-wal")):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    backup = backup_to(db, tmp_path / "backups")
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600


def test_a_huge_topic_pack_is_refused_at_once(organiser):
    huge = '[pack]\ntitle = "x"\n' + '[[blocks]]\ntitle = "b"\n' * 1000
    answer = organiser.post("/api/v1/topic-packs/check", data=huge.encode())
    assert answer.json["valid"] is False
    assert "too many blocks" in answer.json["problems"][0]["message"]
    bigger = organiser.post("/api/v1/topic-packs/check", data=b"#" * (2 * 1024 * 1024))
    assert "larger than 1 MB" in bigger.json["problems"][0]["message"]


# Data protection: the audit log -----------------------------------------------------------------


def test_the_organiser_reads_and_exports_who_downloaded_what(app, db, workshop, organiser):
    analyst = app.test_client()
    sign_in_grant(analyst, app, db, workshop, "analyst")
    store.update_workshop(db, workshop, {"title": "=HYPERLINK(1)"})
    assert organiser.get(f"/w/{workshop}/delegates.csv").status_code == 200
    assert organiser.get(f"/api/v1/workshops/{workshop}/archive").status_code == 200
    store.audit(db, workshop, "=cmd|' /C calc'!A0", "edited")

    page = organiser.get(f"/w/{workshop}/audit").get_data(as_text=True)
    assert "roster.delegate_export" in page and "api.archive_export" in page
    assert "analyst:test analyst" in page and "joined" in page
    exported = organiser.get(f"/w/{workshop}/audit.csv")
    assert exported.mimetype == "text/csv"
    lines = exported.get_data(as_text=True).splitlines()
    assert lines[0] == "at,who,what,detail,times,last"
    assert any("downloaded" in line and "roster.delegate_export" in line for line in lines)
    assert any("'=cmd" in line for line in lines)  # shown as text, never run as a formula
    assert analyst.get(f"/w/{workshop}/audit").status_code == 403


# Data protection: consent, retention, removing personal data, one delegate's data ---------------


def test_after_the_retention_date_the_organiser_removes_personal_data_and_keeps_the_analysis(
    app, db, workshop, ids, organiser
):
    day.start(db, workshop)
    store.update_item(
        db,
        "participant",
        workshop,
        ids["participant"],
        {"consent": True, "extra": {"Email": "z@x.pl"}},
    )
    grant = access.create_grant(
        db, workshop, "moderator", "Anna's tablet", table_id=ids["tables"][0]
    )
    notes.apply_operation(db, workshop, grant, add_op(ids["rounds"][0], ids["tables"][0]))
    db["photo"].insert(
        {
            "uid": "flipchart-1",
            "workshop_id": workshop,
            "access_id": grant["id"],
            "mime": "image/jpeg",
            "width": 1,
            "height": 1,
            "data": b"x",
            "created_at": "x",
        }
    )
    saved = organiser.post(
        f"/w/{workshop}/privacy",
        data={
            "consent_text": "I agree to notes being kept until 2026.",
            "retention_until": "2020-01-01",
        },
    )
    assert saved.status_code == 302
    page = organiser.get(f"/w/{workshop}/privacy")
    text = page.get_data(as_text=True)
    assert "retention date (1 Jan 2020) has passed" in text  # British English, as written
    assert "1 yes" in text

    person = organiser.get(f"/w/{workshop}/delegates/{ids['participant']}/data.json").json
    assert person["delegate"]["name"] == "Zofia Wiśniewska"
    assert person["consent_text"] == "I agree to notes being kept until 2026."

    refused = organiser.post(f"/w/{workshop}/privacy/remove", data={"confirm_title": "no"})
    assert refused.status_code == 302 and db["photo"].count == 1
    backups = Path(app.config["BACKUP_DIR"])
    backup = backup_to(db, backups, reason="live")
    organiser.post(
        f"/w/{workshop}/privacy/remove", data={"confirm_title": "Test café", "delete_backups": "1"}
    )
    assert not backup.exists()  # the app's own copies go with the names

    [delegate] = store.list_items(db, "participant", workshop)
    assert (delegate["name"], delegate["extra"], delegate["country"]) == (
        "Delegate 1",
        {},
        "Poland",
    )
    assert store.list_items(db, "moderator", workshop)[0]["name"] == "Moderator 1"
    assert access.get_grant(db, grant["id"])["label"] == ""
    assert db["photo"].count == 0
    assert len(notes.notes(db, workshop)) == 1  # the analysis keeps its notes
    assert "has passed" not in organiser.get(f"/w/{workshop}/privacy").get_data(as_text=True)
    log = organiser.get(f"/w/{workshop}/audit").get_data(as_text=True)
    assert "removed personal data" in log and "Anna" not in log


def test_the_data_protection_statement_follows_the_workshops_settings(db, workshop, organiser):
    from kt_workshop.join import privacy

    store.update_workshop(db, workshop, {"chatham_house": False})
    said = " ".join(privacy.statement(db, workshop))
    assert "Chatham House" not in said
    assert "asked to agree" not in said and "kept until" not in said
    organiser.post(
        f"/w/{workshop}/privacy",
        data={"consent_text": "Notes kept two years.", "retention_until": "2028-05-04"},
    )
    store.update_workshop(db, workshop, {"chatham_house": True})
    db["participant"].update(store.list_items(db, "participant", workshop)[0]["id"], {"consent": 1})
    said = " ".join(privacy.statement(db, workshop))
    assert "Chatham House Rule applied" in said
    assert "“Notes kept two years.”" in said
    assert "Of 1 delegate, 1 gave their consent" in said
    assert "kept until 2028-05-04" in said
    assert "kept until 2028-05-04" in organiser.get(f"/w/{workshop}/privacy").get_data(as_text=True)
    # The Word report's data-protection section says the same, from the same settings.
    from docx import Document

    from kt_workshop.reports.dataset import Options
    from kt_workshop.reports.gather import gather
    from kt_workshop.reports.word import write_report

    report = Document(io.BytesIO(write_report(gather(db, workshop, Options()), {})))
    text = " ".join(paragraph.text for paragraph in report.paragraphs)
    assert "“Notes kept two years.”" in text and "kept until 2028-05-04" in text


def test_a_bad_retention_date_is_refused(db, workshop, organiser):
    organiser.post(f"/w/{workshop}/privacy", data={"retention_until": "soon"})
    assert store.get_workshop(db, workshop)["retention_until"] is None


def test_a_tablet_applies_its_own_tables_changes_without_catching_up_on_the_others(
    app, db, workshop, ids
):
    day.start(db, workshop)  # seq 1, for everyone
    first, second = ids["tables"]
    round_id = ids["rounds"][0]
    here = connect_tablet(app, access.create_grant(db, workshop, "moderator", table_id=first))
    there = connect_tablet(app, access.create_grant(db, workshop, "moderator", table_id=second))
    assert here.emit("note_op", add_op(round_id, first), callback=True)["seq"] == 2
    for _n in range(3):
        there.emit("note_op", add_op(round_id, second), callback=True)  # 3, 4, 5
    assert here.emit("note_op", add_op(round_id, first), callback=True)["seq"] == 6
    changes = [m["args"][0] for m in here.get_received() if m["name"] == "change"]
    assert [(c["seq"], c["after"]) for c in changes] == [(2, 1), (6, 2)]
