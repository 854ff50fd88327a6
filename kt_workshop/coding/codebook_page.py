"""Blueprint: the codebook page (themes, history, undo, exchange) and suggestions and rules."""

from collections import Counter

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for

from kt_workshop import store
from kt_workshop.coding import agreement, aids, codebook, codes, exchange
from kt_workshop.coding.refi import MAX_ARCHIVE_BYTES, RefiError
from kt_workshop.coding.workspace import CODERS, current_analyst, current_sight
from kt_workshop.db import writing
from kt_workshop.i18n import _, lazy_, ngettext
from kt_workshop.web import allow, audit_actor, current_actor, flash_errors, get_db

bp = Blueprint("codebook", __name__)

# A theme's colour is said in words too (WCAG 1.4.1): the Okabe-Ito palette's own names, and
# any other colour the name of the nearest of these.
COLOUR_NAMES = {
    "#E69F00": lazy_("orange"),
    "#56B4E9": lazy_("sky blue"),
    "#009E73": lazy_("bluish green"),
    "#F0E442": lazy_("yellow"),
    "#0072B2": lazy_("blue"),
    "#D55E00": lazy_("vermilion"),
    "#CC79A7": lazy_("reddish purple"),
    "#999999": lazy_("grey"),
    "#000000": lazy_("black"),
    "#FFFFFF": lazy_("white"),
    "#D62728": lazy_("red"),
    "#2CA02C": lazy_("green"),
    "#8C564B": lazy_("brown"),
    "#9467BD": lazy_("purple"),
}


def colour_name(colour: str | None) -> str:
    """A theme colour (#rrggbb) in words: its palette name, or the nearest named colour's."""
    if not codebook.COLOUR.fullmatch(colour or ""):
        return str(COLOUR_NAMES["#999999"])
    rgb = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]

    def distance(named: str) -> int:
        return sum(
            (a - int(named[i : i + 2], 16)) ** 2 for a, i in zip(rgb, (1, 3, 5), strict=True)
        )

    return str(COLOUR_NAMES[min(COLOUR_NAMES, key=distance)])


def me(workshop_id: int) -> int:
    """The analyst row of the person making a codebook change (made on their first change)."""
    return current_analyst(workshop_id)["id"]


def visible_history(db, workshop_id: int, sight, limit: int = 50) -> list[dict]:
    """The codebook's history as this person may see it: while blind, the others' rule runs
    and taken suggestions (which say how they coded) are left out."""
    return [
        change
        for change in codebook.history(db, workshop_id, limit)
        if sight.shared
        or change["action"] not in ("rule", "suggestion")
        or sight.sees(change["analyst_id"])
    ]


def undo_target(db, workshop_id: int, sight):
    """The change this person's Undo takes back (the organiser's: anyone's latest)."""
    return codebook.undoable(
        db, workshop_id, sight.analyst_id, anyone=current_actor().role == "organiser"
    )


def to_codebook(workshop_id: int):
    return redirect(url_for("codebook.codebook_page", workshop_id=workshop_id))


def change_codebook(workshop_id: int, action, success: str):
    """Run one codebook change in a write transaction; flash the outcome; back to the codebook."""
    db = get_db()
    try:
        with writing(db):
            action(db, me(workshop_id))
    except store.InputError as error:
        flash_errors(error)
    except store.NotFound as error:
        flash(str(error), "error")
    else:
        flash(success, "success")
    return to_codebook(workshop_id)


@bp.route("/w/<int:workshop_id>/codebook")
@allow(*CODERS)
def codebook_page(workshop_id):
    """The themes as a tree with their counts, forms to change them, and the change history."""
    db = get_db()
    workshop = store.get_workshop(db, workshop_id)
    analyst = current_analyst(workshop_id)
    sight = current_sight(workshop_id)
    themes = codebook.themes(db, workshop_id)
    memos: dict = {}
    for memo in codes.memos(db, workshop_id, analyst_ids=sight.only()):
        if memo["theme_id"] and not memo["note_id"]:
            memos.setdefault(memo["theme_id"], []).append(memo)
    agreed = None
    if sight.shared:  # the consensus comes from everyone's coding
        agreed = Counter(theme for _note, theme in agreement.report_coding(db, workshop_id))
    return render_template(
        "coding/codebook.html",
        workshop=workshop,
        analyst=analyst,
        themes=themes,
        counts=codes.theme_counts(db, workshop_id, analyst["id"]),
        agreed=agreed,
        memos=memos,
        history=visible_history(db, workshop_id, sight),
        undo=undo_target(db, workshop_id, sight),
        palette=codebook.PALETTE,
        colour_name=colour_name,
    )


@bp.route("/w/<int:workshop_id>/codebook/themes", methods=["POST"])
@allow(*CODERS)
def theme_create(workshop_id):
    """Add a theme to the codebook."""
    form = request.form.to_dict()
    return change_codebook(
        workshop_id,
        lambda db, by: codebook.create_theme(db, workshop_id, form, audit_actor(), by),
        _("Theme added."),
    )


@bp.route("/w/<int:workshop_id>/codebook/themes/<int:theme_id>", methods=["POST"])
@allow(*CODERS)
def theme_edit(workshop_id, theme_id):
    """Rename a theme, or change its colour, description or notes on use."""
    form = {
        k: v for k, v in request.form.items() if k in ("name", "colour", "description", "usage")
    }
    return change_codebook(
        workshop_id,
        lambda db, by: codebook.update_theme(db, workshop_id, theme_id, form, audit_actor(), by),
        _("Theme saved."),
    )


@bp.route("/w/<int:workshop_id>/codebook/themes/<int:theme_id>/move", methods=["POST"])
@allow(*CODERS)
def theme_move(workshop_id, theme_id):
    """Put a theme under another one, or make it an overarching theme."""
    parent_id = request.form.get("parent_id")
    return change_codebook(
        workshop_id,
        lambda db, by: codebook.move_theme(db, workshop_id, theme_id, parent_id, audit_actor(), by),
        _("Theme moved."),
    )


@bp.route("/w/<int:workshop_id>/codebook/themes/<int:theme_id>/merge", methods=["POST"])
@allow(*CODERS)
def theme_merge(workshop_id, theme_id):
    """Fold a theme into another, codes and all."""
    try:
        target_id = int(request.form.get("target_id", ""))
    except ValueError:
        flash(_("Choose the theme to merge into."), "error")
        return to_codebook(workshop_id)
    return change_codebook(
        workshop_id,
        lambda db, by: codebook.merge_themes(
            db, workshop_id, theme_id, target_id, audit_actor(), by
        ),
        _("Themes merged."),
    )


@bp.route("/w/<int:workshop_id>/codebook/themes/<int:theme_id>/split", methods=["POST"])
@allow(*CODERS)
def theme_split(workshop_id, theme_id):
    """Make a new theme from some of a theme's notes (their codes move to the new theme)."""
    note_ids = [n for n in request.form.getlist("note_ids") if n.isdigit()]
    name = request.form.get("name", "")
    return change_codebook(
        workshop_id,
        lambda db, by: codebook.split_theme(
            db, workshop_id, theme_id, name, note_ids, audit_actor(), by
        ),
        _("Theme split."),
    )


@bp.route("/w/<int:workshop_id>/codebook/themes/<int:theme_id>/split")
@allow(*CODERS)
def theme_split_page(workshop_id, theme_id):
    """Choose which of a theme's notes go to a new theme."""
    db = get_db()
    theme = codebook.get_theme(db, workshop_id, theme_id)
    only = current_sight(workshop_id).only()  # while blind: the notes the analyst coded
    whose = "" if only is None else f" AND coding.analyst_id IN ({','.join('?' * len(only))})"
    notes = [
        dict(row)
        for row in db.query(
            "SELECT DISTINCT note.id, note.text, note.kind FROM note"  # noqa: S608
            " JOIN coding ON coding.note_id = note.id"
            f" WHERE coding.theme_id = ? AND note.deleted_at IS NULL{whose} ORDER BY note.id",
            [theme_id, *(only or [])],
        )
    ]
    return render_template(
        "coding/split.html",
        workshop=store.get_workshop(db, workshop_id),
        theme=theme,
        notes=notes,
    )


@bp.route("/w/<int:workshop_id>/codebook/themes/<int:theme_id>/delete", methods=["POST"])
@allow(*CODERS)
def theme_delete(workshop_id, theme_id):
    """Remove a theme nobody used."""
    return change_codebook(
        workshop_id,
        lambda db, by: codebook.delete_theme(db, workshop_id, theme_id, audit_actor(), by),
        _("Theme deleted."),
    )


@bp.route("/w/<int:workshop_id>/codebook/undo", methods=["POST"])
@allow(*CODERS)
def undo(workshop_id):
    """Undo the person's own latest codebook change or rule run (the organiser: anyone's)."""
    db = get_db()
    organiser = current_actor().role == "organiser"
    try:
        with writing(db):
            change = codebook.undo_last(
                db, workshop_id, audit_actor(), me(workshop_id), anyone=organiser
            )
    except store.InputError as error:
        flash_errors(error)
    else:
        flash(
            _("Undone: %(what)s (a change by %(who)s)", what=change["detail"], who=change["actor"]),
            "success",
        )
    page = "codebook.aids_page" if request.form.get("back") == "aids" else "codebook.codebook_page"
    return redirect(url_for(page, workshop_id=workshop_id))


@bp.route("/w/<int:workshop_id>/codebook/blind", methods=["POST"])
@allow("organiser")
def blind(workshop_id):
    """Switch blind coding on (analysts see only their own codes) or off (for the comparison)."""
    db = get_db()
    if request.form.get("on") not in ("0", "1"):
        abort(400, _("Say whether blind coding is to be on (1) or off (0)."))
    on = request.form["on"] == "1"
    store.get_workshop(db, workshop_id)
    with writing(db):
        db["workshop"].update(workshop_id, {"coding_blind": int(on)})
        store.audit(db, workshop_id, audit_actor(), "blind coding " + ("on" if on else "off"))
    flash(
        _("Blind coding is on.") if on else _("Blind coding is off: everyone sees all codes."),
        "success",
    )
    return redirect(request.referrer or url_for("review.compare_page", workshop_id=workshop_id))


# Exchange with NVivo, ATLAS.ti, MAXQDA --------------------------------------------------------


@bp.route("/w/<int:workshop_id>/codebook.qdc")
@allow(*CODERS)
def export_qdc(workshop_id):
    """Download the codebook as a REFI-QDA .qdc file."""
    try:
        data = exchange.codebook_file(get_db(), workshop_id, current_sight(workshop_id))
    except RefiError as error:
        flash(str(error), "error")
        return to_codebook(workshop_id)
    return Response(
        data,
        mimetype="application/xml",
        headers={"Content-Disposition": f'attachment; filename="codebook-{workshop_id}.qdc"'},
    )


@bp.route("/w/<int:workshop_id>/codebook.csv")
@allow(*CODERS)
def export_csv(workshop_id):
    """Download the codebook as CSV, the shape Taguette imports."""
    return Response(
        exchange.codebook_csv_file(get_db(), workshop_id, current_sight(workshop_id)),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="codebook-{workshop_id}.csv"'},
    )


@bp.route("/w/<int:workshop_id>/project.qdpx")
@allow(*CODERS)
def export_qdpx(workshop_id):
    """Download the coded notes as a REFI-QDA .qdpx project (while blind: one's own coding)."""
    result = exchange.project_file(get_db(), workshop_id, current_sight(workshop_id))
    return Response(
        result.data,
        mimetype="application/zip",
        headers={"Content-Disposition": f'attachment; filename="workshop-{workshop_id}.qdpx"'},
    )


@bp.route("/w/<int:workshop_id>/codebook/import", methods=["POST"])
@allow(*CODERS)
def import_qdc(workshop_id):
    """Add the themes of a .qdc codebook from another tool; report what did not fit."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash(_("Choose a .qdc or .qdpx file first."), "error")
        return to_codebook(workshop_id)
    data = upload.read(MAX_ARCHIVE_BYTES + 1)
    db = get_db()
    try:
        with writing(db):
            added, problems = exchange.import_codebook_file(
                db, workshop_id, data, audit_actor(), upload.filename or "", me(workshop_id)
            )
    except RefiError as error:
        flash(_("The codebook was not imported: %(why)s", why=error), "error")
        return to_codebook(workshop_id)
    flash(ngettext("%(num)d theme imported.", "%(num)d themes imported.", added), "success")
    for problem in problems[:20]:
        flash(problem, "info")
    if len(problems) > 20:
        more = len(problems) - 20
        flash(ngettext("… and %(num)s more remark.", "… and %(num)s more remarks.", more), "info")
    return to_codebook(workshop_id)


# Suggestions and rules ------------------------------------------------------------------------


@bp.route("/w/<int:workshop_id>/suggestions")
@allow(*CODERS)
def aids_page(workshop_id):
    """Theme suggestions from the notes, and keyword rules with a preview before they code."""
    db = get_db()
    analyst = current_analyst(workshop_id)
    sight = current_sight(workshop_id)
    themes = codebook.themes(db, workshop_id)
    preview, problem = None, None
    pattern = request.args.get("pattern", "")
    if pattern and request.args.get("theme_id"):
        try:
            preview = aids.preview_rule(
                db, workshop_id, pattern, request.args.get("theme_id"), analyst["id"]
            )
        except store.InputError as error:
            problem = " ".join(error.errors.values())
        except store.NotFound as error:
            problem = str(error)
    suggestions = aids.theme_suggestions(db, workshop_id)
    texts = {
        row[0]: row[1]
        for row in db.execute(
            "SELECT id, text FROM note WHERE workshop_id = ? AND deleted_at IS NULL", [workshop_id]
        )
    }
    return render_template(
        "coding/aids.html",
        workshop=store.get_workshop(db, workshop_id),
        analyst=analyst,
        themes=themes,
        suggestions=suggestions,
        texts=texts,
        pattern=pattern,
        theme_id=request.args.get("theme_id", ""),
        preview=preview,
        problem=problem,
        rules=[r for r in aids.rules(db, workshop_id) if sight.sees(r["analyst_id"])],
        language_names=[aids.language_name(c) for c in aids.workshop_languages(db, workshop_id)],
        history=visible_history(db, workshop_id, sight, 10),
        undo=undo_target(db, workshop_id, sight),
    )


def to_aids(workshop_id: int, **args):
    return redirect(url_for("codebook.aids_page", workshop_id=workshop_id, **args))


@bp.route("/w/<int:workshop_id>/rules", methods=["POST"])
@allow(*CODERS)
def rule_apply(workshop_id):
    """Code every note the rule matches with its theme, for the signed-in analyst."""
    db = get_db()
    try:
        with writing(db):
            added = aids.apply_rule(
                db,
                workshop_id,
                request.form.get("pattern", ""),
                request.form.get("theme_id"),
                current_analyst(workshop_id)["id"],
                audit_actor(),
                note_ids=request.form.getlist("note_ids") if request.form.get("chosen") else None,
            )
    except store.InputError as error:
        flash_errors(error)
    except store.NotFound as error:
        flash(str(error), "error")
    else:
        flash(
            ngettext(
                "The rule coded %(num)s note. Undo takes it off again.",
                "The rule coded %(num)s notes. Undo takes them off again.",
                added,
            ),
            "success",
        )
    return to_aids(workshop_id)


@bp.route("/w/<int:workshop_id>/suggestions/accept", methods=["POST"])
@allow(*CODERS)
def suggestion_accept(workshop_id):
    """Turn a suggestion into a new theme, or merge it into a theme, coding its notes."""
    db = get_db()
    try:
        with writing(db):
            aids.accept_suggestion(
                db,
                workshop_id,
                request.form.get("key", ""),
                current_analyst(workshop_id)["id"],
                audit_actor(),
                name=request.form.get("name") or None,
                into=request.form.get("into") or None,
                note_ids=request.form.getlist("note_ids") or None,
            )
    except store.InputError as error:
        flash_errors(error)
    except store.NotFound as error:
        flash(str(error), "error")
    else:
        flash(_("Suggestion taken: its notes are coded. Undo takes that back."), "success")
    return to_aids(workshop_id)


@bp.route("/w/<int:workshop_id>/suggestions/dismiss", methods=["POST"])
@allow(*CODERS)
def suggestion_dismiss(workshop_id):
    """Hide a suggestion."""
    db = get_db()
    try:
        with writing(db):
            aids.dismiss_suggestion(db, workshop_id, request.form.get("key", ""))
    except store.InputError as error:
        flash_errors(error)
    else:
        flash(_("Suggestion dismissed."), "success")
    return to_aids(workshop_id)
