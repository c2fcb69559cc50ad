"""Settlement for other books: the calls a context's book (the market) makes inside its own
command — hold for an order, settle or release an order's hold, deliver units, pay — declared
for them in :class:`~qingshan.ledger.domain.port.LedgerPort`.

The context has checked its actor, so these run as the platform, each still checking what only
the ledger can know before it changes anything. Pure: no database, no I/O.
"""

from __future__ import annotations

from qingshan.errors import (
    Forbidden,
    InsufficientUnits,
)
from qingshan.ledger.domain.effects import Effects
from qingshan.ledger.domain.holds import Holds, check_may_leave
from qingshan.ledger.domain.model import (
    SYSTEM,
    BlockState,
    Hold,
    HoldKind,
    HoldStatus,
    Issuance,
    SerialRange,
)


class Settlement(Holds):
    """The ledger's side of a context's settlement."""

    # A context book (the market) settles inside its own command: it has checked its actor,
    # so these run as the platform, each still checking what the ledger alone can know.

    def hold_for(self, kind: HoldKind, account: str, asset: str, quantity: int,
                 vintages: tuple[int, int] | None, reference: str, effects: Effects,
                 categories: tuple[str, ...] | None = None) -> str:
        """Hold units (by quantity, oldest vintage first, within ``vintages`` and
        ``categories``) or funds of an open account, controlled by the platform; return the
        hold's id."""
        acct = self.account(account)
        self.check_open(acct)
        hid, _ = self._place_hold(kind, self.asset(asset), acct, quantity, None, vintages,
                                  SYSTEM.party_id, reference, effects, categories)
        return hid

    def _market_hold(self, hid: str) -> Hold:
        hold = self._active_hold(hid)
        if hold.kind is not HoldKind.MARKET_ORDER:
            raise Forbidden("the market settles only its orders' holds", hold=hid)
        return hold

    def settle_hold(self, hid: str, destination: str, qty: int, effects: Effects, *,
                    from_frozen: bool = False) -> None:
        """Enforce ``qty`` of an order's active hold into ``destination``, keeping any rest
        held. Nothing leaves a frozen account, unless ``from_frozen``: instruments listed
        under settlement rules 1 and 2 settled a frozen account's resting orders, and replay
        the entries journaled under them so."""
        hold = self._market_hold(hid)
        if not from_frozen:
            self.check_open(self.account(hold.account))
        self.check_enforce(hold, destination, qty)
        if qty < hold.quantity:
            self._enforce_part(hold, destination, qty, effects)
        else:
            self._enforce_all(hold, destination, qty, effects)

    def release_hold(self, hid: str, effects: Effects) -> None:
        """Release what is left of an active hold (nothing, if it is already closed)."""
        hold = self.holds[hid]
        if hold.status is HoldStatus.ACTIVE and hold.quantity:
            self._market_hold(hid)
            self._release(hold, effects)

    def deliver_units(self, source: str, destination: str, asset: str, quantity: int,
                      vintages: tuple[int, int] | None, effects: Effects,
                      categories: tuple[str, ...] | None = None) -> None:
        """Move ``quantity`` active units by quantity, oldest vintage first (within
        ``vintages`` and ``categories``), straight from ``source`` to ``destination`` (a fill
        that needs no hold: it settles in the entry that checked the source)."""
        self.check_open(self.account(source))
        self.check_take(source, asset, quantity, None, vintages, categories)
        self.check_receiving(destination)
        self._take_move(source, asset, quantity, None, vintages, categories,
                        to=destination, state=BlockState.ACTIVE, hold=None, effects=effects)

    def deliver_ranges(self, source: str, destination: str, asset: str,
                       ranges: tuple[SerialRange, ...], effects: Effects) -> None:
        """Move the active units of ``ranges`` straight from ``source`` to ``destination``
        (a bilateral sale of named serials, settled in the entry that checked them)."""
        self.check_open(self.account(source))
        self.check_take(source, asset, sum(r.quantity for r in ranges), ranges)
        self.check_receiving(destination)
        self._take_move(source, asset, 0, ranges, to=destination, state=BlockState.ACTIVE,
                        hold=None, effects=effects)

    def free_ranges(self, account: str, asset: str, start: int, end: int,
                    quantity: int) -> tuple[SerialRange, ...]:
        """The lowest ``quantity`` active serials of ``asset`` in ``account`` that lie within
        ``start``-``end`` (one issuance's units, say), as ranges."""
        spans = sorted((max(b.start, start), min(b.end, end))
                       for b in self.active_blocks(account, asset)
                       if b.start <= end and b.end >= start)
        out: list[SerialRange] = []
        left = quantity
        for lo, hi in spans:
            if left <= 0:
                break
            take = min(left, hi - lo + 1)
            out.append(SerialRange(lo, lo + take - 1))
            left -= take
        if left > 0:
            raise InsufficientUnits("not enough active units of these serials in the account",
                                    account=account, asset=asset, available=quantity - left,
                                    requested=quantity, serials=[start, end])
        return tuple(out)

    def issuance_at(self, asset: str, serial: int) -> Issuance | None:
        """The issuance a serial number of ``asset`` belongs to, if it was issued."""
        block = self.block_at(asset, serial)
        return None if block is None else self.issuances.get(block.issuance)

    def pay(self, source: str, destination: str, asset: str, amount: int,
            effects: Effects) -> None:
        """Move ``amount`` of a fungible asset from ``source``'s available balance (never out
        of a frozen account)."""
        account = self.account(source)
        self.check_open(account)
        self.check_funds(account, asset, amount)
        self.check_receiving(destination)
        self._post(source, asset, -amount, effects)
        self._post(destination, asset, amount, effects)

    def check_can_hold(self, account: str, asset: str, quantity: int, *,
                       vintages: tuple[int, int] | None = None,
                       categories: tuple[str, ...] | None = None) -> None:
        self.check_hold(self.asset(asset), self.account(account), quantity, None, vintages,
                        categories)

    def place_order_hold(self, account: str, asset: str, quantity: int, reference: str,
                         effects: Effects, *, vintages: tuple[int, int] | None = None,
                         categories: tuple[str, ...] | None = None) -> str:
        return self.hold_for(HoldKind.MARKET_ORDER, account, asset, quantity, vintages,
                             reference, effects, categories)

    # -------------------------------------------------------------- a loan's pledge
    def issuances_of(self, project: str) -> list[Issuance]:
        """Every issuance of ``project``, in id order."""
        return [i for _, i in sorted(self.issuances.items()) if i.project == project]

    def active_ranges(self, account: str, asset: str, start: int,
                      end: int) -> tuple[SerialRange, ...]:
        """Every active serial of ``asset`` in ``account`` within ``start``-``end``."""
        return tuple(SerialRange(max(b.start, start), min(b.end, end))
                     for b in sorted(self.active_blocks(account, asset), key=lambda b: b.start)
                     if b.start <= end and b.end >= start)

    def place_pledge(self, account: str, asset: str, ranges: tuple[SerialRange, ...],
                     bank: str, reference: str, effects: Effects) -> str:
        """Pledge the named active serials of an open ``account`` to ``bank`` for a loan."""
        acct = self.account(account)
        self.check_open(acct)
        hid, _ = self._place_hold(HoldKind.LOAN_PLEDGE, self.asset(asset), acct,
                                  sum(r.quantity for r in ranges), ranges, None, bank,
                                  reference, effects)
        return hid

    def _loan_pledge(self, hid: str) -> Hold:
        hold = self._active_hold(hid)
        if hold.kind is not HoldKind.LOAN_PLEDGE:
            raise Forbidden("the lending book resolves only loans' pledges", hold=hid)
        return hold

    def release_pledge(self, hid: str, effects: Effects) -> None:
        """Release a loan's active pledge (the loan is repaid)."""
        self._release(self._loan_pledge(hid), effects)

    def enforce_pledge(self, hid: str, destination: str, effects: Effects) -> None:
        """Move all the units of a loan's active pledge into ``destination`` (the loan's
        default): nothing leaves a frozen account."""
        hold = self._loan_pledge(hid)
        self.check_enforce(hold, destination, hold.quantity)
        check_may_leave(self, hold)
        self._enforce_all(hold, destination, hold.quantity, effects)
