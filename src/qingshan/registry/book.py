"""The registry's book: projects, monitoring reports, issuance requests, and the rules of the
lifecycle. Pure: issuance goes through the ledger's own use-case (``IssueUnits``) in the same
unit of work, so an approved request and its units are one journal entry.

The book composes its concerns and routes each command to one of them: the state and the
checks they share (``state``), the lifecycle (``projects``), ``validation``, ``monitoring``,
``issuance``, ``reversals`` and the operator's reference lists (``imports``); rows in
``storage``. None of them imports this module.

    draft ──submit──▶ submitted ──validate(approve)──▶ validated ──register──▶ registered
      ▲                   │                                                   │    ▲
      └─validate(refuse)──┘                                          suspend  ▼    │ reinstate
    any state but withdrawn ──withdraw──▶ withdrawn                        suspended

Roles: the proponent's members (or the operator) create, submit, withdraw, report and request;
an accredited verifier (a party of kind verifier, never the proponent) validates, re-validates
and verifies; the operator registers, suspends, reinstates, decides issuance and imports the
reference lists (grid factors, green certificates); losses are reported by any of them.

Registry rules. Entries journaled up to ``legacy_until`` (the journal's size when migration
0007 upgraded the database) replay under rules 1, exactly as they were written: reports took
any parameter, the buffer share rounded down, nothing was recorded at validation. Every later
entry runs under rules 2: validation freezes the fixed parameters, reports carry monitored
values only, factors come from the imported tables, the buffer rounds up, and the legacy
methodology versions take no new project, validation or report. Entries after the one
migration 0013 recorded run under rules 3: a methodology version marked ``closed``
(CQ-FOREST@2.0, whose stock change is typed in) takes no new project; projects registered
under it go on reporting, or move to its successor at a re-validation.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from qingshan.ledger.books import FetchAll, Rows
from qingshan.ledger.domain.commands import Command
from qingshan.ledger.domain.effects import Effects
from qingshan.ledger.domain.model import Principal
from qingshan.registry import (
    imports,
    issuance,
    monitoring,
    projects,
    reversals,
    storage,
    validation,
)
from qingshan.registry.commands import (
    REGISTRY_COMMANDS,
    AddProjectDocument,
    CreateProject,
    DecideIssuance,
    RegisterProject,
    ReinstateProject,
    ReportLoss,
    RequestIssuance,
    RevalidateProject,
    SubmitMonitoringReport,
    SubmitProject,
    SuspendProject,
    ValidateProject,
    VerifyMonitoringReport,
    WithdrawProject,
)
from qingshan.registry.errors import OverIssuance, PeriodOverlap, UnknownMethodology, WrongState
from qingshan.registry.state import RegistryState

__all__ = ["OverIssuance", "PeriodOverlap", "RegistryBook", "UnknownMethodology",
           "WrongState"]


Handler = Callable[[RegistryState, Any, Principal, int], Effects]


class RegistryBook(RegistryState):
    name = "registry"
    commands = REGISTRY_COMMANDS + imports.IMPORT_COMMANDS

    # ------------------------------------------------------------------ Book protocol
    def configure(self, fetchall: FetchAll) -> None:
        self.legacy_until = storage.legacy_until(fetchall)
        self.rules2_until = storage.rules2_until(fetchall)

    def _load(self, fetchall: FetchAll) -> None:
        storage.load(self, fetchall)

    def _rows(self) -> Rows:
        return storage.rows(self)

    def snapshot(self) -> Any:
        return (self.projects, self.reports, self.requests, self.validations, self.factors,
                self.certificates, self.losses, {k: v for k, v in self.counters.items()})

    _handlers: ClassVar[dict[type[Command], Handler]] = {
        CreateProject: projects.apply_create_project,
        AddProjectDocument: projects.apply_add_project_document,
        SubmitProject: projects.apply_submit,
        RegisterProject: projects.apply_register,
        SuspendProject: projects.apply_suspend,
        ReinstateProject: projects.apply_reinstate,
        WithdrawProject: projects.apply_withdraw,
        ValidateProject: validation.apply_validate,
        RevalidateProject: validation.apply_revalidate,
        SubmitMonitoringReport: monitoring.apply_submit_report,
        VerifyMonitoringReport: monitoring.apply_verify_report,
        RequestIssuance: issuance.apply_request_issuance,
        DecideIssuance: issuance.apply_decide_issuance,
        ReportLoss: reversals.apply_report_loss,
        imports.ImportGridFactors: imports.apply_import_grid_factors,
        imports.ImportGreenCertificates: imports.apply_import_green_certificates,
    }
