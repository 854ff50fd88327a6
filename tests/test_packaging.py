"""The package installs with the versions it promises: floors, lock file, and test data inside."""

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent


def declared() -> list[Requirement]:
    """Every dependency pyproject.toml declares, the test extra included."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    texts = project["dependencies"] + project["optional-dependencies"]["test"]
    return [Requirement(text) for text in texts]


def pins(name: str) -> dict[str, str]:
    """A constraints file's `name==version` lines, by canonical name."""
    found = {}
    for line in (ROOT / "constraints" / name).read_text("utf-8").splitlines():
        if line and not line.startswith("#"):
            package, version = line.split("==")
            found[canonical(package)] = version
    return found


def canonical(name: str) -> str:
    """A package name as pip compares them."""
    return re.sub(r"[-_.]+", "-", name).lower()


def test_the_floors_file_pins_exactly_the_lower_bounds_pyproject_declares():
    """tools/floors.py tests the floors pyproject.toml allows, so the two must not drift."""
    floors = {name: Version(version) for name, version in pins("floors.txt").items()}
    lower = {}
    for requirement in declared():
        bounds = [spec.version for spec in requirement.specifier if spec.operator == ">="]
        assert bounds, f"{requirement.name} has no lower bound"
        lower[canonical(requirement.name)] = Version(bounds[0])
    assert floors == lower


def test_the_lock_file_satisfies_every_declared_dependency():
    """run.py installs with constraints/lock.txt: it must hold a version of each dependency
    that pyproject.toml allows (and so was what the suite passed with)."""
    locked = pins("lock.txt")
    for requirement in declared():
        version = locked.get(canonical(requirement.name))
        assert version, f"{requirement.name} is missing from constraints/lock.txt"
        assert requirement.specifier.contains(Version(version)), (requirement, version)


def test_no_test_reads_anything_outside_the_repository():
    """A fresh clone with nothing beside it must pass: no test reaches above the repository."""
    above = re.compile(r"parents\[[2-9]\]|[\"']\.\.[\"']|\.\./shared")
    offenders = [
        path.name
        for path in (ROOT / "tests").glob("*.py")
        if path.name != "test_packaging.py" and above.search(path.read_text("utf-8"))
    ]
    assert offenders == []
    assert (ROOT / "tests" / "data" / "refi-qda" / "Project.xsd").is_file()
    assert "MIT" in (ROOT / "tests" / "data" / "refi-qda" / "README.md").read_text("utf-8")


def test_the_benchmarks_run_without_the_test_runner():
    """`python bench/bench_*.py` must not need pytest: nothing they import brings it in."""
    import ast

    offenders = []
    modules = [*(ROOT / "bench").glob("*.py"), ROOT / "tests" / "live_harness.py"]
    for path in modules:
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                if (
                    name.split(".")[0] == "pytest"
                    or name in ("tests.conftest",)
                    or (name.startswith("tests.test_"))
                ):
                    offenders.append(f"{path.name}: {name}")
    assert offenders == []
