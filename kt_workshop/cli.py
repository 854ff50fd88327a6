"""The kt-workshop command: serve the app, make the demo, import, back up, plan, archive."""

import argparse
import contextlib
import logging
import socket
import sys
from pathlib import Path
from urllib.parse import urlsplit

from werkzeug.serving import WSGIRequestHandler

from kt_workshop import __version__
from kt_workshop.commands import (
    DEFAULT_PORT,
    checked_import,
    db_path,
    fail,
    forget_server,
    instance_folder,
    open_database,
    port_is_free,
    record_server,
    running_server,
)
from kt_workshop.i18n import _, ngettext
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


def public_url_argument(text: str) -> str:
    """--public-url's value as stored (scheme, host, port), or argparse's clear error."""
    from kt_workshop.store import clean_address

    try:
        return clean_address(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def cmd_serve(args) -> int:
    """Start the app; create the demo workshop on first start; print the sign-in link."""
    from kt_workshop import access, store
    from kt_workshop.app import create_app
    from kt_workshop.demo import create_demo

    path = db_path(args)
    instance = instance_folder(path)
    host = "0.0.0.0" if args.lan else args.host  # noqa: S104 - --lan asks for exactly this
    port = choose_port(host, args.port, instance)
    if isinstance(port, str):  # nothing printed yet but this one line
        return fail(port, 1)
    app = create_app(
        {
            "DATABASE": str(path.resolve()),
            "INSTANCE_PATH": str(instance),
            "BACKUP_DIR": str(instance / "backups"),
        }
    )
    db = open_database(args, create=True)
    if not store.list_workshops(db) and not args.no_demo:
        workshop_id = create_demo(db)
        print(_("Created the demo workshop (id %(id)s).", id=workshop_id))
    token = access.issue_signin_token(db)
    db.close()
    url = base_url(host, port, args.lan)
    handler = NoDelayRequestHandler
    if args.lan if args.tls is None else args.tls:
        handler = serve_https(app, urlsplit(url).hostname, port)[0]
        url = "https" + url[len("http") :]
    if port != (args.port or DEFAULT_PORT):
        print(_("Port %(p)s is taken, so kt-workshop uses port %(q)s.", p=DEFAULT_PORT, q=port))
    print(_("kt-workshop is running with the database %(db)s", db=path.resolve()))
    print(_("Its folder (signing key, exports, backups, certificates): %(f)s", f=instance))
    print(_("Open this link to sign in as organiser (it works once):"))
    # Over HTTPS the organiser's own browser uses plain HTTP to 127.0.0.1: nothing crosses the
    # network, and no certificate needs trusting on the laptop.
    signin = f"http://127.0.0.1:{port}" if url.startswith("https") else url
    print(f"    {signin}/signin?token={token}", flush=True)
    print(who_can_connect(host, port, url))
    app.config["PUBLIC_URL"] = url if args.lan else None
    if args.public_url:  # the address tablets use, when it is not the one seen from here
        app.config["PUBLIC_URL"] = args.public_url
        print(_("Tablets use the address %(url)s", url=args.public_url))
    return listen(app, host, port, path, instance, args, handler, url)


def choose_port(host: str, wanted: int | None, instance: Path) -> int | str:
    """The port to listen on, or why there is none. A port given with --port must be free;
    without one, the default is taken, or the next free one after it."""
    running = running_server(instance)
    if running:  # a second server of one database would split the day between two addresses
        return _(
            "kt-workshop is already running with this database at %(url)s; open it there, or "
            "print a new sign-in link with `kt-workshop organiser-link`.",
            url=running["url"],
        )
    candidates = [wanted] if wanted else range(DEFAULT_PORT, DEFAULT_PORT + 20)
    for port in candidates:
        if port_is_free(host, port):
            return port
    port = wanted or DEFAULT_PORT
    if wanted:
        return _(
            "port %(p)s is in use by another program (on a Mac, port 5000 is AirPlay "
            "Receiver's); stop that program or choose another port with --port.",
            p=port,
        )
    return _(
        "ports %(a)s to %(b)s are all in use; choose a free one with --port.",
        a=DEFAULT_PORT,
        b=DEFAULT_PORT + 19,
    )


def base_url(host: str, port: int, lan: bool) -> str:
    """The address printed for the organiser (and, with --lan, for the tablets)."""
    if lan:
        shown = lan_address()
    elif host in ("", "0.0.0.0", "::"):  # noqa: S104
        shown = "127.0.0.1"
    else:
        shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


def who_can_connect(host: str, port: int, url: str) -> str:
    """One line saying, truthfully, who can reach the app at this address."""
    if host in ("", "0.0.0.0", "::"):  # noqa: S104
        return _(
            "Listening on every network interface: tablets on this network join at "
            "%(scheme)s://%(ip)s:%(port)s/welcome",
            scheme=url.split(":", 1)[0],
            ip=lan_address(),
            port=port,
        )
    if host in ("127.0.0.1", "localhost", "::1"):
        return _("Only this computer can connect. Use --lan to let tablets on the network in.")
    return _("Listening on %(h)s only: devices that reach that address can connect.", h=host)


def listen(app, host: str, port: int, path: Path, instance: Path, args, handler, url) -> int:
    """Serve until stopped; the running-server file tells other commands where the app is."""
    import signal

    from kt_workshop.web import socketio

    socketio.start_background_task(
        take_snapshots, path, instance / "backups", args.snapshot_minutes * 60
    )
    if not args.verbose:
        # The organiser needs the link above, not a line per request or the dev-server banner.
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
    # A termination signal (a closed terminal, run.py stopping) ends the server cleanly.
    signal.signal(signal.SIGTERM, lambda *_args: sys.exit(0))
    record_server(instance, url, path)
    try:
        socketio.run(
            app,
            host=host,
            port=port,
            allow_unsafe_werkzeug=True,
            request_handler=handler,
            use_reloader=False,
            log_output=args.verbose,
        )
    except OSError as error:
        return fail(
            _(
                "cannot listen on %(h)s:%(p)s (%(e)s). Choose another port with --port.",
                h=host,
                p=port,
                e=error.strerror or error,
            ),
            1,
        )
    finally:
        forget_server(instance)
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
    """Print a new one-time organiser sign-in link for the app running with this database."""
    from kt_workshop import access

    db = open_database(args)
    running = running_server(instance_folder(db_path(args)))
    if args.host or args.port:
        url = f"http://{args.host or '127.0.0.1'}:{args.port or DEFAULT_PORT}"
    elif running:
        url = running["url"]
    else:
        url = f"http://127.0.0.1:{DEFAULT_PORT}"
        print(
            _("Note: kt-workshop is not running with this database; the link works once it is."),
            file=sys.stderr,
        )
    print(f"{url}/signin?token={access.issue_signin_token(db)}")
    return 0


def cmd_demo(args) -> int:
    """Create the demo workshop and print its id."""
    from kt_workshop.demo import create_demo

    print(create_demo(open_database(args, create=True)))
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
    imported = ngettext("Imported %(num)s delegate", "Imported %(num)s delegates", len(ids))
    rejected = ngettext("rejected %(num)s row", "rejected %(num)s rows", len(preview.rejected))
    print(_("%(imported)s, %(rejected)s.", imported=imported, rejected=rejected))
    return 0


def cmd_backup(args) -> int:
    """Write a consistent copy of the database (safe while the app runs) and print its path."""
    from kt_workshop.db import backup_to, open_db

    path = db_path(args)
    if not path.exists():
        return fail(_("no database at %(p)s", p=path))
    out = Path(args.out) if args.out else instance_folder(path) / "backups"
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
    existed = db_path(args).exists()
    db = open_database(args, create=True)  # restoring onto a new laptop starts a database
    if not existed:
        print(_("Created a new database at %(p)s.", p=db_path(args).resolve()), file=sys.stderr)
    try:
        workshop_id = archive.import_workshop(db, archive.load_archive(file.read_bytes()))
    except archive.ArchiveError as error:
        return fail(str(error), 1)
    print(workshop_id)
    return 0


class DefaultsFormatter(argparse.HelpFormatter):
    """Help that shows each option's default, when it has a meaningful one."""

    def _get_help_string(self, action):
        text = action.help or ""
        if action.default not in (None, False, argparse.SUPPRESS) and "default" not in text:
            text += " " + _("(default: %(d)s)", d=action.default).replace("%", "%%")
        return text


class Parser(argparse.ArgumentParser):
    """An argument parser whose mistakes show the usage, the error and where help is."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", DefaultsFormatter)
        super().__init__(*args, **kwargs)

    def error(self, message):
        """Report a bad argument: usage, one line saying what is wrong, exit status 2."""
        self.print_usage(sys.stderr)
        print(_("%(prog)s: error: %(m)s", prog=self.prog, m=message), file=sys.stderr)
        print(_("Run '%(prog)s --help' for every option.", prog=self.prog), file=sys.stderr)
        sys.exit(2)


DB_HELP = _(
    "the workshop database file (default: $KT_WORKSHOP_DB, else instance/kt-workshop.db in "
    "this folder); the signing key, exports and backups live in the same folder"
)


def describe_every_command(parser: argparse.ArgumentParser) -> None:
    """Give each sub-command whose `--help` would have no description its one-line help."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for choice in action._choices_actions:
                sub = action.choices[choice.dest]
                sub.description = sub.description or choice.help
                describe_every_command(sub)


def build_parser() -> argparse.ArgumentParser:
    """The command line: one sub-command per thing an organiser does from a terminal."""
    parser = Parser(
        prog="kt-workshop",
        description=_(
            "Run world-café knowledge-transfer workshops and turn what was said into a report."
        ),
        epilog=_(
            "Environment: KT_WORKSHOP_DB is the database file when --db is not given; "
            "KT_WORKSHOP_INSTANCE moves the folder of the signing key, exports and backups "
            "away from the database's. Run 'kt-workshop COMMAND --help' for a command's options."
        ),
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name, handler, help_text):
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.set_defaults(handler=handler)
        sub.add_argument("--db", help=DB_HELP)
        return sub

    serve = command("serve", cmd_serve, _("start the app and print the organiser's link"))
    serve.add_argument("--host", default="127.0.0.1", help=_("address to listen on"))
    serve.add_argument(
        "--port",
        type=int,
        help=_("port to listen on (default: %(p)s, or the next free one)", p=DEFAULT_PORT),
    )
    serve.add_argument(
        "--lan", action="store_true", help=_("serve the local network so tablets can join")
    )
    serve.add_argument(
        "--public-url",
        type=public_url_argument,
        metavar="URL",
        help=_(
            "the address tablets use to reach this laptop, for links and QR codes "
            "(e.g. https://kt-laptop.local:5000); a workshop's own setting comes first"
        ),
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
    link.add_argument(
        "--host", help=_("the app's address (default: the running server's, else 127.0.0.1)")
    )
    link.add_argument(
        "--port",
        type=int,
        help=_("the app's port (default: the running server's, else %(p)s)", p=DEFAULT_PORT),
    )

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
    check.add_argument("file", help=_("the topic pack (.toml) to check"))
    check.set_defaults(handler=cmd_topics_check)

    arch = commands.add_parser("archive", help=_("export or import a whole workshop as JSON"))
    arch_commands = arch.add_subparsers(dest="archive_command", required=True)
    export = arch_commands.add_parser("export", help=_("write a workshop to a JSON file"))
    export.add_argument("workshop", type=int, help=_("workshop id"))
    export.add_argument("--out", help=_("file to write (default: workshop-ID.json)"))
    export.add_argument("--db", help=DB_HELP)
    export.set_defaults(handler=cmd_archive_export)
    imported = arch_commands.add_parser("import", help=_("add a workshop from a JSON file"))
    imported.add_argument("file", help=_("the workshop archive (.json) to add"))
    imported.add_argument("--db", help=DB_HELP + _(" (made when it does not exist)"))
    imported.set_defaults(handler=cmd_archive_import)

    for area_commands in (plan_cli, live_cli, reports_cli):
        area_commands.add_commands(commands)
    describe_every_command(parser)
    return parser


def main(argv: list[str] | None = None) -> None:
    """Run one command and exit with its status."""
    args = build_parser().parse_args(argv)
    sys.exit(args.handler(args))
