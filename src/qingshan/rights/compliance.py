"""Each district's standing against its target, year by year: its own verified amount, what
it bought and sold through released tranches by the end of the year, the coverage with and
without them, and whether it is short, meets the target or has surplus to sell.

A released tranche counts toward one district only: the buyer's line (the signatory or whoever
succeeded it by that year) gains it and the seller's line gives it up, so across all districts
the amounts add up to what was verified (``invariants``)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from qingshan.rights.model import (
    IndicatorKind,
    Measurement,
    TrancheStatus,
    coverage_bps,
)
from qingshan.rights.state import RightsState


@dataclass(frozen=True, slots=True, kw_only=True)
class Standing:
    district: str
    kind: IndicatorKind
    year: int
    amount: int  # verified
    basis: int
    target_bps: int
    duty: int
    bought: int  # through released tranches, to the end of the year
    sold: int

    @property
    def effective(self) -> int:
        return self.amount + self.bought - self.sold

    @property
    def own_bps(self) -> int:
        return coverage_bps(self.amount, self.basis)

    @property
    def with_trades_bps(self) -> int:
        return coverage_bps(self.effective, self.basis)

    @property
    def status(self) -> str:
        """short: under its target even with what it bought; surplus: above it with spare to
        sell; met: exactly at it."""
        gap = self.effective - self.duty
        return "short" if gap < 0 else "surplus" if gap > 0 else "met"


def transfers(r: RightsState, kind: IndicatorKind, year: int) -> tuple[dict[str, int],
                                                                        dict[str, int]]:
    """Units bought and sold by each district's line through the end of ``year``, attributed
    to whoever stood for the signatory at the end of that year."""
    bought: dict[str, int] = defaultdict(int)
    sold: dict[str, int] = defaultdict(int)
    for c in r.contracts.values():
        if c.kind is not kind:
            continue
        q = sum(t.quantity for t in c.tranches if t.status is TrancheStatus.RELEASED
                and int(t.released_on[:4]) <= year)
        if q:
            bought[r.heir(c.signed_buyer, year)] += q
            sold[r.heir(c.signed_seller, year)] += q
    return bought, sold


def standings(r: RightsState, kind: IndicatorKind, year: int) -> list[Standing]:
    """Every district measured in ``year`` for ``kind``, by district."""
    bought, sold = transfers(r, kind, year)
    rows: list[Measurement] = sorted(
        (m for (d, k, y), m in r.measurements.items() if k is kind and y == year),
        key=lambda m: m.district)
    return [Standing(district=m.district, kind=kind, year=year, amount=m.amount,
                     basis=m.basis, target_bps=m.target_bps, duty=m.duty,
                     bought=bought.get(m.district, 0), sold=sold.get(m.district, 0))
            for m in rows]


def years(r: RightsState, kind: IndicatorKind) -> list[int]:
    return sorted({y for (_, k, y) in r.measurements if k is kind})
