"""The sequencer's storage: one private database connection that loads the book and writes
each batch of journal entries, with the rows of the state they changed, in one transaction.

Hot path on purpose: plain DB-API ``executemany`` with prepared statements, on SQLite through
``sqlite3`` and on PostgreSQL through psycopg 3 (pipelined ``executemany``). Everything else
reads through SQLAlchemy (:mod:`qingshan.ledger.queries`).
"""

from __future__ import annotations

import contextlib
import fcntl
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy.engine import make_url

from qingshan.infra.db import is_sqlite, sqlite_path
from qingshan.ledger import transparency as tlog
from qingshan.ledger.books import Book, Rows, upsert_sql
from qingshan.ledger.domain.model import (
    Account,
    AccountStatus,
    AccountType,
    AssetClass,
    AssetKind,
    BlockState,
    Hold,
    HoldKind,
    HoldStatus,
    Issuance,
    Party,
    PartyKind,
    Retirement,
    RetirementPurpose,
    SerialRange,
    UnitBlock,
    id_number,
)
from qingshan.ledger.domain.state import LedgerState

ADVISORY_LOCK_ID = 0x51696E67  # "Qing": the sequencer's PostgreSQL advisory lock


@dataclass(slots=True)
class BatchWrite:
    journal: list[tuple[Any, ...]] = field(default_factory=list)
    postings: list[tuple[Any, ...]] = field(default_factory=list)
    serial_events: list[tuple[Any, ...]] = field(default_factory=list)
    nodes: list[tuple[int, int, bytes]] = field(default_factory=list)
    tree_head: tuple[Any, ...] | None = None


@dataclass(slots=True)
class LoadedLog:
    size: int
    last_time_ms: int
    idempotency: dict[str, tuple[str, int]]  # scoped key -> (request hash, seq)
    frontier: tlog.MerkleFrontier


def _insert(table: str, cols: Sequence[str]) -> str:
    return f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"


SQL = {
    "journal": _insert("journal", ["seq", "time_ms", "actor", "idem_key", "request_hash", "kind",
                                   "entry", "leaf_hash"]),
    "postings": _insert("postings", ["seq", "account", "asset", "amount"]),
    "serial_events": _insert("serial_events", ["seq", "asset", "serial_start", "serial_end",
                                               "from_account", "to_account", "state"]),
    "log_nodes": _insert("log_nodes", ["level", "idx", "hash"]),
    "tree_heads": _insert("tree_heads", ["size", "root", "timestamp_ms", "signature",
                                         "key_id"]),
    "parties": upsert_sql("parties", ["id", "kind", "name", "identifier"], ["id"]),
    "accounts": upsert_sql("accounts", ["id", "party_id", "type", "status", "label"], ["id"]),
    "asset_classes": upsert_sql("asset_classes", ["code", "kind", "unit", "name", "registry",
                                               "next_serial"], ["code"]),
    "issuances": upsert_sql("issuances", ["id", "asset", "project", "vintage", "serial_start",
                                       "serial_end", "monitoring_start", "monitoring_end",
                                       "reference", "category"], ["id"]),
    "unit_blocks": upsert_sql("unit_blocks", ["id", "asset", "issuance", "vintage", "serial_start",
                                           "serial_end", "account", "state", "hold"], ["id"]),
    "unit_blocks_delete": "DELETE FROM unit_blocks WHERE id = ?",
    "ledger_counters": upsert_sql("ledger_counters", ["name", "value"], ["name"]),
    "balances": upsert_sql("balances", ["account", "asset", "balance", "held"],
                        ["account", "asset"]),
    "holds": upsert_sql("holds", ["id", "kind", "account", "asset", "quantity", "status",
                               "controller", "reference", "destination"], ["id"]),
    "retirements": upsert_sql("retirements", ["id", "seq", "account", "asset", "quantity",
                                           "purpose", "beneficiary", "reason", "reference",
                                           "ranges"], ["id"]),
}


class LedgerStore:
    """Owns the writer connection. Not thread-safe: only the sequencer thread uses it."""

    def __init__(self, url: str, *, synchronous: str = "FULL") -> None:
        self.url = url
        self.sqlite = is_sqlite(url)
        self.synchronous = synchronous
        self._conn: Any = None
        self._lock_conn: Any = None
        self._lock_file: Any = None
        self._checkpointer: threading.Thread | None = None
        self._stop_checkpoints = threading.Event()
        self._sql = SQL if self.sqlite else {k: v.replace("?", "%s") for k, v in SQL.items()}

    # ------------------------------------------------------------------ connections and lock
    def _connect(self) -> Any:
        if self.sqlite:
            path = sqlite_path(self.url)
            if path is None:
                raise ValueError("the sequencer needs a SQLite file, not :memory:")
            conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False,
                                   timeout=30)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute(f"PRAGMA synchronous={self.synchronous}")
            conn.execute("PRAGMA busy_timeout=30000")
            # checkpoints run in a background thread (below), not inside a commit, so a commit
            # never pays for copying the WAL back into the database
            conn.execute("PRAGMA wal_autocheckpoint=0")
            return conn
        import psycopg

        return psycopg.connect(self.conninfo(), autocommit=False)

    def conninfo(self) -> str:
        u = make_url(self.url).set(drivername="postgresql")
        return u.render_as_string(hide_password=False)

    def try_acquire_writer_lock(self) -> bool:
        """Take the one-writer lock without waiting; False while another sequencer holds it."""
        if self.sqlite:
            path = sqlite_path(self.url)
            assert path is not None
            if self._lock_file is None:
                self._lock_file = Path(str(path) + ".sequencer.lock").open("a+")  # noqa: SIM115
            try:
                fcntl.flock(self._lock_file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return False
            return True
        import psycopg

        if self._lock_conn is None:
            self._lock_conn = psycopg.connect(self.conninfo(), autocommit=True)
        row = self._lock_conn.execute("SELECT pg_try_advisory_lock(%s)",
                                      (ADVISORY_LOCK_ID,)).fetchone()
        return bool(row and row[0])

    def acquire_writer_lock(self, should_stop: Callable[[], bool], poll: float = 0.1) -> bool:
        """Wait as a standby until the lock is ours (True) or ``should_stop`` says so (False)."""
        while not should_stop():
            if self.try_acquire_writer_lock():
                return True
            time.sleep(poll)
        return False

    def open(self) -> None:
        self._conn = self._connect()
        if self.sqlite:
            self._stop_checkpoints.clear()
            self._checkpointer = threading.Thread(target=self._checkpoint_loop, daemon=True,
                                                  name="qingshan-wal-checkpoint")
            self._checkpointer.start()

    def _checkpoint_loop(self, every: float = 0.5) -> None:
        """Copy the SQLite WAL into the database now and then, beside the writer (PASSIVE
        checkpoints never block it); the next write after a full checkpoint reuses the WAL."""
        path = sqlite_path(self.url)
        assert path is not None
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30)
        try:
            while not self._stop_checkpoints.wait(every):
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        finally:
            conn.close()

    def close(self) -> None:
        self._stop_checkpoints.set()
        if self._checkpointer is not None:
            self._checkpointer.join(timeout=10)
            self._checkpointer = None
        for c in (self._conn, self._lock_conn):
            if c is not None:
                with contextlib.suppress(Exception):  # closing a dead connection
                    c.close()
        self._conn = self._lock_conn = None
        if self._lock_file is not None:
            self._lock_file.close()  # releases the flock
            self._lock_file = None

    def usable(self) -> bool:
        """Whether the writer connection can still be used (after a failed write on
        PostgreSQL it may be closed or broken; then the sequencer reconnects and reloads)."""
        if self._conn is None:
            return False
        if self.sqlite:
            return True
        return not (self._conn.closed or self._conn.broken)

    def refusal(self, exc: BaseException) -> str | None:
        """Why the database (or its driver) refused a batch because of what is in it: "value"
        (a text with a NUL byte, an integer beyond 64 bits, text that is not Unicode) or
        "constraint" (a key or check the rows break); None when the write failed for another
        reason (connection lost, disk full, database locked): then no request is to blame."""
        if isinstance(exc, ValueError | OverflowError | TypeError):  # raised by the driver
            return "value"
        if self.sqlite:
            if isinstance(exc, sqlite3.IntegrityError):
                return "constraint"
            return "value" if isinstance(exc, sqlite3.DataError) else None
        import psycopg

        if isinstance(exc, psycopg.IntegrityError):
            return "constraint"
        return "value" if isinstance(exc, psycopg.DataError) else None

    def _fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        if not self.sqlite:
            sql = sql.replace("?", "%s")
        cur = self._conn.cursor()
        try:
            cur.execute(sql, params)
            rows = cur.fetchall()
        finally:
            cur.close()
        if not self.sqlite:
            self._conn.rollback()  # end the read transaction
        return list(rows)

    # ------------------------------------------------------------------ load
    def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        """Rows of a query written with ? placeholders (books load through this)."""
        return self._fetchall(sql, params)

    def load(self, state: LedgerState, books: Sequence[Book] = ()) -> LoadedLog:
        """Fill an empty ``state`` from the projection tables; rebuild the log's frontier."""
        self._load_reference(state)
        self._load_units(state)
        self._load_holdings(state)
        self._load_counters(state)
        for book in books:
            book.load(self.fetchall)
        return self._load_log()

    def _load_reference(self, state: LedgerState) -> None:
        """Asset classes, parties and accounts."""
        q = self._fetchall
        for code, kind, unit, name, registry, next_serial in q(
                "SELECT code, kind, unit, name, registry, next_serial FROM asset_classes"):
            state.assets[code] = AssetClass(code, AssetKind(kind), unit, name, registry)
            if state.assets[code].kind is AssetKind.SERIALIZED:
                state.next_serial[code] = int(next_serial)
        for pid, kind, name, ident in q("SELECT id, kind, name, identifier FROM parties"):
            state.parties[pid] = Party(pid, PartyKind(kind), name, ident)
            if ident is not None:
                state.identifiers[ident] = pid
        for aid, pid, typ, status, label in q(
                "SELECT id, party_id, type, status, label FROM accounts"):
            state.accounts[aid] = Account(aid, pid, AccountType(typ), AccountStatus(status), label)

    def _load_units(self, state: LedgerState) -> None:
        """Issuances, unit blocks and retirements."""
        q = self._fetchall
        for row in q("SELECT id, asset, project, vintage, serial_start, serial_end, "
                     "monitoring_start, monitoring_end, reference, category FROM issuances"):
            state.issuances[int(row[0])] = Issuance(
                int(row[0]), row[1], row[2], int(row[3]), SerialRange(int(row[4]), int(row[5])),
                row[6], row[7], row[8], row[9])
        states = {s.value: s for s in BlockState}
        for bid, asset, iss, vintage, start, end, acct, st, hold in q(
                "SELECT id, asset, issuance, vintage, serial_start, serial_end, account, state, "
                "hold FROM unit_blocks"):
            state.load_block(UnitBlock(int(bid), asset, int(iss), int(vintage), int(start),
                                       int(end), acct, states[st], hold))
        for row in q("SELECT id, seq, account, asset, quantity, purpose, beneficiary, reason, "
                     "reference, ranges FROM retirements"):
            ranges = tuple(SerialRange(s, e) for s, e in orjson.loads(row[9]))
            state.retirements[row[0]] = Retirement(
                row[0], row[2], row[3], int(row[4]), RetirementPurpose(row[5]), row[6], row[7],
                row[8], ranges, int(row[1]))

    def _load_holdings(self, state: LedgerState) -> None:
        """Fungible balances with their held funds, and holds."""
        q = self._fetchall
        for acct, asset, bal, held in q("SELECT account, asset, balance, held FROM balances"):
            state.balances[(acct, asset)] = int(bal)
            if held:
                state.held_funds[(acct, asset)] = int(held)
        for hid, kind, acct, asset, qty, status, controller, ref, dest in q(
                "SELECT id, kind, account, asset, quantity, status, controller, reference, "
                "destination FROM holds"):
            state.holds[hid] = Hold(hid, HoldKind(kind), acct, asset, int(qty),
                                    HoldStatus(status), controller, ref, dest)

    def _load_counters(self, state: LedgerState) -> None:
        """Each id counter: the highest id loaded, or the stored counter if higher."""
        counters: dict[str, Iterable[str]] = {
            "party": state.parties, "account": state.accounts, "hold": state.holds,
            "retirement": state.retirements}
        for name, ids in counters.items():
            state.counters[name] = max((id_number(k) for k in ids), default=0)
        state.counters["issuance"] = max(state.issuances, default=0)
        state.counters["block"] = max(state.blocks, default=0)
        for name, value in self._fetchall("SELECT name, value FROM ledger_counters"):
            state.counters[name] = max(state.counters.get(name, 0), int(value))

    def _load_log(self) -> LoadedLog:
        """The idempotency keys, the last entry's time and the Merkle frontier."""
        idem: dict[str, tuple[str, int]] = {}
        last_seq = last_time = 0
        for key, rhash, seq, tms in self._fetchall(
                "SELECT idem_key, request_hash, seq, time_ms FROM journal"):
            idem[key] = (rhash, int(seq))
            if seq > last_seq:
                last_seq, last_time = int(seq), int(tms)
        frontier = tlog.MerkleFrontier.from_perfect(last_seq, self.perfect_hash)
        return LoadedLog(size=last_seq, last_time_ms=last_time, idempotency=idem,
                         frontier=frontier)

    # ------------------------------------------------------------------ log reads
    def fetch_node(self, level: int, index: int) -> bytes:
        """A stored node: a leaf hash (level 0) or a tile node (level a multiple of 4)."""
        if level == 0:
            rows = self._fetchall("SELECT leaf_hash FROM journal WHERE seq = ?", (index + 1,))
        else:
            rows = self._fetchall("SELECT hash FROM log_nodes WHERE level = ? AND idx = ?",
                                  (level, index))
        if not rows:
            raise LookupError(f"log node ({level}, {index}) is not stored")
        return bytes(rows[0][0])

    def perfect_hash(self, level: int, index: int) -> bytes:
        return tlog.perfect_subtree_hash(level, index, self.fetch_node)

    def entries_by_keys(self, keys: Sequence[str]) -> dict[str, tuple[int, str]]:
        out: dict[str, tuple[int, str]] = {}
        for key in keys:
            for seq, entry in self._fetchall("SELECT seq, entry FROM journal WHERE idem_key = ?",
                                             (key,)):
                out[key] = (int(seq), entry)
        return out

    # ------------------------------------------------------------------ write
    def write(self, batch: BatchWrite, state: LedgerState, books: Sequence[Book] = ()) -> None:
        """Write one batch and the state rows it dirtied in one transaction, then commit."""
        rows: Rows = [
            ("journal", batch.journal),
            ("postings", batch.postings),
            ("serial_events", batch.serial_events),
            ("log_nodes", batch.nodes),
        ]
        rows += reference_rows(state)
        rows += holding_rows(state)
        if batch.tree_head is not None:
            rows.append(("tree_heads", [batch.tree_head]))
        for book in books:
            for sql, params in book.rows():
                rows.append((sql, params))
        self._execute(rows)

    def _execute(self, rows: Rows) -> None:
        """Run every statement of one batch in one transaction and commit (roll back and
        re-raise on any failure)."""
        conn = self._conn
        cur = conn.cursor()
        try:
            if self.sqlite:
                cur.execute("BEGIN IMMEDIATE")
            for table, params in rows:
                if params:
                    known = self._sql.get(table)
                    if known is None:  # a book's own statement, written with ? placeholders
                        known = table if self.sqlite else table.replace("?", "%s")
                    cur.executemany(known, params)
            conn.commit() if not self.sqlite else cur.execute("COMMIT")
        except BaseException:
            try:
                if self.sqlite:
                    if conn.in_transaction:
                        cur.execute("ROLLBACK")
                else:
                    conn.rollback()
            except Exception:
                pass
            raise
        finally:
            cur.close()


def reference_rows(state: LedgerState) -> Rows:
    """Rows of the dirtied asset classes, parties, accounts and issuances."""
    d = state.dirty
    rows: Rows = []
    if d.assets:
        rows.append(("asset_classes", [
            (a.code, a.kind.value, a.unit, a.name, a.registry, state.next_serial.get(a.code, 0))
            for a in (state.assets[c] for c in d.assets if c in state.assets)]))
    if d.parties:
        rows.append(("parties", [(p.id, p.kind.value, p.name, p.identifier)
                                 for p in (state.parties[i] for i in d.parties
                                           if i in state.parties)]))
    if d.accounts:
        rows.append(("accounts", [(a.id, a.party_id, a.type.value, a.status.value, a.label)
                                  for a in (state.accounts[i] for i in d.accounts
                                            if i in state.accounts)]))
    if d.issuances:
        iss = [state.issuances[i] for i in d.issuances if i in state.issuances]
        rows.append(("issuances", [
            (i.id, i.asset, i.project, i.vintage, i.serials.start, i.serials.end,
             i.monitoring_start, i.monitoring_end, i.reference, i.category) for i in iss]))
        # issuing moves the asset's next serial
        rows.append(("asset_classes", [
            (a.code, a.kind.value, a.unit, a.name, a.registry, state.next_serial[a.code])
            for a in {state.assets[i.asset] for i in iss}]))
    return rows


def holding_rows(state: LedgerState) -> Rows:
    """Rows of the dirtied unit blocks, balances, holds, retirements and counters."""
    d = state.dirty
    rows: Rows = []
    if d.blocks:
        blocks = state.blocks
        gone = [(i,) for i in d.blocks if i not in blocks]  # merged into a neighbour
        if gone:
            rows.append(("unit_blocks_delete", gone))
        rows.append(("unit_blocks", [
            (b.id, b.asset, b.issuance, b.vintage, b.start, b.end, b.account, b.state.value,
             b.hold) for b in (blocks[i] for i in d.blocks if i in blocks)]))
    if d.balances:
        bal, held = state.balances, state.held_funds
        rows.append(("balances", [(k[0], k[1], bal.get(k, 0), held.get(k, 0))
                                  for k in d.balances]))
    if d.holds:
        rows.append(("holds", [
            (h.id, h.kind.value, h.account, h.asset, h.quantity, h.status.value,
             h.controller, h.reference, h.destination)
            for h in (state.holds[i] for i in d.holds if i in state.holds)]))
    if d.retirements:
        rows.append(("retirements", [
            (r.id, r.seq, r.account, r.asset, r.quantity, r.purpose.value, r.beneficiary,
             r.reason, r.reference, orjson.dumps([x.to_payload() for x in r.ranges]).decode())
            for r in (state.retirements[i] for i in d.retirements
                      if i in state.retirements)]))
    if d.counters:  # ids are never reused, even of blocks merged away
        rows.append(("ledger_counters", sorted(state.counters.items())))
    return rows
