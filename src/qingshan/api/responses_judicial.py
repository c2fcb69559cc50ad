"""Response bodies of judicial offsetting's routes (OpenAPI), as ``qingshan.judicial.queries``
returns them."""

from __future__ import annotations

from qingshan.api.responses import Out
from qingshan.api.responses_contexts import Certificate


class DefendantOut(Out):
    name: str
    kind: str


class PaymentOut(Out):
    reference: str | None = None  # sealed: the court, operator, auditors, supervisors
    payer: str | None = None
    amount: int
    seq: int


class PurchaseOut(Out):
    id: str
    instrument: str
    quantity: int
    value: int
    fee: int
    limit_price: int
    trades: list[int]
    seq: int


class OfferOut(Out):
    id: str
    account: str  # "private" but to the court, the operator, auditors and supervisors
    party: str
    ranges: list[list[int]]
    price: int
    status: str
    seq: int


class HistoryLine(Out):
    seq: int
    kind: str
    note: str


class CaseOut(Out):
    id: str
    court: str
    number: str
    cause: str
    defendants: list[DefendantOut]
    judgment_date: str
    compensation_fen: int
    tonnes: int
    deadline: str
    restoration: str
    asset: str
    categories: list[str] | None
    project: str | None
    cap_price: int
    account: str
    refund_account: str
    status: str
    created_seq: int
    updated_seq: int
    paid: int
    spent: int
    fees: int
    refunded: int
    bought: int
    retired: int
    retirement: str | None
    closed_date: str
    balance: int
    average_price: int | None
    overdue: bool
    payments: list[PaymentOut] | None = None
    purchases: list[PurchaseOut] | None = None
    offers: list[OfferOut] | None = None
    history: list[HistoryLine] | None = None


class CourtOut(Out):
    id: str
    name: str


class Supervision(Out):
    court: str
    name: str
    cases: int
    closed: int
    money_in: int
    spent: int
    fees: int
    refunded: int
    in_escrow: int
    bought: int
    retired: int
    average_price: int | None
    pending: list[str]
    overdue: list[str]


class YearOut(Out):
    year: int
    cases: int
    money_in: int
    spent: int
    refunded: int
    retired: int


class CaseCertificate(Out):
    case: CaseOut
    certificate: Certificate
