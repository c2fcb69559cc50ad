"""``qingshan log verify``: recompute everything from the journal and check it.

1. Entries are numbered 1, 2, 3, … with no gap, idempotency keys are unique, and each stored
   leaf hash is the hash of the entry's canonical bytes (and the bytes are canonical).
2. Replaying every command, as its recorded actor, through the same handlers gives the
   recorded result, postings and serial events: the journal alone determines the book.
3. The replayed book obeys every conservation law (:mod:`~qingshan.ledger.domain.invariants`).
4. The replayed book equals the stored projection (blocks, balances, holds, …).
5. The Merkle tree rebuilt from the leaves gives every stored tile node and every signed tree
   head's root, and every signature verifies with the log's public key.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from qingshan.errors import QingshanError
from qingshan.ledger import transparency as tlog
from qingshan.ledger.books import Book, Router, catalog
from qingshan.ledger.domain.commands import command_from_payload
from qingshan.ledger.domain.invariants import check_invariants
from qingshan.ledger.domain.journal import JournalEntry, canonical
from qingshan.ledger.domain.state import LedgerState
from qingshan.ledger.store import LedgerStore

PAGE = 5000


@dataclass
class VerifyReport:
    entries: int = 0
    tree_heads: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def problem(self, text: str) -> None:
        if len(self.problems) < 1000:
            self.problems.append(text)


def verify_ledger(url: str, public_key: Ed25519PublicKey,
                  progress: Callable[[int, int], None] | None = None,
                  books: Callable[[], Sequence[Book]] = lambda: ()) -> VerifyReport:
    """``books`` makes fresh, empty books of the contexts (one set to replay into and one to
    load the stored state into)."""
    report = VerifyReport()
    store = LedgerStore(url)
    store.open()
    try:
        _verify(store, public_key, report, progress, books)
    finally:
        store.close()
    return report


Postings = dict[int, list[tuple[str, str, int]]]
Events = dict[int, list[tuple[str, int, int, str | None, str, str]]]


def _verify(store: LedgerStore, public_key: Ed25519PublicKey, report: VerifyReport,
            progress: Callable[[int, int], None] | None,
            make_books: Callable[[], Sequence[Book]]) -> None:
    replay = Replay(store, public_key, report, make_books())
    total = int(store._fetchall("SELECT COUNT(*) FROM journal")[0][0])
    replay.run(lambda: None if progress is None else progress(report.entries, total))
    replay.check_log_complete()
    for text in check_invariants(replay.state):
        report.problem(f"invariant: {text}")
    for book in replay.router.books:
        for text in book.invariants():
            report.problem(f"invariant ({book.name}): {text}")
    compare_with_stored(store, replay.state, replay.router.books, make_books(), report)


class Replay:
    """Steps 1, 2 and 5: the journal page by page, each entry checked, replayed into fresh
    books and appended to a rebuilt Merkle tree."""

    def __init__(self, store: LedgerStore, public_key: Ed25519PublicKey,
                 report: VerifyReport, books: Sequence[Book]) -> None:
        q = self.q = store._fetchall
        self.public_key = public_key
        self.report = report
        self.heads = {int(r[0]): r for r in q("SELECT size, root, timestamp_ms, signature, "
                                               "key_id FROM tree_heads")}
        self.nodes = {(int(r[0]), int(r[1])): bytes(r[2])
                      for r in q("SELECT level, idx, hash FROM log_nodes")}
        self.state = LedgerState()
        self.router = Router(self.state, books)
        for book in self.router.books:  # e.g. which entries a context replays under earlier rules
            book.configure(q)
        self.kinds = catalog(self.router.books)
        self.frontier = tlog.MerkleFrontier()
        self.seen_nodes = 0
        self.keys: set[str] = set()
        self.expected = 1

    def run(self, tick: Callable[[], None]) -> None:
        while True:
            rows = self.q("SELECT seq, idem_key, entry, leaf_hash FROM journal WHERE seq >= ? "
                          "ORDER BY seq LIMIT ?", (self.expected, PAGE))
            if not rows:
                return
            postings, events = self._stored_effects(int(rows[0][0]), int(rows[-1][0]))
            for seq_raw, key, text, leaf_raw in rows:
                if self._entry(int(seq_raw), key, text.encode(), bytes(leaf_raw), postings,
                               events):
                    tick()

    def _stored_effects(self, lo: int, hi: int) -> tuple[Postings, Events]:
        postings: Postings = {}
        for seq, acct, asset, amount in self.q("SELECT seq, account, asset, amount FROM "
                                               "postings WHERE seq BETWEEN ? AND ?", (lo, hi)):
            postings.setdefault(int(seq), []).append((acct, asset, int(amount)))
        events: Events = {}
        for seq, asset, s, e, src, dst, st in self.q(
                "SELECT seq, asset, serial_start, serial_end, from_account, to_account, state "
                "FROM serial_events WHERE seq BETWEEN ? AND ?", (lo, hi)):
            events.setdefault(int(seq), []).append((asset, int(s), int(e), src, dst, st))
        return postings, events

    def _entry(self, seq: int, key: str, data: bytes, leaf_raw: bytes, postings: Postings,
               events: Events) -> bool:
        """Check and replay one entry; False if it could not be replayed."""
        report = self.report
        if seq != self.expected:
            report.problem(f"entry {self.expected} is missing (next is {seq})")
            self.expected = seq
        self.expected += 1
        report.entries += 1
        if key in self.keys:
            report.problem(f"entry {seq}: idempotency key used twice")
        self.keys.add(key)
        leaf = tlog.leaf_hash(data)
        if leaf != leaf_raw:
            report.problem(f"entry {seq}: stored leaf hash does not match the entry")
        entry = self._decode(seq, key, data)
        if entry is None or not self._replay(seq, entry, postings, events):
            return False  # (nor is it appended to the rebuilt tree)
        self._append_leaf(seq, leaf)
        return True

    def _decode(self, seq: int, key: str, data: bytes) -> JournalEntry | None:
        try:
            entry = JournalEntry.from_canonical(data)
        except Exception as exc:
            self.report.problem(f"entry {seq}: cannot be decoded ({exc})")
            return None
        if canonical(entry.to_dict()) != data:
            self.report.problem(f"entry {seq}: bytes are not in canonical form")
        if entry.seq != seq or entry.key != key:
            self.report.problem(f"entry {seq}: number or key inside differs from the row")
        return entry

    def _replay(self, seq: int, entry: JournalEntry, postings: Postings,
                events: Events) -> bool:
        report = self.report
        try:
            cmd = command_from_payload(entry.kind, entry.payload, self.kinds)
            self.router.now_ms = entry.time_ms
            effects = self.router.apply(cmd, entry.actor, seq)
        except QingshanError as exc:
            report.problem(f"entry {seq}: replay refused ({exc.code}: {exc.message})")
            return False
        self.router.forget_undo()
        if effects.result != entry.result:
            report.problem(f"entry {seq}: replay gives {effects.result}, "
                           f"journal says {entry.result}")
        if sorted(effects.postings) != sorted(postings.get(seq, [])):
            report.problem(f"entry {seq}: stored postings differ from the replay")
        if sorted(effects.serial_events, key=repr) != sorted(events.get(seq, []), key=repr):
            report.problem(f"entry {seq}: stored serial events differ from the replay")
        return True

    def _append_leaf(self, seq: int, leaf: bytes) -> None:
        """Grow the rebuilt tree by one leaf: its new nodes must be the stored ones, and a
        signed head stored at this size must have its root and a valid signature."""
        report = self.report
        for level, idx, node in self.frontier.append_stored(leaf):
            self.seen_nodes += 1
            if self.nodes.get((level, idx)) != node:
                report.problem(f"log node ({level}, {idx}) is missing or wrong")
        head = self.heads.get(seq)
        if head is None:
            return
        report.tree_heads += 1
        sth = tlog.SignedTreeHead(tlog.TreeHead(seq, bytes(head[1]), int(head[2])),
                                  bytes(head[3]), head[4])
        if sth.head.root != self.frontier.root():
            report.problem(f"tree head {seq}: root differs from the rebuilt tree")
        if not tlog.verify_tree_head(self.public_key, sth):
            report.problem(f"tree head {seq}: signature does not verify")

    def check_log_complete(self) -> None:
        """Every stored head and node was reached by the journal."""
        if len(self.heads) != self.report.tree_heads:
            self.report.problem(f"{len(self.heads) - self.report.tree_heads} tree heads name "
                                "sizes the journal does not reach")
        if self.seen_nodes != len(self.nodes):
            self.report.problem(f"{len(self.nodes) - self.seen_nodes} stored log nodes are not "
                                "in the tree")


def compare_with_stored(store: LedgerStore, state: LedgerState, replayed: Sequence[Book],
                        stored_books: Sequence[Book], report: VerifyReport) -> None:
    """Step 4: the replayed books equal the stored projection."""
    stored = LedgerState()
    store.load(stored, stored_books)
    for replayed_book, stored_book in zip(replayed, stored_books, strict=True):
        if replayed_book.snapshot() != stored_book.snapshot():
            report.problem(f"stored {replayed_book.name} book differs from the replayed journal")
    for name in ("parties", "accounts", "assets", "issuances", "blocks", "holds",
                 "retirements", "next_serial", "counters"):
        if getattr(stored, name) != getattr(state, name):
            report.problem(f"stored {name} differ from the replayed journal")
    if {k: v for k, v in stored.balances.items() if v} != \
            {k: v for k, v in state.balances.items() if v}:
        report.problem("stored balances differ from the replayed journal")
    if {k: v for k, v in stored.held_funds.items() if v} != \
            {k: v for k, v in state.held_funds.items() if v}:
        report.problem("stored held funds differ from the replayed journal")
