"""The contexts keep their shape (docs/architecture.md, "Contexts"): inside each of market,
registry and access no module imports another in a cycle — counting imports inside functions
and under TYPE_CHECKING — no context imports another, every import is at module level, and
files and functions stay small enough to read."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"
CONTEXTS = ("market", "registry", "access")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules(context: str) -> dict[str, Path]:
    return {module_name(p): p for p in sorted((SRC / "qingshan" / context).rglob("*.py"))}


def imported(name: str, path: Path, known: set[str]) -> set[str]:
    """Every project module ``name`` imports, wherever the import statement stands."""
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - node.level + 1] \
                if node.level else []
            target = ".".join([*base, node.module] if node.module else base)
            out.add(target)
            out.update(f"{target}.{a.name}" for a in node.names)
    return {m for m in out if m in known and m != name}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_cycles_are_found_by_the_walk() -> None:  # (so the rule below cannot pass vacuously)
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


@pytest.mark.parametrize("context", CONTEXTS)
def test_no_module_of_a_context_imports_another_in_a_cycle(context: str) -> None:
    mods = modules(context)
    assert len(mods) > 2
    graph = {name: imported(name, path, set(mods)) for name, path in mods.items()}
    assert any(graph.values())  # the walk sees the context's own imports
    assert cycles(graph) == []


@pytest.mark.parametrize("context", CONTEXTS)
def test_no_context_imports_another_context(context: str) -> None:
    others = {m for c in CONTEXTS if c != context for m in modules(c)}
    reaching = {name: sorted(imported(name, path, others))
                for name, path in modules(context).items()}
    assert {k: v for k, v in reaching.items() if v} == {}


@pytest.mark.parametrize("context", CONTEXTS)
def test_a_contexts_imports_stand_at_module_level(context: str) -> None:
    inner = []
    for name, path in modules(context).items():
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.If):
                inner += [f"{name}:{n.lineno}" for n in ast.walk(node)
                          if isinstance(n, ast.Import | ast.ImportFrom)]
    assert inner == []


@pytest.mark.parametrize("context", CONTEXTS)
def test_a_contexts_files_and_functions_stay_short(context: str) -> None:
    long_files, long_functions = [], []
    for name, path in modules(context).items():
        text = path.read_text("utf-8")
        if text.count("\n") > 600:
            long_files.append(name)
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > 80:
                    long_functions.append(f"{name}.{node.name}: {length}")
    assert (long_files, long_functions) == ([], [])
