"""Translation markers for every string a user sees, usable with or without a Flask app.

Flask-Babel's gettext falls back to the untranslated text outside a request, so the pure
modules (planning, imports, topic packs, reports) mark their messages with the same calls
as the views and templates. The languages offered are the catalogues found in the
translations folders (`kt_workshop.translations`): adding one needs no code.
"""

import functools
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, date, datetime
from pathlib import Path

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.lists import format_list
from babel.numbers import format_decimal
from flask import Flask, current_app, g, has_app_context
from flask_babel import (
    Babel,
    force_locale,
    get_locale,
    gettext,
    lazy_gettext,
    ngettext,
    npgettext,
    pgettext,
    refresh,
)

from kt_workshop import translations
from kt_workshop.translations import language_name

_ = gettext
lazy_ = lazy_gettext

# Where documents written with no app running (the command line's export) find catalogues.
TRANSLATIONS = translations.FOLDER

__all__ = [
    "_",
    "in_language",
    "language_name",
    "lazy_",
    "list_of",
    "local_time",
    "ngettext",
    "npgettext",
    "pgettext",
    "local_date",
    "local_number",
    "offered_languages",
    "page_language_code",
    "plural_forms",
    "shipped_languages",
    "show_in_language",
]


def translation_folders(app) -> list[Path]:
    """The folders the app's catalogues are read from (BABEL_TRANSLATION_DIRECTORIES)."""
    return [Path(p) for p in str(app.config["BABEL_TRANSLATION_DIRECTORIES"]).split(";") if p]


def load_catalogues(app) -> list[str]:
    """At start: compile the catalogues whose .mo is missing or older than the .po (a fresh
    checkout, a translator's update; a read-only installed package has its .mo already), and
    note the languages offered: English and every catalogue's, in the order found."""
    offered = [translations.SOURCE_LANGUAGE]
    for folder in translation_folders(app):
        try:
            translations.compile_catalogues(folder)
        except OSError as error:  # cannot write there: the .mo files shipped are used
            app.logger.warning("Could not compile the catalogues in %s: %s", folder, error)
        offered += [c for c in translations.catalogue_languages(folder) if c not in offered]
    app.config["LANGUAGES"] = offered
    return offered


def offered_languages() -> list[str]:
    """The language codes a person may pick in this app, English first."""
    return current_app.config.get("LANGUAGES") or [translations.SOURCE_LANGUAGE]


def shipped_languages() -> list[str]:
    """The languages documents can be written in: the app's offered languages, or, where no
    app runs (the command line's export), the catalogues shipped with the package."""
    if has_app_context():
        return offered_languages()
    return translations.shipped_languages(TRANSLATIONS)


def offered_language(code: str | None) -> str | None:
    """The offered language a code asks for ("de-AT" -> "de"), or None."""
    if not code:
        return None
    offered = offered_languages()
    code = code.replace("-", "_")
    for candidate in (code, code.split("_")[0]):
        if candidate in offered:
            return candidate
    return None


def show_in_language(code: str | None) -> None:
    """Show the rest of this request in a given language when it is offered (the workshop's
    language on the projector and the printouts), whatever the person picked."""
    if offered_language(code):
        g.page_language = offered_language(code)
        refresh()  # a language already worked out for this request is forgotten


def page_language_code() -> str:
    """The code of the language this page is in ("pl"), for `<html lang>` and scripts."""
    locale = get_locale()
    return str(locale).replace("_", "-") if locale else translations.SOURCE_LANGUAGE


def plural_forms(render) -> dict[str, str]:
    """A count's words in each plural category of the page's language, for a script to pick
    from with Intl.PluralRules (both follow CLDR): render(n) is a template macro calling
    ngettext(..., n, num="{n}"), so the script fills in the number (live.js `plural`)."""
    locale = get_locale() or Locale.parse(translations.SOURCE_LANGUAGE)
    return {category: str(render(n)).strip() for category, n in _plural_samples(locale).items()}


@functools.cache
def _plural_samples(locale: Locale) -> dict[str, int]:
    """The first whole number of each plural category of a language ("one": 1, "few": 2, ...)."""
    samples: dict[str, int] = {}
    for n in range(200):
        samples.setdefault(locale.plural_form(n), n)
    return samples


@functools.cache
def _bare_app(folder: str) -> Flask:
    """An app that only knows the translations, for translating where no app runs (the
    command line's export). Its own Babel, so its catalogue cache is its own."""
    # A fresh checkout has no .mo yet; where nothing can be written, the shipped .mo are used.
    with suppress(OSError):
        translations.compile_catalogues(Path(folder))
    app = Flask("kt_workshop")
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = folder
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


def formatting_locale() -> str:
    """The locale dates, times, numbers and lists are written in: the page's language, and
    British English for English (the source text's; Babel's plain "en" is American)."""
    locale = str(get_locale() or translations.SOURCE_LANGUAGE)
    return "en_GB" if locale == translations.SOURCE_LANGUAGE else locale


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
    return format_datetime(moment.astimezone(), format, locale=formatting_locale())


def list_of(items, style: str = "standard") -> str:
    """Words joined as the page's language joins a list ("3, 4 and 7", "3, 4 i 7"; style "or"
    for alternatives), so no sentence is glued from a translated " and "."""
    return format_list([str(item) for item in items], style, locale=formatting_locale())


def local_number(value: float) -> str:
    """A number the way the page's language writes it ("10,000"; "10.000"; "10 000")."""
    return format_decimal(value, locale=formatting_locale())


def local_date(value: str | date | None, format: str = "medium") -> str:
    """A stored day ("2024-01-22", or a moment: its day on this laptop's clock) the way the
    page's language writes dates ("22 Jan 2024", "22.01.2024"; the `local_date` filter)."""
    if not value:
        return ""
    try:
        if isinstance(value, date):
            day = value
        elif len(value) == 10:
            day = date.fromisoformat(value)
        else:
            moment = datetime.fromisoformat(value)
            day = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone().date()
    except ValueError:
        return str(value)  # not a date: shown as written
    if isinstance(day, datetime):
        day = (day if day.tzinfo else day.replace(tzinfo=UTC)).astimezone().date()
    return format_date(day, format, locale=formatting_locale())
