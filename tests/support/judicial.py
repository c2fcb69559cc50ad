"""A small platform for judicial tests, in memory: the test book (tests/support/book.py) with
a market of three traders, a court with an escrow account, and a judicial book bound to the
market."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from qingshan.judicial.book import JudicialBook
from qingshan.judicial.commands import (
    AcceptOffer,
    AmendCase,
    CloseCase,
    CreateCase,
    OfferToCase,
    PurchaseForCase,
    RecordPayment,
    RetireForCase,
)
from qingshan.judicial.invariants import check_invariants as judicial_invariants
from qingshan.ledger.books import Router
from qingshan.ledger.domain.commands import Command, OpenAccount, RegisterParty
from qingshan.ledger.domain.invariants import check_invariants
from qingshan.ledger.domain.model import (
    AccountType,
    PartyKind,
    Principal,
    Role,
    SerialRange,
)
from qingshan.market.book import MarketBook
from qingshan.market.commands import CreateInstrument, PlaceOrder
from tests.support.book import ALICE, COURT_P, NOW_MS, fund, issue, make_book
from tests.support.in_memory import InMemory

TRADERS = ["A00000007", "A00000008"]
TRADER_KEYS = [Principal(f"t{i}", Role.MEMBER, f"P{5 + i:06d}") for i in range(2)]
FEES = "A00000009"
ESCROW = "A00000010"
OTHER_COURT_P = "P000007"
COURT = Principal("k-court", Role.COURT, COURT_P)
OTHER_COURT = Principal("k-court-2", Role.COURT, OTHER_COURT_P)
SUPERVISOR = Principal("k-sup", Role.SUPERVISOR, None)


@dataclass
class Platform(InMemory):
    market: MarketBook
    judicial: JudicialBook

    def problems(self) -> list[str]:
        return check_invariants(self.router.ledger) + judicial_invariants(self.judicial)


def make_platform(categories: tuple[str, ...] | None = None) -> Platform:
    book = make_book()
    market = MarketBook()
    judicial = JudicialBook(market)
    p = Platform(Router(book.state, [market, judicial]), market, judicial)
    p.router.now_ms = NOW_MS
    for i in range(2):
        p.run(RegisterParty(PartyKind.ENTERPRISE if False else PartyKind.INDIVIDUAL,
                            f"seller {i}", None))
    p.run(RegisterParty(PartyKind.COURT, "court 2", None))  # P000007
    for i in range(2):
        p.run(OpenAccount(f"P{5 + i:06d}", AccountType.HOLDING, "trading"))
    p.run(OpenAccount("P000001", AccountType.HOLDING, "fees"))  # A00000009
    p.run(OpenAccount(COURT_P, AccountType.ESCROW, "以碳代偿 escrow"))  # A00000010
    p.run(OpenAccount(OTHER_COURT_P, AccountType.ESCROW, "escrow"))  # A00000011
    for a in TRADERS:
        p.run(issue(a, 10_000))
        p.run(fund(a, 10_000_000))
    p.run(CreateInstrument(id="CQCER-ALL", asset="CQCER", tick=1, lot=10, band_bps=1000,
                           reference_price=3000, max_order=100_000, fee_bps=25,
                           fee_account=FEES, categories=categories))
    return p


def offer(p: Platform, trader: int, price: int, quantity: int) -> str:
    """A resting sell order of a trader; its id."""
    cmd = PlaceOrder.from_payload({"instrument": "CQCER-ALL", "account": TRADERS[trader],
                                   "side": "sell", "order_type": "limit", "price": price,
                                   "quantity": quantity})
    return str(p.run(cmd, TRADER_KEYS[trader])["order"])


def a_case(**changes: Any) -> CreateCase:
    payload: dict[str, Any] = {
        "court": COURT_P, "number": "（2023）渝0102刑初123号", "cause": "滥伐林木罪",
        "defendants": [{"name": "张三", "kind": "person"},
                       {"name": "重庆某林业有限公司", "kind": "organisation"}],
        "judgment_date": "2026-05-20", "compensation_fen": 500_000, "deadline": "2026-08-31",
        "restoration": "补植复绿 2 亩", "asset": "CQCER", "cap_price": 3100,
        "refund_account": ALICE}
    payload.update(changes)
    return CreateCase.from_payload({k: v for k, v in payload.items() if v is not None})


# one of each judicial command, as tests/fixtures/journal_forms/v1.json captured them
JUDICIAL_EXAMPLES: list[Command] = [
    a_case(number="（2023）渝0102刑初123号", judgment_date="2023-06-01",
           compensation_fen=12_236_600, deadline="2023-08-31", restoration="补植复绿",
           categories=["forestry"], cap_price=5000, refund_account="A00000004",
           defendants=[{"name": "张三", "kind": "person"}]),
    AmendCase(case="JC000001", deadline="2023-09-30", cap_price=5200,
              reason="（2023）渝01刑终55号"),
    RecordPayment(case="JC000001", reference="CCB-2023-0001", amount=12_236_600, payer="张三"),
    PurchaseForCase(case="JC000001", instrument="CQCER-FOREST", quantity=2000,
                    limit_price=5000),
    RetireForCase(case="JC000001"),
    CloseCase(case="JC000001", note="执结"),
    a_case(number="（2024）渝0156刑初33号", cause="非法占用农用地罪", judgment_date="2024-05-10",
           compensation_fen=None, tonnes=300, deadline="2024-09-30", restoration=None,
           cap_price=4500, refund_account="A00000004", project="CQ0009",
           defendants=[{"name": "王五", "kind": "person"}]),
    OfferToCase(case="JC000002", account="A00000005", ranges=(SerialRange(101, 400),),
                price=4200),
    AcceptOffer(case="JC000002", offer="JO000001"),
]
