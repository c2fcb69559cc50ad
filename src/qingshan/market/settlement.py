"""Orders and their settlement, shared by every trading mode: recording an order (checked
for all of it), holding what rests, delivery versus payment of each fill in the same journal
entry, and cancelling an order with its hold.

An order that rests holds what it could give up: a sell order holds its units, a buy order
holds ``price × quantity`` plus the most fee that could fall due (fees are rounded down, so
the sum over fills never exceeds the reserve). A fill enforces part of the resting order's
hold (units to the buyer, money to the seller, fees to the platform); an incoming order
delivers and pays straight from its account; a cancel or a finished buy order releases what is
left. So every hold is either settled or released, never forgotten.
"""

from __future__ import annotations

from qingshan.ledger.domain.effects import Effects
from qingshan.market.commands import OrderType, Side
from qingshan.market.model import QUOTE, Instrument, Order, OrderStatus, Trade, trading_day
from qingshan.market.state import MarketState


def new_order(m: MarketState, inst: Instrument, account: str, party: str, side: Side,
              order_type: OrderType, price: int, quantity: int, seq: int, effects: Effects,
              counterparty: str | None = None, held: bool = True) -> Order:
    """Check the order (T+1 for sellers, the position and order-rate limits, units or
    money for all of it), hold what it could give up (unless ``held`` is false: the
    caller trades it at once and holds only what rests) and record it."""
    m.check_limits(inst, party, side, quantity)
    if side is Side.SELL and inst.t_plus_one:
        m.check_t_plus_one(inst, account, party, quantity)
    hold = ""
    if held:
        hold = place_hold(m, inst, account, side, price, quantity, effects)
    elif side is Side.SELL:  # checked as for a hold: it must be able to give all of it
        m.ledger.check_can_hold(account, inst.asset, quantity, vintages=inst.vintages,
                                categories=inst.categories)
    else:
        value = price * quantity
        m.ledger.check_can_hold(account, QUOTE, value + inst.reserve_fee(value))
    n = m.next_number("order")
    order = Order(f"O{n:08d}", inst.id, account, party, side, order_type, price, quantity,
                  quantity, OrderStatus.OPEN, hold, seq, counterparty, m.clock())
    if inst.max_orders_per_minute:
        m.count_order(inst, party)
    m.put_order(order)
    return order


def place_hold(m: MarketState, inst: Instrument, account: str, side: Side, price: int,
               quantity: int, effects: Effects) -> str:
    """Hold what an order of ``quantity`` at ``price`` could give up."""
    if side is Side.SELL:
        return m.ledger.place_order_hold(account, inst.asset, quantity, "sell order", effects,
                                         vintages=inst.vintages, categories=inst.categories)
    value = price * quantity
    return m.ledger.place_order_hold(account, QUOTE, value + inst.reserve_fee(value),
                                     "buy order", effects)


def hold_rest(m: MarketState, inst: Instrument, o: Order, effects: Effects) -> Order:
    """Hold what is left of an order that is about to rest."""
    hold = place_hold(m, inst, o.account, o.side, o.price, o.remaining, effects)
    held = Order(o.id, o.instrument, o.account, o.party, o.side, o.order_type, o.price,
                 o.quantity, o.remaining, o.status, hold, o.seq, o.counterparty, o.time_ms,
                 o.ends_at)  # (spelt out: a named tuple's _replace is three times slower)
    m.put_order(held)
    return held


def rehold(m: MarketState, o: Order, need: int, effects: Effects) -> str:
    """Release an order's hold and hold exactly ``need`` again (a new hold id)."""
    m.ledger.release_hold(o.hold, effects)
    inst = m.instruments[o.instrument]
    if o.side is Side.SELL:
        return m.ledger.place_order_hold(o.account, inst.asset, need, "amended order",
                                         effects, vintages=inst.vintages,
                                         categories=inst.categories)
    return m.ledger.place_order_hold(o.account, QUOTE, need, "amended order", effects)


def settle(m: MarketState, inst: Instrument, buy: Order, sell: Order, price: int, qty: int,
           aggressor: Side | str, seq: int, effects: Effects,
           booked: bool = False, mode: str = "continuous") -> Trade:
    """Delivery versus payment, all inside this journal entry; a resting order's place in
    the engine is brought up to date unless the engine made the fill itself (``booked``).
    """
    value = price * qty
    buyer_fee = seller_fee = inst.fee(value, mode)
    _deliver(m, inst, buy, sell, qty, value, buyer_fee, seller_fee, effects)
    eng = m.engines[inst.id]
    for o in (buy, sell):
        left = o.remaining - qty
        m.put_order(Order(o.id, o.instrument, o.account, o.party, o.side, o.order_type,
                          o.price, o.quantity, left,
                          OrderStatus.FILLED if not left else o.status, o.hold, o.seq,
                          o.counterparty, o.time_ms, o.ends_at))
        if not booked and o.id in eng:
            if left:
                eng.reduce(o.id, left)
            else:
                eng.remove(o.id)
        if not left and o is buy and buy.hold:  # a better price leaves money held
            m.ledger.release_hold(buy.hold, effects)
    if inst.t_plus_one:
        m.count_bought(inst, buy.account, buy.party, qty)
    n = m.next_number("trade")
    trade = Trade(n, inst.id, price, qty, buy.id, sell.id, aggressor.value
                  if isinstance(aggressor, Side) else aggressor, buyer_fee, seller_fee, seq,
                  trading_day(m.clock()))
    m.put_trade(trade)
    return trade


def _deliver(m: MarketState, inst: Instrument, buy: Order, sell: Order, qty: int, value: int,
             buyer_fee: int, seller_fee: int, effects: Effects) -> None:
    """Units to the buyer, the payment less the seller's fee to the seller, both fees to the
    fee account: from a resting order's hold, or from an incoming order's account (checked
    for all of it when it came)."""
    ledger = m.ledger
    legacy = inst.rules < 3  # (older rules settled a frozen account's resting orders)
    if sell.hold:
        ledger.settle_hold(sell.hold, buy.account, qty, effects, from_frozen=legacy)
    else:
        ledger.deliver_units(sell.account, buy.account, inst.asset, qty, inst.vintages,
                             effects, inst.categories)
    # the seller's fee comes out of the payment, so nothing is taken from its account
    fees = buyer_fee + seller_fee
    if buy.hold:
        ledger.settle_hold(buy.hold, sell.account, value - seller_fee, effects,
                           from_frozen=legacy)
        if fees:
            ledger.settle_hold(buy.hold, inst.fee_account, fees, effects, from_frozen=legacy)
    else:
        ledger.pay(buy.account, sell.account, QUOTE, value - seller_fee, effects)
        if fees:
            ledger.pay(buy.account, inst.fee_account, QUOTE, fees, effects)


def cancel(m: MarketState, o: Order, effects: Effects, reason: str) -> Order:
    """Cancel an order and release its hold; under rules 3 it says why (``reason``)."""
    if o.hold:
        m.ledger.release_hold(o.hold, effects)
    if m.instruments[o.instrument].rules < 3:
        reason = ""  # (older rules kept no reason: their rows replay unchanged)
    new = o._replace(status=OrderStatus.CANCELLED, reason=reason)
    m.put_order(new)
    return new


def withdraw(m: MarketState, o: Order, effects: Effects, reason: str) -> None:
    """Take an open order off the market; an auction's lot takes its bids with it."""
    m.unrest(o)
    cancel(m, o, effects, reason)
    if o.order_type is OrderType.AUCTION:
        for bid in [b for b in m.orders.values() if b.counterparty == o.id
                    and b.order_type is OrderType.BID and b.status is OrderStatus.OPEN]:
            cancel(m, bid, effects, "auction_withdrawn")
