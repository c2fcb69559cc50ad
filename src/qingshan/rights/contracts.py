"""Contracts between districts: the seller signs (quantity, price not under the floor,
tranches, upkeep owed), the buyer countersigns, the operator approves and each tranche's
indicators and money go into escrow (ledger holds on the two districts' accounts); the
forestry authority checks each tranche; a passed check lets it be released (indicators to the
buyer, money to the seller, in one entry), a failed one withholds it (both back)."""

from __future__ import annotations

from dataclasses import replace

from qingshan.errors import InvalidInput
from qingshan.ledger.domain import policy
from qingshan.ledger.domain.effects import Effects
from qingshan.ledger.domain.model import AssetKind, Principal
from qingshan.ledger.domain.parsing import journal_day
from qingshan.rights.commands import (
    AgreeContract,
    ApproveContract,
    ProposeContract,
    RecordTrancheCheck,
    ReleaseTranche,
)
from qingshan.rights.errors import (
    AboveSurplus,
    BelowFloor,
    NoMeasurement,
    TrancheReleased,
    TrancheState,
)
from qingshan.rights.model import (
    INDICATORS,
    QUOTE,
    Contract,
    ContractStatus,
    IndicatorKind,
    Tranche,
    TrancheStatus,
)
from qingshan.rights.state import RightsState

DONE = (TrancheStatus.RELEASED, TrancheStatus.WITHHELD)


def check_floor(r: RightsState, kind: IndicatorKind, price: int) -> None:
    floor = r.floors.get(kind, 0)
    if price < floor:
        raise BelowFloor(f"the unit price is under the floor of {floor} fen", floor=floor,
                         field="unit_price")


def spare(r: RightsState, district: str, kind: IndicatorKind, account: str) -> int:
    """What the seller may still put under contract: indicators free in the account, and for
    forest area no more than its latest surplus less what it sold or holds in escrow (forest
    lost since issuance is not sold twice)."""
    free = r.ledger.active_quantity(account, INDICATORS[kind].asset)
    if kind is not IndicatorKind.FOREST_AREA:
        return free
    latest = r.latest(district, kind)
    if latest is None:
        return 0
    return max(0, min(free, latest.surplus - r.committed(district, kind)))


def check_spare(r: RightsState, c: Contract | ProposeContract, seller: str, account: str,
                kind: IndicatorKind) -> None:
    if r.latest(seller, kind) is None:
        raise NoMeasurement("the seller has no verified measurement of this indicator",
                            district=seller, field="seller")
    room = spare(r, seller, kind, account)
    if c.quantity > room:
        raise AboveSurplus(f"the seller has {room} spare above its target to sell",
                           spare=room, field="quantity")


def propose_contract(r: RightsState, cmd: ProposeContract, actor: Principal,
                     seq: int) -> Effects:
    r.check_district(cmd.seller, "seller")
    r.check_district(cmd.buyer, "buyer")
    r.check_acts_for(actor, cmd.seller)
    r.check_live(cmd.seller, "seller")
    r.check_live(cmd.buyer, "buyer")
    check_floor(r, cmd.indicator, cmd.unit_price)
    r.check_account_of(cmd.seller_account, cmd.seller, "seller_account")
    r.ledger.asset(INDICATORS[cmd.indicator].asset, AssetKind.SERIALIZED)
    check_spare(r, cmd, cmd.seller, cmd.seller_account, cmd.indicator)
    cid = r.next_id("contract", "RC")
    c = Contract(id=cid, kind=cmd.indicator, seller=cmd.seller, buyer=cmd.buyer,
                 signed_seller=cmd.seller, signed_buyer=cmd.buyer, quantity=cmd.quantity,
                 unit_price=cmd.unit_price,
                 tranches=tuple(Tranche(quantity=t.quantity, due=t.due) for t in cmd.tranches),
                 maintenance_years=cmd.maintenance_years, duties=cmd.duties,
                 signed_on=cmd.signed_on, seller_account=cmd.seller_account,
                 buyer_account=None, status=ContractStatus.PROPOSED, created_seq=seq,
                 updated_seq=seq)
    r.put("contracts", cid, c)
    r.event(seq, cid, cmd.kind, actor, f"{cmd.quantity} at {cmd.unit_price}")
    return Effects({"contract": cid, "status": c.status.value, "value": c.value})


def agree_contract(r: RightsState, cmd: AgreeContract, actor: Principal, seq: int) -> Effects:
    c = r.contract(cmd.contract)
    r.check_acts_for(actor, c.buyer)
    r.check_contract_status(c, ContractStatus.PROPOSED)
    r.check_account_of(cmd.buyer_account, c.buyer, "buyer_account")
    after = r.put_contract(c, seq, buyer_account=cmd.buyer_account,
                           status=ContractStatus.AGREED)
    r.event(seq, c.id, cmd.kind, actor, "countersigned")
    return Effects({"contract": c.id, "status": after.status.value})


def approve_contract(r: RightsState, cmd: ApproveContract, actor: Principal,
                     seq: int) -> Effects:
    policy.check_admin(actor, "only the operator approves a contract")
    c = r.contract(cmd.contract)
    r.check_contract_status(c, ContractStatus.AGREED)
    check_floor(r, c.kind, c.unit_price)
    check_spare(r, c, c.seller, c.seller_account, c.kind)
    assert c.buyer_account is not None  # (agreed)
    asset = INDICATORS[c.kind].asset
    effects = Effects({})
    r.ledger.check_can_hold(c.buyer_account, QUOTE, c.value)
    tranches = []
    for i, t in enumerate(c.tranches, start=1):
        ref = f"{c.id}/{i}"
        units = r.ledger.place_order_hold(c.seller_account, asset, t.quantity, ref, effects)
        money = r.ledger.place_order_hold(c.buyer_account, QUOTE, t.quantity * c.unit_price,
                                          ref, effects)
        tranches.append(replace(t, status=TrancheStatus.ESCROWED, indicator_hold=units,
                                money_hold=money))
    after = r.put_contract(c, seq, tranches=tuple(tranches), status=ContractStatus.APPROVED)
    r.event(seq, c.id, cmd.kind, actor, f"{c.quantity} and {c.value} fen in escrow")
    effects.result = {"contract": c.id, "status": after.status.value,
                      "holds": [[t.indicator_hold, t.money_hold] for t in tranches]}
    return effects


def _tranche(c: Contract, n: int) -> Tranche:
    if n > len(c.tranches):
        raise InvalidInput(f"the contract has {len(c.tranches)} tranches", contract=c.id,
                           field="tranche")
    return c.tranches[n - 1]


def _with_tranche(r: RightsState, c: Contract, n: int, t: Tranche, seq: int) -> Contract:
    tranches = tuple(t if i == n else x for i, x in enumerate(c.tranches, start=1))
    status = ContractStatus.COMPLETED if all(x.status in DONE for x in tranches) else c.status
    return r.put_contract(c, seq, tranches=tranches, status=status)


def record_tranche_check(r: RightsState, cmd: RecordTrancheCheck, actor: Principal,
                         seq: int) -> Effects:
    r.check_authority(actor)
    c = r.contract(cmd.contract)
    t = _tranche(c, cmd.tranche)
    r.check_contract_status(c, ContractStatus.APPROVED)
    if t.status is not TrancheStatus.ESCROWED:
        raise TrancheState(f"the tranche is {t.status.value}: it is checked once",
                           contract=c.id, tranche=cmd.tranche, status=t.status.value)
    today = journal_day(r.clock()).isoformat()
    effects = Effects({})
    if cmd.passed:
        new = replace(t, status=TrancheStatus.ACCEPTED, checked_on=today, report=cmd.report)
    else:  # withheld: the indicators go back to the seller, the money to the buyer
        assert t.indicator_hold is not None and t.money_hold is not None
        r.ledger.release_hold(t.indicator_hold, effects)
        r.ledger.release_hold(t.money_hold, effects)
        assert c.buyer_account is not None
        asset = INDICATORS[c.kind].asset
        for account, what, amount in ((c.seller_account, asset, t.quantity),
                                      (c.buyer_account, QUOTE, t.quantity * c.unit_price)):
            if (onward := r.onward(account)) != account:  # its party was abolished
                if what == QUOTE:
                    r.ledger.pay(account, onward, QUOTE, amount, effects)
                else:
                    r.ledger.deliver_units(account, onward, what, amount, None, effects)
        new = replace(t, status=TrancheStatus.WITHHELD, checked_on=today, report=cmd.report,
                      released_on=today)
    after = _with_tranche(r, c, cmd.tranche, new, seq)
    r.event(seq, c.id, cmd.kind, actor,
            f"tranche {cmd.tranche} {'passed' if cmd.passed else 'failed'}: {cmd.report}"[:300])
    effects.result = {"contract": c.id, "tranche": cmd.tranche, "status": new.status.value,
                      "contract_status": after.status.value}
    return effects


def _settle(r: RightsState, hid: str, destination: str, quantity: int,
            effects: Effects) -> None:
    """Enforce a tranche's hold into ``destination``; when a succession made the two sides
    one district whose account is the hold's own, the escrow just ends (released in place)."""
    if r.ledger.hold(hid).account == destination:
        r.ledger.release_hold(hid, effects)
    else:
        r.ledger.settle_hold(hid, destination, quantity, effects)


def release_tranche(r: RightsState, cmd: ReleaseTranche, actor: Principal,
                    seq: int) -> Effects:
    c = r.contract(cmd.contract)
    r.check_acts_for(actor, c.buyer)
    t = _tranche(c, cmd.tranche)
    if t.status is TrancheStatus.RELEASED:
        raise TrancheReleased(f"tranche {cmd.tranche} was released on {t.released_on}",
                              contract=c.id, tranche=cmd.tranche, field="tranche")
    if t.status is not TrancheStatus.ACCEPTED:
        raise TrancheState(f"the tranche is {t.status.value}: only an accepted tranche is "
                           "released", contract=c.id, tranche=cmd.tranche,
                           status=t.status.value, field="tranche")
    assert t.indicator_hold is not None and t.money_hold is not None
    assert c.buyer_account is not None
    value = t.quantity * c.unit_price
    effects = Effects({})
    # (to the successor's account if a party was abolished since it signed)
    _settle(r, t.indicator_hold, r.onward(c.buyer_account), t.quantity, effects)
    _settle(r, t.money_hold, r.onward(c.seller_account), value, effects)
    today = journal_day(r.clock()).isoformat()
    new = replace(t, status=TrancheStatus.RELEASED, released_on=today)
    after = _with_tranche(r, c, cmd.tranche, new, seq)
    r.event(seq, c.id, cmd.kind, actor, f"tranche {cmd.tranche}: {t.quantity} for {value}")
    effects.result = {"contract": c.id, "tranche": cmd.tranche, "quantity": t.quantity,
                      "value": value, "status": new.status.value,
                      "contract_status": after.status.value}
    return effects
