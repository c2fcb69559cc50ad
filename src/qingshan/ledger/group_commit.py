"""Group commit: how the sequencer applies a group of requests and writes it in one transaction.

Each request is handled inside its own guard and unit of work: whatever fails while it is
handled — a payload that cannot be encoded, a handler's refusal or defect, a result that cannot
be journaled — answers that request alone (4xx for bad input, 500 for a defect) and undoes
what it changed; the others go on. The accepted entries of the group are then written in one
transaction. If the database refuses the transaction because of what is in it (a NUL byte in a
text on PostgreSQL, an integer beyond 64 bits, a broken constraint), the group is rolled back to
its mark and written again in halves, so only the request the database refuses gets the error.
A transaction that fails for another reason (connection lost, disk full) answers the whole
group with 503 ``unavailable``; a lost connection also reloads the book.

Idempotency: a single command is journaled under its scoped key ``<principal>/<key>``; the
commands of a batch under ``<key>#0``, ``<key>#1``, … A key seen before answers with the first
answer if the request is the same (same shape, same number of commands, same request hashes),
and with ``409 idempotency_conflict`` otherwise; it is never executed twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from concurrent.futures import Future, InvalidStateError
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from qingshan.errors import (
    BatchRejected,
    IdempotencyConflict,
    InternalError,
    InvalidInput,
    QingshanError,
    Unavailable,
)
from qingshan.ledger import transparency as tlog
from qingshan.ledger.books import Router
from qingshan.ledger.domain.commands import Command
from qingshan.ledger.domain.journal import JournalEntry, request_hash, unencodable
from qingshan.ledger.domain.model import Principal
from qingshan.ledger.domain.state import Effects, LedgerState
from qingshan.ledger.store import BatchWrite, LedgerStore

log = logging.getLogger("qingshan.ledger.sequencer")

Answer = list["Receipt"] | QingshanError


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


def _running_future() -> Future[list[Receipt]]:
    """A future its waiter cannot cancel: the writer answers every request exactly once."""
    fut: Future[list[Receipt]] = Future()
    fut.set_running_or_notify_cancel()
    return fut


@dataclass(slots=True)
class Request:
    commands: Sequence[Command]
    actor: Principal
    key: str  # scoped idempotency key
    keys: list[str]  # the journal key of each command: the key itself, or <key>#i in a batch
    batch: bool
    batch_first: str  # <key>#0: where a batch under this key keeps its first command
    queued_at: float  # time.monotonic() when it was queued
    future: Future[list[Receipt]] = field(default_factory=_running_future)


# a request applied and encoded, not yet part of the group: what each command produced (the
# command, its effects, its payload), the request hashes and the journal entries' bytes
_Ready = tuple[list[tuple[Command, Effects, dict[str, Any]]], list[str], list[bytes]]


@dataclass(slots=True)
class _Group:
    """One transaction in the making: what it will write and whom it will answer."""

    now: int
    mark: list[int]
    size_before: int
    frontier_before: tlog.MerkleFrontier
    batch: BatchWrite = field(default_factory=BatchWrite)
    answers: list[tuple[Request, Answer]] = field(default_factory=list)
    new_keys: list[str] = field(default_factory=list)
    pending: dict[str, Receipt] = field(default_factory=dict)
    head: tlog.SignedTreeHead | None = None
    committed: bool = False


class WriterInDoubt(Exception):
    """The book or the connection may no longer match the database: reload it."""


class GroupCommit:
    """The sequencer's writing half; :class:`~qingshan.ledger.sequencer.Sequencer` adds the
    thread, the queue, the supervisor and health."""

    store: LedgerStore
    state: LedgerState
    router: Router
    signing_key: Ed25519PrivateKey
    transparency_log: bool
    clock: Callable[[], int]  # Unix ms; read once per group, never allowed to go back

    def __init__(self) -> None:
        self.size = 0
        self.last_time_ms = 0
        self.idempotency: dict[str, tuple[str, int]] = {}  # journal key -> (hash, seq)
        self.frontier = tlog.MerkleFrontier()
        self.last_head: tlog.SignedTreeHead | None = None
        self._current: _Group | None = None

    # ------------------------------------------------------------------ a group
    def process(self, requests: list[Request]) -> None:
        """Apply, write and answer a group of requests."""
        self._commit(requests, max(self.clock(), self.last_time_ms))

    def _commit(self, requests: list[Request], now: int) -> None:
        g = self._apply_group(requests, now)
        self._current = g
        if self.size > g.size_before:
            try:
                self.store.write(g.batch, self.state, self.router.books)
            except Exception as exc:
                self._undo(g)
                self._current = None
                self._write_failed(requests, now, exc)
                return
            g.committed = True
            if g.head is not None:
                self.last_head = g.head
        self.router.forget_undo()
        self.state.dirty.__init__()  # type: ignore[misc]
        self.last_time_ms = now
        self.settle_committed()

    def settle_committed(self) -> None:
        """Answer the group in hand if its transaction committed (or wrote nothing)."""
        g, self._current = self._current, None
        if g is not None and (g.committed or self.size == g.size_before):
            for req, answer in g.answers:
                if isinstance(answer, QingshanError):  # (inline: the hot path)
                    req.future.set_exception(answer)
                else:
                    req.future.set_result(answer)

    def _undo(self, g: _Group) -> None:
        """The transaction failed: the book, the tree and the keys as before the group."""
        log.warning("batch write failed; rolling back %d entries", self.size - g.size_before)
        self.router.rollback_to(g.mark)
        for book in self.router.books:
            book.discard_changes()
        self.frontier, self.size = g.frontier_before, g.size_before
        for key in g.new_keys:
            self.idempotency.pop(key, None)
        self.state.dirty.__init__()  # type: ignore[misc]

    def _write_failed(self, requests: list[Request], now: int, exc: Exception) -> None:
        """Isolate the request the database refuses (halves, down to one request), or answer
        the whole group when the database could not write at all."""
        why = self.store.refusal(exc)
        if why is not None and len(requests) > 1:
            log.warning("the database refused a group of %d requests (%s: %s); writing it in "
                        "halves", len(requests), type(exc).__name__, exc)
            half = len(requests) // 2
            self._commit(requests[:half], now)
            self._commit(requests[half:], now)
            return
        failure: QingshanError
        if why == "value":
            log.warning("the database refused a value of request %s: %s", requests[0].key, exc)
            failure = InvalidInput("the database cannot store a value of this request; nothing "
                                   "was applied", reason=type(exc).__name__)
        elif why == "constraint":
            log.error("the database refused the rows of request %s: %s", requests[0].key, exc)
            failure = InternalError("the book and the database disagree; nothing was applied "
                                    "and the writer reloads its book", reason=type(exc).__name__)
        else:
            log.error("batch write failed: %s: %s", type(exc).__name__, exc)
            failure = Unavailable("the ledger could not write; nothing was applied",
                                  reason=type(exc).__name__)
        for req in requests:
            self._settle(req, failure)
        if why == "constraint" or not self.store.usable():
            raise WriterInDoubt(f"{type(exc).__name__} while writing") from exc

    def _apply_group(self, requests: list[Request], now: int) -> _Group:
        router = self.router
        router.now_ms = now
        g = _Group(now, router.mark(), self.size, self.frontier.copy())
        for req in requests:
            try:
                prepared = self._prepare(req, g)
            except Exception as exc:
                log.exception("request %s failed unexpectedly", req.key)
                prepared = InternalError("the request failed inside the platform; nothing "
                                         "was applied", reason=type(exc).__name__)
            if isinstance(prepared, tuple):
                g.answers.append((req, self._append(req, prepared, g)))
            else:
                g.answers.append((req, prepared))
        if self.size > g.size_before and self.transparency_log:
            head = tlog.TreeHead(size=self.size, root=self.frontier.root(), timestamp_ms=now)
            sth = tlog.sign_tree_head(self.signing_key, head)
            g.batch.tree_head = (head.size, head.root, head.timestamp_ms, sth.signature,
                                 sth.key_id)
            g.head = sth
        return g

    # ------------------------------------------------------------------ one request
    def _prepare(self, req: Request, g: _Group) -> _Ready | Answer:
        """Check, apply and encode one request in its own unit of work; nothing shared is
        changed yet (a failure rolls the request back and answers it alone). A refusal is the
        error itself (a single command) or lists every refused command of a batch; a defect
        is a 500 whatever the request's size."""
        commands = req.commands
        payloads = [c.to_payload() for c in commands]
        try:
            hashes = [request_hash(c.kind, p) for c, p in zip(commands, payloads, strict=True)]
        except TypeError:  # orjson's JSONEncodeError
            return self._unencodable(req, payloads)
        idem = self.idempotency
        if req.key in idem or req.batch_first in idem:
            return self._previous(req, hashes, g.pending)
        router, actor, keys, now = self.router, req.actor, req.keys, g.now
        mark = router.mark()
        produced: list[tuple[Command, Effects, dict[str, Any]]] = []
        entries: list[bytes] = []
        errors: list[dict[str, Any]] = []
        first_error: QingshanError | None = None
        try:
            for i, cmd in enumerate(commands):
                seq = self.size + len(produced) + 1
                try:
                    effects = router.apply(cmd, actor, seq)
                except QingshanError as exc:
                    errors.append({"index": i, **exc.to_dict()})
                    first_error = first_error or exc
                    if not req.batch:
                        break
                    continue
                produced.append((cmd, effects, payloads[i]))
                entries.append(JournalEntry(seq, now, actor, keys[i], cmd.kind, payloads[i],
                                            effects.result).canonical())
        except BaseException:
            router.rollback_to(mark)
            raise
        if first_error is None:
            return produced, hashes, entries
        router.rollback_to(mark)
        if not req.batch:
            return first_error
        return BatchRejected(f"{len(errors)} of {len(commands)} commands were refused; "
                             "nothing was applied", errors=errors)

    @staticmethod
    def _unencodable(req: Request, payloads: list[dict[str, Any]]) -> QingshanError:
        """Bad input named by field: a payload canonical JSON cannot hold (text that is not
        Unicode, an integer out of range); for a batch, every such command."""
        errors: list[dict[str, Any]] = []
        first: InvalidInput | None = None
        for i, (cmd, payload) in enumerate(zip(req.commands, payloads, strict=True)):
            try:
                request_hash(cmd.kind, payload)
            except TypeError:
                where = unencodable(payload)
                if where is None:
                    raise  # not bad input: a payload that is not JSON is a defect
                err = InvalidInput(f"{where[0]}: {where[1]}", field=where[0], kind=cmd.kind)
                first = first or err
                errors.append({"index": i, **err.to_dict()})
        assert first is not None
        if not req.batch:
            return first
        return BatchRejected(f"{len(errors)} of {len(req.commands)} commands cannot be "
                             "encoded; nothing was applied", errors=errors)

    def _previous(self, req: Request, hashes: list[str],
                  pending: dict[str, Receipt]) -> Answer:
        """A key used before: the first answer for the same request again; a conflict for
        anything else under that key (a single command against a batch, a batch of
        another size, other commands)."""
        idem = self.idempotency
        same_shape = (req.batch_first if req.batch else req.key) in idem
        if (not same_shape or (req.batch and f"{req.key}#{len(req.keys)}" in idem)
                or any(idem.get(k, ("", 0))[0] != h
                       for k, h in zip(req.keys, hashes, strict=True))):
            return IdempotencyConflict("this Idempotency-Key was used for a different request",
                                       key=req.key.split("/", 1)[1])
        return self._replay(req.keys, pending)

    def _replay(self, keys: list[str], pending: dict[str, Receipt]) -> Answer:
        missing = [k for k in keys if k not in pending]
        try:
            stored = self.store.entries_by_keys(missing) if missing else {}
        except Exception as exc:
            log.exception("reading the first answer failed")
            return Unavailable("the first answer could not be read; nothing was applied",
                               reason=type(exc).__name__)
        out: list[Receipt] = []
        for k in keys:
            if k in pending:
                r = pending[k]
                out.append(Receipt(r.seq, r.time_ms, r.kind, r.result, replayed=True))
            else:
                seq, data = stored[k]
                e = JournalEntry.from_canonical(data)
                out.append(Receipt(seq, e.time_ms, e.kind, e.result, replayed=True))
        return out

    def _append(self, req: Request, ready: _Ready, g: _Group) -> list[Receipt]:
        """Add an applied request to the group: journal rows, leaves, keys, receipts."""
        produced, hashes, entries = ready
        receipts: list[Receipt] = []
        batch, now, actor_id, keys = g.batch, g.now, req.actor.id, req.keys
        for j in range(len(produced)):
            cmd, effects, _ = produced[j]
            key, rhash, data = keys[j], hashes[j], entries[j]
            self.size += 1
            seq = self.size
            if self.transparency_log:
                leaf = tlog.leaf_hash(data)
                batch.nodes.extend(self.frontier.append_stored(leaf))
            else:
                leaf = b""
            batch.journal.append((seq, now, actor_id, key, rhash, cmd.kind, data.decode(), leaf))
            for acct, asset, amount in effects.postings:
                batch.postings.append((seq, acct, asset, amount))
            for asset, start, end, src, dst, st in effects.serial_events:
                batch.serial_events.append((seq, asset, start, end, src, dst, st))
            self.idempotency[key] = (rhash, seq)
            g.new_keys.append(key)
            receipt = Receipt(seq, now, cmd.kind, effects.result)
            g.pending[key] = receipt
            receipts.append(receipt)
        return receipts

    @staticmethod
    def _settle(req: Request, answer: Answer) -> None:
        """Answer a request once; one already answered keeps its first answer."""
        try:
            if isinstance(answer, QingshanError):
                req.future.set_exception(answer)
            else:
                req.future.set_result(answer)
        except InvalidStateError:
            pass
