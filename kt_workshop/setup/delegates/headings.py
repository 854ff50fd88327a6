"""Headings: the words (in English, Polish and German) that name each field, and the header row.

Finds the header among the first rows, also when it spans merged cells or sits under a row of
group labels, and maps every column to a field or keeps it as an extra column.
"""

import re
import unicodedata
from dataclasses import dataclass

from openpyxl.utils import get_column_letter

from kt_workshop.i18n import _
from kt_workshop.setup.delegates.fields import LABELS, _blank, _cell_text, _FileProblem

HEADER_ROWS = 20
_SYNONYMS = {
    "name": ("name", "full name", "name or pseudonym", "pseudonym", "delegate", "delegate name",
             "participant", "participant name", "imię i nazwisko", "uczestnik",
             "vollständiger name", "teilnehmer", "teilnehmerin"),
    "organisation": ("organisation", "organization", "organisation name", "organization name",
                     "organisation/agency", "organization/agency", "agency", "institution",
                     "employer", "affiliation", "organizacja", "instytucja", "einrichtung"),
    "country": ("country", "nation", "kraj", "państwo", "land"),
    "sector": ("sector", "sektor", "branche"),
    "role": ("role", "job title", "position", "funkcja", "stanowisko", "rolle", "funktion"),
    "language": ("language", "languages", "język", "języki", "sprache", "sprachen"),
    "attendance": ("attendance", "attended", "present", "obecność", "anwesenheit"),
    "consent": ("consent", "photo consent", "data consent", "zgoda", "einwilligung"),
    "group": ("group", "home table", "group or home table", "grupa", "gruppe"),
    # Split names are joined into the name when the file has no full-name column.
    "first": ("first name", "given name", "forename", "imię", "vorname"),
    "last": ("last name", "surname", "family name", "nazwisko", "nachname"),
}  # fmt: skip


@dataclass
class _Layout:
    """Which columns feed which field, found from the header row."""

    header_row: int
    fields: dict[str, list[int]]
    extras: dict[str, list[int]]


def _key(text: str) -> str:
    """A heading reduced to letters and digits, without case or accents."""
    text = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in text if ch.isalnum())


_FIELD_BY_KEY = {_key(word): name for name, words in _SYNONYMS.items() for word in words}


def _field_for(heading: str) -> str | None:
    """The standard field a heading means, also when it carries a hint like '(yes/no)'."""
    found = _FIELD_BY_KEY.get(_key(heading))
    if found is None:
        found = _FIELD_BY_KEY.get(_key(re.sub(r"\(.*?\)|\[.*?\]", "", heading)))
    return found


def _is_name_heading(heading) -> bool:
    """True when a heading can give the delegate's name."""
    return isinstance(heading, str) and _field_for(heading) in ("name", "last")


def _fields_in(values: list) -> set[str]:
    """The standard fields a row of headings names."""
    return {_field_for(v) for v in values if isinstance(v, str)} - {None}


def _find_header(head: list[tuple[int, list]], merges: list) -> tuple[int, list[str]]:
    """The header row number and its headings (index = column)."""
    for index, (number, values) in enumerate(head):
        if number > HEADER_ROWS:
            break
        if not any(_is_name_heading(v) for v in values):
            continue
        following_number, following = head[index + 1] if index + 1 < len(head) else (0, [])
        if any(_is_name_heading(v) for v in following) and len(_fields_in(following)) > len(
            _fields_in(values)
        ):
            # The first row only labelled groups of columns; the real headings are below.
            return following_number, [_cell_text(v) for v in following]
        headings = [_cell_text(v) for v in values]
        below = [r for r in merges if r[1] <= number < r[3]]
        bottom = max((r[3] for r in below), default=number)
        if bottom == number and _is_subheader(values, following, number, merges):
            bottom = number + 1
        for lower_number, lower in head[index + 1 : index + 1 + bottom - number]:
            # Headings merged over two rows, or sub-headings under a merged group heading.
            headings.extend([""] * (len(lower) - len(headings)))
            for column, value in enumerate(lower):
                if not _blank(value):
                    headings[column] = _cell_text(value)
            number = lower_number
        return number, headings
    raise _no_name_column()


def _no_name_column() -> _FileProblem:
    """The problem for a file without a heading that gives the delegate's name."""
    return _FileProblem(
        _(
            "No column for the delegate's name was found. Expected a heading such"
            " as Name or Pseudonym."
        )
    )


def _is_subheader(values: list, following: list, number: int, merges: list) -> bool:
    """True when the next row only holds sub-headings under headings merged across columns."""
    grouped = {
        column - 1
        for min_col, min_row, max_col, max_row in merges
        if min_row <= number <= max_row
        and max_col > min_col
        and not _is_name_heading(values[min_col - 1] if min_col <= len(values) else None)
        for column in range(min_col, max_col + 1)
    }
    filled = [i for i, v in enumerate(following) if not _blank(v)]
    return bool(filled) and all(i in grouped and isinstance(following[i], str) for i in filled)


def _layout(number: int, headings: list[str], merges: list, notices: list[str]) -> _Layout:
    """Map each column to a field or an extra column; cells merged across join their texts."""
    across = [r for r in merges if r[1] <= number <= r[3] and r[2] > r[0]]
    width = max([len(headings), *(r[2] for r in across)])
    headings = headings + [""] * (width - len(headings))
    groups: dict[int, list[int]] = {i: [i] for i in range(width)}
    for min_col, _min_row, max_col, _max_row in across:
        if min_col - 1 in groups:
            for column in range(min_col, max_col):
                groups.pop(column, None)
                groups[min_col - 1].append(column)
    fields: dict[str, list[int]] = {}
    extras: dict[str, list[int]] = {}
    first_seen: dict[tuple[str, str | None], tuple[int, str]] = {}
    for start, columns in groups.items():
        heading = headings[start]
        if not heading:
            continue
        name = _field_for(heading)
        target = ("field", name) if name else ("extra", heading.casefold())
        if target in first_seen:
            other, other_heading = first_seen[target]
            raise _FileProblem(
                _(
                    "Columns %(first)s ('%(h1)s') and %(second)s ('%(h2)s') both hold %(field)s."
                    " Delete or rename one of them.",
                    first=get_column_letter(other + 1),
                    h1=other_heading,
                    second=get_column_letter(start + 1),
                    h2=heading,
                    field=LABELS.get(name, heading),
                )
            )
        first_seen[target] = (start, heading)
        if name:
            fields[name] = columns
        else:
            extras[heading] = columns
        if len(columns) > 1:
            notices.append(
                _(
                    "Columns %(first)s to %(last)s share the heading '%(heading)s'; their texts are"
                    " joined.",
                    first=get_column_letter(columns[0] + 1),
                    last=get_column_letter(columns[-1] + 1),
                    heading=heading,
                )
            )
    first, last = fields.pop("first", None), fields.pop("last", None)
    if "name" not in fields:
        if not last:
            raise _no_name_column()
        fields["name"] = (first or []) + last
        if first:
            notices.append(
                _(
                    "The name is made from the columns '%(first)s' and '%(last)s'.",
                    first=headings[first[0]],
                    last=headings[last[0]],
                )
            )
    else:
        for part in (first, last):
            if part:
                extras[headings[part[0]]] = part
    for heading in extras:
        notices.append(
            _(
                "Column '%(heading)s' is not a standard field; it will be kept as an extra column.",
                heading=heading,
            )
        )
    order = sorted(fields, key=lambda f: fields[f][0])
    return _Layout(number, {f: fields[f] for f in order}, extras)
