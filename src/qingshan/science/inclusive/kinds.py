"""The kinds of the carbon-inclusive table: groups, formulas, units, a factor version and a
scenario (``scenarios`` re-exports them and holds the table itself)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from types import MappingProxyType

from qingshan.science.forest.parameters import Citation

START = dt.date(2021, 1, 1)
"""The first day any factor of the table is in force (the earliest source, 2021)."""

TRIP_FIELDS = ("event_id", "person", "scenario", "start", "end", "quantity")
EVENT_FIELDS = ("event_id", "person", "scenario", "start", "quantity")
SAVED_FIELDS = ("event_id", "person", "scenario", "start", "quantity", "baseline")

PRODUCT_LIMIT = 2**53
"""``max_quantity × factor.numerator`` of every version stays below this (far below 2^63, so
the exact int64 product in ``grams_avoided`` never overflows)."""


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
    verified: bool = False  # the printed number read at ``source`` in this workplace
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
    fields: tuple[str, ...] = EVENT_FIELDS
    cap_source: Citation | None = None  # where the published caps are printed; None: ours
    cap_note: str = ""  # which caps are published and which are the platform's choice

    def version_on(self, day: dt.date) -> FactorVersion | None:
        """The factor version in force on ``day`` (None before the first)."""
        found = None
        for v in self.versions:
            if v.effective <= day:
                found = v
        return found


def check(s: Scenario) -> None:
    """ValueError unless ``s`` is well formed: versions strictly by date, positive factors
    and caps, products within ``PRODUCT_LIMIT``, the baseline field for a SAVED scenario."""
    dates = [v.effective for v in s.versions]
    if not dates or dates != sorted(set(dates)):
        raise ValueError(f"{s.code}: versions must be strictly ordered by effective date")
    for v in s.versions:
        if v.factor <= 0 or s.max_quantity * v.factor.numerator >= PRODUCT_LIMIT:
            raise ValueError(f"{s.code}: factor {v.factor} out of range")
    caps = (s.max_quantity, s.daily_events, s.daily_grams, s.yearly_grams, s.max_speed_kmh)
    if any(c is not None and c <= 0 for c in caps):
        raise ValueError(f"{s.code}: caps must be positive")
    if (s.formula is Formula.SAVED) != ("baseline" in s.fields):
        raise ValueError(f"{s.code}: a SAVED scenario, and only it, takes a baseline")
    if s.requires_end != ("end" in s.fields) or (s.requires_end and s.max_speed_kmh is None):
        raise ValueError(f"{s.code}: a trip takes an end and a speed limit")


def table(*scenarios: Scenario) -> Mapping[str, Scenario]:
    """The scenarios by code, each checked; a code twice is a ValueError."""
    out: dict[str, Scenario] = {}
    for s in scenarios:
        if s.code in out:
            raise ValueError(f"{s.code}: twice in the table")
        check(s)
        out[s.code] = s
    return MappingProxyType(out)
