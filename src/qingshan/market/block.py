"""Block agreements (大宗协议) between two named parties: the seller proposes, within the
block band and above the block minimum; the named buyer confirms, and it settles at once."""

from __future__ import annotations

from qingshan.errors import Conflict
from qingshan.ledger.domain.effects import Effects
from qingshan.ledger.domain.model import AccountStatus, Principal
from qingshan.market.commands import (
    ConfirmBlockTrade,
    OrderType,
    ProposeBlockTrade,
    Side,
)
from qingshan.market.errors import OffTick, OrderNotOpen, OutsideBand
from qingshan.market.model import OrderStatus
from qingshan.market.settlement import new_order, settle
from qingshan.market.state import MarketState


def propose_block(m: MarketState, cmd: ProposeBlockTrade, actor: Principal,
                        seq: int) -> Effects:
    inst = m.instrument(cmd.instrument)
    m.check_trading(inst, "block")
    party = m.check_owner(actor, cmd.seller)
    buyer = m.ledger.account(cmd.buyer)
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
    o = new_order(m, inst, cmd.seller, party, Side.SELL, OrderType.BLOCK, cmd.price,
                        cmd.quantity, seq, effects, counterparty=cmd.buyer)
    effects.result = {"order": o.id, "status": "open", "buyer": cmd.buyer,
                      "band": [lo, hi]}
    return effects


def confirm_block(m: MarketState, cmd: ConfirmBlockTrade, actor: Principal,
                        seq: int) -> Effects:
    proposal = m.order(cmd.order)
    if proposal.order_type is not OrderType.BLOCK or proposal.counterparty is None:
        raise OrderNotOpen("this is not a block proposal", order=proposal.id)
    party = m.check_owner(actor, proposal.counterparty)
    if proposal.status is not OrderStatus.OPEN:
        raise OrderNotOpen(f"the proposal is {proposal.status.value}", order=proposal.id,
                           status=proposal.status.value)
    inst = m.instrument(proposal.instrument)
    m.check_trading(inst, "block")
    effects = Effects({})
    buy = new_order(m, inst, proposal.counterparty, party, Side.BUY, OrderType.BLOCK,
                          proposal.price, proposal.remaining, seq, effects,
                          counterparty=proposal.account)
    trade = settle(m, inst, buy, proposal, proposal.price, proposal.remaining,
                         Side.BUY, seq, effects, mode="block")
    effects.result = {"order": buy.id, "proposal": proposal.id, "trade": trade.id,
                      "price": trade.price, "quantity": trade.quantity}
    return effects
