"""Forest Monte Carlo speed, beside a baseline measured in the same run.

    .venv/bin/python bench/forest.py [--quick] [--stands N] [--draws N] [--years N]

1,000 stands (species shares of a Chongqing-like estate: Masson pine 35 %, cypress 20 %,
broadleaf 25 %, fir 12 %, bamboo 8 %; areas lognormal, median 5 ha; ages 1–60; site factors
around 1), 10,000 draws, 60 years:

- ``qingshan.science.forest.monte_carlo``: the stands summed per group on their curves' shape
  once, the draws entering as a (draws × groups) · (groups × years) product;
- baseline: the straightforward NumPy pass over the same arrays and the same draws — every
  stand's curve evaluated per draw and per year (draws × stands × years), chunked over draws
  (64 at a time, about 30 MB an array), summed over the stands, then the same percentiles.

Both give the same projection (the largest relative difference is printed).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from qingshan.science.forest import DEFAULTS, SpeciesGroup, Stand, monte_carlo
from qingshan.science.forest.montecarlo import draw_factors
from qingshan.science.forest.parameters import CO2_PER_C

SHARES = {SpeciesGroup.MASSON_PINE: 0.35, SpeciesGroup.CYPRESS: 0.20,
          SpeciesGroup.BROADLEAF: 0.25, SpeciesGroup.FIR: 0.12, SpeciesGroup.BAMBOO: 0.08}


def estate(n: int, seed: int = 7) -> list[Stand]:
    rng = np.random.default_rng(seed)
    groups = rng.choice(list(SHARES), size=n, p=list(SHARES.values()))
    areas = rng.lognormal(np.log(5.0), 1.0, n).round(2) + 0.01
    ages = rng.integers(1, 61, n)
    sites = np.clip(rng.normal(1.0, 0.15, n), 0.5, 1.5).round(2)
    return [Stand(f"S{i:05d}", SpeciesGroup(g), float(a), float(t), float(s))
            for i, (g, a, t, s) in enumerate(zip(groups, areas, ages, sites, strict=True))]


def baseline(stands: list[Stand], years: int, draws: int, seed: int,
             chunk: int = 64) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Every stand, every year, every draw: the full broadcast, chunked over draws."""
    order = list(SpeciesGroup)
    gi = np.array([order.index(s.group) for s in stands])
    weight = np.array([s.area_ha * s.site_factor * s.stocking for s in stands])
    age = np.array([s.age for s in stands])
    p = [DEFAULTS[g] for g in order]
    a = np.array([q.growth.a for q in p])[gi]
    b = np.array([q.growth.b for q in p])[gi]
    c = np.array([q.growth.c for q in p])[gi]
    wd = np.array([q.wood_density.value for q in p])[gi]
    bef = np.array([q.bef.value for q in p])[gi]
    r = np.array([q.root_shoot.value for q in p])[gi]
    cf = np.array([q.carbon_fraction.value for q in p])[gi]
    t = np.arange(years + 1, dtype=np.float64)
    factors = draw_factors(draws, seed)
    net = np.empty((draws, years))
    for start in range(0, draws, chunk):
        f = factors[start:start + chunk][:, gi, :]  # (d, stands, 5)
        per_stand = (weight * a * f[..., 4] * wd * f[..., 0] * bef * f[..., 1]
                     * (1.0 + r * f[..., 2]) * cf * f[..., 3] * CO2_PER_C)  # (d, stands)
        curve = (1.0 - np.exp(-b[None, :, None] * (age[None, :, None] + t[None, None, :])))
        stock = (per_stand[:, :, None] * curve ** c[None, :, None]).sum(axis=1)  # (d, t)
        net[start:start + chunk] = np.diff(stock, axis=-1)
    low, mid, high = np.percentile(net, [10.0, 50.0, 90.0], axis=0)
    return net.mean(axis=0), high, mid, low


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="1,000 draws instead of 10,000")
    ap.add_argument("--stands", type=int, default=1_000)
    ap.add_argument("--draws", type=int, default=None)
    ap.add_argument("--years", type=int, default=60)
    ap.add_argument("--seed", type=int, default=2026)
    args = ap.parse_args()
    draws = args.draws or (1_000 if args.quick else 10_000)
    stands = estate(args.stands)
    print(f"{len(stands):,} stands, {draws:,} draws, {args.years} years "
          f"({len(stands) * draws * (args.years + 1):,} stand-draw-years)")

    monte_carlo(stands[:10], 5, 10, 0)  # warm up imports and caches
    t0 = time.perf_counter()
    proj = monte_carlo(stands, args.years, draws, args.seed)
    fast = time.perf_counter() - t0
    t0 = time.perf_counter()
    mean, p10, p50, p90 = baseline(stands, args.years, draws, args.seed)
    slow = time.perf_counter() - t0

    worst = max(float(np.max(np.abs(x - y) / np.abs(y)))
                for x, y in ((proj.mean, mean), (proj.p10, p10), (proj.p50, p50),
                             (proj.p90, p90)))
    print(f"monte_carlo (grouped curves, draws × groups product): {fast:8.3f} s")
    print(f"baseline (full broadcast per stand per year per draw): {slow:8.3f} s")
    print(f"ratio baseline / monte_carlo: {slow / fast:,.0f} ×")
    print(f"largest relative difference between the two projections: {worst:.1e}")
    for y in (1, 10, 30, args.years):
        if y <= args.years:
            i = y - 1
            print(f"  year {y:2d}: P90 {proj.p90[i]:12,.0f}  P50 {proj.p50[i]:12,.0f}  "
                  f"P10 {proj.p10[i]:12,.0f}  mean {proj.mean[i]:12,.0f} t CO2e/yr")


if __name__ == "__main__":
    main()
