"""Blueprint: the analysts compared, disagreements resolved into the consensus, and the write-up
(summaries, points for further discussion, key quotes) that feeds the report."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from kt_workshop import store
from kt_workshop.coding import agreement, codebook, codes
from kt_workshop.coding.workspace import CODERS, back, current_analyst, current_sight
from kt_workshop.db import writing
from kt_workshop.i18n import _
from kt_workshop.web import allow, audit_actor, flash_errors, get_db

bp = Blueprint("review", __name__)


def _number(name: str):
    value = request.args.get(name, "")
    return int(value) if value.isdigit() else None


STATUSES = ("open", "resolved", "all")
PER_PAGE = 40  # disagreements per page


@bp.route("/w/<int:workshop_id>/compare")
@allow(*CODERS)
def compare_page(workshop_id):
    """Every analyst, every pair and all of them together; one pair's figures per theme; and
    the disagreements, filtered and grouped by theme, side by side, to decide with a reason."""
    db = get_db()
    workshop = store.get_workshop(db, workshop_id)
    current_analyst(workshop_id)
    sight = current_sight(workshop_id)
    if not sight.shared:  # while blind, nothing here may come from the others' coding
        return render_template(
            "coding/compare.html", workshop=workshop, problem=sight.refusal(), overview=None
        )
    data = agreement.coding_data(db, workshop_id)
    overview = agreement.overview(db, workshop_id, data)
    a_id, b_id = _number("a"), _number("b")
    pair = next(
        (p for p in overview["pairs"] if {p["a"]["id"], p["b"]["id"]} == {a_id, b_id}),
        overview["pairs"][0] if overview["pairs"] else None,
    )
    status = request.args.get("status", "open")
    status = status if status in STATUSES else "open"
    theme_id = _number("theme")
    found = [
        d
        for d in agreement.disputes(data)
        if (status == "all" or (d["decision"] is None) == (status == "open"))
        and (theme_id is None or d["theme_id"] == theme_id)
    ]
    order = {t["id"]: i for i, t in enumerate(overview["themes"])}
    found.sort(key=lambda d: (order.get(d["theme_id"], len(order)), d["note_id"]))
    page = max(_number("page") or 1, 1)
    pages = max((len(found) + PER_PAGE - 1) // PER_PAGE, 1)
    shown = found[(page - 1) * PER_PAGE : page * PER_PAGE]
    ids = sorted({d["note_id"] for d in shown})
    notes = {
        row["id"]: row
        for row in db.query(
            f"SELECT id, text, kind FROM note WHERE id IN ({','.join('?' * len(ids))})",  # noqa: S608
            ids,
        )
    }
    agreed, _open = agreement.consensus(data)
    return render_template(
        "coding/compare.html",
        workshop=workshop,
        problem=None
        if overview["pairs"]
        else _("The comparison needs two analysts who have gone through notes."),
        overview=overview,
        pair=pair,
        names={a["id"]: a["name"] for a in overview["analysts"]},
        status=status,
        theme_id=theme_id,
        disputes=shown,
        total=len(found),
        page=page,
        pages=pages,
        notes=notes,
        theme_by_id={t["id"]: t for t in overview["themes"]},
        consensus_size=len(agreed),
        coverage=overview["coverage"],
        next_url=request.full_path,
    )


@bp.route("/w/<int:workshop_id>/compare/decide", methods=["POST"])
@allow(*CODERS)
def decide(workshop_id):
    """Resolve a disagreement with a reason: keep the theme on the note in the consensus, drop
    it, or reopen it."""
    db = get_db()
    sight = current_sight(workshop_id)
    if not sight.shared:
        abort(409, sight.refusal())
    keep = {"keep": True, "drop": False, "reopen": None}.get(request.form.get("decision"), "bad")
    if keep == "bad":
        abort(400, _("Choose keep, drop or reopen."))
    try:
        with writing(db):
            agreement.decide(
                db,
                workshop_id,
                request.form.get("note_id"),
                request.form.get("theme_id"),
                keep,
                audit_actor(),
                request.form.get("reason", ""),
            )
    except store.InputError as error:
        flash_errors(error)
    except store.NotFound as error:
        flash(str(error), "error")
    return back(workshop_id)


@bp.route("/w/<int:workshop_id>/writeup")
@allow(*CODERS)
def writeup_page(workshop_id):
    """Summaries per question and per overarching theme, points for discussion, key quotes."""
    db = get_db()
    themes = codebook.themes(db, workshop_id)
    return render_template(
        "coding/writeup.html",
        workshop=store.get_workshop(db, workshop_id),
        programme=store.programme(db, workshop_id),
        overarching=[t for t in themes if t["parent_id"] is None],
        theme_by_id={t["id"]: t for t in themes},
        summaries=codes.summaries(db, workshop_id),
        points=codes.points(db, workshop_id),
        quotes=codes.quotes(db, workshop_id, current_sight(workshop_id).only()),
    )


def to_writeup(workshop_id: int, anchor: str = ""):
    return redirect(url_for("review.writeup_page", workshop_id=workshop_id, _anchor=anchor or None))


@bp.route("/w/<int:workshop_id>/writeup/summary", methods=["POST"])
@allow(*CODERS)
def summary_save(workshop_id):
    """Save the summary of a question or of an overarching theme."""
    db = get_db()
    question_id = request.form.get("question_id") or None
    theme_id = request.form.get("theme_id") or None
    try:
        with writing(db):
            codes.save_summary(
                db,
                workshop_id,
                request.form.get("text", ""),
                audit_actor(),
                question_id=int(question_id) if question_id and question_id.isdigit() else None,
                theme_id=int(theme_id) if theme_id and theme_id.isdigit() else None,
            )
    except store.InputError as error:
        flash_errors(error)
    except store.NotFound as error:
        flash(str(error), "error")
    else:
        flash(_("Summary saved."), "success")
    anchor = f"question-{question_id}" if question_id else f"theme-{theme_id}"
    return to_writeup(workshop_id, anchor)


@bp.route("/w/<int:workshop_id>/writeup/points", methods=["POST"])
@allow(*CODERS)
def point_add(workshop_id):
    """Add a point for further discussion."""
    db = get_db()
    try:
        with writing(db):
            codes.add_point(db, workshop_id, request.form.get("text", ""), audit_actor())
    except store.InputError as error:
        flash_errors(error)
    return to_writeup(workshop_id, "points")


@bp.route("/w/<int:workshop_id>/writeup/points/<int:point_id>/delete", methods=["POST"])
@allow(*CODERS)
def point_delete(workshop_id, point_id):
    """Remove a point for further discussion."""
    db = get_db()
    with writing(db):
        codes.delete_point(db, workshop_id, point_id)
    return to_writeup(workshop_id, "points")
