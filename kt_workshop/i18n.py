"""Translation markers for every string a user sees, usable with or without a Flask app.

Flask-Babel's gettext falls back to the untranslated text outside a request, so the pure
modules (planning, imports, topic packs, reports) mark their messages with the same calls
as the views and templates.
"""

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.dates import format_datetime
from flask import Flask, has_app_context
from flask_babel import (
    Babel,
    force_locale,
    get_babel,
    get_locale,
    gettext,
    lazy_gettext,
    ngettext,
    pgettext,
)

_ = gettext
lazy_ = lazy_gettext

__all__ = [
    "_",
    "in_language",
    "language_name",
    "lazy_",
    "local_time",
    "ngettext",
    "pgettext",
    "shipped_languages",
]

TRANSLATIONS = Path(__file__).parent / "translations"  # one folder per language: pl/LC_MESSAGES


def shipped_languages() -> list[str]:
    """English (the source) and every language with a compiled catalogue
    (<code>/LC_MESSAGES/messages.mo) in the app's translation folders, English first: adding a
    language is adding its catalogue."""
    if has_app_context():
        folders = [Path(f) for f in get_babel().translation_directories]
    else:
        folders = [TRANSLATIONS]
    found = {
        place.name
        for folder in folders
        if folder.is_dir()
        for place in folder.iterdir()
        if (place / "LC_MESSAGES" / "messages.mo").is_file()
    }
    return ["en", *sorted(found - {"en"})]


def language_name(code: str) -> str:
    """A language's name as its speakers write it ("polski", "Deutsch"), for choosing it."""
    try:
        name = Locale.parse(code.replace("-", "_")).get_display_name(code.replace("-", "_"))
    except (ValueError, TypeError, UnknownLocaleError):
        return code
    return name[:1].upper() + name[1:] if name else code


@functools.cache
def _bare_app(translations: str) -> Flask:
    """An app that only knows the translations, for translating where no app runs (the
    command line's export). Its own Babel, so its catalogue cache is its own."""
    app = Flask("kt_workshop")
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = translations
    Babel(app)
    return app


@contextmanager
def in_language(code: str) -> Iterator[None]:
    """Translate `_()` and lazy strings into `code` inside the block, with or without a
    request: the report's thread and the command line write documents in a language of their
    own, not the reader's page's."""
    if has_app_context():
        with force_locale(code):
            yield
        return
    with _bare_app(str(TRANSLATIONS)).app_context(), force_locale(code):
        yield


def local_time(value: str | datetime | None, format: str = "short") -> str:
    """A stored moment (ISO text, UTC when it has no offset) in this laptop's time zone,
    written the way the page's language writes dates and times (the `local_time` filter)."""
    if not value:
        return ""
    try:
        moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    except ValueError:
        return str(value)  # not a moment: shown as written
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    # astimezone() with no argument: the zone the operating system says, summer time included.
    return format_datetime(moment.astimezone(), format, locale=get_locale() or "en")
