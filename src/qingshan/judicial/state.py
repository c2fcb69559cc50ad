"""Judicial offsetting's state and the checks its concerns share: cases, payments, purchases
and each case's history; who may act for a court. The concerns (``cases``, ``execution``)
are functions of this state; :class:`~qingshan.judicial.book.JudicialBook` composes them.
Every change goes through the methods here, so it is in the undo log and marked for
writing."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from qingshan.errors import Forbidden
from qingshan.judicial.errors import CaseState, NoEscrowAccount, UnknownCase
from qingshan.judicial.exchange import Exchange
from qingshan.judicial.model import Case, CaseStatus, Offer, Payment, Purchase
from qingshan.ledger.books import ContextBook
from qingshan.ledger.domain import policy
from qingshan.ledger.domain.model import AccountStatus, AccountType, PartyKind, Principal

TABLES = ("cases", "payments", "purchases", "offers")


class JudicialState(ContextBook):
    def __init__(self, exchange: Exchange) -> None:
        super().__init__(TABLES)
        self.exchange = exchange
        self.cases: dict[str, Case] = {}
        self.payments: dict[str, Payment] = {}
        self.purchases: dict[str, Purchase] = {}
        self.offers: dict[str, Offer] = {}
        self.numbers: dict[tuple[str, str], str] = {}  # (court, case number) -> case
        self.counters = {"case": 0, "purchase": 0, "offer": 0}

    # ------------------------------------------------------------------ changes
    def put_case(self, case: Case, seq: int, **changes: Any) -> Case:
        new = replace(case, updated_seq=seq, **changes)
        self.put("cases", case.id, new)
        return new

    def add_case(self, case: Case) -> None:
        self.put("cases", case.id, case)
        self._set(self.numbers, (case.court, case.number), case.id)

    # ------------------------------------------------------------------ look-ups and checks
    def case(self, cid: str) -> Case:
        c = self.cases.get(cid)
        if c is None:
            raise UnknownCase("no such case", case=cid)
        return c

    def check_court(self, actor: Principal, court: str) -> None:
        """The court's own principals and the operator act on a court's cases."""
        policy.check_acts_for_court(actor, court)
        if self.ledger.party(court).kind is not PartyKind.COURT:
            raise Forbidden("only a court orders judicial compensation", party=court)

    def escrow_of(self, court: str) -> str:
        """The court's escrow account (the first open one)."""
        for a in sorted(self.ledger.accounts_of(court), key=lambda a: a.id):
            if a.type is AccountType.ESCROW and a.status is AccountStatus.OPEN:
                return a.id
        raise NoEscrowAccount("the court has no open escrow account: the operator opens one",
                              court=court)

    @staticmethod
    def check_status(case: Case, *allowed: CaseStatus) -> None:
        if case.status not in allowed:
            raise CaseState(f"the case is {case.status.value}", case=case.id,
                            status=case.status.value, allowed=[s.value for s in allowed])
