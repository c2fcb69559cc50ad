"""No module imports another in a cycle: the import graph of the source, built with ``ast``
from every import (inside functions and under ``TYPE_CHECKING`` too), has no strongly
connected component larger than one module, in the packages checked here."""

from __future__ import annotations

import ast
import functools
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"
# the packages and modules held free of cycles so far (the whole of src is the goal)
CHECKED = ("qingshan.ledger", "qingshan.infra", "qingshan.reference", "qingshan.demo",
           "qingshan.platform", "qingshan.contexts", "qingshan.errors", "qingshan.market",
           "qingshan.registry", "qingshan.access", "qingshan.api", "qingshan.web", "qingshan.cli")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(SRC.rglob("*.py"))}


def _resolve(target: str, known: dict[str, Path]) -> str | None:
    """The module ``target`` names, or its nearest enclosing package we have."""
    while target and target not in known:
        target = target.rpartition(".")[0]
    return target or None


def imports_of(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """Every module of ours that ``name`` imports, anywhere in its text."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(up + ([base] if base else []))
            # ``from pkg import module`` imports the module; else the package itself
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base
                       for a in node.names]
        for t in targets:
            found = _resolve(t, known)
            if found is not None and found != name:
                out.add(found)
    return out


@functools.cache
def import_graph() -> dict[str, set[str]]:
    """Parsed once per test session (the tests below only read it)."""
    known = modules()
    return {name: imports_of(name, path, known) for name, path in known.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    counter = 0
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, edges = work[-1]
            for nxt in edges:
                if nxt not in index:
                    index[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(sorted(graph[nxt]))))
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        out.append(sorted(component))
    return out


def _checked(name: str) -> bool:
    return any(name == p or name.startswith(p + ".") for p in CHECKED)


def test_the_checker_finds_a_cycle_of_three() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]


def test_a_package_importing_its_own_submodule_is_an_edge() -> None:
    known = modules()
    graph = import_graph()
    assert "qingshan.ledger.domain.state" in known
    assert "qingshan.ledger.domain.model" in graph["qingshan.ledger.domain.state"]


def test_no_module_of_the_ledger_infra_and_the_composition_imports_in_a_cycle() -> None:
    graph = import_graph()
    found = [c for c in cycles(graph) if any(_checked(m) for m in c)]
    assert found == []


def test_infra_imports_nothing_above_it() -> None:
    graph = import_graph()
    upward = {(m, t) for m, targets in graph.items() if m.startswith("qingshan.infra")
              for t in targets
              if not t.startswith("qingshan.infra") and t not in ("qingshan", "qingshan.errors")}
    assert upward == set()
