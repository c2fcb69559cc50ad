"""Continuous trading: a double auction with price-time priority (limit, IOC and
market-with-protection orders), cancels and amends.

An incoming order is first checked for all of it (units, or money and fees at its limit),
then trades, settling each fill straight from its account in the same journal entry, and
holds only what is left to rest (so an order that fills or is cancelled at once has no hold:
``hold`` is empty). Without continuous matching an order is only listed, for picking.

Self-trade prevention: an incoming order never trades with a resting order of the same party;
the resting order is cancelled instead ("cancel resting").
"""

from __future__ import annotations

from typing import Any

from qingshan.errors import AccountNotOpen, InvalidInput
from qingshan.ledger.domain.effects import Effects
from qingshan.ledger.domain.model import SYSTEM, AccountStatus, Principal
from qingshan.market.commands import (
    AmendOrder,
    CancelOrder,
    OrderType,
    Phase,
    PlaceOrder,
    Side,
    check_public,
)
from qingshan.market.engine import Fill
from qingshan.market.errors import OffTick, OrderNotOpen, OutsideBand, WrongPhase
from qingshan.market.model import SIDES, Instrument, Order, OrderStatus
from qingshan.market.settlement import cancel, hold_rest, new_order, rehold, settle, withdraw
from qingshan.market.state import MarketState


def check_order(m: MarketState, cmd: PlaceOrder, actor: Principal) -> tuple[Instrument, str, int]:
    """The instrument, the acting party and the order's limit (a market order's: the band's
    edge), after every check of an incoming order."""
    inst = m.instrument(cmd.instrument)
    check_public(cmd.order_type)
    # an order rests for continuous matching, or only listed for picking
    m.check_trading(inst, "continuous" if inst.enabled("continuous") else "pick", "order")
    if inst.phase is Phase.CALL and cmd.order_type is not OrderType.LIMIT:
        raise WrongPhase("only limit orders are collected during a call auction",
                         instrument=inst.id, phase=inst.phase.value, field="order_type")
    party = m.check_owner(actor, cmd.account)
    acct = m.ledger.account(cmd.account)
    if acct.status is not AccountStatus.OPEN:
        raise AccountNotOpen(f"account is {acct.status.value}", account=acct.id,
                             status=acct.status.value)
    if cmd.quantity % inst.lot:
        raise OffTick(f"the quantity must be a multiple of the lot ({inst.lot})",
                      lot=inst.lot, field="quantity")
    if cmd.quantity > inst.max_order:
        raise InvalidInput(f"at most {inst.max_order} units in one order",
                           field="quantity", limit=inst.max_order)
    lo, hi = inst.band()
    if cmd.order_type is OrderType.MARKET:
        return inst, party, hi if cmd.side is Side.BUY else lo
    price = cmd.price
    assert price is not None
    if price % inst.tick:
        raise OffTick(f"the price must be a multiple of the tick ({inst.tick} fen)",
                      tick=inst.tick, field="price")
    if not lo <= price <= hi:
        raise OutsideBand("the price is outside today's band", band=[lo, hi],
                          price=price, field="price")
    return inst, party, price


def place_order(m: MarketState, cmd: PlaceOrder, actor: Principal, seq: int) -> Effects:
    inst, party, price = check_order(m, cmd, actor)
    effects = Effects({})
    order = new_order(m, inst, cmd.account, party, cmd.side, cmd.order_type, price,
                      cmd.quantity, seq, effects, held=inst.rules == 1)
    fills = match(m, inst, order, seq, effects) \
        if inst.phase is Phase.CONTINUOUS and inst.enabled("continuous") else []
    order = m.orders[order.id]
    if order.remaining and order.order_type is not OrderType.LIMIT:
        order = cancel(m, order, effects, "unfilled")
    elif order.remaining:
        if not order.hold:
            order = hold_rest(m, inst, order, effects)
        m.rest(order)
    effects.result = {"order": order.id, "status": order.status.value,
                      "remaining": order.remaining, "fills": fills, "hold": order.hold}
    return effects


def buy_now(m: MarketState, instrument: str, account: str, quantity: int, limit: int,
            seq: int) -> Effects:
    """An immediate-or-cancel buy placed by the platform for ``account`` (another context's
    purchase, e.g. a court's case): every check of an incoming order, matched at once, the
    rest cancelled."""
    cmd = PlaceOrder(instrument=instrument, account=account, side=Side.BUY,
                     order_type=OrderType.IOC, price=limit, quantity=quantity)
    return place_order(m, cmd, SYSTEM, seq)


def match(m: MarketState, inst: Instrument, taker: Order, seq: int,
          effects: Effects) -> list[dict[str, Any]]:
    """The engine matches; each fill then settles on the ledger, and each resting order
    of the taker's own party that the engine took off (self-trade prevention) is
    cancelled."""
    matched: list[Fill] = []
    stp: list[str] = []
    m.engine(inst.id).match(SIDES[taker.side], taker.price, taker.remaining, taker.party,
                            matched, stp)
    for oid in stp:
        cancel(m, m.orders[oid], effects, "self_trade")
    fills: list[dict[str, Any]] = []
    orders = m.orders
    for maker_id, price, qty in matched:
        taker = orders[taker.id]
        maker = orders[maker_id]
        buy, sell = (taker, maker) if taker.side is Side.BUY else (maker, taker)
        trade = settle(m, inst, buy, sell, price, qty, taker.side, seq, effects, booked=True)
        fills.append({"trade": trade.id, "price": price, "quantity": qty, "maker": maker_id})
    return fills


def cancel_order(m: MarketState, cmd: CancelOrder, actor: Principal, seq: int) -> Effects:
    o = m.order(cmd.order)
    m.check_owner(actor, o.account)
    if o.status is not OrderStatus.OPEN:
        raise OrderNotOpen(f"the order is {o.status.value}", order=o.id, status=o.status.value)
    effects = Effects({})
    withdraw(m, o, effects, "withdrawn")  # (a withdrawn auction releases its bids)
    effects.result = {"order": o.id, "status": "cancelled", "cancelled": o.remaining}
    return effects


def amend_order(m: MarketState, cmd: AmendOrder, actor: Principal, seq: int) -> Effects:
    o = m.order(cmd.order)
    m.check_owner(actor, o.account)
    if o.status is not OrderStatus.OPEN or o.order_type is not OrderType.LIMIT:
        raise OrderNotOpen("only an open limit order can be amended", order=o.id,
                           status=o.status.value)
    inst = m.instrument(o.instrument)
    filled = o.quantity - o.remaining
    if cmd.quantity <= filled:
        raise InvalidInput("the new quantity must exceed what has already filled",
                           field="quantity", filled=filled)
    if cmd.quantity % inst.lot or (cmd.quantity - filled) % inst.lot:
        raise OffTick(f"the order and what is left of it stay multiples of the lot "
                      f"({inst.lot})", lot=inst.lot, filled=filled, field="quantity")
    if cmd.price != o.price or cmd.quantity > o.quantity:  # a new order: checked first
        m.check_trading(inst, "continuous" if inst.enabled("continuous") else "pick", "order")
    if cmd.price == o.price and cmd.quantity <= o.quantity:
        return _reduce(m, inst, o, cmd.quantity, effects=Effects({}))
    # otherwise: cancel and place anew (loses time priority)
    effects = Effects({})
    m.unrest(o)
    cancel(m, o, effects, "amended")
    new = PlaceOrder(o.instrument, o.account, o.side, OrderType.LIMIT, cmd.price,
                     cmd.quantity - filled)
    placed = place_order(m, new, actor, seq)
    effects.absorb(placed)
    effects.result = {**placed.result, "replaces": o.id, "kept_priority": False}
    return effects


def _reduce(m: MarketState, inst: Instrument, o: Order, quantity: int,
            effects: Effects) -> Effects:
    """A smaller amend at the same price keeps the queue position and releases what is no
    longer offered."""
    cut = o.quantity - quantity
    if cut:
        left = o.remaining - cut
        need = left if o.side is Side.SELL else \
            left * o.price + inst.reserve_fee(left * o.price)
        hold = rehold(m, o, need, effects)
        m.put_order(o._replace(quantity=quantity, remaining=left, hold=hold))
        m.engine(o.instrument).reduce(o.id, left)
    effects.result = {"order": o.id, "status": "open", "kept_priority": True,
                      "remaining": o.remaining - cut}
    return effects
