"""The day's commands of kt-workshop: `join-link` for a table's tablet, `import-notes` after it."""

from collections import Counter

from sqlite_utils import Database

from kt_workshop.commands import DEFAULT_PORT
from kt_workshop.i18n import _, ngettext


def table_grant(db: Database, workshop_id: int, table: dict) -> dict:
    """The table's live moderator join link, made when it has none yet."""
    from kt_workshop import access

    rows = list(
        db["access"].rows_where(
            "workshop_id = ? AND role = 'moderator' AND table_id = ? AND revoked_at IS NULL",
            [workshop_id, table["id"]],
            order_by="id",
        )
    )
    if rows:
        return rows[0]
    return access.create_grant(db, workshop_id, "moderator", table["name"], table_id=table["id"])


def cmd_join_link(args) -> int:
    """Print the join link of a table's tablet (the same link every time until revoked)."""
    from kt_workshop import access, store
    from kt_workshop.access import load_secret_key
    from kt_workshop.commands import (
        DEFAULT_PORT,
        db_path,
        fail,
        instance_folder,
        open_database,
        running_server,
    )
    from kt_workshop.live.note_import import find_table

    instance = instance_folder(db_path(args))
    running = running_server(instance) or {}
    base = (args.base_url or running.get("url") or f"http://127.0.0.1:{DEFAULT_PORT}").rstrip("/")
    if not base.startswith(("http://", "https://")):
        return fail(_("--base-url must start with http:// or https://, not %(u)s", u=base))
    db = open_database(args)
    try:
        store.get_workshop(db, args.workshop)
    except store.NotFound as error:
        return fail(str(error))
    tables = store.list_items(db, "tables", args.workshop)
    table = find_table(tables, args.table)
    if table is None:
        return fail(
            _(
                "workshop %(w)s has no table '%(t)s'; its tables are: %(names)s",
                w=args.workshop,
                t=args.table,
                names=", ".join(f"{n}. {t['name']}" for n, t in enumerate(tables, 1)) or "-",
            )
        )
    grant = table_grant(db, args.workshop, table)
    # Signed with the key beside the database: the one the server of this database uses.
    token = access.grant_token(load_secret_key(instance), grant)
    print(f"{base}/join/{token}")
    return 0


def save_notes(db: Database, workshop_id: int, rows: list[dict]) -> list[dict]:
    """Add imported notes in one transaction, each with its history and change-log entry."""
    from kt_workshop.db import writing
    from kt_workshop.live import notes

    changes = []
    with writing(db):
        for note in rows:
            cell = {k: note[k] for k in ("round_id", "table_id", "question_id", "moderator_id")}
            # Screens that reconnect ask for the changes they missed, imports included.
            _note_id, change = notes.store_note(
                db, workshop_id, cell, kind=note["kind"], text=note["text"], source="import"
            )
            changes.append(change)
    return changes


def cmd_import_notes(args) -> int:
    """Import notes typed up from paper; print what was imported and every rejected row."""
    from kt_workshop import store
    from kt_workshop.commands import checked_import
    from kt_workshop.live import note_import

    checked = checked_import(
        args,
        lambda db, name, data: note_import.read_notes(
            name, data, note_import.context_of(db, args.workshop)
        ),
    )
    if isinstance(checked, int):
        return checked
    db, file, preview = checked
    save_notes(db, args.workshop, [row.note for row in preview.rows])
    store.audit(
        db,
        args.workshop,
        "cli",
        "imported notes",
        {"file": file.name, "count": len(preview.rows)},
    )
    for where, count in Counter(row.where for row in preview.rows).items():
        print(ngettext("%(where)s: %(num)s note", "%(where)s: %(num)s notes", count, where=where))
    print(
        ngettext(
            "Imported %(num)s note, rejected %(r)s rows.",
            "Imported %(num)s notes, rejected %(r)s rows.",
            len(preview.rows),
            r=len(preview.rejected),
        )
    )
    return 0


def add_commands(commands) -> None:
    """Add `join-link` and `import-notes` to the kt-workshop command."""
    link = commands.add_parser(
        "join-link",
        help=_("print the moderator join link of a table"),
        description=_(
            "Print the moderator join link of a table, for its tablet. The table's existing"
            " link is reused; a new one is made only when it has none."
        ),
    )
    link.add_argument("workshop", type=int, help=_("workshop id"))
    link.add_argument(
        "--table", required=True, help=_("the table's name, or its number (1 = the first)")
    )
    link.add_argument(
        "--base-url",
        help=_(
            "the address tablets open the app at (default: the running server's address, "
            "else http://127.0.0.1:%(port)s)",
            port=DEFAULT_PORT,
        ),
    )
    link.add_argument(
        "--db",
        help=_(
            "the workshop database file (default: $KT_WORKSHOP_DB, else instance/kt-workshop.db)"
        ),
    )
    link.set_defaults(handler=cmd_join_link)

    imp = commands.add_parser(
        "import-notes",
        help=_("import notes typed up from paper, from an xlsx or csv file"),
        description=_(
            "Import notes from an xlsx or csv file with the columns block, round, table,"
            " question, kind and text."
        ),
    )
    imp.add_argument("workshop", type=int, help=_("workshop id"))
    imp.add_argument("file", help=_("xlsx or csv file"))
    imp.add_argument(
        "--db",
        help=_(
            "the workshop database file (default: $KT_WORKSHOP_DB, else instance/kt-workshop.db)"
        ),
    )
    imp.set_defaults(handler=cmd_import_notes)
