"""Fetch the front-end libraries from the npm registry and copy them where the app serves them.

Run by the set-up command (run.py) and by the package build (tools/hatch_build.py), so that the
app never loads a script from a CDN and no third-party code is committed. The devDependencies
(axe-core) are for the tests only: they stay in node_modules and the app never serves them.
npm is needed only while a served file is missing or older than package-lock.json asks: the
copies (and the versions they came from, in vendor/versions.json) then serve without Node.js,
at an offline venue, from an sdist, or from a wheel.
"""

import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENDOR = ROOT / "kt_workshop" / "static" / "vendor"

VERSIONS = VENDOR / "versions.json"

# node_modules path -> name served under /static/vendor/
ASSETS = {
    "socket.io-client/dist/socket.io.min.js": "socket.io.min.js",
}


class FrontendError(Exception):
    """npm is missing or failed; the message says what to do."""


def locked_versions() -> dict[str, str]:
    """The version package-lock.json gives each package a served file comes from."""
    packages = json.loads((ROOT / "package-lock.json").read_text("utf-8"))["packages"]
    names = {source.split("/dist/")[0] for source in ASSETS}
    return {name: packages.get(f"node_modules/{name}", {}).get("version", "") for name in names}


def _lock_is_installed() -> bool:
    """True when node_modules matches the committed lock file."""
    marker = ROOT / "node_modules" / ".package-lock.json"
    if not marker.exists():
        return False
    wanted = json.loads((ROOT / "package-lock.json").read_text("utf-8"))["packages"]
    have = json.loads(marker.read_text("utf-8"))["packages"]
    return all(
        have.get(path, {}).get("version") == info.get("version")
        for path, info in wanted.items()
        if path
    )


def install_node_modules() -> None:
    """Run `npm ci` when node_modules is missing or older than the lock file."""
    if _lock_is_installed():
        return
    npm = shutil.which("npm")
    if npm is None:
        raise FrontendError(
            "kt-workshop needs npm once, to fetch the browser's Socket.IO client (and the "
            "tests' axe-core): install Node.js (https://nodejs.org) and run this again."
        )
    done = subprocess.run([npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund"], cwd=ROOT)
    if done.returncode != 0:
        raise FrontendError(
            "npm could not fetch the front-end packages of package-lock.json (its message is "
            "above): check that the npm registry is reachable from here and run this again."
        )


def copy_assets() -> list[Path]:
    """Copy each served file out of node_modules into kt_workshop/static/vendor."""
    VENDOR.mkdir(parents=True, exist_ok=True)
    written = []
    for source, name in ASSETS.items():
        target = VENDOR / name
        shutil.copyfile(ROOT / "node_modules" / source, target)
        written.append(target)
    VERSIONS.write_text(json.dumps(locked_versions(), indent=1) + "\n", "utf-8")
    return written


def assets_present() -> bool:
    """True when every served front-end file is in place."""
    return all((VENDOR / name).exists() for name in ASSETS.values())


def assets_current() -> bool:
    """True when every served file is in place and came from the versions the lock file asks."""
    if not assets_present() or not VERSIONS.exists():
        return False
    return json.loads(VERSIONS.read_text("utf-8")) == locked_versions()


def main() -> None:
    """Make sure the front-end libraries are installed and in place."""
    install_node_modules()
    copy_assets()


if __name__ == "__main__":
    try:
        main()
    except FrontendError as error:
        sys.exit(str(error))
