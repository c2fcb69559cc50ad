"""Judicial offsetting under random sequences of cases, payments (some reusing a reference),
sellers' offers, purchases at random limits (some above the cap), retirements, amendments and
closures, on the pure ledger and market: after every step the ledger's and the judicial
conservation laws hold (escrow in = spent + fees + refunded + what is left; each case's
account holds what it bought less what it retired), and a refused step changes nothing."""

from __future__ import annotations

import copy

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from qingshan.errors import QingshanError
from qingshan.judicial.commands import (
    AcceptOffer,
    AmendCase,
    CloseCase,
    OfferToCase,
    PurchaseForCase,
    RecordPayment,
    RetireForCase,
)
from qingshan.judicial.model import CaseStatus
from qingshan.ledger.domain.commands import Command
from qingshan.ledger.domain.model import Principal, SerialRange
from tests.support.judicial import (
    COURT,
    OTHER_COURT,
    TRADER_KEYS,
    TRADERS,
    a_case,
    make_platform,
    offer,
)
from tests.support.search import search


class JudicialMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.p = make_platform()
        self.cases: list[str] = []
        self.references: list[str] = []
        self.offers: list[tuple[str, str]] = []
        self.n = 0

    def attempt(self, cmd: Command, actor: Principal = COURT) -> bool:
        before = copy.deepcopy((self.p.judicial.snapshot(), self.p.router.ledger.balances))
        try:
            self.p.run(cmd, actor)
        except QingshanError:
            after = (self.p.judicial.snapshot(), self.p.router.ledger.balances)
            assert after == before, "a refused step changed something"
            return False
        return True

    @rule(tonnes=st.booleans(), amount=st.integers(1, 20) .map(lambda k: k * 50_000),
          cap=st.sampled_from([2900, 3000, 3100, 3300]))
    def enter_case(self, tonnes: bool, amount: int, cap: int) -> None:
        self.n += 1
        cmd = a_case(number=f"（2026）渝0102刑初{self.n}号", cap_price=cap,
                     compensation_fen=None if tonnes else amount,
                     tonnes=amount // 3000 if tonnes else None)
        result = self.p.run(cmd, COURT)
        self.cases.append(str(result["case"]))

    @precondition(lambda self: bool(self.cases))
    @rule(data=st.data(), part=st.integers(0, 3), amount=st.integers(1, 600_000),
          reuse=st.integers(0, 3))
    def pay(self, data: st.DataObject, part: int, amount: int, reuse: int) -> None:
        """Mostly all the case still needs; now and then a part, or a reference reused."""
        case = data.draw(st.sampled_from(self.cases))
        c = self.p.judicial.cases[case]
        if part:
            amount = max(1, c.compensation_fen - c.paid, c.tonnes * 3300 - c.paid)
        reference = data.draw(st.sampled_from(self.references)) \
            if reuse == 0 and self.references else f"PAY-{len(self.references)}"
        if self.attempt(RecordPayment(case=case, reference=reference, amount=amount)):
            self.references.append(reference)

    @rule(trader=st.integers(0, 1), price=st.integers(2800, 3300).map(lambda x: x - x % 10),
          lots=st.integers(1, 30))
    def seller_offers(self, trader: int, price: int, lots: int) -> None:
        offer(self.p, trader, price, lots * 10)

    @precondition(lambda self: bool(self.cases))
    @rule(data=st.data(), lots=st.integers(1, 12),
          limit=st.integers(2800, 3400).map(lambda x: x - x % 10),
          stranger=st.integers(0, 5))
    def purchase(self, data: st.DataObject, lots: int, limit: int, stranger: int) -> None:
        case = data.draw(st.sampled_from(self.cases))
        self.attempt(PurchaseForCase(case=case, instrument="CQCER-ALL", quantity=lots * 10,
                                     limit_price=limit), OTHER_COURT if stranger == 0 else COURT)

    @precondition(lambda self: bool(self.cases))
    @rule(data=st.data())
    def retire(self, data: st.DataObject) -> None:
        self.attempt(RetireForCase(case=data.draw(st.sampled_from(self.cases))))

    @precondition(lambda self: bool(self.cases))
    @rule(data=st.data())
    def close(self, data: st.DataObject) -> None:
        self.attempt(CloseCase(case=data.draw(st.sampled_from(self.cases))))

    @precondition(lambda self: bool(self.cases))
    @rule(data=st.data(), cap=st.integers(2800, 3400), now=st.integers(0, 3))
    def amend_cap(self, data: st.DataObject, cap: int, now: int) -> None:
        if now == 0:  # (a ruling amends now and then)
            self.attempt(AmendCase(case=data.draw(st.sampled_from(self.cases)), cap_price=cap,
                                   reason="a later ruling"))

    @precondition(lambda self: bool(self.cases))
    @rule(data=st.data(), trader=st.integers(0, 1), size=st.integers(1, 60),
          price=st.integers(2900, 3300))
    def seller_offers_serials(self, data: st.DataObject, trader: int, size: int,
                              price: int) -> None:
        ledger = self.p.router.ledger
        blocks = list(ledger.active_blocks(TRADERS[trader], "CQCER"))
        if not blocks:
            return
        b = data.draw(st.sampled_from(blocks))
        ranges = (SerialRange(b.start, min(b.end, b.start + size - 1)),)
        case = data.draw(st.sampled_from(self.cases))
        if self.attempt(OfferToCase(case=case, account=TRADERS[trader], ranges=ranges,
                                    price=price), TRADER_KEYS[trader]):
            self.offers.append((case, f"JO{len(self.offers) + 1:06d}"))

    @precondition(lambda self: bool(self.offers))
    @rule(data=st.data())
    def court_accepts(self, data: st.DataObject) -> None:
        case, offer = data.draw(st.sampled_from(self.offers))
        self.attempt(AcceptOffer(case=case, offer=offer))

    @rule()
    def next_day(self) -> None:
        self.p.next_day()

    @invariant()
    def conservation_laws_hold(self) -> None:
        assert self.p.problems() == []
        for case in self.p.judicial.cases.values():
            assert case.paid == case.spent + case.fees + case.refunded + case.balance
            if case.status is CaseStatus.CLOSED:
                assert case.balance == 0 and case.retired == case.bought


JudicialMachine.TestCase.settings = search(1)
test_judicial_machine = JudicialMachine.TestCase
