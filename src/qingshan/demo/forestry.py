"""The demo's forestry projects report what a sample-plot inventory measures — the stem volume
of each species group at the end of each monitoring period — and the registry computes their
removals through the forest science (CQ-FOREST@3.0 for afforestation, CQ-FOREST-MGMT@1.0 for
forest management), as a real registry would. Each period's net removal was drawn first
(``scenario._physical``: the published projects' rates); here it becomes the stock the
inventory finds, so that the registry, computing from the volumes, claims the same.

Sourced: Chongqing's 2.74 亿 m3 of forest stock at the end of 2023 (重庆市林业局 via 中国网;
docs/methodologies.md "Chongqing inventory") over its forest land gives about 60 m3/ha; a
managed forest starts from that stock. The demo's (invented, docs/demo.md): the species mixes,
and the business-as-usual growth of a managed forest, 0.35 t CO2e/mu a year (a middle-aged
stand growing about 4.6 m3/ha a year at the mix's 1.14 t CO2e/m3), on top of which the project
grows the drawn 0.20-0.30 t/mu.
"""

from __future__ import annotations

import datetime as dt

from qingshan.demo.scenario import Period, ProjectPlan
from qingshan.registry.methodologies.forest import STOCK_GROUPS, volume_id
from qingshan.registry.monitoring import period_years
from qingshan.registry.numbers import canonical_decimal
from qingshan.science import forest
from qingshan.science.forest import SpeciesGroup

FIR, PINE = SpeciesGroup.FIR, SpeciesGroup.MASSON_PINE
CYPRESS, BROADLEAF = SpeciesGroup.CYPRESS, SpeciesGroup.BROADLEAF
# shares of the stock (t CO2e) by species group: plantations of fir and Masson pine; managed
# forests of pine, cypress and broadleaf (the demo's)
MIX = {"afforestation": ((FIR, 0.5), (PINE, 0.5)),
       "management": ((PINE, 0.4), (CYPRESS, 0.2), (BROADLEAF, 0.4))}
STOCK_M3_PER_HA = 60.0  # 2.74 亿 m3 over Chongqing's forest land (sourced, above)
BASELINE_T_PER_MU = 0.35  # business-as-usual growth of a managed forest (the demo's)
MU_PER_HA = 15
SAMPLING_UNCERTAINTY = 0.08  # the inventories' (90 % CI half-width / mean): no discount


def co2_per_m3(kind: str) -> float:
    """t CO2e per m3 of the kind's species mix (the science's defaults)."""
    mix = MIX[kind]
    return 1.0 / sum(share / forest.co2_per_m3(forest.DEFAULTS[g]) for g, share in mix)


def volumes(kind: str, stock_t: float) -> dict[str, float]:
    """The stem volumes (m3, by group) whose stock through the science is ``stock_t``."""
    out = {volume_id(g): 0.0 for g in STOCK_GROUPS}
    for g, share in MIX[kind]:
        out[volume_id(g)] = round(stock_t * share / forest.co2_per_m3(forest.DEFAULTS[g]), 3)
    return out


def years(a: dt.date, b: dt.date) -> float:
    """The period's length as the registry derives it (to six places)."""
    return round(float(period_years(a.isoformat(), b.isoformat())), 6)


def report_stocks(plan: ProjectPlan) -> None:
    """Turn a drawn forestry plan's periods into inventories of stem volume for a stock
    methodology, and fix at validation what it asks: a managed forest's stock at the start
    (60 m3/ha over its area) and its baseline growth. Periods keep their net removals."""
    if plan.methodology.stock is None or plan.kind not in MIX:
        return
    managed = plan.kind == "management"
    stock = plan.size / MU_PER_HA * STOCK_M3_PER_HA * co2_per_m3(plan.kind) if managed else 0.0
    baseline = plan.size * BASELINE_T_PER_MU if managed else 0.0
    if managed:
        plan.fixed = {"initial_stock": canonical_decimal(f"{stock:.3f}"),
                      "baseline_per_year": canonical_decimal(f"{baseline:.3f}")}
    out = []
    for p in plan.periods:
        net = float(p.physical.get("actual_removals", p.expected_t))
        stock += net + baseline * years(p.start, p.end)
        out.append(Period(p.start, p.end, {**volumes(plan.kind, stock),
                                           "sampling_uncertainty": SAMPLING_UNCERTAINTY},
                          p.expected_t))
    plan.periods = out
