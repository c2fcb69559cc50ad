"""The docs keep up with the code: every error code is documented in docs/api.md, every
Chinese page message names a real code, every CLI command is in the README or docs."""

from __future__ import annotations

import re
from pathlib import Path

import qingshan.access.book
import qingshan.market.book
import qingshan.registry.book
import qingshan.web.sessions  # noqa: F401 - their error classes join the tree on import
from qingshan.errors import all_error_classes
from qingshan.web.strings import ERRORS_ZH

ROOT = Path(__file__).resolve().parents[2]


def codes() -> set[str]:
    return {c.code for c in all_error_classes()}


def test_every_error_code_is_documented() -> None:
    api = (ROOT / "docs" / "api.md").read_text()
    missing = sorted(c for c in codes()
                     if not re.search(rf"\b{c}\b", api) and c not in ("error", "conflict"))
    assert missing == []


def test_chinese_page_messages_name_real_codes() -> None:
    assert set(ERRORS_ZH) <= codes()


def test_cli_commands_are_documented() -> None:
    text = (ROOT / "README.md").read_text() + (ROOT / "docs" / "api.md").read_text()
    for command in ("log verify", "log prove", "log check", "serial", "demo load",
                    "keys create", "registry import-factors", "registry import-gec"):
        assert command in text or command.split()[0] in text, command


def test_every_test_the_security_page_names_exists() -> None:
    """docs/security.md holds each promise to a named test: the names must be real."""
    named = set(re.findall(r"`(test_\w+)`", (ROOT / "docs" / "security.md").read_text()))
    defined = {m for p in (ROOT / "tests").rglob("test_*.py")
               for m in re.findall(r"^def (test_\w+)", p.read_text(), re.M)}
    assert len(named) > 30
    assert sorted(named - defined) == []
