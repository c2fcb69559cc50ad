"""What applying one command produces besides the state change: the journaled result, the
fungible postings and the serial events that the storage layer writes beside the entry.

Pure values; every book (the ledger's and each context's) returns an :class:`Effects`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from qingshan.ledger.domain.model import AccountStatus, Issuance, SerialRange

Posting = tuple[str, str, int]  # account, asset, signed amount
# asset, start, end, from account (None on issuance), to account, state after the event
SerialEvent = tuple[str, int, int, str | None, str, str]


@dataclass(slots=True)
class Effects:
    """What one applied command produced, besides the state change itself."""

    result: dict[str, Any]
    postings: list[Posting] = field(default_factory=list)
    serial_events: list[SerialEvent] = field(default_factory=list)

    def absorb(self, other: Effects) -> None:
        """Add another command's postings and serial events to these (its result is the
        caller's to merge)."""
        self.postings += other.postings
        self.serial_events += other.serial_events


# What a context book does when an account's status changes (the market cancels a frozen
# account's orders): it may change its own book and the ledger through ``effects``, inside
# the same journal entry, and returns what to add to the entry's result.
StatusWatcher = Callable[[str, AccountStatus, Effects], dict[str, Any]]

# What a context book does when units are issued (the lending book pledges a pledged project's
# new units to its bank): called with the issuance and its allocations (account, serials),
# inside the issuance's own journal entry; returns what to add to the entry's result.
IssuanceWatcher = Callable[[Issuance, list[tuple[str, SerialRange]], Effects], dict[str, Any]]
