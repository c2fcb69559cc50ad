"""What judicial offsetting asks of a market: one typed interface, the market's side of it
bound by the composition root (``qingshan.contexts``), so this context imports no other.
Every call runs inside the judicial command's own journal entry and unit of work."""

from __future__ import annotations

from typing import Protocol

from qingshan.ledger.domain.effects import Effects

# an instrument's asset, the issuance categories it trades (None: any) and its lot
Terms = tuple[str, tuple[str, ...] | None, int]


class Exchange(Protocol):
    def terms(self, instrument: str) -> Terms:
        """The instrument's asset, categories and lot; ``unknown_instrument`` if none."""
        ...

    def buy_now(self, instrument: str, account: str, quantity: int, limit: int,
                seq: int) -> Effects:
        """Buy up to ``quantity`` units for ``account`` at once, as the platform, at the best
        offers up to ``limit`` fen per unit (immediate or cancel: nothing rests). Raises as
        an incoming order does (phase, band, lot, funds) before it changes anything. The
        result holds ``fills``: ``[{trade, price, quantity, maker}]``."""
        ...

