"""The ledger port: every call a context's book (market, registry, access, and the contexts to
come) makes into the ledger, as one typed interface.

A context book runs inside its own command, in the same journal entry and unit of work as the
ledger: it checks its own rules and its actor first, then asks the ledger through this port.
The calls fall in four groups:

- **look-ups** read the book; they fail only on an unknown id (``unknown_party``,
  ``unknown_account``, ``unknown_asset_class``; ``asset_mismatch`` when a kind is demanded);
- **checks** raise a :class:`~qingshan.errors.QingshanError` when what follows may not run and
  change nothing (check first, then do);
- **moves** (holds, delivery, payment, issuance, cancellation) run as the platform: the context
  has already checked its actor, and the ledger still checks everything only it can know
  (balances, serials, frozen accounts, receiving account types) and raises before it changes
  anything. Each appends the postings and serial events it made to the caller's
  :class:`~qingshan.ledger.domain.effects.Effects`, so they land in the context's entry;
- **watchers**: a book may hear every account status change in that change's own entry.

:class:`~qingshan.ledger.domain.state.LedgerState` implements it (checked by mypy at the end of
``state.py``). A context types its ``ledger`` as :class:`LedgerPort` and uses nothing else of
the ledger's state: not its dictionaries, not its private methods.

Pure: no database, no clock, no I/O.
"""

from __future__ import annotations

from typing import Protocol

from qingshan.ledger.domain.commands import CancelUnits, IssueUnits, OpenAccount, RetireUnits
from qingshan.ledger.domain.effects import Effects, IssuanceWatcher, StatusWatcher
from qingshan.ledger.domain.model import (
    Account,
    AccountStatus,
    AccountType,
    AssetClass,
    AssetKind,
    Hold,
    Issuance,
    Party,
    SerialRange,
)

Vintages = tuple[int, int]  # first and last vintage year, both included
Categories = tuple[str, ...]  # issuance categories (a methodology's sector)


class LedgerPort(Protocol):
    """What a context may ask of the ledger."""

    @property
    def seq(self) -> int:
        """The journal sequence number of the ledger command applied last (a context's own
        handler is given its entry's ``seq``: use that one for the current entry)."""
        ...

    # ---------------------------------------------------------------- look-ups
    def party(self, pid: str) -> Party:
        """The party ``pid``; raises ``unknown_party``."""
        ...

    def account(self, aid: str) -> Account:
        """The account ``aid``; raises ``unknown_account``."""
        ...

    def asset(self, code: str, kind: AssetKind | None = None) -> AssetClass:
        """The asset class ``code``; raises ``unknown_asset_class``, or ``asset_mismatch``
        when ``kind`` is given and the class is of the other kind."""
        ...

    def platform_account(self, given: str | None, kind: AccountType) -> Account:
        """``given`` if it is an account of type ``kind``, else the platform operator's own
        account of that type (the buffer pool, the cancellation account); raises
        ``wrong_account_type`` when there is none."""
        ...

    def hold(self, hid: str) -> Hold:
        """The hold ``hid``; raises ``unknown_hold``."""
        ...

    def accounts_of(self, party: str) -> list[Account]:
        """Every account of ``party``, in id order (none for an unknown party)."""
        ...

    def accounts_with_status(self, status: AccountStatus) -> list[Account]:
        """Every account now in ``status`` (e.g. the frozen ones), in id order."""
        ...

    def active_quantity(self, account: str, asset: str) -> int:
        """Active (free) units of ``asset`` in ``account``; 0 when there are none. Cannot
        fail."""
        ...

    def available(self, account: str, asset: str) -> int:
        """A fungible asset's balance in ``account`` less what its holds lock; 0 when there
        is none. Cannot fail."""
        ...

    def held_quantity(self, account: str, asset: str) -> int:
        """What the account's active holds of ``asset`` lock (units or funds), whoever placed
        them. Cannot fail."""
        ...

    # ---------------------------------------------------------------- checks
    def check_open(self, account: Account) -> None:
        """Raise ``account_not_open`` unless ``account`` is open (frozen and closed accounts
        give nothing up)."""
        ...

    def check_receiving(self, aid: str) -> Account:
        """Return ``aid`` if units or funds may be moved into it: raise ``unknown_account``,
        ``account_not_open`` when it is closed, ``wrong_account_type`` when its type receives
        nothing (retirement, cancellation)."""
        ...

    def check_take(self, account: str, asset: str, quantity: int,
                   ranges: tuple[SerialRange, ...] | None,
                   vintages: Vintages | None = None,
                   categories: Categories | None = None) -> None:
        """Raise ``insufficient_units`` / ``serials_not_available`` unless the account's
        active units (of ``vintages`` and ``categories`` when given) can supply ``quantity``
        or exactly ``ranges``. Does not look at the account's status."""
        ...

    def check_can_hold(self, account: str, asset: str, quantity: int, *,
                       vintages: Vintages | None = None,
                       categories: Categories | None = None) -> None:
        """Raise unless ``account`` could hold ``quantity`` of ``asset`` now: its available
        funds of a fungible asset (``insufficient_funds``; never a treasury), or its active
        units of a serialized one (never the buffer pool). A market checks an order this way
        when what trades settles at once without a hold. Does not look at the status."""
        ...

    def check_cancel_units(self, cmd: CancelUnits) -> None:
        """Raise whatever :meth:`cancel_units` would raise for ``cmd`` (asset, account open,
        units there, a cancellation account), changing nothing: a context checks every
        cancellation of a command before it makes any."""
        ...

    # ---------------------------------------------------------------- holds
    def place_order_hold(self, account: str, asset: str, quantity: int, reference: str,
                         effects: Effects, *, vintages: Vintages | None = None,
                         categories: Categories | None = None) -> str:
        """Hold ``quantity`` of ``asset`` in an open ``account`` for a market order, controlled
        by the platform, and return the hold's id. Units are taken by quantity, oldest vintage
        first, within ``vintages`` and ``categories``. Raises as :meth:`check_open` and
        :meth:`check_can_hold` do, before it changes anything."""
        ...

    def settle_hold(self, hid: str, destination: str, qty: int, effects: Effects, *,
                    from_frozen: bool = False) -> None:
        """Enforce ``qty`` of an active market-order hold into ``destination``, keeping any
        rest held. Raises ``hold_not_active``, ``forbidden`` (not a market order's hold),
        ``account_not_open`` (a frozen source, unless ``from_frozen``, which entries journaled
        under market rules 1 and 2 replay with), ``insufficient_units`` (more than held) and
        the :meth:`check_receiving` errors, all before it changes anything."""
        ...

    def release_hold(self, hid: str, effects: Effects) -> None:
        """Release what is left of a market-order hold; nothing if it is already closed or
        empty. Raises ``forbidden`` only for an active hold that is not a market order's."""
        ...

    # ---------------------------------------------------------------- moves
    def deliver_units(self, source: str, destination: str, asset: str, quantity: int,
                      vintages: Vintages | None, effects: Effects,
                      categories: Categories | None = None) -> None:
        """Move ``quantity`` active units from an open ``source`` to ``destination``, oldest
        vintage first within ``vintages`` and ``categories`` (a fill without a hold). Raises
        as :meth:`check_open`, :meth:`check_take` and :meth:`check_receiving` do, before it
        changes anything."""
        ...

    def deliver_ranges(self, source: str, destination: str, asset: str,
                       ranges: tuple[SerialRange, ...], effects: Effects) -> None:
        """Move the named serials, all active in an open ``source``, to ``destination``.
        Raises ``account_not_open``, ``serials_not_available`` and the
        :meth:`check_receiving` errors before it changes anything."""
        ...

    def free_ranges(self, account: str, asset: str, start: int, end: int,
                    quantity: int) -> tuple[SerialRange, ...]:
        """The lowest ``quantity`` active serials of ``asset`` in ``account`` within
        ``start``-``end`` (one issuance's units), as ranges; ``insufficient_units`` if the
        account has fewer there. Changes nothing."""
        ...

    def issuance_at(self, asset: str, serial: int) -> Issuance | None:
        """The issuance serial ``serial`` of ``asset`` belongs to; None if never issued.
        Cannot fail."""
        ...

    def pay(self, source: str, destination: str, asset: str, amount: int,
            effects: Effects) -> None:
        """Move ``amount`` of a fungible asset out of an open ``source``'s available balance
        into ``destination``. Raises ``account_not_open``, ``insufficient_funds`` and the
        :meth:`check_receiving` errors before it changes anything."""
        ...

    def issue_units(self, cmd: IssueUnits, seq: int) -> Effects:
        """Issue units as the platform in journal entry ``seq`` (the registry's approval of an
        issuance request). Raises as the ``issue_units`` command does (asset, a monitoring
        period not yet ended, receiving accounts open) before it changes anything."""
        ...

    def open_account(self, cmd: OpenAccount, seq: int) -> Effects:
        """Open an account as the platform in journal entry ``seq`` (a judicial case's own
        carbon account). Raises ``unknown_party`` before it changes anything; the result
        names the new ``account``."""
        ...

    def retire_units(self, cmd: RetireUnits, seq: int) -> Effects:
        """Retire units as the platform in journal entry ``seq`` (a court's case). Raises as
        the ``retire_units`` command does (asset, open account, units to take) before it
        changes anything; the result names the ``retirement``."""
        ...

    def cancel_units(self, cmd: CancelUnits, seq: int) -> Effects:
        """Cancel units as the platform in journal entry ``seq`` (the registry's loss events:
        the platform may cancel out of the buffer pool). Raises as
        :meth:`check_cancel_units` does, before it changes anything."""
        ...

    # ---------------------------------------------------------------- a loan's pledge
    def issuances_of(self, project: str) -> list[Issuance]:
        """Every issuance of ``project``, in id order (none for an unknown project). Cannot
        fail."""
        ...

    def active_ranges(self, account: str, asset: str, start: int,
                      end: int) -> tuple[SerialRange, ...]:
        """Every active (free) serial of ``asset`` in ``account`` within ``start``-``end``,
        as ranges in serial order. Cannot fail."""
        ...

    def place_pledge(self, account: str, asset: str, ranges: tuple[SerialRange, ...],
                     bank: str, reference: str, effects: Effects) -> str:
        """Pledge the named active serials of an open ``account`` to the ``bank`` party (a
        hold of kind ``loan_pledge``, controlled by the bank, which no hold command may
        release or enforce) and return the hold's id. Raises ``account_not_open``,
        ``serials_not_available`` and (the buffer pool) ``wrong_account_type`` before it
        changes anything."""
        ...

    def release_pledge(self, hid: str, effects: Effects) -> None:
        """Release a loan's active pledge. Raises ``hold_not_active``, or ``forbidden`` for a
        hold of another kind."""
        ...

    def enforce_pledge(self, hid: str, destination: str, effects: Effects) -> None:
        """Move every unit of a loan's active pledge into ``destination``. Raises
        ``hold_not_active``, ``forbidden`` (another kind), ``account_not_open`` (a frozen
        source) and the :meth:`check_receiving` errors before it changes anything."""
        ...

    # ---------------------------------------------------------------- watchers
    def watch_account_status(self, book: str, watcher: StatusWatcher) -> None:
        """Call ``watcher`` (one per ``book`` name; binding again replaces it) on every
        account status change, inside that change's journal entry. Cannot fail."""
        ...

    def watch_issuance(self, book: str, watcher: IssuanceWatcher) -> None:
        """Call ``watcher`` (one per ``book`` name) on every issuance, inside the issuance's
        journal entry, once its units are in their accounts. Cannot fail."""
        ...
