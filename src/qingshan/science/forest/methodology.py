"""CCER-14-001-V01 net removals, its uncertainty deduction, and the platform's buffer.

    ΔC_NET,t = ΔC_ACTUAL,t − ΔC_BSL,t − LK_t          t CO2e in year t

ΔC_ACTUAL,t is the change of the project's tree-biomass stock from year t − 1 to t (the stock
from ``carbon.stock_co2``); ΔC_BSL is the baseline removal per year fixed at validation (0 on
bare land, the usual case); LK_t = ``leakage_share`` · ΔC_ACTUAL,t (the platform's way to state
a leakage estimate as a share; CCER-14-001-V01 counts leakage from the project document).

Then, as the methodology states it, the change in project stocks is reduced for sampling
uncertainty (``uncertainty_deduction``), and the platform withholds 10 % of each issuance for
non-permanence, rounded up (``issuable_credits``; the registry's CQ-FOREST@2.0 does the same).
Rounding is against the claimant: whole credits are floored, the buffer is ceiled.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from qingshan.errors import InvalidInput
from qingshan.science.forest.carbon import Stand, stock_co2
from qingshan.science.forest.growth import FloatArray
from qingshan.science.forest.parameters import Citation, finite

CCER_14_001 = Citation(
    "CCER-14-001-V01 温室气体自愿减排项目方法学 造林碳汇", "生态环境部 Ministry of Ecology and "
    "Environment, 2023-10", "项目减排量 = 项目碳储量变化 − 基线碳储量变化 − 泄漏",
    "https://renrendoc.com/paper/339638050.html")

BUFFER_PERCENT = 10
"""The platform's non-permanence buffer (VCS AFOLU Non-Permanence Risk Tool v4.0 minimum, as
``registry/methodologies/forest.py``); CCER keeps none."""

UNCERTAINTY_TIERS: tuple[tuple[float, float], ...] = ((0.10, 0.0), (0.20, 0.06), (0.30, 0.11))
"""(upper bound of the relative uncertainty at 90 % confidence, share deducted): up to 10 %
nothing, up to 20 % 6 %, up to 30 % 11 %; above 30 % the sample must be enlarged (no claim).
UNVERIFIED: the tiers as widely quoted for the CDM A/R and Chinese forestry methodologies; the
clause of CCER-14-001-V01 was not read here (docs/methodologies.md)."""


def check_net_inputs(years: int, baseline_per_year: float, leakage_share: float) -> None:
    if isinstance(years, bool) or not isinstance(years, int) or years < 1:
        raise InvalidInput("years must be a whole number of years, at least 1", field="years")
    finite(baseline_per_year, "baseline_per_year")
    share = finite(leakage_share, "leakage_share")
    if share > 1:
        raise InvalidInput("leakage_share must be at most 1", field="leakage_share",
                           value=str(share))


def net_from_stocks(stocks: FloatArray, baseline_per_year: float,
                    leakage_share: float) -> FloatArray:
    """Net removals per year from stocks at years 0..n (last axis): the yearly change, less
    the baseline and the leakage share of the change."""
    delta = np.diff(stocks, axis=-1)
    out: FloatArray = delta * (1.0 - leakage_share) - baseline_per_year
    return out


def net_removals(stands: Iterable[Stand], years: int, baseline_per_year: float = 0.0,
                 leakage_share: float = 0.0) -> FloatArray:
    """t CO2e net removals in each year 1..``years`` with the default parameters: the change
    of the stands' tree-biomass stock, less ``baseline_per_year`` and ``leakage_share`` of the
    change. Negative where the baseline exceeds the growth (a net emission)."""
    check_net_inputs(years, baseline_per_year, leakage_share)
    stocks = stock_co2(list(stands), np.arange(years + 1, dtype=np.float64))
    return net_from_stocks(stocks, float(baseline_per_year), float(leakage_share))


def uncertainty_deduction(relative_uncertainty: float) -> float:
    """The share of the change in project stocks deducted for sampling uncertainty
    (``relative_uncertainty`` = half-width of the 90 % confidence interval / mean), per
    ``UNCERTAINTY_TIERS``; above the last tier the estimate is refused (InvalidInput): the
    methodology asks for more sample plots instead."""
    u = finite(relative_uncertainty, "relative_uncertainty")
    for bound, share in UNCERTAINTY_TIERS:
        if u <= bound:
            return share
    raise InvalidInput(f"a sampling uncertainty above {UNCERTAINTY_TIERS[-1][0]:.0%} needs more "
                       "sample plots", field="relative_uncertainty", value=str(u))


def issuable_credits(net_tco2: float, buffer_percent: int = BUFFER_PERCENT) -> tuple[int, int]:
    """Whole credits from a net removal: (to the owner, to the buffer). The net is floored to
    whole tonnes, the buffer is ``buffer_percent`` of those rounded up, the owner gets the
    rest: owner + buffer ≤ net, buffer ≥ the share. A net below one tonne issues nothing."""
    net = finite(net_tco2, "net_tco2", minimum=-math.inf)
    if isinstance(buffer_percent, bool) or not isinstance(buffer_percent, int) or \
            not 0 <= buffer_percent <= 100:
        raise InvalidInput("buffer_percent must be a whole percentage 0-100",
                           field="buffer_percent")
    whole = max(0, math.floor(net))
    buffer = -(-whole * buffer_percent // 100)
    return whole - buffer, buffer
