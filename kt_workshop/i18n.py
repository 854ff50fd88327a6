"""Translation markers for every string a user sees, usable with or without a Flask app.

Flask-Babel's gettext falls back to the untranslated text outside a request, so the pure
modules (planning, imports, topic packs, reports) mark their messages with the same calls
as the views and templates.
"""

from datetime import UTC, datetime

from babel.dates import format_datetime
from babel.lists import format_list
from flask_babel import get_locale, gettext, lazy_gettext, ngettext, npgettext, pgettext

_ = gettext
lazy_ = lazy_gettext

__all__ = ["_", "lazy_", "list_of", "local_time", "ngettext", "npgettext", "pgettext"]


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


def list_of(items, style: str = "standard") -> str:
    """Words joined as the page's language joins a list ("3, 4 and 7", "3, 4 i 7"; style "or"
    for alternatives), so no sentence is glued from a translated " and "."""
    locale = str(get_locale() or "en")
    # Plain "en" is American ("3, 4, and 7"); the source text is British English.
    return format_list(
        [str(item) for item in items], style, locale="en_GB" if locale == "en" else locale
    )
