"""Blueprint: the organiser's review before publishing: key quotes approved (edited for
publication, the note as written kept) or dropped, and notes left out of the report or let in.

The organiser's alone: analysts mark key quotes while coding; what is published is the
organiser's decision (`kt_workshop.reports.publishing` keeps it).
"""

from flask import Blueprint, flash, redirect, render_template, request, url_for

from kt_workshop import store
from kt_workshop.db import writing
from kt_workshop.i18n import _
from kt_workshop.live.notes import KINDS
from kt_workshop.reports import publishing
from kt_workshop.reports.dataset import kind_label
from kt_workshop.web import allow, audit_actor, flash_errors, get_db

bp = Blueprint("quotes", __name__)
HOUSEKEEPING = "housekeeping"


@bp.route("/w/<int:workshop_id>/report/review")
@allow("organiser")
def review_page(workshop_id):
    """The key quotes to approve, edit or drop, and the notes out of the report."""
    db = get_db()
    quotes = publishing.review_list(db, workshop_id)
    return render_template(
        "reports/quotes.html",
        workshop=store.get_workshop(db, workshop_id),
        quotes=quotes,
        waiting=sum(q["status"] == "pending" for q in quotes),
        left_out=publishing.left_out(db, workshop_id),
        attributed=publishing.attributed(db, workshop_id),
        uncoded=publishing.uncoded(db, workshop_id),
        kinds={kind: kind_label(kind) for kind in KINDS},
    )


def _back(workshop_id: int, anchor: str):
    return redirect(url_for("quotes.review_page", workshop_id=workshop_id, _anchor=anchor))


@bp.route("/w/<int:workshop_id>/report/review/quote", methods=["POST"])
@allow("organiser")
def review_quote(workshop_id):
    """Approve a key quote in the words given, drop it, or send it back for review."""
    db = get_db()
    note_id = request.form.get("note_id", "")
    decision = {"approve": "approved", "drop": "dropped", "reset": "pending"}.get(
        request.form.get("decision", ""), ""
    )
    text = request.form.get("text") if decision == "approved" else None
    try:
        with writing(db):
            publishing.review_quote(db, workshop_id, note_id, decision, audit_actor(), text)
            store.audit(db, workshop_id, audit_actor(), f"quote {decision}", {"note": note_id})
    except store.InputError as error:
        flash_errors(error)
    except store.NotFound as error:
        flash(str(error), "error")
    return _back(workshop_id, f"quote-{note_id}")


@bp.route("/w/<int:workshop_id>/report/review/text", methods=["POST"])
@allow("organiser")
def edit_text(workshop_id):
    """Set the words a note is published in (the note as written is kept)."""
    db = get_db()
    note_id = request.form.get("note_id", "")
    try:
        with writing(db):
            publishing.edit_note(
                db, workshop_id, note_id, request.form.get("text", ""), audit_actor()
            )
            store.audit(
                db, workshop_id, audit_actor(), "note edited for publication", {"note": note_id}
            )
    except store.InputError as error:
        flash_errors(error)
    except store.NotFound as error:
        flash(str(error), "error")
    return _back(workshop_id, f"said-{note_id}")


@bp.route("/w/<int:workshop_id>/report/review/note", methods=["POST"])
@allow("organiser")
def decide_note(workshop_id):
    """Leave a note out of the report with a reason, or let it (back) in."""
    db = get_db()
    note_id = request.form.get("note_id", "")
    try:
        with writing(db):
            if request.form.get("decision") == "include":
                publishing.include_note(db, workshop_id, note_id, audit_actor())
            else:
                reason = request.form.get("reason", "")
                if request.form.get("decision") == HOUSEKEEPING:
                    reason = _("Housekeeping")
                publishing.exclude_note(db, workshop_id, note_id, reason, audit_actor())
            store.audit(
                db,
                workshop_id,
                audit_actor(),
                "note in report" if request.form.get("decision") == "include" else "note left out",
                {"note": note_id},
            )
    except store.InputError as error:
        flash_errors(error)
    except store.NotFound as error:
        flash(str(error), "error")
    return _back(workshop_id, request.form.get("anchor") or "left-out")
