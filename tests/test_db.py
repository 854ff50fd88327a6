"""The database: WAL and foreign keys, migrations with a backup first, consistent backups."""

import shutil
import sqlite3

import pytest
from sqlite_utils.migrations import Migrations

from kt_workshop import access, store
from kt_workshop.db import backup_to, init_db, migrate, open_db, pending_migrations, prune_backups
from kt_workshop.migrations import migrations


def two_steps() -> Migrations:
    """A migration set of two steps: a table, then a new column on it."""
    steps = Migrations("test-set")

    @steps()
    def m001_things(db):
        db.execute("CREATE TABLE thing (id INTEGER PRIMARY KEY, name TEXT NOT NULL)")

    @steps()
    def m002_colour(db):
        db.execute("ALTER TABLE thing ADD COLUMN colour TEXT NOT NULL DEFAULT 'red'")

    return steps


def schema(db) -> list:
    """Every object of the schema, as SQLite stores it."""
    return db.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall()


def test_init_db_creates_the_schema_in_wal_mode_with_foreign_keys(tmp_path):
    db = init_db(tmp_path / "data" / "kt.db", tmp_path / "backups")
    assert not (tmp_path / "backups").exists(), "a new database needs no backup"
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    names = set(db.table_names())
    assert {"workshop", "block", "round", "question", "tables", "moderator", "participant"} <= names
    assert pending_migrations(db) == []
    db.close()
    # WAL is a property of the file; foreign keys must be switched on by every connection.
    again = open_db(tmp_path / "data" / "kt.db")
    assert again.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert again.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    again.close()


def test_a_reference_to_a_missing_row_is_refused(tmp_path):
    db = init_db(tmp_path / "kt.db")
    try:
        db.execute(
            "INSERT INTO block (workshop_id, position, title) VALUES (?, 1, 'Orphan')", [999]
        )
    except sqlite3.IntegrityError:
        pass
    else:
        raise AssertionError("a block without its workshop was stored")
    assert db.execute("SELECT count(*) FROM block").fetchone()[0] == 0


def test_migrating_twice_changes_nothing_and_takes_no_backup(tmp_path):
    db = init_db(tmp_path / "kt.db")
    store.create_workshop(db, {"title": "Kept"})
    before = schema(db)
    applied = db.execute("SELECT count(*) FROM _sqlite_migrations").fetchone()[0]
    assert migrate(db, tmp_path / "backups") is None
    assert schema(db) == before
    assert db.execute("SELECT count(*) FROM _sqlite_migrations").fetchone()[0] == applied
    assert not (tmp_path / "backups").exists()
    assert [w["title"] for w in store.list_workshops(db)] == ["Kept"]


def test_a_pending_migration_is_preceded_by_a_backup_of_the_data(tmp_path):
    steps = two_steps()
    db = init_db(tmp_path / "kt.db")
    steps.apply(db, stop_before="m002_colour")
    db["thing"].insert({"name": "Zażółć gęślą jaźń"})
    assert pending_migrations(db, steps) == ["m002_colour"]

    backup = migrate(db, tmp_path / "backups", steps)

    assert backup is not None and backup.is_file()
    assert list((tmp_path / "backups").iterdir()) == [backup]
    copy = sqlite3.connect(backup)
    try:
        assert copy.execute("SELECT name FROM thing").fetchall() == [("Zażółć gęślą jaźń",)]
        columns = [row[1] for row in copy.execute("PRAGMA table_info(thing)")]
        assert "colour" not in columns
    finally:
        copy.close()
    # ... and the live database did get the second step.
    assert "colour" in db["thing"].columns_dict
    assert pending_migrations(db, steps) == []


def test_upgrading_a_database_of_an_earlier_version_backs_it_up_first(tmp_path):
    path = tmp_path / "kt.db"
    names = pending_migrations(open_db(":memory:"))
    if len(names) < 2:
        pytest.skip("only one migration so far: no earlier version to upgrade from")
    old = open_db(path)
    migrations.apply(old, stop_before=names[-1])
    store.create_workshop(old, {"title": "Made by the previous version"})
    old.close()

    db = init_db(path, tmp_path / "backups")

    assert pending_migrations(db) == []
    (backup,) = (tmp_path / "backups").iterdir()
    assert titles_in(backup) == {"Made by the previous version"}
    assert [w["title"] for w in store.list_workshops(db)] == ["Made by the previous version"]


def test_a_fresh_database_is_migrated_without_a_backup(tmp_path):
    db = open_db(tmp_path / "fresh.db")
    assert migrate(db, tmp_path / "backups", two_steps()) is None
    assert "colour" in db["thing"].columns_dict
    assert not (tmp_path / "backups").exists() or not any((tmp_path / "backups").iterdir())


def test_backup_includes_rows_still_in_the_wal_file(tmp_path):
    path = tmp_path / "live.db"
    db = init_db(path)
    db.execute("PRAGMA wal_autocheckpoint = 0")  # keep every new page in the -wal file
    for n in range(30):
        store.create_workshop(db, {"title": f"Workshop {n} · Köln"})
    wal = path.with_name(path.name + "-wal")
    assert wal.stat().st_size > 0
    # Copying the .db file alone loses these rows: they are only in the -wal file.
    naive = tmp_path / "naive" / "copy.db"
    naive.parent.mkdir()
    shutil.copyfile(path, naive)
    assert titles_in(naive) == set()

    # `kt-workshop backup` opens its own connection while the app keeps writing with another.
    other = open_db(path)
    target = backup_to(other, tmp_path / "backups")
    other.close()

    assert titles_in(target) == {f"Workshop {n} · Köln" for n in range(30)}
    db.close()


def titles_in(path) -> set[str]:
    """The workshop titles in a database file read with plain sqlite3 (none if no table)."""
    copy = sqlite3.connect(path)
    try:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        tables = {row[0] for row in copy.execute("SELECT name FROM sqlite_master")}
        if "workshop" not in tables:
            return set()
        return {row[0] for row in copy.execute("SELECT title FROM workshop")}
    finally:
        copy.close()


def test_prune_backups_keeps_the_newest(tmp_path):
    db = init_db(tmp_path / "kt.db")
    folder = tmp_path / "backups"
    made = []
    for n in range(5):
        store.create_workshop(db, {"title": f"State {n}"})
        made.append(backup_to(db, folder, reason="manual"))
    other = backup_to(db, folder, reason="before-migrate")

    removed = prune_backups(folder, 2, "manual")

    assert sorted(removed) == sorted(made[:3])
    assert sorted(folder.iterdir()) == sorted([*made[3:], other])
    # The ones kept are the latest states of the data.
    newest = sqlite3.connect(made[-1])
    try:
        assert newest.execute("SELECT count(*) FROM workshop").fetchone()[0] == 5
    finally:
        newest.close()


def count(db, table: str, where: str, params: list) -> int:
    """How many rows of a table match."""
    sql = f"SELECT count(*) FROM [{table}] WHERE {where}"  # noqa: S608 - fixed names in tests
    return db.execute(sql, params).fetchone()[0]


def test_deleting_a_workshop_deletes_everything_in_it_and_nothing_else(db, workshop):
    other = store.create_workshop(db, {"title": "Other café"})
    other_block = store.add_block(db, other, {"title": "Kept"}, rounds=3)
    store.add_item(db, "question", other, {"text": "Kept?", "block_id": other_block})
    store.add_item(db, "participant", other, {"name": "Kept Person"})
    table = store.list_items(db, "tables", workshop)[0]["id"]
    moderator = store.list_items(db, "moderator", workshop)[0]["id"]
    access.create_grant(db, workshop, "moderator", "link", moderator_id=moderator)
    access.create_grant(db, workshop, "participant", "table link", table_id=table)
    store.audit(db, workshop, "test", "something happened")
    store.stash_import(db, workshop, "participant", "people.csv", [{"name": "X"}])
    blocks = [b["id"] for b in store.list_items(db, "block", workshop)]
    assert count(db, "round", "block_id = ?", blocks) == 2

    store.delete_workshop(db, workshop)

    for table_name in (
        "block",
        "question",
        "tables",
        "moderator",
        "participant",
        "access",
        "audit",
        "pending_import",
    ):
        assert count(db, table_name, "workshop_id = ?", [workshop]) == 0, table_name
    assert count(db, "round", "block_id = ?", blocks) == 0
    assert count(db, "workshop", "id = ?", [workshop]) == 0
    # The other workshop is untouched.
    assert count(db, "block", "workshop_id = ?", [other]) == 1
    assert count(db, "round", "block_id = ?", [other_block]) == 3
    assert count(db, "question", "workshop_id = ?", [other]) == 1
    assert count(db, "participant", "workshop_id = ?", [other]) == 1


def test_opening_the_database_as_its_wal_file_goes_away_is_no_error(tmp_path, monkeypatch):
    """SQLite deletes the -wal and -shm files when the last connection closes. A request that
    opens the database at that moment sees the file, then finds it gone: that is no error
    (suspected behind a one-off 500 on a tablet page in the dress rehearsal)."""
    from pathlib import Path

    from kt_workshop.db import open_db

    path = tmp_path / "kt.db"
    open_db(path).close()
    real_exists, real_stat = Path.exists, Path.stat

    def exists(self, *args, **kwargs):
        return True if self.name.endswith(("-wal", "-shm")) else real_exists(self, *args, **kwargs)

    def stat(self, *args, **kwargs):
        if self.name.endswith(("-wal", "-shm")):
            raise FileNotFoundError(2, "No such file or directory", str(self))
        return real_stat(self, *args, **kwargs)

    monkeypatch.setattr(Path, "exists", exists)
    monkeypatch.setattr(Path, "stat", stat)
    db = open_db(path)
    assert db.execute("SELECT 1").fetchone() == (1,)
    db.close()
