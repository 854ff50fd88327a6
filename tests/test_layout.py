"""The code's layout (docs/ARCHITECTURE.md): one package per area of the day, arrows one way.

The import graph comes from grimp (the library behind import-linter), which reads every import
statement, those inside functions included, so a lazy import cannot hide a circle.
"""

from pathlib import Path

import grimp
import pytest
from importlinter.application.use_cases import lint_imports
from importlinter.configuration import configure

from kt_workshop.app import create_app

PACKAGE = Path(__file__).resolve().parent.parent / "kt_workshop"
AREAS = ("join", "setup", "plan", "live", "coding", "reports", "api", "demo")
LONGEST = 700  # lines a module may have; the demo's content is data, not code
EXEMPT = {"demo/content.py"}


@pytest.fixture(scope="module")
def graph():
    # No cache folder: two test workers writing .grimp_cache at once could read half a file.
    return grimp.build_graph("kt_workshop", cache_dir=None)


def circles(graph) -> list[list[str]]:
    """Every group of modules that import each other, directly or round a loop (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for imported in sorted(graph.find_modules_directly_imported_by(module)):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return found


def test_no_module_imports_itself_round_a_circle(graph):
    assert circles(graph) == []


def test_the_circle_finder_sees_a_circle():
    class Loop:
        def __init__(self, edges):
            self.edges = edges
            self.modules = set(edges)

        def find_modules_directly_imported_by(self, module):
            return self.edges[module]

    loop = Loop({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}})
    assert circles(loop) == [["a", "b", "c"]]


def test_the_areas_and_shared_modules_run_one_way():
    """The layers contract in pyproject.toml, checked as `lint-imports` checks it."""
    configure()
    kept = lint_imports(config_filename=str(PACKAGE.parent / "pyproject.toml"), cache_dir=None)
    assert kept is True


def test_no_view_imports_another_areas_view(graph, tmp_path):
    """A blueprint module may use its own area's parts, never another area's pages."""
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x"})
    views = {bp.import_name for bp in app.blueprints.values()}
    assert len(views) == len(app.blueprints) >= 10

    def area(module: str) -> str:
        return module.split(".")[1]

    crossings = [
        (view, other)
        for view in views
        for other in views
        if area(view) != area(other) and graph.chain_exists(importer=view, imported=other)
    ]
    assert crossings == []


def test_the_top_holds_only_what_every_area_shares():
    top = sorted(path.name for path in PACKAGE.glob("*.py"))
    assert len(top) <= 12, top
    for area in AREAS:
        assert (PACKAGE / area / "__init__.py").is_file(), area


def test_no_module_is_too_long_to_read_in_one_sitting():
    long = {
        str(path.relative_to(PACKAGE)): lines
        for path in PACKAGE.rglob("*.py")
        if (lines := len(path.read_text("utf-8").splitlines())) > LONGEST
    }
    assert set(long) <= EXEMPT, long


def test_templates_and_scripts_follow_the_packages():
    templates = {p.name for p in (PACKAGE / "templates").iterdir() if p.is_dir()}
    assert templates <= set(AREAS), templates - set(AREAS)
    scripts = {p.name for p in (PACKAGE / "static" / "js").iterdir() if p.is_dir()}
    assert scripts <= set(AREAS), scripts - set(AREAS)
