"""Every command kind keeps its journal bytes. tests/fixtures/journal_forms/v1.json was
captured from the code before the commands were declared once (commit 55dd7e8): for each
example, the input a client or the journal gave, and the canonical bytes journaled for it.
``log verify`` replays old journals through ``from_payload`` and compares leaf hashes, so a
command whose journal form changes by one byte breaks every journal written before."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from qingshan.contexts import make_books
from qingshan.ledger.books import catalog
from qingshan.ledger.domain.journal import canonical
from tests.unit.test_command_round_trip import EXAMPLES

FORMS: list[dict[str, Any]] = json.loads(
    (Path(__file__).parents[1] / "fixtures" / "journal_forms" / "v1.json").read_text("utf-8"))


@pytest.mark.parametrize("row", FORMS, ids=lambda r: r["kind"])
def test_every_command_parses_to_the_journal_bytes_it_had(row: dict[str, Any]) -> None:
    cmd = catalog(make_books())[row["kind"]].from_payload(row["input"])
    assert canonical(cmd.to_payload()) == row["journal"].encode()


@pytest.mark.parametrize("row", FORMS, ids=lambda r: r["kind"])
def test_every_journal_form_replays_to_itself(row: dict[str, Any]) -> None:
    journal = row["journal"].encode()
    cmd = catalog(make_books())[row["kind"]].from_payload(json.loads(journal))
    assert canonical(cmd.to_payload()) == journal


def test_the_round_trip_examples_journal_the_captured_bytes() -> None:
    captured = {(r["kind"], r["journal"]) for r in FORMS}
    assert [c.kind for c in EXAMPLES
            if (c.kind, canonical(c.to_payload()).decode()) not in captured] == []


def test_the_captured_forms_cover_every_command_kind() -> None:
    assert {r["kind"] for r in FORMS} == set(catalog(make_books()))
