"""Call auctions and the close of the day: the operator moves an instrument into a call
phase (orders are collected, not matched), runs the auction at the price that uncrosses the
book, and closes the day at the VWAP of its order-book trades, the next reference price."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from qingshan.errors import Conflict
from qingshan.ledger.domain.effects import Effects
from qingshan.ledger.domain.model import Principal
from qingshan.ledger.domain.policy import check_admin
from qingshan.market import oversight
from qingshan.market.commands import (
    CloseDay,
    Phase,
    RunCallAuction,
    SetPhase,
    Side,
)
from qingshan.market.engine import BUY, REMAINING, SELL
from qingshan.market.errors import ModeNotEnabled, WrongPhase
from qingshan.market.model import OFF_BOOK, Instrument, trading_day
from qingshan.market.settlement import cancel, settle
from qingshan.market.state import MarketState


def set_phase(m: MarketState, cmd: SetPhase, actor: Principal, seq: int) -> Effects:
    check_admin(actor, "only the operator changes the trading phase")
    inst = m.instrument(cmd.instrument)
    if cmd.phase is Phase.CALL and not inst.enabled("call"):
        raise ModeNotEnabled(f"{inst.id} does not offer call auctions", instrument=inst.id,
                             mode="call", modes=list(inst.modes or ()))
    if cmd.phase is Phase.CONTINUOUS:  # (from a call, or from a halt during one)
        bid, ask = m.best(inst.id, Side.BUY), m.best(inst.id, Side.SELL)
        if bid is not None and ask is not None and bid >= ask:
            raise WrongPhase("the collected m crosses: run the call auction first",
                             instrument=inst.id, phase=inst.phase.value)
    m.put_instrument(replace(inst, phase=cmd.phase))
    return Effects({"instrument": inst.id, "phase": cmd.phase.value,
                    "previous": inst.phase.value})


def call_price(m: MarketState, inst: Instrument) -> tuple[int, int] | None:
    """(price, volume) that uncrosses the m, or None if nothing can trade."""
    eng = m.engine(inst.id)
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


def run_call_auction(m: MarketState, cmd: RunCallAuction, actor: Principal,
                           seq: int) -> Effects:
    check_admin(actor, "only the operator runs the call auction")
    inst = m.instrument(cmd.instrument)
    if inst.phase is not Phase.CALL:
        raise Conflict("the instrument is not in a call phase", instrument=inst.id)
    effects = Effects({})
    found = call_price(m, inst)
    trades: list[dict[str, Any]] = []
    if found is not None:
        price, volume = found
        eng = m.engine(inst.id)
        while volume:
            bid_price, ask_price = eng.best(BUY), eng.best(SELL)
            if bid_price is None or ask_price is None or bid_price < price \
                    or ask_price > price:
                break
            buy = m.orders[eng.levels[BUY][bid_price][0]]
            sell = m.orders[eng.levels[SELL][ask_price][0]]
            if buy.party == sell.party:  # m-trade: cancel the later order
                later = buy if int(buy.id[1:]) > int(sell.id[1:]) else sell
                m.unrest(later)
                cancel(m, later, effects, "self_trade")
                continue
            qty = min(buy.remaining, sell.remaining, volume)
            trade = settle(m, inst, buy, sell, price, qty, "call", seq, effects,
                                 mode="call")
            trades.append({"trade": trade.id, "quantity": qty, "buy": buy.id,
                           "sell": sell.id})
            volume -= qty
    new = replace(m.instruments[inst.id], phase=Phase.CONTINUOUS)
    m.put_instrument(new)
    effects.result = {"instrument": inst.id, "price": None if found is None else found[0],
                      "volume": sum(t["quantity"] for t in trades), "trades": trades}
    return effects


def close_day(m: MarketState, cmd: CloseDay, actor: Principal, seq: int) -> Effects:
    check_admin(actor, "only the operator closes the day")
    inst = m.instrument(cmd.instrument)
    today = trading_day(m.clock())
    trades = [t for t in m.trades.values() if t.instrument == inst.id and t.day == today]
    if inst.rules >= 3:  # prices of the order m only: no block agreement, no auction
        trades = [t for t in trades if m.orders[t.buy_order].order_type not in OFF_BOOK
                  and m.orders[t.sell_order].order_type not in OFF_BOOK]
    volume = sum(t.quantity for t in trades)
    if not volume:  # no trade today: the reference stays
        return _closed(m, inst.asset, seq, Effects({"instrument": inst.id,
                                                    "close": inst.reference_price,
                                                    "volume": 0}))
    vwap = sum(t.price * t.quantity for t in trades) // volume
    close = max(inst.tick, (vwap + inst.tick // 2) // inst.tick * inst.tick)
    effects = Effects({})
    new, cancelled = oversight.move_reference(m, inst, close, effects)
    effects.result = {"instrument": inst.id, "close": close, "vwap": vwap, "volume": volume,
                      "band": list(new.band())}
    if cancelled:
        effects.result["cancelled_orders"] = cancelled
    return _closed(m, inst.asset, seq, effects)


def _closed(m: MarketState, asset: str, seq: int, effects: Effects) -> Effects:
    """Tell the close watchers (pledge loans revalue on a price move)."""
    for watcher in m.close_watchers.values():
        effects.result.update(watcher(asset, seq))
    return effects
