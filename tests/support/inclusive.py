"""A carbon-inclusive platform for tests: the points asset and accounts, a metro partner and a
few people, and events written the way partners send them."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
from collections.abc import Sequence
from typing import Any

import orjson
import polars as pl

from qingshan.inclusive.book import InclusiveBook
from qingshan.inclusive.commands import (
    AddReward,
    DecidePool,
    DonatePoints,
    PoolReductions,
    RedeemPoints,
    RegisterPartner,
    SetConsent,
    SetInclusiveAccounts,
    SettleDay,
)
from qingshan.inclusive.directory import PooledProject
from qingshan.inclusive.model import BEIJING_MS, MS_PER_DAY, DayClose
from qingshan.ledger.books import Router
from qingshan.ledger.domain.commands import Command, CreateAssetClass, OpenAccount, RegisterParty
from qingshan.ledger.domain.identifiers import make_uscc
from qingshan.ledger.domain.invariants import check_invariants
from qingshan.ledger.domain.model import AccountType, AssetKind, PartyKind, Principal, Role
from tests.support.book import ALICE, make_book
from tests.support.in_memory import InMemory

POINTS_TREASURY, PEOPLE, POOL = "A00000007", "A00000008", "A00000009"
METRO, GRID = "P000005", "P000006"
METRO_KEY = Principal("k-metro", Role.MEMBER, METRO)
INCLUSIVE_SETUP: list[Command] = [
    CreateAssetClass("CIP", AssetKind.FUNGIBLE, "gCO2e", "碳普惠积分", "QS"),
    OpenAccount("P000001", AccountType.TREASURY, "碳普惠积分发行"),  # A00000007
    OpenAccount("P000001", AccountType.HOLDING, "个人碳账户合计"),  # A00000008
    OpenAccount("P000001", AccountType.HOLDING, "公益捐赠池"),  # A00000009
    RegisterParty(PartyKind.ENTERPRISE, "重庆市轨道交通(集团)有限公司",
                  make_uscc("9", "1", "500000", "20280001")),  # P000005
    RegisterParty(PartyKind.ENTERPRISE, "国网重庆市电力公司",
                  make_uscc("9", "1", "500000", "20280002")),  # P000006
    SetInclusiveAccounts(POINTS_TREASURY, PEOPLE, POOL),
    RegisterPartner(party=METRO, name="重庆轨道交通", scenarios=("bus", "metro")),
]


def people(*persons: int, district: str = "500103", consent: int = 1,
           enrolled: int = 20_000) -> pl.DataFrame:
    return pl.DataFrame({"person": list(persons), "district": [district] * len(persons),
                         "consent": [consent] * len(persons),
                         "enrolled": [enrolled] * len(persons)},
                        schema={"person": pl.Int64, "district": pl.String,
                                "consent": pl.Int64, "enrolled": pl.Int64})


def at(day: dt.date, hour: int, minute: int = 0) -> str:
    """ISO 8601 in Beijing time, as partners send it."""
    return f"{day.isoformat()}T{hour:02d}:{minute:02d}:00+08:00"


def trip(event_id: str, person: int, day: dt.date, hour: int, metres: int, minutes: int,
         scenario: str = "metro", **extra: Any) -> dict[str, Any]:
    end_h, end_m = divmod(hour * 60 + minutes, 60)
    return {"event_id": event_id, "person": person, "scenario": scenario,
            "start": at(day, hour), "end": at(day, end_h, end_m), "quantity": metres, **extra}


def jsonl(rows: Sequence[dict[str, Any]]) -> bytes:
    return b"".join(orjson.dumps(r) + b"\n" for r in rows)


def csv(rows: Sequence[dict[str, Any]]) -> bytes:
    buf = io.BytesIO()
    pl.DataFrame(rows).write_csv(buf)
    return buf.getvalue()


def day_number(day: dt.date) -> int:
    return day.toordinal() - dt.date(1970, 1, 1).toordinal()


def beijing_today(now_ms: int) -> dt.date:
    return dt.date(1970, 1, 1) + dt.timedelta(days=(now_ms + BEIJING_MS) // MS_PER_DAY)


INCLUSIVE_EXAMPLES: list[Command] = [
    SetInclusiveAccounts(POINTS_TREASURY, PEOPLE, POOL),
    RegisterPartner(party=METRO, name="重庆轨道交通", scenarios=("bus", "metro")),
    SettleDay("2026-11-28"),
    AddReward(name="公交乘车优惠券 2 元", price=2000, stock=10_000, sponsor=METRO),
    RedeemPoints(person=1_234_567, reward="RW000001", quantity=1),
    DonatePoints(person=1_234_567, grams=500, note="重庆马拉松碳中和"),
    PoolReductions(project="CQ0007", first_day="2026-01-01", last_day="2026-06-30"),
    DecidePool(pool="IP000001", approve=True, opinion="核查通过:与日结根一致"),
    SetConsent(person=1_234_567, partner=METRO, allow=False),
]


NOW = 1_796_000_000_000  # 2026-11-30 in Beijing


class FakeProjects:
    def __init__(self, account: str) -> None:
        self.account = account
        self.reports: list[tuple[str, str]] = []

    def reported_periods(self, project: str) -> list[tuple[str, str]]:
        return list(self.reports)

    def pooled_project(self, project: str) -> PooledProject | None:
        sector = {"CQ0007": "inclusive", "CQ0001": "forestry"}.get(project)
        if sector is None:
            return None
        return PooledProject(id=project, account=self.account, asset="CQCER", sector=sector,
                             status="registered", buffer_percent=0)


class FakeSubLedger:
    def __init__(self) -> None:
        self.closes: dict[int, DayClose] = {}
        self.postings: dict[tuple[int, int], int] = {}

    def close_of(self, day: int) -> DayClose | None:
        return self.closes.get(day)

    def earned(self, person: int, first_day: int, last_day: int) -> int:
        return sum(g for (p, d), g in self.postings.items()
                   if p == person and first_day <= d <= last_day)

    def person_known(self, person: int) -> bool:
        return any(p == person for p, _ in self.postings)

    def close(self, day: int, grams: dict[int, int]) -> None:
        for p, g in grams.items():
            self.postings[(p, day)] = g
        self.closes[day] = DayClose(day=day, root="00" * 32, people=len(grams),
                                    events=len(grams), grams=sum(grams.values()),
                                    by_scenario=(("metro", sum(grams.values())),),
                                    parameter_set="test")


@dataclasses.dataclass
class Platform(InMemory):
    book: InclusiveBook
    sub: FakeSubLedger

    def problems(self) -> list[str]:
        return check_invariants(self.router.ledger) + self.book.invariants()


def make_platform(now_ms: int = NOW) -> Platform:
    """The pure ledger with the inclusive book over a fake sub-ledger, set up, its clock at
    ``now_ms``; pooled project CQ0007's credits go to alice's account."""
    sub = FakeSubLedger()
    book = InclusiveBook(sub, FakeProjects(ALICE))
    ledger = make_book()
    plat = Platform(Router(ledger.state, [book]), book, sub)
    plat.router.now_ms = now_ms
    for cmd in INCLUSIVE_SETUP:
        plat.run(cmd)
    return plat


