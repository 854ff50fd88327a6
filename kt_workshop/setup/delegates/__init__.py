"""Delegate lists in and out: read an organiser's xlsx or CSV, write one they can re-import.

Pure functions, no Flask: the roster views, the API, the CLI and the tests call them alike.
Every upload is treated as hostile. Its kind is told from its content, a zip is measured before
it is opened, each row is checked on its own (a bad row is reported and never half-imported),
and no text is ever written where a spreadsheet would run it as a formula (OWASP, CSV
injection).

- `fields`: a delegate's fields, their headings and labels, how a cell reads as text.
- `detect`: telling what the file is (xlsx, CSV or neither), zip-bomb checks, raw rows.
- `headings`: heading synonyms, finding the header row, mapping columns to fields.
- `reading`: checking each row and building the import preview (`read_delegates`).
- `writing`: CSV and xlsx export, formula-safe (`write_delegates_csv`, `write_delegates_xlsx`).
"""

from kt_workshop.setup.delegates.detect import (
    CODE_PAGES,
    MAX_BYTES,
    MAX_MEMBERS,
    fallback_encoding,
)
from kt_workshop.setup.delegates.fields import ATTENDANCE, FIELDS
from kt_workshop.setup.delegates.reading import (
    MAX_ROWS,
    ImportPreview,
    ImportRow,
    RejectedRow,
    read_delegates,
)
from kt_workshop.setup.delegates.writing import write_delegates_csv, write_delegates_xlsx

__all__ = [
    "CODE_PAGES",
    "fallback_encoding",
    "ATTENDANCE",
    "FIELDS",
    "MAX_BYTES",
    "MAX_MEMBERS",
    "MAX_ROWS",
    "ImportPreview",
    "ImportRow",
    "RejectedRow",
    "read_delegates",
    "write_delegates_csv",
    "write_delegates_xlsx",
]
