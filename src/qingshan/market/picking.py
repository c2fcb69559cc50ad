"""Listing and picking (挂牌点选): a member takes a listed order at one of the best five
price levels, at its price, for a multiple of the lot."""

from __future__ import annotations

from qingshan.errors import Conflict
from qingshan.ledger.domain.effects import Effects
from qingshan.ledger.domain.model import Principal
from qingshan.market.commands import (
    OrderType,
    PickOrder,
    Side,
)
from qingshan.market.errors import OffTick, OrderNotOpen
from qingshan.market.model import SIDES, OrderStatus
from qingshan.market.settlement import new_order, settle
from qingshan.market.state import MarketState


def pick_order(m: MarketState, cmd: PickOrder, actor: Principal, seq: int) -> Effects:
    maker = m.order(cmd.order)
    inst = m.instrument(maker.instrument)
    m.check_trading(inst, "pick")
    party = m.check_owner(actor, cmd.account)
    if maker.status is not OrderStatus.OPEN or maker.order_type is not OrderType.LIMIT:
        raise OrderNotOpen("only an open listed order can be picked", order=maker.id,
                           status=maker.status.value)
    if party == maker.party:
        raise Conflict("a party cannot pick its own order (m-trade)", order=maker.id)
    best = m.engine(inst.id).price_levels(SIDES[maker.side])[:5]
    if maker.price not in best:
        raise Conflict("only orders at the best five price levels can be picked",
                       order=maker.id, levels=best)
    if cmd.quantity % inst.lot or cmd.quantity > maker.remaining:
        raise OffTick("pick a multiple of the lot, at most what the order still offers",
                      lot=inst.lot, available=maker.remaining, field="quantity")
    effects = Effects({})
    side = Side.BUY if maker.side is Side.SELL else Side.SELL
    taker = new_order(m, inst, cmd.account, party, side, OrderType.IOC, maker.price,
                            cmd.quantity, seq, effects)
    buy, sell = (taker, maker) if side is Side.BUY else (maker, taker)
    trade = settle(m, inst, buy, sell, maker.price, cmd.quantity, side, seq, effects,
                         mode="pick")
    effects.result = {"order": taker.id, "status": "filled", "trade": trade.id,
                      "price": trade.price, "quantity": trade.quantity, "maker": maker.id}
    return effects
