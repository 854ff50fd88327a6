"""What every kt-workshop command shares: the database it works on and one-line failures.

The area packages add their own commands (`plan.cli`, `live.cli`, `reports.cli`); `cli` gathers
them, and they take these helpers from here rather than from `cli`, so nothing imports back.
"""

import contextlib
import json
import os
import socket
import sys
from pathlib import Path

from kt_workshop.i18n import _

DEFAULT_DB = Path("instance") / "kt-workshop.db"
# Not 5000: AirPlay Receiver holds that port on every recent Mac.
DEFAULT_PORT = 8470
SERVER_FILE = "server.json"


def db_path(args) -> Path:
    """The database file: --db, else $KT_WORKSHOP_DB, else instance/kt-workshop.db here."""
    return Path(getattr(args, "db", None) or os.environ.get("KT_WORKSHOP_DB") or DEFAULT_DB)


def instance_folder(database: Path) -> Path:
    """Where the signing key, exports, backups and certificates live: the database's own
    folder (or $KT_WORKSHOP_INSTANCE), so every command finds the key the server signs with,
    whatever folder it is run from."""
    return Path(os.environ.get("KT_WORKSHOP_INSTANCE") or Path(database).resolve().parent).resolve()


def open_database(args, create: bool = False):
    """Open and migrate the database the command works on. Unless `create`, a missing file is
    refused (exit status 2): a command run from the wrong folder must not start a new, empty
    workshop database beside the real one."""
    from kt_workshop.db import init_db

    path = db_path(args)
    if not create and not path.exists():
        raise SystemExit(
            fail(
                _(
                    "there is no workshop database at %(p)s: give the right file with --db "
                    "(or $KT_WORKSHOP_DB), or run this from the folder you started "
                    "`kt-workshop serve` in.",
                    p=path.resolve(),
                )
            )
        )
    return init_db(path, instance_folder(path) / "backups")


def record_server(instance: Path, url: str, database: Path) -> Path:
    """Write the running server's address where other commands find it (like Jupyter's
    runtime files); `forget_server` removes it when the server stops."""
    instance.mkdir(parents=True, exist_ok=True)
    path = instance / SERVER_FILE
    data = {"url": url, "pid": os.getpid(), "database": str(Path(database).resolve())}
    path.write_text(json.dumps(data), "utf-8")
    return path


def forget_server(instance: Path) -> None:
    """Remove the running-server file (the server is stopping)."""
    with contextlib.suppress(OSError):
        (instance / SERVER_FILE).unlink()


def running_server(instance: Path) -> dict | None:
    """The server running with this instance folder ({"url", "pid", "database"}), when its
    file is there and its port answers; a file left by a server that crashed is ignored."""
    from urllib.parse import urlsplit

    try:
        data = json.loads((instance / SERVER_FILE).read_text("utf-8"))
        address = urlsplit(data["url"])
        port = address.port
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if os.name != "nt" and not process_exists(data.get("pid")):
        return None  # its port may answer for another program now
    return data if port and port_answers(address.hostname or "127.0.0.1", port) else None


def process_exists(pid) -> bool:
    """True when a process with this id runs (POSIX; signal 0 only asks)."""
    try:
        os.kill(int(pid), 0)
    except PermissionError:
        return True  # someone else's process
    except (OSError, TypeError, ValueError):
        return False
    return True


def port_answers(host: str, port: int) -> bool:
    """True when something accepts connections on host:port."""
    probe_host = "127.0.0.1" if host in ("", "0.0.0.0", "::") else host  # noqa: S104
    try:
        with socket.create_connection((probe_host, port), timeout=0.5):
            return True
    except OSError:
        return False


def port_is_free(host: str, port: int) -> bool:
    """True when the app could listen on host:port: nobody answers there and it binds."""
    if port_answers(host, port):
        return False
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        if os.name != "nt":  # as Werkzeug does, so a port in TIME_WAIT counts as free
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


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
