"""Judicial offsetting's values: cases, their defendants, payments into escrow and purchases.

A case is a court's order that the compensation a judgment fixes (money, or tonnes CO2e) be
carried out by buying and retiring credits (以碳代偿). Its money is counted in fen, its credits
in units (t CO2e); both integers. Pure: no I/O."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from qingshan.judicial.errors import MalformedCaseNumber
from qingshan.ledger.domain.definition import Choice, Declared, Text, declare
from qingshan.ledger.domain.model import SerialRange

CASE_ID_RE = re.compile(r"^JC[0-9]{6}$")
PURCHASE_ID_RE = re.compile(r"^JP[0-9]{6}$")
OFFER_ID_RE = re.compile(r"^JO[0-9]{6}$")
PROJECT_RE = re.compile(r"^CQ[0-9]{4,6}$")  # the registry's project ids
QUOTE = "CNY"  # the money cases are paid and bought in
# （2023）渝0102刑初123号: year, the court's code (province abbreviation and digits), the kind
# of case and procedure (刑初, 民终, 刑更, 执, 民初, 行初, …), the number, 号. Full-width
# parentheses are the canonical form; ASCII ones are accepted and rewritten.
CASE_NUMBER_RE = re.compile(
    r"^（(?P<year>(19|20)[0-9]{2})）(?P<court>[\u4e00-\u9fff][0-9]{2,6})"
    r"(?P<kind>[\u4e00-\u9fff]{1,4})(?P<n>[0-9]{1,6})(之[一二三四五六七八九十]+)?号$")


def canonical_case_number(raw: str) -> str:
    """The case number in the courts' canonical form, or ``MalformedCaseNumber``."""
    text = raw.strip().replace("(", "（").replace(")", "）").replace(" ", "")
    if not CASE_NUMBER_RE.fullmatch(text):
        raise MalformedCaseNumber(
            "a case number looks like （2023）渝0102刑初123号: the year in parentheses, the "
            "court's code, the kind of case, the number and 号", field="number",
            value=raw[:64])
    return text


class CaseStatus(StrEnum):
    ORDERED = "ordered"  # judged; waiting for the defendants' payment
    PAID = "paid"  # the money is in escrow: credits may be bought
    PURCHASED = "purchased"  # the tonnes ordered are bought (an order in tonnes)
    RETIRED = "retired"  # the credits are retired for the case
    CLOSED = "closed"  # 执结: carried out, any leftover refunded


class DefendantKind(StrEnum):
    PERSON = "person"
    ORGANISATION = "organisation"


@dataclass(frozen=True, slots=True, kw_only=True)
class Defendant(Declared):
    name: str = declare(Text(max_len=100))
    kind: DefendantKind = declare(Choice(kind=DefendantKind))

    def public_name(self) -> str:
        """The name the public sees: a person's surname and 某 (张某), an organisation whole."""
        if self.kind is DefendantKind.PERSON:
            return f"{self.name[:1]}某"
        return self.name


@dataclass(frozen=True, slots=True, kw_only=True)
class Case:
    id: str
    court: str  # the court's party
    number: str  # canonical case number
    cause: str
    defendants: tuple[Defendant, ...]
    judgment_date: str
    compensation_fen: int  # the money ordered (0: ordered in tonnes)
    tonnes: int  # the tonnes CO2e ordered (0: ordered in money)
    deadline: str
    restoration: str  # what the credits stand for
    asset: str
    categories: tuple[str, ...] | None  # the kinds of credit it may buy (None: any)
    project: str | None  # credits of this project only, bought from it bilaterally
    cap_price: int  # fen per unit, the most the court lets the platform pay
    account: str  # the case's judicial carbon account (a holding account of the court)
    refund_account: str  # where money left over goes
    status: CaseStatus
    created_seq: int
    updated_seq: int
    paid: int = 0  # fen received into escrow
    spent: int = 0  # fen paid to sellers
    fees: int = 0  # fen of trading fees
    refunded: int = 0  # fen returned
    bought: int = 0  # units bought
    retired: int = 0  # units retired
    retirement: str | None = None  # the ledger's retirement
    closed_date: str = ""

    @property
    def balance(self) -> int:
        """The case's money still in escrow."""
        return self.paid - self.spent - self.fees - self.refunded

    @property
    def in_tonnes(self) -> bool:
        return self.tonnes > 0

    def open_for_payment(self) -> bool:
        return self.status in (CaseStatus.ORDERED, CaseStatus.PAID, CaseStatus.PURCHASED)


@dataclass(frozen=True, slots=True, kw_only=True)
class Payment:
    reference: str  # the bank's payment reference, unique across the platform
    case: str
    amount: int  # fen
    payer: str
    seq: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Purchase:
    id: str
    case: str
    instrument: str
    quantity: int  # units bought (0 when nothing was offered within the limit)
    value: int  # fen paid to sellers
    fee: int  # fen of fees
    limit: int  # the limit price, fen per unit
    trades: tuple[int, ...]  # the market trades that filled it
    seq: int


class OfferStatus(StrEnum):
    OPEN = "open"
    ACCEPTED = "accepted"


@dataclass(frozen=True, slots=True, kw_only=True)
class Offer:
    """A seller's bilateral offer of named serials to a case (a named project's credits)."""

    id: str
    case: str
    account: str  # the seller's account the serials are in
    party: str
    ranges: tuple[SerialRange, ...]
    price: int  # fen per unit
    status: OfferStatus
    seq: int

    @property
    def quantity(self) -> int:
        return sum(r.quantity for r in self.ranges)
