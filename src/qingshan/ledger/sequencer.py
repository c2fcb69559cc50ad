"""The sequencer: every write to the ledger goes through this one thread.

It takes requests from a queue, as many as are waiting (group commit), and for each request
runs the use-case handlers (:meth:`LedgerState.apply`: check, then do) inside a unit of work that
rolls back by default: a refused command, or a refused command of an all-or-nothing batch,
undoes everything that request changed. The accepted entries of the whole group are written in
one transaction with one fsync, their leaves appended to the transparency log and the new tree
head signed in the same transaction. Only then are the callers answered: an acknowledged write
is durable. If the transaction fails, the in-memory book is rolled back to where it was and every
caller in the group gets :class:`~qingshan.errors.Unavailable`.

Only one sequencer writes a database: on PostgreSQL it holds an advisory lock, on SQLite a file
lock; a second instance waits as a standby (reads still work) until the first one stops.
"""

from __future__ import annotations

import gc
import logging
import queue
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from qingshan.errors import (
    BatchRejected,
    BatchTooLarge,
    IdempotencyConflict,
    InternalError,
    InvalidInput,
    NotLeader,
    QingshanError,
    Unavailable,
)
from qingshan.ledger import transparency as tlog
from qingshan.ledger.books import Book, Router, catalog
from qingshan.ledger.domain.commands import Command
from qingshan.ledger.domain.journal import JournalEntry, request_hash
from qingshan.ledger.domain.model import Principal
from qingshan.ledger.domain.state import LedgerState
from qingshan.ledger.store import BatchWrite, LedgerStore

log = logging.getLogger(__name__)

MAX_KEY = 200


def wall_clock_ms() -> int:
    """The sequencer's default clock: Unix time in milliseconds."""
    return time.time_ns() // 1_000_000


@dataclass(frozen=True, slots=True)
class Receipt:
    """The answer to one command: its journal entry's number, time and result."""

    seq: int
    time_ms: int
    kind: str
    result: dict[str, Any]
    replayed: bool = False

    def to_dict(self) -> dict[str, Any]:
        """The answer's body: identical for the first answer and every replay."""
        return {"seq": self.seq, "time": self.time_ms, "kind": self.kind, "result": self.result}


@dataclass(slots=True)
class _Request:
    commands: Sequence[Command]
    actor: Principal
    key: str  # scoped idempotency key
    future: Future[list[Receipt]] = field(default_factory=Future)


def scoped_key(actor: Principal, key: str) -> str:
    """Idempotency keys are per principal, so one principal never sees another's result."""
    if not isinstance(key, str) or not 1 <= len(key) <= MAX_KEY or not key.isprintable():
        raise InvalidInput(f"an Idempotency-Key of 1 to {MAX_KEY} printable characters is "
                           "required on every write", field="Idempotency-Key")
    return f"{actor.id}/{key}"


# Objects a young-generation collection may wait for. A request allocates thousands of small,
# mostly long-lived objects (blocks, holds, orders, undo records); with CPython's default of 700
# the collector ran every few orders and took 40-45 % of the market's time (bench/market.py).
YOUNG_COLLECTION_THRESHOLD = 50_000


def tune_collector() -> None:
    """Collect the young generation less often (the process-wide setting of a server whose
    heap is the ledger's book); older generations keep CPython's ratios."""
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(max(YOUNG_COLLECTION_THRESHOLD, gc.get_threshold()[0]), older, oldest)


class Sequencer:
    def __init__(self, store: LedgerStore, signing_key: Ed25519PrivateKey, *,
                 group_commit_max: int = 4096, max_batch: int = 1000,
                 transparency_log: bool = True, books: Sequence[Book] = (),
                 clock: Callable[[], int] = wall_clock_ms) -> None:
        """``transparency_log=False`` exists only for the benchmark that measures the log's
        cost: entries then get no Merkle leaf and no signed tree head, and such a database fails
        ``qingshan log verify``.

        ``clock`` gives the time (Unix ms) each group of entries is stamped with, read once per
        group and never allowed to go back (an entry is never older than the one before it).
        It is the wall clock; the demo loader, which loads only into a new database, replaces
        it (``sequencer.clock = …``) to replay years of history day by day."""
        self.store = store
        self.transparency_log = transparency_log
        self.signing_key = signing_key
        self.clock = clock
        self.key_id = tlog.key_id(signing_key.public_key())
        self.group_commit_max = group_commit_max
        self.max_batch = max_batch
        self.state = LedgerState()
        self.router = Router(self.state, books)
        self.catalog = catalog(books)
        self._queue: queue.SimpleQueue[_Request | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self.leader = threading.Event()  # set once this instance holds the writer lock
        self._failed: BaseException | None = None
        self.size = 0
        self.last_time_ms = 0
        self.idempotency: dict[str, tuple[str, int]] = {}
        self.frontier = tlog.MerkleFrontier()
        self.last_head: tlog.SignedTreeHead | None = None

    # ------------------------------------------------------------------ life cycle
    def start(self, *, wait_leader: float | None = 30.0) -> None:
        """Start the thread; wait up to ``wait_leader`` s for the writer lock (None: don't)."""
        self._thread = threading.Thread(target=self._run, name="qingshan-sequencer", daemon=True)
        self._thread.start()
        if wait_leader is not None and not self.leader.wait(wait_leader):
            if self._failed is not None:
                raise self._failed
            log.warning("sequencer is a standby: another instance holds the writer lock")

    def stop(self) -> None:
        self._stop.set()
        self._queue.put(None)
        if self._thread is not None:
            self._thread.join(timeout=30)
        self.store.close()

    def __enter__(self) -> Sequencer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------------ submitting
    def submit(self, commands: Sequence[Command], actor: Principal,
               key: str) -> Future[list[Receipt]]:
        """Queue commands under one idempotency key: either all are applied or none, and a
        refusal lists every failing command."""
        if not commands:
            raise InvalidInput("no commands given", field="commands")
        if len(commands) > self.max_batch:
            raise BatchTooLarge(f"at most {self.max_batch} commands in one batch",
                                limit=self.max_batch, given=len(commands))
        req = _Request(commands, actor, scoped_key(actor, key))
        if not self.leader.is_set():
            raise NotLeader("this instance is a standby; the writer is elsewhere")
        self._queue.put(req)
        return req.future

    def execute(self, commands: Sequence[Command], actor: Principal, key: str,
                timeout: float = 60.0) -> list[Receipt]:
        """Submit and wait (for the CLI, tests and in-process callers)."""
        return self.submit(commands, actor, key).result(timeout)

    def execute_one(self, command: Command, actor: Principal, key: str) -> Receipt:
        return self.execute([command], actor, key)[0]

    # ------------------------------------------------------------------ the loop
    def _run(self) -> None:
        try:
            if not self.store.acquire_writer_lock(self._stop.is_set):
                return
            self.store.open()
            loaded = self.store.load(self.state, self.router.books)
            self.size, self.last_time_ms = loaded.size, loaded.last_time_ms
            self.idempotency, self.frontier = loaded.idempotency, loaded.frontier
            # the book is long-lived: move it out of the collector's sight so a full
            # collection does not walk millions of objects in the middle of a request
            gc.collect()
            gc.freeze()
            tune_collector()
            self.leader.set()
        except BaseException as exc:
            self._failed = exc
            log.exception("sequencer failed to start")
            return
        while True:
            first = self._queue.get()
            if first is None:
                break
            group = [first]
            count = len(first.commands)
            while count < self.group_commit_max:
                try:
                    nxt = self._queue.get_nowait()
                except queue.Empty:
                    break
                if nxt is None:
                    self._stop.set()
                    break
                group.append(nxt)
                count += len(nxt.commands)
            self._process(group)
            if self._stop.is_set():
                break
        # answer anything still queued
        while True:
            try:
                req = self._queue.get_nowait()
            except queue.Empty:
                break
            if req is not None:
                req.future.set_exception(Unavailable("the sequencer stopped"))

    def _process(self, group: list[_Request]) -> None:
        state = self.state
        now = max(self.clock(), self.last_time_ms)
        batch = BatchWrite()
        frontier_before = self.frontier.copy()
        size_before = self.size
        router = self.router
        router.now_ms = now
        batch_mark = router.mark()
        answers: list[tuple[_Request, list[Receipt] | QingshanError]] = []
        new_keys: list[str] = []
        pending: dict[str, Receipt] = {}
        for req in group:
            n = len(req.commands)
            keys = [req.key] if n == 1 else [f"{req.key}#{i}" for i in range(n)]
            payloads = [c.to_payload() for c in req.commands]
            hashes = [request_hash(c.kind, p) for c, p in zip(req.commands, payloads,
                                                               strict=True)]
            seen = self.idempotency.get(keys[0])
            if seen is not None:
                answers.append((req, self._replay(keys, hashes, pending)))
                continue
            mark = router.mark()
            errors: list[dict[str, Any]] = []
            first_error: QingshanError | None = None
            produced: list[tuple[Command, Any, dict[str, Any]]] = []
            for i, cmd in enumerate(req.commands):
                try:
                    effects = router.apply(cmd, req.actor, self.size + len(produced) + 1)
                except QingshanError as exc:
                    errors.append({"index": i, **exc.to_dict()})
                    first_error = first_error or exc
                    if n == 1:
                        break
                    continue
                except Exception as exc:
                    log.exception("command %s failed unexpectedly", cmd.kind)
                    first_error = InternalError("the command failed inside the platform; "
                                                "nothing was applied", kind=cmd.kind,
                                                reason=type(exc).__name__)
                    errors = [{"index": i, **first_error.to_dict()}]
                    n = 1  # answer with this error itself, whatever the batch size
                    break
                produced.append((cmd, effects, payloads[i]))
            if first_error is not None:
                router.rollback_to(mark)
                if n == 1:
                    answers.append((req, first_error))
                else:
                    answers.append((req, BatchRejected(
                        f"{len(errors)} of {n} commands were refused; nothing was applied",
                        errors=errors)))
                continue
            receipts: list[Receipt] = []
            for (cmd, effects, payload), key, rhash in zip(produced, keys, hashes, strict=True):
                self.size += 1
                seq = self.size
                entry = JournalEntry(seq, now, req.actor, key, cmd.kind, payload, effects.result)
                data = entry.canonical()
                if self.transparency_log:
                    leaf = tlog.leaf_hash(data)
                    batch.nodes.extend(self.frontier.append_stored(leaf))
                else:
                    leaf = b""
                batch.journal.append((seq, now, req.actor.id, key, rhash, cmd.kind,
                                      data.decode(), leaf))
                for acct, asset, amount in effects.postings:
                    batch.postings.append((seq, acct, asset, amount))
                for asset, start, end, src, dst, st in effects.serial_events:
                    batch.serial_events.append((seq, asset, start, end, src, dst, st))
                self.idempotency[key] = (rhash, seq)
                new_keys.append(key)
                receipt = Receipt(seq, now, cmd.kind, effects.result)
                pending[key] = receipt
                receipts.append(receipt)
            answers.append((req, receipts))
        if self.size > size_before and self.transparency_log:
            head = tlog.TreeHead(size=self.size, root=self.frontier.root(), timestamp_ms=now)
            sth = tlog.sign_tree_head(self.signing_key, head)
            batch.tree_head = (head.size, head.root, head.timestamp_ms, sth.signature,
                               sth.key_id)
        if self.size > size_before:
            try:
                self.store.write(batch, state, router.books)
            except Exception as exc:
                log.exception("batch write failed; rolling back %d entries",
                              self.size - size_before)
                router.rollback_to(batch_mark)
                for book in router.books:
                    book.discard_changes()
                self.frontier, self.size = frontier_before, size_before
                for key in new_keys:
                    self.idempotency.pop(key, None)
                state.dirty.__init__()  # type: ignore[misc]
                failure = Unavailable("the ledger could not write; nothing was applied",
                                      reason=type(exc).__name__)
                for req, _ in answers:
                    req.future.set_exception(failure)
                return
            if batch.tree_head is not None:
                self.last_head = sth
        router.forget_undo()
        state.dirty.__init__()  # type: ignore[misc]
        self.last_time_ms = now
        for req, answer in answers:
            if isinstance(answer, QingshanError):
                req.future.set_exception(answer)
            else:
                req.future.set_result(answer)

    def _replay(self, keys: list[str], hashes: list[str],
                pending: dict[str, Receipt]) -> list[Receipt] | QingshanError:
        """A key seen before: the same request gets the first answer; another request a 409."""
        matches = [self.idempotency.get(k, ("", 0))[0] == h for k, h in zip(keys, hashes,
                                                                              strict=True)]
        if not all(matches) or f"{keys[0].rsplit('#', 1)[0]}#{len(keys)}" in self.idempotency:
            return IdempotencyConflict("this Idempotency-Key was used for a different request",
                                       key=keys[0].split("/", 1)[1])
        out: list[Receipt] = []
        missing = [k for k in keys if k not in pending]
        stored = self.store.entries_by_keys(missing) if missing else {}
        for k in keys:
            if k in pending:
                r = pending[k]
                out.append(Receipt(r.seq, r.time_ms, r.kind, r.result, replayed=True))
            else:
                seq, data = stored[k]
                e = JournalEntry.from_canonical(data)
                out.append(Receipt(seq, e.time_ms, e.kind, e.result, replayed=True))
        return out

