"""Monte Carlo of net removals: the default parameters drawn per species group and per draw.

Uncertain, per group and per draw (one draw holds for every stand of the group — the error of
a default factor is shared by the stands it is applied to, it does not average out over
them): wood density, BEF, root:shoot ratio R, carbon fraction and the growth curve's asymptote
a. Each is the default times a lognormal factor with mean 1 and the default's relative
standard deviation (σ² = ln(1 + rsd²), μ = −σ²/2), so that every draw is positive and the
mean of each parameter is its default.

Speed: the stock of a group at year t is a_g · f_g · Σ_stands area · site · shape_g(age + t)
(``carbon.group_curves``): linear in the drawn a_g and conversion factor f_g. The curve's
shape (b, c) is not drawn, so it is evaluated once per (group, distinct age, year), and the
draws enter as a (draws × groups) · (groups × years) product — exact, not an approximation
(bench/forest.py checks it against the full per-stand, per-year, per-draw broadcast).

Percentile convention: exceedance, as appraisers and the lending valuation read them —
``p90`` is the removal exceeded with 90 % probability (the 10th percentile of the draws: the
conservative figure), ``p10`` the one exceeded with 10 % probability (the 90th percentile:
the optimistic figure); ``p50`` is the median.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from qingshan.errors import InvalidInput
from qingshan.science.forest.carbon import Stand, group_curves
from qingshan.science.forest.growth import FloatArray
from qingshan.science.forest.methodology import check_net_inputs, net_from_stocks
from qingshan.science.forest.parameters import (
    CO2_PER_C,
    DEFAULTS,
    PARAMETER_SET,
    SpeciesGroup,
    SpeciesParameters,
)

MAX_DRAWS = 1_000_000
DRAW_CHUNK = 50_000  # draws per chunk: bounds the per-chunk arrays to a few hundred MB at most

# the drawn quantities, in the order of the last axis of the draws
_DRAWN = ("wood_density", "bef", "root_shoot", "carbon_fraction", "asymptote")


@dataclass(frozen=True)
class Projection:
    """Net removals per year (t CO2e/yr) over the draws: ``years`` = 1..n; ``p90`` is exceeded
    with 90 % probability (10th percentile, conservative), ``p10`` with 10 % (90th
    percentile, optimistic)."""

    years: FloatArray
    mean: FloatArray
    p10: FloatArray
    p50: FloatArray
    p90: FloatArray
    draws: int
    seed: int
    parameter_set: str = PARAMETER_SET


def _relative_sds(p: SpeciesParameters) -> FloatArray:
    return np.array([p.wood_density.relative_sd, p.bef.relative_sd, p.root_shoot.relative_sd,
                     p.carbon_fraction.relative_sd, p.growth.a_relative_sd])


def draw_factors(draws: int, seed: int) -> FloatArray:
    """Multiplicative factors, shape (draws, len(SpeciesGroup), 5): lognormal, mean 1, each
    group's relative SDs. Every group is drawn (in SpeciesGroup order) whatever the stands, so
    a group's draws depend only on the seed."""
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((draws, len(SpeciesGroup), len(_DRAWN)))
    rsd = np.stack([_relative_sds(DEFAULTS[g]) for g in SpeciesGroup])
    sigma = np.sqrt(np.log1p(rsd**2))
    out: FloatArray = np.exp(sigma * z - sigma**2 / 2)
    return out


def per_unit_draws(factors: FloatArray, groups: Iterable[SpeciesGroup]) -> FloatArray:
    """t CO2e per unit of curve shape (a · WD · BEF · (1 + R) · CF · 44/12) for each draw and
    each of ``groups``: shape (draws, len(groups))."""
    order = list(SpeciesGroup)
    cols = []
    for g in groups:
        p = DEFAULTS[g]
        f = factors[:, order.index(g), :]
        cols.append(p.growth.a * f[:, 4] * p.wood_density.value * f[:, 0] * p.bef.value
                    * f[:, 1] * (1.0 + p.root_shoot.value * f[:, 2])
                    * p.carbon_fraction.value * f[:, 3] * CO2_PER_C)
    out: FloatArray = (np.stack(cols, axis=1) if cols
                       else np.zeros((factors.shape[0], 0)))
    return out


def monte_carlo(stands: Iterable[Stand], years: int, draws: int, seed: int,
                baseline_per_year: float = 0.0, leakage_share: float = 0.0) -> Projection:
    """Net removals per year 1..``years`` over ``draws`` draws of the uncertain parameters
    (module docstring); the same seed gives the same projection."""
    check_net_inputs(years, baseline_per_year, leakage_share)
    check_draws(draws, seed)
    curves = group_curves(list(stands), np.arange(years + 1, dtype=np.float64))
    factors = draw_factors(draws, seed)
    net = np.empty((draws, years))
    for start in range(0, draws, DRAW_CHUNK):
        stop = min(draws, start + DRAW_CHUNK)
        stocks = per_unit_draws(factors[start:stop], curves.groups) @ curves.shares
        net[start:stop] = net_from_stocks(stocks, float(baseline_per_year),
                                          float(leakage_share))
    return summarise(net, seed)


def check_draws(draws: int, seed: int) -> None:
    if isinstance(draws, bool) or not isinstance(draws, int) or not 2 <= draws <= MAX_DRAWS:
        raise InvalidInput(f"draws must be a whole number 2-{MAX_DRAWS}", field="draws")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise InvalidInput("seed must be a whole number, not negative", field="seed")


def summarise(net: FloatArray, seed: int) -> Projection:
    """The projection of net removals ``net`` (draws × years): mean and exceedance
    percentiles per year."""
    draws, years = net.shape
    low, mid, high = np.percentile(net, [10.0, 50.0, 90.0], axis=0)
    return Projection(years=np.arange(1, years + 1, dtype=np.float64), mean=net.mean(axis=0),
                      p10=high, p50=mid, p90=low, draws=draws, seed=seed)
