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

The book is read through the look-ups of :class:`~qingshan.ledger.domain.port.LedgerPort`
(so this module does not import the book that calls it). Pure: no database, no clock, no I/O.
"""

from __future__ import annotations

from qingshan.errors import AccountNotOpen, Forbidden, InvalidInput, WrongAccountType
from qingshan.ledger.domain.commands import PlaceHold
from qingshan.ledger.domain.model import Account, AccountStatus, Hold, HoldKind, Principal, Role
from qingshan.ledger.domain.policy import CONTROLLER_KIND, check_may_place_kind, check_owner
from qingshan.ledger.domain.port import LedgerPort


def check_may_place(state: LedgerPort, actor: Principal, cmd: PlaceHold,
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


def check_destination(state: LedgerPort, hold: Hold, destination: str) -> None:
    """Raise unless ``destination`` is the hold's named destination or the controller's."""
    if destination == hold.destination:
        return
    if hold.controller is not None and state.account(destination).party_id == hold.controller:
        return
    raise Forbidden("enforce into an account of the hold's controller or into the destination "
                    "it named when it was placed", hold=hold.id, destination=destination,
                    controller=hold.controller, named=hold.destination)


def check_may_leave(state: LedgerPort, hold: Hold) -> None:
    """Raise if enforcing ``hold`` would take something out of a frozen account (only a
    judicial freeze is still enforced out of one)."""
    account = state.account(hold.account)
    if account.status is AccountStatus.OPEN or hold.kind is HoldKind.JUDICIAL_FREEZE:
        return
    raise AccountNotOpen(f"account is {account.status.value}: nothing leaves it",
                         account=account.id, status=account.status.value, hold=hold.id)
