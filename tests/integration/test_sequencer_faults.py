"""The writer cannot be stopped, poisoned or fooled by one request (SQLite and PostgreSQL).

Commands here are built directly, bypassing the edges' parsers: whatever reaches the sequencer,
it answers that request and goes on."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import Future
from typing import Any

import pytest

from qingshan.errors import (
    BatchRejected,
    InternalError,
    InvalidInput,
    Unavailable,
)
from qingshan.infra.config import Settings
from qingshan.ledger import transparency as tlog
from qingshan.ledger.books import Router
from qingshan.ledger.domain.commands import Command, OpenAccount, Transfer
from qingshan.ledger.domain.model import SYSTEM, AccountType, Principal, Role
from qingshan.ledger.domain.state import LedgerState
from qingshan.ledger.sequencer import Receipt, Sequencer
from qingshan.ledger.store import LedgerStore
from qingshan.platform import Platform
from tests.support.book import ALICE, ALICE2, ALICE_KEY, ALICE_P, BOB, SETUP, TREASURY, fund, issue
from tests.support.writer import wait_until, writes_blocked

AUDITOR = Principal("k-auditor", Role.AUDITOR, None)
WAIT = 20.0  # seconds: a writer that died would leave these futures unanswered forever


def seed(plat: Platform) -> None:
    plat.sequencer.execute(list(SETUP), SYSTEM, "setup")
    plat.sequencer.execute([issue(ALICE, 1000), fund(ALICE, 10_000)], SYSTEM, "seed")


def answer(fut: Future[list[Receipt]]) -> list[Receipt]:
    return fut.result(WAIT)


def send(seq: Sequencer, commands: list[Command], actor: Principal, key: str) -> list[Receipt]:
    return answer(seq.submit(commands, actor, key))


def stored_book(plat: Platform) -> tuple[Any, ...]:
    """The book as the database holds it (a fresh load), to compare with the writer's."""
    store = LedgerStore(plat.settings.database_url)
    store.open()
    try:
        state = LedgerState()
        books = plat.make_books()
        Router(state, books)
        loaded = store.load(state, books)
    finally:
        store.close()
    return (state.blocks, state.balances, state.held_funds, state.holds, loaded.size,
            loaded.frontier.root(), [b.snapshot() for b in books])


def writer_book(seq: Sequencer) -> tuple[Any, ...]:
    s = seq.state
    return (s.blocks, s.balances, s.held_funds, s.holds, seq.size, seq.frontier.root(),
            [b.snapshot() for b in seq.router.books])


def wait_leading(seq: Sequencer) -> None:
    """Until the writer leads again (after a restart it may wait a moment as a standby: on
    PostgreSQL the server lets go of the old session's lock a little after it closes)."""
    wait_until(lambda: seq.health().status == "leader", what="the writer to lead again")
    assert seq.health().ok


@pytest.fixture
def plat(platform: Platform) -> Iterator[Platform]:
    seed(platform)
    yield platform


# ------------------------------------------------------------------ one request cannot stop it
@pytest.mark.parametrize("actor", [AUDITOR, ALICE_KEY], ids=["auditor", "member"])
def test_text_that_cannot_be_encoded_is_refused_and_the_writer_goes_on(
        plat: Platform, actor: Principal) -> None:
    seq = plat.sequencer
    size = seq.size
    with pytest.raises(InvalidInput) as exc:
        send(seq, [Transfer("CNY", ALICE, BOB, 1, memo="lone \ud800 surrogate")], actor, "bad")
    assert exc.value.status == 422 and exc.value.data["field"] == "memo"
    r = send(seq, [Transfer("CNY", ALICE, BOB, 7)], ALICE_KEY, "after")[0]
    assert r.seq == size + 1 and seq.health().ok
    assert plat.verify().problems == []


def test_a_batch_names_every_command_that_cannot_be_encoded(plat: Platform) -> None:
    seq = plat.sequencer
    size = seq.size
    with pytest.raises(BatchRejected) as exc:
        send(seq, [Transfer("CNY", ALICE, BOB, 1), Transfer("CNY", ALICE, BOB, 1, memo="\udfff"),
                   Transfer("CNY", ALICE, BOB, 2**64)], ALICE_KEY, "bad-batch")
    errors = exc.value.data["errors"]
    assert [(e["index"], e["data"]["field"]) for e in errors] == [(1, "memo"), (2, "quantity")]
    assert seq.size == size
    assert send(seq, [Transfer("CNY", ALICE, BOB, 1)], ALICE_KEY, "bad-batch")[0].seq == size + 1


def test_a_defect_while_hashing_is_a_500_and_the_writer_goes_on(
        plat: Platform, monkeypatch: pytest.MonkeyPatch) -> None:
    real = Transfer.to_payload

    def broken(self: Transfer) -> dict[str, Any]:
        if self.memo == "boom":
            raise RuntimeError("a defect in to_payload")
        return real(self)

    monkeypatch.setattr(Transfer, "to_payload", broken)
    seq = plat.sequencer
    before = writer_book(seq)
    with pytest.raises(InternalError) as exc:
        send(seq, [Transfer("CNY", ALICE, BOB, 1, memo="boom")], ALICE_KEY, "defect")
    assert exc.value.status == 500
    assert writer_book(seq) == before
    assert send(seq, [Transfer("CNY", ALICE, BOB, 3)], ALICE_KEY, "ok")[0].result == {"amount": 3}


def test_a_result_that_cannot_be_encoded_is_refused_and_rolled_back(
        plat: Platform, monkeypatch: pytest.MonkeyPatch) -> None:
    seq = plat.sequencer
    real = LedgerState._handlers[OpenAccount]

    def echoing(self: LedgerState, cmd: OpenAccount, actor: Principal) -> Any:
        effects = real(self, cmd, actor)
        effects.result["label"] = cmd.label + "\ud800"  # a handler echoing broken text back
        return effects

    monkeypatch.setitem(LedgerState._handlers, OpenAccount, echoing)
    before = writer_book(seq)
    with pytest.raises(InternalError):
        send(seq, [OpenAccount(ALICE_P, AccountType.HOLDING, "x")], SYSTEM, "echo")
    assert writer_book(seq) == before == stored_book(plat)
    monkeypatch.undo()
    assert send(seq, [OpenAccount(ALICE_P, AccountType.HOLDING, "x")], SYSTEM, "echo")


# ------------------------------------------------------------------ the supervisor
def fail_once(monkeypatch: pytest.MonkeyPatch, owner: Any, name: str) -> dict[str, int]:
    """Make ``owner.name`` raise the first time it is called, then behave."""
    real = getattr(owner, name)
    calls = {"n": 0}

    def flaky(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError(f"a defect in {name}")
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, flaky)
    return calls


def test_an_exception_escaping_before_the_commit_restarts_the_loop_and_applies_nothing(
        plat: Platform, monkeypatch: pytest.MonkeyPatch) -> None:
    seq = plat.sequencer
    size = seq.size
    fail_once(monkeypatch, tlog, "sign_tree_head")
    with pytest.raises(InternalError):
        send(seq, [Transfer("CNY", ALICE, BOB, 5)], ALICE_KEY, "escape")
    wait_leading(seq)
    assert seq.health().restarts == 1 and seq.size == size
    assert writer_book(seq) == stored_book(plat)
    r = send(seq, [Transfer("CNY", ALICE, BOB, 5)], ALICE_KEY, "escape")[0]
    assert not r.replayed and r.seq == size + 1
    assert plat.verify().problems == []


def test_an_exception_escaping_after_the_commit_answers_with_the_committed_receipt(
        plat: Platform, monkeypatch: pytest.MonkeyPatch) -> None:
    seq = plat.sequencer
    size = seq.size
    fail_once(monkeypatch, Router, "forget_undo")
    r = send(seq, [Transfer("CNY", ALICE, BOB, 5), Transfer("CQCER", ALICE, BOB, 2)], ALICE_KEY,
             "late")
    assert [x.seq for x in r] == [size + 1, size + 2]
    wait_leading(seq)
    assert seq.health().restarts == 1
    assert writer_book(seq) == stored_book(plat)
    again = send(seq, [Transfer("CNY", ALICE, BOB, 5), Transfer("CQCER", ALICE, BOB, 2)],
                 ALICE_KEY, "late")
    assert [x.to_dict() for x in again] == [x.to_dict() for x in r]
    assert seq.state.balances[(BOB, "CNY")] == 5
    assert plat.verify().problems == []


def test_the_supervisor_keeps_trying_while_the_book_cannot_be_reloaded(
        plat: Platform, monkeypatch: pytest.MonkeyPatch) -> None:
    seq = plat.sequencer
    broken = threading.Event()
    broken.set()
    real_load = LedgerStore.load

    def load(self: LedgerStore, *args: Any, **kwargs: Any) -> Any:
        if broken.is_set():
            raise OSError("database unreachable")
        return real_load(self, *args, **kwargs)

    monkeypatch.setattr(LedgerStore, "load", load)
    fail_once(monkeypatch, tlog, "sign_tree_head")
    with pytest.raises(InternalError):
        send(seq, [Transfer("CNY", ALICE, BOB, 1)], ALICE_KEY, "r1")
    wait_until(lambda: seq.health().status == "restarting", what="the restart")
    health = seq.health()
    assert not health.ok and health.alive
    with pytest.raises(Unavailable):  # answered while the book is away, never left hanging
        send(seq, [Transfer("CNY", ALICE, BOB, 1)], ALICE_KEY, "r2")
    broken.clear()
    wait_leading(seq)
    assert send(seq, [Transfer("CNY", ALICE, BOB, 1)], ALICE_KEY, "r3")
    assert writer_book(seq) == stored_book(plat)


class _Fatal(BaseException):
    """Something no supervisor should swallow (as SystemExit would be)."""


def test_a_writer_that_dies_anyway_answers_waiting_requests_and_releases_its_lock(
        plat: Platform, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    seq = plat.sequencer
    standby = Sequencer(LedgerStore(settings.database_url), seq.signing_key)
    standby.start(wait_leader=0.3)
    try:
        def fatal(*_: Any) -> None:
            raise _Fatal

        real_write, inside = LedgerStore.write, threading.Event()

        def entered(self: LedgerStore, *args: Any, **kwargs: Any) -> Any:
            inside.set()
            return real_write(self, *args, **kwargs)

        monkeypatch.setattr(LedgerStore, "write", entered)
        with writes_blocked(settings.database_url):
            first = seq.submit([Transfer("CNY", ALICE, BOB, 1)], ALICE_KEY, "d0")
            wait_until(lambda: seq.health().in_flight == 1, what="the first write")
            # (in flight is not yet inside the store's write: under load the writer could
            # reach it only after the next line, and die on the first write instead)
            assert inside.wait(WAIT), "the writer never reached the store"
            monkeypatch.setattr(LedgerStore, "write", fatal)
            waiting = [seq.submit([Transfer("CNY", ALICE, BOB, 1)], ALICE_KEY, f"d{i}")
                       for i in range(1, 6)]
        committed = answer(first)[0].seq  # the write in flight was stored and answered
        for fut in waiting:  # the group the writer died on: answered, not left hanging
            with pytest.raises(Unavailable):
                answer(fut)
        wait_until(lambda: not seq.health().alive, what="the writer to end")
        assert not seq.health().ok and seq.health().status == "dead"
        with pytest.raises(Unavailable):
            seq.submit([Transfer("CNY", ALICE, BOB, 1)], ALICE_KEY, "late")
        monkeypatch.undo()
        assert standby.leader.wait(WAIT), "the writer lock was not released"
        assert standby.size == committed
        r = send(standby, [Transfer("CNY", ALICE, BOB, 1)], ALICE_KEY, "d1")[0]
        assert not r.replayed and r.seq == committed + 1
    finally:
        standby.stop()


# ------------------------------------------------------------------ liveness and lag
def test_health_says_not_ok_while_the_writer_is_stuck(settings: Settings) -> None:
    plat = Platform.open(settings.model_copy(update={"writer_stall_seconds": 0.3}))
    try:
        seed(plat)
        seq = plat.sequencer
        h = seq.health()
        assert h.ok and h.alive and h.leader and h.status == "leader" and h.queue_depth == 0
        with writes_blocked(settings.database_url):
            fut = seq.submit([Transfer("CNY", ALICE, BOB, 1)], ALICE_KEY, "stuck")
            # (stalled once a wait is longer than 300 ms: at exactly 300 the writer is still ok)
            wait_until(lambda: seq.health().oldest_wait_ms > 300, what="a long wait")
            h = seq.health()
            assert not h.ok and h.status == "stalled" and h.alive and h.in_flight == 1
        assert answer(fut)[0].seq == seq.size
        wait_until(lambda: seq.health().ok, what="the writer to catch up")
    finally:
        plat.close()


# ------------------------------------------------------------------ shutdown
def test_stop_answers_every_waiting_request_and_a_standby_takes_over(
        plat: Platform, settings: Settings) -> None:
    seq = plat.sequencer
    standby = Sequencer(LedgerStore(settings.database_url), seq.signing_key)
    standby.start(wait_leader=0.3)
    try:
        with writes_blocked(settings.database_url):
            first = seq.submit([Transfer("CNY", ALICE, BOB, 1)], ALICE_KEY, "s0")
            wait_until(lambda: seq.health().in_flight == 1, what="the first write")
            waiting = [seq.submit([Transfer("CNY", ALICE, BOB, 1)], ALICE_KEY, f"s{i}")
                       for i in range(1, 11)]
            stopper = threading.Thread(target=seq.stop)
            stopper.start()
            for fut in waiting:  # answered at once, while the write in flight still waits
                with pytest.raises(Unavailable) as exc:
                    answer(fut)
                assert exc.value.code == "unavailable"
            with pytest.raises(Unavailable):
                seq.submit([Transfer("CNY", ALICE, BOB, 1)], ALICE_KEY, "s11")
        stopper.join(WAIT)
        assert not stopper.is_alive()
        committed = answer(first)[0].seq  # the write in flight was stored and answered
        assert standby.leader.wait(WAIT), "the standby did not take over"
        assert standby.size == committed
        # the refused requests were not applied: their keys execute afresh on the standby
        r = send(standby, [Transfer("CNY", ALICE, BOB, 1)], ALICE_KEY, "s1")[0]
        assert not r.replayed and r.seq == committed + 1
        assert standby.state.balances[(BOB, "CNY")] == 2
    finally:
        standby.stop()


# ------------------------------------------------------------------ group-commit isolation
def poisons(url: str) -> list[Command]:
    """Commands the database itself refuses (the sequencer's own checks let them through)."""
    out: list[Command] = [Transfer("CNY", TREASURY, ALICE2, 2**63)]  # beyond a BIGINT
    if not url.startswith("sqlite"):
        out.append(OpenAccount(ALICE_P, AccountType.HOLDING, "nul \x00 byte"))  # text, no NUL
    return out


def test_a_command_the_database_refuses_fails_alone_and_its_group_commits(
        plat: Platform, settings: Settings) -> None:
    seq = plat.sequencer
    url = settings.database_url
    for n, poison in enumerate(poisons(url)):
        start = seq.size
        bob = seq.state.balances.get((BOB, "CNY"), 0)
        with writes_blocked(url):
            blocker = seq.submit([Transfer("CNY", ALICE, BOB, 1)], ALICE_KEY, f"block{n}")
            wait_until(lambda: seq.health().in_flight == 1, what="the blocking write")
            honest = [seq.submit([Transfer("CNY", ALICE, BOB, 1)], ALICE_KEY, f"h{n}-{i}")
                      for i in range(15)]
            bad = seq.submit([poison], SYSTEM, f"poison{n}")
            honest += [seq.submit([Transfer("CNY", ALICE, BOB, 1)], ALICE_KEY, f"h{n}-{i}")
                       for i in range(15, 30)]
        answer(blocker)
        with pytest.raises(InvalidInput) as exc:
            answer(bad)
        assert exc.value.status == 422
        seqs = sorted(answer(f)[0].seq for f in honest)
        assert seqs == list(range(start + 2, start + 32))
        assert seq.state.balances[(BOB, "CNY")] == bob + 31
        assert writer_book(seq) == stored_book(plat)
    assert plat.verify().problems == []
    plat.close()
    again = Platform.open(settings)
    try:
        assert again.sequencer.size == seq.size
        assert again.sequencer.state.balances[(BOB, "CNY")] == 31 * len(poisons(url))
        assert again.verify().problems == []
    finally:
        again.close()
