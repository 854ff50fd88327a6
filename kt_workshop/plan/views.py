"""Blueprint: the organiser forms groups, plans the rotation, adjusts and re-plans it.

There is no separate publishing step: every change reaches the tablets, the projector and the
participants' phones at once (each change is sent to them through the change log).
"""

import io
from datetime import datetime

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)
from flask_babel import format_date, format_time

from kt_workshop import access, store
from kt_workshop.i18n import _, show_in_language
from kt_workshop.plan import edits, labels, links, printing, printouts, replanning
from kt_workshop.plan import grid as plan_view
from kt_workshop.plan import store as plan
from kt_workshop.web import (
    address_notice,
    allow,
    audit_actor,
    get_db,
    tablet_address,
    workshop_url,
)

bp = Blueprint("planner", __name__)


def in_words(stamp: str | None) -> str:
    """A stored UTC time as the organiser reads it: "6 December 2026 at 07:53", local time."""
    if not stamp:
        return ""
    local = datetime.fromisoformat(stamp).astimezone()
    return _(
        "%(date)s at %(time)s",
        date=format_date(local, "long", rebase=False),
        time=format_time(local, "short", rebase=False),
    )


def back(workshop_id: int, anchor: str = ""):
    """Return to the plan page (at a section)."""
    return redirect(url_for("planner.plan_page", workshop_id=workshop_id) + anchor)


def tell_screens(workshop_id: int, from_round_id=None) -> None:
    """Tell every screen that shows the plan that it changed (through the change log)."""
    plan.plan_changed.send(
        current_app._get_current_object(), workshop_id=workshop_id, from_round_id=from_round_id
    )


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
        everyone=store.list_items(db, "participant", workshop_id),
        moderators=store.list_items(db, "moderator", workshop_id),
        tables=store.list_items(db, "tables", workshop_id),
        held=replanning.first_open_round(db, workshop_id),
        replan_error=session.pop(f"replan-error-{workshop_id}", None),
        replanned=replanning.last_outcome(db, workshop_id),
        capacity=plan_view.capacity_problems(db, workshop_id),
        notice=address_notice(workshop),
        printed=in_words(workshop["links_printed_at"]),
        missing={kind: len(rows) for kind, rows in links.missing_links(db, workshop_id).items()},
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
        flash(_message(error), "error")
        return back(workshop_id)
    store.audit(db, workshop_id, audit_actor(), "formed groups", {"balance": balance})
    tell_screens(workshop_id)
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
        flash(_message(error), "error")
        return back(workshop_id)
    store.audit(db, workshop_id, audit_actor(), "planned rotation")
    tell_screens(workshop_id)
    held = replanning.first_open_round(db, workshop_id)
    rounds = plan.day_rounds(db, workshop_id)
    if rounds and held >= len(rounds):
        flash(_("The day is over: every round has happened and stays as it was."), "info")
    elif held:
        flash(
            _(
                "Rotation planned from %(round)s on; the rounds before it stay as they were.",
                round=plan.round_name(rounds[held]),
            ),
            "success",
        )
    else:
        flash(_("Rotation planned."), "success")
    for problem in planned.problems + plan_view.capacity_problems(db, workshop_id):
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
    except (store.NotFound, store.InputError) as error:
        flash(_message(error), "error")
    else:
        tell_screens(workshop_id)
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
        flash(_message(error), "error")
    else:
        tell_screens(workshop_id)
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
    except (store.NotFound, store.InputError) as error:
        flash(_message(error), "error")
    else:
        tell_screens(workshop_id)
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
    except store.InputError as error:
        flash(_message(error), "error")
    return back(workshop_id, "#rotation")


@bp.route("/w/<int:workshop_id>/plan/close", methods=["POST"])
@allow("organiser")
def close(workshop_id):
    """Close a table for one round, or open it again."""
    try:
        edits.toggle_closed(get_db(), workshop_id, form_int("round_id"), form_int("table_id"))
    except store.NotFound:
        abort(404)
    except store.InputError as error:
        flash(_message(error), "error")
    else:
        tell_screens(workshop_id, form_int("round_id"))
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


PRINTOUTS = {
    "cards": (printouts.table_cards_docx, "plan/cards.html"),
    "itineraries": (printouts.itineraries_docx, "plan/itineraries.html"),
    "runsheets": (printouts.runsheets_docx, "plan/runsheets.html"),
    "rosters": (labels.rosters_docx, "plan/rosters.html"),
    "badges": (labels.badges_docx, "plan/badges.html"),
    "links": (labels.links_docx, "plan/links.html"),
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
    workshop = store.get_workshop(db, workshop_id)
    show_in_language(workshop["language"])  # printed for the room, in the workshop's language
    secret = current_app.config["SECRET_KEY"]
    document = printing.print_plan(
        db,
        workshop_id,
        lambda grant: workshop_url(
            workshop, "auth.join_link", token=access.grant_token(secret, grant)
        ),
        welcome_url=workshop_url(workshop, "auth.welcome"),
    )
    if printing.has_links(document, kind):
        printing.note_printed(db, workshop_id, tablet_address(workshop)[0])
    writer, template = PRINTOUTS[kind]
    if fmt == "html":
        return render_template(
            template,
            doc=document,
            paper=paper,
            sheets=labels.BADGE_SHEETS,
            sheet_names=labels.BADGE_NAMES,
        )
    return send_file(
        io.BytesIO(writer(document, paper)),
        as_attachment=True,
        download_name=f"{kind}-{workshop_id}-{paper}.docx",
        mimetype="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )


def _message(error: Exception) -> str:
    """The words of an input error, without the field names."""
    if isinstance(error, store.InputError):
        return " ".join(str(m) for m in error.errors.values())
    return str(error)


def _ids(name: str) -> list[int]:
    """Whole numbers chosen in a multiple-choice field (anything else is ignored)."""
    return [int(v) for v in request.form.getlist(name) if str(v).isdigit()]


@bp.route("/w/<int:workshop_id>/plan/replan", methods=["POST"])
@allow("organiser")
def replan(workshop_id):
    """Re-plan from a round on after people left or arrived, a table closed or a moderator
    left; the outcome, with everyone who moves, shows in the re-plan box."""
    db = get_db()
    try:
        outcome = replanning.replan_day(
            db,
            workshop_id,
            form_int("from_round"),
            left=_ids("left"),
            arrived=_ids("arrived"),
            close=_ids("close"),
            leaving=_ids("leaving"),
            seed=form_int("seed", 0),
            actor=audit_actor(),
        )
    except store.NotFound as error:
        flash(str(error), "error")
        return back(workshop_id, "#replan")
    except (store.InputError, ValueError) as error:
        # Shown in the re-plan box, where the organiser is looking, not at the top of the page.
        session[f"replan-error-{workshop_id}"] = _message(error)
        return back(workshop_id, "#replan")
    tell_screens(workshop_id, outcome.start_round_id)
    return back(workshop_id, "#replan")
