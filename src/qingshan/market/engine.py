"""The matching engine: one instrument's resting orders by price level, in price-time priority.

Pure and deterministic: integers and ids in, fills out; no ledger, no clock, no I/O. The market
book (``market/book.py``) checks an order and holds what it could give up, asks the engine to
match it, then settles each fill on the ledger. ``bench/market.py`` measures this engine alone.

Layout, chosen for speed in CPython: per side a dict ``price -> [order ids in time order]`` and
an ascending list of the prices that have a level (best bid at the end, best ask at the start);
per resting order a small mutable record ``[side, price, remaining, party]``.

Every change is appended to ``undo``, the list of the market book's unit of work
(``ledger/domain/undo.py``), so a refused command or a failed write rolls the engine back
exactly, queue positions included. The tags are the undo log's:
``(0, container, key, old)`` sets back (or deletes, for ``MISSING``), ``(5, list, i)`` deletes
``list[i]`` (undoes an insert), ``(6, list, i, x)`` inserts ``x`` at ``i`` (undoes a delete).

Self-trade prevention ("cancel resting"): an incoming order never trades with a resting order
of its own party; that resting order is taken off the book and reported, for the caller to
release its hold.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator
from typing import Any

from qingshan.ledger.domain.undo import MISSING

BUY = 0
SELL = 1

# a resting order's record
SIDE, PRICE, REMAINING, PARTY = 0, 1, 2, 3

Fill = tuple[str, int, int]  # (resting order id, price, quantity)


class OrderBook:
    __slots__ = ("levels", "orders", "prices", "undo")

    def __init__(self, undo: list[tuple[Any, ...]] | None = None) -> None:
        self.levels: tuple[dict[int, list[str]], dict[int, list[str]]] = ({}, {})
        self.prices: tuple[list[int], list[int]] = ([], [])
        self.orders: dict[str, list[Any]] = {}
        self.undo: list[tuple[Any, ...]] = [] if undo is None else undo

    # ------------------------------------------------------------------ reading
    def best(self, side: int) -> int | None:
        prices = self.prices[side]
        if not prices:
            return None
        return prices[-1] if side == BUY else prices[0]

    def remaining(self, oid: str) -> int:
        return int(self.orders[oid][REMAINING])

    def __contains__(self, oid: str) -> bool:
        return oid in self.orders

    def __len__(self) -> int:
        return len(self.orders)

    def price_levels(self, side: int) -> list[int]:
        """Prices with resting orders, best first."""
        prices = self.prices[side]
        return prices[::-1] if side == BUY else list(prices)

    def queue(self, side: int, price: int) -> tuple[str, ...]:
        return tuple(self.levels[side].get(price, ()))

    def in_priority(self, side: int) -> Iterator[tuple[int, str]]:
        """(price, order id) of one side's resting orders in price-time priority."""
        levels = self.levels[side]
        for price in self.price_levels(side):
            for oid in levels[price]:
                yield price, oid

    def snapshot(self) -> Any:
        return ({p: tuple(q) for p, q in self.levels[BUY].items()},
                {p: tuple(q) for p, q in self.levels[SELL].items()},
                {k: tuple(v) for k, v in self.orders.items()})

    # ------------------------------------------------------------------ writing
    def match(self, side: int, limit: int, quantity: int, party: str,
              fills: list[Fill], cancelled: list[str]) -> int:
        """Trade an incoming order of ``side`` up to ``limit`` against the other side, best price
        first, then oldest first; append fills and self-trade cancellations; return what is left
        of ``quantity``."""
        other = SELL - side
        prices = self.prices[other]
        if not prices:
            return quantity
        levels = self.levels[other]
        orders = self.orders
        undo = self.undo
        top = 0 if other == SELL else -1
        while quantity and prices:
            price = prices[top]
            if (price > limit) if other == SELL else (price < limit):
                break
            queue = levels[price]
            oid = queue[0]
            rec = orders[oid]
            if rec[PARTY] == party:  # self-trade prevention: the resting order goes
                cancelled.append(oid)
                take = 0
            else:
                left = rec[REMAINING]
                take = quantity if quantity < left else left
                fills.append((oid, price, take))
                quantity -= take
                if take < left:
                    undo.append((0, rec, REMAINING, left))
                    rec[REMAINING] = left - take
                    continue
            # the head order leaves the book (filled, or cancelled by self-trade prevention)
            del queue[0]
            undo.append((6, queue, 0, oid))
            del orders[oid]
            undo.append((0, orders, oid, rec))
            if not queue:
                del levels[price]
                undo.append((0, levels, price, queue))
                i = 0 if top == 0 else len(prices) - 1
                del prices[i]
                undo.append((6, prices, i, price))
        return quantity

    def rest(self, oid: str, side: int, price: int, quantity: int, party: str) -> None:
        """Put an order at the back of its price level."""
        undo = self.undo
        levels = self.levels[side]
        queue = levels.get(price)
        if queue is None:
            levels[price] = [oid]
            undo.append((0, levels, price, MISSING))
            prices = self.prices[side]
            i = bisect_left(prices, price)
            prices.insert(i, price)
            undo.append((5, prices, i))
        else:
            undo.append((5, queue, len(queue)))
            queue.append(oid)
        self.orders[oid] = [side, price, quantity, party]
        undo.append((0, self.orders, oid, MISSING))

    def place(self, oid: str, side: int, price: int, quantity: int, party: str,
              rest: bool = True) -> tuple[list[Fill], list[str], int]:
        """Match an incoming limit order, then rest what is left (unless ``rest`` is false, as
        for immediate-or-cancel). Returns (fills, self-trade cancellations, remaining)."""
        fills: list[Fill] = []
        cancelled: list[str] = []
        left = self.match(side, price, quantity, party, fills, cancelled)
        if left and rest:
            self.rest(oid, side, price, left, party)
        return fills, cancelled, left

    def remove(self, oid: str) -> int:
        """Take a resting order off the book (cancel); return what it had left."""
        rec = self.orders.pop(oid)
        undo = self.undo
        undo.append((0, self.orders, oid, rec))
        side, price = rec[SIDE], rec[PRICE]
        levels = self.levels[side]
        queue = levels[price]
        i = queue.index(oid)
        del queue[i]
        undo.append((6, queue, i, oid))
        if not queue:
            del levels[price]
            undo.append((0, levels, price, queue))
            prices = self.prices[side]
            j = bisect_left(prices, price)
            del prices[j]
            undo.append((6, prices, j, price))
        return int(rec[REMAINING])

    def reduce(self, oid: str, quantity: int) -> None:
        """Set a resting order's remaining quantity, keeping its place (a fill, or an amend
        that lowers the quantity)."""
        rec = self.orders[oid]
        self.undo.append((0, rec, REMAINING, rec[REMAINING]))
        rec[REMAINING] = quantity
