"""The sequencer on a real database (SQLite and PostgreSQL): durability, idempotency,
all-or-nothing batches, rollback on a failed write, standby, verification."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from qingshan.errors import (
    BatchRejected,
    BatchTooLarge,
    IdempotencyConflict,
    InsufficientUnits,
    InvalidInput,
    NotLeader,
    Unavailable,
)
from qingshan.infra.config import Settings
from qingshan.ledger import queries
from qingshan.ledger.domain.commands import Transfer
from qingshan.ledger.domain.model import SYSTEM
from qingshan.ledger.sequencer import Sequencer
from qingshan.ledger.store import LedgerStore
from qingshan.platform import Platform
from tests.support.book import ALICE, ALICE_KEY, BOB, SETUP, fund, issue


def seed(plat: Platform) -> None:
    plat.sequencer.execute(list(SETUP), SYSTEM, "setup")
    plat.sequencer.execute([issue(ALICE, 1000), fund(ALICE, 10_000)], SYSTEM, "seed")


def verify(plat: Platform) -> list[str]:
    return plat.verify().problems


def test_acknowledged_writes_survive_a_restart(settings: Settings) -> None:
    plat = Platform.open(settings)
    seed(plat)
    r = plat.sequencer.execute_one(Transfer("CQCER", ALICE, BOB, 10), ALICE_KEY, "t1")
    blocks = dict(plat.sequencer.state.blocks)
    root = plat.sequencer.frontier.root()
    plat.close()
    again = Platform.open(settings)
    try:
        assert again.sequencer.size == r.seq
        assert again.sequencer.state.blocks == blocks
        assert again.sequencer.frontier.root() == root
        assert verify(again) == []
        # and the log continues where it stopped
        r2 = again.sequencer.execute_one(Transfer("CQCER", ALICE, BOB, 5), ALICE_KEY, "t2")
        assert r2.seq == r.seq + 1
        assert verify(again) == []
    finally:
        again.close()


def test_replayed_key_returns_the_first_result(platform: Platform) -> None:
    seed(platform)
    first = platform.sequencer.execute_one(Transfer("CQCER", ALICE, BOB, 10), ALICE_KEY, "k")
    again = platform.sequencer.execute_one(Transfer("CQCER", ALICE, BOB, 10), ALICE_KEY, "k")
    assert again.replayed and again.to_dict() == first.to_dict()
    assert platform.sequencer.state.active_quantity(BOB, "CQCER") == 10


def test_same_key_with_another_request_is_a_conflict(platform: Platform) -> None:
    seed(platform)
    platform.sequencer.execute_one(Transfer("CQCER", ALICE, BOB, 10), ALICE_KEY, "k")
    size = platform.sequencer.size
    with pytest.raises(IdempotencyConflict):
        platform.sequencer.execute_one(Transfer("CQCER", ALICE, BOB, 11), ALICE_KEY, "k")
    assert platform.sequencer.size == size


T1, T2, T3 = (Transfer("CQCER", ALICE, BOB, 1), Transfer("CNY", ALICE, BOB, 2),
              Transfer("CQCER", ALICE, BOB, 3))
REUSES = {  # (first request, second request under the same key): (commands, is a batch)
    "single then a batch starting with it": (([T1], False), ([T1, T2], True)),
    "batch then a single of its first command": (([T1, T2], True), ([T1], False)),
    "batch then a smaller batch": (([T1, T2, T3], True), ([T1, T2], True)),
    "batch then a larger batch": (([T1, T2], True), ([T1, T2, T3], True)),
    "batch then another batch of its size": (([T1, T2], True), ([T1, T3], True)),
    "single then a batch of that one command": (([T1], False), ([T1], True)),
    "batch of one then that command alone": (([T1], True), ([T1], False)),
    "single then another command": (([T1], False), ([T2], False)),
}


@pytest.mark.parametrize(("first", "second"), REUSES.values(), ids=REUSES.keys())
def test_a_reused_key_with_another_request_is_refused_and_never_executed(
        platform: Platform, first: tuple[list[Transfer], bool],
        second: tuple[list[Transfer], bool]) -> None:
    seed(platform)
    seq = platform.sequencer
    answered = seq.submit(first[0], ALICE_KEY, "K", batch=first[1]).result(20)
    size, book = seq.size, (dict(seq.state.balances), dict(seq.state.blocks))
    with pytest.raises(IdempotencyConflict) as exc:
        seq.submit(second[0], ALICE_KEY, "K", batch=second[1]).result(20)
    assert exc.value.status == 409 and exc.value.data["key"] == "K"
    assert seq.size == size and (dict(seq.state.balances), dict(seq.state.blocks)) == book
    again = seq.submit(first[0], ALICE_KEY, "K", batch=first[1]).result(20)
    assert [r.to_dict() for r in again] == [r.to_dict() for r in answered]
    assert all(r.replayed for r in again)
    assert verify(platform) == []


def test_a_replay_gives_the_first_answer_from_the_same_group_and_from_the_journal(
        platform: Platform) -> None:
    seed(platform)
    seq = platform.sequencer
    batch = [Transfer("CQCER", ALICE, BOB, 10), Transfer("CNY", ALICE, BOB, 5)]
    futures = [seq.submit(batch, ALICE_KEY, "b") for _ in range(5)]  # some in one group
    first, *others = [f.result(20) for f in futures]
    platform.close()
    again = Platform.open(platform.settings)
    try:
        stored = again.sequencer.execute(batch, ALICE_KEY, "b")
        for answer in [*others, stored]:
            assert [r.to_dict() for r in answer] == [r.to_dict() for r in first]
            assert all(r.replayed for r in answer)
    finally:
        again.close()


def test_an_idempotency_key_with_a_hash_sign_is_refused(platform: Platform) -> None:
    with pytest.raises(InvalidInput) as exc:  # '#' marks the keys of a batch's commands
        platform.sequencer.submit([Transfer("CQCER", ALICE, BOB, 1)], ALICE_KEY, "K#0")
    assert exc.value.data["field"] == "Idempotency-Key"


def test_keys_are_scoped_to_their_principal(platform: Platform) -> None:
    seed(platform)
    platform.sequencer.execute_one(Transfer("CQCER", ALICE, BOB, 10), ALICE_KEY, "same")
    r = platform.sequencer.execute_one(Transfer("CQCER", ALICE, BOB, 10), SYSTEM, "same")
    assert not r.replayed


def test_concurrent_requests_with_one_key_have_one_effect(platform: Platform) -> None:
    seed(platform)
    futures = [platform.sequencer.submit([Transfer("CQCER", ALICE, BOB, 7)], ALICE_KEY, "once")
               for _ in range(20)]
    results = [f.result(30)[0] for f in futures]
    assert len({r.seq for r in results}) == 1
    assert sum(not r.replayed for r in results) == 1
    assert platform.sequencer.state.active_quantity(BOB, "CQCER") == 7


def test_batch_is_all_or_nothing_and_lists_every_error(platform: Platform) -> None:
    seed(platform)
    size = platform.sequencer.size
    cmds = [Transfer("CQCER", ALICE, BOB, 10), Transfer("CQCER", ALICE, BOB, 5000),
            Transfer("CNY", ALICE, BOB, 1), Transfer("CNY", ALICE, BOB, 999_999)]
    with pytest.raises(BatchRejected) as exc:
        platform.sequencer.execute(cmds, ALICE_KEY, "b1")
    assert [e["index"] for e in exc.value.data["errors"]] == [1, 3]
    assert [e["code"] for e in exc.value.data["errors"]] == ["insufficient_units",
                                                             "insufficient_funds"]
    assert platform.sequencer.size == size
    assert platform.sequencer.state.active_quantity(BOB, "CQCER") == 0
    ok = platform.sequencer.execute(cmds[:1] + cmds[2:3], ALICE_KEY, "b2")
    assert [r.seq for r in ok] == [size + 1, size + 2]
    assert verify(platform) == []


def test_oversized_batch_is_refused(platform: Platform) -> None:
    limit = platform.sequencer.max_batch
    with pytest.raises(BatchTooLarge):
        platform.sequencer.submit([Transfer("CQCER", ALICE, BOB, 1)] * (limit + 1), ALICE_KEY,
                                  "big")


def test_missing_idempotency_key_is_refused(platform: Platform) -> None:
    with pytest.raises(InvalidInput):
        platform.sequencer.submit([Transfer("CQCER", ALICE, BOB, 1)], ALICE_KEY, "")


def test_refused_command_leaves_the_database_unchanged(platform: Platform) -> None:
    seed(platform)
    with platform.engine.connect() as conn:
        before = queries.holdings(conn, ALICE)
    with pytest.raises(InsufficientUnits):
        platform.sequencer.execute_one(Transfer("CQCER", ALICE, BOB, 10_000), ALICE_KEY, "x")
    with platform.engine.connect() as conn:
        assert queries.holdings(conn, ALICE) == before


def test_failed_transaction_rolls_the_book_back(platform: Platform,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    seed(platform)
    seq = platform.sequencer
    before = (dict(seq.state.blocks), dict(seq.state.balances), seq.size, seq.frontier.root())

    def broken(*_: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(seq.store, "write", broken)
    with pytest.raises(Unavailable):
        seq.execute([Transfer("CQCER", ALICE, BOB, 10), Transfer("CNY", ALICE, BOB, 5)],
                    ALICE_KEY, "will-fail")
    assert (dict(seq.state.blocks), dict(seq.state.balances), seq.size,
            seq.frontier.root()) == before
    monkeypatch.undo()
    r = seq.execute([Transfer("CQCER", ALICE, BOB, 10)], ALICE_KEY, "will-fail")
    assert not r[0].replayed and r[0].seq == before[2] + 1
    assert verify(platform) == []


def test_second_sequencer_waits_as_a_standby(platform: Platform, settings: Settings) -> None:
    seed(platform)
    standby = Sequencer(LedgerStore(settings.database_url),
                        platform.sequencer.signing_key)
    standby.start(wait_leader=0.5)
    try:
        assert not standby.leader.is_set()
        with pytest.raises(NotLeader):
            standby.submit([Transfer("CQCER", ALICE, BOB, 1)], ALICE_KEY, "s1")
        platform.sequencer.execute_one(Transfer("CQCER", ALICE, BOB, 3), ALICE_KEY, "p1")
        platform.sequencer.stop()
        assert standby.leader.wait(10), "the standby did not take over"
        r = standby.execute_one(Transfer("CQCER", ALICE, BOB, 4), ALICE_KEY, "s2")
        assert standby.state.active_quantity(BOB, "CQCER") == 7
        assert r.seq == platform.sequencer.size + 1
    finally:
        standby.stop()


def test_reads_do_not_wait_for_a_writer(platform: Platform) -> None:
    seed(platform)
    writer = platform.engine.connect()
    tx = writer.begin()
    try:
        if platform.engine.dialect.name == "sqlite":
            writer.exec_driver_sql("UPDATE accounts SET label = 'x' WHERE id = 'A00000004'")
        else:
            writer.execute(text("LOCK TABLE unit_blocks IN EXCLUSIVE MODE"))
        started = time.monotonic()
        done = threading.Event()

        def read() -> None:
            with platform.engine.connect() as conn:
                queries.holdings(conn, ALICE)
                queries.stats(conn)
            done.set()

        threading.Thread(target=read).start()
        assert done.wait(5), "a read waited for an open write transaction"
        assert time.monotonic() - started < 5
    finally:
        tx.rollback()
        writer.close()


def test_verify_finds_a_tampered_journal_and_projection(platform: Platform,
                                                        tmp_path: Path) -> None:
    seed(platform)
    platform.sequencer.execute_one(Transfer("CQCER", ALICE, BOB, 10), ALICE_KEY, "t")
    assert verify(platform) == []
    with platform.engine.begin() as conn:
        owner = conn.execute(text("SELECT account FROM unit_blocks WHERE id = 1")).scalar_one()
        conn.execute(text("UPDATE unit_blocks SET account = 'A00000006' WHERE id = 1"))
    problems = verify(platform)
    assert any("stored blocks differ" in p for p in problems)
    with platform.engine.begin() as conn:
        conn.execute(text("UPDATE unit_blocks SET account = :a WHERE id = 1"), {"a": owner})
        entry = conn.execute(text("SELECT entry FROM journal WHERE seq = 5")).scalar_one()
        conn.execute(text("UPDATE journal SET entry = :e WHERE seq = 5"),
                     {"e": entry.replace('"name":"bob"', '"name":"eve"')})
    problems = verify(platform)
    assert any("leaf hash does not match" in p for p in problems)


def test_a_defect_in_a_handler_is_a_500_and_the_sequencer_carries_on(
        platform: Platform, monkeypatch: pytest.MonkeyPatch) -> None:
    from qingshan.errors import InternalError
    from qingshan.ledger.domain.state import LedgerState

    seed(platform)
    real = LedgerState.apply_transfer

    def buggy(self: LedgerState, cmd: Transfer, actor: object) -> object:
        if cmd.memo == "boom":
            self._set(self.balances, ("A00000004", "CNY"), -1)  # half-done, then a crash
            raise KeyError("defect")
        return real(self, cmd, actor)  # type: ignore[arg-type]

    monkeypatch.setitem(LedgerState._handlers, Transfer, buggy)
    before = dict(platform.sequencer.state.balances)
    with pytest.raises(InternalError):
        platform.sequencer.execute([Transfer("CNY", ALICE, BOB, 1),
                                    Transfer("CNY", ALICE, BOB, 1, memo="boom")],
                                   ALICE_KEY, "bug")
    assert platform.sequencer.state.balances == before
    r = platform.sequencer.execute_one(Transfer("CNY", ALICE, BOB, 7), ALICE_KEY, "after")
    assert r.result == {"amount": 7}
    assert verify(platform) == []


def test_entries_take_the_time_of_the_sequencers_clock_and_never_go_back(
        platform: Platform) -> None:
    """An injected clock (the demo's, replaying history) stamps the journal; rules that depend
    on the time (trading sessions) follow it, and log verify replays them identically."""
    import datetime as dt

    from qingshan.market.book import OutsideTradingHours
    from qingshan.market.commands import CreateInstrument, PlaceOrder

    beijing = dt.timezone(dt.timedelta(hours=8))

    def at(*when: int) -> int:
        return int(dt.datetime(*when, tzinfo=beijing).timestamp() * 1000)

    seq = platform.sequencer
    now = [at(2021, 11, 1, 10, 0)]  # a Monday, inside the session
    seq.clock = lambda: now[0]
    seq.execute(list(SETUP), SYSTEM, "setup")
    # (credits of a period that had ended by then: a 2023 period could not be issued in 2021)
    seq.execute([issue(ALICE, 1000, vintage=2020), fund(ALICE, 10_000)], SYSTEM, "seed")
    first = seq.execute_one(Transfer("CQCER", ALICE, BOB, 10), ALICE_KEY, "t1")
    assert first.time_ms == at(2021, 11, 1, 10, 0)
    now[0] = at(2021, 11, 1, 9, 0)  # the clock goes back: the entry keeps the last time
    assert seq.execute_one(Transfer("CQCER", ALICE, BOB, 1), ALICE_KEY, "t2").time_ms == \
        first.time_ms
    seq.execute_one(CreateInstrument(id="CQCER-ALL", asset="CQCER", tick=1, lot=1, band_bps=1000,
                                     reference_price=2500, max_order=10_000, fee_bps=30,
                                     fee_account="A00000006", sessions=((570, 690), (780, 900))),
                    SYSTEM, "listing")
    order = PlaceOrder.from_payload({"instrument": "CQCER-ALL", "account": ALICE,
                                     "side": "sell", "price": 2500, "quantity": 5})
    now[0] = at(2021, 11, 6, 10, 0)  # a Saturday
    with pytest.raises(OutsideTradingHours):
        seq.execute_one(order, ALICE_KEY, "saturday")
    now[0] = at(2021, 11, 8, 10, 30)
    placed = seq.execute_one(order, ALICE_KEY, "monday")
    assert placed.time_ms == at(2021, 11, 8, 10, 30)
    with platform.engine.connect() as conn:
        times = [e["time"] for e in queries.journal_page(conn, limit=500)]
    assert times == sorted(times) and times[-1] == placed.time_ms
    assert min(times) == at(2021, 11, 1, 10, 0)
    assert verify(platform) == []
