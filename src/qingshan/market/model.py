"""The market's values: instruments, orders, trades (its errors are in ``errors``)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple

from qingshan.market.commands import FIRST_RULES, OrderType, Phase, Side
from qingshan.market.engine import BUY, SELL

QUOTE = "CNY"
SIDES = {Side.BUY: BUY, Side.SELL: SELL}


class OrderStatus(StrEnum):
    OPEN = "open"
    FILLED = "filled"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True, kw_only=True)
class Instrument:
    id: str
    asset: str
    tick: int
    lot: int
    band_bps: int
    reference_price: int
    max_order: int
    fee_bps: int
    fee_account: str
    t_plus_one: bool = False
    block_band_bps: int = 3000
    block_min: int = 1
    max_position: int = 0
    max_orders_per_minute: int = 0
    phase: Phase = Phase.CONTINUOUS
    vintage_from: int = 0
    vintage_to: int = 0
    categories: tuple[str, ...] | None = None  # issuance categories it trades (None: any)
    rules: int = FIRST_RULES  # settlement rules (a new instrument lists under CURRENT_RULES)
    sessions: tuple[tuple[int, int], ...] | None = None  # Beijing minutes, Mon-Fri; None: any
    modes: tuple[str, ...] | None = None  # enabled trading modes; None: all
    mode_fees: tuple[tuple[str, int], ...] | None = None  # fee bps by mode, beside fee_bps

    @property
    def vintages(self) -> tuple[int, int] | None:
        return (self.vintage_from, self.vintage_to) if self.vintage_from else None

    def band(self, bps: int | None = None) -> tuple[int, int]:
        """Lowest and highest allowed prices, on the tick grid (``bps``: another width, such
        as the block-agreement band)."""
        width = self.band_bps if bps is None else bps
        lo = -(-self.reference_price * (10_000 - width) // 10_000)
        hi = self.reference_price * (10_000 + width) // 10_000
        lo = -(-lo // self.tick) * self.tick
        hi = hi // self.tick * self.tick
        return max(lo, self.tick), hi

    def fee(self, value: int, mode: str = "continuous") -> int:
        """The fee each side pays on a trade of ``value`` in ``mode`` (rounded down)."""
        bps = dict(self.mode_fees).get(mode, self.fee_bps) if self.mode_fees else self.fee_bps
        return value * bps // 10_000

    def reserve_fee(self, value: int) -> int:
        """The most fee a buy order of ``value`` could owe, whatever mode fills it."""
        bps = max([self.fee_bps, *(b for _, b in self.mode_fees or ())])
        return value * bps // 10_000

    def enabled(self, mode: str) -> bool:
        return self.modes is None or mode in self.modes

    def open_at(self, now_ms: int) -> bool:
        """Within a trading session (Beijing time, Monday to Friday)?"""
        if self.sessions is None:
            return True
        day = trading_day(now_ms)
        if (day + 3) % 7 >= 5:  # 1970-01-01 was a Thursday: 5 and 6 are Saturday, Sunday
            return False
        minute = (now_ms // 60_000 + 8 * 60) % 1440
        return any(a <= minute < b for a, b in self.sessions)


class Order(NamedTuple):
    """An order as the book records it (immutable: each change makes a new record; a named
    tuple rather than a frozen dataclass because the market builds one per fill, and a tuple
    builds three times faster)."""

    id: str
    instrument: str
    account: str
    party: str
    side: Side
    order_type: OrderType
    price: int  # limit (for a market order, the band edge it may trade up to)
    quantity: int
    remaining: int
    status: OrderStatus
    hold: str
    seq: int
    counterparty: str | None = None  # a block proposal's buyer account; a bid's auction
    time_ms: int = 0
    ends_at: int = 0  # an auction lot's closing time (Unix ms)
    reason: str = ""  # why a cancelled order was cancelled (rules 3: CANCEL_REASONS)


class Trade(NamedTuple):
    id: int
    instrument: str
    price: int
    quantity: int
    buy_order: str
    sell_order: str
    aggressor: str  # "buy" or "sell" (the incoming order's side), or "call" (call auction)
    buyer_fee: int
    seller_fee: int
    seq: int
    day: int  # Beijing trading day (days since 1970-01-01)


# why the market cancelled an order (set under rules 3; docs/market.md)
CANCEL_REASONS = ("withdrawn", "unfilled", "self_trade", "amended", "account_frozen",
                  "outside_band", "auction_withdrawn", "not_awarded", "auction_closed")
# order types of trades outside the order book: a block agreement, a one-way auction
OFF_BOOK = frozenset({OrderType.BLOCK, OrderType.AUCTION, OrderType.BID})


def trading_day(now_ms: int) -> int:
    """Days since 1970-01-01 in Beijing time (UTC+8), the day T+1 counts in."""
    return (now_ms // 1000 + 8 * 3600) // 86_400

