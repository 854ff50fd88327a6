"""The kt-workshop command: serve the app, make the demo, import, back up, plan, archive."""

import argparse
import contextlib
import logging
import socket
import sys
from pathlib import Path

from werkzeug.serving import WSGIRequestHandler

from kt_workshop.commands import checked_import, db_path, fail, open_database
from kt_workshop.i18n import _
from kt_workshop.live import cli as live_cli
from kt_workshop.plan import cli as plan_cli
from kt_workshop.reports import cli as reports_cli


def lan_address() -> str:
    """This machine's address on the local network (no packet is sent to find it)."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("192.0.2.1", 9))  # UDP connect only picks a route; nothing is sent
        return probe.getsockname()[0]
    except OSError:
        return socket.gethostbyname(socket.gethostname())
    finally:
        probe.close()


def cmd_serve(args) -> int:
    """Start the app; create the demo workshop on first start; print the sign-in link."""
    from kt_workshop import access, store
    from kt_workshop.app import create_app
    from kt_workshop.demo import create_demo
    from kt_workshop.web import socketio

    path = db_path(args)
    host = "0.0.0.0" if args.lan else args.host  # noqa: S104 - --lan asks for exactly this
    app = create_app({"DATABASE": str(path.resolve()), "BACKUP_DIR": str(path.parent / "backups")})
    db = open_database(args)
    if not store.list_workshops(db) and not args.no_demo:
        workshop_id = create_demo(db)
        print(_("Created the demo workshop (id %(id)s).", id=workshop_id))
    token = access.issue_signin_token(db)
    db.close()
    shown = lan_address() if args.lan else ("127.0.0.1" if host in ("", "0.0.0.0") else host)  # noqa: S104
    handler, scheme = NoDelayRequestHandler, "http"
    if args.lan if args.tls is None else args.tls:
        handler, scheme = serve_https(app, shown, args.port)
    print(_("kt-workshop is running with the database %(db)s", db=path))
    print(_("Open this link to sign in as organiser (it works once):"))
    # The organiser's own browser uses plain HTTP to 127.0.0.1: nothing crosses the network.
    signin_host = "127.0.0.1" if scheme == "https" else shown
    print(f"    http://{signin_host}:{args.port}/signin?token={token}", flush=True)
    if args.lan:
        print(
            _(
                "Serving the local network: tablets join at %(url)s",
                url=f"{scheme}://{shown}:{args.port}/welcome",
            )
        )
    else:
        print(_("Only this computer can connect. Use --lan to let tablets on the network in."))
    app.config["PUBLIC_URL"] = f"{scheme}://{shown}:{args.port}" if args.lan else None
    socketio.start_background_task(
        take_snapshots, path, path.parent / "backups", args.snapshot_minutes * 60
    )
    if not args.verbose:
        # The organiser needs the link above, not a line per request or the dev-server banner.
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
    try:
        socketio.run(
            app,
            host=host,
            port=args.port,
            allow_unsafe_werkzeug=True,
            request_handler=handler,
            use_reloader=False,
            log_output=args.verbose,
        )
    except OSError as error:
        return fail(
            _(
                "cannot listen on %(h)s:%(p)s (%(e)s). Is kt-workshop already running? Try --port.",
                h=host,
                p=args.port,
                e=error.strerror or error,
            ),
            1,
        )
    return 0


def serve_https(app, shown: str, port: int):
    """Make or renew the laptop's certificates, set the app up for HTTPS, and say how tablets
    trust it; return the request handler class and the scheme."""
    from kt_workshop.join import tls

    names = tls.laptop_names() + tls.laptop_addresses()
    if shown not in names:
        names.append(shown)
    handler, done = tls.serve_over_tls(app, NoDelayRequestHandler, names)
    folder = tls.folder_of(app.instance_path)
    reasons = {
        "missing": _("it had none"),
        "addresses changed": _("its addresses changed"),
        "expiring": _("the old one was about to expire"),
    }
    if done == "new authority":
        print(_("Made this laptop's certificate authority in %(f)s.", f=folder))
    elif done:
        print(
            _(
                "Made a new certificate for this laptop (%(why)s); tablets keep their trust.",
                why=reasons.get(done, done),
            )
        )
    print(
        _(
            "HTTPS: each tablet trusts this laptop once, at %(url)s (fingerprint %(fp)s)",
            url=f"http://{shown}:{port}/trust",
            fp=tls.fingerprint(tls.authority(folder))[:23],
        )
    )
    return handler, "https"


class NoDelayRequestHandler(WSGIRequestHandler):
    """Werkzeug's handler with Nagle's algorithm off: the acknowledgement that follows a
    broadcast on the same connection goes out at once instead of up to 40 ms later."""

    def setup(self):
        """Set TCP_NODELAY on the accepted connection."""
        super().setup()
        with contextlib.suppress(OSError):  # not a TCP socket (tests), or not supported
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def take_snapshots(path: Path, folder: Path, every: float) -> None:
    """While a block runs, copy the database every few minutes (the last ones are kept)."""
    from kt_workshop.db import open_db
    from kt_workshop.live import day
    from kt_workshop.web import socketio

    while every > 0:
        socketio.sleep(every)
        db = open_db(path)
        try:
            day.snapshot_while_running(db, folder)
        except Exception as error:  # a full disk must not stop the day; say so and go on
            print(_("Could not take a snapshot: %(e)s", e=error), file=sys.stderr)
        finally:
            db.close()


def cmd_organiser_link(args) -> int:
    """Print a new one-time organiser sign-in link for a running app."""
    from kt_workshop import access

    db = open_database(args)
    print(f"http://{args.host}:{args.port}/signin?token={access.issue_signin_token(db)}")
    return 0


def cmd_demo(args) -> int:
    """Create the demo workshop and print its id."""
    from kt_workshop.demo import create_demo

    print(create_demo(open_database(args)))
    return 0


def cmd_import_participants(args) -> int:
    """Import delegates from xlsx or csv; print what was imported and every rejected row."""
    from kt_workshop import store
    from kt_workshop.setup import delegates

    checked = checked_import(
        args,
        lambda db, name, data: delegates.read_delegates(
            name, data, store.list_items(db, "participant", args.workshop)
        ),
    )
    if isinstance(checked, int):
        return checked
    db, file, preview = checked
    ids = store.add_delegates(db, args.workshop, [row.delegate for row in preview.rows])
    store.audit(
        db, args.workshop, "cli", "imported delegates", {"file": file.name, "count": len(ids)}
    )
    print(_("Imported %(n)s delegates, rejected %(r)s rows.", n=len(ids), r=len(preview.rejected)))
    return 0


def cmd_backup(args) -> int:
    """Write a consistent copy of the database (safe while the app runs) and print its path."""
    from kt_workshop.db import backup_to, open_db

    path = db_path(args)
    if not path.exists():
        return fail(_("no database at %(p)s", p=path))
    out = Path(args.out) if args.out else path.parent / "backups"
    db = open_db(path)
    print(backup_to(db, out, reason="manual"))
    return 0


def cmd_topics_check(args) -> int:
    """Check a topic pack file; print each mistake with its line and field."""
    from kt_workshop.setup import topics

    problems = topics.check_pack_file(args.file)
    for problem in problems:
        print(f"{args.file}: {problem}", file=sys.stderr)
    if problems:
        return 1
    print(_("%(f)s: the topic pack is valid.", f=args.file))
    return 0


def cmd_archive_export(args) -> int:
    """Write the whole workshop to one JSON file and print its path."""
    from kt_workshop import archive, store

    db = open_database(args)
    try:
        data = archive.archive_bytes(archive.export_workshop(db, args.workshop))
    except store.NotFound as error:
        return fail(str(error))
    out = Path(args.out or f"workshop-{args.workshop}.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    print(out)
    return 0


def cmd_archive_import(args) -> int:
    """Add a workshop from a JSON archive and print its new id."""
    from kt_workshop import archive

    file = Path(args.file)
    if not file.is_file():
        return fail(_("no such file: %(f)s", f=file))
    db = open_database(args)
    try:
        workshop_id = archive.import_workshop(db, archive.load_archive(file.read_bytes()))
    except archive.ArchiveError as error:
        return fail(str(error), 1)
    print(workshop_id)
    return 0


class Parser(argparse.ArgumentParser):
    """An argument parser whose mistakes are one clear line on stderr and exit status 2."""

    def error(self, message):
        """Report a bad argument in one line."""
        print(f"{self.prog}: {message}", file=sys.stderr)
        sys.exit(2)


def build_parser() -> argparse.ArgumentParser:
    """The command line: one sub-command per thing an organiser does from a terminal."""
    parser = Parser(
        prog="kt-workshop",
        description=_(
            "Run world-café knowledge-transfer workshops and turn what was said into a report."
        ),
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name, handler, help_text):
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.set_defaults(handler=handler)
        sub.add_argument("--db", help=_("database file (default: instance/kt-workshop.db)"))
        return sub

    serve = command("serve", cmd_serve, _("start the app and print the organiser's link"))
    serve.add_argument("--host", default="127.0.0.1", help=_("address to listen on"))
    serve.add_argument("--port", type=int, default=5000, help=_("port to listen on"))
    serve.add_argument(
        "--lan", action="store_true", help=_("serve the local network so tablets can join")
    )
    serve.add_argument(
        "--tls",
        action=argparse.BooleanOptionalAction,
        default=None,
        help=_(
            "serve HTTPS with this laptop's own certificate authority (the default with --lan; "
            "--no-tls serves plain HTTP)"
        ),
    )
    serve.add_argument(
        "--no-demo",
        action="store_true",
        help=_("do not create the demo workshop in an empty database"),
    )
    serve.add_argument("--verbose", action="store_true", help=_("log every request"))
    serve.add_argument(
        "--snapshot-minutes",
        type=float,
        default=5,
        help=_("copy the database this often while a round runs (0: never)"),
    )

    link = command(
        "organiser-link", cmd_organiser_link, _("print a new one-time organiser sign-in link")
    )
    link.add_argument("--host", default="127.0.0.1")
    link.add_argument("--port", type=int, default=5000)

    command("demo", cmd_demo, _("create the demo workshop and print its id"))

    imp = command(
        "import-participants",
        cmd_import_participants,
        _("import delegates from an xlsx or csv file"),
    )
    imp.add_argument("workshop", type=int, help=_("workshop id"))
    imp.add_argument("file", help=_("xlsx or csv file"))

    backup = command("backup", cmd_backup, _("write a consistent copy of the database"))
    backup.add_argument("--out", help=_("folder for the copy (default: instance/backups)"))

    topics = commands.add_parser("topics", help=_("work with topic packs"))
    topic_commands = topics.add_subparsers(dest="topics_command", required=True)
    check = topic_commands.add_parser("check", help=_("check a topic pack file"))
    check.add_argument("file")
    check.set_defaults(handler=cmd_topics_check)

    arch = commands.add_parser("archive", help=_("export or import a whole workshop as JSON"))
    arch_commands = arch.add_subparsers(dest="archive_command", required=True)
    export = arch_commands.add_parser("export", help=_("write a workshop to a JSON file"))
    export.add_argument("workshop", type=int)
    export.add_argument("--out", help=_("file to write (default: workshop-ID.json)"))
    export.add_argument("--db")
    export.set_defaults(handler=cmd_archive_export)
    imported = arch_commands.add_parser("import", help=_("add a workshop from a JSON file"))
    imported.add_argument("file")
    imported.add_argument("--db")
    imported.set_defaults(handler=cmd_archive_import)

    for area_commands in (plan_cli, live_cli, reports_cli):
        area_commands.add_commands(commands)
    return parser


def main(argv: list[str] | None = None) -> None:
    """Run one command and exit with its status."""
    args = build_parser().parse_args(argv)
    sys.exit(args.handler(args))
