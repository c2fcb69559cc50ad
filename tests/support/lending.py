"""A small platform for pledge-loan tests, in memory: the test book (tests/support/book.py)
with two banks, a registered forestry project of alice's (CQ0001, its units in alice's
account) seen through a fake registry, and market prices from a fake market; one example of
each lending command."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from qingshan.contexts import MarketSales
from qingshan.ledger.books import Router
from qingshan.ledger.domain.commands import Command, IssueUnits
from qingshan.ledger.domain.invariants import check_invariants
from qingshan.ledger.domain.model import Principal
from qingshan.lending.book import LendingBook
from qingshan.lending.commands import (
    AppraiseCollateral,
    EnforcePledge,
    GrantLoan,
    OpenCreditLine,
    RecordRepayment,
)
from qingshan.lending.directory import MonitoredVolumes, ProjectTerms
from qingshan.lending.invariants import check_invariants as lending_invariants
from qingshan.lending.model import Reason, Repayment, Scenario, StandRow
from qingshan.market.book import MarketBook
from qingshan.science.forest import SpeciesGroup
from tests.support.book import ALICE, ALICE_P, NOW_MS, add_bank, make_book
from tests.support.in_memory import InMemory

PROJECT = "CQ0001"
WULONG = "500156"  # 武隆区


@dataclass
class FakeRegistry:
    terms: dict[str, ProjectTerms] = field(default_factory=dict)
    volumes: dict[str, MonitoredVolumes] = field(default_factory=dict)  # by reference

    def project_terms(self, project: str) -> ProjectTerms | None:
        return self.terms.get(project)

    def monitored_volumes(self, project: str, reference: str) -> MonitoredVolumes | None:
        return self.volumes.get(reference)


@dataclass
class FakeMarket:
    """Trades as (day, price fen, quantity)."""

    trades: list[tuple[int, int, int]] = field(default_factory=list)

    def average_price(self, asset: str, first_day: int, last_day: int) -> int | None:
        sel = [(p, q) for d, p, q in self.trades if first_day <= d <= last_day]
        qty = sum(q for _, q in sel)
        return sum(p * q for p, q in sel) // qty if qty else None

    def yearly_prices(self, asset: str, last_day: int) -> list[tuple[int, int]]:
        return []


def forest_terms(**over: Any) -> ProjectTerms:
    base: dict[str, Any] = {"id": PROJECT, "proponent": ALICE_P, "account": ALICE,
                            "asset": "CQCER", "sector": "forestry", "district": WULONG,
                            "status": "registered", "crediting_end": "2061-12-31",
                            "buffer_percent": 10}
    base.update(over)
    return ProjectTerms(**base)


@dataclass
class Platform(InMemory):
    lending: LendingBook
    registry: FakeRegistry
    bank: str
    bank_account: str
    bank_key: Principal
    bank_member: Principal
    other_bank: str
    other_key: Principal

    def problems(self) -> list[str]:
        return check_invariants(self.router.ledger) + lending_invariants(self.lending)


def make_platform() -> Platform:
    book = make_book()
    bank, bank_account, bank_key, bank_member = add_bank(book, "cqrcb")
    other, _, other_key, _ = add_bank(book, "other")
    registry, prices = FakeRegistry({PROJECT: forest_terms()}), FakeMarket()
    market = MarketBook()  # a real market, where enforced units are auctioned
    lending = LendingBook(registry, prices, MarketSales(market))
    market.watch_close(lending.name, lending.price_closed)
    p = Platform(Router(book.state, [market, lending]), lending, registry, bank,
                 bank_account, bank_key, bank_member, other, other_key)
    p.router.now_ms = NOW_MS
    return p


STANDS = (StandRow(group=SpeciesGroup.FIR, area_m2=8_000_000, age=8),
          StandRow(group=SpeciesGroup.MASSON_PINE, area_m2=5_000_000, age=12),
          StandRow(group=SpeciesGroup.BROADLEAF, area_m2=2_000_000, age=5, site_bps=9_000))


def appraise(bank: str, **over: Any) -> AppraiseCollateral:
    base: dict[str, Any] = {"project": PROJECT, "bank": bank, "stands": STANDS,
                            "horizon": 20, "draws": 500, "seed": 7, "price": 6_000,
                            "discount_bps": 450, "ltv_bps": 6_000}
    base.update(over)
    return AppraiseCollateral(**base)


def grant(bank: str, appraisal: str, principal: int, **over: Any) -> GrantLoan:
    base: dict[str, Any] = {"bank": bank, "project": PROJECT, "appraisal": appraisal,
                            "principal": principal, "rate_bps": 385, "term_months": 60,
                            "repayment": Repayment.EQUAL_PRINCIPAL, "max_ltv_bps": 7_000}
    base.update(over)
    return GrantLoan(**base)


def issue_to_project(account: str, qty: int, vintage: int) -> IssueUnits:
    return IssueUnits(asset="CQCER", project=PROJECT, vintage=vintage,
                      monitoring_start=f"{vintage}-01-01", monitoring_end=f"{vintage}-12-31",
                      reference=f"MR-{vintage}", allocations=((account, qty),),
                      category="forestry")


# one of each lending command, as tests/fixtures/journal_forms/v1.json captured them
LENDING_EXAMPLES: list[Command] = [
    OpenCreditLine(bank="P000005", district=WULONG, limit=5_000_000_000, start="2023-06-01",
                   end="2031-05-31", note="5,000 万元, 8 年"),
    AppraiseCollateral(project=PROJECT, bank="P000005", stands=STANDS, horizon=20, draws=2000,
                       seed=1, price=0, stress_bps=5000, discount_bps=450, ltv_bps=6000,
                       scenario=Scenario.TREND, reason=Reason.MONITORING, loan="LN000001"),
    GrantLoan(bank="P000005", project=PROJECT, appraisal="VA000001", principal=3_000_000_000,
              rate_bps=385, term_months=96, repayment=Repayment.BULLET, max_ltv_bps=7000,
              line="CL000001"),
    RecordRepayment(loan="LN000001", principal=100_000_000, interest=11_550_000),
    EnforcePledge(loan="LN000001", account="A00000008", note="逾期 90 天"),
    EnforcePledge.from_payload({"loan": "LN000002", "account": "A00000008", "note": "逾期",
                                "auction": {"instrument": "CQCER-ALL", "reserve_price": 2500,
                                            "days": 5}}),
]
