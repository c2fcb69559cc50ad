"""The operator's market, and what the operator and the ledger change under its feet: listing
an instrument, the reference price (and with it the band), an instrument's settlement rules,
and a frozen account. Each change cancels the open orders it leaves where they may not trade,
with the reason (rules 3)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from qingshan.errors import AlreadyExists, Conflict
from qingshan.ledger.domain.effects import Effects
from qingshan.ledger.domain.model import AccountStatus, AssetKind, Principal
from qingshan.ledger.domain.policy import check_admin
from qingshan.market.commands import (
    CreateInstrument,
    OrderType,
    Phase,
    SetInstrumentRules,
    SetReferencePrice,
)
from qingshan.market.errors import OffTick
from qingshan.market.model import QUOTE, Instrument, Order, OrderStatus
from qingshan.market.settlement import withdraw
from qingshan.market.state import MarketState


# ---------------------------------------------------------------------- instruments
def create_instrument(m: MarketState, cmd: CreateInstrument, actor: Principal,
                      seq: int) -> Effects:
    check_admin(actor, "only the operator lists instruments")
    if cmd.id in m.instruments:
        raise AlreadyExists("instrument exists", instrument=cmd.id)
    m.ledger.asset(cmd.asset, AssetKind.SERIALIZED)
    m.ledger.asset(QUOTE, AssetKind.FUNGIBLE)
    m.ledger.check_receiving(cmd.fee_account)
    inst = Instrument(id=cmd.id,
                      asset=cmd.asset,
                      tick=cmd.tick,
                      lot=cmd.lot,
                      band_bps=cmd.band_bps,
                      reference_price=cmd.reference_price,
                      max_order=cmd.max_order,
                      fee_bps=cmd.fee_bps,
                      fee_account=cmd.fee_account,
                      t_plus_one=cmd.t_plus_one,
                      block_band_bps=cmd.block_band_bps,
                      block_min=cmd.block_min,
                      max_position=cmd.max_position,
                      max_orders_per_minute=cmd.max_orders_per_minute,
                      phase=Phase.CONTINUOUS,
                      vintage_from=cmd.vintage_from,
                      vintage_to=cmd.vintage_to,
                      categories=cmd.categories,
                      rules=cmd.rules,
                      sessions=cmd.sessions,
                      modes=cmd.modes,
                      mode_fees=cmd.mode_fees)
    m.put_instrument(inst)
    m.engine(inst.id)
    lo, hi = inst.band()
    return Effects({"instrument": inst.id, "band": [lo, hi]})


# ---------------------------------------------------------------------- reference and rules
def set_reference_price(m: MarketState, cmd: SetReferencePrice, actor: Principal,
                        seq: int) -> Effects:
    check_admin(actor, "only the operator sets reference prices")
    inst = m.instrument(cmd.instrument)
    if cmd.price % inst.tick:
        raise OffTick("the price is not a multiple of the tick", tick=inst.tick)
    effects = Effects({})
    new, cancelled = move_reference(m, inst, cmd.price, effects)
    effects.result = {"instrument": inst.id, "reference_price": cmd.price,
                      "band": list(new.band())}
    if cancelled:
        effects.result["cancelled_orders"] = cancelled
    return effects


def move_reference(m: MarketState, inst: Instrument, price: int,
                   effects: Effects) -> tuple[Instrument, list[str]]:
    """Set the reference price. Under rules 3 the open orders it leaves outside the band
    (limit orders outside the new band, block proposals outside the new block band) are
    cancelled, reason outside_band: else they would trade at a price the day does not
    allow. Returns the instrument and the ids cancelled."""
    new = replace(inst, reference_price=price)
    m.put_instrument(new)
    if new.rules < 3:
        return new, []
    lo, hi = new.band()
    block_lo, block_hi = new.band(new.block_band_bps)

    def outside(o: Order) -> bool:
        if o.status is not OrderStatus.OPEN or o.instrument != inst.id:
            return False
        if o.order_type is OrderType.LIMIT:
            return not lo <= o.price <= hi
        return o.order_type is OrderType.BLOCK and not block_lo <= o.price <= block_hi

    stale = sorted((o for o in m.orders.values() if outside(o)),
                   key=lambda o: int(o.id[1:]))
    for o in stale:
        withdraw(m, o, effects, "outside_band")
    return new, [o.id for o in stale]


def set_instrument_rules(m: MarketState, cmd: SetInstrumentRules, actor: Principal,
                         seq: int) -> Effects:
    check_admin(actor, "only the operator changes an instrument's rules")
    inst = m.instrument(cmd.instrument)
    if cmd.rules <= inst.rules:
        raise Conflict("an instrument's rules only move forward", instrument=inst.id,
                       rules=inst.rules, field="rules")
    new = replace(inst, rules=cmd.rules)
    m.put_instrument(new)
    effects = Effects({"instrument": inst.id, "rules": cmd.rules, "previous": inst.rules})
    # what the new rules would not have let rest: a frozen account's orders, and orders that
    # an earlier move of the reference left outside the band
    frozen = {a.id for a in m.ledger.accounts_with_status(AccountStatus.FROZEN)}
    cancelled = cancel_frozen(
        m, lambda o: o.instrument == inst.id and o.account in frozen, effects)
    cancelled += move_reference(m, new, new.reference_price, effects)[1]
    if cancelled:
        effects.result["cancelled_orders"] = cancelled
    return effects


# ---------------------------------------------------------------------- frozen accounts
def account_status_changed(m: MarketState, account: str, status: AccountStatus,
                           effects: Effects) -> dict[str, Any]:
    """The ledger froze ``account`` (inside the freeze's own journal entry): its open
    orders on instruments under rules 3 are cancelled and their holds released, so
    nothing of it trades while it is frozen. (Under older rules they stayed, and the
    entries journaled under them replay so.)"""
    if status is not AccountStatus.FROZEN:
        return {}
    cancelled = cancel_frozen(m, lambda o: o.account == account, effects)
    return {"cancelled_orders": cancelled} if cancelled else {}


def cancel_frozen(m: MarketState, which: Callable[[Order], bool],
                  effects: Effects) -> list[str]:
    """Cancel the open orders ``which`` picks, on instruments under rules 3 or later, in
    order of their ids; return their ids."""
    picked = sorted((o.id for o in m.orders.values()
                     if o.status is OrderStatus.OPEN and which(o)), key=lambda i: int(i[1:]))
    out = []
    for oid in picked:
        o = m.orders[oid]  # (a bid may have gone with its auction already)
        if o.status is OrderStatus.OPEN and m.instruments[o.instrument].rules >= 3:
            withdraw(m, o, effects, "account_frozen")
            out.append(oid)
    return out
