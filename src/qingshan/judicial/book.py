"""Judicial offsetting's book (以碳代偿): the composition of its concerns, hosted by the
sequencer beside the ledger. Cases and their amendments are ``cases``; payments, purchases,
retirement and 执结 are ``execution``; a seller's offer of named serials and its
acceptance (a bilateral purchase, e.g. of the project an order names) are ``bilateral``;
rows are ``storage``; the conservation laws ``invariants``. The book reaches the ledger
through its port and the market through the ``Exchange`` it is given (``qingshan.contexts``
binds the market's book), never by import.

Deterministic: the book is a function of the journal (the sequencer replays it on start)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from qingshan.judicial import bilateral, cases, execution, invariants, storage
from qingshan.judicial.commands import (
    JUDICIAL_COMMANDS,
    AcceptOffer,
    AmendCase,
    CloseCase,
    CreateCase,
    OfferToCase,
    PurchaseForCase,
    RecordPayment,
    RetireForCase,
)
from qingshan.judicial.state import JudicialState
from qingshan.ledger.books import FetchAll, Rows
from qingshan.ledger.domain.commands import Command
from qingshan.ledger.domain.effects import Effects
from qingshan.ledger.domain.model import Principal

Handler = Callable[[JudicialState, Any, Principal, int], Effects]


class JudicialBook(JudicialState):
    name = "judicial"
    commands = JUDICIAL_COMMANDS

    def _load(self, fetchall: FetchAll) -> None:
        storage.load(self, fetchall)

    def _rows(self) -> Rows:
        return storage.rows(self)

    def snapshot(self) -> Any:
        return (self.cases, self.payments, self.purchases, self.offers, dict(self.counters))

    def invariants(self) -> list[str]:
        return invariants.check_invariants(self)

    _handlers: ClassVar[dict[type[Command], Handler]] = {
        CreateCase: cases.create_case,
        AmendCase: cases.amend_case,
        RecordPayment: execution.record_payment,
        PurchaseForCase: execution.purchase_for_case,
        RetireForCase: execution.retire_for_case,
        CloseCase: execution.close_case,
        OfferToCase: bilateral.offer_to_case,
        AcceptOffer: bilateral.accept_offer,
    }
