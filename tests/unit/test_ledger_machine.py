"""Random operation sequences on the pure book (Hypothesis stateful testing).

After every step: no serial in two blocks and no gap (the blocks tile the issued serials),
live + retired = issued − cancelled, no negative balance outside a treasury, a retired serial
never moves again, and a refused command changes nothing.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from qingshan.errors import QingshanError
from qingshan.ledger.domain.commands import (
    CancelUnits,
    Command,
    EnforceHold,
    PlaceHold,
    ReleaseHold,
    RetireUnits,
    SetAccountStatus,
    Transfer,
)
from qingshan.ledger.domain.invariants import check_invariants, supply_by_state
from qingshan.ledger.domain.model import (
    SYSTEM,
    AccountStatus,
    BlockState,
    HoldKind,
    Principal,
    RetirementPurpose,
    SerialRange,
)
from tests.support.book import (
    ALICE,
    ALICE2,
    ALICE_KEY,
    BOB,
    BOB_KEY,
    COURT_KEY,
    RETIREMENT,
    fund,
    issue,
    make_book,
)

HOLDERS = [ALICE, ALICE2, BOB]
OWNER = {ALICE: ALICE_KEY, ALICE2: ALICE_KEY, BOB: BOB_KEY}
ACTORS = [SYSTEM, ALICE_KEY, BOB_KEY, COURT_KEY]
holders = st.sampled_from(HOLDERS)
actors = st.sampled_from(ACTORS)
quantities = st.integers(min_value=1, max_value=60)


def fingerprint(state: Any) -> tuple[Any, ...]:
    return (tuple(sorted(state.blocks.items())), tuple(sorted(state.balances.items())),
            tuple(sorted(state.held_funds.items())), tuple(sorted(state.holds.items())),
            tuple(sorted(state.accounts.items())), tuple(sorted(state.counters.items())))


class LedgerMachine(RuleBasedStateMachine):
    @initialize()
    def setup(self) -> None:
        self.book = make_book()
        self.retired: list[SerialRange] = []
        self.accepted = 0
        self.refused = 0

    def attempt(self, cmd: Command, actor: Principal) -> dict[str, Any] | None:
        state = self.book.state
        before = fingerprint(state)
        try:
            effects = state.apply(cmd, actor)
        except QingshanError:
            assert fingerprint(state) == before, "a refused command changed the book"
            self.refused += 1
            return None
        state.forget_undo()
        self.accepted += 1
        return effects.result

    def _pick_range(self, account: str, data: st.DataObject) -> tuple[SerialRange, ...] | None:
        blocks = list(self.book.state.active_blocks(account, "CQCER"))
        if not blocks:
            return None
        b = data.draw(st.sampled_from(blocks))
        start = data.draw(st.integers(b.start, b.end))
        end = data.draw(st.integers(start, b.end))
        return (SerialRange(start, end),)

    @rule(account=holders, qty=st.integers(1, 200), vintage=st.integers(2019, 2024))
    def issue_units(self, account: str, qty: int, vintage: int) -> None:
        self.attempt(issue(account, qty, vintage), SYSTEM)

    @rule(src=holders, dst=holders, qty=quantities, actor=actors)
    def transfer_by_quantity(self, src: str, dst: str, qty: int, actor: Principal) -> None:
        if src != dst:
            self.attempt(Transfer("CQCER", src, dst, qty), actor)

    @rule(src=holders, dst=holders, data=st.data())
    def transfer_by_ranges(self, src: str, dst: str, data: st.DataObject) -> None:
        ranges = self._pick_range(src, data)
        if src != dst and ranges:
            self.attempt(Transfer("CQCER", src, dst, ranges[0].quantity, ranges), OWNER[src])

    @rule(account=holders, qty=quantities, actor=actors, data=st.data(),
          by_range=st.booleans())
    def retire(self, account: str, qty: int, actor: Principal, data: st.DataObject,
               by_range: bool) -> None:
        ranges = self._pick_range(account, data) if by_range else None
        if ranges:
            qty = ranges[0].quantity
        result = self.attempt(RetireUnits("CQCER", account, qty,
                                          RetirementPurpose.COMPLIANCE, "b", "", "", ranges),
                              actor)
        if result is not None:
            self.retired += [SerialRange(s, e) for s, e in result["ranges"]]

    @rule(account=holders, qty=quantities)
    def cancel(self, account: str, qty: int) -> None:
        self.attempt(CancelUnits("CQCER", account, qty, "to CCER", "CCER", ""), OWNER[account])

    @rule(account=holders, qty=quantities, kind=st.sampled_from(list(HoldKind)),
          actor=actors, asset=st.sampled_from(["CQCER", "CNY"]))
    def place_hold(self, account: str, qty: int, kind: HoldKind, actor: Principal,
                   asset: str) -> None:
        self.attempt(PlaceHold(kind, asset, account, qty, None, ""), actor)

    @rule(data=st.data(), actor=actors)
    def release(self, data: st.DataObject, actor: Principal) -> None:
        if self.book.state.holds:
            hid = data.draw(st.sampled_from(sorted(self.book.state.holds)))
            self.attempt(ReleaseHold(hid, ""), actor)

    @rule(data=st.data(), dst=holders, actor=actors,
          qty=st.none() | st.integers(1, 60), keep_rest=st.booleans())
    def enforce(self, data: st.DataObject, dst: str, actor: Principal, qty: int | None,
                keep_rest: bool) -> None:
        if self.book.state.holds:
            hid = data.draw(st.sampled_from(sorted(self.book.state.holds)))
            self.attempt(EnforceHold(hid, dst, qty, "", keep_rest), actor)

    @rule(account=holders, amount=st.integers(1, 10_000))
    def deposit(self, account: str, amount: int) -> None:
        self.attempt(fund(account, amount), SYSTEM)

    @rule(src=holders, dst=holders, amount=st.integers(1, 5_000), actor=actors)
    def pay(self, src: str, dst: str, amount: int, actor: Principal) -> None:
        if src != dst:
            self.attempt(Transfer("CNY", src, dst, amount), actor)

    @rule(account=holders, status=st.sampled_from([AccountStatus.FROZEN, AccountStatus.OPEN]))
    def set_status(self, account: str, status: AccountStatus) -> None:
        self.attempt(SetAccountStatus(account, status, "test"), SYSTEM)

    @rule(src=holders, dst=holders, qty=quantities)
    def rolled_back_transfer_leaves_no_trace(self, src: str, dst: str, qty: int) -> None:
        state = self.book.state
        before = fingerprint(state)
        mark = state.mark()
        try:
            state.apply(Transfer("CQCER", src, dst, qty), SYSTEM)
            state.apply(issue(dst, qty), SYSTEM)
        except QingshanError:
            pass
        state.rollback_to(mark)
        assert fingerprint(state) == before

    @invariant()
    def conservation_laws_hold(self) -> None:
        assert check_invariants(self.book.state) == []
        s = supply_by_state(self.book.state, "CQCER")
        assert s["active"] + s["held"] + s["retired"] == s["issued"] - s["cancelled"]

    @invariant()
    def retired_serials_never_move(self) -> None:
        for r in self.retired:
            b = self.book.state.block_at("CQCER", r.start)
            assert b is not None and b.state is BlockState.RETIRED and b.account == RETIREMENT
            assert b.end >= r.end or all(
                (x := self.book.state.block_at("CQCER", n)) is not None
                and x.state is BlockState.RETIRED for n in (r.start, r.end))

    @invariant()
    def no_negative_balance_outside_treasury(self) -> None:
        for (acct, _), bal in self.book.state.balances.items():
            if acct in HOLDERS:
                assert bal >= 0


LedgerMachine.TestCase.settings = settings(
    max_examples=150, stateful_step_count=40, deadline=None,
    suppress_health_check=[HealthCheck.too_slow])
test_ledger_machine = LedgerMachine.TestCase
