"""run.py on a laptop: stale environments, missing npm or pip, and stopping it with a signal."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))

import frontend  # noqa: E402

import run  # noqa: E402

OLD_PYTHON = Path("/root/.pyenv/versions/3.10.13/bin/python")


def test_an_old_python_is_told_in_one_sentence_what_to_do():
    with pytest.raises(run.SetupError, match=r"needs Python 3\.11 or newer.*Python 3\.10"):
        run.check_python((3, 10, 12))
    run.check_python((3, 11, 0))
    if OLD_PYTHON.exists():  # the real thing, where pyenv has an old Python
        done = subprocess.run(
            [str(OLD_PYTHON), str(ROOT / "run.py")], capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 1
        assert "Traceback" not in done.stderr
        assert done.stderr.count("\n") == 1 and "Python 3.10" in done.stderr


def test_an_environment_without_pip_or_from_an_old_python_is_made_again(tmp_path):
    folder = tmp_path / ".venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True)
    assert run.venv_problem(folder) == ".venv has no pip"
    run.make_venv(folder)
    assert run.venv_problem(folder) is None
    if OLD_PYTHON.exists():
        old = tmp_path / "old"
        subprocess.run([str(OLD_PYTHON), "-m", "venv", str(old)], check=True)
        assert run.venv_problem(old) == "old was made by Python 3.10, which kt-workshop cannot use"


def test_npm_is_needed_only_when_the_socket_io_client_is_missing(tmp_path, monkeypatch):
    vendor = tmp_path / "vendor"
    monkeypatch.setattr(frontend, "VENDOR", vendor)
    monkeypatch.setattr(frontend, "VERSIONS", vendor / "versions.json")
    monkeypatch.setenv("PATH", str(tmp_path / "no-npm-here"))
    # As on a fresh clone: no node_modules to copy from (set-up may have made one here).
    monkeypatch.setattr(frontend, "_lock_is_installed", lambda: False)
    with pytest.raises(run.SetupError, match="needs npm once"):
        run.fetch_front_end()
    vendor.mkdir()
    (vendor / "socket.io.min.js").write_text("/* socket.io */")
    run.fetch_front_end()  # present, from an unknown version: used, with a note
    # npm there but the registry unreachable (offline venue): still used, no refusal.
    npm = tmp_path / "bin" / "npm"
    npm.parent.mkdir()
    npm.write_text("#!/bin/sh\nexit 1\n")
    npm.chmod(0o755)
    monkeypatch.setenv("PATH", str(npm.parent))
    monkeypatch.setattr(frontend, "_lock_is_installed", lambda: False)
    run.fetch_front_end()
    frontend.VERSIONS.write_text(__import__("json").dumps(frontend.locked_versions()))
    assert frontend.assets_current()
    run.fetch_front_end()


def test_an_unreachable_npm_registry_is_one_sentence_not_a_traceback(tmp_path, monkeypatch):
    npm = tmp_path / "npm"
    npm.write_text("#!/bin/sh\necho 'npm error network request failed' >&2\nexit 1\n")
    npm.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(frontend, "_lock_is_installed", lambda: False)
    with pytest.raises(frontend.FrontendError, match="registry is reachable"):
        frontend.install_node_modules()


@pytest.mark.skipif(os.name == "nt", reason="POSIX signals")
@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT])
def test_stopping_run_py_stops_the_server_it_started(tmp_path, stop):
    pid_file = tmp_path / "child.pid"
    child = f"import os, time; open({str(pid_file)!r}, 'w').write(str(os.getpid())); time.sleep(60)"
    parent = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import sys; sys.path.insert(0, {str(ROOT)!r}); import run; "
            f"sys.exit(run.run_child([sys.executable, '-c', {child!r}], grace=0.5))",
        ]
    )
    deadline = time.monotonic() + 30
    while not (pid_file.exists() and pid_file.read_text()):
        assert time.monotonic() < deadline, "the child did not start"
        time.sleep(0.05)
    child_pid = int(pid_file.read_text())
    parent.send_signal(stop)  # to run.py alone, as a service manager or `kill` does
    parent.wait(timeout=30)
    with pytest.raises(ProcessLookupError):
        os.kill(child_pid, 0)


def test_the_test_set_up_installs_the_locked_test_tools_and_only_notes_a_failure(
    tmp_path, monkeypatch, capsys
):
    """`python run.py test` brings node_modules up to package-lock.json (axe-core for the
    accessibility sweep) even when the served files are current; without the registry the
    suite still starts, with a note."""
    calls = tmp_path / "npm-calls"
    npm = tmp_path / "bin" / "npm"
    npm.parent.mkdir()
    npm.write_text(f'#!/bin/sh\necho "$@" >> {calls}\n')
    npm.chmod(0o755)
    monkeypatch.setenv("PATH", str(npm.parent))
    monkeypatch.setattr(frontend, "_lock_is_installed", lambda: False)
    run.fetch_test_tools()
    assert calls.read_text().split()[0] == "ci"

    npm.write_text("#!/bin/sh\nexit 1\n")
    run.fetch_test_tools()
    assert "the accessibility sweep cannot run" in capsys.readouterr().out

    monkeypatch.setattr(frontend, "_lock_is_installed", lambda: True)
    calls.unlink()
    run.fetch_test_tools()
    assert not calls.exists()


def test_the_suite_runs_in_parallel_unless_the_caller_says_otherwise():
    parallel = run.pytest_args(["tests/test_x.py", "-x"])
    assert parallel[:2] == ["-n", "auto"] and parallel[-2:] == ["tests/test_x.py", "-x"]
    assert f"--maxprocesses={run.MOST_WORKERS}" in parallel
    for own in (["-n", "0"], ["-n3"], ["--numprocesses=2"], ["-p", "no:xdist"]):
        assert run.pytest_args(["-q", *own]) == ["-q", *own]
