"""Pledge loans' state and the checks its concerns share: credit lines, appraisals, loans,
repayments and alerts; who may act for a bank. The concerns (``appraisals``, ``loans``) are
functions of this state; :class:`~qingshan.lending.book.LendingBook` composes them. Every
change goes through the methods here, so it is in the undo log and marked for writing."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from qingshan.errors import Forbidden
from qingshan.ledger.books import ContextBook
from qingshan.ledger.domain.model import PartyKind, Principal, Role
from qingshan.ledger.domain.policy import ADMIN_ROLES
from qingshan.lending.directory import Prices, Projects, ProjectTerms, Sales
from qingshan.lending.errors import (
    LoanState,
    NotForestry,
    ProjectNotRegistered,
    UnknownAppraisal,
    UnknownCreditLine,
    UnknownLoan,
    UnknownProject,
)
from qingshan.lending.model import (
    Alert,
    AlertKind,
    Appraisal,
    CreditLine,
    Loan,
    LoanStatus,
    RepaymentRecord,
)

TABLES = ("lines", "appraisals", "loans", "repayments", "alerts")


class LendingState(ContextBook):
    def __init__(self, projects: Projects, prices: Prices, sales: Sales | None = None) -> None:
        super().__init__(TABLES)
        self.projects = projects
        self.prices = prices
        self.sales = sales  # the market, where enforced units are auctioned (None: nowhere)
        self.lines: dict[str, CreditLine] = {}
        self.appraisals: dict[str, Appraisal] = {}
        self.loans: dict[str, Loan] = {}
        self.repayments: dict[str, RepaymentRecord] = {}
        self.alerts: dict[str, Alert] = {}
        self.counters = {"line": 0, "appraisal": 0, "loan": 0, "repayment": 0, "alert": 0}
        self.rules1_until = 0  # entries up to this seq replay under pledge-loan rules 1

    def rules(self, seq: int) -> int:
        """The pledge-loan rules entry ``seq`` runs under: 1 for entries journaled before
        migration 0012 (no revaluation by the platform, no baseline subtracted), 2 after."""
        return 1 if seq <= self.rules1_until else 2

    # ------------------------------------------------------------------ changes
    def put_loan(self, loan: Loan, seq: int, **changes: Any) -> Loan:
        new = replace(loan, updated_seq=seq, **changes)
        self.put("loans", loan.id, new)
        return new

    def alert(self, loan: Loan, kind: AlertKind, day: str, note: str, seq: int) -> None:
        aid = self.next_id("alert", "LA")
        self.put("alerts", aid, Alert(id=aid, loan=loan.id, bank=loan.bank, kind=kind,
                                      day=day, note=note[:300], seq=seq))

    # ------------------------------------------------------------------ look-ups and checks
    def loan(self, lid: str) -> Loan:
        loan = self.loans.get(lid)
        if loan is None:
            raise UnknownLoan("no such loan", loan=lid)
        return loan

    def appraisal(self, vid: str) -> Appraisal:
        a = self.appraisals.get(vid)
        if a is None:
            raise UnknownAppraisal("no such appraisal", appraisal=vid)
        return a

    def line(self, lid: str) -> CreditLine:
        line = self.lines.get(lid)
        if line is None:
            raise UnknownCreditLine("no such credit line", line=lid)
        return line

    def forestry_project(self, pid: str) -> ProjectTerms:
        """A registered forestry project of the registry's."""
        terms = self.projects.project_terms(pid)
        if terms is None:
            raise UnknownProject("no such project", project=pid)
        if terms.sector != "forestry":
            raise NotForestry("only a forestry project's expected carbon income is pledged",
                              project=pid, sector=terms.sector)
        if terms.status != "registered":
            raise ProjectNotRegistered(f"the project is {terms.status}", project=pid,
                                       status=terms.status)
        return terms

    def check_bank(self, actor: Principal, bank: str) -> None:
        """A bank's own principals (role bank) and the operator act for a bank."""
        if actor.role not in ADMIN_ROLES and not (actor.role is Role.BANK
                                                  and actor.party_id == bank):
            raise Forbidden("only the bank itself, or the operator, acts for a bank",
                            bank=bank, role=actor.role.value)
        if self.ledger.party(bank).kind is not PartyKind.BANK:
            raise Forbidden("only a bank lends against carbon income", party=bank)

    @staticmethod
    def check_status(loan: Loan, *allowed: LoanStatus) -> None:
        if loan.status not in allowed:
            raise LoanState(f"the loan is {loan.status.value}", loan=loan.id,
                            status=loan.status.value, allowed=[s.value for s in allowed])

    def active_loans_of(self, project: str) -> list[Loan]:
        return [ln for ln in self.loans.values()
                if ln.project == project and ln.status is LoanStatus.ACTIVE]

    def line_outstanding(self, line: str) -> int:
        return sum(ln.outstanding for ln in self.loans.values()
                   if ln.line == line and ln.status is LoanStatus.ACTIVE)
