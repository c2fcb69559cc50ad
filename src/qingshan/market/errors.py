"""The codes the market's rules refuse with (docs/market.md lists the rule behind each;
docs/api.md the code, its HTTP status and its meaning)."""

from __future__ import annotations

from qingshan.errors import Conflict, InvalidInput, NotFound


class UnknownInstrument(NotFound):
    code = "unknown_instrument"


class UnknownOrder(NotFound):
    code = "unknown_order"


class OutsideBand(InvalidInput):
    """The price lies outside the instrument's band around its reference price."""

    code = "price_outside_band"


class OffTick(InvalidInput):
    """The price is not a multiple of the tick, or the quantity not a multiple of the lot."""

    code = "off_tick"


class OrderNotOpen(Conflict):
    code = "order_not_open"


class RateLimited(Conflict):
    """Too many orders from one party in this minute."""

    code = "rate_limited"
    status = 429


class PositionLimit(Conflict):
    """The order would take the party over the instrument's position limit."""

    code = "position_limit"


class ModeNotEnabled(Conflict):
    """The instrument does not offer this trading mode."""

    code = "mode_not_enabled"


class TradingHalted(Conflict):
    """The operator halted the instrument: nothing trades in any mode until it resumes."""

    code = "trading_halted"


class WrongPhase(Conflict):
    """Not in this trading phase (a call auction collects limit orders: no picking, no IOC
    or market orders; continuous trading resumes only on a book that does not cross)."""

    code = "wrong_phase"


class OutsideTradingHours(Conflict):
    """The instrument is outside its trading sessions."""

    code = "outside_trading_hours"
