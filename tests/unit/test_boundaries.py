"""The layers that the imports show: entry points (``live_captions``) above the desktop app above
the engine, the engine's web front end (``engine.api``) above its core. The engine core stays
GUI-free and web-free, and no module imports a higher layer or takes part in an import cycle,
function-level imports included."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PACKAGES = ("live_captions", "desktop_app", "engine")
CORE = [
    "engine",
    "engine.config",
    "engine.errors",
    "engine.audio",
    "engine.model",
    "engine.ctc",
    "engine.windows",
    "engine.transcribe",
    "engine.transcript",
    "engine.formats",
]
# Every other module directly in engine/ (not engine/api, which is the web front end) is core too.
CORE += sorted(
    f"engine.{p.stem}"
    for p in (REPO / "engine").glob("*.py")
    if p.stem not in ("__init__", "__main__") and f"engine.{p.stem}" not in CORE
)
FORBIDDEN = [
    "PySide6",
    "PyQt5",
    "PyQt6",
    "shiboken6",
    "fastapi",
    "starlette",
    "uvicorn",
    "sounddevice",
    "desktop_app",
    "live_captions",
]

SCRIPT = f"""
import importlib, json, sys
for name in {CORE!r}:
    importlib.import_module(name)
roots = sorted({{m.split(".")[0] for m in sys.modules}})
from live_captions.cli import build_parser
build_parser()  # the command line is built without the front ends too
late = sorted({{m.split(".")[0] for m in sys.modules}} - set(roots) - {{"live_captions"}})
print(json.dumps([roots, late]))
"""


def test_engine_core_imports_no_gui_and_no_web_framework() -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    loaded, by_parser = json.loads(result.stdout.strip().splitlines()[-1])
    assert "engine" in loaded
    assert set(loaded).isdisjoint(FORBIDDEN), sorted(set(loaded) & set(FORBIDDEN))
    assert set(by_parser).isdisjoint(FORBIDDEN), sorted(set(by_parser) & set(FORBIDDEN))


# The import graph, read from the source -------------------------------------------------------
def _module_files() -> dict[str, Path]:
    modules = {}
    for package in PACKAGES:
        for path in sorted((REPO / package).rglob("*.py")):
            parts = list(path.relative_to(REPO).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            modules[".".join(parts)] = path
    return modules


def _known(name: str, modules: dict[str, Path]) -> str | None:
    """The project module that importing ``name`` loads last (its longest known prefix)."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def import_graph() -> dict[str, dict[str, int]]:
    """module -> {imported project module: line}, from every import statement at any level."""
    modules = _module_files()
    graph: dict[str, dict[str, int]] = {}
    for module, path in modules.items():
        is_package = path.name == "__init__.py"
        edges: dict[str, int] = {}
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base_parts = module.split(".")
                    if not is_package:
                        base_parts.pop()
                    base_parts = base_parts[: len(base_parts) - (node.level - 1)]
                    base = ".".join(base_parts + ([node.module] if node.module else []))
                else:
                    base = node.module or ""
                targets = [f"{base}.{alias.name}" for alias in node.names]
            for target in targets:
                found = _known(target, modules)
                if found is not None and found != module:
                    edges.setdefault(found, node.lineno)
        graph[module] = edges
    return graph


def _layer(module: str) -> int:
    if module.startswith("live_captions"):
        return 3
    if module.startswith("desktop_app"):
        return 2
    if module == "engine.api" or module.startswith("engine.api."):
        return 1
    return 0


def test_no_module_imports_a_higher_layer() -> None:
    graph = import_graph()
    assert {"engine", "desktop_app", "live_captions.cli"} <= set(graph)
    upward = [
        f"{module} imports {target} (line {line})"
        for module, edges in graph.items()
        for target, line in edges.items()
        if _layer(target) > _layer(module)
    ]
    assert not upward, upward


def _cycles(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for succ in graph.get(node, {}):
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
    return found


def test_no_import_cycles() -> None:
    assert _cycles(import_graph()) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    graph = {"a": {"b": 1}, "b": {"c": 2}, "c": {"a": 3}, "d": {"a": 4}}
    assert _cycles(graph) == [["a", "b", "c"]]


# tests, benches and tools ------------------------------------------------------------------------
TESTS = REPO / "tests"


def _imports(path: Path) -> list[tuple[str, int]]:
    """The absolute module names a file imports, function-level imports included, with lines."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.append((node.module, node.lineno))
    return found


def _test_module_imports(tests: Path) -> list[str]:
    """Where a file below ``tests`` imports a test module (or conftest)."""
    modules = {p.stem for p in tests.rglob("test_*.py")} | {"conftest"}
    return [
        f"{path.relative_to(tests).as_posix()}:{line} imports {name}"
        for path in sorted(tests.rglob("*.py"))
        for name, line in _imports(path)
        if modules.intersection(name.split("."))
    ]


def test_no_test_module_imports_another() -> None:
    """What tests share lives in tests/helpers (and devkit, which bench/ and tools/ share)."""
    assert _test_module_imports(TESTS) == []


def test_the_test_import_check_finds_one(tmp_path: Path) -> None:
    (tmp_path / "unit").mkdir()
    (tmp_path / "unit" / "test_a.py").write_text("def shared():\n    pass\n")
    (tmp_path / "test_b.py").write_text("def test_b():\n    from test_a import shared\n")
    assert _test_module_imports(tmp_path) == ["test_b.py:2 imports test_a"]


def _qt_uses(path: Path) -> list[str]:
    """Where a test file drives Qt: the ``qtbot`` fixture, or an import of PySide6 or pytest-qt."""
    found = [
        f"{path.name}:{node.lineno} qtbot"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        and "qtbot" in {a.arg for a in [*node.args.args, *node.args.kwonlyargs]}
    ]
    found += [
        f"{path.name}:{line} imports {name}"
        for name, line in _imports(path)
        if name.split(".")[0] in ("PySide6", "pytestqt")
    ]
    return found


def test_qt_tests_are_in_desktop_or_e2e() -> None:
    """tests/unit and tests/integration run no Qt: real widgets are tests/desktop's (or e2e's)."""
    files = sorted(
        [*(TESTS / "unit").glob("test_*.py"), *(TESTS / "integration").glob("test_*.py")]
    )
    assert len(files) > 30
    assert [use for path in files for use in _qt_uses(path)] == []


def test_the_qt_check_finds_one(tmp_path: Path) -> None:
    (tmp_path / "test_x.py").write_text("def test_x(qtbot, tmp_path):\n    pass\n")
    assert _qt_uses(tmp_path / "test_x.py") == ["test_x.py:1 qtbot"]


def _sys_path_lines(path: Path) -> list[int]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return sorted(
        {
            node.lineno
            for node in ast.walk(tree)
            if isinstance(node, ast.Attribute)
            and node.attr == "path"
            and isinstance(node.value, ast.Name)
            and node.value.id == "sys"
        }
    )


def test_bench_tools_and_tests_leave_sys_path_alone() -> None:
    """bench/ and tools/ run as modules from the repository's root (``python -m bench.x``), where
    devkit and the project are importable; pytest puts the root and tests/ on the path
    (``pythonpath`` in pyproject.toml). Only the tests' child scripts, run by path, set theirs."""
    files = [
        path
        for folder in ("bench", "tools", "devkit")
        for path in (REPO / folder).rglob("*.py")
        if "work" not in path.relative_to(REPO).parts  # the training tools' ignored output
    ]
    files += [
        path
        for path in TESTS.rglob("*.py")
        if path.name.startswith("test_") or path.name == "conftest.py" or "helpers" in path.parts
    ]
    assert len(files) > 80
    found = [
        f"{path.relative_to(REPO).as_posix()}:{line}"
        for path in sorted(files)
        for line in _sys_path_lines(path)
    ]
    assert found == []


def test_the_sys_path_check_finds_one(tmp_path: Path) -> None:
    (tmp_path / "x.py").write_text("import sys\n\nsys.path[:0] = ['tests']\n")
    assert _sys_path_lines(tmp_path / "x.py") == [3]
