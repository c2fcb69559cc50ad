"""Resource rights' values: what a district measured, the indicators it may sell, the
contracts between districts, restoration projects and the development rights they earn.

Under 重庆市实施横向生态补偿提高森林覆盖率工作方案（试行） (2018) every district has a
forest-coverage target; a district short of it buys forest-area indicators (mu) from one above
it and pays for that forest to be kept. The same ledger carries the greening-increment and
clean-water-increment indicators (their rules are assumptions, docs/rights.md) and the
development-right quota a restorer earns. Quantities are whole units (mu, section-years), money
whole fen, shares and coverage basis points: integers only. Pure: no I/O."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from qingshan.ledger.domain.definition import Day, Declared, Quantity, declare

QUOTE = "CNY"  # the money contracts are paid in
BPS = 10_000
MU_PER_KM2 = 1_500  # 1 km² = 1,500 mu (1 mu = 666.67 m²)
CONTRACT_ID_RE = re.compile(r"^RC[0-9]{6}$")
RESTORATION_ID_RE = re.compile(r"^RR[0-9]{6}$")
DEVELOPMENT_RIGHT = "DRQ"  # the development-right quota, mu
MAX_SHARE_BPS = 300  # a restorer may use at most 3 % of the restored area (docs/rights.md)


class IndicatorKind(StrEnum):
    FOREST_AREA = "forest_area"  # 森林面积指标: mu of forest above the district's target
    GREENING = "greening"  # 绿化增量责任指标: mu of new greening above the year's duty
    CLEAN_WATER = "clean_water"  # 清水增量责任指标: section-years better than the target class


@dataclass(frozen=True, slots=True)
class IndicatorSpec:
    kind: IndicatorKind
    asset: str  # the ledger asset its indicators are issued as
    unit: str
    name_zh: str
    name_en: str
    basis: str  # what ``basis`` of a measurement counts (land area, sections monitored)


INDICATORS: dict[IndicatorKind, IndicatorSpec] = {s.kind: s for s in (
    IndicatorSpec(IndicatorKind.FOREST_AREA, "FCI", "mu", "森林面积指标", "forest-area indicator",
                  "land area, mu"),
    IndicatorSpec(IndicatorKind.GREENING, "GII", "mu", "绿化增量责任指标",
                  "greening-increment indicator", "built-up area, mu"),
    IndicatorSpec(IndicatorKind.CLEAN_WATER, "CWI", "section-year", "清水增量责任指标",
                  "clean-water-increment indicator", "monitored river sections"),
)}
BY_ASSET = {s.asset: s for s in INDICATORS.values()}


def duty_of(target_bps: int, basis: int) -> int:
    """The quantity a target share of ``basis`` asks for, rounded up (against the district
    that claims a surplus): 55 % of 1,001 mu is 551 mu, not 550."""
    return -(-target_bps * basis // BPS)


def coverage_bps(amount: int, basis: int) -> int:
    """``amount`` as a share of ``basis`` in basis points, rounded down (5,506 = 55.06 %)."""
    return amount * BPS // basis if basis else 0


@dataclass(frozen=True, slots=True, kw_only=True)
class Measurement:
    """What the authority verified of one district, one indicator, one year: the amount
    (forest mu, greening mu, sections at or better than their target class), the basis it is a
    share of (land mu, sections monitored) and the target share."""

    district: str  # the district's party
    kind: IndicatorKind
    year: int
    amount: int
    basis: int
    target_bps: int
    source: str
    seq: int

    @property
    def duty(self) -> int:
        return duty_of(self.target_bps, self.basis)

    @property
    def surplus(self) -> int:
        """Above the target (negative: short of it)."""
        return self.amount - self.duty


@dataclass(frozen=True, slots=True, kw_only=True)
class Succession:
    """A district abolished and the one that inherits its obligations and assets (2025:
    江北区 and 渝北区 into 两江新区)."""

    predecessor: str
    successor: str
    effective: str  # YYYY-MM-DD
    account: str  # the successor's account: what reaches the predecessor's accounts goes on
    note: str
    seq: int


class ContractStatus(StrEnum):
    PROPOSED = "proposed"  # the seller signed
    AGREED = "agreed"  # the buyer countersigned
    APPROVED = "approved"  # the operator approved: indicators and money in escrow
    COMPLETED = "completed"  # every tranche released or withheld


class TrancheStatus(StrEnum):
    PENDING = "pending"  # before approval
    ESCROWED = "escrowed"  # indicators and money held, awaiting the acceptance check
    ACCEPTED = "accepted"  # the check passed: may be released
    RELEASED = "released"  # indicators to the buyer, money to the seller
    WITHHELD = "withheld"  # the check failed: indicators back to the seller, money to the buyer


@dataclass(frozen=True, slots=True, kw_only=True)
class TrancheTerms(Declared):
    """One tranche as the contract states it: a quantity due for acceptance by a day."""

    quantity: int = declare(Quantity(description="indicator units"))
    due: str = declare(Day(description="the acceptance check is due by this day"))


@dataclass(frozen=True, slots=True, kw_only=True)
class Tranche:
    quantity: int
    due: str
    status: TrancheStatus = TrancheStatus.PENDING
    indicator_hold: str | None = None  # the ledger holds while in escrow
    money_hold: str | None = None
    checked_on: str = ""
    report: str = ""
    released_on: str = ""  # the day indicators and money moved (released or withheld)


@dataclass(frozen=True, slots=True, kw_only=True)
class Contract:
    id: str
    kind: IndicatorKind
    seller: str  # the selling district's party (its successor's after a succession)
    buyer: str
    signed_seller: str  # the parties that signed, kept when a successor takes over
    signed_buyer: str
    quantity: int
    unit_price: int  # fen per unit
    tranches: tuple[Tranche, ...]
    maintenance_years: int  # years the seller keeps the forest for the buyer
    duties: str  # monitoring and upkeep duties (rangers, stakes and signs)
    signed_on: str
    seller_account: str  # gives the indicators, receives the money
    buyer_account: str | None  # pays, receives the indicators (named when agreed)
    status: ContractStatus
    created_seq: int
    updated_seq: int

    @property
    def value(self) -> int:
        return self.quantity * self.unit_price

    def released(self) -> int:
        return sum(t.quantity for t in self.tranches if t.status is TrancheStatus.RELEASED)

    def escrowed(self) -> int:
        return sum(t.quantity for t in self.tranches
                   if t.status in (TrancheStatus.ESCROWED, TrancheStatus.ACCEPTED))


class SiteKind(StrEnum):
    ABANDONED_MINE = "abandoned_mine"  # 废弃矿山
    BLACK_ODOUR_WATER = "black_odour_water"  # 黑臭水体
    ROCKY_DESERTIFICATION = "rocky_desertification"  # 石漠化
    BARREN_LAND = "barren_land"  # 荒山荒地


class RightUse(StrEnum):
    ECO_AGRICULTURE = "eco_agriculture"
    ECO_TOURISM = "eco_tourism"


class RestorationStatus(StrEnum):
    PLANNED = "planned"
    ACCEPTED = "accepted"  # restoration accepted: the development right granted
    REJECTED = "rejected"


@dataclass(frozen=True, slots=True, kw_only=True)
class Restoration:
    id: str
    restorer: str  # the restorer's party
    district: str  # the district's party where the site lies
    site_kind: SiteKind
    site: str  # the site's name
    area_mu: int  # planned restoration area
    plan: str
    use: RightUse  # what the restorer means to develop
    started: str
    status: RestorationStatus
    created_seq: int
    updated_seq: int
    accepted_mu: int = 0
    share_bps: int = 0
    term_years: int = 0
    granted: int = 0  # development-right quota granted, mu
    account: str | None = None  # where the quota was issued
    accepted_on: str = ""
    report: str = ""
    serials: tuple[int, int] = (0, 0)  # the quota's serials on the ledger (DRQ)

    @property
    def expires(self) -> str:
        """The last day the right may be used (term years from acceptance)."""
        if not self.accepted_on:
            return ""
        y, rest = self.accepted_on.split("-", 1)
        day = f"{int(y) + self.term_years:04d}-{rest}"
        return "-".join((day[:4], "02", "28")) if rest == "02-29" else day


@dataclass(frozen=True, slots=True, kw_only=True)
class RightTransfer:
    """Development-right quota passed to the operator of the eco-business."""

    id: str
    restoration: str
    seq: int
    source: str
    destination: str
    party: str  # who now holds it
    quantity: int
    use: RightUse
    day: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Income:
    """What the business on the right earned in a year, reported back (e.g. a village's
    collective income: 猎神村, 41万 yuan in 2017, 334万 in 2023)."""

    restoration: str
    year: int
    amount: int  # fen
    reporter: str
    note: str
    seq: int
