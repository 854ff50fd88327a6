"""Set up kt-workshop and start it: `python run.py`. Set up and run the tests: `python run.py test`.

Works the same on Linux, macOS and Windows: it makes a virtual environment in .venv, installs
the app into it with the versions the suite passed with (constraints/lock.txt), fetches the
browser's Socket.IO client from npm when it is not there yet (and, for `test`, axe-core, which
the accessibility tests run in the browser), then starts the app on this
computer with its data in instance/. Anything after `python run.py` goes to `kt-workshop serve`
(for example `python run.py --lan`). Whatever goes wrong is said in one sentence, with what to do.
"""

# Kept runnable by old Pythons, so that they can be told plainly that they are too old.
from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
STAMP = VENV / "kt-workshop-installed.txt"
LOCK = ROOT / "constraints" / "lock.txt"
OLDEST = (3, 11)


class SetupError(Exception):
    """A set-up step failed; the message says what is wrong and what to do."""


def venv_python(folder: Path = VENV) -> Path:
    """The virtual environment's Python, wherever the platform puts it."""
    if os.name == "nt":
        return folder / "Scripts" / "python.exe"
    return folder / "bin" / "python"


def check_python(version=sys.version_info) -> None:
    """Refuse a Python older than kt-workshop supports, in one sentence."""
    if tuple(version[:2]) < OLDEST:
        raise SetupError(
            "kt-workshop needs Python {}.{} or newer, and this is Python {}.{}: run this file "
            "with a newer one (for example `python3.11 run.py`, or `py -3.11 run.py` on "
            "Windows).".format(*OLDEST, *version[:2])
        )


def venv_problem(folder: Path = VENV) -> str | None:
    """Why the environment in `folder` cannot be used (None when it can, or does not exist)."""
    python = venv_python(folder)
    if not folder.exists():
        return None
    if not python.exists():
        return f"{folder.name} has no Python in it"
    try:
        probe = subprocess.run(
            [str(python), "-c", "import sys, pip; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True,
            text=True,
            timeout=60,
        )
    except (OSError, subprocess.TimeoutExpired):
        return f"the Python in {folder.name} does not start (was it made on another computer?)"
    if probe.returncode != 0:
        if "No module named 'pip'" in probe.stderr:
            return f"{folder.name} has no pip"
        return f"the Python in {folder.name} does not start (was it made on another computer?)"
    made_by = tuple(int(part) for part in probe.stdout.strip().split("."))
    if made_by < OLDEST:
        return "{} was made by Python {}.{}, which kt-workshop cannot use".format(
            folder.name, *made_by
        )
    return None


def make_venv(folder: Path = VENV) -> None:
    """Create the environment (again, when the old one cannot be used), with pip in it."""
    problem = venv_problem(folder)
    if problem:
        print(f"{problem}; making it again ...", flush=True)
        shutil.rmtree(folder)
    if venv_python(folder).exists():
        return
    print(f"Creating the virtual environment in {folder.name} ...", flush=True)
    try:
        venv.create(folder, with_pip=True, clear=True)
    except (subprocess.CalledProcessError, OSError):
        shutil.rmtree(folder, ignore_errors=True)
        raise SetupError(
            "Python could not make a virtual environment with pip here; on Debian or Ubuntu "
            "install the venv module (`sudo apt install python3-venv`, or "
            "python3.11-venv for Python 3.11) and run this again."
        ) from None


def wanted_stamp(extras: str) -> str:
    """A fingerprint of what should be installed: project file, lock file, extras, folder."""
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + LOCK.read_bytes())
    # The folder is part of it: an editable install must be redone when the repository moves.
    return f"{digest.hexdigest()} {extras} {ROOT}"


def install(extras: str = "") -> None:
    """Install the app (and extras) with the locked versions when anything changed."""
    stamp = wanted_stamp(extras)
    if STAMP.exists() and STAMP.read_text("utf-8") in {stamp, wanted_stamp("test")}:
        return
    target = f".[{extras}]" if extras else "."
    print(f"Installing kt-workshop{f' with {extras}' if extras else ''} ...", flush=True)
    pip = [str(venv_python()), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    try:
        subprocess.run([*pip, "--upgrade", "pip"], check=True)
        subprocess.run([*pip, "-c", str(LOCK), "-e", target], cwd=ROOT, check=True)
    except (subprocess.CalledProcessError, OSError):
        raise SetupError(
            "Installing the Python packages failed (pip's own message is above): check the "
            "internet connection, or that PyPI is reachable from here, and run this again."
        ) from None
    STAMP.write_text(stamp, "utf-8")


def fetch_front_end() -> None:
    """Fetch the browser's Socket.IO client from npm, only when it is missing or outdated."""
    sys.path.insert(0, str(ROOT / "tools"))
    import frontend

    if frontend.assets_current():
        return
    try:
        frontend.main()
    except frontend.FrontendError as error:
        if not frontend.assets_present():
            raise SetupError(str(error)) from None
        # Offline at the venue, or no npm: the client already there serves the day.
        print(
            f"Note: {error} Until then the Socket.IO client already in "
            "kt_workshop/static/vendor is used.",
            flush=True,
        )


def fetch_test_tools() -> None:
    """Install what the tests run in the browser (axe-core, for the accessibility sweep) from
    package-lock.json: `npm ci` runs only when node_modules is missing or older than the lock.
    Without npm or the registry the rest of the suite still runs; the sweep says what is
    missing (and fails in CI, which must run it)."""
    sys.path.insert(0, str(ROOT / "tools"))
    import frontend

    try:
        frontend.install_node_modules()
    except frontend.FrontendError as error:
        print(f"Note: {error} Until then the accessibility sweep cannot run.", flush=True)


def set_up(extras: str = "") -> None:
    """Everything before the first start: the environment, the packages, the front end (and,
    for the tests, the tools they run in the browser)."""
    check_python()
    make_venv()
    fetch_front_end()
    if extras == "test":
        fetch_test_tools()
    install(extras)


# The suite runs on every core (up to four) with pytest-xdist; a test that idles while it
# waits for a server or a browser then leaves the core to another one.
MOST_WORKERS = 4


def pytest_args(args: list[str]) -> list[str]:
    """pytest's arguments: in parallel, unless the caller chose the workers or turned it off."""
    chosen = any(
        arg in ("-n", "--numprocesses", "no:xdist") or arg.startswith(("-n", "--numprocesses="))
        for arg in args
    )
    if chosen:
        return args
    # worksteal: a worker that runs out takes waiting tests from the other, so one slow browser
    # test at the end does not leave a core idle.
    return ["-n", "auto", f"--maxprocesses={MOST_WORKERS}", "--dist", "worksteal", *args]


def run_tests(args: list[str]) -> int:
    """Check formatting and lint with ruff, then run the whole pytest suite."""
    python = str(venv_python())
    for check in (["format", "--check", "."], ["check", "."]):
        result = subprocess.run([python, "-m", "ruff", *check], cwd=ROOT)
        if result.returncode:
            return result.returncode
    return run_child([python, "-m", "pytest", *pytest_args(args)])


def run_child(command: list[str], grace: float = 3.0) -> int:
    """Run the command and stop it when this script is stopped.

    A terminal's Ctrl+C reaches both processes, so an interrupt is passed on only when the
    child has not stopped by itself within `grace` seconds. A termination signal (a closed
    terminal, a service manager, `kill`) is passed on at once; otherwise the server would be
    left running with nobody to stop it.
    """
    child = subprocess.Popen(command, cwd=ROOT)
    interrupted_at: list[float] = []

    def pass_on(signum, _frame):
        if signum == signal.SIGINT:
            interrupted_at.append(time.monotonic())
        elif child.poll() is None:
            child.terminate()

    signals = [signal.SIGINT, signal.SIGTERM]
    signals += [getattr(signal, name) for name in ("SIGHUP", "SIGBREAK") if hasattr(signal, name)]
    previous = {number: signal.signal(number, pass_on) for number in signals}
    try:
        while True:
            try:
                return child.wait(timeout=0.2)
            except subprocess.TimeoutExpired:
                if interrupted_at and time.monotonic() - interrupted_at[0] > grace:
                    child.send_signal(signal.SIGINT if os.name != "nt" else signal.SIGTERM)
                    interrupted_at.clear()
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def main(argv: list[str]) -> int:
    """Dispatch: `test` runs the suite, anything else starts the app."""
    try:
        if argv[:1] == ["test"]:
            set_up("test")
            return run_tests(argv[1:])
        set_up()
    except SetupError as error:
        print(f"run.py: {error}", file=sys.stderr)
        return 1
    return run_child([str(venv_python()), "-m", "kt_workshop", "serve", *argv])


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except KeyboardInterrupt:
        sys.exit(130)
