"""Blueprint: signing in (organiser link, join links and codes), signing out, join links."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for

from kt_workshop import access, store
from kt_workshop.i18n import _
from kt_workshop.join import trust
from kt_workshop.plan import grid
from kt_workshop.web import (
    PUBLIC,
    Actor,
    actor_from_grant,
    allow,
    audit_actor,
    current_actor,
    end_live_connections,
    get_db,
    limiter,
    public_url,
    sign_in,
)

bp = Blueprint("auth", __name__)


def home_for(actor: Actor) -> str:
    """Where each role starts after signing in."""
    if actor.role == "organiser":
        return url_for("organise.dashboard")
    return url_for("auth.my_workshop", workshop_id=actor.workshop_id)


def join_rate_limit() -> str:
    """The limit on join attempts per address, from the settings."""
    return current_app.config["JOIN_RATE_LIMIT"]


@bp.route("/favicon.ico")
@allow(PUBLIC)
def favicon():
    """The app's icon, for browsers that ask for it before reading the page."""
    return redirect(url_for("static", filename="favicon.svg"))


@bp.route("/welcome")
@allow(PUBLIC)
def welcome():
    """Explain how to get in, with the short-code form."""
    actor = current_actor()
    return render_template("join/welcome.html", actor=actor)


@bp.route("/signin")
@allow(PUBLIC)
@limiter.limit(join_rate_limit)
def signin():
    """Use the organiser's one-time link printed by `kt-workshop serve`."""
    token = request.args.get("token", "")
    if not token or not access.redeem_signin_token(get_db(), token):
        flash(
            _(
                "This sign-in link has been used or has expired. Restart kt-workshop or run "
                "`kt-workshop organiser-link` for a new one."
            ),
            "error",
        )
        return redirect(url_for("auth.welcome"))
    sign_in(Actor(role="organiser"))
    store.audit(get_db(), None, "organiser", "signed in")
    # Redirect so the token leaves the address bar and the browser history.
    return redirect(url_for("organise.dashboard"))


@bp.route("/join/<token>")
@allow(PUBLIC)
@limiter.limit(join_rate_limit)
def join_link(token):
    """Join a workshop from a link or QR code."""
    grant = access.grant_for_token(get_db(), current_app.config["SECRET_KEY"], token)
    if grant is None:
        flash(_("This link does not work any more. Ask the organiser for a new one."), "error")
        return redirect(url_for("auth.welcome"))
    return _enter(grant)


@bp.route("/join", methods=["POST"])
@allow(PUBLIC)
@limiter.limit(join_rate_limit)
def join_code():
    """Join a workshop by typing the short code (limited attempts per address)."""
    grant = access.grant_for_code(get_db(), request.form.get("code", ""))
    if grant is None:
        flash(_("That code is not valid. Check it with the organiser."), "error")
        return redirect(url_for("auth.welcome"))
    return _enter(grant)


def _enter(grant: dict):
    """Sign the holder of a grant in and send them to their workshop."""
    actor = actor_from_grant(grant)
    sign_in(actor)
    access.touch_grant(get_db(), grant["id"])
    store.audit(get_db(), grant["workshop_id"], actor.name(), "joined")
    return redirect(home_for(actor))


@bp.route("/signout", methods=["POST"])
@allow(PUBLIC)
def signout():
    """End this browser's session."""
    from flask import session

    session.clear()
    flash(_("You are signed out."), "info")
    return redirect(url_for("auth.welcome"))


@bp.route("/w/<int:workshop_id>/me")
@allow("moderator", "participant", "analyst")
def my_workshop(workshop_id):
    """A joined person's start page: the workshop, their role, and what the day holds."""
    db = get_db()
    actor = current_actor()
    workshop = store.get_workshop(db, workshop_id)
    table = moderator = question = None
    if actor.table_id:
        table = store.get_item(db, "tables", workshop_id, actor.table_id)
    if actor.moderator_id:
        moderator = store.get_item(db, "moderator", workshop_id, actor.moderator_id)
        if moderator["question_id"]:
            question = store.get_item(db, "question", workshop_id, moderator["question_id"])
    schedule = []
    if workshop["plan_published_at"]:
        schedule = grid.schedule_for(
            db,
            workshop_id,
            moderator_id=actor.moderator_id,
            table_id=actor.table_id,
            participant_id=actor.participant_id,
        )
    return render_template(
        "join/me.html",
        schedule=schedule,
        workshop=workshop,
        actor=actor,
        table=table,
        moderator=moderator,
        question=question,
        programme=store.programme(db, workshop_id),
    )


# The organiser's join links ------------------------------------------------------------------


@bp.route("/w/<int:workshop_id>/access")
@allow("organiser")
def grants(workshop_id):
    """List every join link of the workshop with its code, and forms to add more."""
    db = get_db()
    workshop = store.get_workshop(db, workshop_id)
    rows = access.list_grants(db, workshop_id)
    secret = current_app.config["SECRET_KEY"]
    for row in rows:
        row["url"] = public_url("auth.join_link", token=access.grant_token(secret, row))
    return render_template(
        "join/access.html",
        trust=trust.card(),
        workshop=workshop,
        grants=rows,
        tables=store.list_items(db, "tables", workshop_id),
        moderators=store.list_items(db, "moderator", workshop_id),
        participants=store.list_items(db, "participant", workshop_id),
    )


@bp.route("/w/<int:workshop_id>/access", methods=["POST"])
@allow("organiser")
def grant_create(workshop_id):
    """Make a join link (and short code) for a moderator, participant or analyst."""
    db = get_db()
    form = request.form
    try:
        grant = access.create_grant(
            db,
            workshop_id,
            form.get("role", ""),
            form.get("label", ""),
            table_id=form.get("table_id") or None,
            moderator_id=form.get("moderator_id") or None,
            participant_id=form.get("participant_id") or None,
        )
    except store.InputError as error:
        for message in error.errors.values():
            flash(message, "error")
        return redirect(url_for("auth.grants", workshop_id=workshop_id))
    except store.NotFound as error:
        flash(str(error), "error")
        return redirect(url_for("auth.grants", workshop_id=workshop_id))
    store.audit(
        db,
        workshop_id,
        audit_actor(),
        "created join link",
        {"grant": grant["id"], "role": grant["role"]},
    )
    flash(_("Join link created."), "success")
    return redirect(url_for("auth.grants", workshop_id=workshop_id))


@bp.route("/w/<int:workshop_id>/access/<int:grant_id>/revoke", methods=["POST"])
@allow("organiser")
def grant_revoke(workshop_id, grant_id):
    """Stop a join link and its code; whoever used it is signed out at once."""
    db = get_db()
    try:
        access.revoke_grant(db, workshop_id, grant_id)
    except store.NotFound:
        abort(404)
    end_live_connections(grant_id)  # its open pages hear it now, not at their next event
    store.audit(db, workshop_id, audit_actor(), "revoked join link", {"grant": grant_id})
    flash(_("Link revoked: it no longer works, and whoever used it is signed out."), "success")
    return redirect(url_for("auth.grants", workshop_id=workshop_id))
