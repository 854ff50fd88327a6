"""Blueprint: the analyst's workspace: filter the notes, code them, mark quotes, write memos.

Every form here works without JavaScript (post, then back to the same filtered page);
workspace.js sends the same forms with fetch and swaps in the note's new theme chips.
"""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)

from kt_workshop import store
from kt_workshop.coding import blind, codebook
from kt_workshop.coding import codes as coding
from kt_workshop.db import writing
from kt_workshop.i18n import _, ngettext
from kt_workshop.live.notes import KIND_LABELS
from kt_workshop.web import allow, audit_actor, current_actor, get_db

bp = Blueprint("workspace", __name__)
CODERS = ("organiser", "analyst")


def current_analyst(workshop_id: int) -> dict:
    """The analyst row the signed-in organiser or analyst codes under (a stand-in on GET)."""
    actor = current_actor()
    return coding.analyst_for(
        get_db(),
        workshop_id,
        actor.role,
        actor.grant_id,
        actor.label,
        create=request.method == "POST",
    )


def wants_fragment() -> bool:
    """True for workspace.js, which asks for JSON instead of a redirect."""
    return request.accept_mimetypes.best == "application/json"


def back(workshop_id: int):
    """Back to the page the form came from (a path on this site), or to the workspace."""
    target = request.form.get("next", "")
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        target = url_for("workspace.notes_page", workshop_id=workshop_id)
    return redirect(target)


def input_problem(workshop_id: int, error: store.InputError):
    """A refused form: JSON for the script, a flashed message for the page."""
    messages = list(error.errors.values())
    if wants_fragment():
        return jsonify({"error": " ".join(messages), "errors": error.errors}), 422
    for message in messages:
        flash(message, "error")
    return back(workshop_id)


def current_sight(workshop_id: int) -> blind.Sight:
    """What the signed-in person may see of the others' coding (the blind-coding rule)."""
    return blind.sight_of(get_db(), workshop_id, current_actor())


def visible_analysts(db, workshop_id: int, sight: blind.Sight) -> list[dict]:
    """Whose codes the person sees: only their own while coding is blind."""
    return [a for a in coding.analysts(db, workshop_id) if sight.sees(a["id"])]


def chips_for(db, workshop_id: int, analyst: dict, note_ids: list[int], sight) -> dict:
    """For each note: the analyst's own themes, the others' when coding is not blind, whether
    the analyst went through it, and the key-quote mark (only their own while blind)."""
    codes = coding.codes_on(db, note_ids)
    seen = coding.seen_by(db, analyst["id"], note_ids)
    shown = visible_analysts(db, workshop_id, sight)
    quoted = {
        row[0]
        for row in db.execute(
            "SELECT note_id, analyst_id FROM quote WHERE theme_id IS NULL"  # noqa: S608
            f" AND note_id IN ({','.join('?' * len(note_ids))})",
            note_ids,
        )
        if sight.sees(row[1])
    }
    return {
        note_id: {
            "mine": codes[note_id].get(analyst["id"], []),
            "others": [
                (other, codes[note_id].get(other["id"], []))
                for other in shown
                if other["id"] != analyst["id"] and codes[note_id].get(other["id"])
            ],
            "seen": note_id in seen,
            "quote": note_id in quoted,
        }
        for note_id in note_ids
    }


def note_fragments(workshop_id: int, note_ids: list[int]) -> dict:
    """The re-rendered chips and buttons of some notes, for workspace.js."""
    db = get_db()
    workshop = store.get_workshop(db, workshop_id)
    analyst = current_analyst(workshop_id)
    themes = {theme["id"]: theme for theme in codebook.themes(db, workshop_id)}
    chips = chips_for(db, workshop_id, analyst, note_ids, current_sight(workshop_id))
    return {
        str(note_id): render_template(
            "coding/_chips.html",
            workshop=workshop,
            note={"id": note_id},
            chips=chips[note_id],
            themes=themes,
            next_url=request.form.get("next", ""),
        )
        for note_id in note_ids
    }


def fragment_answer(workshop_id: int, note_ids: list[int], problems, message: str = ""):
    """What workspace.js gets after a change: the notes' new chips, the analyst's counts per
    theme for the sidebar, and a sentence saying which notes were touched."""
    analyst = current_analyst(workshop_id)
    counts = coding.theme_counts(get_db(), workshop_id, analyst["id"]) if analyst["id"] else {}
    return jsonify(
        {
            "problems": problems,
            "message": message,
            "notes": note_fragments(workshop_id, note_ids),
            "counts": {str(theme_id): n for theme_id, n in counts.items()},
        }
    )


def touched(note_ids: list[int]) -> str:
    """The notes a change touched, as the analyst reads them: "#12, #15"."""
    shown = ", ".join(f"#{n}" for n in note_ids[:8])
    return shown + (" …" if len(note_ids) > 8 else "")


@bp.route("/w/<int:workshop_id>/coding")
@allow(*CODERS)
def notes_page(workshop_id):
    """All notes of the workshop with filters, the codebook, and coding by click or keyboard."""
    db = get_db()
    workshop = store.get_workshop(db, workshop_id)
    analyst = current_analyst(workshop_id)
    sight = current_sight(workshop_id)
    filters = coding.filters_from(request.args)
    if filters.analyst is not None and not sight.sees(filters.analyst):
        flash(sight.refusal(), "info")
        filters.analyst = None  # the analyst's own codes
    try:
        page = max(int(request.args.get("page", 1)), 1)
    except ValueError:
        page = 1
    rows, total = coding.find_notes(db, workshop_id, filters, analyst["id"], page)
    note_ids = [row["id"] for row in rows]
    themes = codebook.themes(db, workshop_id)
    return render_template(
        "coding/workspace.html",
        workshop=workshop,
        analyst=analyst,
        analysts=visible_analysts(db, workshop_id, sight),
        filters=filters,
        notes=rows,
        total=total,
        page=page,
        pages=max((total + coding.PAGE - 1) // coding.PAGE, 1),
        chips=chips_for(db, workshop_id, analyst, note_ids, sight) if note_ids else {},
        memos=_memos_by_note(db, workshop_id, note_ids, sight),
        themes=themes,
        theme_by_id={theme["id"]: theme for theme in themes},
        counts=coding.theme_counts(db, workshop_id, analyst["id"]),
        programme=store.programme(db, workshop_id),
        tables=store.list_items(db, "tables", workshop_id),
        kinds=KIND_LABELS,
        next_url=request.full_path,
    )


def _memos_by_note(db, workshop_id: int, note_ids: list[int], sight) -> dict:
    found: dict = {}
    if note_ids:
        for memo in coding.memos(db, workshop_id, note_ids=note_ids, analyst_ids=sight.only()):
            found.setdefault(memo["note_id"], []).append(memo)
    return found


@bp.route("/w/<int:workshop_id>/coding/code", methods=["POST"])
@allow(*CODERS)
def code(workshop_id):
    """Add a theme to the chosen notes, or take it off, for the signed-in analyst."""
    db = get_db()
    note_ids = request.form.getlist("note_ids")
    add = request.form.get("action", "add") != "remove"
    if not note_ids:
        return input_problem(
            workshop_id, store.InputError({"note_ids": _("Choose at least one note first.")})
        )
    try:
        with writing(db):
            result = coding.code_notes(
                db,
                workshop_id,
                current_analyst(workshop_id)["id"],
                note_ids,
                request.form.get("theme_id"),
                add,
            )
    except store.NotFound as error:
        return input_problem(workshop_id, store.InputError({"theme_id": str(error)}))
    message = code_message(result, add)
    if wants_fragment():
        return fragment_answer(workshop_id, result["notes"], result["problems"], message)
    for problem in result["problems"]:
        flash(problem, "error")
    if message:
        flash(message, "success")
    return back(workshop_id)


def code_message(result: dict, add: bool) -> str:
    """Which notes a code touched, so the analyst sees it went where they meant."""
    notes, theme = result["notes"], result["theme"]["name"]
    if not notes:
        return ""
    if add:
        message = ngettext(
            "“%(theme)s” added to note %(notes)s.",
            "“%(theme)s” added to %(num)d notes: %(notes)s.",
            len(notes),
            theme=theme,
            notes=touched(notes),
        )
    else:
        message = ngettext(
            "“%(theme)s” taken off note %(notes)s.",
            "“%(theme)s” taken off %(num)d notes: %(notes)s.",
            len(notes),
            theme=theme,
            notes=touched(notes),
        )
    if result.get("unseen"):
        message += " " + ngettext(
            "Note %(notes)s has none of your themes now, so it is back to not gone through.",
            "Notes %(notes)s have none of your themes now, so they are back to not gone through.",
            len(result["unseen"]),
            notes=touched(result["unseen"]),
        )
    return message


@bp.route("/w/<int:workshop_id>/coding/seen", methods=["POST"])
@allow(*CODERS)
def seen(workshop_id):
    """Mark notes as gone through (no theme fits is an answer too), or take that back."""
    db = get_db()
    note_ids = request.form.getlist("note_ids")
    if not note_ids:
        return input_problem(
            workshop_id, store.InputError({"note_ids": _("Choose at least one note first.")})
        )
    with writing(db):
        problems = coding.mark_seen(
            db,
            workshop_id,
            current_analyst(workshop_id)["id"],
            note_ids,
            request.form.get("seen", "1") == "1",
        )
    if wants_fragment():
        live = [int(n) for n in note_ids if str(n).isdigit()]
        live = coding.live_notes(db, workshop_id, live)[0]
        gone = request.form.get("seen", "1") == "1"
        message = (
            _("Gone through: %(notes)s.", notes=touched(live))
            if gone
            else _("Not gone through: %(notes)s.", notes=touched(live))
        )
        return fragment_answer(workshop_id, live, problems, message)
    for problem in problems:
        flash(problem, "error")
    return back(workshop_id)


@bp.route("/w/<int:workshop_id>/coding/quote", methods=["POST"])
@allow(*CODERS)
def quote(workshop_id):
    """Mark a note as a key quote for the report, or unmark it."""
    db = get_db()
    note_id = request.form.get("note_id")
    try:
        with writing(db):
            coding.set_quote(
                db,
                workshop_id,
                note_id,
                current_analyst(workshop_id)["id"],
                request.form.get("on", "1") == "1",
                request.form.get("theme_id") or None,
                everyone=current_sight(workshop_id).shared,
            )
    except store.InputError as error:
        return input_problem(workshop_id, error)
    except store.NotFound as error:
        return input_problem(workshop_id, store.InputError({"theme_id": str(error)}))
    if wants_fragment():
        return fragment_answer(workshop_id, [int(note_id)], [])
    return back(workshop_id)


@bp.route("/w/<int:workshop_id>/coding/memos", methods=["POST"])
@allow(*CODERS)
def memo_add(workshop_id):
    """Write a memo on a note or on a theme."""
    db = get_db()
    try:
        with writing(db):
            coding.add_memo(
                db,
                workshop_id,
                current_analyst(workshop_id)["id"],
                request.form.get("text"),
                note_id=request.form.get("note_id") or None,
                theme_id=request.form.get("theme_id") or None,
            )
    except store.InputError as error:
        return input_problem(workshop_id, error)
    except store.NotFound as error:
        return input_problem(workshop_id, store.InputError({"memo": str(error)}))
    flash(_("Memo saved."), "success")
    return back(workshop_id)


@bp.route("/w/<int:workshop_id>/coding/memos/<int:memo_id>/delete", methods=["POST"])
@allow(*CODERS)
def memo_delete(workshop_id, memo_id):
    """Remove a memo."""
    db = get_db()
    row = db.execute(
        "SELECT analyst_id FROM memo WHERE id = ? AND workshop_id = ?", [memo_id, workshop_id]
    ).fetchone()
    if row is None:
        abort(404)
    if current_actor().role != "organiser" and row[0] != current_analyst(workshop_id)["id"]:
        abort(403, _("Only the analyst who wrote a memo (or the organiser) may remove it."))
    with writing(db):
        coding.delete_memo(db, workshop_id, memo_id)
        store.audit(db, workshop_id, audit_actor(), "deleted memo", str(memo_id))
    flash(_("Memo removed."), "success")
    return back(workshop_id)


@bp.route("/w/<int:workshop_id>/themes.css")
@allow(*CODERS)
def theme_css(workshop_id):
    """The theme colours as classes (the CSP allows no inline styles)."""
    colours = {
        theme["colour"].lower()
        for theme in codebook.themes(get_db(), workshop_id)
        if codebook.COLOUR.fullmatch(theme["colour"] or "")
    }
    css = "".join(f".swatch-{c[1:]} {{ background: {c}; }}\n" for c in sorted(colours))
    return current_app.response_class(css, mimetype="text/css")
