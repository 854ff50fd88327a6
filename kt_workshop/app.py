"""The app factory: settings, database, extensions, blueprints, security headers, errors."""

import os
from datetime import timedelta
from pathlib import Path

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import BadRequest, HTTPException
from werkzeug.exceptions import NotFound as NotFoundPage
from werkzeug.routing import IntegerConverter

from kt_workshop.access import load_secret_key
from kt_workshop.i18n import _, lazy_, load_catalogues, local_date, local_time
from kt_workshop.web import babel, csrf, limiter, socketio

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)


class RowIdConverter(IntegerConverter):
    """`<int:...>` in every URL: at most 18 digits, so always a number SQLite can hold (below
    2**63). A longer one matches no route and answers 404 instead of overflowing in the
    database."""

    regex = r"\d{1,18}"


# The error pages' titles and explanations, for the errors people meet (Werkzeug's are English).
ERROR_PAGES = {
    400: (lazy_("Bad request"), lazy_("The request could not be understood.")),
    403: (lazy_("Forbidden"), lazy_("You do not have access to this page.")),
    404: (
        lazy_("Not found"),
        lazy_("There is no page at this address. Check the address, or go to the start page."),
    ),
    405: (lazy_("Not allowed"), lazy_("This page cannot be used that way.")),
    429: (
        lazy_("Too many requests"),
        lazy_("Too many requests at once. Wait a minute and try again."),
    ),
    500: (
        lazy_("Something went wrong"),
        lazy_("The app met an error. Try again; nothing you saved is lost."),
    ),
}


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: settings, database, blueprints, real-time events."""
    config = dict(test_config or {})
    instance = instance_path(config)
    app = Flask("kt_workshop", instance_path=str(instance))
    app.url_map.converters["int"] = RowIdConverter
    app.config.from_mapping(
        DATABASE=str(instance / "kt-workshop.db"),
        BACKUP_DIR=str(instance / "backups"),
        EXPORTS_DIR=str(instance / "exports"),
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_NAME="kt_workshop_session",
        PERMANENT_SESSION_LIFETIME=timedelta(days=3),
        MAX_CONTENT_LENGTH=25 * 1024 * 1024,
        WTF_CSRF_TIME_LIMIT=None,
        WTF_CSRF_CHECK_DEFAULT=False,
        BABEL_DEFAULT_LOCALE="en",
        BABEL_TRANSLATION_DIRECTORIES=str(Path(__file__).parent / "translations"),
        RATELIMIT_ENABLED=True,
        JOIN_RATE_LIMIT="10 per minute;60 per hour",
        IDEA_RATE_LIMIT="5 per minute;60 per hour",
    )
    app.config.update(config)
    if "SECRET_KEY" not in app.config or not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = load_secret_key(instance)

    from kt_workshop import db as database

    database.init_db(app.config["DATABASE"], Path(app.config["BACKUP_DIR"])).close()

    from kt_workshop.join import language

    load_catalogues(app)  # the languages offered: English and every catalogue found
    babel.init_app(app, locale_selector=language.page_language)
    # The extension object serves every app of this process: a new app reads its catalogues
    # afresh rather than the translations an earlier app cached.
    with app.app_context():
        babel.domain_instance.cache.clear()
    app.context_processor(language.switch_context)  # the language switch on every page
    # Every template that shows a stored moment shows it with this one filter.
    app.add_template_filter(local_time)
    app.add_template_filter(local_date)
    # A role key and a note kind become words in one place each, on every page.
    from kt_workshop.access import role_name
    from kt_workshop.live.notes import kind_names

    app.add_template_global(role_name)
    app.add_template_global(kind_names)
    csrf.init_app(app)
    limiter.init_app(app)
    # Handlers must be declared before init_app: Flask-SocketIO only carries handlers it saw
    # before its server existed over to the server of a second app (as in tests).
    from kt_workshop.live import events  # noqa: F401

    # async_handlers=False: one client's events are handled in order (notes from a
    # tablet must be stored in the order made); different clients still run in parallel.
    socketio.init_app(
        app,
        async_mode="threading",
        manage_session=False,
        async_handlers=False,
        max_http_buffer_size=1024 * 1024,
    )
    register_request_hooks(app)

    from kt_workshop.api import bp as api_bp
    from kt_workshop.coding import codebook_page, review, workspace
    from kt_workshop.join import trust
    from kt_workshop.join import views as join_views
    from kt_workshop.live import views as live_views
    from kt_workshop.plan import views as plan_views
    from kt_workshop.reports import quotes as quote_views
    from kt_workshop.reports import views as report_views
    from kt_workshop.setup import organise, roster

    for blueprint in (
        join_views.bp,
        trust.bp,
        language.bp,
        organise.bp,
        roster.bp,
        plan_views.bp,
        live_views.bp,
        workspace.bp,
        codebook_page.bp,
        review.bp,
        report_views.bp,
        quote_views.bp,
        api_bp,
    ):
        app.register_blueprint(blueprint)
    return app


def instance_path(config: dict) -> Path:
    """The folder of the signing key, exports, backups and certificates: INSTANCE_PATH when
    given, else $KT_WORKSHOP_INSTANCE, else the database's own folder (as every command finds
    it), else instance/ here."""
    given = config.pop("INSTANCE_PATH", None) or os.environ.get("KT_WORKSHOP_INSTANCE")
    if given:
        return Path(given).resolve()
    if config.get("DATABASE"):
        return Path(config["DATABASE"]).resolve().parent
    return (Path.cwd() / "instance").resolve()


def register_request_hooks(app: Flask) -> None:
    """Access rules before every request; security headers and error pages around it."""
    from kt_workshop import store, web

    @app.before_request
    def guard():
        web.check_access()
        if web.requires_csrf_check() and app.config.get("WTF_CSRF_ENABLED", True):
            csrf.protect()

    app.teardown_appcontext(web.close_db)

    app.after_request(web.audit_download)
    app.after_request(web.audit_view)

    @app.after_request
    def end_revoked_connections(response):
        # Revoking a link, deleting a workshop or a delegate, signing out: whatever the
        # organiser (or anyone signing out) changed, live connections that stood on it end now.
        if request.method not in ("GET", "HEAD", "OPTIONS") and response.status_code < 400:
            from kt_workshop.live import events

            actor = web.current_actor()
            by_organiser_or_signing_out = actor is None or actor.role == "organiser"
            if events.connections and by_organiser_or_signing_out:
                events.end_stale_connections(web.get_db())
        return response

    @app.after_request
    def security_headers(response):
        if request.endpoint != "static":
            # Pages and API answers carry notes and names: no browser or proxy keeps a copy.
            response.headers.setdefault("Cache-Control", "no-store")
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        # same-origin, not no-referrer: over HTTPS Flask-WTF's CSRF check requires a Referer
        # from the same origin, and other sites still learn nothing.
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        return response

    def error_page(error, message: str):
        """The error page in the person's language: Werkzeug's own title and explanation are
        English, so the common ones are replaced by ours; a message of the app's stays."""
        title, explanation = ERROR_PAGES.get(error.code, (error.name, None))
        if explanation is not None and message in (type(error).description, error.name):
            message = explanation
        return render_template("error.html", error=error, title=title, message=message)

    @app.errorhandler(store.NotFound)
    def row_not_found(error):
        if web.wants_json():
            return web.json_error(404, str(error))
        return error_page(NotFoundPage(), str(error)), 404

    @app.errorhandler(OverflowError)
    def number_too_large(_error):
        message = _("A number in the request is too large.")
        if web.wants_json():
            return web.json_error(400, message)
        return error_page(BadRequest(), message), 400

    @app.errorhandler(HTTPException)
    def http_error(error):
        if isinstance(error, CSRFError):
            message = error.description
        else:
            message = error.description or error.name
        if web.wants_json():
            return web.json_error(error.code or 500, message)
        if error.code == 401 and request.method == "GET":
            return web.login_redirect()
        return error_page(error, message), error.code
