"""One-way auctions (单向竞价, 单向竞买) for a seller or a buyer: the lot holds what it
offers, bids hold what they would give, and the close awards by price then time, within the
band (rules 3), releasing every other hold."""

from __future__ import annotations

from typing import Any

from qingshan.errors import Conflict, InvalidInput
from qingshan.ledger.domain.effects import Effects
from qingshan.ledger.domain.model import Principal
from qingshan.market.commands import (
    BidAuction,
    CloseAuction,
    OrderType,
    Side,
    StartAuction,
)
from qingshan.market.errors import OffTick, OrderNotOpen, OutsideBand, UnknownOrder
from qingshan.market.model import Instrument, Order, OrderStatus
from qingshan.market.settlement import cancel, new_order, settle
from qingshan.market.state import MarketState


def start_auction(m: MarketState, cmd: StartAuction, actor: Principal, seq: int) -> Effects:
    inst = m.instrument(cmd.instrument)
    m.check_trading(inst, "auction")
    party = m.check_owner(actor, cmd.account)
    if cmd.ends_at <= m.clock():
        raise InvalidInput("the auction must end in the future", field="ends_at")
    if cmd.quantity % inst.lot or cmd.reserve_price % inst.tick:
        raise OffTick("lot and tick apply to auctions too", lot=inst.lot, tick=inst.tick)
    check_band(inst, cmd.reserve_price, "the reserve price")
    effects = Effects({})
    # a sale holds the lot's units; a purchase holds the money for all of it at its ceiling
    lot = new_order(m, inst, cmd.account, party, cmd.side, OrderType.AUCTION,
                          cmd.reserve_price, cmd.quantity, seq, effects)
    lot = lot._replace(ends_at=cmd.ends_at)
    m.put_order(lot)
    effects.result = {"auction": lot.id, "side": cmd.side.value, "ends_at": cmd.ends_at,
                      "reserve_price": cmd.reserve_price}
    return effects


def check_band(inst: Instrument, price: int, what: str) -> None:
    """An auction's prices keep to the instrument's band, as every price of the m does."""
    lo, hi = inst.band()
    if not lo <= price <= hi:
        raise OutsideBand(f"{what} is outside today's band", band=[lo, hi], price=price,
                          field="price")


def _open_auction(m: MarketState, aid: str) -> Order:
    lot = m.order(aid)
    if lot.order_type is not OrderType.AUCTION:
        raise UnknownOrder("no such auction", auction=aid)
    if lot.status is not OrderStatus.OPEN:
        raise OrderNotOpen(f"the auction is {lot.status.value}", auction=aid)
    return lot


def bid_auction(m: MarketState, cmd: BidAuction, actor: Principal, seq: int) -> Effects:
    lot = _open_auction(m, cmd.auction)
    inst = m.instrument(lot.instrument)
    m.check_trading(inst, "auction")
    party = m.check_owner(actor, cmd.account)
    if m.clock() >= lot.ends_at:
        raise OrderNotOpen("the auction's window has closed", auction=lot.id)
    if party == lot.party:
        raise Conflict("a party cannot bid in its own auction", auction=lot.id)
    if lot.side is Side.SELL and cmd.price < lot.price:
        raise OutsideBand("the bid is below the reserve price", reserve=lot.price,
                          field="price")
    if lot.side is Side.BUY and cmd.price > lot.price:
        raise OutsideBand("the offer is above the buyer's ceiling price", ceiling=lot.price,
                          field="price")
    if cmd.price % inst.tick or cmd.quantity % inst.lot or cmd.quantity > lot.quantity:
        raise OffTick("bid on the tick and lot, at most the lot's size", tick=inst.tick,
                      lot=inst.lot, size=lot.quantity)
    check_band(inst, cmd.price, "the bid")
    effects = Effects({})
    # a bid for a sale holds money; an offer to a purchase holds units
    side = Side.BUY if lot.side is Side.SELL else Side.SELL
    bid = new_order(m, inst, cmd.account, party, side, OrderType.BID, cmd.price,
                          cmd.quantity, seq, effects, counterparty=lot.id)
    effects.result = {"bid": bid.id, "auction": lot.id}
    return effects


def close_auction(m: MarketState, cmd: CloseAuction, actor: Principal, seq: int) -> Effects:
    lot = _open_auction(m, cmd.auction)
    inst = m.instrument(lot.instrument)
    m.check_phase(inst, "auction")
    if m.clock() < lot.ends_at:
        raise OrderNotOpen("the auction is still open", auction=lot.id,
                           ends_at=lot.ends_at)
    lo, hi = inst.band()  # the band at the close: under rules 3, no award outside it
    legacy = inst.rules < 3
    sale = lot.side is Side.SELL  # bids win highest first; offers to a purchase lowest
    bids = sorted((o for o in m.orders.values()
                   if o.order_type is OrderType.BID and o.counterparty == lot.id
                   and o.status is OrderStatus.OPEN),
                  key=lambda o: (-o.price if sale else o.price, int(o.id[1:])))
    effects = Effects({})
    awards: list[dict[str, Any]] = []
    for bid in bids:
        lot = m.orders[lot.id]
        qty = min(bid.quantity, lot.remaining) if legacy or lo <= bid.price <= hi else 0
        if qty:
            buy, sell = (bid, lot) if sale else (lot, bid)
            trade = settle(m, inst, buy, sell, bid.price, qty, bid.side, seq, effects,
                                 mode="auction")
            awards.append({"bid": bid.id, "price": bid.price, "quantity": qty,
                           "trade": trade.id})
        bid = m.orders[bid.id]
        if bid.status is OrderStatus.OPEN:  # lost, or only partly won
            cancel(m, bid, effects, "not_awarded")
    lot = m.orders[lot.id]
    unsold = lot.remaining
    if lot.status is OrderStatus.OPEN:
        cancel(m, lot, effects, "auction_closed")
    effects.result = {"auction": lot.id, "awards": awards, "unsold": unsold}
    return effects
