"""Blueprint: the live day: control room, projector view, tablet page, photos, ideas, feedback."""

import io
import warnings

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from PIL import Image, UnidentifiedImageError
from sqlite_utils import Database

from kt_workshop import day, notes, printouts, store
from kt_workshop.db import writing
from kt_workshop.i18n import _
from kt_workshop.plan import day_rounds, planned_people
from kt_workshop.web import allow, audit_actor, current_actor, get_db, public_url

bp = Blueprint("live", __name__)

MAX_PHOTO_BYTES = 15 * 1024 * 1024
MAX_PIXELS = 60_000_000  # a 60-megapixel photo is already far more than a flipchart needs
PHOTO_EDGE = 2000  # longest side kept, in pixels: enough to read a flipchart


# What a tablet sees ---------------------------------------------------------------------------


def tablet_table(db: Database, workshop_id: int, grant: dict, round_id) -> int | None:
    """The table a tablet is at in a round: its own, or where its moderator leads."""
    if grant["table_id"]:
        return grant["table_id"]
    if grant["moderator_id"] and round_id:
        row = db.execute(
            "SELECT table_id FROM lead WHERE round_id = ? AND moderator_id = ?",
            [round_id, grant["moderator_id"]],
        ).fetchone()
        return row[0] if row else None
    return None


def who_is_there(db: Database, workshop_id: int, round_id: int, table_id: int) -> list[str]:
    """Names of the delegates at a table in a round (pseudonyms as the organiser wrote them)."""
    seated = [
        row[0]
        for row in db.execute(
            "SELECT p.name FROM seat s JOIN participant p ON p.id = s.participant_id "
            "WHERE s.round_id = ? AND s.table_id = ? ORDER BY p.name COLLATE NOCASE",
            [round_id, table_id],
        ).fetchall()
    ]
    if seated:
        return seated
    return sorted(
        (p["name"] for p in planned_people(db, workshop_id) if p["table_id"] == table_id),
        key=str.casefold,
    )


def tablet_cell(db: Database, workshop_id: int, grant: dict) -> dict:
    """The tablet's current cell, the carry-over brief, this cell's notes and pending ideas."""
    state = day.state(db, workshop_id)
    round_id = state["round_id"]
    if round_id is None:
        rounds = day_rounds(db, workshop_id)
        round_id = rounds[0]["id"] if rounds else None
    table_id = tablet_table(db, workshop_id, grant, round_id)
    if round_id is None or table_id is None:
        return {"state": state, "cell": None, "brief": [], "notes": [], "ideas": []}
    cell = notes.cell_context(db, workshop_id, round_id, table_id)
    workshop = store.get_workshop(db, workshop_id)
    question = (
        store.get_item(db, "question", workshop_id, cell["question_id"])
        if cell["question_id"]
        else None
    )
    moderator = (
        store.get_item(db, "moderator", workshop_id, cell["moderator_id"])
        if cell["moderator_id"]
        else None
    )
    table = store.get_item(db, "tables", workshop_id, table_id)
    round_ = next(r for r in day_rounds(db, workshop_id) if r["id"] == round_id)
    own = {
        row["uid"] for row in db["note"].rows_where("access_id = ?", [grant["id"]], select="uid")
    }
    here = [
        {**note, "own": note["uid"] in own}
        for note in notes.notes(db, workshop_id, round_id=round_id, table_id=table_id)
    ]
    ideas = [
        dict(row)
        for row in db["idea"].rows_where(
            "workshop_id = ? AND round_id = ? AND table_id = ? AND status = 'pending'",
            [workshop_id, round_id, table_id],
            order_by="id",
        )
    ]
    return {
        "state": state,
        "cell": {
            "round_id": round_id,
            "table_id": table_id,
            "table": table["name"],
            "block": round_["block"]["title"],
            "round": round_["number"],
            "question": question["text"] if question else "",
            "prompt": question["prompt"] if question else "",
            "moderator": moderator["name"] if moderator else None,
            "people": who_is_there(db, workshop_id, round_id, table_id),
        },
        "brief": notes.carry_over(db, workshop_id, cell, workshop["format"] == "fixed_groups"),
        "notes": here,
        "ideas": ideas,
    }


def decide_idea(db: Database, workshop_id: int, grant: dict, idea_id, accept: bool) -> list:
    """Accept a participant's idea as a note of its cell, or dismiss it; return the changes."""
    rows = list(
        db["idea"].rows_where(
            "id = ? AND workshop_id = ? AND status = 'pending'",
            [idea_id if isinstance(idea_id, int) else -1, workshop_id],
        )
    )
    if not rows:
        raise notes.Refused(_("That idea has been handled already."))
    idea = rows[0]
    cell = notes.cell_context(db, workshop_id, idea["round_id"], idea["table_id"])
    if not notes.may_write_at(db, grant, cell):
        raise notes.Refused(_("This idea was sent to another table."))
    changes = []
    with writing(db):
        note_id = None
        if accept:
            note_id, change = notes.store_note(
                db,
                workshop_id,
                cell,
                kind="idea",
                text=idea["text"],
                source="participant",
                access_id=grant["id"],
            )
            changes.append(change)
        status = "accepted" if accept else "dismissed"
        db["idea"].update(idea["id"], {"status": status, "note_id": note_id})
        changes.append(
            day.record_change(
                db, workshop_id, "idea", {**idea, "status": status, "note_id": note_id}
            )
        )
    return changes


def broadcast(change: dict, workshop_id: int) -> None:
    """Send a change made over HTTP to its Socket.IO audience."""
    from kt_workshop.events import broadcast as send

    send(change, workshop_id)


# Pages ---------------------------------------------------------------------------------------


@bp.route("/w/<int:workshop_id>/live")
@allow("organiser")
def control_room(workshop_id):
    """The control room: run the rounds, the shared timer, announcements, every table's state."""
    db = get_db()
    return render_template(
        "live/control.html",
        workshop=store.get_workshop(db, workshop_id),
        rounds=day_rounds(db, workshop_id),
        tables=store.list_items(db, "tables", workshop_id),
        grants=[
            g
            for g in db["access"].rows_where(
                "workshop_id = ? AND role = 'moderator' AND revoked_at IS NULL", [workshop_id]
            )
        ],
    )


@bp.route("/w/<int:workshop_id>/projector")
@allow("organiser")
def projector(workshop_id):
    """The projector view: round, timer, where groups go next, the join QR, the harvest wall."""
    db = get_db()
    join = public_url("auth.welcome")
    return render_template(
        "live/projector.html",
        workshop=store.get_workshop(db, workshop_id),
        questions=store.list_items(db, "question", workshop_id),
        tables=store.list_items(db, "tables", workshop_id),
        join_url=join,
        join_qr=printouts.qr_svg_data_uri(join),
    )


@bp.route("/w/<int:workshop_id>/projector/next.json")
@allow("organiser")
def projector_next(workshop_id):
    """Where each table's people and moderator go in the next round, for the projector."""
    from kt_workshop import plan_view

    db = get_db()
    state = day.state(db, workshop_id)
    target = state["next_round"] if state["status"] != "waiting" else state["round"]
    if target is None and state["status"] == "waiting":
        rounds = day_rounds(db, workshop_id)
        target = day.round_json(rounds[0]) if rounds else None
    rows = [
        row
        for row in plan_view.grid(db, workshop_id)
        if target and row["round"]["id"] == target["id"]
    ]
    cells = rows[0]["cells"] if rows else []
    return jsonify(
        {
            "round": target,
            "tables": [
                {
                    "table": c["table"]["name"],
                    "moderator": c["moderator"]["name"] if c["moderator"] else None,
                    "question": (c["question"] or {}).get("text", ""),
                    "people": [p["name"] for p in c["people"]],
                }
                for c in cells
            ],
        }
    )


@bp.route("/w/<int:workshop_id>/tablet")
@allow("moderator")
def tablet(workshop_id):
    """The moderator's tablet page: follows the day, captures notes, loses nothing."""
    db = get_db()
    actor = current_actor()
    return render_template(
        "live/tablet.html",
        workshop=store.get_workshop(db, workshop_id),
        actor=actor,
        kinds=notes.KINDS,
    )


@bp.route("/w/<int:workshop_id>/photos", methods=["POST"])
@allow("moderator")
def photo_upload(workshop_id):
    """Store a photo of the flipchart or tablecloth with its cell (made smaller if need be)."""
    from kt_workshop import access

    db = get_db()
    grant = access.live_grant(db, current_actor().grant_id)
    upload = request.files.get("photo")
    uid = request.form.get("uid", "")
    if upload is None or not notes.UID.fullmatch(uid):
        return jsonify({"ok": False, "error": _("Send a photo with its id.")}), 400
    existing = db.execute(
        "SELECT id FROM photo WHERE uid = ? AND workshop_id = ? AND access_id = ?",
        [uid, workshop_id, grant["id"]],
    ).fetchone()
    if existing:
        return jsonify({"ok": True, "id": existing[0], "duplicate": True})
    data = upload.read(MAX_PHOTO_BYTES + 1)
    if len(data) > MAX_PHOTO_BYTES:
        return jsonify({"ok": False, "error": _("The photo is over 15 MB.")}), 413
    try:
        cell = notes.cell_context(
            db, workshop_id, request.form.get("round_id"), request.form.get("table_id")
        )
        if not notes.may_write_at(db, grant, cell):
            raise notes.Refused(_("This tablet does not take notes at that table."))
        image, width, height = shrink_photo(data)
    except notes.Refused as error:
        return jsonify({"ok": False, "error": str(error)}), 403
    except ValueError as error:
        return jsonify({"ok": False, "error": str(error)}), 400
    with writing(db):
        photo_id = (
            db["photo"]
            .insert(
                {
                    "uid": uid,
                    "workshop_id": workshop_id,
                    "round_id": cell["round_id"],
                    "table_id": cell["table_id"],
                    "question_id": cell["question_id"],
                    "access_id": grant["id"],
                    "mime": "image/jpeg",
                    "width": width,
                    "height": height,
                    "data": image,
                    "created_at": store.now(),
                }
            )
            .last_pk
        )
        change = day.record_change(
            db,
            workshop_id,
            "photo",
            {
                "id": photo_id,
                "uid": uid,
                "round_id": cell["round_id"],
                "table_id": cell["table_id"],
                "question_id": cell["question_id"],
                "width": width,
                "height": height,
            },
        )
    broadcast(change, workshop_id)
    return jsonify({"ok": True, "id": photo_id, "seq": change["seq"]})


def shrink_photo(data: bytes) -> tuple[bytes, int, int]:
    """Check the upload is an image and make it a JPEG no longer than PHOTO_EDGE on a side."""
    try:
        with warnings.catch_warnings():
            # Pillow only warns between MAX_IMAGE_PIXELS and twice that: refuse those too.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                image.verify()
                if image.width * image.height > MAX_PIXELS:
                    raise ValueError("too many pixels")
        with Image.open(io.BytesIO(data)) as image:
            image = image.convert("RGB")
            image.thumbnail((PHOTO_EDGE, PHOTO_EDGE))
            out = io.BytesIO()
            image.save(out, "JPEG", quality=85)
            return out.getvalue(), image.width, image.height
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombWarning,
        Image.DecompressionBombError,
    ):
        raise ValueError(_("This file is not a photo.")) from None


@bp.route("/w/<int:workshop_id>/photos/<int:photo_id>")
@allow("organiser", "moderator", "analyst")
def photo(workshop_id, photo_id):
    """One photo of the workshop."""
    row = (
        get_db()
        .execute(
            "SELECT data, mime FROM photo WHERE id = ? AND workshop_id = ?", [photo_id, workshop_id]
        )
        .fetchone()
    )
    if row is None:
        abort(404)
    return send_file(io.BytesIO(row[0]), mimetype=row[1])


# Participants --------------------------------------------------------------------------------


def participant_cell(db: Database, workshop_id: int, participant_id: int) -> dict | None:
    """Where a participant is in the current round, from the plan."""
    state = day.state(db, workshop_id)
    if state["round_id"] is None or state["status"] == "finished":
        return None
    seat = db.execute(
        "SELECT table_id FROM seat WHERE round_id = ? AND participant_id = ?",
        [state["round_id"], participant_id],
    ).fetchone()
    table_id = (
        seat[0]
        if seat
        else store.get_item(db, "participant", workshop_id, participant_id)["table_id"]
    )
    if table_id is None:
        return None
    return notes.cell_context(db, workshop_id, state["round_id"], table_id)


def participant_pages_on(workshop: dict) -> None:
    """Refuse participant pages the organiser has not switched on."""
    if not workshop["participant_pages"]:
        abort(403, _("The organiser has not switched on participants' pages."))


@bp.route("/w/<int:workshop_id>/ideas", methods=["POST"])
@allow("participant")
def idea_send(workshop_id):
    """Send an anonymous idea to the current table and question; the moderator accepts it."""
    db = get_db()
    participant_pages_on(store.get_workshop(db, workshop_id))
    text = request.form.get("text", "")
    try:
        notes.check_text(text)
        if len(text) > 2000:
            raise notes.Refused(_("An idea can hold up to 2,000 characters."))
        actor = current_actor()
        cell = (
            participant_cell(db, workshop_id, actor.participant_id)
            if actor.participant_id
            else None
        )
        if cell is None:
            raise notes.Refused(_("There is no round on for you right now."))
    except notes.Refused as error:
        flash(str(error), "error")
        return redirect(url_for("auth.my_workshop", workshop_id=workshop_id))
    with writing(db):
        idea_id = (
            db["idea"]
            .insert(
                {
                    "workshop_id": workshop_id,
                    **{k: cell[k] for k in ("round_id", "table_id", "question_id")},
                    "text": text,
                    "status": "pending",
                    "note_id": None,
                    "created_at": store.now(),
                }
            )
            .last_pk
        )
        change = day.record_change(
            db, workshop_id, "idea", dict(next(db["idea"].rows_where("id = ?", [idea_id])))
        )
    broadcast(change, workshop_id)
    flash(_("Thank you: your idea went to your table's moderator, without your name."), "success")
    return redirect(url_for("auth.my_workshop", workshop_id=workshop_id))


@bp.route("/w/<int:workshop_id>/feedback", methods=["GET", "POST"])
@allow("participant")
def feedback(workshop_id):
    """The end-of-day feedback form; answers are kept without a name."""
    from kt_workshop import feedback as forms

    db = get_db()
    workshop = store.get_workshop(db, workshop_id)
    participant_pages_on(workshop)
    questions = forms.questions(db, workshop_id)
    actor = current_actor()
    response = forms.response_key(current_app.config["SECRET_KEY"], actor.grant_id)
    if request.method == "POST":
        try:
            forms.save_answers(db, workshop_id, response, request.form)
        except store.InputError as error:
            for message in error.errors.values():
                flash(message, "error")
        else:
            flash(_("Thank you for your feedback."), "success")
            return redirect(url_for("auth.my_workshop", workshop_id=workshop_id))
    return render_template(
        "live/feedback.html",
        workshop=workshop,
        questions=questions,
        answers=forms.answers_of(db, workshop_id, response),
    )


@bp.route("/w/<int:workshop_id>/feedback/setup", methods=["GET", "POST"])
@allow("organiser")
def feedback_setup(workshop_id):
    """The organiser writes the feedback form's questions and sees the results so far."""
    from kt_workshop import feedback as forms

    db = get_db()
    if request.method == "POST":
        try:
            forms.set_questions(db, workshop_id, request.form.get("questions", ""))
        except store.InputError as error:
            for message in error.errors.values():
                flash(message, "error")
        else:
            store.audit(db, workshop_id, audit_actor(), "set feedback questions")
            flash(_("Saved."), "success")
        return redirect(url_for("live.feedback_setup", workshop_id=workshop_id))
    return render_template(
        "live/feedback_setup.html",
        workshop=store.get_workshop(db, workshop_id),
        questions=forms.questions(db, workshop_id),
        results=forms.results(db, workshop_id),
    )
