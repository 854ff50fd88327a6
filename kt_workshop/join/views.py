"""Blueprint: signing in (organiser link, join links and codes), signing out, join links."""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from kt_workshop import access, store
from kt_workshop.i18n import _, ngettext
from kt_workshop.join import privacy, trust
from kt_workshop.plan import grid, links
from kt_workshop.plan.store import day_rounds, uses_seats
from kt_workshop.web import (
    PUBLIC,
    VIEWS,
    Actor,
    actor_from_grant,
    address_notice,
    allow,
    audit_actor,
    current_actor,
    end_live_connections,
    end_this_session,
    get_db,
    limiter,
    sign_in,
    workshop_url,
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
    """Join a workshop from a link or QR code; a browser already signed in as someone else is
    asked first (a link opened from another site must not replace the organiser's session)."""
    grant = access.grant_for_token(get_db(), current_app.config["SECRET_KEY"], token)
    if grant is None:
        flash(_("This link does not work any more. Ask the organiser for a new one."), "error")
        return redirect(url_for("auth.welcome"))
    actor = current_actor()
    if actor is not None and actor.grant_id != grant["id"]:
        return render_template(
            "join/switch.html",
            actor=actor,
            grant=grant,
            workshop=None,
            joining=store.get_workshop(get_db(), grant["workshop_id"]),
            token=token,
        )
    return _enter(grant)


@bp.route("/join/<token>", methods=["POST"])
@allow(PUBLIC)
@limiter.limit(join_rate_limit)
def join_link_confirm(token):
    """Switch this browser to a join link after the person said so (the form on the question
    page carries the CSRF token, so another site cannot do it for them)."""
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
    sign_in(actor, grant)
    access.touch_grant(get_db(), grant["id"])
    store.audit(get_db(), grant["workshop_id"], actor.name(), "joined")
    return redirect(home_for(actor))


@bp.route("/signout", methods=["POST"])
@allow(PUBLIC)
def signout():
    """End this browser's session, on the server too: a copy of the cookie stops working."""
    end_this_session()
    session.clear()
    flash(_("You are signed out."), "info")
    return redirect(url_for("auth.welcome"))


@bp.route("/account")
@allow("organiser")
def account():
    """The organiser's sessions and API tokens: sign out everywhere, make or stop a token."""
    return render_template(
        "join/account.html", workshop=None, tokens=access.list_api_tokens(get_db()), new_token=None
    )


@bp.route("/account/signout-everywhere", methods=["POST"])
@allow("organiser")
def signout_everywhere():
    """End every organiser session, on every browser (a lost laptop, a copied cookie)."""
    db = get_db()
    ended = access.end_organiser_sessions(db)
    store.audit(db, None, audit_actor(), "signed out everywhere", {"sessions": ended})
    session.clear()
    flash(_("Every organiser session has ended. Sign in again with a new sign-in link."), "info")
    return redirect(url_for("auth.welcome"))


@bp.route("/account/tokens", methods=["POST"])
@allow("organiser")
def api_token_create():
    """Make an API token for the organiser's scripts; it is shown once, on this page."""
    db = get_db()
    try:
        token = access.create_api_token(db, request.form.get("label", ""))
    except store.InputError as error:
        for message in error.errors.values():
            flash(message, "error")
        return redirect(url_for("auth.account"))
    store.audit(db, None, audit_actor(), "created API token")
    return render_template(
        "join/account.html", workshop=None, tokens=access.list_api_tokens(db), new_token=token
    )


@bp.route("/account/tokens/<int:token_id>/revoke", methods=["POST"])
@allow("organiser")
def api_token_revoke(token_id):
    """Stop one of the organiser's API tokens."""
    db = get_db()
    try:
        access.revoke_api_token(db, token_id)
    except store.NotFound:
        abort(404)
    store.audit(db, None, audit_actor(), "revoked API token", {"token": token_id})
    flash(_("Token revoked."), "success")
    return redirect(url_for("auth.account"))


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
    schedule = my_schedule(db, workshop, actor)
    return render_template(
        "join/me.html",
        schedule=schedule,
        blocks=_by_block(schedule),
        workshop=workshop,
        actor=actor,
        table=table,
        moderator=moderator,
        question=question,
        programme=store.programme(db, workshop_id),
        idea_draft=session.pop("idea-draft", ""),
    )


def my_schedule(db, workshop: dict, actor: Actor) -> list[dict]:
    """This person's day from the plan as it is now (changes go live at once); a participant
    sees it once the organiser has switched participants' pages on."""
    if actor.role == "participant" and not workshop["participant_pages"]:
        return []
    rows = grid.schedule_for(
        db,
        workshop["id"],
        moderator_id=actor.moderator_id,
        table_id=actor.table_id,
        participant_id=actor.participant_id,
    )
    return rows if any(row["table"] for row in rows) else []


def _by_block(schedule: list[dict]) -> list[tuple[str, list[dict]]]:
    """The day's rounds under their block's title, in the day's order."""
    blocks: list[tuple[str, list[dict]]] = []
    for row in schedule:
        if not blocks or blocks[-1][0] != row["block"]:
            blocks.append((row["block"], []))
        blocks[-1][1].append(row)
    return blocks


@bp.route("/w/<int:workshop_id>/me/day.json")
@allow("moderator", "participant")
def my_day(workshop_id):
    """This person's day as JSON, for the phone page to follow re-plans as they happen."""
    db = get_db()
    workshop = store.get_workshop(db, workshop_id)
    ids = store.round_ids(db, workshop_id)
    return jsonify(
        {
            "rounds": my_schedule(db, workshop, current_actor()),
            "open_round_ids": ids[store.rounds_held(db, workshop_id, ids) :],
        }
    )


# Data protection -------------------------------------------------------------------------------


@bp.app_context_processor
def privacy_helpers():
    """Lets every workshop page remind the organiser of a passed retention date."""
    return {"retention_overdue": privacy.is_overdue}


@bp.route("/w/<int:workshop_id>/privacy", methods=["GET", "POST"])
@allow("organiser")
def privacy_page(workshop_id):
    """The consent text, the retention date, and removing the personal data."""
    db = get_db()
    if request.method == "POST":
        try:
            privacy.save_settings(
                db,
                workshop_id,
                request.form.get("consent_text", ""),
                request.form.get("retention_until", ""),
            )
        except store.InputError as error:
            for message in error.errors.values():
                flash(message, "error")
        else:
            store.audit(db, workshop_id, audit_actor(), "set data protection")
            flash(_("Saved."), "success")
        return redirect(url_for("auth.privacy_page", workshop_id=workshop_id))
    return render_template(
        "join/privacy.html",
        workshop=store.get_workshop(db, workshop_id),
        facts=privacy.settings(db, workshop_id),
        statement=privacy.statement(db, workshop_id),
        delegates=store.list_items(db, "participant", workshop_id),
    )


@bp.route("/w/<int:workshop_id>/privacy/remove", methods=["POST"])
@allow("organiser")
def remove_personal_data(workshop_id):
    """Replace names and contact data with pseudonyms and delete photos, after the organiser
    typed the workshop's title; the notes and the analysis stay."""
    db = get_db()
    workshop = store.get_workshop(db, workshop_id)
    if request.form.get("confirm_title", "").strip() != workshop["title"]:
        flash(_("Type the workshop's title exactly to remove the personal data."), "error")
        return redirect(url_for("auth.privacy_page", workshop_id=workshop_id))
    counts = privacy.remove_personal_data(db, workshop_id)
    if request.form.get("delete_backups") == "1":
        counts["backups"] = privacy.delete_backups(current_app.config["BACKUP_DIR"])
    store.audit(db, workshop_id, audit_actor(), "removed personal data", counts)
    if "backups" in counts:
        message = _(
            "Names and contact data are now pseudonyms; deleted: %(photos)s and %(backups)s.",
            photos=ngettext("%(num)s photo", "%(num)s photos", counts["photos"]),
            backups=ngettext("%(num)s backup", "%(num)s backups", counts["backups"]),
        )
    else:
        message = ngettext(
            "Names and contact data are now pseudonyms and %(num)s photo is deleted. Backups "
            "made before now still hold them.",
            "Names and contact data are now pseudonyms and %(num)s photos are deleted. Backups "
            "made before now still hold them.",
            counts["photos"],
        )
    flash(message, "success")
    return redirect(url_for("auth.privacy_page", workshop_id=workshop_id))


@bp.route("/w/<int:workshop_id>/delegates/<int:delegate_id>/data.json")
@allow("organiser")
def delegate_data(workshop_id, delegate_id):
    """Everything the workshop holds about one delegate (a subject access request)."""
    from flask import Response

    data = privacy.delegate_data(get_db(), workshop_id, delegate_id)
    return Response(
        privacy.delegate_json(data),
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="delegate-{delegate_id}.json"'},
    )


# The audit log ---------------------------------------------------------------------------------


def audit_choices() -> tuple[str, str]:
    """What the audit log page and its download are narrowed to: (kind, person)."""
    show = request.args.get("show", "all")
    return (show if show in privacy.AUDIT_SHOWN else "all"), request.args.get("who", "")[:200]


@bp.route("/w/<int:workshop_id>/audit")
@allow("organiser")
def audit_log(workshop_id):
    """The workshop's audit log: who viewed, changed, exported or deleted what, and when."""
    db = get_db()
    show, who = audit_choices()
    return render_template(
        "join/audit.html",
        workshop=store.get_workshop(db, workshop_id),
        rows=privacy.audit_entries(db, workshop_id, show, who),
        people=privacy.audit_people(db, workshop_id),
        show=show,
        who=who,
        pages=VIEWS,
    )


@bp.route("/w/<int:workshop_id>/audit.csv")
@allow("organiser")
def audit_export(workshop_id):
    """The audit log as CSV, oldest first, narrowed as the page is (no cell starts like a
    formula). A view's row says how many times the page was opened and when last."""
    import csv
    import io

    from flask import Response

    db = get_db()
    store.get_workshop(db, workshop_id)
    show, who = audit_choices()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["at", "who", "what", "detail", "times", "last"])
    for row in reversed(privacy.audit_entries(db, workshop_id, show, who)):
        viewed = row["action"] == "viewed"
        cells = [row["at"], row["actor"], row["action"], row["detail"]]
        cells += [row["times"], row["last_at"]] if viewed else ["", ""]
        writer.writerow([safe_cell(cell) for cell in cells])
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="workshop-{workshop_id}-audit.csv"'},
    )


def safe_cell(value) -> str:
    """A CSV cell that a spreadsheet shows as text, never runs as a formula (OWASP)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r", "\n") else text


# The organiser's join links ------------------------------------------------------------------


@bp.route("/w/<int:workshop_id>/access")
@allow("organiser")
def grants(workshop_id):
    """List every join link of the workshop with its code, and forms to add more."""
    db = get_db()
    workshop = store.get_workshop(db, workshop_id)
    rows = access.list_grants(db, workshop_id)
    secret = current_app.config["SECRET_KEY"]
    round_id = current_round(db, workshop_id)
    for row in rows:
        row["url"] = workshop_url(workshop, "auth.join_link", token=access.grant_token(secret, row))
        row["holder"] = links.holder(db, workshop_id, row)
        row["where"] = links.where_now(db, workshop_id, row, round_id)
    return render_template(
        "join/access.html",
        trust=trust.card(),
        workshop=workshop,
        grants=rows,
        notice=address_notice(workshop),
        missing={kind: len(found) for kind, found in links.missing_links(db, workshop_id).items()},
        uses_seats=uses_seats(workshop),
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
    label = form.get("label", "").strip()
    if not label and str(form.get("participant_id") or "").isdigit():
        # A personal link is labelled with its delegate's name unless the organiser wrote one.
        person = db.execute(
            "SELECT name FROM participant WHERE id = ? AND workshop_id = ?",
            [int(form["participant_id"]), workshop_id],
        ).fetchone()
        label = person[0] if person else ""
    try:
        grant = access.create_grant(
            db,
            workshop_id,
            form.get("role", ""),
            label,
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


def current_round(db, workshop_id: int) -> int | None:
    """The round on now (or, before the day, the first): where each link is "this round"."""
    row = db.execute(
        "SELECT round_id FROM day_state WHERE workshop_id = ?", [workshop_id]
    ).fetchone()
    if row and row[0]:
        return row[0]
    rounds = day_rounds(db, workshop_id)
    return rounds[0]["id"] if rounds else None


@bp.route("/w/<int:workshop_id>/access/every", methods=["POST"])
@allow("organiser")
def grants_make(workshop_id):
    """Make a link for every moderator, table or delegate that has none."""
    db = get_db()
    kind = request.form.get("kind", "")
    try:
        made = links.make_links(db, workshop_id, kind)
    except store.InputError as error:
        for message in error.errors.values():
            flash(message, "error")
        return redirect(url_for("auth.grants", workshop_id=workshop_id))
    store.audit(db, workshop_id, audit_actor(), "created join links", {"kind": kind, "n": made})
    flash(ngettext("%(num)s link made.", "%(num)s links made.", made), "success")
    return redirect(url_for("auth.grants", workshop_id=workshop_id) + "#make-links")


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
