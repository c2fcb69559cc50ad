"""Serialized units coming into being, changing hands and leaving for good: issue, transfer
(units or funds), retire, cancel.

Each handler checks everything first and then changes the book. Pure: no database, no I/O.
"""

from __future__ import annotations

from typing import Any

from qingshan.errors import (
    AssetMismatch,
)
from qingshan.ledger.domain.commands import (
    CancelUnits,
    IssueUnits,
    RetireUnits,
    Transfer,
)
from qingshan.ledger.domain.effects import Effects
from qingshan.ledger.domain.model import (
    SYSTEM,
    Account,
    AccountType,
    AssetKind,
    BlockState,
    Issuance,
    Principal,
    Retirement,
    SerialRange,
    UnitBlock,
    retirement_id,
)
from qingshan.ledger.domain.parsing import check_period_ended
from qingshan.ledger.domain.policy import check_admin, check_owner
from qingshan.ledger.domain.units import Units


class Movements(Units):
    """The use-cases that issue, transfer, retire and cancel."""

    def apply_issue_units(self, cmd: IssueUnits, actor: Principal) -> Effects:
        check_admin(actor)
        self.asset(cmd.asset, AssetKind.SERIALIZED)
        check_period_ended(cmd.monitoring_end, self.clock(), "monitoring_end")
        for aid, _ in cmd.allocations:
            acct = self.check_receiving(aid)
            self.check_open(acct)
        iid = self._next("issuance")
        first = self.next_serial[cmd.asset]
        serials = SerialRange(first, first + cmd.quantity - 1)
        self._set(self.next_serial, cmd.asset, serials.end + 1)
        self._set(self.issuances, iid, Issuance(iid, cmd.asset, cmd.project, cmd.vintage,
                                                serials, cmd.monitoring_start,
                                                cmd.monitoring_end, cmd.reference,
                                                cmd.category))
        self.dirty.issuances.add(iid)
        effects = Effects({})
        blocks: list[list[Any]] = []
        placed: list[tuple[str, SerialRange]] = []
        pos = first
        for aid, qty in cmd.allocations:
            b = UnitBlock(self._next("block"), cmd.asset, iid, cmd.vintage, pos, pos + qty - 1,
                          aid, BlockState.ACTIVE)
            self._put_block(None, b)
            effects.serial_events.append((cmd.asset, b.start, b.end, None, aid, "active"))
            blocks.append([aid, b.start, b.end])
            placed.append((aid, SerialRange(b.start, b.end)))
            pos += qty
        effects.result = {"issuance": iid, "serials": serials.to_payload(), "blocks": blocks}
        for watcher in self.issuance_watchers.values():
            effects.result.update(watcher(self.issuances[iid], placed, effects))
        return effects

    def apply_transfer(self, cmd: Transfer, actor: Principal) -> Effects:
        asset = self.asset(cmd.asset)
        source = self.account(cmd.source)
        check_owner(actor, source.id, source.party_id)
        self.check_open(source)
        self.check_not_buffer(source)
        self.check_receiving(cmd.destination)
        effects = Effects({})
        if asset.kind is AssetKind.FUNGIBLE:
            if cmd.ranges is not None:
                raise AssetMismatch("serial ranges given for a fungible asset", asset=asset.code)
            self.check_funds(source, asset.code, cmd.quantity)
            self._post(source.id, asset.code, -cmd.quantity, effects)
            self._post(cmd.destination, asset.code, cmd.quantity, effects)
            effects.result = {"amount": cmd.quantity}
            return effects
        self.check_take(source.id, asset.code, cmd.quantity, cmd.ranges)
        moved = self._take_move(source.id, asset.code, cmd.quantity, cmd.ranges,
                                to=cmd.destination, state=BlockState.ACTIVE, hold=None,
                                effects=effects)
        effects.result = {"ranges": moved}
        return effects

    def apply_retire_units(self, cmd: RetireUnits, actor: Principal) -> Effects:
        self.asset(cmd.asset, AssetKind.SERIALIZED)
        source = self.account(cmd.account)
        check_owner(actor, source.id, source.party_id)
        self.check_open(source)
        self.check_not_buffer(source)
        target = self.platform_account(cmd.retirement_account, AccountType.RETIREMENT)
        self.check_take(source.id, cmd.asset, cmd.quantity, cmd.ranges)
        effects = Effects({})
        moved = self._take_move(source.id, cmd.asset, cmd.quantity, cmd.ranges,
                                to=target.id, state=BlockState.RETIRED, hold=None,
                                effects=effects)
        rid = retirement_id(self._next("retirement"))
        self._set(self.retirements, rid, Retirement(
            rid, source.id, cmd.asset, cmd.quantity, cmd.purpose, cmd.beneficiary, cmd.reason,
            cmd.reference, tuple(SerialRange(s, e) for s, e in moved), seq=self.seq))
        self.dirty.retirements.add(rid)
        effects.result = {"retirement": rid, "ranges": moved, "retirement_account": target.id}
        return effects

    def _check_cancel(self, cmd: CancelUnits, actor: Principal) -> tuple[Account, Account]:
        """Raise unless ``actor`` may cancel these units now; return source and target."""
        self.asset(cmd.asset, AssetKind.SERIALIZED)
        source = self.account(cmd.account)
        check_owner(actor, source.id, source.party_id)
        self.check_open(source)
        self.check_not_buffer(source, actor)
        target = self.platform_account(None, AccountType.CANCELLATION)
        self.check_take(source.id, cmd.asset, cmd.quantity, cmd.ranges)
        return source, target

    def apply_cancel_units(self, cmd: CancelUnits, actor: Principal) -> Effects:
        source, target = self._check_cancel(cmd, actor)
        effects = Effects({})
        moved = self._take_move(source.id, cmd.asset, cmd.quantity, cmd.ranges,
                                to=target.id, state=BlockState.CANCELLED, hold=None,
                                effects=effects)
        effects.result = {"ranges": moved, "cancellation_account": target.id,
                          "destination": cmd.destination}
        return effects

    def check_cancel_units(self, cmd: CancelUnits) -> None:
        self._check_cancel(cmd, SYSTEM)
