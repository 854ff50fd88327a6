"""What every command shares, as a newcomer meets it: where the key lives, which database and
port a command uses, what `serve` says first, and the conventions of a good command line."""

import argparse
import os
import re
import socket
import subprocess
import sys

import pytest
from conftest import LiveServer, free_port, this_checkout_first

from kt_workshop import __version__, store
from kt_workshop.app import create_app
from kt_workshop.cli import build_parser, main
from kt_workshop.commands import DEFAULT_PORT
from kt_workshop.db import init_db


def run(capsys, *argv) -> tuple[int, str, str]:
    """Run the command in-process; return its exit status, stdout and stderr."""
    with pytest.raises(SystemExit) as exit_info:
        main([str(arg) for arg in argv])
    out, err = capsys.readouterr()
    code = exit_info.value.code
    return (0 if code is None else code), out, err


@pytest.fixture
def elsewhere(tmp_path, monkeypatch):
    """Commands run from a folder that is not the database's (and no environment set)."""
    folder = tmp_path / "somewhere-else"
    folder.mkdir()
    monkeypatch.chdir(folder)
    monkeypatch.delenv("KT_WORKSHOP_DB", raising=False)
    monkeypatch.delenv("KT_WORKSHOP_INSTANCE", raising=False)
    return folder


def workshop_with_a_table(path) -> int:
    db = init_db(path)
    try:
        workshop_id = store.create_workshop(db, {"title": "Key café"})
        store.add_item(db, "tables", workshop_id, {"name": "Table 1"})
        return workshop_id
    finally:
        db.close()


def test_a_join_link_printed_from_another_folder_works_on_the_server(capsys, tmp_path, elsewhere):
    """The key lives with the database, so a table card printed from any folder is accepted by
    the server of that database, whatever folder the server was started from."""
    database = tmp_path / "venue" / "day.db"
    workshop_id = workshop_with_a_table(database)
    code, out, err = run(capsys, "join-link", workshop_id, "--table", "1", "--db", database)
    assert code == 0, err
    assert (tmp_path / "venue" / "secret_key").is_file()
    assert not (elsewhere / "instance").exists()

    os.chdir(tmp_path)  # the server starts from yet another folder
    app = create_app({"TESTING": True, "DATABASE": str(database), "RATELIMIT_ENABLED": False})
    assert app.instance_path == str((tmp_path / "venue").resolve())
    response = app.test_client().get(out.strip().removeprefix(f"http://127.0.0.1:{DEFAULT_PORT}"))
    assert response.status_code == 302 and response.location.endswith(f"/w/{workshop_id}/me")


@pytest.mark.parametrize(
    "argv",
    [
        ["organiser-link"],
        ["join-link", "1", "--table", "1"],
        ["import-participants", "1", "people.csv"],
        ["import-notes", "1", "notes.csv"],
        ["archive", "export", "1"],
        ["export", "1", "--format", "json"],
    ],
    ids=lambda argv: argv[0],
)
def test_commands_that_need_a_workshop_refuse_a_missing_database(capsys, elsewhere, argv):
    code, out, err = run(capsys, *argv, "--db", elsewhere / "typo.db")
    assert code == 2 and out == ""
    assert "there is no workshop database at" in err and "typo.db" in err
    assert not (elsewhere / "typo.db").exists()


def test_archive_import_may_start_a_database_and_says_so(capsys, tmp_path, elsewhere):
    source = tmp_path / "source.db"
    workshop_with_a_table(source)
    assert run(capsys, "archive", "export", "1", "--db", source, "--out", "w.json")[0] == 0
    code, out, err = run(capsys, "archive", "import", "w.json", "--db", "new.db")
    assert code == 0 and out.strip() == "1"
    assert "Created a new database at" in err and (elsewhere / "new.db").exists()


def serve(tmp_path, *args) -> subprocess.CompletedProcess:
    """`kt-workshop serve` that must give up at once (its port is taken)."""
    return subprocess.run(
        [sys.executable, "-m", "kt_workshop", "serve", "--db", str(tmp_path / "x.db"), *args],
        cwd=tmp_path,
        env=this_checkout_first(),
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_busy_port_is_said_before_anything_is_printed(tmp_path):
    with socket.socket() as other_program:
        other_program.bind(("127.0.0.1", 0))
        other_program.listen()
        port = other_program.getsockname()[1]
        done = serve(tmp_path, "--port", str(port))
    assert done.returncode == 1 and done.stdout == ""
    assert f"port {port} is in use by another program" in done.stderr
    assert "--port" in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "x.db").exists()


def test_a_second_serve_of_the_same_database_points_to_the_first(tmp_path):
    server = LiveServer(tmp_path)
    try:
        for port in ([], ["--port", str(server.port)]):  # the default port, or the same one
            done = serve(tmp_path, *port)
            assert done.returncode == 1 and done.stdout == ""
            assert f"already running with this database at {server.url}" in done.stderr
            assert "organiser-link" in done.stderr
    finally:
        server.stop()


def wait_until(check, seconds=10) -> bool:
    """Wait for a state (a line the server prints), never longer than `seconds`."""
    import time

    deadline = time.monotonic() + seconds
    while not check() and time.monotonic() < deadline:
        time.sleep(0.05)
    return check()


def test_serve_says_where_its_folder_is_and_organiser_link_finds_it(tmp_path, monkeypatch):
    """The first lines name the database and the instance folder; `organiser-link` run from
    elsewhere finds the running server's port in the runtime file, and it is gone after."""
    server = LiveServer(tmp_path)
    try:
        # The line after the sign-in link (the server's output is read on as it comes).
        link = next(n for n, line in enumerate(server.transcript) if "/signin?token=" in line)
        assert wait_until(lambda: len(server.transcript) > link + 1)
        assert "Only this computer can connect" in server.transcript[link + 1]
        runtime = tmp_path / "server.json"
        assert f":{server.port}" in runtime.read_text()
        monkeypatch.chdir(tmp_path.parent)
        monkeypatch.delenv("KT_WORKSHOP_INSTANCE", raising=False)
        done = subprocess.run(
            [sys.executable, "-m", "kt_workshop", "organiser-link", "--db", str(server.db_path)],
            env=this_checkout_first(),
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout.startswith(f"{server.url}/signin?token="), done.stdout
    finally:
        server.stop()
    assert not runtime.exists()  # a clean stop (SIGTERM) removes it


def test_serve_prints_the_database_and_the_folder_first(tmp_path):
    server = LiveServer(tmp_path)
    server.stop()
    # LiveServer read up to the sign-in link; the lines before it are in its transcript.
    assert server.transcript[0].startswith("kt-workshop is running with the database")
    assert str(tmp_path.resolve()) in server.transcript[1] and "signing key" in server.transcript[1]


def test_every_interface_is_said_as_it_is(tmp_path):
    from kt_workshop.cli import who_can_connect

    said = who_can_connect("0.0.0.0", 8470, "http://127.0.0.1:8470")  # noqa: S104
    assert "every network interface" in said and "Only this computer" not in said
    assert "Only this computer" in who_can_connect("127.0.0.1", 8470, "http://127.0.0.1:8470")


def test_without_port_the_next_free_one_is_taken_and_said(tmp_path, monkeypatch):
    from kt_workshop import cli

    monkeypatch.setattr(cli, "DEFAULT_PORT", free_port())
    monkeypatch.setattr(cli, "port_is_free", lambda host, port: port != cli.DEFAULT_PORT)
    assert cli.choose_port("127.0.0.1", None, tmp_path) == cli.DEFAULT_PORT + 1
    assert isinstance(cli.choose_port("127.0.0.1", cli.DEFAULT_PORT, tmp_path), str)


def test_the_default_port_is_not_airplays():
    assert DEFAULT_PORT != 5000


# command-line conventions ------------------------------------------------------------------------


def all_parsers(parser, path="kt-workshop"):
    """Every parser of the command line, with the words that reach it."""
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from all_parsers(sub, f"{path} {name}")


def test_every_command_has_a_description_and_every_option_a_help_text():
    missing = []
    for path, parser in all_parsers(build_parser()):
        if not parser.description:
            missing.append(path)
        for action in parser._actions:
            if not isinstance(action, argparse._SubParsersAction) and not action.help:
                missing.append(f"{path} {'/'.join(action.option_strings) or action.dest}")
    assert missing == []


def test_version_defaults_and_environment_are_in_the_help(capsys):
    assert run(capsys, "--version")[1].strip() == f"kt-workshop {__version__}"
    out = run(capsys, "serve", "--help")[1]
    assert "(default: 127.0.0.1)" in out and f"default: {DEFAULT_PORT}" in out
    assert "KT_WORKSHOP_DB" in out
    assert "KT_WORKSHOP_DB" in run(capsys, "--help")[1]


def test_a_usage_mistake_shows_the_usage_and_says_what_is_wrong(capsys):
    code, out, err = run(capsys, "serve", "--port", "eighty")
    assert code == 2 and out == ""
    assert err.startswith("usage: kt-workshop serve")
    assert re.search(r"^kt-workshop serve: error: .*--port", err, re.M)
