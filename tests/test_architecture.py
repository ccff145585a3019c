"""The layout's rules, checked on the source: no import circle between modules or packages, the engine never
imports the web framework, every package says its job, and JSON and page routes stay short."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("engine", "api")
MAX_ROUTE_LINES = 30


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


def _imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The project modules `name` imports, at any depth of its code (lazy imports count too)."""
    is_package = path.name == "__init__.py"
    imported = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = name.split(".") if is_package else name.split(".")[:-1]
                anchor = anchor[:len(anchor) - node.level + 1]
                base = ".".join(anchor + ([node.module] if node.module else []))
            # `from package import submodule` imports the submodule; `from module import name`, the module
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base for alias in node.names]
        else:
            continue
        for target in targets:
            while target and target not in modules:
                target = target.rpartition(".")[0]
            if target and target != name:
                imported.add(target)
    return imported


def _graph(level) -> dict[str, set[str]]:
    modules = _modules()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        for target in _imports(name, path, modules):
            source, goal = level(name), level(target)
            if source != goal and not goal.startswith(source + ".") and not source.startswith(goal + "."):
                graph.setdefault(source, set()).add(goal)
            elif level is _module and source != goal:
                graph.setdefault(source, set()).add(goal)
    return graph


def _module(name: str) -> str:
    return name


def _package(name: str) -> str:
    """engine.runtime.tasks -> engine.runtime; engine.errors -> engine.errors (a top-level module)."""
    parts = name.split(".")
    return ".".join(parts[:2])


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    done: set[str] = set()

    def visit(node: str, path: list[str]) -> list[str] | None:
        if node in path:
            return path[path.index(node):] + [node]
        if node in done:
            return None
        for nxt in sorted(graph.get(node, ())):
            found = visit(nxt, path + [node])
            if found:
                return found
        done.add(node)
        return None

    for start in sorted(graph):
        found = visit(start, [])
        if found:
            return found
    return None


@pytest.mark.parametrize("level", [_module, _package], ids=["modules", "packages"])
def test_no_import_circle(level):
    assert _cycle(_graph(level)) is None, " -> ".join(_cycle(_graph(level)))


def test_the_engine_never_imports_the_web_layer():
    modules = _modules()
    for name, path in modules.items():
        if name.startswith("engine"):
            source = path.read_text(encoding="utf-8")
            assert "fastapi" not in source and "starlette" not in source, name
            assert not [t for t in _imports(name, path, modules) if t.startswith("api")], name


def test_every_package_says_its_job():
    for path in [*(ROOT / "engine").rglob("__init__.py"), *(ROOT / "api").rglob("__init__.py")]:
        if "migrations" in path.parts:
            continue
        assert ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))), f"{path} has no docstring"


def test_routes_are_short():
    for folder in ("routes", "pages"):
        for path in (ROOT / "api" / folder).glob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and any(
                        isinstance(d, ast.Call) and isinstance(d.func, ast.Attribute)
                        and d.func.attr in ("get", "post") for d in node.decorator_list):
                    first = min(d.lineno for d in node.decorator_list)
                    length = node.end_lineno - first + 1
                    assert length <= MAX_ROUTE_LINES, f"{path.name}:{node.name} has {length} lines"
