"""An undo log: the unit of work that rolls back by default.

Books (the ledger's, and each context's) change their state only through these primitives;
each records how to undo itself, so ``rollback_to(mark)`` restores the state exactly as it was
at ``mark()``. The sequencer marks before each request and rolls back a refused one, or the whole
group when its transaction fails; ``forget_undo()`` makes the changes permanent after commit.
"""

from __future__ import annotations

from typing import Any

from sortedcontainers import SortedList

MISSING = object()  # the old value of a key that did not exist
_MISSING = MISSING


class UndoLog:
    def __init__(self) -> None:
        self._undo: list[tuple[Any, ...]] = []

    def mark(self) -> int:
        return len(self._undo)

    def rollback_to(self, mark: int) -> None:
        log = self._undo
        while len(log) > mark:
            op = log.pop()
            tag = op[0]
            if tag == 0:  # dict set
                _, d, key, old = op
                if old is _MISSING:
                    del d[key]
                else:
                    d[key] = old
            elif tag == 1:  # sorted add -> remove
                op[1].remove(op[2])
            elif tag == 2:  # sorted remove -> add
                op[1].add(op[2])
            elif tag == 3:  # set add -> discard
                op[1].discard(op[2])
            elif tag == 4:  # set discard -> add
                op[1].add(op[2])
            elif tag == 5:  # list insert at i -> delete at i
                del op[1][op[2]]
            else:  # list delete at i -> insert at i
                op[1].insert(op[2], op[3])

    def forget_undo(self) -> None:
        """Make everything so far permanent (after the storage transaction commits)."""
        self._undo.clear()

    @property
    def undo_list(self) -> list[tuple[Any, ...]]:
        """The log itself, for a structure that records its own inverse operations (the
        tags above: 0 set back, 5 undo an insert, 6 undo a delete)."""
        return self._undo

    def _set(self, d: dict[Any, Any], key: Any, value: Any) -> None:
        self._undo.append((0, d, key, d.get(key, _MISSING)))
        d[key] = value

    def _del(self, d: dict[Any, Any], key: Any) -> None:
        self._undo.append((0, d, key, d[key]))
        del d[key]

    def _sl_add(self, sl: SortedList, item: Any) -> None:
        sl.add(item)
        self._undo.append((1, sl, item))

    def _sl_remove(self, sl: SortedList, item: Any) -> None:
        sl.remove(item)
        self._undo.append((2, sl, item))

    def _set_add(self, s: set[Any], item: Any) -> None:
        if item not in s:
            s.add(item)
            self._undo.append((3, s, item))

    def _set_discard(self, s: set[Any], item: Any) -> None:
        if item in s:
            s.discard(item)
            self._undo.append((4, s, item))

