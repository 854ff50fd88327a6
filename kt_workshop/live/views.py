"""Blueprint: the live day: control room, projector view, tablet page, photos, ideas, feedback."""

import hashlib
import io
import sqlite3
import time
import warnings
from pathlib import Path

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
    session,
    url_for,
)
from PIL import Image, UnidentifiedImageError

from kt_workshop import store
from kt_workshop.db import writing
from kt_workshop.i18n import _, show_in_language
from kt_workshop.live import cells, day, notes
from kt_workshop.live.events import broadcast
from kt_workshop.plan import printouts
from kt_workshop.plan.store import day_rounds
from kt_workshop.web import (
    PUBLIC,
    allow,
    audit_actor,
    current_actor,
    get_db,
    limiter,
    public_url,
    workshop_url,
)

bp = Blueprint("live", __name__)

MAX_PHOTO_BYTES = 15 * 1024 * 1024
MAX_PIXELS = 60_000_000  # a 60-megapixel photo is already far more than a flipchart needs
PHOTO_EDGE = 2000  # longest side kept, in pixels: enough to read a flipchart


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
    workshop = store.get_workshop(db, workshop_id)
    show_in_language(workshop["language"])  # the room reads the workshop's language
    join = workshop_url(workshop, "auth.welcome")  # the address tablets use, not the laptop's
    trust = trust_page_url()
    return render_template(
        "live/projector.html",
        workshop=workshop,
        # In the day's order, each with its block's place, so the wall shows the block on now.
        questions=[
            {"id": q["id"], "text": q["text"], "block_index": index}
            for index, block in enumerate(store.programme(db, workshop_id))
            for q in block["questions"]
        ],
        tables=[
            {"id": t["id"], "name": t["name"]} for t in store.list_items(db, "tables", workshop_id)
        ],
        join_url=join,
        join_qr=printouts.qr_svg_data_uri(join),
        trust_url=trust,
        trust_qr=printouts.qr_svg_data_uri(trust) if trust else None,
    )


def trust_page_url() -> str | None:
    """Where a new tablet trusts this laptop (over plain HTTP, so it opens before the
    certificate is trusted), when the app serves HTTPS; else None."""
    if not current_app.config.get("TLS_FOLDER"):
        return None
    return "http://" + public_url("trust.trust_page").split("://", 1)[1]


@bp.route("/w/<int:workshop_id>/projector/next.json")
@allow("organiser")
def projector_next(workshop_id):
    """Where each table's people and moderator go in the next round, for the projector."""
    from kt_workshop.plan import grid as plan_view

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
                if not c["closed"]  # a closed table is nobody's next place
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
        "SELECT id, workshop_id, access_id FROM photo WHERE uid = ?", [uid]
    ).fetchone()
    if existing and (existing[1], existing[2]) == (workshop_id, grant["id"]):
        return jsonify({"ok": True, "id": existing[0], "duplicate": True})
    if existing:
        # Another tablet's (or another workshop's) photo: say nothing about it.
        return jsonify({"ok": False, "error": _("This photo id is taken; send it again.")}), 409
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
                    "created_at": notes.typed_time(_seconds(request.form.get("taken_at"))),
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
    broadcast(change, workshop_id, author=grant["id"])
    return jsonify({"ok": True, "id": photo_id, "seq": change["seq"]})


def _seconds(text) -> float | None:
    """A time in seconds sent by a tablet, or None."""
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


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
    """One photo of the workshop (a tablet sees only the photos of its own cells)."""
    db = get_db()
    row = db.execute(
        "SELECT data, mime, round_id, table_id FROM photo WHERE id = ? AND workshop_id = ?",
        [photo_id, workshop_id],
    ).fetchone()
    if row is None:
        abort(404)
    actor = current_actor()
    if actor.role == "moderator":
        from kt_workshop import access

        grant = access.get_grant(db, actor.grant_id)
        if not cells.sees_cell(db, grant, row[2], row[3]):
            abort(404)
    return send_file(io.BytesIO(row[0]), mimetype=row[1])


# The offline app shell ------------------------------------------------------------------------

# What the tablet and participant pages need to load with no network (their modules included).
SHELL_FILES = (
    "css/app.css",
    "css/live.css",
    "favicon.svg",
    "js/confirm.js",
    "js/live.js",
    "js/live/tablet.js",
    "js/live/photo_outbox.js",
    "js/live/shell.js",
    "js/live/participant.js",
    "vendor/socket.io.min.js",
)


def shell_version(static_folder: str) -> str:
    """A fingerprint of the shell's files: a new version of any of them installs a new worker,
    which drops the copies kept by the old one."""
    digest = hashlib.sha256()
    for name in SHELL_FILES:
        path = Path(static_folder) / name
        digest.update(name.encode())
        digest.update(path.read_bytes() if path.exists() else b"")
    return digest.hexdigest()[:16]


@bp.route("/service-worker.js")
@allow(PUBLIC)
def service_worker():
    """The service worker that keeps the tablet and participant pages for offline reloads."""
    files = [url_for("static", filename=name) for name in SHELL_FILES]
    body = render_template(
        "live/service-worker.js",
        version=shell_version(current_app.static_folder),
        files=files,
    )
    response = current_app.response_class(body, mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"  # the browser checks for a new worker
    return response


# Participants --------------------------------------------------------------------------------


def participant_pages_on(workshop: dict) -> None:
    """Refuse participant pages the organiser has not switched on."""
    if not workshop["participant_pages"]:
        abort(403, _("The organiser has not switched on participants' pages."))


def idea_rate_limit() -> str:
    """The hard ceiling on ideas from one link, from the settings (the friendlier burst check
    below refuses sooner and keeps the typed text)."""
    return current_app.config.get("IDEA_RATE_LIMIT", "10 per minute;60 per hour")


def idea_sender() -> str:
    """Ideas are limited per join link, not per address (a venue's tablets may share one)."""
    actor = current_actor()
    return f"idea-grant-{actor.grant_id}" if actor else f"idea-address-{request.remote_addr}"


IDEA_BURST = 5  # ideas one participant may send in a row
IDEA_WINDOW = 60.0  # seconds over which the burst is counted


def too_many_ideas(grant_id: int) -> bool:
    """True when this link sent IDEA_BURST ideas in the last IDEA_WINDOW seconds."""
    times = current_app.extensions.setdefault("kt-workshop-idea-times", {})
    now = time.monotonic()
    recent = [t for t in times.get(grant_id, []) if now - t < IDEA_WINDOW]
    times[grant_id] = recent
    if len(recent) >= IDEA_BURST:
        return True
    recent.append(now)
    return False


@bp.route("/w/<int:workshop_id>/ideas", methods=["POST"])
@allow("participant")
@limiter.limit(idea_rate_limit, key_func=idea_sender)
def idea_send(workshop_id):
    """Send an anonymous idea to the current table and question; the moderator accepts it.

    A refused idea comes back in the box as typed, so nothing is lost.
    """
    db = get_db()
    participant_pages_on(store.get_workshop(db, workshop_id))
    text = request.form.get("text", "")
    actor = current_actor()
    try:
        notes.check_text(text)
        if len(text) > 2000:
            raise notes.Refused(_("An idea can hold up to 2,000 characters."))
        cell = (
            cells.participant_cell(db, workshop_id, actor.participant_id)
            if actor.participant_id
            else None
        )
        if cell is None:
            raise notes.Refused(_("There is no round on for you right now."))
        if too_many_ideas(actor.grant_id):
            raise notes.Refused(
                _("You sent several ideas just now: wait a minute, then send this one.")
            )
    except notes.Refused as error:
        flash(str(error), "error")
        session["idea-draft"] = text[:2000]
        return redirect(url_for("auth.my_workshop", workshop_id=workshop_id) + "#send-idea")
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


@bp.route("/w/<int:workshop_id>/ideas")
@allow("organiser", "analyst")
def ideas(workshop_id):
    """Every participant's idea under its round; those still waiting can be decided here."""
    db = get_db()
    return render_template(
        "live/ideas.html",
        workshop=store.get_workshop(db, workshop_id),
        rounds=cells.ideas_by_round(db, workshop_id),
        counts=cells.idea_counts(db, workshop_id),
    )


@bp.route("/w/<int:workshop_id>/ideas/<int:idea_id>/decide", methods=["POST"])
@allow("organiser", "analyst")
def idea_decide(workshop_id, idea_id):
    """Accept a waiting idea as a note of its table and round, or set it aside."""
    db = get_db()
    accept = request.form.get("accept") == "1"
    try:
        changes = cells.decide_idea_later(
            db, workshop_id, idea_id, accept, access_id=current_actor().grant_id
        )
    except notes.Refused as error:
        flash(str(error), "error")
    else:
        for change in changes:
            broadcast(change, workshop_id)
        store.audit(
            db,
            workshop_id,
            audit_actor(),
            "accepted idea" if accept else "dismissed idea",
            {"idea": idea_id},
        )
        flash(_("The idea is now a note.") if accept else _("Idea set aside."), "success")
    return redirect(url_for("live.ideas", workshop_id=workshop_id))


@bp.route("/w/<int:workshop_id>/feedback", methods=["GET", "POST"])
@allow("participant")
def feedback(workshop_id):
    """The end-of-day feedback form. Answers are kept without a name and never shown back;
    the phone's script sends them as JSON and keeps them until they are stored."""
    from kt_workshop.live import feedback as forms

    db = get_db()
    workshop = store.get_workshop(db, workshop_id)
    participant_pages_on(workshop)
    wants_json = request.accept_mimetypes.best == "application/json"
    status = 200
    if request.method == "POST":
        try:
            forms.save_answers(
                db, workshop_id, forms.response_key(request.form.get("response")), request.form
            )
        except store.InputError as error:
            if wants_json:
                return jsonify({"ok": False, "errors": error.errors}), 400
            for message in error.errors.values():
                flash(message, "error")
        except sqlite3.OperationalError:
            # The database stayed busy past its timeout: nothing was stored; send again.
            if wants_json:
                return jsonify({"ok": False, "retry": True}), 503
            flash(_("The laptop is busy: your answers are still here, send them again."), "error")
            status = 503
        else:
            if wants_json:
                return jsonify({"ok": True})
            flash(_("Thank you for your feedback."), "success")
            return redirect(url_for("auth.my_workshop", workshop_id=workshop_id))
    return (
        render_template(
            "live/feedback.html", workshop=workshop, questions=forms.questions(db, workshop_id)
        ),
        status,
    )


@bp.route("/w/<int:workshop_id>/feedback/setup", methods=["GET", "POST"])
@allow("organiser")
def feedback_setup(workshop_id):
    """The organiser writes the feedback form's questions and sees the results so far."""
    from kt_workshop.live import feedback as forms

    db = get_db()
    typed = None
    if request.method == "POST":
        try:
            forms.set_questions(db, workshop_id, request.form.get("questions", ""))
        except store.InputError as error:
            for message in error.errors.values():
                flash(message, "error")
            typed = request.form.get("questions", "")  # shown again as typed, not lost
        else:
            store.audit(db, workshop_id, audit_actor(), "set feedback questions")
            flash(_("Saved."), "success")
            return redirect(url_for("live.feedback_setup", workshop_id=workshop_id))
    return render_template(
        "live/feedback_setup.html",
        typed=typed,
        workshop=store.get_workshop(db, workshop_id),
        questions=forms.questions(db, workshop_id),
        results=forms.results(db, workshop_id),
    )
