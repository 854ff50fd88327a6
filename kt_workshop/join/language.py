"""Which language each page is in, and the language switch every page carries.

The order: a page shown in the workshop's language (the projector, the printouts); else the
language the person picked, remembered for the organiser on this laptop and for everyone else
on their join link (so a reload, a reconnect or another device with the same link keeps it),
or in the browser's session before signing in; else the browser's preference
(Accept-Language); else English.
"""

from urllib.parse import urlsplit

from flask import Blueprint, g, has_request_context, redirect, request, session, url_for

from kt_workshop.i18n import (
    offered_language,
    offered_languages,
    page_language_code,
    plural_forms,
)
from kt_workshop.translations import language_name
from kt_workshop.web import PUBLIC, allow, current_actor, get_db

bp = Blueprint("language", __name__)

ORGANISER_LANGUAGE = "organiser_language"  # its row in the preference table


def page_language() -> str:
    """Flask-Babel's locale selector: the language of this request's page (English where
    there is no request, as in the report's thread, which says its language itself)."""
    forced = offered_language(g.get("page_language"))
    if forced:
        return forced
    if not has_request_context():
        return offered_languages()[0]
    picked = offered_language(picked_language())
    if picked:
        return picked
    return request.accept_languages.best_match(offered_languages(), default=offered_languages()[0])


def picked_language() -> str | None:
    """The language the person asking picked with the switch, if any."""
    actor = current_actor()
    if actor is None:
        return session.get("language")
    if actor.role == "organiser":
        return organiser_language(get_db())
    if actor.grant_id is not None:
        return grant_language(get_db(), actor.grant_id) or session.get("language")
    return None


def organiser_language(db) -> str:
    """The language the organiser picked on this laptop ('' when none)."""
    row = db.execute("SELECT value FROM preference WHERE name = ?", [ORGANISER_LANGUAGE]).fetchone()
    return row[0] if row else ""


def grant_language(db, grant_id: int) -> str:
    """The language picked on a join link ('' when none)."""
    row = db.execute("SELECT language FROM access WHERE id = ?", [grant_id]).fetchone()
    return row[0] if row else ""


def remember_language(db, actor, code: str) -> None:
    """Keep the person's pick where their next request finds it."""
    if actor is not None and actor.role == "organiser":
        db.execute(
            "INSERT INTO preference (name, value) VALUES (?, ?) "
            "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            [ORGANISER_LANGUAGE, code],
        )
        db.conn.commit()
    elif actor is not None and actor.grant_id is not None:
        db.execute("UPDATE access SET language = ? WHERE id = ?", [code, actor.grant_id])
        db.conn.commit()
    session["language"] = code  # before signing in, and on a link until it is saved


@bp.route("/language", methods=["POST"])
@allow(PUBLIC)
def switch():
    """Show the pages in the language picked, now and on the next visit; back to the page."""
    code = offered_language(request.form.get("language"))
    if code:
        remember_language(get_db(), current_actor(), code)
    return redirect(same_site_path(request.form.get("next")) or url_for("auth.welcome"))


def same_site_path(target: str | None) -> str | None:
    """A path on this site to go back to, or None for anything else (no open redirect)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def switch_context() -> dict:
    """What the language switch in base.html shows: every offered language in its own name,
    the page's language, and where to come back to."""
    return {
        "page_language": page_language_code(),
        "plural_forms": plural_forms,  # counts in scripts: data-i18n gets every plural form
        "language_choices": [(code, language_name(code)) for code in offered_languages()],
        # Back to this page after switching (a form's answer goes back to the start).
        "language_next": request.full_path.rstrip("?") if request.method == "GET" else "/",
    }
