"""Fetch the front-end libraries from the npm registry and copy them where the app serves them.

Run by the set-up command (run.py) and by the wheel build (tools/hatch_build.py), so that the
app never loads a script from a CDN and no third-party code is committed.
"""

import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENDOR = ROOT / "kt_workshop" / "static" / "vendor"

# node_modules path -> name served under /static/vendor/
ASSETS = {
    "socket.io-client/dist/socket.io.min.js": "socket.io.min.js",
}


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
        sys.exit(
            "kt-workshop set-up needs Node.js and npm to fetch its front-end libraries.\n"
            "Install Node.js (https://nodejs.org) and run the command again."
        )
    subprocess.run([npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund"], cwd=ROOT, check=True)


def copy_assets() -> list[Path]:
    """Copy each served file out of node_modules into kt_workshop/static/vendor."""
    VENDOR.mkdir(parents=True, exist_ok=True)
    written = []
    for source, name in ASSETS.items():
        target = VENDOR / name
        shutil.copyfile(ROOT / "node_modules" / source, target)
        written.append(target)
    return written


def assets_present() -> bool:
    """True when every served front-end file is in place."""
    return all((VENDOR / name).exists() for name in ASSETS.values())


def main() -> None:
    """Make sure the front-end libraries are installed and in place."""
    install_node_modules()
    copy_assets()


if __name__ == "__main__":
    main()
