"""Resource rights' book: the composition of its concerns, hosted by the sequencer beside the
ledger. Floors, measurements, issuance and successions are ``districts``; contracts between
districts and their tranches ``contracts``; restoration projects and the development rights
they earn ``restoration``; each district's standing ``compliance``; rows ``storage``; the
conservation laws ``invariants``. The book reaches the ledger only through its port.

Deterministic: the book is a function of the journal (the sequencer replays it on start)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from qingshan.ledger.books import FetchAll, Rows
from qingshan.ledger.domain.commands import Command
from qingshan.ledger.domain.effects import Effects
from qingshan.ledger.domain.model import Principal
from qingshan.rights import contracts, districts, invariants, restoration, storage
from qingshan.rights.commands import (
    RIGHTS_COMMANDS,
    AcceptRestoration,
    AgreeContract,
    ApproveContract,
    IssueIndicators,
    ProposeContract,
    RecordMeasurement,
    RecordSuccession,
    RecordTrancheCheck,
    RegisterRestoration,
    ReleaseTranche,
    ReportIncome,
    SetIndicatorFloor,
    TransferDevelopmentRight,
)
from qingshan.rights.state import RightsState

Handler = Callable[[RightsState, Any, Principal, int], Effects]


class RightsBook(RightsState):
    name = "rights"
    commands = RIGHTS_COMMANDS

    def _load(self, fetchall: FetchAll) -> None:
        storage.load(self, fetchall)

    def _rows(self) -> Rows:
        return storage.rows(self)

    def snapshot(self) -> Any:
        return (self.floors, self.measurements, self.successions, self.grants, self.contracts,
                self.restorations, self.transfers, self.incomes, dict(self.counters))

    def invariants(self) -> list[str]:
        return invariants.check_invariants(self)

    _handlers: ClassVar[dict[type[Command], Handler]] = {
        SetIndicatorFloor: districts.set_indicator_floor,
        RecordMeasurement: districts.record_measurement,
        IssueIndicators: districts.issue_indicators,
        RecordSuccession: districts.record_succession,
        ProposeContract: contracts.propose_contract,
        AgreeContract: contracts.agree_contract,
        ApproveContract: contracts.approve_contract,
        RecordTrancheCheck: contracts.record_tranche_check,
        ReleaseTranche: contracts.release_tranche,
        RegisterRestoration: restoration.register_restoration,
        AcceptRestoration: restoration.accept_restoration,
        TransferDevelopmentRight: restoration.transfer_development_right,
        ReportIncome: restoration.report_income,
    }
