"""The composition root: settings → engine, signing key, sequencer. Edges get a Platform."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import Engine

from qingshan.contexts import make_books, with_access
from qingshan.inclusive.ingest import SubLedgerStore
from qingshan.infra.config import Settings
from qingshan.infra.db import make_engine
from qingshan.infra.migrate import upgrade
from qingshan.ledger import transparency as tlog
from qingshan.ledger.books import Book
from qingshan.ledger.sequencer import Sequencer
from qingshan.ledger.signing_key import load_or_create_signing_key
from qingshan.ledger.store import LedgerStore
from qingshan.ledger.verify import VerifyReport, verify_ledger


@dataclass
class Platform:
    settings: Settings
    engine: Engine
    sequencer: Sequencer
    public_key_pem: bytes
    make_books: Callable[[], Sequence[Book]] = make_books

    def verify(self) -> VerifyReport:
        """``qingshan log verify`` on this platform's database."""
        return verify_ledger(self.settings.database_url,
                             self.sequencer.signing_key.public_key(), books=self.make_books)

    @classmethod
    def open(cls, settings: Settings, *, migrate: bool = True,
             wait_leader: float | None = 30.0,
             books: Callable[[], Sequence[Book]] = make_books) -> Platform:
        url = settings.database_url
        def all_books() -> list[Book]:  # every platform journals its keys
            return with_access(books())

        if migrate:
            upgrade(url)
        key = load_or_create_signing_key(settings.signing_key_path)
        store = LedgerStore(url, synchronous=settings.sqlite_synchronous)
        seq = Sequencer(store, key, group_commit_max=settings.group_commit_max,
                        max_batch=settings.max_batch, books=all_books,
                        stall_after=settings.writer_stall_seconds)
        seq.start(wait_leader=wait_leader)
        engine = make_engine(url, synchronous=settings.sqlite_synchronous)
        return cls(settings, engine, seq, tlog.public_key_to_pem(key.public_key()), all_books)

    def subledger(self) -> SubLedgerStore:
        """The carbon-inclusive people's sub-ledger of this platform (its archive beside the
        database unless the settings name one)."""
        return SubLedgerStore(self.engine, self.settings.archive())

    def close(self) -> None:
        self.sequencer.stop()
        self.engine.dispose()
