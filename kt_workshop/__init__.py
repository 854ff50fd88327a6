"""kt-workshop: run world-café knowledge-transfer workshops and turn what was said into a report."""

import os
import secrets
from datetime import timedelta
from pathlib import Path

from flask import Flask, render_template, request
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_socketio import SocketIO
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException
from werkzeug.exceptions import NotFound as NotFoundPage

__version__ = "0.1.0"

socketio = SocketIO()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address, default_limits=[], storage_uri="memory://")

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)


def load_secret_key(instance: Path) -> str:
    """The key that signs sessions and join links, made once and kept in instance/."""
    path = instance / "secret_key"
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32), "utf-8")
        if os.name != "nt":
            path.chmod(0o600)
    return path.read_text("utf-8").strip()


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: settings, database, blueprints, real-time events."""
    config = dict(test_config or {})
    instance = Path(
        config.pop("INSTANCE_PATH", None)
        or os.environ.get("KT_WORKSHOP_INSTANCE")
        or Path.cwd() / "instance"
    ).resolve()
    app = Flask(__name__, instance_path=str(instance))
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
    from kt_workshop import events  # noqa: F401

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

    from kt_workshop import (
        api,
        auth,
        codebook_views,
        live,
        organise,
        planner,
        report,
        review,
        roster,
        workspace,
    )

    for blueprint in (
        auth.bp,
        organise.bp,
        roster.bp,
        planner.bp,
        live.bp,
        workspace.bp,
        codebook_views.bp,
        review.bp,
        report.bp,
        api.bp,
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
        response.headers.setdefault("Referrer-Policy", "no-referrer")
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
