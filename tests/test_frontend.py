"""Front-end libraries come from npm and are served by the app; nothing loads from outside."""

import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
PACKAGE = ROOT / "kt_workshop"


def test_socket_io_client_is_served_by_the_app(app):
    """The browser gets the Socket.IO client from kt-workshop itself."""
    response = app.test_client().get("/static/vendor/socket.io.min.js")
    assert response.status_code == 200
    assert b"socket.io" in response.data.lower() or b"engine.io" in response.data.lower()


def test_the_lock_file_pins_socket_io_client_4():
    """package-lock.json is committed and pins socket.io-client 4.x."""
    lock = json.loads((ROOT / "package-lock.json").read_text())
    version = lock["packages"]["node_modules/socket.io-client"]["version"]
    assert version.startswith("4.")


def test_axe_core_is_a_locked_test_tool_the_app_never_serves(app):
    """axe-core (the accessibility sweep's checker) comes from npm through the lock file, as a
    devDependency: installed for the tests, never copied to the served files."""
    package = json.loads((ROOT / "package.json").read_text())
    lock = json.loads((ROOT / "package-lock.json").read_text())
    assert "axe-core" in package["devDependencies"]
    assert lock["packages"][""]["devDependencies"] == package["devDependencies"]
    assert lock["packages"][""]["dependencies"] == package["dependencies"]
    axe = lock["packages"]["node_modules/axe-core"]
    assert axe["version"].startswith("4.") and axe["dev"] is True and axe["integrity"]
    sys.path.insert(0, str(ROOT / "tools"))
    import frontend

    assert not any(source.startswith("axe-core/") for source in frontend.ASSETS)
    assert app.test_client().get("/static/vendor/axe.min.js").status_code == 404


def test_no_page_loads_anything_from_another_host():
    """Templates, scripts and styles reference no outside address (the venue has no internet)."""
    pattern = re.compile(r"""(?:src|href|url)\s*[=(]\s*["']?(?:https?:)?//""", re.I)
    offenders = [
        str(path.relative_to(ROOT))
        for folder in (PACKAGE / "templates", PACKAGE / "static" / "js", PACKAGE / "static" / "css")
        for path in folder.rglob("*")
        if path.is_file() and pattern.search(path.read_text("utf-8"))
    ]
    assert not offenders


def test_no_third_party_code_is_committed():
    """Vendored files are git-ignored: they come from npm at set-up time."""
    tracked = subprocess.run(
        ["git", "ls-files", "kt_workshop/static/vendor", "node_modules"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert tracked.strip() == ""


@pytest.mark.slow
def test_the_wheel_carries_the_front_end_files_and_topic_packs(tmp_path):
    """A wheel built from the repository installs with pip alone: assets and packs inside."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--quiet",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
    )
    wheel = next(tmp_path.glob("kt_workshop-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "kt_workshop/static/vendor/socket.io.min.js" in names
    assert "kt_workshop/topics/reference-2ps-csae.toml" in names
    assert "kt_workshop/templates/base.html" in names
    # Every catalogue compiled by the build hook; the .po sources stay out of the wheel.
    for code in ("pl", "de"):
        assert f"kt_workshop/translations/{code}/LC_MESSAGES/messages.mo" in names
    assert not [name for name in names if name.endswith(".po")]


@pytest.mark.slow
def test_the_sdist_carries_the_socket_io_client_and_builds_a_wheel_without_npm(tmp_path):
    """An sdist holds the built client, so its metadata and its wheel need no Node.js."""
    import tarfile

    backend = tmp_path / "backend"
    subprocess.run(
        [
            sys.executable, "-m", "pip", "install", "--quiet", "--target", str(backend),
            "hatchling", "hatch-fancy-pypi-readme",
        ],
        check=True,
    )  # fmt: skip
    out = tmp_path / "dist"
    out.mkdir()
    build = f"from hatchling.build import build_sdist; print(build_sdist({str(out)!r}))"
    env = {**os.environ, "PYTHONPATH": str(backend)}
    subprocess.run([sys.executable, "-c", build], cwd=ROOT, env=env, check=True)
    sdist = next(out.glob("kt_workshop-*.tar.gz"))
    with tarfile.open(sdist) as archive:
        names = archive.getnames()
        archive.extractall(tmp_path / "unpacked", filter="data")
    top = names[0].split("/")[0]
    assert f"{top}/kt_workshop/static/vendor/socket.io.min.js" in names
    assert f"{top}/LICENSE" in names and f"{top}/constraints/lock.txt" in names
    assert f"{top}/docs/printing.md" in names  # what the README points to comes along

    # The index page shows the description without the repository: no link may be relative.
    description = (tmp_path / "unpacked" / top / "PKG-INFO").read_text("utf-8")
    assert "Content-Type: text/markdown" in description
    assert "`docs/printing.md`" in description and "](docs/" not in description
    targets = re.findall(r"\]\(([^)\s]+)\)", description)
    assert all(t.startswith(("https://", "http://", "#")) for t in targets), targets
    # The catalogues go as their .po sources (the .mo files are git-ignored build products).
    assert f"{top}/kt_workshop/translations/pl/LC_MESSAGES/messages.po" in names
    assert not [name for name in names if name.endswith(".mo")]

    no_npm = {**os.environ, "PATH": str(Path(sys.executable).parent)}  # python, pip; no npm
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), "."],
        cwd=tmp_path / "unpacked" / top,
        env=no_npm,
        check=True,
    )
    wheel = next(out.glob("kt_workshop-*.whl"))
    inside = zipfile.ZipFile(wheel).namelist()
    assert "kt_workshop/static/vendor/socket.io.min.js" in inside
    assert "kt_workshop/translations/de/LC_MESSAGES/messages.mo" in inside  # compiled by the build
