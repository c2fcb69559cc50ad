"""Carbon-inclusive (碳普惠) scenarios: for each low-carbon behaviour a partner may report, its
baseline, formula, factor versions with their sources, caps and the fields a partner sends.

Every scenario computes the grams of CO2e an event avoids as an exact integer:

    grams = ⌊ q × factor ⌋                        (Formula.PER_UNIT)
    grams = ⌊ max(0, baseline − q) × factor ⌋     (Formula.SAVED: the household's own baseline)

``q`` is the event's quantity in the scenario's unit (metres, steps, Wh, items, grams) and the
factor an exact fraction in g CO2e per unit, so no float enters the sub-ledger, and the result
is rounded down (against the claimant). A scenario's factors are *versions*: an event is
computed with the version in force on its day (``Scenario.version_on``), so a factor published
later never rewrites what was credited before it.

Caps (per person): at most ``daily_events`` events and ``daily_grams`` grams a day, and
``yearly_grams`` grams a calendar year, in each scenario; what exceeds a cap is not credited.
Plausibility: a trip (``requires_end``) must last at least a second and its average speed must
not exceed ``max_speed_kmh``; no event may report more than ``max_quantity``.

The table is ``SCENARIOS``; its label ``PARAMETER_SET`` is recorded with every settled day.
Where a number was not read at its source, ``verified`` is False and docs/methodologies.md
("Carbon-inclusive scenarios") says so.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from types import MappingProxyType

from qingshan.science.forest.parameters import Citation

PARAMETER_SET = "inclusive-factors-2026.1"
"""The version label of the table below. A change to any factor, cap or version is a new
label, never an edit under the same one."""


class Group(StrEnum):
    TRANSPORT = "transport"  # 绿色出行
    ENERGY = "energy"  # 居家与办公节能
    CONSUMPTION = "consumption"  # 绿色消费
    RECYCLING = "recycling"  # 回收利用


class Formula(StrEnum):
    PER_UNIT = "per_unit"  # grams = q × factor
    SAVED = "saved"  # grams = max(0, baseline − q) × factor


class Unit(StrEnum):
    METRE = "m"
    STEP = "step"
    WATT_HOUR = "Wh"
    ITEM = "item"
    GRAM = "g"


@dataclass(frozen=True, slots=True)
class FactorVersion:
    """A factor in force from ``effective`` (inclusive) until the next version: g CO2e per
    unit of the scenario, exact."""

    effective: dt.date
    factor: Fraction
    source: Citation
    verified: bool = False  # read at ``source`` in this workplace
    note: str = ""  # how the factor follows from the printed numbers


@dataclass(frozen=True, slots=True, kw_only=True)
class Scenario:
    code: str
    name_zh: str
    name_en: str
    group: Group
    unit: Unit
    formula: Formula
    baseline: str  # the baseline in words
    versions: tuple[FactorVersion, ...]  # by effective date, oldest first
    max_quantity: int  # per event, in ``unit``
    daily_events: int | None = None
    daily_grams: int | None = None
    yearly_grams: int | None = None
    requires_end: bool = False  # a trip: start and end times, checked for speed and overlap
    max_speed_kmh: int | None = None
    fields: tuple[str, ...] = ("event_id", "person", "scenario", "start", "quantity")
    cap_source: Citation | None = None

    def version_on(self, day: dt.date) -> FactorVersion | None:
        """The factor version in force on ``day`` (None before the first)."""
        found = None
        for v in self.versions:
            if v.effective <= day:
                found = v
        return found


def _table(*scenarios: Scenario) -> Mapping[str, Scenario]:
    table: dict[str, Scenario] = {}
    for s in scenarios:
        assert s.code not in table, s.code
        assert list(s.versions) == sorted(s.versions, key=lambda v: v.effective), s.code
        table[s.code] = s
    return MappingProxyType(table)


TRIP_FIELDS = ("event_id", "person", "scenario", "start", "end", "quantity")

SHENZHEN_PUBLIC_TRAVEL = Citation(
    "《深圳市低碳公共出行碳普惠方法学》 (Shenzhen low-carbon public travel carbon-inclusive "
    "methodology), as reported by 深圳商报 2022-09-23", "深圳市生态环境局",
    "乘坐纯电动公共汽车出行,每人每公里可减少26.9克二氧化碳排放,乘坐地铁出行,每人每公里可减少"
    "46.7克二氧化碳排放", "https://www.citysz.net/guonei/2022/0923/2022107136.html")

START = dt.date(2021, 1, 1)

SCENARIOS: Mapping[str, Scenario] = _table(
    Scenario(
        code="metro", name_zh="地铁出行", name_en="metro trip", group=Group.TRANSPORT,
        unit=Unit.METRE, formula=Formula.PER_UNIT,
        baseline="the average of the city's motorised road modes per passenger-km",
        versions=(FactorVersion(START, Fraction(467, 10_000), SHENZHEN_PUBLIC_TRAVEL,
                                note="46.7 g per passenger-km = 0.0467 g per m"),),
        max_quantity=100_000, daily_events=10, requires_end=True, max_speed_kmh=100,
        fields=TRIP_FIELDS),
    Scenario(
        code="bus", name_zh="公交出行", name_en="bus trip (battery-electric)",
        group=Group.TRANSPORT, unit=Unit.METRE, formula=Formula.PER_UNIT,
        baseline="the average of the city's motorised road modes per passenger-km",
        versions=(FactorVersion(START, Fraction(269, 10_000), SHENZHEN_PUBLIC_TRAVEL,
                                note="26.9 g per passenger-km = 0.0269 g per m"),),
        max_quantity=60_000, daily_events=10, requires_end=True, max_speed_kmh=70,
        fields=TRIP_FIELDS),
)
