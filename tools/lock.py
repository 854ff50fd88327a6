"""Write constraints/lock.txt: the exact versions of everything kt-workshop[test] installs here.

Run it with the environment the whole suite has just passed in (`.venv/bin/python
tools/lock.py`); `run.py` then installs with `pip install -c constraints/lock.txt`, so a venue
laptop gets the versions the suite passed with. It is a pip constraints file, not a list to
install: a package only one platform needs (colorama on Windows) is resolved freely there.
"""

import re
import sys
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "constraints" / "lock.txt"
HEADER = """\
# The versions the whole suite passed with (pip constraints; run.py installs with them).
# Made by `python tools/lock.py` from the environment the suite ran in; do not edit by hand.
"""


def canonical(name: str) -> str:
    """A distribution's name as pip compares them."""
    return re.sub(r"[-_.]+", "-", name).lower()


def wanted(requirement: Requirement, extras: set[str]) -> bool:
    """True when the requirement applies on this machine with these extras."""
    if requirement.marker is None:
        return True
    return any(requirement.marker.evaluate({"extra": extra}) for extra in extras or {""})


def declared() -> list[str]:
    """What pyproject.toml asks for, the test extra included (not an older installed copy)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    return project["dependencies"] + project["optional-dependencies"]["test"]


def closure(top: list[str]) -> dict[str, str]:
    """Every installed distribution these requirements need, name -> version."""
    found: dict[str, str] = {}
    todo: list[tuple[list[str], set[str]]] = [(top, set())]
    while todo:
        texts, current_extras = todo.pop()
        for text in texts:
            requirement = Requirement(text)
            if not wanted(requirement, current_extras):
                continue
            key = canonical(requirement.name)
            try:
                version = metadata.version(requirement.name)
            except metadata.PackageNotFoundError:
                continue  # another platform's package
            if key not in found or requirement.extras:
                needs = metadata.distribution(requirement.name).requires or []
                todo.append((needs, set(requirement.extras)))
            found[key] = version
    found.pop("pip", None)  # run.py brings pip up to date itself
    return found


def main() -> int:
    """Write the lock file and say how many versions it holds."""
    pins = closure(declared())
    LOCK.parent.mkdir(exist_ok=True)
    lines = [f"{name}=={version}" for name, version in sorted(pins.items())]
    LOCK.write_text(HEADER + "\n".join(lines) + "\n", "utf-8")
    print(f"{LOCK.relative_to(ROOT)}: {len(lines)} versions")
    return 0


if __name__ == "__main__":
    sys.exit(main())
