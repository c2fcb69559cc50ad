"""What pledge loans ask of the registry (a project's terms) and of the market (prices): two
typed interfaces, bound by the composition root (``qingshan.contexts``), so this context
imports no other. Both only read, inside the lending command's own entry."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from qingshan.ledger.domain.effects import Effects


@dataclass(frozen=True, slots=True)
class ProjectTerms:
    id: str
    proponent: str  # the owner's party
    account: str  # where its issuances go
    asset: str
    sector: str  # forestry, energy, …
    district: str  # GB/T 2260 code
    status: str  # the registry's project status (registered, …)
    crediting_end: str
    buffer_percent: int  # the share of every issuance its methodology sends to the buffer
    # the baseline's removals a year its validation fixed (tCO2e/yr, a canonical decimal;
    # "0" for bare land): a projection credits only the growth above it
    baseline_per_year: str = "0"


@dataclass(frozen=True, slots=True)
class MonitoredVolumes:
    """The stem volumes a verified monitoring report measured, by species group (the science's
    group names), at the end of its period."""

    day: str
    volumes: tuple[tuple[str, float], ...]  # (group, m3)


class Projects(Protocol):
    def project_terms(self, project: str) -> ProjectTerms | None:
        """The registry's project ``project``; None if there is none."""
        ...

    def monitored_volumes(self, project: str, reference: str) -> MonitoredVolumes | None:
        """The stem volumes by species group of the monitoring report behind the issuance
        whose ledger reference is ``reference`` (``report/request``); None if the report
        gives none (a methodology that does not measure volumes)."""
        ...


class Prices(Protocol):
    def average_price(self, asset: str, first_day: int, last_day: int) -> int | None:
        """The volume-weighted average price (fen per unit, rounded down) of the trades of
        ``asset`` on days ``first_day``..``last_day`` (days since 1970-01-01); None if none."""
        ...

    def yearly_prices(self, asset: str, last_day: int) -> list[tuple[int, int]]:
        """(year, volume-weighted average price) of ``asset``'s trades up to ``last_day``."""
        ...


class Sales(Protocol):
    def auction_lot(self, instrument: str, asset: str) -> int:
        """The lot of ``instrument``, which must trade ``asset``; ``unknown_instrument`` or
        ``wrong_instrument`` otherwise."""
        ...

    def sell_by_auction(self, instrument: str, account: str, quantity: int,
                        reserve_price: int, ends_at: int, seq: int) -> Effects:
        """Offer ``quantity`` units of ``account`` in a one-way auction (单向竞价) as the
        platform, until ``ends_at`` (Unix ms), at ``reserve_price`` or more; raises as the
        market's ``start_auction`` does (hours, band, lot, tick) before it changes anything.
        The result names the ``auction``."""
        ...
