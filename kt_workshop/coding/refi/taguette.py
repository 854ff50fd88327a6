"""The codebook as CSV in Taguette's shape, and back: Taguette reads codebooks from CSV only.

Taguette's codebook import (taguette/import_codebook.py) takes a header row with one of `tag`,
`name` or `path` and an optional `description`, one tag a row; its tags form a hierarchy by
their path, the levels joined by a dot ("Funding.Short cycles"). We write `tag` as that path,
`description`, and two columns Taguette skips: `when to use` and `notes` (how many notes the
theme has). Reading accepts Taguette's own export (tag, description, number of highlights,
number of documents) and ours; a path's levels become parent and child themes.
"""

import csv
import io
from collections.abc import Mapping, Sequence

from kt_workshop.coding.refi.model import (
    MAX_BYTES,
    MAX_DEPTH,
    MAX_NAME,
    MAX_THEMES,
    CodebookImport,
    ImportedTheme,
    RefiError,
    Theme,
    clean_text,
)
from kt_workshop.i18n import _

SEPARATOR = "."
HEADER = ("tag", "description", "when to use", "notes")


def codebook_csv(themes: Sequence[Theme], counts: Mapping[int, int] | None = None) -> bytes:
    """The codebook as a CSV file Taguette imports (UTF-8 with a BOM, so Excel reads it too)."""
    by_id = {theme.id: theme for theme in themes}

    def path(theme: Theme) -> str:
        names, seen, current = [], set(), theme
        while current is not None and current.id not in seen:
            seen.add(current.id)
            names.append(" ".join(clean_text(current.name)[0].split()))
            current = by_id.get(current.parent_id)
        return SEPARATOR.join(reversed(names))

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    for theme in themes:
        writer.writerow(
            [
                path(theme),
                clean_text(theme.description)[0],
                clean_text(theme.usage)[0],
                (counts or {}).get(theme.id, 0),
            ]
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def read_codebook_csv(data: bytes) -> CodebookImport:
    """The themes of a CSV codebook (Taguette's or ours), parents first, with the problems."""
    if not data or not data.strip():
        raise RefiError(_("The file is empty."))
    if len(data) > MAX_BYTES:
        raise RefiError(_("The codebook is larger than %(mb)s MB.", mb=MAX_BYTES // 2**20))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")  # what Excel writes on Windows
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        raise RefiError(_("The file is empty."))
    header = [cell.strip().lower() for cell in rows[0]]
    named = [column for column in ("tag", "name", "path") if column in header]
    if len(named) != 1:
        raise RefiError(
            _(
                "The CSV needs one column named tag, name or path (the theme, its levels joined"
                " by a dot) and may have a description column."
            )
        )
    column = header.index(named[0])
    description = header.index("description") if "description" in header else None
    usage = header.index("when to use") if "when to use" in header else None
    result = CodebookImport()
    index_of: dict[tuple[str, ...], int] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        cell = row[column] if column < len(row) else ""
        levels = tuple(" ".join(part.split()) for part in cell.split(SEPARATOR))
        if not all(levels):
            result.problems.append(_("Row %(n)s has no tag; it was skipped.", n=number))
            continue
        if len(levels) > MAX_DEPTH:
            result.problems.append(_("Row %(n)s is nested too deep; it was skipped.", n=number))
            continue
        for depth in range(1, len(levels) + 1):
            key = levels[:depth]
            if key in index_of:
                continue
            if len(result.themes) >= MAX_THEMES:
                result.problems.append(
                    _("Only the first %(count)s themes were imported.", count=MAX_THEMES)
                )
                return result
            last = depth == len(levels)
            name = key[-1][:MAX_NAME]
            result.themes.append(
                ImportedTheme(
                    name=name,
                    parent=index_of.get(key[:-1]),
                    colour=None,
                    description=_cell(row, description) if last else "",
                    guid=None,
                    usage=_cell(row, usage) if last else "",
                )
            )
            index_of[key] = len(result.themes) - 1
    if not result.themes:
        result.problems.append(_("The CSV has no themes to import."))
    return result


def _cell(row: list[str], index: int | None) -> str:
    if index is None or index >= len(row):
        return ""
    return clean_text(row[index])[0].strip()
