"""The edges' shape, held: in api/, web/ and cli/ no import hides inside a function (it hid
cycles), no file is over 600 lines and no function over 80; the routers import the API's
dependencies, never its factory; the pages never import the API."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.unit.test_import_graph import import_graph

SRC = Path(__file__).resolve().parents[2] / "src" / "qingshan"
EDGES = ("api", "web", "cli")


def _files() -> list[Path]:
    return [p for edge in EDGES for p in sorted((SRC / edge).rglob("*.py"))]


def test_the_edges_import_nothing_inside_a_function() -> None:
    found = []
    for path in _files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                found += [f"{path.relative_to(SRC)}:{sub.lineno}" for sub in ast.walk(node)
                          if isinstance(sub, ast.Import | ast.ImportFrom)]
    assert found == []


def test_no_edge_file_is_over_600_lines_and_no_function_over_80() -> None:
    long_files = [str(p.relative_to(SRC)) for p in _files()
                  if len(p.read_text(encoding="utf-8").splitlines()) > 600]
    long_functions = [
        f"{p.relative_to(SRC)}:{n.name}" for p in _files()
        for n in ast.walk(ast.parse(p.read_text(encoding="utf-8")))
        if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)
        and (n.end_lineno or n.lineno) - n.lineno + 1 > 80]
    assert long_files == [] and long_functions == []


def test_routers_import_the_dependencies_never_the_factory_and_pages_never_the_api() -> None:
    graph = import_graph()
    routers = [m for m in graph if m.startswith("qingshan.api.") and m != "qingshan.api.app"]
    assert [m for m in routers if "qingshan.api.app" in graph[m]] == []
    assert "qingshan.api.deps" in graph["qingshan.api.market"]
    pages = {m: {t for t in graph[m] if t == "qingshan.api" or t.startswith("qingshan.api.")}
             for m in graph if m.startswith("qingshan.web")}
    assert {m: t for m, t in pages.items() if t} == {}
