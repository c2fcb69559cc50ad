"""Where a hold may be placed and enforced, and what may leave a frozen account: the hold
rules that need the book (a party's kind, an account's status and type), checked by
:class:`~qingshan.ledger.domain.state.LedgerState` before it changes anything. Who may place
and resolve which kind of hold is :mod:`qingshan.ledger.domain.policy`.

- a market order's hold: placed by the market with the order (never by a command),
  controlled by the platform, settled or released by the market as the order fills or ends;
- a pledge (质押): placed by the owner or the operator for a bank (never the owner itself),
  released or enforced by a key with the ``bank`` role of that bank, or the operator;
- a judicial freeze: placed by a court (for itself) or the operator, controlled by a court
  (or by no one but the operator), lifted or enforced by a key with the ``court`` role of
  that court, or the operator;
- escrow: placed by the owner or the operator, controlled by any party (by default the
  placer's), released or enforced by the operator.

An enforcement goes into an account of the controller or into the ``destination`` the hold
named when it was placed, never anywhere else. A frozen account gives nothing up: only a
judicial freeze (a court's order) is still enforced out of it, into that same destination.

:class:`Holds` is the book's hold use-cases (place, release, enforce: wholly or in part); the
rule functions above it read the book through its look-ups. Pure: no database, no clock,
no I/O.
"""

from __future__ import annotations

from typing import Any

from qingshan.errors import (
    AccountNotOpen,
    AssetMismatch,
    Forbidden,
    HoldNotActive,
    InsufficientUnits,
    InvalidInput,
    WrongAccountType,
)
from qingshan.ledger.domain.book import BookState
from qingshan.ledger.domain.commands import (
    EnforceHold,
    PlaceHold,
    ReleaseHold,
)
from qingshan.ledger.domain.effects import Effects
from qingshan.ledger.domain.model import (
    Account,
    AccountStatus,
    AccountType,
    AssetClass,
    AssetKind,
    BlockState,
    Hold,
    HoldKind,
    HoldStatus,
    Principal,
    Role,
    SerialRange,
    UnitBlock,
    hold_id,
)
from qingshan.ledger.domain.policy import (
    CONTROLLER_KIND,
    check_may_place_kind,
    check_owner,
    check_resolves,
)
from qingshan.ledger.domain.units import Units


def check_may_place(state: BookState, actor: Principal, cmd: PlaceHold,
                    account: Account) -> str | None:
    """Raise unless ``actor`` may place this hold on ``account``; return its controller."""
    kind = cmd.hold_kind
    check_may_place_kind(actor, kind)
    if kind is not HoldKind.JUDICIAL_FREEZE:
        check_owner(actor, account.id, account.party_id)
    controller = cmd.controller
    if controller is None and (kind is HoldKind.ESCROW or actor.role is Role.COURT):
        controller = actor.party_id
    if kind is HoldKind.JUDICIAL_FREEZE and actor.role is Role.COURT \
            and controller != actor.party_id:
        raise InvalidInput("a court places a freeze for itself", field="controller",
                           controller=controller)
    if controller is not None:
        party = state.party(controller)
        need = CONTROLLER_KIND.get(kind)
        if need is not None and party.kind is not need:
            raise InvalidInput(f"a {kind.value} is controlled by a {need.value}",
                               field="controller", controller=controller,
                               kind=party.kind.value)
    if kind is HoldKind.PLEDGE and (controller is None or controller == account.party_id):
        raise InvalidInput("a pledge is held for a bank: name it as the controller",
                           field="controller")
    if cmd.destination is not None:
        state.check_receiving(cmd.destination)
        if cmd.destination == account.id:
            raise WrongAccountType("a hold's destination is another account",
                                   account=cmd.destination, field="destination")
    return controller


def check_destination(state: BookState, hold: Hold, destination: str) -> None:
    """Raise unless ``destination`` is the hold's named destination or the controller's."""
    if destination == hold.destination:
        return
    if hold.controller is not None and state.account(destination).party_id == hold.controller:
        return
    raise Forbidden("enforce into an account of the hold's controller or into the destination "
                    "it named when it was placed", hold=hold.id, destination=destination,
                    controller=hold.controller, named=hold.destination)


def check_may_leave(state: BookState, hold: Hold) -> None:
    """Raise if enforcing ``hold`` would take something out of a frozen account (only a
    judicial freeze is still enforced out of one)."""
    account = state.account(hold.account)
    if account.status is AccountStatus.OPEN or hold.kind is HoldKind.JUDICIAL_FREEZE:
        return
    raise AccountNotOpen(f"account is {account.status.value}: nothing leaves it",
                         account=account.id, status=account.status.value, hold=hold.id)


class Holds(Units):
    """The use-cases of holds: place, release, enforce (all, or part and keep the rest)."""

    def apply_place_hold(self, cmd: PlaceHold, actor: Principal) -> Effects:
        asset = self.asset(cmd.asset)
        acct = self.account(cmd.account)
        controller = check_may_place(self, actor, cmd, acct)
        if cmd.hold_kind is not HoldKind.JUDICIAL_FREEZE:
            self.check_open(acct)
        elif acct.status is AccountStatus.CLOSED:
            raise AccountNotOpen("account is closed", account=acct.id, status="closed")
        effects = Effects({})
        hid, moved = self._place_hold(cmd.hold_kind, asset, acct, cmd.quantity, cmd.ranges,
                                      cmd.vintages, controller, cmd.reference, effects,
                                      cmd.categories, cmd.destination)
        effects.result = {"hold": hid, "controller": controller}
        if moved is not None:
            effects.result["ranges"] = moved
        return effects

    def check_hold(self, asset: AssetClass, acct: Account, quantity: int,
                   ranges: tuple[SerialRange, ...] | None = None,
                   vintages: tuple[int, int] | None = None,
                   categories: tuple[str, ...] | None = None) -> None:
        """Raise unless ``acct`` could hold ``quantity`` of ``asset`` now (a market checks an
        incoming order this way, then settles what trades at once without a hold)."""
        if asset.kind is AssetKind.FUNGIBLE:
            if ranges is not None:
                raise AssetMismatch("serial ranges given for a fungible asset", asset=asset.code)
            if acct.type is AccountType.TREASURY:
                raise WrongAccountType("a treasury cannot be held", account=acct.id)
            self.check_funds(acct, asset.code, quantity)
        else:
            self.check_not_buffer(acct)
            self.check_take(acct.id, asset.code, quantity, ranges, vintages, categories)

    def _place_hold(self, kind: HoldKind, asset: AssetClass, acct: Account, quantity: int,
                    ranges: tuple[SerialRange, ...] | None, vintages: tuple[int, int] | None,
                    controller: str | None, reference: str, effects: Effects,
                    categories: tuple[str, ...] | None = None, destination: str | None = None,
                    ) -> tuple[str, list[list[int]] | None]:
        self.check_hold(asset, acct, quantity, ranges, vintages, categories)
        if asset.kind is AssetKind.FUNGIBLE:
            hid = hold_id(self._next("hold"))
            self._hold_funds(acct.id, asset.code, quantity)
            moved: list[list[int]] | None = None
        else:
            hid = hold_id(self._next("hold"))
            moved = self._take_move(acct.id, asset.code, quantity, ranges, vintages, categories,
                                    to=acct.id, state=BlockState.HELD, hold=hid,
                                    effects=effects)
        self._set(self.holds, hid, Hold(hid, kind, acct.id, asset.code, quantity,
                                        HoldStatus.ACTIVE, controller, reference, destination))
        self.dirty.holds.add(hid)
        return hid, moved

    def _active_hold(self, hid: str) -> Hold:
        hold = self.hold(hid)
        if hold.status is not HoldStatus.ACTIVE:
            raise HoldNotActive(f"hold is already {hold.status.value}", hold=hid,
                                status=hold.status.value)
        return hold

    def _close_hold(self, hold: Hold, status: HoldStatus) -> None:
        self._set(self.holds, hold.id, hold._replace(status=status))
        self.dirty.holds.add(hold.id)

    def apply_release_hold(self, cmd: ReleaseHold, actor: Principal) -> Effects:
        hold = self.hold(cmd.hold)
        check_resolves(actor, hold)
        hold = self._active_hold(cmd.hold)
        effects = Effects({})
        effects.result = self._release(hold, effects)
        return effects

    def _release(self, hold: Hold, effects: Effects) -> dict[str, Any]:
        if self.assets[hold.asset].kind is AssetKind.FUNGIBLE:
            self._hold_funds(hold.account, hold.asset, -hold.quantity)
            result: dict[str, Any] = {"hold": hold.id, "released": hold.quantity}
        else:
            moved = self._move(self.held_blocks(hold.id), account=hold.account,
                               state=BlockState.ACTIVE, hold=None, effects=effects)
            result = {"hold": hold.id, "released": hold.quantity, "ranges": moved}
        self._close_hold(hold, HoldStatus.RELEASED)
        return result

    def check_enforce(self, hold: Hold, destination: str, qty: int) -> None:
        if qty > hold.quantity:
            raise InsufficientUnits("the hold covers less than the quantity to enforce",
                                    hold=hold.id, held=hold.quantity, requested=qty)
        self.check_receiving(destination)
        if destination == hold.account:
            raise WrongAccountType("enforce into another account, or release the hold",
                                   account=destination)

    def apply_enforce_hold(self, cmd: EnforceHold, actor: Principal) -> Effects:
        check_resolves(actor, self.hold(cmd.hold))
        hold = self._active_hold(cmd.hold)
        qty = hold.quantity if cmd.quantity is None else cmd.quantity
        self.check_enforce(hold, cmd.destination, qty)
        check_destination(self, hold, cmd.destination)
        check_may_leave(self, hold)
        effects = Effects({})
        if cmd.keep_rest and qty < hold.quantity:
            moved = self._enforce_part(hold, cmd.destination, qty, effects)
            effects.result = {"hold": hold.id, "enforced": qty,
                              "remaining": hold.quantity - qty}
            if moved is not None:
                effects.result["ranges"] = moved
            return effects
        effects.result = self._enforce_all(hold, cmd.destination, qty, effects)
        return effects

    def _enforce_all(self, hold: Hold, destination: str, qty: int,
                     effects: Effects) -> dict[str, Any]:
        """Enforce ``qty`` of a hold, release the rest, and close it."""
        released = hold.quantity - qty
        if self.assets[hold.asset].kind is AssetKind.FUNGIBLE:
            self._hold_funds(hold.account, hold.asset, -hold.quantity)
            self._post(hold.account, hold.asset, -qty, effects)
            self._post(destination, hold.asset, qty, effects)
            result: dict[str, Any] = {"hold": hold.id, "enforced": qty, "released": released}
        else:
            need, enforce, rest = qty, [], []
            for b in self.held_blocks(hold.id):
                if need <= 0:
                    rest.append(b)
                    continue
                if b.quantity > need:
                    b, tail = self._split(b, b.start + need)
                    rest.append(tail)
                enforce.append(b)
                need -= b.quantity
            moved = self._move(enforce, account=destination, state=BlockState.ACTIVE,
                               hold=None, effects=effects)
            back = self._move(rest, account=hold.account, state=BlockState.ACTIVE, hold=None,
                              effects=effects)
            result = {"hold": hold.id, "enforced": qty, "released": released,
                      "ranges": moved, "released_ranges": back}
        self._close_hold(hold, HoldStatus.ENFORCED)
        return result

    def _enforce_part(self, hold: Hold, destination: str, qty: int,
                      effects: Effects) -> list[list[int]] | None:
        """Enforce ``qty`` of a hold and keep the rest held (a partial fill)."""
        if self.assets[hold.asset].kind is AssetKind.FUNGIBLE:
            self._hold_funds(hold.account, hold.asset, -qty)
            self._post(hold.account, hold.asset, -qty, effects)
            self._post(destination, hold.asset, qty, effects)
            moved = None
        else:
            need, enforce = qty, []
            part: UnitBlock | None = None
            for b in self.held_blocks(hold.id):
                if not need:
                    break
                if b.quantity > need:
                    part = b
                    break
                enforce.append(b)
                need -= b.quantity
            moved = self._move(enforce, account=destination, state=BlockState.ACTIVE,
                               hold=None, effects=effects)
            if part is not None:  # cut the first ``need`` units straight into the destination
                b, last = part, part.start + need - 1
                piece = UnitBlock(b.id, b.asset, b.issuance, b.vintage, b.start, last,
                                  destination, BlockState.ACTIVE, None)
                rest = UnitBlock(self._next("block"), b.asset, b.issuance, b.vintage, last + 1,
                                 b.end, b.account, b.state, b.hold)
                self._put_block(b, piece)
                self._put_block(None, rest)
                self._coalesce(piece)
                moved.append([b.start, last])
                effects.serial_events.append((b.asset, b.start, last, b.account, destination,
                                              BlockState.ACTIVE.value))
        self._set(self.holds, hold.id, hold._replace(quantity=hold.quantity - qty))
        self.dirty.holds.add(hold.id)
        return moved
