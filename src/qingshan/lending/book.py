"""Pledge loans' book: the composition of its concerns, hosted by the sequencer beside the
ledger. Credit lines, loans, repayments and enforcement are ``loans``; valuations
``appraisals``; rows ``storage``; the conservation laws ``invariants``. The book reaches the
ledger only through its port, the registry's projects and the market's prices through the
interfaces of ``directory`` (bound by ``qingshan.contexts``), and it hears every issuance
(the ledger's issuance watcher) to pledge a pledged project's new units in the same entry,
every loss the registry records and every market close (watchers bound by
``qingshan.contexts``), to revalue the collateral they touch (``revaluation``).

Deterministic: the book is a function of the journal (the sequencer replays it on start).
Pledge-loan rules are versioned by journal position: entries up to the one migration 0012
recorded replay under rules 1, as they were written; later ones run under rules 2 (the
platform's revaluations, the project's baseline subtracted)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from qingshan.ledger.books import FetchAll, Rows
from qingshan.ledger.domain.commands import Command
from qingshan.ledger.domain.effects import Effects
from qingshan.ledger.domain.model import Issuance, Principal, SerialRange
from qingshan.ledger.domain.port import LedgerPort
from qingshan.lending import appraisals, invariants, loans, revaluation, storage
from qingshan.lending.commands import (
    LENDING_COMMANDS,
    AppraiseCollateral,
    EnforcePledge,
    GrantLoan,
    OpenCreditLine,
    RecordRepayment,
)
from qingshan.lending.state import LendingState

Handler = Callable[[LendingState, Any, Principal, int], Effects]


class LendingBook(LendingState):
    name = "lending"
    commands = LENDING_COMMANDS

    def bind(self, ledger: LedgerPort, clock: Callable[[], int]) -> None:
        super().bind(ledger, clock)
        ledger.watch_issuance(self.name, self.issued)

    def issued(self, issuance: Issuance, placed: list[tuple[str, SerialRange]],
               effects: Effects) -> dict[str, Any]:
        return loans.pledge_new_issuance(self, issuance, placed, effects)

    def loss_reported(self, project: str, loss: str, quantity: int, cause: str,
                      occurred: str, seq: int) -> dict[str, Any]:
        """The registry's loss watcher (bound by ``qingshan.contexts``)."""
        return revaluation.loss_reported(self, project, loss, quantity, cause, occurred, seq)

    def price_closed(self, asset: str, seq: int) -> dict[str, Any]:
        """The market's close watcher (bound by ``qingshan.contexts``)."""
        return revaluation.price_closed(self, asset, seq)

    def configure(self, fetchall: FetchAll) -> None:
        self.rules1_until = storage.rules1_until(fetchall)

    def _load(self, fetchall: FetchAll) -> None:
        storage.load(self, fetchall)

    def _rows(self) -> Rows:
        return storage.rows(self)

    def snapshot(self) -> Any:
        return (self.lines, self.appraisals, self.loans, self.repayments, self.alerts,
                dict(self.counters))

    def invariants(self) -> list[str]:
        return invariants.check_invariants(self)

    _handlers: ClassVar[dict[type[Command], Handler]] = {
        OpenCreditLine: loans.open_credit_line,
        AppraiseCollateral: appraisals.appraise_collateral,
        GrantLoan: loans.grant_loan,
        RecordRepayment: loans.record_repayment,
        EnforcePledge: loans.enforce_pledge,
    }
