"""The fields of a delegate and how a spreadsheet cell reads as text, shared by reading and writing.

Also the two things every part of an import can meet: the problem that stops a whole file, and
the text of a formula cell, kept apart from text that merely starts with '='.
"""

import re
from datetime import date, datetime, time

from kt_workshop.i18n import lazy_

FIELDS = ("name", "organisation", "country", "sector", "role", "language", "attendance", "consent")
TEXT_FIELDS = FIELDS[:6]
ATTENDANCE = ("registered", "attended", "absent")
# Export headings stay English in every locale so that any exported file imports again.
HEADINGS = dict(
    zip(
        FIELDS,
        ("Name", "Organisation", "Country", "Sector", "Role", "Language", "Attendance", "Consent"),
        strict=True,
    )
)
LABELS = {
    "name": lazy_("Name"), "organisation": lazy_("Organisation"), "country": lazy_("Country"),
    "sector": lazy_("Sector"), "role": lazy_("Role"), "language": lazy_("Language"),
    "attendance": lazy_("Attendance"), "consent": lazy_("Consent"), "group": lazy_("Group"),
}  # fmt: skip
_QUOTED_DANGER = re.compile(r"'+[=+\-@\t\r\n]")
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


class _FileProblem(Exception):
    """Nothing in the file can be imported; the message says why."""


class _Formula(str):
    """The text of a formula cell, kept apart from text that merely starts with '='."""


def _clean(text: str) -> str:
    """Text with one kind of line break, no XML-illegal control characters, no outer spaces."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _ILLEGAL.sub("", text).strip()


def _cell_text(value) -> str:
    """What a cell shows, as text: 12345.0 is '12345', a date is its ISO form."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime) and value.time() == time(0):
        return value.date().isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    return _clean(str(value))


def _blank(value) -> bool:
    """True for a cell that holds nothing but spaces."""
    return value is None or (isinstance(value, str) and not value.strip())
