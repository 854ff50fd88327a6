"""The app factory: settings, database, extensions, blueprints, security headers, errors."""

import os
from datetime import timedelta
from pathlib import Path

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.exceptions import NotFound as NotFoundPage

from kt_workshop.access import load_secret_key
from kt_workshop.web import babel, csrf, limiter, socketio

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: settings, database, blueprints, real-time events."""
    config = dict(test_config or {})
    instance = Path(
        config.pop("INSTANCE_PATH", None)
        or os.environ.get("KT_WORKSHOP_INSTANCE")
        or Path.cwd() / "instance"
    ).resolve()
    app = Flask("kt_workshop", instance_path=str(instance))
    app.config.from_mapping(
        DATABASE=str(instance / "kt-workshop.db"),
        BACKUP_DIR=str(instance / "backups"),
        EXPORTS_DIR=str(Path.cwd() / "exports"),
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
    )
    app.config.update(config)
    if "SECRET_KEY" not in app.config or not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = load_secret_key(instance)

    from kt_workshop import db as database

    database.init_db(app.config["DATABASE"], Path(app.config["BACKUP_DIR"])).close()

    babel.init_app(app)
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
    from kt_workshop.reports import views as report_views
    from kt_workshop.setup import organise, roster

    for blueprint in (
        join_views.bp,
        trust.bp,
        organise.bp,
        roster.bp,
        plan_views.bp,
        live_views.bp,
        workspace.bp,
        codebook_page.bp,
        review.bp,
        report_views.bp,
        api_bp,
    ):
        app.register_blueprint(blueprint)
    return app


def register_request_hooks(app: Flask) -> None:
    """Access rules before every request; security headers and error pages around it."""
    from kt_workshop import store, web

    @app.before_request
    def guard():
        web.check_access()
        if web.requires_csrf_check() and app.config.get("WTF_CSRF_ENABLED", True):
            csrf.protect()

    app.teardown_appcontext(web.close_db)

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        # same-origin, not no-referrer: over HTTPS Flask-WTF's CSRF check requires a Referer
        # from the same origin, and other sites still learn nothing.
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        return response

    @app.errorhandler(store.NotFound)
    def row_not_found(error):
        if web.wants_json():
            return web.json_error(404, str(error))
        return render_template("error.html", error=NotFoundPage(), message=str(error)), 404

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
        return render_template("error.html", error=error, message=message), error.code
