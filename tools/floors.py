"""Run the export and server tests on the lowest dependency versions pyproject.toml allows.

`python tools/floors.py` (run by .ci/run after the suite) keeps a second environment,
.venv-floors, made once with this Python (use the lowest one kt-workshop supports, 3.11) and
installed with `-c constraints/floors.txt`; it is installed again only when that file or
pyproject.toml changes. Then it checks formatting and lint with the lowest ruff and runs the
tests that touch what the floors could break: the report, workbook, charts and PDF, the coding
exports, the archive, the JSON API and the real-time server.
"""

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv-floors"
FLOORS = ROOT / "constraints" / "floors.txt"
STAMP = VENV / "kt-workshop-floors.txt"
TESTS = [
    "tests/test_reports_charts.py",
    "tests/test_reports_excel.py",
    "tests/test_reports_word.py",
    "tests/test_reports_pack.py",
    "tests/test_coding_refi.py",
    "tests/test_coding_analysis.py",
    "tests/test_archive.py",
    "tests/test_api_workshops.py",
    "tests/test_api_themes.py",
    "tests/test_live_events.py",
    "tests/test_packaging.py",
    "tests/test_layout.py",
]


def python() -> Path:
    """The floors environment's Python."""
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def stamp() -> str:
    """What the environment was installed from: the floors, the project file, the Python."""
    digest = hashlib.sha256(FLOORS.read_bytes() + (ROOT / "pyproject.toml").read_bytes())
    return f"{digest.hexdigest()} {sys.version_info[:2]}"


def set_up() -> None:
    """Make .venv-floors and install the lowest versions, unless it already has them."""
    if STAMP.exists() and STAMP.read_text("utf-8") == stamp():
        return
    print(f"Installing the lowest allowed versions into {VENV.name} ...", flush=True)
    venv.create(VENV, with_pip=True, clear=True)
    pip = [str(python()), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*pip, "-c", str(FLOORS), "-e", ".[test]"], cwd=ROOT, check=True)
    STAMP.write_text(stamp(), "utf-8")


def main(args: list[str]) -> int:
    """Install if needed, then lint and run the export and server tests on the floors."""
    try:
        set_up()
    except subprocess.CalledProcessError:
        print("Installing the lowest versions failed (pip's message is above).", file=sys.stderr)
        return 1
    for check in (["format", "--check", "--quiet", "."], ["check", "--quiet", "."]):
        if subprocess.run([str(python()), "-m", "ruff", *check], cwd=ROOT).returncode:
            return 1
    # In parallel as run.py runs the suite, so pytest-xdist's floor is tested on the way.
    sys.path.insert(0, str(ROOT))
    from run import pytest_args

    pytest = [str(python()), "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    return subprocess.run([*pytest, *pytest_args([*TESTS, *args])], cwd=ROOT).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
