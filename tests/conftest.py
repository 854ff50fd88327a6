"""Shared fixtures: an app on a temporary database, signed-in clients for each role."""

import sys

import pytest

from kt_workshop import access, store
from kt_workshop.app import create_app
from kt_workshop.db import open_db, writing
from kt_workshop.demo import create_demo


def reuse_url_builders() -> None:
    """Let every app of the session share werkzeug's URL builder of each rule.

    Each create_app compiles, for each of its ~140 URL rules, a builder function from Python
    source: nine tenths of the fifth of a second of CPU an app takes, and the suite makes about
    a thousand apps. A builder is a pure function of the rule's parsed parts (it reaches the
    rule's converters through the rule it is bound to), so a rule with the same text and parts
    gets the same function back. Rules with defaults, whose values a converter turns into text
    when compiling, are compiled as usual.
    """
    from werkzeug.routing.rules import Rule

    compile_builder = getattr(Rule, "_compile_builder", None)
    if compile_builder is None or getattr(compile_builder, "shared", False):
        return  # another werkzeug: nothing to share, apps are built as usual
    built = {}

    def shared_builder(self, append_unknown=True):
        if self.defaults:
            return compile_builder(self, append_unknown)
        key = (self.rule, tuple(self._trace), append_unknown)
        if key not in built:
            built[key] = compile_builder(self, append_unknown)
        return built[key]

    shared_builder.shared = True
    Rule._compile_builder = shared_builder


reuse_url_builders()


def make_test_app(folder, **settings):
    """An app with its own database and instance folder under `folder`, CSRF and rate limits
    off, plus the settings given (such as BABEL_TRANSLATION_DIRECTORIES)."""
    return create_app(
        {
            "TESTING": True,
            "INSTANCE_PATH": str(folder / "instance"),
            "SECRET_KEY": "test-secret",
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            **settings,
        }
    )


@pytest.fixture
def app(tmp_path):
    """An app with its own database and instance folder; CSRF off unless a test turns it on."""
    app = make_test_app(tmp_path)
    yield app


@pytest.fixture
def db(app):
    """A connection to the app's database, for arranging and checking data."""
    connection = open_db(app.config["DATABASE"])
    yield connection
    connection.close()


@pytest.fixture
def workshop(db):
    """A small workshop: one block of two rounds, two questions, two tables, one moderator."""
    workshop_id = store.create_workshop(db, {"title": "Test café", "date": "2026-05-04"})
    block = store.add_block(db, workshop_id, {"title": "Morning"}, rounds=2, minutes=15)
    for text in ("What works?", "What gets in the way?"):
        store.add_item(db, "question", workshop_id, {"text": text, "block_id": block})
    for name in ("Table 1", "Table 2"):
        store.add_item(db, "tables", workshop_id, {"name": name, "capacity": 6})
    store.add_item(db, "moderator", workshop_id, {"name": "Moderator One"})
    store.add_item(
        db, "participant", workshop_id, {"name": "Zofia Wiśniewska", "country": "Poland"}
    )
    return workshop_id


@pytest.fixture(scope="session")
def demo_database(tmp_path_factory):
    """The demo workshop built once (seconds of CPU on every build), in a file to copy from."""
    from kt_workshop.db import init_db

    path = tmp_path_factory.mktemp("demo-database") / "demo.db"
    connection = init_db(path)
    workshop_id = create_demo(connection)
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    return path, workshop_id


def copy_demo(demo_database, db) -> int:
    """Add the demo workshop to db as create_demo(db) would, by copying the rows it wrote once
    (other fixtures' rows, such as a signed-in organiser's session, stay); return its id."""
    path, workshop_id = demo_database
    template = open_db(path)
    tables = [t for t in template.table_names() if t != "_sqlite_migrations" and template[t].count]
    template.close()
    if any(db[table].count for table in tables if table != "sqlite_sequence"):
        return create_demo(db)  # the database has rows of its own that the ids could collide with
    db.conn.execute("ATTACH DATABASE ? AS demo_template", [str(path)])
    # Tables go in name order, children before parents: the keys are checked once at the end.
    db.execute("PRAGMA foreign_keys = OFF")
    try:
        with writing(db):
            for table in tables:
                if table != "sqlite_sequence":  # names from our own schema, not user input
                    copy = f'INSERT INTO main."{table}" SELECT * FROM demo_template."{table}"'  # noqa: S608
                    db.execute(copy)
            assert not db.execute("PRAGMA main.foreign_key_check").fetchall()
    finally:
        db.execute("PRAGMA foreign_keys = ON")
        db.conn.execute("DETACH DATABASE demo_template")
    return workshop_id


@pytest.fixture
def demo(demo_database, db):
    """The demo workshop's id."""
    return copy_demo(demo_database, db)


def sign_in_organiser(client, db) -> None:
    """Sign the client in with a one-time organiser link."""
    token = access.issue_signin_token(db)
    response = client.get(f"/signin?token={token}")
    assert response.status_code == 302


def sign_in_grant(client, app, db, workshop_id: int, role: str, **links) -> dict:
    """Sign the client in through a join link for the role; return the grant."""
    grant = access.create_grant(db, workshop_id, role, f"test {role}", **links)
    token = access.grant_token(app.config["SECRET_KEY"], grant)
    response = client.get(f"/join/{token}")
    assert response.status_code == 302
    return grant


@pytest.fixture
def organiser(app, db):
    """A test client signed in as the organiser."""
    client = app.test_client()
    sign_in_organiser(client, db)
    return client


# A real server process and a real browser, for the tests that need them ----------------------

BROWSER_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def this_checkout_first() -> dict:
    """The environment for a child `python -m kt_workshop`: the package of this checkout, not
    another one an editable install may point to (a second worktree, a moved repository)."""
    import os
    from pathlib import Path

    root = str(Path(__file__).resolve().parent.parent)
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")])),
    }


class LiveServer:
    """`kt-workshop serve` running in its own process on a temporary database."""

    def __init__(self, tmp_path, demo=False, tls=False, port=None):
        import subprocess
        import sys

        self.port = port or free_port()  # a restart takes the port its tablets know
        self.db_path = tmp_path / "live.db"
        command = [
            sys.executable,
            "-m",
            "kt_workshop",
            "serve",
            "--db",
            str(self.db_path),
            "--port",
            str(self.port),
        ]
        if not demo:
            command.append("--no-demo")
        if tls:
            command.append("--tls")  # HTTPS with the laptop's own authority, as --lan serves
        self.process = subprocess.Popen(
            command,
            cwd=tmp_path,
            env=this_checkout_first(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.signin_url = self._wait_for_signin_link()
        self.url = f"{'https' if tls else 'http'}://127.0.0.1:{self.port}"

    def _wait_for_signin_link(self) -> str:
        """Read the server's output until it prints the organiser's link."""
        import time

        deadline = time.monotonic() + 90  # a loaded 2-core machine has taken over 30 s
        lines = self.transcript = []
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if not line:
                break
            lines.append(line)
            if "/signin?token=" in line:
                self._wait_until_listening()
                self._keep_reading()
                return line.strip()
        self.stop()
        raise RuntimeError("server did not start:\n" + "".join(lines))

    def _keep_reading(self) -> None:
        """Go on reading the server's output (its errors, for a failing test to show): a
        full pipe would otherwise stall the server at its next line."""
        import threading

        def read():
            for line in self.process.stdout:
                self.transcript.append(line)

        threading.Thread(target=read, daemon=True).start()

    def _wait_until_listening(self) -> None:
        """Wait until the port accepts connections."""
        import socket
        import time

        for _attempt in range(100):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)

    def kill(self) -> None:
        """End the server at once, as a pulled plug or a crash would: no clean shut-down."""
        self.process.kill()
        self.process.wait(timeout=10)

    def stop(self) -> None:
        """Stop the server process."""
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except Exception:
            self.process.kill()


@pytest.fixture
def live_server(tmp_path):
    """A running kt-workshop server on an empty database."""
    server = LiveServer(tmp_path)
    yield server
    server.stop()


@pytest.fixture
def demo_server(tmp_path):
    """A running server whose database holds the demo workshop (id 1, coded by two analysts)."""
    server = LiveServer(tmp_path, demo=True)
    yield server
    server.stop()


def chromium_path() -> str | None:
    """Debian's Chromium, if it is installed."""
    import shutil

    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser():
    """A headless Chromium driven by Playwright; skipped (not in CI) when it is missing."""
    import os

    path = chromium_path()
    if path is None:
        if os.environ.get("KT_WORKSHOP_REQUIRE_BROWSER") or os.environ.get("CI"):
            pytest.fail("Chromium is required here: install Debian's chromium package")
        pytest.skip("Chromium is not installed (apt-get install chromium) - browser test skipped")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=path, args=BROWSER_FLAGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser):
    """A fresh browser tab with its own cookies."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    yield tab
    context.close()


# Quicker fixtures for the live-day tests, which make thousands of small writes ----------------


@pytest.fixture
def no_fsync(monkeypatch):
    """Behaviour, not durability, is tested: connections skip the fsync per commit."""
    from kt_workshop import db as kt_db
    from kt_workshop import web

    real = kt_db.open_db

    def open_without_fsync(path):
        connection = real(path)
        connection.execute("PRAGMA synchronous = OFF")
        return connection

    for module in {kt_db, web, sys.modules[__name__], sys.modules.get("conftest")} - {None}:
        monkeypatch.setattr(module, "open_db", open_without_fsync)


@pytest.fixture(scope="module")
def module_app(tmp_path_factory):
    """One app for a module: building an app compiles every URL rule (a sixth of a second)."""
    return create_app(
        {
            "TESTING": True,
            "INSTANCE_PATH": str(tmp_path_factory.mktemp("instance")),
            "SECRET_KEY": "test-secret",
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
        }
    )


@pytest.fixture
def fast_app(module_app, tmp_path, monkeypatch):
    """Like `app`, made faster: the module's app on a database of this test's own."""
    from kt_workshop import db as kt_db

    path = tmp_path / "kt-workshop.db"
    kt_db.init_db(path).close()
    monkeypatch.setitem(module_app.config, "DATABASE", str(path))
    return module_app


@pytest.fixture
def quick_db(tmp_path):
    """A migrated database without an app, and without an fsync per commit."""
    from kt_workshop.db import migrate

    connection = open_db(tmp_path / "quick.db")
    connection.execute("PRAGMA synchronous = OFF")
    connection.enable_wal()
    migrate(connection)
    yield connection
    connection.close()


@pytest.fixture
def ids(db, workshop):
    """The small workshop's rounds, tables and questions in order, its moderator and delegate."""
    return {
        "rounds": [r["id"] for r in store.list_items(db, "round", workshop)],
        "tables": [t["id"] for t in store.list_items(db, "tables", workshop)],
        "questions": [q["id"] for q in store.list_items(db, "question", workshop)],
        "moderator": store.list_items(db, "moderator", workshop)[0]["id"],
        "participant": store.list_items(db, "participant", workshop)[0]["id"],
    }


def add_op(
    round_id, table_id, text: str = "Peer mentoring helps", kind: str = "insight", **extra
) -> dict:
    """An `add` operation as a tablet sends it, with fresh ids."""
    import uuid

    return {
        "op_id": uuid.uuid4().hex,
        "type": "add",
        "uid": uuid.uuid4().hex,
        "round_id": round_id,
        "table_id": table_id,
        "kind": kind,
        "text": text,
        "starred": False,
        **extra,
    }
