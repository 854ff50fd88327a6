"""docs/realtime.md lists every Socket.IO event both ways, every change kind and the limits."""

import ast
import re
from pathlib import Path

import pytest

from kt_workshop.app import create_app
from kt_workshop.live import events, notes
from kt_workshop.web import socketio

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "kt_workshop"
DOCS = ROOT / "docs" / "realtime.md"
# Sources that emit Socket.IO events (live/views.py broadcasts through events.broadcast;
# web.py tells a revoked link's pages).
EMITTING = ("live/events.py", "live/views.py", "web.py")


@pytest.fixture(scope="module")
def docs() -> str:
    return DOCS.read_text("utf-8")


@pytest.fixture(scope="module")
def flat(docs) -> str:
    """The page with every run of whitespace made one space (sentences wrap across lines)."""
    return " ".join(docs.split())


def documented(docs: str, name: str) -> bool:
    """True when the page names the event in code style: `name`."""
    return f"`{name}`" in docs


@pytest.fixture(scope="module")
def handlers(tmp_path_factory) -> set[str]:
    """Every event with a handler on the server's default namespace, after creating an app."""
    folder = tmp_path_factory.mktemp("realtime-docs")
    create_app({"TESTING": True, "INSTANCE_PATH": str(folder), "SECRET_KEY": "x"})
    return set(socketio.server.handlers["/"])


def declared_handlers() -> set[str]:
    """Every `@socketio.on("...")` in the source, in case a handler is registered elsewhere."""
    found = set()
    for path in PACKAGE.rglob("*.py"):
        found |= set(re.findall(r"""@socketio\.on\(\s*["']([^"']+)["']""", path.read_text("utf-8")))
    return found


def emitted_events() -> set[str]:
    """Every event name the server emits: `emit("name"` and `socketio.emit("name"`."""
    found = set()
    for name in EMITTING:
        source = (PACKAGE / name).read_text("utf-8")
        found |= set(re.findall(r"""\bemit\(\s*["']([^"']+)["']""", source))
    return found


# Functions that log a change, and the position of the `kind` argument in each.
LOGGING_CALLS = {"record_change": 2, "_log": 3}


def change_kinds() -> set[str]:
    """Every kind of logged change: the literal `kind` argument of record_change() or _log()."""
    found = set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            position = LOGGING_CALLS.get(name)
            if position is None:
                continue
            kind = node.args[position] if len(node.args) > position else None
            kind = kind or next((k.value for k in node.keywords if k.arg == "kind"), None)
            if isinstance(kind, ast.Constant) and isinstance(kind.value, str):
                found.add(kind.value)
    return found


def test_every_handler_is_documented(handlers, docs):
    every = handlers | declared_handlers()
    assert {"connect", "note_op", "catch_up", "round_control"} <= every  # the search works
    missing = sorted(name for name in every if not documented(docs, name))
    assert not missing, f"docs/realtime.md does not describe the events {missing}"


def test_the_registered_handlers_are_the_declared_ones(handlers):
    """A handler registered some other way would escape the source scan above."""
    assert handlers == declared_handlers()


def test_every_emitted_event_is_documented(docs):
    emitted = emitted_events()
    assert {"welcome", "change", "tablet_status"} <= emitted  # the search works
    missing = sorted(name for name in emitted if not documented(docs, name))
    assert not missing, f"docs/realtime.md does not describe the server's events {missing}"


def test_every_change_kind_is_documented(docs):
    kinds = change_kinds()
    assert {"note", "round_state", "announcement", "idea", "photo"} <= kinds
    missing = sorted(kind for kind in kinds if not documented(docs, kind))
    assert not missing, f"docs/realtime.md does not describe the change kinds {missing}"


def test_the_documented_events_exist(handlers, docs):
    """No section for an event the server no longer has."""
    sections = set(re.findall(r"^### `([^`]+)`", docs, flags=re.MULTILINE))
    assert sections, "the event sections are headed ### `name`"
    known = handlers | emitted_events()
    assert sections <= known, f"documented but unknown: {sorted(sections - known)}"


def test_the_rooms_and_audiences_are_documented(docs):
    for audience in ("all", "staff", "control"):
        assert documented(docs, f"workshop-<id>-{audience}"), audience
        assert events.room(7, audience) == f"workshop-7-{audience}"


def test_the_documented_limits_match_the_code(flat):
    assert f"token bucket of {events.BUCKET_SIZE} events (`BUCKET_SIZE`)" in flat
    assert f"refills at {events.BUCKET_RATE:g} events per second (`BUCKET_RATE`)" in flat
    assert f"at most {events.MAX_PAYLOAD // 1024} KB as JSON (`MAX_PAYLOAD`)" in flat
    assert f"A note has at most {notes.MAX_TEXT:,} characters" in flat
    for kind in notes.KINDS:
        assert kind in flat


def test_the_guarantees_are_documented(flat):
    for phrase in (
        "localStorage",
        "crypto.getRandomValues",
        "repeated `op_id` is acknowledged",
        "sends `catch_up`",
        "`more`",
        "`latest`",
        "`day_state`",
        "Origin",
        "Too many events at once; slow down.",
        "The message is larger than 64 KB.",
    ):
        assert phrase in flat, phrase
