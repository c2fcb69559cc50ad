"""CCER-14-001-V01 net removals, its uncertainty deduction, and the platform's buffer.

    ΔC_NET,t = ΔC_ACTUAL,t − ΔC_BSL,t − LK_t          t CO2e in year t

ΔC_ACTUAL,t is the change of the project's tree-biomass stock from year t − 1 to t (the stock
from ``carbon.stock_co2``); ΔC_BSL is the baseline removal per year fixed at validation (0 on
bare land, the usual case); LK_t = ``leakage_share`` · ΔC_ACTUAL,t (the platform's way to state
a leakage estimate as a share; CCER-14-001-V01 counts leakage from the project document).

Then the project's estimate is reduced for sampling uncertainty as AR-TOOL14 states it
(``uncertainty_deduction``), and the platform withholds 10 % of each issuance for
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

AR_TOOL14 = Citation(
    "CDM AR-TOOL14 v04.2 Estimation of carbon stocks and change in carbon stocks of trees and "
    "shrubs in A/R CDM project activities", "UNFCCC CDM Executive Board (EB 85), 2015",
    "Appendix 2, Table 1, p. 28 (read second-hand: a transcription in a public GitHub file, "
    "not the PDF); China's CCTS BM-T-AR-0004 v1.0 (2025) is said to copy it",
    "https://cdm.unfccc.int/methodologies/ARmethodologies/tools/ar-am-tool-14-v4.2.pdf")

UNCERTAINTY_TIERS: tuple[tuple[float, float], ...] = (
    (0.10, 0.0), (0.15, 0.25), (0.20, 0.50), (0.30, 0.75), (math.inf, 1.0))
"""AR-TOOL14's discount (``AR_TOOL14``): (upper bound of the relative uncertainty U at 90 %
confidence, share of the confidence half-width deducted). The project's estimate is taken as
mean − share × half-width = mean × (1 − share × U): nothing up to 10 %, a quarter of the
half-width up to 15 %, half up to 20 %, three quarters up to 30 %, the lower bound above.
Whether CCER-14-001-V01 uses the same table was not read (docs/methodologies.md)."""


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
    """The share of a project's estimate deducted for sampling uncertainty
    (``relative_uncertainty`` U = half-width of the 90 % confidence interval / mean): the
    tier's share of the half-width, i.e. share × U (``UNCERTAINTY_TIERS``, AR-TOOL14); above
    30 % the estimate is its lower bound (the whole half-width)."""
    u = finite(relative_uncertainty, "relative_uncertainty")
    if u > 1:
        raise InvalidInput("a relative uncertainty above 100 % is not an estimate",
                           field="relative_uncertainty", value=str(u))
    for bound, share in UNCERTAINTY_TIERS:
        if u <= bound:
            return share * u
    raise AssertionError("unreachable: the last tier has no bound")


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
