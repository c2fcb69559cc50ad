"""Pledge loans as a Hypothesis state machine on the in-memory platform: issuances (of the
pledged project and another), appraisals, loans, repayments (some too large), time passing,
enforcement (some before any default), and the owner's and the bank's attempts to move
pledged units by plain ledger commands; monitoring results with measured volumes and market
closes at moving prices, which the platform revalues on. After every step the lending and
ledger conservation laws hold, a refused step changed nothing, while a loan is active every
unit of its project in its account is pledged to its bank, and no monitoring result of a
pledged project is left without a revaluation after it."""

from __future__ import annotations

import copy

from hypothesis import event
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from qingshan.errors import QingshanError
from qingshan.ledger.domain.commands import Command, EnforceHold, ReleaseHold, Transfer
from qingshan.ledger.domain.model import SYSTEM, BlockState, Principal
from qingshan.ledger.domain.parsing import journal_day
from qingshan.lending.commands import EnforcePledge, RecordRepayment
from qingshan.lending.directory import MonitoredVolumes
from qingshan.lending.model import AlertKind, LoanStatus, overdue
from qingshan.market.commands import CloseDay, CreateInstrument
from tests.support.book import ALICE, ALICE_KEY, BOB
from tests.support.in_memory import DAY_MS
from tests.support.lending import (
    PROJECT,
    FakeMarket,
    appraise,
    grant,
    issue_to_project,
    make_platform,
)
from tests.support.search import search
from tests.unit.test_lending import state


class LendingMachine(RuleBasedStateMachine):
    @initialize()
    def setup(self) -> None:
        self.p = make_platform()
        self.vintage = 2010
        self.p.run(CreateInstrument(id="CQCER-ALL", asset="CQCER", tick=1, lot=10,
                                    band_bps=1000, reference_price=6000, max_order=100_000,
                                    fee_bps=30, fee_account=self.p.bank_account))

    def attempt(self, cmd: Command, actor: Principal) -> bool:
        before = copy.deepcopy(state(self.p))
        try:
            self.p.run(cmd, actor)
        except QingshanError:
            assert state(self.p) == before, f"a refused {cmd.kind} changed something"
            return False
        return True

    def active(self) -> list[str]:
        return [k for k, n in self.p.lending.loans.items() if n.status is LoanStatus.ACTIVE]

    @rule(qty=st.integers(1, 50), other=st.booleans(),
          fir=st.none() | st.floats(0, 10**6), pine=st.none() | st.floats(0, 10**6))
    def issue(self, qty: int, other: bool, fir: float | None, pine: float | None) -> None:
        self.vintage += 1
        cmd = issue_to_project(ALICE, qty, min(self.vintage, 2025))
        volumes = tuple((g, v) for g, v in (("fir", fir), ("masson_pine", pine))
                        if v is not None)
        self.p.registry.volumes[cmd.reference] = MonitoredVolumes(cmd.monitoring_end,
                                                                  volumes)
        if other:
            cmd = type(cmd)(asset="CQCER", project="CQ0099", vintage=cmd.vintage,
                            monitoring_start=cmd.monitoring_start,
                            monitoring_end=cmd.monitoring_end, reference="other",
                            allocations=cmd.allocations)
        self.p.run(cmd)

    @rule(share=st.integers(1, 120), other_bank=st.booleans())
    def lend(self, share: int, other_bank: bool) -> None:
        """Appraise and lend ``share`` % of the ceiling (above 100: refused)."""
        today = self.p.router.now_ms // DAY_MS
        self.prices().trades[:] = [t for t in self.prices().trades if t[0] > today - 365]
        bank, key = ((self.p.other_bank, self.p.other_key) if other_bank
                     else (self.p.bank, self.p.bank_key))
        # an even share: priced at the market's average, if it has traded in the year
        at_market = share % 2 == 0 and self.prices().trades
        vid = str(self.p.run(appraise(bank, draws=100, price=0 if at_market else 6_000),
                             key)["appraisal"])
        ceiling = self.p.lending.appraisals[vid].ceiling
        was_active = bool(self.active())
        ok = self.attempt(grant(bank, vid, max(1, ceiling * share // 100)), key)
        assert ok == (share <= 100 and not was_active and ceiling > 0)

    @precondition(lambda self: bool(self.active()))
    @rule(data=st.data(), extra=st.integers(0, 2))
    def repay(self, data: st.DataObject, extra: int) -> None:
        lid = data.draw(st.sampled_from(self.active()))
        loan = self.p.lending.loans[lid]
        amount = data.draw(st.integers(0, loan.outstanding)) + extra
        key = self.p.bank_key if loan.bank == self.p.bank else self.p.other_key
        ok = self.attempt(RecordRepayment(loan=lid, principal=amount, interest=1), key)
        assert ok == (amount <= loan.outstanding)

    def prices(self) -> FakeMarket:
        assert isinstance(self.p.lending.prices, FakeMarket)
        return self.p.lending.prices

    @rule(price=st.integers(1_000, 12_000), qty=st.integers(1, 5_000))
    def market_closes(self, price: int, qty: int) -> None:
        """A trade at ``price`` today and the day's close: loans priced at the market's
        average are revalued if it moved 5 % or more."""
        self.prices().trades.append((self.p.router.now_ms // DAY_MS, price, qty))
        out = self.p.run(CloseDay("CQCER-ALL"))
        event("a close revalued" if out.get("revalued") else "a close revalued nothing")

    @rule(days=st.integers(1, 400))
    def time_passes(self, days: int) -> None:
        self.p.next_day(days)

    @precondition(lambda self: bool(self.active()))
    @rule(data=st.data())
    def enforce(self, data: st.DataObject) -> None:
        lid = data.draw(st.sampled_from(self.active()))
        loan = self.p.lending.loans[lid]
        key, account = ((self.p.bank_key, self.p.bank_account) if loan.bank == self.p.bank
                        else (self.p.other_key, "A00000008"))
        late = overdue(loan, journal_day(self.p.router.now_ms).isoformat())
        ok = self.attempt(EnforcePledge(loan=lid, account=account, note="逾期"), key)
        assert ok == (late > 0)

    @precondition(lambda self: bool(self.active()))
    @rule(qty=st.integers(1, 20), data=st.data())
    def move_pledged_units(self, qty: int, data: st.DataObject) -> None:
        """The owner transfers, the bank and the operator release or enforce a pledge by a
        hold command: only free units ever move."""
        loan = self.p.lending.loans[data.draw(st.sampled_from(self.active()))]
        free = self.p.router.ledger.active_quantity(ALICE, "CQCER")
        assert self.attempt(Transfer("CQCER", ALICE, BOB, qty), ALICE_KEY) == (qty <= free)
        if not loan.holds:  # nothing of the project was in its account yet
            return
        hid = data.draw(st.sampled_from(loan.holds))
        assert not self.attempt(ReleaseHold(hid, "x"), SYSTEM)
        assert not self.attempt(EnforceHold(hid, self.p.bank_account, None, ""),
                                self.p.bank_key)

    @invariant()
    def pledges_cover_the_project_while_a_loan_is_active(self) -> None:
        if not hasattr(self, "p"):
            return
        assert self.p.problems() == []
        for lid in self.active():
            loan = self.p.lending.loans[lid]
            latest = self.p.lending.appraisals[loan.latest_appraisal]
            assert all(a.seq <= latest.seq for a in self.p.lending.alerts.values()
                       if a.loan == lid and a.kind is AlertKind.NEW_PLEDGE)
            ledger = self.p.router.ledger
            issued = {i.id for i in ledger.issuances_of(PROJECT)}
            for b in ledger.blocks.values():
                if b.account == loan.account and b.issuance in issued:
                    assert b.state is BlockState.HELD and b.hold in loan.holds, b


LendingMachine.TestCase.settings = search(0.5)
TestLendingMachine = LendingMachine.TestCase
