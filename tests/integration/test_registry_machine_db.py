"""The registry's state machine (tests/support/registry_machine.py) through the sequencer on
a real database — SQLite and PostgreSQL — with restarts: after a restart the books loaded from
the tables equal those in memory before, and at the end ``log verify`` replays the journal
into the same books and finds nothing wrong."""

from __future__ import annotations

import itertools
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck
from hypothesis.stateful import precondition, rule, run_state_machine_as_test

from qingshan.contexts import make_books, with_access
from qingshan.infra.config import Settings
from qingshan.ledger.books import Book
from qingshan.ledger.domain.commands import Command
from qingshan.ledger.domain.model import SYSTEM, Principal
from qingshan.ledger.domain.state import LedgerState
from qingshan.ledger.verify import verify_ledger
from qingshan.market.book import MarketBook
from qingshan.platform import Platform
from qingshan.registry.book import RegistryBook
from tests.support.book import SETUP
from tests.support.databases import migrated_postgres, migrated_sqlite
from tests.support.registry import EXTRA, METHODOLOGIES
from tests.support.registry_machine import RegistryMachine
from tests.support.search import search


def books() -> list[Book]:
    return with_access([RegistryBook(METHODOLOGIES), MarketBook()])


def machine_on(new_url: Callable[[], str]) -> type[RegistryMachine]:
    class DatabaseRegistryMachine(RegistryMachine):
        def start(self) -> None:
            self.tmp = tempfile.TemporaryDirectory()
            self.settings = Settings(database_url=new_url(),
                                     signing_key_path=Path(self.tmp.name) / "key.pem")
            self.platform = Platform.open(self.settings, books=books)
            self.keys = itertools.count()
            self.platform.sequencer.execute([*SETUP, *EXTRA], SYSTEM, "setup")

        def execute(self, cmd: Command, actor: Principal) -> dict[str, Any]:
            receipts = self.platform.sequencer.execute([cmd], actor, f"k{next(self.keys)}")
            return receipts[0].result

        @property
        def book(self) -> RegistryBook:
            book = self.platform.sequencer.router.book("registry")
            assert isinstance(book, RegistryBook)
            return book

        @property
        def ledger(self) -> LedgerState:
            return self.platform.sequencer.state

        @precondition(lambda self: self.book.reports)
        @rule()
        def restart(self) -> None:
            before = (self.book.snapshot(), dict(self.ledger.blocks),
                      self.platform.sequencer.frontier.root())
            self.platform.close()
            self.platform = Platform.open(self.settings, books=books)
            assert (self.book.snapshot(), dict(self.ledger.blocks),
                    self.platform.sequencer.frontier.root()) == before

        def teardown(self) -> None:
            key = self.platform.sequencer.signing_key.public_key()
            self.platform.close()
            report = verify_ledger(self.settings.database_url, key, books=books)
            self.tmp.cleanup()
            assert report.problems == []

    return DatabaseRegistryMachine


@pytest.mark.parametrize("engine", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_registry_machine_through_the_database(engine: str, tmp_path: Path,
                                               request: pytest.FixtureRequest) -> None:
    n = itertools.count()
    if engine == "postgres":
        pg = request.getfixturevalue("pg_server")

        def new_url() -> str:
            return migrated_postgres(pg, f"reg{next(n)}")
    else:
        def new_url() -> str:
            return migrated_sqlite(tmp_path / f"reg{next(n)}.db")
    run_state_machine_as_test(machine_on(new_url), settings=search(
        0.12 if engine == "sqlite" else 0.08, steps=0.8,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]))


def test_the_platform_books_include_every_real_methodology() -> None:
    registry = make_books()[0]
    assert isinstance(registry, RegistryBook)
    assert {"CQ-PV@1.0", "CQ-PV@2.0", "CQ-FOREST@2.0"} <= set(registry.methodologies)
