"""Books of the bounded contexts that write through the ledger's sequencer.

A context (the registry, later the market, judicial accounts, indicators, loans) keeps its own
state in a :class:`Book`: the sequencer routes the context's commands to it, inside the same
unit of work, journal entry, transaction and transparency log as the ledger's own commands. A
context touches the ledger only through the ledger port
(:class:`~qingshan.ledger.domain.port.LedgerPort`: look-ups, checks, holds, moves, status
watchers), so a registry issuance that creates units is one atomic journal entry.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, ClassVar, Protocol

from qingshan.errors import InvalidInput
from qingshan.ledger.domain.commands import COMMANDS, Command
from qingshan.ledger.domain.model import Principal
from qingshan.ledger.domain.port import LedgerPort
from qingshan.ledger.domain.state import Effects, LedgerState
from qingshan.ledger.domain.undo import UndoLog

FetchAll = Callable[[str, Sequence[Any]], list[Any]]  # SQL with ? placeholders, params
Rows = list[tuple[str, list[tuple[Any, ...]]]]  # SQL with ? placeholders, parameter rows


def upsert_sql(table: str, cols: Sequence[str], keys: Sequence[str] = ("id",)) -> str:
    """``INSERT … ON CONFLICT (keys) DO UPDATE``: the one write statement of every projection
    table (SQLite and PostgreSQL both take it; ``?`` placeholders)."""
    updates = ", ".join(f"{c}=excluded.{c}" for c in cols if c not in keys)
    return (f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))}) "
            f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {updates}")


class Book(Protocol):
    name: ClassVar[str]
    commands: ClassVar[tuple[type[Command], ...]]

    def bind(self, ledger: LedgerState, clock: Callable[[], int]) -> None:
        """The ledger to work through, and the time of the entry being applied (Unix ms, the
        journal's own time, so a replay sees the same clock)."""
        ...

    def apply(self, cmd: Command, actor: Principal, seq: int) -> Effects: ...

    def mark(self) -> int: ...

    def rollback_to(self, mark: int) -> None: ...

    def forget_undo(self) -> None: ...

    def configure(self, fetchall: FetchAll) -> None:
        """Read the settings stored beside the book that decide how its entries replay (e.g.
        the last entry written under a context's earlier rules); ``load`` does it too, and
        ``log verify`` does it before replaying into a fresh book."""
        ...

    def load(self, fetchall: FetchAll) -> None: ...

    def rows(self) -> Rows:
        """The rows to write for everything changed since the last call (then forgotten)."""
        ...

    def discard_changes(self) -> None:
        """Forget what changed (after a failed transaction was rolled back)."""
        ...

    def snapshot(self) -> Any:
        """A comparable picture of the whole book (``log verify`` compares replay and store)."""
        ...

    def invariants(self) -> list[str]:
        """Every violation of the context's conservation laws (none: sound); ``log verify``
        checks them after replaying the journal."""
        ...


class ContextBook(UndoLog):
    """What every context's book shares: the ledger and clock it is bound to, dispatch of its
    commands to its handlers, and the keys changed since the last write. Subclasses set
    ``name``, ``commands`` and ``_handlers`` and write ``_load`` and ``_rows``."""

    name: ClassVar[str]
    commands: ClassVar[tuple[type[Command], ...]]
    _handlers: ClassVar[dict[type[Command], Callable[..., Effects]]]

    def __init__(self, tables: Sequence[str]) -> None:
        super().__init__()
        self._dirty: dict[str, set[Any]] = {t: set() for t in tables}
        # lines of a public history not yet written, (seq, n) -> (subject, kind, actor, note):
        # a registry project's lifecycle, a judicial case's steps (the book's storage writes
        # them to its own table)
        self.events: dict[tuple[int, int], tuple[str, str, str, str]] = {}
        # the ledger, seen only through its port (mypy proves a context uses nothing else)
        self.ledger: LedgerPort = LedgerState()
        self.clock: Callable[[], int] = lambda: 0
        self.counters: dict[str, int] = {}  # the last id given of each kind of record

    def bind(self, ledger: LedgerPort, clock: Callable[[], int]) -> None:
        self.ledger = ledger
        self.clock = clock

    def apply(self, cmd: Command, actor: Principal, seq: int) -> Effects:
        return self._handlers[type(cmd)](self, cmd, actor, seq)

    def configure(self, fetchall: FetchAll) -> None:
        """No settings by default."""

    def invariants(self) -> list[str]:
        """No conservation laws of its own by default."""
        return []

    def load(self, fetchall: FetchAll) -> None:
        self.configure(fetchall)
        self._load(fetchall)

    def rows(self) -> Rows:
        out = self._rows()
        self.discard_changes()
        return out

    def discard_changes(self) -> None:
        for s in self._dirty.values():
            s.clear()
        self.events.clear()

    # -------------------------------------------------------------- record tables
    def table(self, name: str) -> dict[Any, Any]:
        """The records of one of the book's tables (an attribute of that name), by key."""
        records: dict[Any, Any] = getattr(self, name)
        return records

    def put(self, name: str, key: Any, record: Any) -> None:
        """Record ``record`` under ``key`` in table ``name`` (undone on rollback, written at
        the commit)."""
        self._set(self.table(name), key, record)
        self._dirty[name].add(key)

    def changed_keys(self, name: str) -> list[Any]:
        """The keys of table ``name`` changed since the last write (and still there), in
        order."""
        records = self.table(name)
        return [k for k in sorted(self._dirty[name]) if k in records]

    def changed(self, name: str) -> list[Any]:
        """The records of table ``name`` changed since the last write, by key."""
        records = self.table(name)
        return [records[k] for k in self.changed_keys(name)]

    def next_id(self, name: str, prefix: str, width: int = 6) -> str:
        """The next id of a kind of record (``counters[name]`` + 1), e.g. RC000001."""
        n = self.counters[name] + 1
        self._set(self.counters, name, n)
        return f"{prefix}{n:0{width}d}"

    def event(self, seq: int, subject: str, kind: str, actor: Principal, note: str) -> None:
        """A line of a subject's public history (undone on rollback, written at the commit)."""
        self._set(self.events, (seq, len(self.events)), (subject, kind, actor.id, note[:500]))

    def _load(self, fetchall: FetchAll) -> None:
        raise NotImplementedError

    def _rows(self) -> Rows:
        raise NotImplementedError


def catalog(books: Sequence[Book]) -> dict[str, type[Command]]:
    """Every command kind the platform accepts: the ledger's and each book's."""
    out = dict(COMMANDS)
    for book in books:
        for c in book.commands:
            if c.kind in out:
                raise ValueError(f"command kind {c.kind} is defined twice")
            out[c.kind] = c
    return out


class Router:
    """Routes each command to the book that owns it (the ledger by default)."""

    def __init__(self, ledger: LedgerState, books: Sequence[Book]) -> None:
        self.ledger = ledger
        self.books = list(books)
        self.now_ms = 0  # set by the sequencer per group, by the verifier per entry
        self.routes: dict[type[Command], Book] = {}
        ledger.clock = lambda: self.now_ms
        for book in self.books:
            book.bind(ledger, lambda: self.now_ms)
            for c in book.commands:
                self.routes[c] = book

    def book(self, name: str) -> Book:
        for b in self.books:
            if b.name == name:
                return b
        raise KeyError(name)

    def apply(self, cmd: Command, actor: Principal, seq: int) -> Effects:
        book = self.routes.get(type(cmd))
        if book is not None:
            return book.apply(cmd, actor, seq)
        if type(cmd) not in COMMANDS.values():
            raise InvalidInput("no book on this platform takes this command", kind=cmd.kind)
        return self.ledger.apply(cmd, actor, seq)

    def mark(self) -> list[int]:
        return [self.ledger.mark(), *(b.mark() for b in self.books)]

    def rollback_to(self, marks: list[int]) -> None:
        self.ledger.rollback_to(marks[0])
        for book, m in zip(self.books, marks[1:], strict=True):
            book.rollback_to(m)

    def forget_undo(self) -> None:
        self.ledger.forget_undo()
        for book in self.books:
            book.forget_undo()
