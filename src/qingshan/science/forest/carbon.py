"""Volume → biomass → carbon → CO2, for stands growing on their curves and for an inventory.

    B = V · WD · BEF · (1 + R)      t dry matter (above and below ground) from stem volume V
    C = B · CF                       t C
    CO2 = C · 44/12                  t CO2e

The chain of the Chinese afforestation methodologies (AR-CM-001-V01 and CCER-14-001-V01's
"生物量扩展因子法") and of IPCC 2006 Vol. 4 ch. 4 eq. 4.5 / GPG-LULUCF eq. 3.2.3 (the BEF route);
docs/methodologies.md gives the pages. Bamboo has no stem volume: its curve gives above-ground
dry biomass per ha, so B = Y · (1 + R) (WD and BEF are identities, see ``parameters``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import numpy.typing as npt

from qingshan.errors import InvalidInput
from qingshan.science.forest.growth import FloatArray, as_ages, shape
from qingshan.science.forest.parameters import (
    CO2_PER_C,
    DEFAULTS,
    Citation,
    SpeciesGroup,
    SpeciesParameters,
    finite,
    group_of,
)

STOCKING_SOURCE = Citation(
    "林分疏密度 (stand stocking), encyclopedia entry, 出处: 农业科学卷 · 林业 · 林学 · 测树",
    "as reproduced by 修远网 (mythu.net); the printed volume was not opened",
    "林分每公顷总胸高断面积(或蓄积量)与相同条件下标准林分总胸高断面积(或蓄积量)之比 … 标准林分的"
    "疏密度为1.0 … 其每公顷断面积可从相应树种的标准表或生长过程表查得",
    "http://www.mythu.net/b176716.html")
"""Where the stocking adjustment comes from: stocking is the ratio of a stand's volume (or
basal area) per ha to the standard (fully stocked) stand's under the same conditions, so the
stand's volume is the standard table's × stocking. The textbook passage of 孟宪宇《测树学》 on
标准表法 was not read here; the definition above was."""

STOCKING_RANGE = (0.1, 1.5)
"""Accepted stocking: the encyclopedia's scale tops out at 1.0 for the standard stand
("最大的疏密度为 1.0", another encyclopedia entry in the stored pages, address not kept); the
curves here are not fitted normal-yield tables, so a stand denser than its curve (up to 1.5)
is accepted, and below 0.1 a stand is not forest (乔木林 needs 郁闭度 ≥ 0.20)."""


def co2_per_m3(p: SpeciesParameters) -> float:
    """t CO2e in tree biomass (above and below ground) per m3 of stem volume:
    WD · BEF · (1 + R) · CF · 44/12. Bamboo has no stem volume: InvalidInput."""
    if not p.volume_based:
        raise InvalidInput(f"{p.group.value} is not measured by stem volume", field="group",
                           value=p.group.value)
    return p.co2_per_unit()


def biomass_co2(group: SpeciesGroup | str, volume_m3: npt.ArrayLike) -> FloatArray:
    """t CO2e in the tree biomass of stem volume(s) ``volume_m3`` of ``group`` (defaults)."""
    p = DEFAULTS[group_of(group)]
    factor = co2_per_m3(p)
    v = np.asarray(volume_m3, dtype=np.float64)
    if not np.all(np.isfinite(v)) or np.any(v < 0):
        raise InvalidInput("volume_m3 must be finite and not negative", field="volume_m3")
    out: FloatArray = v * factor
    return out


@dataclass(frozen=True, slots=True)
class Stand:
    """A stand growing on its group's curve: ``age`` in years at the start (0 = planted now),
    ``site_factor`` scales the curve's asymptote (site quality; 1 = the curve as fitted),
    ``stocking`` (林分疏密度) is the stand's density relative to the fully stocked stand the
    curve describes (1 = fully stocked): volume = curve × site_factor × stocking, the
    standard-table adjustment (``STOCKING_SOURCE``), within ``STOCKING_RANGE``."""

    id: str
    group: SpeciesGroup
    area_ha: float
    age: float
    site_factor: float = 1.0
    stocking: float = 1.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "group", group_of(self.group))
        object.__setattr__(self, "area_ha", finite(self.area_ha, "area_ha", strict=True))
        object.__setattr__(self, "age", finite(self.age, "age"))
        object.__setattr__(self, "site_factor",
                           finite(self.site_factor, "site_factor", strict=True))
        stocking = finite(self.stocking, "stocking")
        low, high = STOCKING_RANGE
        if not low <= stocking <= high:
            raise InvalidInput(f"stocking must be {low}-{high} (1 = fully stocked)",
                               field="stocking", value=str(stocking))
        object.__setattr__(self, "stocking", stocking)


@dataclass(frozen=True, slots=True)
class GroupCurves:
    """Stands summed by group on their curves' shape: ``shares[g][t]`` =
    Σ_stands of g area · site_factor · stocking · (1 − e^(−b(age + t)))^c, t = 0, 1, …, so that the
    stock of group g at year t is a_g · co2_per_unit_g · shares[g][t] — linear in a and in the
    conversion factors, which is what lets the Monte Carlo draw them per group."""

    years: FloatArray
    groups: tuple[SpeciesGroup, ...]
    shares: FloatArray  # (len(groups), len(years))


def group_curves(stands: Sequence[Stand], years_from_now: npt.ArrayLike,
                 params: Mapping[SpeciesGroup, SpeciesParameters] | None = None) -> GroupCurves:
    params = DEFAULTS if params is None else params
    t = as_ages(years_from_now, "years_from_now").reshape(-1)
    by_group: dict[SpeciesGroup, list[Stand]] = {}
    for s in stands:
        if not isinstance(s, Stand):
            raise InvalidInput("stands must be Stand records", field="stands")
        by_group.setdefault(s.group, []).append(s)
    groups = tuple(g for g in SpeciesGroup if g in by_group)
    shares = np.zeros((len(groups), t.size))
    for i, g in enumerate(groups):
        members = by_group[g]
        weight = np.array([s.area_ha * s.site_factor * s.stocking for s in members])
        ages = np.array([s.age for s in members])
        curve = params[g].growth
        # aggregate stands of one age into one weight (the curve is evaluated once per age)
        unique_ages, index = np.unique(ages, return_inverse=True)
        w = np.bincount(index, weights=weight)
        shares[i] = w @ shape(curve.b, curve.c, unique_ages[:, None] + t[None, :])
    return GroupCurves(t, groups, shares)


def stock_co2(stands: Iterable[Stand], years_from_now: npt.ArrayLike) -> FloatArray:
    """t CO2e in the stands' tree biomass (above and below ground) at each of
    ``years_from_now`` (0 = today), with the default parameters; shape of ``years_from_now``."""
    shape_out = np.shape(years_from_now)
    curves = group_curves(list(stands), years_from_now)
    per_unit = np.array([DEFAULTS[g].growth.a * DEFAULTS[g].co2_per_unit()
                         for g in curves.groups])
    out: FloatArray = (per_unit @ curves.shares if curves.groups
                       else np.zeros(curves.years.size)).reshape(shape_out)
    return out


@dataclass(frozen=True, slots=True)
class GroupStock:
    area_ha: float
    volume_m3: float
    carbon_t: float
    co2_t: float


@dataclass(frozen=True, slots=True)
class InventoryStock:
    """Carbon in the tree biomass (above and below ground) of an inventory; dead wood,
    litter and soil are not counted."""

    carbon_t: float
    co2_t: float
    by_group: Mapping[SpeciesGroup, GroupStock]


def inventory_stock(rows: Iterable[tuple[SpeciesGroup | str, float, float]]) -> InventoryStock:
    """Tree-biomass carbon of existing forest from inventory rows (group, area_ha, volume_m3):
    C = V · WD · BEF · (1 + R) · CF per row. Bamboo rows carry no volume (the inventory counts
    culms, not m3): their volume must be 0 and their stock is area × the biomass curve's
    asymptote (a managed bamboo stand holds a steady standing biomass) × (1 + R) · CF."""
    sums: dict[SpeciesGroup, list[float]] = {}
    for n, row in enumerate(rows):
        try:
            group, area, volume = row
        except (TypeError, ValueError):
            raise InvalidInput("an inventory row is (group, area_ha, volume_m3)",
                               field=f"rows[{n}]") from None
        g = group_of(group, f"rows[{n}].group")
        a = finite(area, f"rows[{n}].area_ha")
        v = finite(volume, f"rows[{n}].volume_m3")
        p = DEFAULTS[g]
        if p.volume_based:
            carbon = v * p.co2_per_unit() / CO2_PER_C
        elif v != 0:
            raise InvalidInput("bamboo is inventoried by area, not stem volume: volume_m3 "
                               "must be 0", field=f"rows[{n}].volume_m3", value=str(v))
        else:
            carbon = a * p.growth.a * p.co2_per_unit() / CO2_PER_C
        acc = sums.setdefault(g, [0.0, 0.0, 0.0])
        acc[0] += a
        acc[1] += v
        acc[2] += carbon
    by_group = {g: GroupStock(s[0], s[1], s[2], s[2] * CO2_PER_C)
                for g, s in sums.items()}
    total = math.fsum(s.carbon_t for s in by_group.values())
    return InventoryStock(total, total * CO2_PER_C, MappingProxyType(by_group))
