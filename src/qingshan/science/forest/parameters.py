"""Species groups and their default parameters, each with its source and its uncertainty.

A default is a :class:`Sourced` value: the number, its unit, the citation (document, issuer,
table/equation/page, URL), a relative standard deviation for the Monte Carlo, and whether the
number was read at its source (``verified``). An unverified value is a value that circulates
in project documents and papers but was not read in the primary table in this workplace; the
docstring of each table below and docs/methodologies.md ("Forest carbon science") say which.

The relative standard deviations are the platform's choice (no Chinese default table prints
one); their citation says so.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from qingshan.errors import InvalidInput

PARAMETER_SET = "forest-defaults-2026.1"
"""The version label of the default parameters below; every appraisal records it. A change
to any value or uncertainty below is a new label, never an edit under the same one."""

CO2_PER_C = 44.0 / 12.0
"""Molar masses of CO2 and C (IUPAC standard atomic weights, rounded as IPCC 2006 Vol. 4
eq. 2.x do): t CO2 per t C."""


class SpeciesGroup(StrEnum):
    MASSON_PINE = "masson_pine"
    CYPRESS = "cypress"
    FIR = "fir"
    BROADLEAF = "broadleaf"
    BAMBOO = "bamboo"


def group_of(value: object, field: str = "group") -> SpeciesGroup:
    """``value`` as a species group, or InvalidInput naming ``field``."""
    if isinstance(value, SpeciesGroup):
        return value
    try:
        return SpeciesGroup(str(value))
    except ValueError:
        raise InvalidInput(f"{field} must be one of {', '.join(g.value for g in SpeciesGroup)}",
                           field=field, value=str(value)) from None


def finite(value: object, field: str, *, minimum: float = 0.0, strict: bool = False) -> float:
    """``value`` as a finite float at least ``minimum`` (above it if ``strict``), or
    InvalidInput naming ``field``."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidInput(f"{field} must be a number", field=field)
    v = float(value)
    if not math.isfinite(v) or v < minimum or (strict and v == minimum):
        word = "above" if strict else "at least"
        raise InvalidInput(f"{field} must be a finite number {word} {minimum}", field=field,
                           value=str(v))
    return v


@dataclass(frozen=True, slots=True)
class Citation:
    """Where a number or formula is printed (science's own equivalent of the registry's
    ``Source``: the science imports nothing of the registry)."""

    document: str
    issuer: str
    locator: str = ""  # table, equation, page
    url: str = ""


@dataclass(frozen=True, slots=True)
class Sourced:
    """A default value with its unit, source and uncertainty (relative standard deviation of
    the multiplicative factor the Monte Carlo draws; 0 = taken as exact)."""

    value: float
    unit: str
    source: Citation
    relative_sd: float = 0.0
    verified: bool = False  # read at ``source`` in this workplace
    uncertainty_source: Citation | None = None

    def __post_init__(self) -> None:
        finite(self.value, "value", strict=True)
        finite(self.relative_sd, "relative_sd")


@dataclass(frozen=True, slots=True)
class ChapmanRichards:
    """y(t) = a · (1 − e^(−b·t))^c, t in years since planting. ``unit`` is "m3/ha" for stem
    volume, "t/ha" for above-ground dry biomass (bamboo). The Monte Carlo scales ``a`` by a
    draw with ``a_relative_sd``."""

    a: float
    b: float
    c: float
    unit: str
    source: Citation
    a_relative_sd: float = 0.0
    verified: bool = False

    def __post_init__(self) -> None:
        for name in ("a", "b", "c"):
            finite(getattr(self, name), name, strict=True)
        finite(self.a_relative_sd, "a_relative_sd")
        if self.unit not in ("m3/ha", "t/ha"):
            raise InvalidInput("unit must be m3/ha (stem volume) or t/ha (biomass)",
                               field="unit", value=self.unit)


@dataclass(frozen=True, slots=True)
class SpeciesParameters:
    group: SpeciesGroup
    name_zh: str
    name_en: str
    wood_density: Sourced  # basic wood density, t dry matter per m3 stem volume
    bef: Sourced  # biomass expansion factor, above-ground biomass / stem biomass
    root_shoot: Sourced  # R, below-ground / above-ground biomass
    carbon_fraction: Sourced  # t C per t dry matter
    growth: ChapmanRichards

    @property
    def volume_based(self) -> bool:
        """True when the growth curve gives stem volume (the WD·BEF chain applies); False for
        a curve of above-ground biomass (bamboo), where WD and BEF are identities."""
        return self.growth.unit == "m3/ha"

    def co2_per_unit(self) -> float:
        """t CO2e in tree biomass (above and below ground) per unit of the growth curve:
        per m3 stem volume, or per t above-ground dry biomass for a biomass curve."""
        return (self.wood_density.value * self.bef.value * (1.0 + self.root_shoot.value)
                * self.carbon_fraction.value * CO2_PER_C)


# ---------------------------------------------------------------------------- the defaults
NATIONAL_DEFAULTS = Citation(
    "省级温室气体清单编制指南(试行) (NDRC 2011), ch. 5 土地利用变化和林业, table of 乔木林主要优势"
    "树种(组) SVD/BEF/R/CF; the same values in 造林项目碳汇计量与监测指南 (SFA 2008/2014) annex "
    "国家和IPCC碳计量参数的缺省值", "国家发展改革委 NDRC; 国家林业局 SFA",
    "table of SVD, BEF, R, CF by dominant species group; used here for SVD (WD) and BEF — "
    "UNVERIFIED: the table was not read here; the values are those quoted in CCER/AR-CM-001 "
    "project documents (fir 0.307/1.634, Masson pine 0.380/1.472, cypress 0.478/1.732, oaks "
    "0.676/1.355)",
    "https://qianqiantushu.com/ebook/read1136935.html")
PLATFORM_SPREAD = Citation(
    "Qingshan platform choice (docs/methodologies.md, Forest carbon science)", "Qingshan",
    "relative SD of a default factor: WD 10 %, BEF 15 %, R 25 %, CF 4 %, asymptote 20 %; no "
    "Chinese default table prints one. CF 4 % matches the ±5.26 % bias of CF 0.45/0.50 against "
    "0.47–0.48 measured in Jilin (范春楠 et al., ChinaXiv 201605.00432)")
NOT_APPLICABLE = Citation(
    "not applicable: the bamboo curve gives above-ground dry biomass directly", "Qingshan",
    "identity factor (1, exact)")

_RSD = {"wd": 0.10, "bef": 0.15, "r": 0.25, "cf": 0.04, "a": 0.20}


NFI9_TABLE = Citation(
    "Estimating changes of forest carbon storage in China for 70 years (1949–2018), "
    "Scientific Reports 13 (2023), doi 10.1038/s41598-023-44097-4 (models from 9th national "
    "forest inventory plots)", "Springer Nature",
    "Table 2, 'The parameter estimates and evaluation indices of biomass and carbon models for "
    "20 forest types', columns d0 (CF) and RSR",
    "https://www.nature.com/articles/s41598-023-44097-4/tables/2")


def _factors(wd: float, bef: float, r: float, cf: float) -> tuple[Sourced, ...]:
    """WD and BEF from the national default table (unverified); R and CF read in the 9th-NFI
    model table (verified)."""
    return (Sourced(wd, "t d.m./m3", NATIONAL_DEFAULTS, _RSD["wd"], False, PLATFORM_SPREAD),
            Sourced(bef, "1", NATIONAL_DEFAULTS, _RSD["bef"], False, PLATFORM_SPREAD),
            Sourced(r, "1", NFI9_TABLE, _RSD["r"], True, PLATFORM_SPREAD),
            Sourced(cf, "t C/t d.m.", NFI9_TABLE, _RSD["cf"], True, PLATFORM_SPREAD))


PROVISIONAL_CURVE = Citation(
    "Qingshan provisional growth curve — UNVERIFIED: not a fitted curve from a source", "Qingshan",
    "chosen so that 20 years on bare land average 4–9 t CO2e/ha/yr, the range of published "
    "projects (Wuning CCER afforestation 6,317 t/yr on 2.08万亩 = 4.56; CDM A/R Guangxi "
    "Pearl River 25,795 t/yr on 3,000–4,000 ha = 6.45–8.60); to be replaced by the fitted "
    "South-West China curves of PLOS ONE doi 10.1371/journal.pone.0150992 Table 3 or Forests "
    "14(1):153 Appendix (not read here)",
    "http://5dxc.com/article/2025/08/01/719451.html")
BAMBOO_UNVERIFIED = Citation(
    "moso bamboo defaults — UNVERIFIED", "Qingshan",
    "CF 0.50 and R 0.25 as commonly used for bamboo in CCER/AR practice; no table read here",
    "")


def _species(group: SpeciesGroup, zh: str, en: str, factors: tuple[Sourced, ...],
             growth: ChapmanRichards) -> SpeciesParameters:
    wd, bef, r, cf = factors
    return SpeciesParameters(group, zh, en, wd, bef, r, cf, growth)


def _curve(a: float, b: float, c: float, unit: str = "m3/ha") -> ChapmanRichards:
    return ChapmanRichards(a, b, c, unit, PROVISIONAL_CURVE, _RSD["a"], False)


DEFAULTS: Mapping[SpeciesGroup, SpeciesParameters] = MappingProxyType({
    SpeciesGroup.MASSON_PINE: _species(
        SpeciesGroup.MASSON_PINE, "马尾松", "Masson pine (Pinus massoniana)",
        _factors(0.380, 1.472, 0.2053, 0.5162), _curve(250.0, 0.05, 2.2)),
    SpeciesGroup.CYPRESS: _species(
        SpeciesGroup.CYPRESS, "柏木", "Chinese weeping cypress (Cupressus funebris)",
        _factors(0.478, 1.732, 0.2489, 0.5013), _curve(250.0, 0.04, 2.0)),
    SpeciesGroup.FIR: _species(
        SpeciesGroup.FIR, "杉木", "Chinese fir (Cunninghamia lanceolata)",
        _factors(0.307, 1.634, 0.2332, 0.4969), _curve(300.0, 0.06, 2.5)),
    SpeciesGroup.BROADLEAF: _species(
        SpeciesGroup.BROADLEAF, "栎类", "broadleaf (oaks, Quercus spp.)",
        _factors(0.676, 1.355, 0.2610, 0.4810), _curve(220.0, 0.04, 2.0)),
    SpeciesGroup.BAMBOO: _species(
        SpeciesGroup.BAMBOO, "毛竹", "moso bamboo (Phyllostachys edulis)",
        (Sourced(1.0, "1", NOT_APPLICABLE), Sourced(1.0, "1", NOT_APPLICABLE),
         Sourced(0.25, "1", BAMBOO_UNVERIFIED, _RSD["r"], False, PLATFORM_SPREAD),
         Sourced(0.50, "t C/t d.m.", BAMBOO_UNVERIFIED, _RSD["cf"], False, PLATFORM_SPREAD)),
        _curve(70.0, 0.3, 2.0, "t/ha")),
})
"""The default parameters by species group (version ``PARAMETER_SET``)."""
