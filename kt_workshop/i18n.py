"""Translation markers for every string a user sees, usable with or without a Flask app.

Flask-Babel's gettext falls back to the untranslated text outside a request, so the pure
modules (planning, imports, topic packs, reports) mark their messages with the same calls
as the views and templates.
"""

from flask_babel import gettext, lazy_gettext, ngettext

_ = gettext
lazy_ = lazy_gettext

__all__ = ["_", "lazy_", "ngettext"]
