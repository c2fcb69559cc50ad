"""Rows of the market's tables: how its book is loaded and written."""

from __future__ import annotations

from typing import Any

from qingshan.ledger.books import FetchAll, Rows, upsert_sql
from qingshan.market.commands import OrderType, Phase, Side
from qingshan.market.model import SIDES, Instrument, Order, OrderStatus, Trade
from qingshan.market.state import MarketState

INSTRUMENT_COLS = ["id", "asset", "tick", "lot", "band_bps", "reference_price", "max_order",
                   "fee_bps", "fee_account", "t_plus_one", "block_band_bps", "block_min",
                   "max_position", "max_orders_per_minute", "phase", "vintage_from",
                   "vintage_to", "categories", "rules", "sessions", "modes", "mode_fees"]
ORDER_COLS = ["id", "instrument", "account", "party", "side", "order_type", "price",
              "quantity", "remaining", "status", "hold", "seq", "counterparty", "time_ms",
              "ends_at", "reason"]
TRADE_COLS = ["id", "instrument", "price", "quantity", "buy_order", "sell_order",
              "aggressor", "buyer_fee", "seller_fee", "seq", "day"]


def rows(book: MarketState) -> Rows:
    out: Rows = []
    if changed := book.changed_keys("instruments"):
        out.append((upsert_sql("market_instruments", INSTRUMENT_COLS), [
            tuple(_value(getattr(book.instruments[i], c)) for c in INSTRUMENT_COLS[:-3])
            + schedule_row(book.instruments[i])
            for i in changed if i in book.instruments]))
    # the hot tables: one row per order and per trade, spelt out for speed
    if changed := book.changed_keys("orders"):
        orders = book.orders
        out.append((upsert_sql("market_orders", ORDER_COLS), [
            (o.id, o.instrument, o.account, o.party, o.side.value, o.order_type.value, o.price,
             o.quantity, o.remaining, o.status.value, o.hold, o.seq, o.counterparty,
             o.time_ms, o.ends_at, o.reason)
            for o in (orders[i] for i in changed if i in orders)]))
    if changed := book.changed_keys("trades"):
        trades = book.trades
        out.append((upsert_sql("market_trades", TRADE_COLS), [
            (t.id, t.instrument, t.price, t.quantity, t.buy_order, t.sell_order, t.aggressor,
             t.buyer_fee, t.seller_fee, t.seq, t.day)
            for t in (trades[i] for i in changed if i in trades)]))
    return out


def schedule_row(inst: Instrument) -> tuple[str | None, str | None, str | None]:
    """Sessions as "570-690,780-900" (minutes), modes as "pick,block", fees as "block:10"."""
    return (None if inst.sessions is None else ",".join(f"{a}-{b}" for a, b in inst.sessions),
            None if inst.modes is None else ",".join(inst.modes),
            None if inst.mode_fees is None else ",".join(f"{m}:{b}" for m, b in inst.mode_fees))


Schedule = tuple[tuple[tuple[int, int], ...] | None, tuple[str, ...] | None,
                 tuple[tuple[str, int], ...] | None]


def schedule_from_row(sessions: str | None, modes: str | None, fees: str | None) -> Schedule:
    return (None if sessions is None else tuple(
                (int(a), int(b)) for a, b in (s.split("-") for s in sessions.split(","))),
            None if modes is None else tuple(modes.split(",")),
            None if fees is None else tuple(
                (m, int(b)) for m, b in (f.split(":") for f in fees.split(","))))


def _value(v: Any) -> Any:
    """Enum members are stored as their values, a tuple of words (categories) as one text."""
    if isinstance(v, tuple):
        return ",".join(v)
    return getattr(v, "value", v)


def instrument_from_row(r: Any) -> Instrument:
    """An instrument from its row (``INSTRUMENT_COLS``)."""
    sessions, modes, fees = schedule_from_row(r[19], r[20], r[21])
    return Instrument(id=r[0], asset=r[1], tick=int(r[2]), lot=int(r[3]), band_bps=int(r[4]),
                      reference_price=int(r[5]), max_order=int(r[6]), fee_bps=int(r[7]),
                      fee_account=r[8], t_plus_one=bool(r[9]), block_band_bps=int(r[10]),
                      block_min=int(r[11]), max_position=int(r[12]),
                      max_orders_per_minute=int(r[13]), phase=Phase(r[14]),
                      vintage_from=int(r[15]), vintage_to=int(r[16]),
                      categories=None if r[17] is None else tuple(r[17].split(",")),
                      rules=int(r[18]), sessions=sessions, modes=modes, mode_fees=fees)


def load(book: MarketState, fetchall: FetchAll) -> None:
    for r in fetchall(f"SELECT {', '.join(INSTRUMENT_COLS)} FROM market_instruments", ()):
        book.instruments[r[0]] = instrument_from_row(r)
    for r in fetchall(f"SELECT {', '.join(ORDER_COLS)} FROM market_orders ORDER BY seq, id",
                      ()):
        o = Order(r[0], r[1], r[2], r[3], Side(r[4]), OrderType(r[5]), int(r[6]), int(r[7]),
                  int(r[8]), OrderStatus(r[9]), r[10], int(r[11]), r[12], int(r[13]),
                  int(r[14]), r[15])
        book.orders[o.id] = o
        inst = book.instruments[o.instrument]
        if inst.max_orders_per_minute:  # rebuild each party's count for its latest minute
            key, minute = (o.party, o.instrument), o.time_ms // 60_000
            last, count = book.rate.get(key, (-1, 0))
            book.rate[key] = (minute, count + 1 if last == minute else 1)
        # resting orders, in time priority (order ids were numbered in time order)
        if o.status is OrderStatus.OPEN and o.order_type is OrderType.LIMIT:
            book.engine(o.instrument).rest(o.id, SIDES[o.side], o.price, o.remaining, o.party)
    for r in fetchall(f"SELECT {', '.join(TRADE_COLS)} FROM market_trades", ()):
        t = Trade(int(r[0]), r[1], int(r[2]), int(r[3]), r[4], r[5], str(r[6]), int(r[7]),
                  int(r[8]), int(r[9]), int(r[10]))
        book.trades[t.id] = t
        inst = book.instruments[t.instrument]
        if inst.t_plus_one:  # rebuild what each buyer (account and party) bought on its
            buyer = book.orders[t.buy_order]  # latest trading day
            for key in ((buyer.account, inst.asset), (buyer.party, inst.asset)):
                day, qty = book.bought.get(key, (-1, 0))
                if t.day > day:
                    book.bought[key] = (t.day, t.quantity)
                elif t.day == day:
                    book.bought[key] = (day, qty + t.quantity)
    for iid in book.instruments:
        book.engine(iid)
    book.forget_undo()  # loading is not a change to roll back
    book.counters = {"order": max((int(k[1:]) for k in book.orders), default=0),
                     "trade": max(book.trades, default=0)}
