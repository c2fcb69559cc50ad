"""The market's modes besides continuous trading: listing and picking (挂牌点选), block
agreements (大宗协议), one-way auctions (单向竞价, 单向竞买), call auctions, and the close of
the day. Handlers of :class:`~qingshan.market.book.MarketBook`, one function each, taking the
book first (the book routes its commands to them)."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from qingshan.errors import Conflict, Forbidden, InvalidInput
from qingshan.ledger.domain.model import AccountStatus, Principal
from qingshan.ledger.domain.state import Effects
from qingshan.market import oversight
from qingshan.market.commands import (
    BidAuction,
    CloseAuction,
    CloseDay,
    ConfirmBlockTrade,
    OrderType,
    Phase,
    PickOrder,
    ProposeBlockTrade,
    RunCallAuction,
    SetPhase,
    Side,
    StartAuction,
)
from qingshan.market.engine import BUY, REMAINING, SELL
from qingshan.market.model import (
    ADMIN,
    OFF_BOOK,
    SIDES,
    Instrument,
    ModeNotEnabled,
    OffTick,
    Order,
    OrderNotOpen,
    OrderStatus,
    OutsideBand,
    UnknownOrder,
    WrongPhase,
    trading_day,
)

if TYPE_CHECKING:
    from qingshan.market.book import MarketBook


# ---------------------------------------------------------------------- listing and picking
def pick_order(book: MarketBook, cmd: PickOrder, actor: Principal, seq: int) -> Effects:
    maker = book.order(cmd.order)
    inst = book.instrument(maker.instrument)
    book.check_trading(inst, "pick")
    party = book.check_owner(actor, cmd.account)
    if maker.status is not OrderStatus.OPEN or maker.order_type is not OrderType.LIMIT:
        raise OrderNotOpen("only an open listed order can be picked", order=maker.id,
                           status=maker.status.value)
    if party == maker.party:
        raise Conflict("a party cannot pick its own order (book-trade)", order=maker.id)
    best = book.engine(inst.id).price_levels(SIDES[maker.side])[:5]
    if maker.price not in best:
        raise Conflict("only orders at the best five price levels can be picked",
                       order=maker.id, levels=best)
    if cmd.quantity % inst.lot or cmd.quantity > maker.remaining:
        raise OffTick("pick a multiple of the lot, at most what the order still offers",
                      lot=inst.lot, available=maker.remaining, field="quantity")
    effects = Effects({})
    side = Side.BUY if maker.side is Side.SELL else Side.SELL
    taker = book._new_order(inst, cmd.account, party, side, OrderType.IOC, maker.price,
                            cmd.quantity, seq, effects)
    buy, sell = (taker, maker) if side is Side.BUY else (maker, taker)
    trade = book._settle(inst, buy, sell, maker.price, cmd.quantity, side, seq, effects,
                         mode="pick")
    effects.result = {"order": taker.id, "status": "filled", "trade": trade.id,
                      "price": trade.price, "quantity": trade.quantity, "maker": maker.id}
    return effects


# ---------------------------------------------------------------------- block agreements
def propose_block(book: MarketBook, cmd: ProposeBlockTrade, actor: Principal,
                        seq: int) -> Effects:
    inst = book.instrument(cmd.instrument)
    book.check_trading(inst, "block")
    party = book.check_owner(actor, cmd.seller)
    buyer = book.ledger.account(cmd.buyer)
    if buyer.party_id == party:
        raise Conflict("a block agreement needs two parties", buyer=buyer.id)
    if buyer.status is not AccountStatus.OPEN:
        raise Conflict("the buyer's account is not open", account=buyer.id)
    if cmd.quantity < inst.block_min or cmd.quantity % inst.lot:
        raise OffTick(f"a block agreement is at least {inst.block_min} units, in lots of "
                      f"{inst.lot}", block_min=inst.block_min, lot=inst.lot,
                      field="quantity")
    lo, hi = inst.band(inst.block_band_bps)
    if cmd.price % inst.tick:
        raise OffTick("the price is not a multiple of the tick", tick=inst.tick,
                      field="price")
    if not lo <= cmd.price <= hi:
        raise OutsideBand("the price is outside the block-agreement band", band=[lo, hi],
                          price=cmd.price, field="price")
    effects = Effects({})
    o = book._new_order(inst, cmd.seller, party, Side.SELL, OrderType.BLOCK, cmd.price,
                        cmd.quantity, seq, effects, counterparty=cmd.buyer)
    effects.result = {"order": o.id, "status": "open", "buyer": cmd.buyer,
                      "band": [lo, hi]}
    return effects


def confirm_block(book: MarketBook, cmd: ConfirmBlockTrade, actor: Principal,
                        seq: int) -> Effects:
    proposal = book.order(cmd.order)
    if proposal.order_type is not OrderType.BLOCK or proposal.counterparty is None:
        raise OrderNotOpen("this is not a block proposal", order=proposal.id)
    party = book.check_owner(actor, proposal.counterparty)
    if proposal.status is not OrderStatus.OPEN:
        raise OrderNotOpen(f"the proposal is {proposal.status.value}", order=proposal.id,
                           status=proposal.status.value)
    inst = book.instrument(proposal.instrument)
    book.check_trading(inst, "block")
    effects = Effects({})
    buy = book._new_order(inst, proposal.counterparty, party, Side.BUY, OrderType.BLOCK,
                          proposal.price, proposal.remaining, seq, effects,
                          counterparty=proposal.account)
    trade = book._settle(inst, buy, proposal, proposal.price, proposal.remaining,
                         Side.BUY, seq, effects, mode="block")
    effects.result = {"order": buy.id, "proposal": proposal.id, "trade": trade.id,
                      "price": trade.price, "quantity": trade.quantity}
    return effects


# ---------------------------------------------------------------------- one-way auctions
def start_auction(book: MarketBook, cmd: StartAuction, actor: Principal, seq: int) -> Effects:
    inst = book.instrument(cmd.instrument)
    book.check_trading(inst, "auction")
    party = book.check_owner(actor, cmd.account)
    if cmd.ends_at <= book.clock():
        raise InvalidInput("the auction must end in the future", field="ends_at")
    if cmd.quantity % inst.lot or cmd.reserve_price % inst.tick:
        raise OffTick("lot and tick apply to auctions too", lot=inst.lot, tick=inst.tick)
    check_band(inst, cmd.reserve_price, "the reserve price")
    effects = Effects({})
    # a sale holds the lot's units; a purchase holds the money for all of it at its ceiling
    lot = book._new_order(inst, cmd.account, party, cmd.side, OrderType.AUCTION,
                          cmd.reserve_price, cmd.quantity, seq, effects)
    lot = lot._replace(ends_at=cmd.ends_at)
    book._put(lot)
    effects.result = {"auction": lot.id, "side": cmd.side.value, "ends_at": cmd.ends_at,
                      "reserve_price": cmd.reserve_price}
    return effects


def check_band(inst: Instrument, price: int, what: str) -> None:
    """An auction's prices keep to the instrument's band, as every price of the book does."""
    lo, hi = inst.band()
    if not lo <= price <= hi:
        raise OutsideBand(f"{what} is outside today's band", band=[lo, hi], price=price,
                          field="price")


def _open_auction(book: MarketBook, aid: str) -> Order:
    lot = book.order(aid)
    if lot.order_type is not OrderType.AUCTION:
        raise UnknownOrder("no such auction", auction=aid)
    if lot.status is not OrderStatus.OPEN:
        raise OrderNotOpen(f"the auction is {lot.status.value}", auction=aid)
    return lot


def bid_auction(book: MarketBook, cmd: BidAuction, actor: Principal, seq: int) -> Effects:
    lot = _open_auction(book, cmd.auction)
    inst = book.instrument(lot.instrument)
    book.check_trading(inst, "auction")
    party = book.check_owner(actor, cmd.account)
    if book.clock() >= lot.ends_at:
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
    bid = book._new_order(inst, cmd.account, party, side, OrderType.BID, cmd.price,
                          cmd.quantity, seq, effects, counterparty=lot.id)
    effects.result = {"bid": bid.id, "auction": lot.id}
    return effects


def close_auction(book: MarketBook, cmd: CloseAuction, actor: Principal, seq: int) -> Effects:
    lot = _open_auction(book, cmd.auction)
    inst = book.instrument(lot.instrument)
    book.check_phase(inst, "auction")
    if book.clock() < lot.ends_at:
        raise OrderNotOpen("the auction is still open", auction=lot.id,
                           ends_at=lot.ends_at)
    lo, hi = inst.band()  # the band at the close: under rules 3, no award outside it
    legacy = inst.rules < 3
    sale = lot.side is Side.SELL  # bids win highest first; offers to a purchase lowest
    bids = sorted((o for o in book.orders.values()
                   if o.order_type is OrderType.BID and o.counterparty == lot.id
                   and o.status is OrderStatus.OPEN),
                  key=lambda o: (-o.price if sale else o.price, int(o.id[1:])))
    effects = Effects({})
    awards: list[dict[str, Any]] = []
    for bid in bids:
        lot = book.orders[lot.id]
        qty = min(bid.quantity, lot.remaining) if legacy or lo <= bid.price <= hi else 0
        if qty:
            buy, sell = (bid, lot) if sale else (lot, bid)
            trade = book._settle(inst, buy, sell, bid.price, qty, bid.side, seq, effects,
                                 mode="auction")
            awards.append({"bid": bid.id, "price": bid.price, "quantity": qty,
                           "trade": trade.id})
        bid = book.orders[bid.id]
        if bid.status is OrderStatus.OPEN:  # lost, or only partly won
            book._cancel(bid, seq, effects, "not_awarded")
    lot = book.orders[lot.id]
    unsold = lot.remaining
    if lot.status is OrderStatus.OPEN:
        book._cancel(lot, seq, effects, "auction_closed")
    effects.result = {"auction": lot.id, "awards": awards, "unsold": unsold}
    return effects


# ---------------------------------------------------------------------- call auctions
def set_phase(book: MarketBook, cmd: SetPhase, actor: Principal, seq: int) -> Effects:
    if actor.role not in ADMIN:
        raise Forbidden("only the operator changes the trading phase", role=actor.role.value)
    inst = book.instrument(cmd.instrument)
    if cmd.phase is Phase.CALL and not inst.enabled("call"):
        raise ModeNotEnabled(f"{inst.id} does not offer call auctions", instrument=inst.id,
                             mode="call", modes=list(inst.modes or ()))
    if cmd.phase is Phase.CONTINUOUS:  # (from a call, or from a halt during one)
        bid, ask = book.best(inst.id, Side.BUY), book.best(inst.id, Side.SELL)
        if bid is not None and ask is not None and bid >= ask:
            raise WrongPhase("the collected book crosses: run the call auction first",
                             instrument=inst.id, phase=inst.phase.value)
    book._set(book.instruments, inst.id, replace(inst, phase=cmd.phase))
    book._dirty["instruments"].add(inst.id)
    return Effects({"instrument": inst.id, "phase": cmd.phase.value,
                    "previous": inst.phase.value})


def call_price(book: MarketBook, inst: Instrument) -> tuple[int, int] | None:
    """(price, volume) that uncrosses the book, or None if nothing can trade."""
    eng = book.engine(inst.id)
    bid, ask = eng.best(BUY), eng.best(SELL)
    if bid is None or ask is None or bid < ask:
        return None

    def volume(side: int) -> dict[int, int]:
        return {p: sum(eng.orders[o][REMAINING] for o in ids)
                for p, ids in eng.levels[side].items()}

    bid_at, ask_at = volume(BUY), volume(SELL)
    best: tuple[tuple[int, int, int], int, int] | None = None
    # every order price, and the reference (the best choice when a range of prices ties)
    for p in sorted(set(bid_at) | set(ask_at) | {inst.reference_price}):
        demand = sum(q for bp, q in bid_at.items() if bp >= p)
        supply = sum(q for ap, q in ask_at.items() if ap <= p)
        executable = min(demand, supply)
        if not executable:
            continue
        rank = (-executable, abs(demand - supply), abs(p - inst.reference_price))
        if best is None or rank < best[0]:
            best = (rank, p, executable)
    return None if best is None else (best[1], best[2])


def run_call_auction(book: MarketBook, cmd: RunCallAuction, actor: Principal,
                           seq: int) -> Effects:
    if actor.role not in ADMIN:
        raise Forbidden("only the operator runs the call auction", role=actor.role.value)
    inst = book.instrument(cmd.instrument)
    if inst.phase is not Phase.CALL:
        raise Conflict("the instrument is not in a call phase", instrument=inst.id)
    effects = Effects({})
    found = call_price(book, inst)
    trades: list[dict[str, Any]] = []
    if found is not None:
        price, volume = found
        eng = book.engine(inst.id)
        while volume:
            bid_price, ask_price = eng.best(BUY), eng.best(SELL)
            if bid_price is None or ask_price is None or bid_price < price \
                    or ask_price > price:
                break
            buy = book.orders[eng.levels[BUY][bid_price][0]]
            sell = book.orders[eng.levels[SELL][ask_price][0]]
            if buy.party == sell.party:  # book-trade: cancel the later order
                later = buy if int(buy.id[1:]) > int(sell.id[1:]) else sell
                book._unrest(later)
                book._cancel(later, seq, effects, "self_trade")
                continue
            qty = min(buy.remaining, sell.remaining, volume)
            trade = book._settle(inst, buy, sell, price, qty, "call", seq, effects,
                                 mode="call")
            trades.append({"trade": trade.id, "quantity": qty, "buy": buy.id,
                           "sell": sell.id})
            volume -= qty
    new = replace(book.instruments[inst.id], phase=Phase.CONTINUOUS)
    book._set(book.instruments, inst.id, new)
    book._dirty["instruments"].add(inst.id)
    effects.result = {"instrument": inst.id, "price": None if found is None else found[0],
                      "volume": sum(t["quantity"] for t in trades), "trades": trades}
    return effects


def close_day(book: MarketBook, cmd: CloseDay, actor: Principal, seq: int) -> Effects:
    if actor.role not in ADMIN:
        raise Forbidden("only the operator closes the day", role=actor.role.value)
    inst = book.instrument(cmd.instrument)
    today = trading_day(book.clock())
    trades = [t for t in book.trades.values() if t.instrument == inst.id and t.day == today]
    if inst.rules >= 3:  # prices of the order book only: no block agreement, no auction
        trades = [t for t in trades if book.orders[t.buy_order].order_type not in OFF_BOOK
                  and book.orders[t.sell_order].order_type not in OFF_BOOK]
    volume = sum(t.quantity for t in trades)
    if not volume:  # no trade today: the reference stays
        return Effects({"instrument": inst.id, "close": inst.reference_price,
                        "volume": 0})
    vwap = sum(t.price * t.quantity for t in trades) // volume
    close = max(inst.tick, (vwap + inst.tick // 2) // inst.tick * inst.tick)
    effects = Effects({})
    new, cancelled = oversight.move_reference(book, inst, close, effects)
    effects.result = {"instrument": inst.id, "close": close, "vwap": vwap, "volume": volume,
                      "band": list(new.band())}
    if cancelled:
        effects.result["cancelled_orders"] = cancelled
    return effects
