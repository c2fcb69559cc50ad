"""Judicial offsetting's commands, each declared once (qingshan.ledger.domain.definition): the
parser, the journal form and the request body come from these definitions."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from qingshan.errors import InvalidInput
from qingshan.judicial.model import (
    CASE_ID_RE,
    OFFER_ID_RE,
    PROJECT_RE,
    Defendant,
    canonical_case_number,
)
from qingshan.ledger.domain.commands import RANGE_SHAPE, Command, serial_ranges
from qingshan.ledger.domain.definition import (
    AssetCode,
    Custom,
    Day,
    LongText,
    Matching,
    Quantity,
    Ref,
    Shape,
    Text,
    Whole,
    declare,
    declared_rows,
    record_shape,
)
from qingshan.ledger.domain.model import SerialRange
from qingshan.ledger.domain.parsing import as_date, text

MAX_DEFENDANTS = 50
MAX_MONEY = 10**13  # fen: 100 billion yuan
MAX_TONNES = 10**9
MAX_PRICE = 10**10  # fen per unit, as the market's
CATEGORY_RE = re.compile(r"^[a-z][a-z_]{1,23}$")
INSTRUMENT_RE = re.compile(r"^[A-Z][A-Z0-9-]{1,23}$")


def CaseRef(**kw: Any) -> Matching:
    return Matching(pattern=CASE_ID_RE, message="case must look like JC000001",
                    examples=("JC000001",), **kw)


def _case_number(data: Mapping[str, Any], key: str) -> str:
    return canonical_case_number(text(data, key, max_len=64))


def _defendants(data: Mapping[str, Any], key: str) -> tuple[Defendant, ...]:
    return declared_rows(Defendant, data, key, most=MAX_DEFENDANTS, noun="defendants",
                         fields="name, kind")


def _categories(data: Mapping[str, Any], key: str) -> tuple[str, ...] | None:
    raw = data.get(key)
    if raw is None:
        return None
    if not isinstance(raw, list | tuple) or not 1 <= len(raw) <= 8 or not all(
            isinstance(c, str) and CATEGORY_RE.fullmatch(c) for c in raw):
        raise InvalidInput("categories lists 1 to 8 credit categories such as forestry",
                           field=key)
    return tuple(sorted(set(raw)))


CATEGORIES = Custom(parser=_categories, to_json=list, required=False, nullable=True,
                    omit_none=True, examples=(["forestry"],),
                    description="the credit categories it may buy (e.g. forestry, as the "
                                "high court steers defendants to forestry sinks); none: any",
                    like=Shape(type="list", max_length=8, items=(Shape(type="text",
                                                                       max_length=24),)))


def _one_measure(values: dict[str, Any], data: Mapping[str, Any]) -> None:
    if (values["compensation_fen"] > 0) == (values["tonnes"] > 0):
        raise InvalidInput("order the compensation either in money (compensation_fen) or in "
                           "tonnes CO2e (tonnes), one of them", field="compensation_fen")


def _deadline_after_judgment(values: dict[str, Any], data: Mapping[str, Any]) -> None:
    if as_date(values["deadline"]) < as_date(values["judgment_date"]):
        raise InvalidInput("the deadline comes before the judgment", field="deadline")


@dataclass(frozen=True, slots=True, kw_only=True)
class CreateCase(Command):
    """A court enters a judgment whose compensation is to be carried out in credits."""

    kind: ClassVar[str] = "create_case"
    court: str = declare(Ref(prefix="P", description="the court's party"))
    number: str = declare(Custom(parser=_case_number, examples=("（2023）渝0102刑初123号",),
                                 like=Shape(type="text", max_length=64)))
    cause: str = declare(Text(max_len=200, description="e.g. 滥伐林木罪"))
    defendants: tuple[Defendant, ...] = declare(Custom(
        parser=_defendants, to_json=lambda ds: [d.to_payload() for d in ds],
        like=Shape(type="list", min_length=1, max_length=MAX_DEFENDANTS,
                   items=(record_shape(Defendant, "Defendant"),))))
    judgment_date: str = declare(Day())
    compensation_fen: int = declare(Whole(lo=0, hi=MAX_MONEY, required=False, absent=0,
                                          description="the money ordered, fen"), 0)
    tonnes: int = declare(Whole(lo=0, hi=MAX_TONNES, required=False, absent=0,
                                description="the tonnes CO2e ordered"), 0)
    deadline: str = declare(Day())
    restoration: str = declare(LongText(max_len=2000, required=False), "")
    asset: str = declare(AssetCode(examples=("CQCER",)))
    categories: tuple[str, ...] | None = declare(CATEGORIES, None)
    cap_price: int = declare(Whole(lo=1, hi=MAX_PRICE, description="fen per unit at most"))
    refund_account: str = declare(Ref(prefix="A", description="where money left over goes"))
    # (absent from entries journaled before it existed)
    project: str | None = declare(Matching(
        pattern=PROJECT_RE, message="project must look like CQ0001", required=False,
        nullable=True, omit_none=True, examples=("CQ0012",),
        description="credits of this project only, bought from it bilaterally"), None)

    checks = (_one_measure, _deadline_after_judgment)


def _some_change(values: dict[str, Any], data: Mapping[str, Any]) -> None:
    changes = ("compensation_fen", "tonnes", "deadline", "cap_price", "categories")
    if all(values[k] is None for k in changes):
        raise InvalidInput(f"an amendment changes at least one of {', '.join(changes)}",
                           field="reason")


@dataclass(frozen=True, slots=True, kw_only=True)
class AmendCase(Command):
    """A later ruling amends the order; every change is journaled with its reason."""

    kind: ClassVar[str] = "amend_case"
    case: str = declare(CaseRef())
    compensation_fen: int | None = declare(Whole(lo=1, hi=MAX_MONEY, required=False,
                                                 nullable=True, omit_none=True), None)
    tonnes: int | None = declare(Whole(lo=1, hi=MAX_TONNES, required=False, nullable=True,
                                       omit_none=True), None)
    deadline: str | None = declare(Day(required=False, nullable=True, omit_none=True), None)
    cap_price: int | None = declare(Whole(lo=1, hi=MAX_PRICE, required=False, nullable=True,
                                          omit_none=True), None)
    categories: tuple[str, ...] | None = declare(CATEGORIES, None)
    reason: str = declare(Text(max_len=500, description="the ruling that amends the order"))

    checks = (_some_change,)


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordPayment(Command):
    """Money for a case arrived in the court's escrow account (its bank reference counts
    once, across every case)."""

    kind: ClassVar[str] = "record_payment"
    case: str = declare(CaseRef())
    reference: str = declare(Text(max_len=64, description="the bank's payment reference"))
    amount: int = declare(Quantity(description="fen"))
    payer: str = declare(Text(max_len=100, required=False), "")


@dataclass(frozen=True, slots=True, kw_only=True)
class PurchaseForCase(Command):
    """Buy credits for a case on the market now, at the best prices up to a limit within the
    court's cap; what is not offered within the limit is not bought (buy again another day)."""

    kind: ClassVar[str] = "purchase_for_case"
    case: str = declare(CaseRef())
    instrument: str = declare(Matching(pattern=INSTRUMENT_RE, max_len=24,
                                       message="instrument must look like CQCER-FOREST",
                                       examples=("CQCER",)))
    quantity: int = declare(Quantity(description="units at most"))
    limit_price: int = declare(Whole(lo=1, hi=MAX_PRICE, description="fen per unit at most"))


@dataclass(frozen=True, slots=True, kw_only=True)
class RetireForCase(Command):
    """Retire every credit bought for the case, for 以碳代偿, with the case number as reference."""

    kind: ClassVar[str] = "retire_for_case"
    case: str = declare(CaseRef())


@dataclass(frozen=True, slots=True, kw_only=True)
class CloseCase(Command):
    """执结: the case is carried out; money left over is refunded to the refund account."""

    kind: ClassVar[str] = "close_case"
    case: str = declare(CaseRef())
    note: str = declare(Text(max_len=500, required=False), "")


def _ranges(data: Mapping[str, Any], key: str) -> tuple[SerialRange, ...]:
    ranges = serial_ranges(data, key)
    if ranges is None:
        raise InvalidInput("ranges lists the [start, end] serials offered", field=key)
    return ranges


@dataclass(frozen=True, slots=True, kw_only=True)
class OfferToCase(Command):
    """A seller offers named serials to a case at a price (a bilateral purchase, e.g. of the
    project the order names); the court accepts it or lets it lie."""

    kind: ClassVar[str] = "offer_to_case"
    case: str = declare(CaseRef())
    account: str = declare(Ref(prefix="A", description="the seller's account"))
    ranges: tuple[SerialRange, ...] = declare(Custom(
        parser=_ranges, like=RANGE_SHAPE, to_json=lambda rs: [r.to_payload() for r in rs],
        description="the [start, end] serials offered, each within one issuance"))
    price: int = declare(Whole(lo=1, hi=MAX_PRICE, description="fen per unit"))


@dataclass(frozen=True, slots=True, kw_only=True)
class AcceptOffer(Command):
    """The court accepts an offer: the serials move to the case's account and the case's
    money to the seller, in one journal entry."""

    kind: ClassVar[str] = "accept_offer"
    case: str = declare(CaseRef())
    offer: str = declare(Matching(pattern=OFFER_ID_RE, message="offer must look like JO000001",
                                  examples=("JO000001",)))


JUDICIAL_COMMANDS: tuple[type[Command], ...] = (CreateCase, AmendCase, RecordPayment,
                                                 PurchaseForCase, RetireForCase, CloseCase,
                                                 OfferToCase, AcceptOffer)
