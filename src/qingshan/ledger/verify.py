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


def _verify(store: LedgerStore, public_key: Ed25519PublicKey, report: VerifyReport,
            progress: Callable[[int, int], None] | None,
            make_books: Callable[[], Sequence[Book]]) -> None:
    q = store._fetchall
    total = int(q("SELECT COUNT(*) FROM journal")[0][0])
    heads = {int(r[0]): r for r in q("SELECT size, root, timestamp_ms, signature, key_id "
                                      "FROM tree_heads")}
    nodes = {(int(r[0]), int(r[1])): bytes(r[2])
             for r in q("SELECT level, idx, hash FROM log_nodes")}
    state = LedgerState()
    router = Router(state, make_books())
    for book in router.books:  # e.g. which entries a context replays under earlier rules
        book.configure(q)
    kinds = catalog(router.books)
    frontier = tlog.MerkleFrontier()
    seen_nodes = 0
    keys: set[str] = set()
    expected = 1
    while True:
        rows = q("SELECT seq, idem_key, entry, leaf_hash FROM journal WHERE seq >= ? "
                 "ORDER BY seq LIMIT ?", (expected, PAGE))
        if not rows:
            break
        lo, hi = int(rows[0][0]), int(rows[-1][0])
        postings: dict[int, list[tuple[str, str, int]]] = {}
        for seq, acct, asset, amount in q("SELECT seq, account, asset, amount FROM postings "
                                          "WHERE seq BETWEEN ? AND ?", (lo, hi)):
            postings.setdefault(int(seq), []).append((acct, asset, int(amount)))
        events: dict[int, list[tuple[str, int, int, str | None, str, str]]] = {}
        for seq, asset, s, e, src, dst, st in q(
                "SELECT seq, asset, serial_start, serial_end, from_account, to_account, state "
                "FROM serial_events WHERE seq BETWEEN ? AND ?", (lo, hi)):
            events.setdefault(int(seq), []).append((asset, int(s), int(e), src, dst, st))
        for seq_raw, key, text, leaf_raw in rows:
            seq = int(seq_raw)
            if seq != expected:
                report.problem(f"entry {expected} is missing (next is {seq})")
                expected = seq
            expected += 1
            report.entries += 1
            data = text.encode()
            if key in keys:
                report.problem(f"entry {seq}: idempotency key used twice")
            keys.add(key)
            leaf = tlog.leaf_hash(data)
            if leaf != bytes(leaf_raw):
                report.problem(f"entry {seq}: stored leaf hash does not match the entry")
            try:
                entry = JournalEntry.from_canonical(data)
            except Exception as exc:
                report.problem(f"entry {seq}: cannot be decoded ({exc})")
                continue
            if canonical(entry.to_dict()) != data:
                report.problem(f"entry {seq}: bytes are not in canonical form")
            if entry.seq != seq or entry.key != key:
                report.problem(f"entry {seq}: number or key inside differs from the row")
            try:
                cmd = command_from_payload(entry.kind, entry.payload, kinds)
                router.now_ms = entry.time_ms
                effects = router.apply(cmd, entry.actor, seq)
            except QingshanError as exc:
                report.problem(f"entry {seq}: replay refused ({exc.code}: {exc.message})")
                continue
            router.forget_undo()
            if effects.result != entry.result:
                report.problem(f"entry {seq}: replay gives {effects.result}, "
                               f"journal says {entry.result}")
            if sorted(effects.postings) != sorted(postings.get(seq, [])):
                report.problem(f"entry {seq}: stored postings differ from the replay")
            if sorted(effects.serial_events, key=repr) != sorted(events.get(seq, []), key=repr):
                report.problem(f"entry {seq}: stored serial events differ from the replay")
            for level, idx, node in frontier.append_stored(leaf):
                seen_nodes += 1
                if nodes.get((level, idx)) != node:
                    report.problem(f"log node ({level}, {idx}) is missing or wrong")
            head = heads.get(seq)
            if head is not None:
                report.tree_heads += 1
                sth = tlog.SignedTreeHead(tlog.TreeHead(seq, bytes(head[1]), int(head[2])),
                                          bytes(head[3]), head[4])
                if sth.head.root != frontier.root():
                    report.problem(f"tree head {seq}: root differs from the rebuilt tree")
                if not tlog.verify_tree_head(public_key, sth):
                    report.problem(f"tree head {seq}: signature does not verify")
            if progress is not None:
                progress(report.entries, total)
    if len(heads) != report.tree_heads:
        report.problem(f"{len(heads) - report.tree_heads} tree heads name sizes the journal "
                       "does not reach")
    if seen_nodes != len(nodes):
        report.problem(f"{len(nodes) - seen_nodes} stored log nodes are not in the tree")
    for text in check_invariants(state):
        report.problem(f"invariant: {text}")
    stored = LedgerState()
    stored_books = make_books()
    store.load(stored, stored_books)
    for replayed_book, stored_book in zip(router.books, stored_books, strict=True):
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
