"""What every kt-workshop command shares: the database it works on and one-line failures.

The area packages add their own commands (`plan.cli`, `live.cli`, `reports.cli`); `cli` gathers
them, and they take these helpers from here rather than from `cli`, so nothing imports back.
"""

import os
import sys
from pathlib import Path

from kt_workshop.i18n import _

DEFAULT_DB = Path("instance") / "kt-workshop.db"


def db_path(args) -> Path:
    """The database file: --db, else $KT_WORKSHOP_DB, else instance/kt-workshop.db here."""
    return Path(args.db or os.environ.get("KT_WORKSHOP_DB") or DEFAULT_DB)


def open_database(args):
    """Open and migrate the database the command works on."""
    from kt_workshop.db import init_db

    path = db_path(args)
    return init_db(path, path.parent / "backups")


def fail(message: str, status: int = 2) -> int:
    """Print one clear line on stderr and return the exit status."""
    print(f"kt-workshop: {message}", file=sys.stderr)
    return status


def checked_import(args, read):
    """Open the workshop and the file, read it with `read(db, name, data)` and print every
    problem; return (db, file, preview) when something can be imported, else the exit status."""
    from kt_workshop import store

    db = open_database(args)
    try:
        store.get_workshop(db, args.workshop)
    except store.NotFound as error:
        return fail(str(error))
    file = Path(args.file)
    if not file.is_file():
        return fail(_("no such file: %(f)s", f=file))
    preview = read(db, file.name, file.read_bytes())
    for message in preview.file_errors:
        print(_("Error: %(m)s", m=message), file=sys.stderr)
    for message in preview.notices:
        print(_("Note: %(m)s", m=message))
    for rejected in preview.rejected:
        print(
            _("Rejected row %(row)s: %(why)s", row=rejected.row, why="; ".join(rejected.reasons)),
            file=sys.stderr,
        )
    if not preview.ok:
        print(_("Nothing was imported."), file=sys.stderr)
        return 1
    return db, file, preview
