"""A small platform for resource-rights tests, in memory: the test book (tests/support/book.py)
with four districts (酉阳 sells, 江北 buys, 两江新区 succeeds 江北, 城口), their accounts, the
indicator assets and a restorer; and one example of each rights command."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from qingshan.ledger.books import Router
from qingshan.ledger.domain.commands import (
    Command,
    CreateAssetClass,
    OpenAccount,
    RegisterParty,
)
from qingshan.ledger.domain.invariants import check_invariants
from qingshan.ledger.domain.model import AccountType, AssetKind, PartyKind, Principal, Role
from qingshan.rights.book import RightsBook
from qingshan.rights.commands import (
    AcceptRestoration,
    AgreeContract,
    ApproveContract,
    IssueIndicators,
    ProposeContract,
    RecordMeasurement,
    RecordSuccession,
    RecordTrancheCheck,
    RegisterRestoration,
    ReleaseTranche,
    ReportIncome,
    SetIndicatorFloor,
    TransferDevelopmentRight,
)
from qingshan.rights.invariants import check_invariants as rights_invariants
from qingshan.rights.model import IndicatorKind, RightUse, SiteKind, TrancheTerms
from tests.support.book import ALICE, ALICE_P, BOB, NOW_MS, fund, make_book
from tests.support.in_memory import InMemory

# parties after the test book's four, and one holding account each
YOUYANG, JIANGBEI, LIANGJIANG, CHENGKOU = "P000005", "P000006", "P000007", "P000008"
CODES = {YOUYANG: ("酉阳县", "500242"), JIANGBEI: ("江北区", "500105"),
         LIANGJIANG: ("两江新区", "500157"), CHENGKOU: ("城口县", "500229")}
ACCOUNT = {YOUYANG: "A00000007", JIANGBEI: "A00000008", LIANGJIANG: "A00000009",
           CHENGKOU: "A00000010"}
KEY = {d: Principal(f"k-{code}", Role.MEMBER, d) for d, (_, code) in CODES.items()}
FORESTRY = Principal("k-forestry", Role.FORESTRY, None)
FLOOR = 250_000  # fen per mu: the scheme's 2,500 yuan


@dataclass
class Platform(InMemory):
    rights: RightsBook

    def problems(self) -> list[str]:
        return check_invariants(self.router.ledger) + rights_invariants(self.rights)


def setup() -> list[Command]:
    """After the test book's setup: the indicator assets, the four districts with an account
    each, money for the buyers and the floor price."""
    cmds: list[Command] = [
        CreateAssetClass(code, AssetKind.SERIALIZED, unit, name, "QS")
        for code, unit, name in (("FCI", "mu", "森林面积指标"), ("GII", "mu", "绿化增量责任指标"),
                                 ("CWI", "section-year", "清水增量责任指标"),
                                 ("DRQ", "mu", "生态修复开发权"))]
    cmds += [RegisterParty(PartyKind.DISTRICT, name, code) for name, code in CODES.values()]
    cmds += [OpenAccount(d, AccountType.HOLDING, "指标账户") for d in CODES]
    cmds += [fund(ACCOUNT[d], 10**12) for d in (JIANGBEI, LIANGJIANG, CHENGKOU)]
    cmds.append(SetIndicatorFloor(indicator=IndicatorKind.FOREST_AREA, price=FLOOR))
    return cmds


def make_platform() -> Platform:
    book = make_book()
    rights = RightsBook()
    p = Platform(Router(book.state, [rights]), rights)
    p.router.now_ms = NOW_MS
    for cmd in setup():
        p.run(cmd)
    return p


def forest(district: str, year: int, forest_mu: int, land_mu: int,
           target_bps: int = 5500) -> RecordMeasurement:
    return RecordMeasurement(district=district, indicator=IndicatorKind.FOREST_AREA, year=year,
                             amount=forest_mu, basis=land_mu, target_bps=target_bps,
                             source="重庆市林业局 森林资源监测")


def a_contract(quantity: int = 3000, price: int = FLOOR, seller: str = YOUYANG,
               buyer: str = JIANGBEI, tranches: tuple[int, ...] = (1000, 1000, 1000),
               **changes: Any) -> ProposeContract:
    payload: dict[str, Any] = {
        "indicator": "forest_area", "seller": seller, "buyer": buyer, "quantity": quantity,
        "unit_price": price,
        "tranches": [{"quantity": q, "due": f"{2026 + i}-12-31"}
                     for i, q in enumerate(tranches)],
        "maintenance_years": 15, "duties": "护林员巡护，打桩挂牌", "signed_on": "2026-06-01",
        "seller_account": ACCOUNT.get(seller, "A00000007")}
    payload.update(changes)
    return ProposeContract.from_payload(payload)


def seller_with_surplus(p: Platform, surplus: int = 10_000) -> None:
    """酉阳 measured with ``surplus`` mu above a 55 % target of 1,000,000 mu, all issued."""
    p.run(forest(YOUYANG, 2025, 550_000 + surplus, 1_000_000), FORESTRY)
    p.run(IssueIndicators(district=YOUYANG, indicator=IndicatorKind.FOREST_AREA, year=2025,
                          quantity=surplus, account=ACCOUNT[YOUYANG]), FORESTRY)


def approved_contract(p: Platform, **changes: Any) -> str:
    cid = str(p.run(a_contract(**changes), KEY[YOUYANG])["contract"])
    buyer = changes.get("buyer", JIANGBEI)
    p.run(AgreeContract(contract=cid, buyer_account=ACCOUNT[buyer]), KEY[buyer])
    p.run(ApproveContract(contract=cid))
    return cid


def a_restoration(**changes: Any) -> RegisterRestoration:
    payload: dict[str, Any] = {
        "restorer": ALICE_P, "district": CHENGKOU, "site_kind": "abandoned_mine",
        "site": "中梁山废弃矿山", "area_mu": 2378, "plan": "削坡减荷、覆土复绿、建设矿山公园",
        "use": "eco_tourism", "started": "2014-03-01"}
    payload.update(changes)
    return RegisterRestoration.from_payload(payload)


# one of each rights command, as tests/fixtures/journal_forms/v1.json captured them
RIGHTS_EXAMPLES: list[Command] = [
    SetIndicatorFloor(indicator=IndicatorKind.FOREST_AREA, price=250_000),
    RecordMeasurement(district="P000005", indicator=IndicatorKind.FOREST_AREA, year=2024,
                      amount=5_120_000, basis=7_942_500, target_bps=5500,
                      source="酉阳县 2024 年森林资源监测"),
    IssueIndicators(district="P000005", indicator=IndicatorKind.FOREST_AREA, year=2024,
                    quantity=75_000, account="A00000007"),
    RecordSuccession(predecessor="P000006", successor="P000007", effective="2025-11-06",
                     account="A00000009", note="渝府发〔2025〕15号"),
    ProposeContract(indicator=IndicatorKind.FOREST_AREA, seller="P000005", buyer="P000006",
                    quantity=75_000, unit_price=250_000,
                    tranches=(TrancheTerms(quantity=25_000, due="2019-12-31"),
                              TrancheTerms(quantity=50_000, due="2020-12-31")),
                    maintenance_years=15, duties="护林员巡护，打桩挂牌",
                    signed_on="2019-03-20", seller_account="A00000007"),
    AgreeContract(contract="RC000001", buyer_account="A00000008"),
    ApproveContract(contract="RC000001"),
    RecordTrancheCheck(contract="RC000001", tranche=1, passed=True, report="造林成活率 92%"),
    ReleaseTranche(contract="RC000001", tranche=1),
    RegisterRestoration(restorer="P000002", district="P000008",
                        site_kind=SiteKind.ABANDONED_MINE, site="中梁山废弃矿山", area_mu=2378,
                        plan="削坡减荷、覆土复绿", use=RightUse.ECO_TOURISM, started="2014-03-01"),
    AcceptRestoration(restoration="RR000001", passed=True, accepted_mu=2378, share_bps=300,
                      term_years=20, account="A00000004", report="验收合格"),
    TransferDevelopmentRight(restoration="RR000001", source="A00000004", destination="A00000005",
                             quantity=30, use=RightUse.ECO_TOURISM),
    ReportIncome(restoration="RR000001", year=2025, amount=334_000_000, note="村集体经济收入"),
]

__all__ = ["ALICE", "BOB"]
