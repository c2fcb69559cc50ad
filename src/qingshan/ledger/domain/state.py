"""The ledger's book: its whole state in memory, and the use-cases that change it.

:class:`LedgerState` composes the book (``book.py``: state, indexes, look-ups, primitives)
with the use-cases of each concern: ``units.py`` (taking and moving units), ``accounts.py``
(reference data, parties, accounts), ``movements.py`` (issue, transfer, retire, cancel),
``holds.py`` (place, release, enforce) and ``settlement.py`` (the calls other books make,
declared in ``port.py``). Imports point one way: each of those imports only the ones below it.

:meth:`LedgerState.apply` runs the handler of one command and returns its
:class:`~qingshan.ledger.domain.effects.Effects`: the journaled result plus the postings and
serial events that the storage layer writes beside the journal entry. Every handler checks
first (reads only; raises a :class:`~qingshan.errors.QingshanError` when the command may not
run) and then does (changes the book; the ledger's own changes raise nothing, but a context's
status watcher runs after the status has changed). Every change writes an undo record, so a
request is rolled back whole when anything in it fails, and a whole group of commands
(:meth:`mark` / :meth:`rollback_to`) when a batch is refused or its transaction fails. The
same code replays the journal in ``qingshan log verify``.

Pure: no database, no I/O, and no clock of its own: rules that depend on the day (a monitoring
period must have ended before its units are issued) read ``clock``, the time of the journal
entry being applied, which the sequencer (and ``log verify``, replaying) binds through the
:class:`~qingshan.ledger.books.Router`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from qingshan.ledger.domain.accounts import Accounts
from qingshan.ledger.domain.book import RECEIVING_TYPES, Dirty
from qingshan.ledger.domain.commands import (
    CancelUnits,
    Command,
    CreateAssetClass,
    EnforceHold,
    IssueUnits,
    OpenAccount,
    PlaceHold,
    RegisterParty,
    ReleaseHold,
    RetireUnits,
    SetAccountStatus,
    Transfer,
)
from qingshan.ledger.domain.effects import Effects, StatusWatcher
from qingshan.ledger.domain.holds import Holds
from qingshan.ledger.domain.model import SYSTEM, Principal
from qingshan.ledger.domain.movements import Movements
from qingshan.ledger.domain.port import LedgerPort
from qingshan.ledger.domain.settlement import Settlement

# (moved to ``effects.py`` and ``book.py``; still importable from here)
__all__ = ["RECEIVING_TYPES", "Dirty", "Effects", "LedgerState", "StatusWatcher"]

Handler = Callable[["LedgerState", Any, Principal], Effects]


class LedgerState(Accounts, Movements, Settlement):
    """All parties, accounts, asset classes, issuances, unit blocks, balances and holds, and
    every use-case of the ledger."""

    def apply(self, cmd: Command, actor: Principal, seq: int = 0) -> Effects:
        """Check, then do, one command as journal entry ``seq``. On error nothing has changed."""
        self.seq = seq
        handler = self._handlers[type(cmd)]
        return handler(self, cmd, actor)

    def issue_units(self, cmd: IssueUnits, seq: int) -> Effects:
        return self.apply(cmd, SYSTEM, seq)

    def cancel_units(self, cmd: CancelUnits, seq: int) -> Effects:
        return self.apply(cmd, SYSTEM, seq)

    def open_account(self, cmd: OpenAccount, seq: int) -> Effects:
        return self.apply(cmd, SYSTEM, seq)

    def retire_units(self, cmd: RetireUnits, seq: int) -> Effects:
        return self.apply(cmd, SYSTEM, seq)

    _handlers: ClassVar[dict[type[Command], Handler]] = {
        CreateAssetClass: Accounts.apply_create_asset_class,
        RegisterParty: Accounts.apply_register_party,
        OpenAccount: Accounts.apply_open_account,
        SetAccountStatus: Accounts.apply_set_account_status,
        IssueUnits: Movements.apply_issue_units,
        Transfer: Movements.apply_transfer,
        RetireUnits: Movements.apply_retire_units,
        CancelUnits: Movements.apply_cancel_units,
        PlaceHold: Holds.apply_place_hold,
        ReleaseHold: Holds.apply_release_hold,
        EnforceHold: Holds.apply_enforce_hold,
    }


if TYPE_CHECKING:  # mypy proves that the book implements the port the contexts use
    _implements_port: LedgerPort = LedgerState()
