"""Set up kt-workshop and start it: `python run.py`. Set up and run the tests: `python run.py test`.

Works the same on Linux, macOS and Windows: it makes a virtual environment in .venv, installs
the app (and the front-end libraries from npm) into it, then starts the app on 127.0.0.1:5000
with its SQLite file under instance/. Anything after `python run.py` goes to `kt-workshop serve`
(for example `python run.py --lan`).
"""

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
STAMP = VENV / "kt-workshop-installed.txt"


def venv_python() -> Path:
    """The virtual environment's Python, wherever the platform puts it."""
    if os.name == "nt":
        return VENV / "Scripts" / "python.exe"
    return VENV / "bin" / "python"


def wanted_stamp(extras: str) -> str:
    """A fingerprint of what should be installed: the project file and the extras."""
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    return f"{digest} {extras}"


def set_up(extras: str = "") -> None:
    """Create .venv and install the app (and extras) when anything changed since last time."""
    if not venv_python().exists():
        print("Creating the virtual environment in .venv ...", flush=True)
        venv.create(VENV, with_pip=True)
    sys.path.insert(0, str(ROOT / "tools"))
    import frontend

    frontend.main()
    stamp = wanted_stamp(extras)
    if STAMP.exists() and STAMP.read_text("utf-8") in {stamp, wanted_stamp("test")}:
        return
    target = f".[{extras}]" if extras else "."
    print(f"Installing kt-workshop{f' with {extras}' if extras else ''} ...", flush=True)
    pip = [str(venv_python()), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*pip, "--upgrade", "pip"], check=True)
    subprocess.run([*pip, "-e", target], cwd=ROOT, check=True)
    STAMP.write_text(stamp, "utf-8")


def run_tests(args: list[str]) -> int:
    """Check formatting and lint with ruff, then run the whole pytest suite."""
    python = str(venv_python())
    for check in (["format", "--check", "."], ["check", "."]):
        result = subprocess.run([python, "-m", "ruff", *check], cwd=ROOT)
        if result.returncode:
            return result.returncode
    return subprocess.run([python, "-m", "pytest", *args], cwd=ROOT).returncode


def main(argv: list[str]) -> int:
    """Dispatch: `test` runs the suite, anything else starts the app."""
    if argv[:1] == ["test"]:
        set_up("test")
        return run_tests(argv[1:])
    set_up()
    command = [str(venv_python()), "-m", "kt_workshop", "serve", *argv]
    return subprocess.run(command, cwd=ROOT).returncode


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except KeyboardInterrupt:
        sys.exit(130)
