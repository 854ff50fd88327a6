"""Blueprint: the organiser forms groups, plans the rotation, adjusts it and publishes it."""

import io

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)

from kt_workshop import access, store
from kt_workshop.i18n import _
from kt_workshop.plan import edits, printing, printouts
from kt_workshop.plan import grid as plan_view
from kt_workshop.plan import store as plan
from kt_workshop.web import allow, audit_actor, get_db, public_url

bp = Blueprint("planner", __name__)


def back(workshop_id: int, anchor: str = ""):
    """Return to the plan page (at a section)."""
    return redirect(url_for("planner.plan_page", workshop_id=workshop_id) + anchor)


def form_int(name: str, default=None) -> int:
    """A whole number from the form, or a 400 when it is not one."""
    value = request.form.get(name, default)
    try:
        return int(value)
    except (TypeError, ValueError):
        abort(400, _("“%(name)s” must be a whole number.", name=name))


def chosen_columns(db, workshop_id: int) -> tuple[list[str], list[str]]:
    """The columns to balance and to keep apart, from the form or the query string, matched
    as a person reads them; an unknown one raises InputError naming the columns there are."""
    source = request.form if request.method == "POST" else request.args
    balance = source.getlist("balance") or ["country", "sector"]
    apart = [c for c in source.getlist("apart") if c] or ["organisation"]
    return plan.chosen_columns(db, workshop_id, balance, apart)


@bp.route("/w/<int:workshop_id>/plan")
@allow("organiser")
def plan_page(workshop_id):
    """The plan: groups and their mix, the rotation grid, scores and the gap to the bound."""
    db = get_db()
    workshop = store.get_workshop(db, workshop_id)
    try:
        balance, apart = chosen_columns(db, workshop_id)
    except store.InputError as error:
        flash(str(error), "error")
        balance, apart = ["country", "sector"], ["organisation"]
    rows = plan_view.grid(db, workshop_id)
    return render_template(
        "plan/plan.html",
        workshop=workshop,
        balance=balance,
        apart=apart,
        columns=plan.group_columns(db, workshop_id),
        groups=plan.group_summary(db, workshop_id, balance, apart),
        grid=rows,
        heads=plan_view.column_heads(db, workshop_id, rows),
        scores=plan_view.scores(db, workshop_id),
        uses_seats=plan.uses_seats(workshop),
        pairs=edits.pair_rules(db, workshop_id),
        people=plan.planned_people(db, workshop_id),
        tables=store.list_items(db, "tables", workshop_id),
        first=plan.plan_order(request.args.get("first", "returns"))[0],
    )


@bp.route("/w/<int:workshop_id>/plan/groups", methods=["POST"])
@allow("organiser")
def groups_form(workshop_id):
    """Form balanced groups from the delegates with the chosen columns and seed."""
    db = get_db()
    try:
        balance, apart = chosen_columns(db, workshop_id)
        plan.form_groups(db, workshop_id, balance, apart, seed=form_int("seed", 0))
    except (store.InputError, ValueError) as error:
        flash(str(error), "error")
        return back(workshop_id)
    store.audit(db, workshop_id, audit_actor(), "formed groups", {"balance": balance})
    flash(_("Groups formed."), "success")
    query = "?" + "&".join([f"balance={c}" for c in balance] + [f"apart={c}" for c in apart])
    return redirect(url_for("planner.plan_page", workshop_id=workshop_id) + query + "#groups")


@bp.route("/w/<int:workshop_id>/plan/rotation", methods=["POST"])
@allow("organiser")
def rotation(workshop_id):
    """Plan the rotation for the whole day (locked cells keep their people)."""
    db = get_db()
    try:
        planned = plan.make_plan(
            db,
            workshop_id,
            seed=form_int("seed", 0),
            time_limit=min(max(float(request.form.get("time_limit", 1)), 0.1), 30),
            order=plan.plan_order(request.form.get("first", "returns")),
        )
    except (store.InputError, ValueError) as error:
        flash(str(error), "error")
        return back(workshop_id)
    store.audit(db, workshop_id, audit_actor(), "planned rotation")
    flash(_("Rotation planned."), "success")
    for problem in planned.problems:
        flash(problem, "error")
    for note in planned.gave_up:
        flash(note, "info")
    # The page keeps the organiser's choice of what matters most for the next plan.
    first = plan.plan_order(request.form.get("first", "returns"))[0]
    return redirect(
        url_for("planner.plan_page", workshop_id=workshop_id, first=first) + "#rotation"
    )


@bp.route("/w/<int:workshop_id>/plan/swap", methods=["POST"])
@allow("organiser")
def swap(workshop_id):
    """Swap two delegates (their tables in one round, or their groups)."""
    db = get_db()
    try:
        edits.swap_people(
            db, workshop_id, form_int("round_id", 0), form_int("first"), form_int("second")
        )
    except store.NotFound as error:
        flash(str(error), "error")
    else:
        flash(_("Swapped."), "success")
    return back(workshop_id, "#rotation")


@bp.route("/w/<int:workshop_id>/plan/move", methods=["POST"])
@allow("organiser")
def move(workshop_id):
    """Move a delegate to another table for one round, or to another group."""
    db = get_db()
    try:
        edits.move_person(
            db, workshop_id, form_int("round_id", 0), form_int("person_id"), form_int("table_id")
        )
    except (store.NotFound, store.InputError) as error:
        flash(str(error), "error")
    else:
        flash(_("Moved."), "success")
    return back(workshop_id, "#rotation")


@bp.route("/w/<int:workshop_id>/plan/swap-moderators", methods=["POST"])
@allow("organiser")
def swap_moderators(workshop_id):
    """Swap the moderators of two tables or groups in one round."""
    try:
        edits.swap_moderators(
            get_db(),
            workshop_id,
            form_int("round_id"),
            form_int("first_table"),
            form_int("second_table"),
        )
    except store.NotFound as error:
        flash(str(error), "error")
    else:
        flash(_("Swapped."), "success")
    return back(workshop_id, "#rotation")


@bp.route("/w/<int:workshop_id>/plan/lock", methods=["POST"])
@allow("organiser")
def lock(workshop_id):
    """Lock or unlock a cell of the grid."""
    try:
        edits.toggle_lock(get_db(), workshop_id, form_int("round_id"), form_int("table_id"))
    except store.NotFound:
        abort(404)
    return back(workshop_id, "#rotation")


@bp.route("/w/<int:workshop_id>/plan/close", methods=["POST"])
@allow("organiser")
def close(workshop_id):
    """Close a table for one round, or open it again."""
    try:
        edits.toggle_closed(get_db(), workshop_id, form_int("round_id"), form_int("table_id"))
    except store.NotFound:
        abort(404)
    return back(workshop_id, "#rotation")


@bp.route("/w/<int:workshop_id>/plan/pairs", methods=["POST"])
@allow("organiser")
def pair_add(workshop_id):
    """Keep two delegates apart or together."""
    try:
        edits.add_pair_rule(
            get_db(),
            workshop_id,
            request.form.get("kind", ""),
            form_int("first"),
            form_int("second"),
        )
    except (store.InputError, store.NotFound) as error:
        flash(str(error), "error")
    return back(workshop_id, "#rules")


@bp.route("/w/<int:workshop_id>/plan/pairs/<int:rule_id>/delete", methods=["POST"])
@allow("organiser")
def pair_delete(workshop_id, rule_id):
    """Drop a pair rule."""
    edits.remove_pair_rule(get_db(), workshop_id, rule_id)
    return back(workshop_id, "#rules")


@bp.route("/w/<int:workshop_id>/plan/publish", methods=["POST"])
@allow("organiser")
def publish(workshop_id):
    """Publish the plan to the day."""
    db = get_db()
    edits.publish(db, workshop_id)
    store.audit(db, workshop_id, audit_actor(), "published plan")
    flash(_("The plan is published: moderators' pages and printouts now follow it."), "success")
    return back(workshop_id)


PRINTOUTS = {
    "cards": (printouts.table_cards_docx, "plan/cards.html"),
    "itineraries": (printouts.itineraries_docx, "plan/itineraries.html"),
    "runsheets": (printouts.runsheets_docx, "plan/runsheets.html"),
}


@bp.route("/w/<int:workshop_id>/printouts/<kind>.<fmt>")
@allow("organiser")
def printout(workshop_id, kind, fmt):
    """Table cards, itineraries or run sheets, as a Word file or a printable page."""
    if kind not in PRINTOUTS or fmt not in ("docx", "html"):
        abort(404)
    paper = request.args.get("paper", "a4")
    if paper not in printouts.PAPERS:
        abort(400, _("Choose A4 or Letter paper."))
    db = get_db()
    secret = current_app.config["SECRET_KEY"]
    document = printing.print_plan(
        db,
        workshop_id,
        lambda grant: public_url("auth.join_link", token=access.grant_token(secret, grant)),
    )
    writer, template = PRINTOUTS[kind]
    if fmt == "html":
        return render_template(template, doc=document, paper=paper)
    return send_file(
        io.BytesIO(writer(document, paper)),
        as_attachment=True,
        download_name=f"{kind}-{workshop_id}-{paper}.docx",
        mimetype="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )


@bp.route("/w/<int:workshop_id>/plan/replan", methods=["POST"])
@allow("organiser")
def replan(workshop_id):
    """Re-plan from a round on after people left, arrived or a table closed."""
    db = get_db()
    try:
        result = plan.replan_from(db, workshop_id, form_int("from_round"), seed=form_int("seed", 0))
    except (store.InputError, ValueError) as error:
        flash(str(error), "error")
        return back(workshop_id, "#rotation")
    store.audit(db, workshop_id, audit_actor(), "re-planned", {"from": form_int("from_round")})
    flash(
        _(
            "Re-planned from round %(n)s: %(moved)s seats changed.",
            n=form_int("from_round"),
            moved=result.moved,
        ),
        "success",
    )
    for problem in result.problems:
        flash(problem, "error")
    return back(workshop_id, "#rotation")
