"""Selecting and moving serialized units: which active blocks a quantity takes (oldest vintage
first, within vintages and categories), whether an account can supply it, and the move itself
(cut, re-home, merge with its neighbours). Every use-case that moves units builds on these.

Pure: no database, no clock, no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable

from qingshan.errors import (
    InsufficientUnits,
    SerialsNotAvailable,
)
from qingshan.ledger.domain.book import BookState
from qingshan.ledger.domain.effects import Effects
from qingshan.ledger.domain.model import BlockState, SerialRange, UnitBlock


class Units(BookState):
    """The book, with the taking and moving of units."""

    def _active_keys(self, account: str, asset: str, vintages: tuple[int, int] | None,
                     categories: tuple[str, ...] | None = None,
                     ) -> Iterable[tuple[int, int, int, int, int]]:
        """An account's active blocks in the order a transfer by quantity takes them, only
        those of ``vintages`` and of issuances in ``categories`` when given."""
        sl = self._active_list(account, asset)
        keys: Iterable[tuple[int, int, int, int, int]] = sl if vintages is None else sl.irange(
            (vintages[0],), (vintages[1] + 1,), inclusive=(True, False))
        if categories is not None:
            issuances = self.issuances
            keys = (k for k in keys if issuances[k[2]].category in categories)
        return keys

    def check_take(self, account: str, asset: str, quantity: int,
                   ranges: tuple[SerialRange, ...] | None,
                   vintages: tuple[int, int] | None = None,
                   categories: tuple[str, ...] | None = None) -> None:
        """Raise unless the account's active units (of ``vintages`` and ``categories``, if
        given) can supply ``quantity`` / ``ranges``."""
        if ranges is None and (vintages is not None or categories is not None):
            have = 0
            for key in self._active_keys(account, asset, vintages, categories):
                have += self.blocks[key[-1]].quantity
                if have >= quantity:
                    return
            raise InsufficientUnits("not enough active units of these vintages and categories",
                                    account=account, asset=asset, available=have,
                                    requested=quantity,
                                    vintages=None if vintages is None else list(vintages),
                                    categories=None if categories is None else list(categories))
        if ranges is None:
            have = self.active_quantity(account, asset)
            if have < quantity:
                raise InsufficientUnits("not enough active units in the account",
                                        account=account, asset=asset, available=have,
                                        requested=quantity)
            return
        for r in ranges:
            pos = r.start
            while pos <= r.end:
                b = self.block_at(asset, pos)
                if b is None or b.account != account or b.state is not BlockState.ACTIVE:
                    raise SerialsNotAvailable(
                        "serials are not all active in the account", account=account,
                        asset=asset, range=r.to_payload(), serial=pos,
                        state=None if b is None else b.state.value)
                pos = b.end + 1

    def _take_ranges(self, asset: str, ranges: tuple[SerialRange, ...]) -> list[UnitBlock]:
        """Cut out the blocks of the named serial ranges (after :meth:`check_take`); by
        quantity, :meth:`_take_move` cuts as it moves."""
        taken: list[UnitBlock] = []
        for r in ranges:
            pos = r.start
            while pos <= r.end:
                found = self.block_at(asset, pos)
                assert found is not None  # check_take proved the whole range is there
                b = found
                if b.start < pos:
                    _, b = self._split(b, pos)
                if b.end > r.end:
                    b, _ = self._split(b, r.end + 1)
                taken.append(b)
                pos = b.end + 1
        return taken

    def _take_move(self, account: str, asset: str, quantity: int,
                   ranges: tuple[SerialRange, ...] | None,
                   vintages: tuple[int, int] | None = None,
                   categories: tuple[str, ...] | None = None, *, to: str, state: BlockState,
                   hold: str | None, effects: Effects) -> list[list[int]]:
        """Take units and :meth:`_move` them (after :meth:`check_take`). By quantity, the last
        block is cut straight into its new place, not indexed as active in between."""
        if ranges is not None:
            return self._move(self._take_ranges(asset, ranges), account=to, state=state,
                              hold=hold, effects=effects)
        need = quantity
        whole: list[UnitBlock] = []
        part: UnitBlock | None = None
        for key in self._active_keys(account, asset, vintages, categories):
            if not need:
                break
            b = self.blocks[key[-1]]
            size = b.end - b.start + 1
            if size > need:
                part = b
                break
            whole.append(b)
            need -= size
        moved = self._move(whole, account=to, state=state, hold=hold, effects=effects)
        if part is not None:
            b = part
            last = b.start + need - 1
            piece = UnitBlock(b.id, b.asset, b.issuance, b.vintage, b.start, last, to, state,
                              hold)
            rest = UnitBlock(self._next("block"), b.asset, b.issuance, b.vintage, last + 1,
                             b.end, b.account, b.state, b.hold)
            self._put_block(b, piece)
            self._put_block(None, rest)
            if state is BlockState.ACTIVE:
                self._coalesce(piece)
            moved.append([b.start, last])
            effects.serial_events.append((b.asset, b.start, last, b.account, to, state.value))
        return moved

    def _move(self, blocks: Iterable[UnitBlock], *, account: str, state: BlockState,
              hold: str | None, effects: Effects) -> list[list[int]]:
        moved: list[list[int]] = []
        for b in blocks:
            new = UnitBlock(b.id, b.asset, b.issuance, b.vintage, b.start, b.end, account, state,
                            hold)
            self._put_block(b, new)
            if state is BlockState.ACTIVE:
                self._coalesce(new)
            moved.append([b.start, b.end])
            effects.serial_events.append((b.asset, b.start, b.end, b.account, account,
                                          state.value))
        return moved
