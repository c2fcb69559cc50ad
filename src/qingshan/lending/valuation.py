"""The valuation of expected carbon income, pure and exact: yearly credits (after the buffer)
× a price path, discounted; the loan ceiling is the collateral value × the bank's
loan-to-value ratio. Money is computed in exact fractions and rounded down once, at the end
(against the borrower, who claims the value): no floats touch money.

    PV = Σ_t q_t · P · (1 + g)^t · (1 − h) / (1 + r)^t          (t = 1 … horizon)

with q_t the credits of year t, P today's price (fen per tonne), g the yearly price trend,
h the stress haircut and r the discount rate, all in basis points. The 《重庆市林业碳汇预期收益权
抵(质)押贷款业务指南(试行)》 (January 2023) values the right as an average credit price × a
third-party-measured sink volume; the discounting and the scenarios are the platform's
(docs/lending.md)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction

from qingshan.lending.model import BPS, Scenario

MAX_TREND_BPS = 2_000  # the observed trend is carried forward at ±20 % a year at most


def present_value(credits: Sequence[int], price: int, *, trend_bps: int = 0,
                  haircut_bps: int = 0, discount_bps: int) -> int:
    """Σ credits_t × price_t / (1 + r)^t in fen, rounded down."""
    grow = Fraction(BPS + trend_bps, BPS)
    disc = Fraction(BPS + discount_bps, BPS)
    keep = Fraction(BPS - haircut_bps, BPS)
    total = Fraction(0)
    factor = Fraction(1)
    for q in credits:
        factor = factor * grow / disc
        total += q * price * keep * factor
    return math.floor(total)


def scenario_value(scenario: Scenario, credits: Sequence[int], existing: int, price: int, *,
                   trend_bps: int, stress_bps: int, discount_bps: int) -> int:
    """The present value of the expected credits under ``scenario``, plus the units the
    project already holds at today's price (less the haircut under stress)."""
    haircut = stress_bps if scenario is Scenario.STRESS else 0
    trend = trend_bps if scenario is Scenario.TREND else 0
    now = existing * price * (BPS - haircut) // BPS
    return now + present_value(credits, price, trend_bps=trend, haircut_bps=haircut,
                               discount_bps=discount_bps)


def observed_trend(yearly: Sequence[tuple[int, int]]) -> int:
    """The yearly price trend in basis points from (year, average price) pairs: the largest
    whole g (|g| ≤ 20 %) with first × (1 + g)^years ≤ last, found exactly (no float powers,
    so a replay decides as the first time did); 0 from fewer than two years."""
    pts = sorted((y, p) for y, p in yearly if p > 0)
    if len(pts) < 2 or pts[-1][0] == pts[0][0]:
        return 0
    (y0, first), (y1, last) = pts[0], pts[-1]
    n = y1 - y0
    lo, hi = -MAX_TREND_BPS, MAX_TREND_BPS
    target = Fraction(last, first)
    if Fraction(BPS + lo, BPS) ** n > target:
        return lo
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if Fraction(BPS + mid, BPS) ** n <= target:
            lo = mid
        else:
            hi = mid - 1
    return lo


def ceiling(collateral: int, ltv_bps: int) -> int:
    """The most a bank may lend on ``collateral`` at ``ltv_bps``, rounded down."""
    return collateral * ltv_bps // BPS


def ltv_bps(outstanding: int, collateral: int) -> int:
    """Outstanding principal over the collateral value, in basis points rounded up (against
    the borrower: a covenant is breached at the first basis point over)."""
    if collateral <= 0:
        return BPS * 100 if outstanding else 0
    return -(-outstanding * BPS // collateral)
