"""The database: one SQLite file (WAL), a connection per request or event, appended migrations."""

import contextlib
import os
import sqlite3
import threading
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from kt_workshop.migrations import migrations


def open_db(path: str | Path) -> Database:
    """Open the database file (or ':memory:') with the settings every connection needs."""
    if str(path) != ":memory:":
        private_file(Path(path))
    db = Database(memory=True) if str(path) == ":memory:" else Database(str(path))
    db.execute("PRAGMA foreign_keys = ON")
    db.execute("PRAGMA busy_timeout = 10000")
    # Deleted rows (a deleted workshop's notes and photos) are overwritten in the file, not
    # left in free pages for anyone who copies it.
    db.execute("PRAGMA secure_delete = ON")
    return db


def private_file(path: Path) -> None:
    """Make sure a database file (and its -wal and -shm files, which SQLite creates with the
    database's permissions) can be read by its owner alone (0600), like instance/secret_key."""
    if os.name == "nt":
        return
    if not path.exists() and path.parent.is_dir():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    for member in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        # SQLite deletes the -wal and -shm files when the last connection closes, which may
        # happen between two of these calls (another request ending): then there is nothing
        # left to protect.
        with contextlib.suppress(FileNotFoundError):
            if member.exists() and member.stat().st_mode & 0o077:
                member.chmod(0o600)


def pending_migrations(db: Database, steps: Migrations = migrations) -> list[str]:
    """Names of the migrations this database has not had yet."""
    return [m.name for m in steps.pending(db)]


def migrate(db: Database, backup_dir: Path | None = None, steps: Migrations = migrations):
    """Bring the schema up to date, taking a backup first when there is data to protect."""
    backup = None
    has_data = bool(steps.applied(db))
    if backup_dir is not None and has_data and pending_migrations(db, steps):
        backup = backup_to(db, backup_dir, reason="before-migrate")
    steps.apply(db)
    return backup


def init_db(path: str | Path, backup_dir: Path | None = None) -> Database:
    """Open (creating if needed) the database in WAL mode and migrate it."""
    if str(path) != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    db = open_db(path)
    if str(path) != ":memory:":
        db.enable_wal()
    migrate(db, backup_dir)
    return db


def backup_to(db: Database, folder: Path, reason: str = "backup") -> Path:
    """Write a consistent copy of the live database (SQLite backup API) into folder."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S-%f")
    target = folder / f"kt-workshop-{stamp}-{reason}.db"
    copy_database(db.conn, target)
    return target


def copy_database(conn: sqlite3.Connection, target: Path) -> None:
    """Copy a live connection's database into target without blocking writers for long."""
    private_file(Path(target))  # a backup holds every name and note: the owner's alone
    dest = sqlite3.connect(str(target))
    try:
        with dest:
            conn.backup(dest, pages=256)
    finally:
        dest.close()


def prune_backups(folder: Path, keep: int, reason: str) -> list[Path]:
    """Delete all but the newest `keep` backups made for one reason; return what was removed."""
    found = sorted(Path(folder).glob(f"kt-workshop-*-{reason}.db"))
    old = found[:-keep] if keep else found
    for path in old:
        path.unlink(missing_ok=True)
    return old


_write_lock = threading.RLock()


@contextmanager
def writing(db: Database):
    """One write transaction that takes the write lock at once (BEGIN IMMEDIATE).

    Two connections that both read the next sequence number and then write would otherwise
    deadlock; IMMEDIATE makes the second wait (busy timeout) until the first commits.
    """
    # The server's own threads queue here in turn; SQLite alone makes waiting writers retry
    # with growing sleeps, so some would wait far longer than others.
    with _write_lock:
        db.conn.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.conn.rollback()
            raise
        else:
            db.conn.commit()
