"""The sequencer: every write to the ledger goes through this one thread.

It takes requests from a queue, as many as are waiting (group commit), and for each request
runs the use-case handlers (:meth:`LedgerState.apply`: check, then do) inside a unit of work that
rolls back by default: a refused command, or a refused command of an all-or-nothing batch,
undoes everything that request changed. The accepted entries of the whole group are written in
one transaction with one fsync, their leaves appended to the transparency log and the new tree
head signed in the same transaction. Only then are the callers answered: an acknowledged write
is durable.

No request can stop the writer: whatever fails while one request is handled (encoding, hashing,
a handler, the database refusing one of its values) answers that request alone, and the rest of
its group commits (:mod:`qingshan.ledger.group_commit`). If an exception ever escapes the loop,
a supervisor answers the group in hand, reloads the book from the database and starts the loop
again. Stopping answers every waiting request with :class:`~qingshan.errors.Unavailable` and
releases the writer lock.

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
from dataclasses import asdict, dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from qingshan.errors import (
    BatchTooLarge,
    InternalError,
    InvalidInput,
    NotLeader,
    QingshanError,
    Unavailable,
)
from qingshan.ledger import transparency as tlog
from qingshan.ledger.books import Book, Router, catalog
from qingshan.ledger.domain.commands import Command
from qingshan.ledger.domain.model import Principal
from qingshan.ledger.domain.state import LedgerState
from qingshan.ledger.group_commit import GroupCommit, Receipt, Request
from qingshan.ledger.store import LedgerStore

__all__ = ["MAX_KEY", "Receipt", "Sequencer", "WriterHealth", "scoped_key", "tune_collector"]

log = logging.getLogger(__name__)

MAX_KEY = 200


def wall_clock_ms() -> int:
    """The sequencer's default clock: Unix time in milliseconds."""
    return time.time_ns() // 1_000_000
BEAT_SECONDS = 1.0  # an idle writer still beats this often
MAX_RESTART_DELAY = 2.0  # seconds between attempts to reload a book that cannot be reloaded
HEALTHY = frozenset({"starting", "standby", "leader"})


def scoped_key(actor: Principal, key: str) -> str:
    """Idempotency keys are per principal, so one principal never sees another's result.
    ``#`` is kept for the keys of a batch's commands (``<key>#0``, ``<key>#1``, …)."""
    if (not isinstance(key, str) or not 1 <= len(key) <= MAX_KEY or not key.isprintable()
            or "#" in key):
        raise InvalidInput(f"an Idempotency-Key of 1 to {MAX_KEY} printable characters other "
                           "than '#' is required on every write", field="Idempotency-Key")
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


@dataclass(frozen=True, slots=True)
class WriterHealth:
    """The writer's liveness and lag, cheap to read (no database)."""

    ok: bool
    status: str  # starting, standby, leader, stalled, restarting, stopped or dead
    alive: bool  # the writer thread runs
    leader: bool  # it holds the writer lock
    heartbeat_age_ms: int  # since the loop last went round (it does at least every second)
    queue_depth: int  # requests waiting for the writer
    in_flight: int  # requests in the group being applied and written
    oldest_wait_ms: int  # how long the oldest request in flight has waited
    restarts: int  # times the supervisor restarted the loop

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class Sequencer(GroupCommit):
    def __init__(self, store: LedgerStore, signing_key: Ed25519PrivateKey, *,
                 group_commit_max: int = 4096, max_batch: int = 1000,
                 transparency_log: bool = True,
                 books: Callable[[], Sequence[Book]] = tuple,
                 stall_after: float = 30.0,
                 clock: Callable[[], int] = wall_clock_ms) -> None:
        """``books`` makes the contexts' books, fresh and empty (again whenever the book is
        reloaded). ``stall_after`` (s): a request waiting longer, or a loop that has not gone
        round for longer, makes the writer unhealthy. ``transparency_log=False`` exists only
        for the benchmark that measures the log's cost: entries then get no Merkle leaf and
        no signed tree head, and such a database fails ``qingshan log verify``.

        ``clock`` gives the time (Unix ms) each group of entries is stamped with, read once per
        group and never allowed to go back (an entry is never older than the one before it).
        It is the wall clock; the demo loader, which loads only into a new database, replaces
        it (``sequencer.clock = …``) to replay years of history day by day."""
        super().__init__()
        self.clock = clock
        self.store = store
        self.transparency_log = transparency_log
        self.signing_key = signing_key
        self.key_id = tlog.key_id(signing_key.public_key())
        self.group_commit_max = group_commit_max
        self.max_batch = max_batch
        self.stall_after = stall_after
        self._make_books = books
        self.state = LedgerState()
        self.router = Router(self.state, books())
        self.catalog = catalog(self.router.books)
        self._queue: queue.SimpleQueue[Request | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._intake = threading.Lock()  # between submitting and refusing new requests
        self._accepting = False
        self.leader = threading.Event()  # set while this instance holds the writer lock
        self.status = "starting"
        self.restarts = 0
        self._beat = time.monotonic()
        self._group: list[Request] | None = None  # the requests in flight
        self._failed: BaseException | None = None

    # ------------------------------------------------------------------ life cycle
    def start(self, *, wait_leader: float | None = 30.0) -> None:
        """Start the thread; wait up to ``wait_leader`` s for the writer lock (None: don't)."""
        self._thread = threading.Thread(target=self._run, name="qingshan-sequencer", daemon=True)
        self._thread.start()
        if wait_leader is None:
            return
        deadline = time.monotonic() + wait_leader
        while not self.leader.wait(0.05):
            if self._failed is not None:  # it could not start: say why at once
                raise self._failed
            if time.monotonic() > deadline:
                log.warning("sequencer is a standby: another instance holds the writer lock")
                return

    def begin_stop(self) -> None:
        """Refuse new requests, answer every waiting one with 503 ``unavailable`` and tell the
        thread to stop after the group in flight (which is written and answered). Returns at
        once: safe to call from a server's shutdown."""
        with self._intake:
            self._accepting = False
            self._stop.set()
        self._refuse_waiting(Unavailable("the writer is stopping; nothing was applied"))
        self._queue.put(None)  # wake the thread

    def stop(self, timeout: float = 30.0) -> None:
        """Stop: answer every waiting request with 503, let the group in flight finish, end
        the thread and release the writer lock (a standby takes over). Idempotent."""
        self.begin_stop()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
            if thread.is_alive():
                log.error("the writer did not stop within %.0f s", timeout)
                return
        self.store.close()  # the thread closed it already; this covers one never started

    def __enter__(self) -> Sequencer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------------ health
    def health(self) -> WriterHealth:
        now = time.monotonic()
        thread = self._thread
        alive = thread is not None and thread.is_alive()
        group = self._group
        oldest = int((now - group[0].queued_at) * 1000) if group else 0
        beat = int((now - self._beat) * 1000)
        status = self.status
        if not alive:
            status = "stopped" if self._stop.is_set() else ("dead" if thread else "starting")
        elif status == "leader" and max(oldest, beat) > self.stall_after * 1000:
            status = "stalled"
        return WriterHealth(ok=alive and status in HEALTHY, status=status, alive=alive,
                            leader=self.leader.is_set(), heartbeat_age_ms=beat,
                            queue_depth=self._queue.qsize(), in_flight=len(group or ()),
                            oldest_wait_ms=oldest, restarts=self.restarts)

    # ------------------------------------------------------------------ submitting
    def submit(self, commands: Sequence[Command], actor: Principal, key: str, *,
               batch: bool | None = None) -> Future[list[Receipt]]:
        """Queue commands under one idempotency key: either all are applied or none, and a
        refusal lists every failing command. ``batch`` says whether the request is a batch
        (default: when it has more than one command); a key used for a single command cannot
        be used for a batch, nor the other way round."""
        if not commands:
            raise InvalidInput("no commands given", field="commands")
        if len(commands) > self.max_batch:
            raise BatchTooLarge(f"at most {self.max_batch} commands in one batch",
                                limit=self.max_batch, given=len(commands))
        scoped = scoped_key(actor, key)
        is_batch = len(commands) > 1 if batch is None else batch
        keys = [f"{scoped}#{i}" for i in range(len(commands))] if is_batch else [scoped]
        req = Request(commands, actor, scoped, keys, is_batch, f"{scoped}#0", time.monotonic())
        with self._intake:
            if not self._accepting:
                raise self._not_accepting()
            self._queue.put(req)
        return req.future

    def _not_accepting(self) -> Unavailable:
        if self._stop.is_set() or self.status in ("stopped", "dead"):
            return Unavailable("the writer has stopped; nothing was applied")
        if self.status == "restarting":
            return Unavailable("the writer is restarting; nothing was applied")
        return NotLeader("this instance is a standby; the writer is elsewhere")

    def execute(self, commands: Sequence[Command], actor: Principal, key: str,
                timeout: float = 60.0) -> list[Receipt]:
        """Submit and wait (for the CLI, tests and in-process callers)."""
        return self.submit(commands, actor, key).result(timeout)

    def execute_one(self, command: Command, actor: Principal, key: str) -> Receipt:
        return self.execute([command], actor, key)[0]

    # ------------------------------------------------------------------ the supervisor
    def _run(self) -> None:
        try:
            self._supervise()
        except BaseException:  # nothing a supervisor restarts after: the writer ends
            log.critical("the writer ended on an exception it cannot recover from",
                         exc_info=True)
        finally:
            self._end()

    def _supervise(self) -> None:
        """Lead and serve; when an exception escapes, answer what is in hand, reload the book
        from the database and serve again, until told to stop. A failure before the first
        start ends the thread (``start`` raises it)."""
        served = False
        delay = 0.0
        while not self._stop.is_set():
            try:
                if not self._lead():
                    return
                served, delay = True, 0.0
                self._serve()
                return
            except Exception as exc:
                if not served:
                    self._failed = exc
                    log.exception("sequencer failed to start")
                    return
                self.restarts += 1
                log.exception("the writer failed; restarting it (restart %d)", self.restarts)
                self._recover(exc)
                self._stop.wait(delay)
                delay = min(max(delay * 2, 0.05), MAX_RESTART_DELAY)

    def _lead(self) -> bool:
        """Wait for the writer lock as a standby, then load the book. False: told to stop."""
        if not self.store.try_acquire_writer_lock():
            self.status = "standby"  # another instance writes (it may have taken over)
            if not self.store.acquire_writer_lock(self._beating_stop):
                return False
            self.status = "starting"
        self.store.open()
        self._load()
        with self._intake:
            if self._stop.is_set():
                return False
            self._accepting = True
        self.status = "leader"
        self.leader.set()
        return True

    def _beating_stop(self) -> bool:
        self._beat = time.monotonic()
        return self._stop.is_set()

    def _load(self) -> None:
        """Fresh books filled from the projection tables, the log's frontier rebuilt."""
        gc.unfreeze()  # a previous book, if any, may now be collected
        state = LedgerState()
        router = Router(state, self._make_books())
        loaded = self.store.load(state, router.books)
        self.state, self.router = state, router
        self.size, self.last_time_ms = loaded.size, loaded.last_time_ms
        self.idempotency, self.frontier = loaded.idempotency, loaded.frontier
        # the book is long-lived: move it out of the collector's sight so a full
        # collection does not walk millions of objects in the middle of a request
        gc.collect()
        gc.freeze()
        tune_collector()

    def _serve(self) -> None:
        while True:
            self._beat = time.monotonic()
            try:
                first = self._queue.get(timeout=BEAT_SECONDS)
            except queue.Empty:
                continue
            if first is None or self._stop.is_set():
                if first is not None:
                    self._settle(first, Unavailable("the writer is stopping; nothing was "
                                                    "applied"))
                return
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
            self._group = group
            self.process(group)
            self._group = None
            if self._stop.is_set():
                return

    def _recover(self, exc: BaseException) -> None:
        """After an escaped exception: stop taking requests, answer the group in hand (its
        committed part with its receipts, the rest with 500: nothing of it was applied),
        answer the waiting ones with 503, and let go of the connection and the lock; the
        supervisor then loads the book again as on a start."""
        with self._intake:
            self._accepting = False
        self.status = "restarting"
        self.leader.clear()
        self._answer_in_hand(InternalError(
            "the writer failed while handling this request and restarted; nothing of it was "
            "applied", reason=type(exc).__name__))
        self._refuse_waiting(Unavailable("the writer is restarting; nothing was applied"))
        self.store.close()

    def _end(self) -> None:
        """The thread ends (stopped, or killed by something no supervisor catches): nothing is
        left unanswered and the writer lock is released, so a standby takes over."""
        with self._intake:
            self._accepting = False
        self.leader.clear()
        self.status = "stopped" if self._stop.is_set() else "dead"
        self._answer_in_hand(Unavailable("the writer stopped before this request was stored; "
                                         "nothing was applied"))
        self._refuse_waiting(Unavailable("the writer has stopped; nothing was applied"))
        self.store.close()

    def _answer_in_hand(self, failure: QingshanError) -> None:
        group, self._group = self._group, None
        self.settle_committed()
        for req in group or ():
            self._settle(req, failure)

    def _refuse_waiting(self, failure: QingshanError) -> None:
        while True:
            try:
                req = self._queue.get_nowait()
            except queue.Empty:
                return
            if req is not None:
                self._settle(req, failure)
