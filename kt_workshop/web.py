"""Flask glue shared by the blueprints: a database per request, the signed-in actor, access rules.

Every view declares who may use it with @allow(...). A view without a rule is refused
(deny by default), and tests/test_access.py fails when a route has no row in its table.
"""

import shutil
from dataclasses import dataclass
from pathlib import Path

from flask import current_app, flash, g, jsonify, redirect, request, session, url_for
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_socketio import SocketIO
from flask_wtf.csrf import CSRFProtect
from werkzeug.exceptions import Forbidden, Unauthorized

from kt_workshop import access, store
from kt_workshop.db import open_db, writing
from kt_workshop.i18n import _, lazy_, local_date

PUBLIC = "public"


# The Flask extensions, made once and bound to the app in `app.create_app`.
socketio = SocketIO()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address, default_limits=[], storage_uri="memory://")


def get_db():
    """The request's (or event's) own database connection, opened on first use."""
    if "db" not in g:
        g.db = open_db(current_app.config["DATABASE"])
    return g.db


def close_db(_error=None) -> None:
    """Close the connection at the end of the request or event."""
    db = g.pop("db", None)
    if db is not None:
        db.close()


@dataclass(frozen=True)
class Actor:
    """Who is signed in: a role, and for everyone but the organiser one workshop."""

    role: str
    workshop_id: int | None = None
    grant_id: int | None = None
    label: str = ""
    table_id: int | None = None
    moderator_id: int | None = None
    participant_id: int | None = None

    def name(self) -> str:
        """How this actor appears in the audit log."""
        return self.role if not self.label else f"{self.role}:{self.label}"

    def may_see(self, workshop_id: int) -> bool:
        """True when this actor may work on the given workshop."""
        return self.role == "organiser" or self.workshop_id == workshop_id


def actor_from_grant(grant: dict) -> Actor:
    """The actor a join link or code stands for."""
    return Actor(
        role=grant["role"],
        workshop_id=grant["workshop_id"],
        grant_id=grant["id"],
        label=grant["label"],
        table_id=grant["table_id"],
        moderator_id=grant["moderator_id"],
        participant_id=grant["participant_id"],
    )


def sign_in(actor: Actor, grant: dict | None = None) -> None:
    """Start a session for the actor (a fresh session, so no earlier state carries over),
    recorded on the server and, for a join link, bound to the grant's secret."""
    language = session.get("language")  # a language picked before joining stays
    end_this_session()
    session.clear()
    session.permanent = True
    if language:
        session["language"] = language
    session["role"] = actor.role
    session["key"] = access.start_session(get_db(), actor.role, actor.grant_id)
    if grant is not None:
        session["grant_id"] = grant["id"]
        session["grant_key"] = access.grant_key(current_app.config["SECRET_KEY"], grant)


def end_this_session() -> None:
    """End this browser's session on the server (its cookie stops working everywhere)."""
    access.end_session(get_db(), session.get("key"))
    g.pop("actor", None)


def bearer_token() -> str | None:
    """The token of an `Authorization: Bearer ...` header, for scripts calling the API."""
    header = request.headers.get("Authorization", "")
    scheme, _space, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def actor_for_session(data) -> Actor | None:
    """The actor a session (the cookie's contents) stands for while the server keeps it alive:
    its row not ended, and for a join link the very grant it was made for, not revoked."""
    db = get_db()
    if access.session_alive(db, data.get("key")) is None:
        return None
    if data.get("role") == "organiser":
        return Actor(role="organiser")
    grant_id = data.get("grant_id")
    if not isinstance(grant_id, int):
        return None
    grant = access.live_grant(db, grant_id)
    if not access.same_grant(current_app.config["SECRET_KEY"], grant, data.get("grant_key")):
        return None
    return actor_from_grant(grant)


def current_actor() -> Actor | None:
    """The signed-in actor, checked against the database on every request."""
    if "actor" in g:
        return g.actor
    actor = None
    token = bearer_token()
    if token and token.startswith(access.API_TOKEN_PREFIX):
        actor = Actor(role="organiser") if access.api_token_valid(get_db(), token) else None
    elif token:
        grant = access.grant_for_token(get_db(), current_app.config["SECRET_KEY"], token)
        actor = actor_from_grant(grant) if grant else None
    elif session.get("role"):
        actor = actor_for_session(session)
        if actor is None:
            session.clear()
    g.actor = actor
    return actor


def allow(*roles: str):
    """Declare which roles may use a view; PUBLIC lets anyone in."""
    unknown = set(roles) - set(access.ROLES) - {PUBLIC}
    if unknown or not roles:
        raise ValueError(f"unknown roles {unknown}")

    def decorate(view):
        view.access_roles = frozenset(roles)
        return view

    return decorate


def check_access() -> None:
    """Refuse a request without a rule, from the wrong role, or for another workshop."""
    if request.endpoint is None:
        return  # 404 and 405 are answered by Flask itself
    if request.endpoint == "static":
        return
    view = current_app.view_functions[request.endpoint]
    roles = getattr(view, "access_roles", None)
    if roles is None:
        raise Forbidden(_("This page has no access rule, so nobody may use it."))
    if PUBLIC in roles:
        return
    actor = current_actor()
    if actor is None:
        raise Unauthorized(_("Please sign in first: use your join link, QR code or code."))
    if actor.role not in roles:
        raise Forbidden(
            _("Your role (%(role)s) may not use this page.", role=access.role_name(actor.role))
        )
    workshop_id = (request.view_args or {}).get("workshop_id")
    if workshop_id is not None and not actor.may_see(workshop_id):
        raise Forbidden(_("You have access to a different workshop."))


def wants_json() -> bool:
    """True for API calls and scripts that ask for JSON (a tablet's photo upload): they get
    JSON errors instead of pages."""
    return request.path.startswith("/api/") or (request.accept_mimetypes.best == "application/json")


def requires_csrf_check() -> bool:
    """True for a state-changing request that rides on the session cookie."""
    return request.method not in ("GET", "HEAD", "OPTIONS") and bearer_token() is None


def login_redirect():
    """Send a browser that is not signed in to the page that explains how to join."""
    return redirect(url_for("auth.welcome", next=request.full_path))


def json_error(status: int, message: str, errors: dict | None = None):
    """An API error as JSON, with per-field messages when there are any."""
    body = {"error": message}
    if errors:
        body["errors"] = errors
    return jsonify(body), status


def grant_room(grant_id: int) -> str:
    """The Socket.IO room of every live connection made with one join link."""
    return f"grant-{grant_id}"


def end_live_connections(grant_id: int) -> int:
    """Tell every page open on a revoked link at once (`link_revoked`) and close its live
    connections, so nothing more reaches it; return how many there were."""
    manager = socketio.server.manager
    sids = [sid for sid, _eio in manager.get_participants("/", grant_room(grant_id))]
    for sid in sids:
        socketio.emit("link_revoked", {"message": _("This link has been revoked.")}, to=sid)
        socketio.server.disconnect(sid, namespace="/")
    return len(sids)


def audit_actor() -> str:
    """The current actor's name for the audit log."""
    actor = current_actor()
    return actor.name() if actor else "anonymous"


def public_url(endpoint: str, **values) -> str:
    """An absolute URL tablets can open: the --lan address when serving the local network."""
    base = current_app.config.get("PUBLIC_URL")
    if base:
        return base.rstrip("/") + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


def exports_folder(workshop_id: int) -> Path:
    """Where a workshop's report packs are written: instance/exports/workshop-<id>."""
    return Path(current_app.instance_path) / "exports" / f"workshop-{workshop_id}"


def delete_workshop(db, workshop_id: int) -> None:
    """Delete a workshop with everything in it: its rows (photos included; the database
    overwrites deleted content, PRAGMA secure_delete) and its report packs on disk."""
    store.delete_workshop(db, workshop_id)
    shutil.rmtree(exports_folder(workshop_id), ignore_errors=True)


# Every route that hands out a file of the workshop: each download is written in the audit log
# (who, what, when), in one place, so a new export cannot forget it.
EXPORTS = {
    "api.archive_export",
    "api.participants_export",
    "api.export",
    "roster.delegate_export",
    "report.download",
    "codebook.export_qdc",
    "codebook.export_csv",
    "codebook.export_qdpx",
    "auth.delegate_data",
    "auth.audit_export",
}


def audit_download(response):
    """Write a successful download of one of the EXPORTS in the workshop's audit log."""
    if request.endpoint in EXPORTS and response.status_code == 200:
        args = dict(request.view_args or {})
        workshop_id = args.pop("workshop_id", None)
        detail = {"what": request.endpoint, **args, **request.args.to_dict()}
        store.audit(get_db(), workshop_id, audit_actor(), "downloaded", detail)
    return response


# Every page and API read that shows notes, ideas, codes, quotes or delegates' personal data (or
# the audit log itself): each view is written in the workshop's audit log (who, what, when), once
# per person, page and workshop every few minutes (`store.audit_view`), so reloads do not fill
# it. Every other read says here why it is not logged, and tests/test_join_audit.py fails when a
# signed-in read is in neither table (downloads are in EXPORTS above).
VIEWS = {
    "workspace.notes_page": lazy_("the coding workspace (notes)"),
    "codebook.codebook_page": lazy_("the codebook"),
    "codebook.aids_page": lazy_("the suggestions and keyword rules (notes)"),
    "codebook.theme_split_page": lazy_("a theme's notes, to split it"),
    "review.compare_page": lazy_("the comparison of the coders"),
    "review.writeup_page": lazy_("the write-up"),
    "report.report_page": lazy_("the report page"),
    "quotes.review_page": lazy_("the review of quotes and notes"),
    "live.control_room": lazy_("the control room (notes)"),
    "live.projector": lazy_("the projector (notes)"),
    "live.tablet": lazy_("a tablet's notes"),
    "live.ideas": lazy_("the participants' ideas"),
    "roster.delegates": lazy_("the delegate list"),
    "roster.delegate_edit": lazy_("a delegate's details"),
    "planner.plan_page": lazy_("the plan (delegates' names)"),
    "planner.printout": lazy_("a printout (delegates' names)"),
    "auth.grants": lazy_("the join links (delegates' names)"),
    "auth.audit_log": lazy_("the audit log"),
    "api.codings": lazy_("the codes of the notes (API)"),
    "api.themes": lazy_("the codebook (API)"),
    "api.items": lazy_("a list of the workshop's rows (API)"),
    "api.item": lazy_("one of the workshop's rows (API)"),
    "api.grants": lazy_("the join links (API)"),
}
NOT_LOGGED = {
    "api.me": "the caller's own role",
    "api.workshops": "workshop titles",
    "api.workshop": "details, programme, tables, moderators; no notes or delegates",
    "api.agreement": "agreement figures; no notes or names",
    "api.packs": "topic packs: questions only",
    "organise.packs": "topic packs: questions only",
    "organise.pack_export": "topic packs: questions only",
    "organise.dashboard": "workshop titles",
    "organise.overview": "settings and counts",
    "organise.workshop_edit": "settings",
    "organise.workshop_new": "an empty form",
    "organise.programme": "blocks and questions",
    "organise.tables": "table names",
    "organise.moderators": "staff names, on every tablet anyway; no delegates",
    "roster.delegate_import": "the upload form; the preview answers a POST",
    "auth.account": "the organiser's own sessions and tokens",
    "auth.privacy_page": "settings and counts",
    "auth.my_workshop": "the person's own day",
    "auth.my_day": "the person's own day",
    "live.feedback": "the participant's own form",
    "live.feedback_setup": "the feedback questions",
    "live.projector_next": "polled by the projector page, which is logged",
    "live.photo": "a picture inside pages that are logged",
    "report.job_status": "polled by the report page, which is logged",
    "report.chart_preview": "a picture inside the report page, which is logged",
    "workspace.theme_css": "the theme colours, a stylesheet",
}


def audit_view(response):
    """Write a successful view of one of the VIEWS in the workshop's audit log: who (their role
    and link's label, as every audit row), which page with the ids in its address (never the
    query: a search may hold a name), and when."""
    if request.method == "GET" and request.endpoint in VIEWS and response.status_code == 200:
        args = dict(request.view_args or {})
        workshop_id = args.pop("workshop_id", None)
        what = {"page": request.endpoint, **args}
        with writing(get_db()) as db:
            store.audit_view(db, workshop_id, audit_actor(), what)
    return response


def tablet_address(workshop: dict) -> tuple[str, str]:
    """Where tablets reach this workshop, and where that comes from: the workshop's own
    setting ("workshop"), the address `serve` was started with ("serve": --lan or
    --public-url), or failing both the address this browser used ("browser")."""
    if workshop.get("tablet_address"):
        return workshop["tablet_address"], "workshop"
    served = current_app.config.get("PUBLIC_URL")
    if served:
        return served.rstrip("/"), "serve"
    return request.host_url.rstrip("/"), "browser"


def workshop_url(workshop: dict, endpoint: str, **values) -> str:
    """An absolute URL a tablet at this workshop can open (join links, QR codes)."""
    return tablet_address(workshop)[0] + url_for(endpoint, **values)


def address_notice(workshop: dict) -> dict:
    """What every page that makes links or printouts says about the tablets' address: the
    address, where it comes from, and warnings (loopback; changed since the last printing)."""
    address, source = tablet_address(workshop)
    warnings = []
    if store.is_loopback(address):
        warnings.append(
            _(
                "Tablets cannot open %(address)s: it always means the device that opens it. "
                "Set the address tablets will use on the day (Edit workshop), or start "
                "kt-workshop with --lan or --public-url, before printing or sharing links.",
                address=address,
            )
        )
    printed = workshop.get("links_printed_address")
    if printed and printed.rstrip("/").lower() != address.lower():
        warnings.append(
            _(
                "The QR codes and links printed on %(when)s point to %(old)s, but tablets now "
                "use %(new)s. Print the table cards, run sheets and badges again, or make this "
                "laptop reachable at %(old)s.",
                when=local_date(workshop.get("links_printed_at")),
                old=printed,
                new=address,
            )
        )
    return {"address": address, "source": source, "warnings": warnings}


def may_name_delegates() -> bool:
    """Whether the person asking may have files that name the delegates: the organiser only."""
    return current_actor().role == "organiser"


# What the forms call the fields whose checks give short messages ("This field is required."),
# so an error names the field as the form does. Other problems are whole sentences that say
# what they are about, and are shown alone rather than after an internal field name.
FIELD_LABELS = {
    "title": lazy_("Title"),
    "date": lazy_("Date"),
    "venue": lazy_("Venue"),
    "format": lazy_("Format"),
    "description": lazy_("Description"),
    "chatham_house": lazy_("Chatham House Rule"),
    "participant_pages": lazy_("Participant pages"),
    "starts_at": lazy_("Starts at"),
    "tablet_address": lazy_("Address tablets use"),
    "break_title": lazy_("Break before it"),
    "minutes": lazy_("Minutes per round"),
    "text": lazy_("Text"),
    "prompt": lazy_("Prompt"),
    "block_id": lazy_("Block"),
    "capacity": lazy_("Capacity"),
    "question_id": lazy_("Question"),
    "table_id": lazy_("Home table or group"),
    "notes": lazy_("Notes"),
    "stays": lazy_("Stays at the home table"),
    "usage": lazy_("When to use it"),
    "colour": lazy_("Colour"),
}


def flash_errors(error, labels: dict | None = None) -> None:
    """Show each problem from an InputError to the person filling in the form, after the name
    the form gives its field (`labels` adds an area's own field names)."""
    for field, message in error.errors.items():
        label = (labels or {}).get(field) or FIELD_LABELS.get(field)
        flash(f"{label}: {message}" if label else str(message), "error")
