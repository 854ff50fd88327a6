"""What the real-time tests and bench/bench_realtime.py share: a prepared database, a real
server process, in-order Socket.IO clients. Plain Python (no pytest), so the benchmark runs
wherever the test extra is installed, without the test runner."""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import engineio
import socketio

from kt_workshop import access, store
from kt_workshop.db import init_db
from kt_workshop.live import day

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# The database and the server process ---------------------------------------------------------


def prepare_database(folder: Path, tables: int, viewers: int = 0) -> dict:
    """A workshop with one block, `tables` tables, a moderator link per table, the round on.

    Writes instance/secret_key in `folder` (the server's working directory), so the join
    tokens made here are the ones the server accepts. `viewers` adds analyst links (screens
    that follow the workshop without writing).
    """
    instance = folder / "instance"
    instance.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_hex(32)
    (instance / "secret_key").write_text(secret, "utf-8")
    db_path = folder / "live.db"
    db = init_db(db_path, folder / "backups")
    try:
        workshop_id = store.create_workshop(db, {"title": "Chaos café", "date": "2026-05-04"})
        block = store.add_block(db, workshop_id, {"title": "Morning"}, rounds=3, minutes=30)
        store.add_item(db, "question", workshop_id, {"text": "What works?", "block_id": block})
        table_ids, tokens, grants = [], [], []
        for number in range(1, tables + 1):
            table_id = store.add_item(
                db, "tables", workshop_id, {"name": f"Table {number}", "capacity": 6}
            )
            grant = access.create_grant(
                db, workshop_id, "moderator", f"Tablet {number}", table_id=table_id
            )
            table_ids.append(table_id)
            grants.append(grant["id"])
            tokens.append(access.grant_token(secret, grant))
        viewer_tokens = [
            access.grant_token(
                secret,
                access.create_grant(db, workshop_id, "analyst", f"Screen {n}", short_code=False),
            )
            for n in range(viewers)
        ]
        day.start(db, workshop_id)
        round_id = day.state(db, workshop_id)["round_id"]
    finally:
        db.close()
    return {
        "db_path": db_path,
        "instance": instance,
        "workshop_id": workshop_id,
        "round_id": round_id,
        "table_ids": table_ids,
        "grant_ids": grants,
        "tokens": tokens,
        "viewer_tokens": viewer_tokens,
    }


class ServerProcess:
    """`python -m kt_workshop serve` on a fixed port and database; can be killed and restarted.

    Output goes to a log file (a pipe nobody reads could fill and stall the server).
    """

    def __init__(self, folder: Path, db_path: Path, port: int | None = None, python_args=None):
        self.python_args = python_args or ["-m", "kt_workshop"]  # what runs the CLI
        self.folder = folder
        self.db_path = db_path
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = folder / "server.log"
        self.process: subprocess.Popen | None = None
        self.starts = 0

    def start(self, timeout: float = 90) -> None:
        """Start the server and wait until it accepts connections."""
        env = {**os.environ, "KT_WORKSHOP_INSTANCE": str(self.folder / "instance")}
        env.pop("KT_WORKSHOP_DB", None)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
        log = open(self.log_path, "a", encoding="utf-8")  # noqa: SIM115 - the child keeps it
        log.write(f"--- start {self.starts + 1} ---\n")
        log.flush()
        command = [sys.executable, *self.python_args, "serve", "--db", str(self.db_path)]
        command += ["--port", str(self.port), "--no-demo"]
        self.process = subprocess.Popen(
            command, cwd=self.folder, env=env, stdout=log, stderr=subprocess.STDOUT
        )
        log.close()
        self.starts += 1
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server stopped at once:\n{self.log()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"the server did not start within {timeout} s:\n{self.log()}")

    @property
    def pid(self) -> int:
        return self.process.pid

    def kill(self) -> None:
        """Kill the server as a power cut or crash would: SIGKILL, no clean-up."""
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL after 10 s)."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    def trouble(self) -> dict:
        """How often each kind of error appears in the server's output."""
        try:
            lines = self.log_path.read_text("utf-8", errors="replace").splitlines()
        except OSError:
            return {}
        found: dict[str, int] = {}
        for line in lines:
            if line.startswith(("sqlite3.", "Exception", "RuntimeError", "OSError")):
                found[line[:100]] = found.get(line[:100], 0) + 1
        return found

    def log(self) -> str:
        """What the server printed (its tail)."""
        try:
            return self.log_path.read_text("utf-8", errors="replace")[-5000:]
        except OSError:
            return ""


# A client that behaves like the browser ------------------------------------------------------


class InOrderEngineIO(engineio.Client):
    """Handle every message in the read thread, in arrival order, as a browser does."""

    def _trigger_event(self, event, *args, **kwargs):
        kwargs["run_async"] = False
        return super()._trigger_event(event, *args, **kwargs)


class InOrderClient(socketio.Client):
    """python-socketio's client with in-order event handling."""

    def _engineio_client_class(self):
        return InOrderEngineIO


def new_id() -> str:
    """An id like the browser's randomId(): 16 random bytes as hex."""
    return secrets.token_hex(16)


def hang_up(client: socketio.Client) -> threading.Thread:
    """client.disconnect() in a thread of its own, returned for joining.

    websocket-client's close() waits up to 3 s for the server's close frame, which the
    client's read thread usually takes first; a tablet does not wait for that.
    """

    def close():
        with contextlib.suppress(Exception):  # already gone
            client.disconnect()

    thread = threading.Thread(target=close, daemon=True)
    thread.start()
    return thread
