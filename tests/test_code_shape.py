"""The layering, read from the source: which module imports which (issue 10, "clean seams").

Every ``import`` in ``studio/`` and ``drivers/`` counts, wherever it stands (module top, inside a
function, under ``TYPE_CHECKING``): a lazy import is still a dependency. Modules are grouped into
units, ``studio.X`` / ``drivers.X`` (a top-level module or a subpackage), and the units must form
no cycle. Besides: ``drivers`` knows nothing of ``studio``, ``studio`` never imports ``gphoto2``,
and Qt is imported only under ``studio/ui/``.

The checks run on the real tree and, to show they can fail, on small trees made here.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("studio", "drivers")


@dataclass(frozen=True)
class ImportEdge:
    module: str  # the importing module, dotted
    path: Path
    line: int
    target: str  # the imported module (or module.name), dotted
    type_only: bool = False  # under ``if TYPE_CHECKING:``


def _type_only_lines(tree: ast.Module) -> set[int]:
    """Line numbers of the statements inside ``if TYPE_CHECKING:`` blocks."""
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and ast.unparse(node.test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING"):
            for inner in node.body:
                lines.update(range(inner.lineno, (inner.end_lineno or inner.lineno) + 1))
    return lines


def modules_of(root: Path) -> dict[str, tuple[Path, bool]]:
    """Dotted module name -> (file, is a package ``__init__``)."""
    found: dict[str, tuple[Path, bool]] = {}
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            is_package = parts[-1] == "__init__"
            if is_package:
                parts = parts[:-1]
            found[".".join(parts)] = (path, is_package)
    return found


def imports_of(root: Path) -> list[ImportEdge]:
    modules = modules_of(root)
    edges: list[ImportEdge] = []
    for name, (path, is_package) in modules.items():
        tree = ast.parse(path.read_text(), str(path))
        type_only = _type_only_lines(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:  # relative: resolve against the importing module's package
                    base = name.split(".") if is_package else name.split(".")[:-1]
                    base = base[: len(base) - node.level + 1]
                    source = ".".join(base + ([node.module] if node.module else []))
                else:
                    source = node.module or ""
                # ``from studio import capture`` imports the module studio.capture
                targets = [source] + [f"{source}.{a.name}" for a in node.names
                                      if f"{source}.{a.name}" in modules]
            else:
                continue
            edges += [ImportEdge(name, path, node.lineno, target, node.lineno in type_only)
                      for target in targets]
    return edges


def unit_of(module: str) -> str:
    return ".".join(module.split(".")[:2])


def unit_graph(edges: list[ImportEdge]) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for edge in edges:
        if edge.target.split(".")[0] not in PACKAGES:
            continue
        source, target = unit_of(edge.module), unit_of(edge.target)
        graph.setdefault(source, set())
        graph.setdefault(target, set())
        if source != target:
            graph[source].add(target)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one unit (Tarjan), sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for succ in sorted(graph.get(node, ())):
            if succ not in index:
                visit(succ)
                low[node] = min(low[node], low[succ])
            elif succ in on_stack:
                low[node] = min(low[node], index[succ])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def layering_problems(root: Path) -> list[str]:
    """Every broken rule, one line each (empty when the tree is in shape)."""
    edges = imports_of(root)
    problems = [f"import cycle between {' <-> '.join(c)}" for c in cycles(unit_graph(edges))]
    for e in edges:
        top = e.target.split(".")[0]
        where = f"{e.path.relative_to(root)}:{e.line} imports {e.target}"
        if e.module.startswith("drivers") and top == "studio":
            problems.append(f"drivers must not know studio: {where}")
        if e.module.startswith("studio") and top == "gphoto2":
            problems.append(f"studio must reach cameras through drivers: {where}")
        if top in ("PyQt5", "PyQt6", "PySide2", "PySide6") and not e.module.startswith("studio.ui"):
            problems.append(f"Qt outside studio/ui/: {where}")
        # The window is driven by the app, never builds one: only types may come from there.
        if e.module.startswith("studio.ui") and unit_of(e.target) == "studio.app" and not e.type_only:
            problems.append(f"studio/ui/ must not build the app: {where}")
    return problems


# -- the real tree ----------------------------------------------------------------------------


def test_the_tree_keeps_its_layering():
    assert layering_problems(ROOT) == []


def test_capture_and_triggers_meet_only_in_the_shared_event_types():
    graph = unit_graph(imports_of(ROOT))
    assert "studio.triggers" not in graph["studio.capture"]
    assert "studio.capture" not in graph["studio.triggers"]
    assert "studio.events" in graph["studio.capture"]
    assert "studio.events" in graph["studio.triggers"]


def test_the_docs_screenshot_tool_is_not_in_the_package():
    assert not (ROOT / "studio" / "ui" / "screenshot.py").exists()
    assert (ROOT / "scripts" / "screenshots.py").is_file()
    mentions = [e for e in imports_of(ROOT) if "screenshot" in e.target]
    assert mentions == []


# -- the checks can fail ----------------------------------------------------------------------


def _tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    for package in PACKAGES:
        (root / package).mkdir(exist_ok=True)
        (root / package / "__init__.py").touch()
    return root


def test_a_cycle_through_a_lazy_import_between_packages_is_found(tmp_path):
    # The old shape: capture imported the triggers package, a trigger imported capture.
    root = _tree(tmp_path, {
        "studio/capture.py": "from studio.triggers import TriggerEvent\n",
        "studio/triggers/__init__.py": "class TriggerEvent: ...\n",
        "studio/triggers/countdown.py": "def beep():\n    from studio.capture import x\n",
    })
    assert layering_problems(root) == ["import cycle between studio.capture <-> studio.triggers"]


def test_relative_and_type_only_imports_count(tmp_path):
    root = _tree(tmp_path, {
        "studio/a.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from studio import b\n",
        "studio/b.py": "from . import a\n",
    })
    assert layering_problems(root) == ["import cycle between studio.a <-> studio.b"]


def test_the_window_may_name_the_app_type_but_not_import_it_to_run(tmp_path):
    root = _tree(tmp_path, {
        "studio/app.py": "class StudioApp: ...\n",
        "studio/ui/runner.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                               "    from studio.app import StudioApp\n",
        "studio/ui/screenshot.py": "def main():\n    from studio.app import StudioApp, open_camera\n",
    })
    assert layering_problems(root) == [
        "studio/ui/ must not build the app: studio/ui/screenshot.py:2 imports studio.app"]


def test_qt_outside_ui_gphoto2_in_studio_and_studio_in_drivers_are_found(tmp_path):
    root = _tree(tmp_path, {
        "studio/bench/latency.py": "def probe():\n    from PyQt5.QtWidgets import QApplication\n",
        "studio/ui/window.py": "from PyQt5.QtWidgets import QWidget\n",
        "studio/probe.py": "import gphoto2 as gp\n",
        "drivers/base.py": "from studio.analysis import Analysis\n",
    })
    assert sorted(layering_problems(root)) == sorted([
        "drivers must not know studio: drivers/base.py:1 imports studio.analysis",
        "studio must reach cameras through drivers: studio/probe.py:1 imports gphoto2",
        "Qt outside studio/ui/: studio/bench/latency.py:2 imports PyQt5.QtWidgets",
    ])
