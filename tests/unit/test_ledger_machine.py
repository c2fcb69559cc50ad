"""Random operation sequences on the pure book (Hypothesis stateful testing).

After every step: no serial in two blocks and no gap (the blocks tile the issued serials),
live + retired = issued − cancelled, no negative balance outside a treasury, a retired serial
never moves again, and a refused command changes nothing. After every accepted command:
nothing left a frozen account (but for a court's freeze), a hold was resolved only by the
operator or the bank or court role of its controller, and enforced only into the
controller's own account or the destination it named.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from qingshan.errors import QingshanError
from qingshan.ledger.domain.commands import (
    CancelUnits,
    Command,
    EnforceHold,
    OpenAccount,
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
    AccountType,
    BlockState,
    HoldKind,
    Principal,
    RetirementPurpose,
    Role,
    SerialRange,
)
from tests.support.book import (
    ALICE,
    ALICE2,
    ALICE_KEY,
    ALICE_P,
    BOB,
    BOB_KEY,
    COURT_KEY,
    COURT_MEMBER,
    COURT_P,
    RETIREMENT,
    add_bank,
    fund,
    issue,
    make_book,
)
from tests.support.search import search

BANK_P, BANK = "P000005", "A00000007"  # made by add_bank in setup
COURT = "A00000008"  # the court's own account, opened in setup
BANK_KEY = Principal("k-bank", Role.BANK, BANK_P)
BANK_MEMBER = Principal("k-bank-member", Role.MEMBER, BANK_P)
HOLDERS = [ALICE, ALICE2, BOB]
OWNER = {ALICE: ALICE_KEY, ALICE2: ALICE_KEY, BOB: BOB_KEY}
ACTORS = [SYSTEM, ALICE_KEY, BOB_KEY, COURT_KEY, COURT_MEMBER, BANK_KEY, BANK_MEMBER]
RESOLVER = {HoldKind.PLEDGE: Role.BANK, HoldKind.JUDICIAL_FREEZE: Role.COURT}
holders = st.sampled_from(HOLDERS)
destinations = st.sampled_from([*HOLDERS, BANK, COURT])
ACCOUNT_OF = {BANK_P: BANK, COURT_P: COURT, ALICE_P: ALICE2, "P000003": BOB}
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
        assert add_bank(self.book) == (BANK_P, BANK, BANK_KEY, BANK_MEMBER)
        assert self.book.run(OpenAccount(COURT_P, AccountType.HOLDING, "court")).result == {
            "account": COURT}
        for account in HOLDERS:  # something to hold from the first step
            self.book.run(issue(account, 100))
            self.book.run(fund(account, 5_000))
        self.retired: list[SerialRange] = []
        self.accepted = 0
        self.refused = 0

    def attempt(self, cmd: Command, actor: Principal) -> dict[str, Any] | None:
        state = self.book.state
        before = fingerprint(state)
        frozen = {a: self.holding(a) for a, acct in state.accounts.items()
                  if acct.status is AccountStatus.FROZEN}
        hold = state.holds.get(cmd.hold) if isinstance(cmd, ReleaseHold | EnforceHold) \
            else None
        try:
            effects = state.apply(cmd, actor)
        except QingshanError:
            assert fingerprint(state) == before, "a refused command changed the book"
            self.refused += 1
            return None
        state.forget_undo()
        self.accepted += 1
        if hold is not None:
            self.check_resolution(cmd, actor, hold)
        if not (isinstance(cmd, EnforceHold) and hold is not None
                and hold.kind is HoldKind.JUDICIAL_FREEZE):
            for account, had in frozen.items():
                assert self.holding(account) >= had, f"{cmd.kind} took from frozen {account}"
        return effects.result

    def holding(self, account: str) -> tuple[int, int]:
        """Live units (active or held) and the balance of an account."""
        state = self.book.state
        return (sum(b.quantity for b in state.blocks.values() if b.account == account
                    and b.state in (BlockState.ACTIVE, BlockState.HELD)),
                state.balance(account, "CNY"))

    def check_resolution(self, cmd: Command, actor: Principal, hold: Any) -> None:
        """An accepted release or enforcement came from someone entitled to it."""
        assert hold.kind is not HoldKind.MARKET_ORDER
        if actor.role not in (Role.OPERATOR, Role.SYSTEM):
            assert actor.role is RESOLVER.get(hold.kind) and actor.party_id == hold.controller
        if isinstance(cmd, EnforceHold):
            assert cmd.destination == hold.destination or \
                self.book.state.accounts[cmd.destination].party_id == hold.controller

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
        result = self.attempt(RetireUnits(asset="CQCER", account=account, quantity=qty,
                                          purpose=RetirementPurpose.COMPLIANCE, beneficiary="b",
                                          reason="", reference="", ranges=ranges),
                              actor)
        if result is not None:
            self.retired += [SerialRange(s, e) for s, e in result["ranges"]]

    @rule(account=holders, qty=quantities)
    def cancel(self, account: str, qty: int) -> None:
        self.attempt(CancelUnits(asset="CQCER", account=account, quantity=qty, reason="to CCER",
                                 destination="CCER", reference=""), OWNER[account])

    @rule(account=holders, qty=quantities, kind=st.sampled_from(list(HoldKind)),
          actor=actors, asset=st.sampled_from(["CQCER", "CNY"]),
          controller=st.sampled_from([None, BANK_P, COURT_P, ALICE_P]),
          destination=st.none() | destinations)
    def place_hold(self, account: str, qty: int, kind: HoldKind, actor: Principal,
                   asset: str, controller: str | None, destination: str | None) -> None:
        self.attempt(PlaceHold(hold_kind=kind, asset=asset, account=account, quantity=qty,
                               controller=controller, reference="",
                               destination=destination), actor)

    @rule(account=holders, qty=st.integers(1, 30), kind=st.sampled_from(
              [HoldKind.PLEDGE, HoldKind.ESCROW, HoldKind.JUDICIAL_FREEZE]),
          by_operator=st.booleans(), asset=st.sampled_from(["CQCER", "CQCER", "CNY"]),
          destination=st.none() | destinations)
    def place_hold_as_entitled(self, account: str, qty: int, kind: HoldKind,
                               by_operator: bool, asset: str, destination: str | None) -> None:
        """Holds that are mostly accepted: a pledge for the bank, a court's freeze, escrow."""
        actor = SYSTEM if by_operator else (COURT_KEY if kind is HoldKind.JUDICIAL_FREEZE
                                            else OWNER[account])
        controller = {HoldKind.PLEDGE: BANK_P, HoldKind.JUDICIAL_FREEZE: COURT_P}.get(kind)
        self.attempt(PlaceHold(hold_kind=kind, asset=asset, account=account, quantity=qty,
                               controller=controller, reference="",
                               destination=destination), actor)

    @rule(data=st.data(), actor=actors)
    def release(self, data: st.DataObject, actor: Principal) -> None:
        if self.book.state.holds:
            hid = data.draw(st.sampled_from(sorted(self.book.state.holds)))
            self.attempt(ReleaseHold(hid, ""), actor)

    @rule(data=st.data(), dst=destinations, actor=actors,
          qty=st.none() | st.integers(1, 60), keep_rest=st.booleans())
    def enforce(self, data: st.DataObject, dst: str, actor: Principal, qty: int | None,
                keep_rest: bool) -> None:
        if self.book.state.holds:
            hid = data.draw(st.sampled_from(sorted(self.book.state.holds)))
            self.attempt(EnforceHold(hid, dst, qty, "", keep_rest), actor)

    @rule(data=st.data(), by_operator=st.booleans(), qty=st.none() | st.integers(1, 30),
          named=st.booleans())
    def enforce_as_entitled(self, data: st.DataObject, by_operator: bool, qty: int | None,
                            named: bool) -> None:
        """Mostly accepted: the hold's resolver enforces into its named destination or the
        controller's account (unless the account it is held in is frozen)."""
        holds = [h for h in self.book.state.holds.values() if h.status.value == "active"]
        if not holds:
            return
        hold = data.draw(st.sampled_from(holds))
        actor = {HoldKind.PLEDGE: BANK_KEY, HoldKind.JUDICIAL_FREEZE: COURT_KEY}.get(
            hold.kind, SYSTEM)
        dst = hold.destination if named and hold.destination else \
            ACCOUNT_OF.get(hold.controller or "") or data.draw(destinations)
        self.attempt(EnforceHold(hold.id, dst, qty, ""), SYSTEM if by_operator else actor)

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


LedgerMachine.TestCase.settings = search(1.5, steps=0.8)
test_ledger_machine = LedgerMachine.TestCase
