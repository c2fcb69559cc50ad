"""The shape a reviewer checks, held for the whole of ``src/`` (docs/architecture.md, "Shape";
docs/contributing.md says how a new context meets it). ``make lint`` holds the layers and the
pure domains with import-linter (pyproject.toml) and a complexity ceiling with ruff; these
tests hold what those tools do not:

- no module imports another in a cycle, counting imports inside functions and under
  ``TYPE_CHECKING`` (an import inside a function is how a cycle hides);
- no project import stands inside a function or class; the one kind of late import kept is an
  optional database driver (psycopg), named below with its reason;
- no file over 600 lines and no function over 80 (from its first decorator), migrations aside
  (each is a dated script that never changes);
- no context imports another; the infrastructure imports nothing above it; the API's routers
  import its dependencies, never its factory, and the pages never import the API.
"""

from __future__ import annotations

import ast

import pytest

from tests.support.source_graph import SRC, cycles, import_graph, modules, syntax

MAX_FILE_LINES = 600
MAX_FUNCTION_LINES = 80
CONTEXTS = ("qingshan.market", "qingshan.registry", "qingshan.access", "qingshan.judicial",
            "qingshan.rights", "qingshan.lending", "qingshan.inclusive")
# late imports of third-party modules that are allowed, and why
LATE_IMPORTS = {
    "psycopg": "the PostgreSQL driver is optional: the embedded default (SQLite) never loads it",
}


def _in(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def _checked() -> list[str]:
    return [m for m in modules() if ".migrations." not in f".{m}."]


def test_the_walk_sees_every_part_and_no_migration() -> None:
    names = _checked()
    for part in ("ledger.domain.book", "market.continuous", "registry.issuance", "access.book",
                 "api.app", "web.site", "cli.main", "infra.db", "demo.loader"):
        assert f"qingshan.{part}" in modules()
    assert not any("versions" in n for n in names)
    assert len(names) > 120


def test_the_checker_finds_a_cycle_of_three() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_a_package_importing_its_own_submodule_is_an_edge() -> None:
    assert "qingshan.ledger.domain.model" in import_graph()["qingshan.ledger.domain.state"]


def test_no_module_imports_another_in_a_cycle() -> None:
    assert cycles(import_graph()) == []


def late_imports(tree: ast.Module) -> list[tuple[int, str]]:
    """(line, module) of each import inside a function or class, but the allowed ones."""
    late = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            continue
        for sub in ast.walk(node):
            if isinstance(sub, ast.Import):
                targets = [a.name for a in sub.names]
            elif isinstance(sub, ast.ImportFrom):
                targets = ["." * sub.level + (sub.module or "")]
            else:
                continue
            late += [(sub.lineno, t) for t in targets if t.split(".")[0] not in LATE_IMPORTS]
    return sorted(set(late))


def test_the_checker_finds_an_import_inside_a_function() -> None:
    tree = ast.parse("import os\ndef f():\n    from qingshan import errors\n"
                     "    import psycopg\nclass C:\n    from . import x\n")
    assert late_imports(tree) == [(3, "qingshan"), (6, ".")]


def test_project_imports_stand_at_module_level() -> None:
    late = {name: found for name in _checked() if (found := late_imports(syntax(name)))}
    assert late == {}


def test_no_file_is_over_600_lines() -> None:
    long = {n: size for n in _checked()
            if (size := len(modules()[n].read_text(encoding="utf-8").splitlines()))
            > MAX_FILE_LINES}
    assert long == {}


def test_no_function_is_over_80_lines() -> None:
    long = {}
    for name in _checked():
        for node in ast.walk(syntax(name)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                start = min([node.lineno] + [d.lineno for d in node.decorator_list])
                size = (node.end_lineno or node.lineno) - start + 1
                if size > MAX_FUNCTION_LINES:
                    long[f"{name}.{node.name}"] = size
    assert long == {}


@pytest.mark.parametrize("context", CONTEXTS)
def test_no_context_imports_another_context(context: str) -> None:
    graph = import_graph()
    others = [c for c in CONTEXTS if c != context]
    reaching = {m: sorted(t for t in targets if any(_in(t, o) for o in others))
                for m, targets in graph.items() if _in(m, context)}
    assert {m: t for m, t in reaching.items() if t} == {}


def test_infra_imports_nothing_above_it() -> None:
    upward = {(m, t) for m, targets in import_graph().items() if _in(m, "qingshan.infra")
              for t in targets
              if not _in(t, "qingshan.infra") and t not in ("qingshan", "qingshan.errors")}
    assert upward == set()


def test_routers_import_the_dependencies_never_the_factory_and_pages_never_the_api() -> None:
    graph = import_graph()
    routers = [m for m in graph if m.startswith("qingshan.api.") and m != "qingshan.api.app"]
    assert [m for m in routers if "qingshan.api.app" in graph[m]] == []
    assert "qingshan.api.deps" in graph["qingshan.api.market"]
    pages = {m: {t for t in graph[m] if _in(t, "qingshan.api")}
             for m in graph if _in(m, "qingshan.web")}
    assert {m: t for m, t in pages.items() if t} == {}


def test_the_source_root_is_where_the_walk_looks() -> None:
    assert (SRC / "qingshan" / "__init__.py").is_file()
