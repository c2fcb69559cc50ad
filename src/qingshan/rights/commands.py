"""Resource rights' commands, each declared once (qingshan.ledger.domain.definition): the
parser, the journal form and the request body come from these definitions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from qingshan.errors import InvalidInput
from qingshan.ledger.domain.commands import Command
from qingshan.ledger.domain.definition import (
    Choice,
    Custom,
    Day,
    Flag,
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
from qingshan.ledger.domain.parsing import as_date
from qingshan.rights.model import (
    BPS,
    CONTRACT_ID_RE,
    RESTORATION_ID_RE,
    IndicatorKind,
    RightUse,
    SiteKind,
    TrancheTerms,
)

MAX_TRANCHES = 20
MAX_UNITS = 10**9  # mu or section-years
MAX_PRICE = 10**10  # fen per unit
MAX_MONEY = 10**13
FIRST_YEAR, LAST_YEAR = 2000, 2100


def ContractRef(**kw: Any) -> Matching:
    return Matching(pattern=CONTRACT_ID_RE, message="contract must look like RC000001",
                    examples=("RC000001",), **kw)


def RestorationRef(**kw: Any) -> Matching:
    return Matching(pattern=RESTORATION_ID_RE, message="restoration must look like RR000001",
                    examples=("RR000001",), **kw)


YEAR = Whole(lo=FIRST_YEAR, hi=LAST_YEAR, examples=(2024,),
             message=f"year must be a year from {FIRST_YEAR} to {LAST_YEAR}")
KIND = Choice(kind=IndicatorKind, examples=("forest_area",))


@dataclass(frozen=True, slots=True, kw_only=True)
class SetIndicatorFloor(Command):
    """The operator sets the lowest unit price a contract for an indicator may state (the
    administered price of the 2018 scheme for forest area)."""

    kind: ClassVar[str] = "set_indicator_floor"
    indicator: IndicatorKind = declare(KIND)
    price: int = declare(Whole(lo=0, hi=MAX_PRICE, description="fen per unit"))


def _amount_within_basis(values: dict[str, Any], data: Mapping[str, Any]) -> None:
    if values["amount"] > values["basis"]:
        raise InvalidInput("the amount cannot exceed its basis (forest larger than the land)",
                           field="amount")


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordMeasurement(Command):
    """The forestry authority records what it verified of a district for a year (forest mu
    and land mu with the target coverage; greening; river sections at their target class).
    A later record of the same year replaces it, journaled."""

    kind: ClassVar[str] = "record_measurement"
    district: str = declare(Ref(prefix="P", description="the district's party"))
    indicator: IndicatorKind = declare(KIND)
    year: int = declare(YEAR)
    amount: int = declare(Whole(lo=0, hi=MAX_UNITS, description="forest mu, greening mu or "
                                                                 "sections at target class"))
    basis: int = declare(Whole(lo=1, hi=MAX_UNITS, description="land mu, built-up mu or "
                                                               "sections monitored"))
    target_bps: int = declare(Whole(lo=0, hi=BPS, description="the target share, basis points"))
    source: str = declare(Text(max_len=300, description="the survey or report it comes from"))

    checks = (_amount_within_basis,)


@dataclass(frozen=True, slots=True, kw_only=True)
class IssueIndicators(Command):
    """Issue indicators to a district for verified amount above its target (never more than
    its surplus, counting every indicator issued to it and its predecessors before)."""

    kind: ClassVar[str] = "issue_indicators"
    district: str = declare(Ref(prefix="P"))
    indicator: IndicatorKind = declare(KIND)
    year: int = declare(YEAR)
    quantity: int = declare(Quantity(description="units"))
    account: str = declare(Ref(prefix="A", description="the district's account"))


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordSuccession(Command):
    """A district is abolished and another inherits its obligations and assets: its contracts
    pass to the successor and its indicators move to the successor's account."""

    kind: ClassVar[str] = "record_succession"
    predecessor: str = declare(Ref(prefix="P"))
    successor: str = declare(Ref(prefix="P"))
    effective: str = declare(Day())
    account: str = declare(Ref(prefix="A", description="the successor's account"))
    note: str = declare(Text(max_len=300, description="the decision, e.g. 渝府发〔2025〕15号"))

    @classmethod
    def check(cls, values: dict[str, Any], data: Mapping[str, Any]) -> None:
        if values["predecessor"] == values["successor"]:
            raise InvalidInput("a district does not succeed itself", field="successor")


def _tranches(data: Mapping[str, Any], key: str) -> tuple[TrancheTerms, ...]:
    out = declared_rows(TrancheTerms, data, key, most=MAX_TRANCHES, noun="tranches",
                        fields="quantity, due")
    if [t.due for t in out] != sorted(t.due for t in out):
        raise InvalidInput("tranches come in the order they are due", field=key)
    return out


def _tranches_add_up(values: dict[str, Any], data: Mapping[str, Any]) -> None:
    total = sum(t.quantity for t in values["tranches"])
    if total != values["quantity"]:
        raise InvalidInput(f"the tranches add up to {total}, the contract to "
                           f"{values['quantity']}", field="tranches")
    if values["quantity"] * values["unit_price"] > MAX_MONEY:
        raise InvalidInput("the contract's value is out of range", field="unit_price")
    if as_date(values["tranches"][0].due) < as_date(values["signed_on"]):
        raise InvalidInput("a tranche falls due before the contract is signed",
                           field="tranches")
    if values["seller"] == values["buyer"]:
        raise InvalidInput("a district does not contract with itself", field="buyer")


@dataclass(frozen=True, slots=True, kw_only=True)
class ProposeContract(Command):
    """The selling district signs a contract (协议书) with a buying district: quantity, unit
    price (not under the floor), tranches, years of upkeep owed and the monitoring duties."""

    kind: ClassVar[str] = "propose_contract"
    indicator: IndicatorKind = declare(KIND)
    seller: str = declare(Ref(prefix="P"))
    buyer: str = declare(Ref(prefix="P"))
    quantity: int = declare(Quantity(description="units"))
    unit_price: int = declare(Whole(lo=1, hi=MAX_PRICE, description="fen per unit"))
    tranches: tuple[TrancheTerms, ...] = declare(Custom(
        parser=_tranches, to_json=lambda ts: [t.to_payload() for t in ts],
        like=Shape(type="list", min_length=1, max_length=MAX_TRANCHES,
                   items=(record_shape(TrancheTerms, "TrancheTerms"),))))
    maintenance_years: int = declare(Whole(lo=1, hi=70, description="years of upkeep owed"))
    duties: str = declare(LongText(max_len=2000, description="rangers, stakes and signs, "
                                                             "monitoring"))
    signed_on: str = declare(Day())
    seller_account: str = declare(Ref(prefix="A", description="gives the indicators, receives "
                                                              "the money"))

    checks = (_tranches_add_up,)


@dataclass(frozen=True, slots=True, kw_only=True)
class AgreeContract(Command):
    """The buying district countersigns, naming the account that pays and receives."""

    kind: ClassVar[str] = "agree_contract"
    contract: str = declare(ContractRef())
    buyer_account: str = declare(Ref(prefix="A"))


@dataclass(frozen=True, slots=True, kw_only=True)
class ApproveContract(Command):
    """The operator approves: each tranche's indicators and money go into escrow (ledger
    holds on the seller's and the buyer's accounts)."""

    kind: ClassVar[str] = "approve_contract"
    contract: str = declare(ContractRef())


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordTrancheCheck(Command):
    """The forestry authority records a tranche's acceptance check (验收): passed, it may be
    released; failed, it is withheld (indicators back to the seller, money to the buyer)."""

    kind: ClassVar[str] = "record_tranche_check"
    contract: str = declare(ContractRef())
    tranche: int = declare(Whole(lo=1, hi=MAX_TRANCHES, description="1 for the first"))
    passed: bool = declare(Flag())
    report: str = declare(LongText(max_len=2000, description="what the check found"))


@dataclass(frozen=True, slots=True, kw_only=True)
class ReleaseTranche(Command):
    """Release an accepted tranche: its indicators to the buyer, its money to the seller, in
    one journal entry."""

    kind: ClassVar[str] = "release_tranche"
    contract: str = declare(ContractRef())
    tranche: int = declare(Whole(lo=1, hi=MAX_TRANCHES))


@dataclass(frozen=True, slots=True, kw_only=True)
class RegisterRestoration(Command):
    """A restorer registers a restoration project: site, area, plan and the use it means to
    make of the share it may develop."""

    kind: ClassVar[str] = "register_restoration"
    restorer: str = declare(Ref(prefix="P"))
    district: str = declare(Ref(prefix="P", description="the district's party"))
    site_kind: SiteKind = declare(Choice(kind=SiteKind))
    site: str = declare(Text(max_len=200, description="e.g. 中梁山废弃矿山"))
    area_mu: int = declare(Quantity(description="mu to restore"))
    plan: str = declare(LongText(max_len=4000))
    use: RightUse = declare(Choice(kind=RightUse))
    started: str = declare(Day())


def _accepted(values: dict[str, Any], data: Mapping[str, Any]) -> None:
    if values["passed"] and not (values["accepted_mu"] and values["share_bps"]
                                 and values["term_years"] and values["account"]):
        raise InvalidInput("an accepted restoration states accepted_mu, share_bps, term_years "
                           "and the account the right is issued to", field="accepted_mu")


@dataclass(frozen=True, slots=True, kw_only=True)
class AcceptRestoration(Command):
    """The authority's acceptance of a restoration: passed, the restorer earns a
    development-right quota (a share of the accepted area, for a term) on the ledger."""

    kind: ClassVar[str] = "accept_restoration"
    restoration: str = declare(RestorationRef())
    passed: bool = declare(Flag())
    accepted_mu: int = declare(Whole(lo=0, hi=MAX_UNITS, required=False, absent=0), 0)
    share_bps: int = declare(Whole(lo=0, hi=BPS, required=False, absent=0,
                                   description="the share of the accepted area to develop"), 0)
    term_years: int = declare(Whole(lo=0, hi=70, required=False, absent=0), 0)
    account: str | None = declare(Ref(prefix="A", required=False, nullable=True,
                                      omit_none=True), None)
    report: str = declare(LongText(max_len=2000))

    checks = (_accepted,)


@dataclass(frozen=True, slots=True, kw_only=True)
class TransferDevelopmentRight(Command):
    """The holder passes development-right quota to the operator of the eco-business."""

    kind: ClassVar[str] = "transfer_development_right"
    restoration: str = declare(RestorationRef())
    source: str = declare(Ref(prefix="A"))
    destination: str = declare(Ref(prefix="A"))
    quantity: int = declare(Quantity(description="mu"))
    use: RightUse = declare(Choice(kind=RightUse))


@dataclass(frozen=True, slots=True, kw_only=True)
class ReportIncome(Command):
    """The income the business on a development right earned in a year, reported back by its
    holder (e.g. the village collective)."""

    kind: ClassVar[str] = "report_income"
    restoration: str = declare(RestorationRef())
    year: int = declare(YEAR)
    amount: int = declare(Whole(lo=0, hi=MAX_MONEY, description="fen"))
    note: str = declare(Text(max_len=300, required=False), "")


RIGHTS_COMMANDS: tuple[type[Command], ...] = (
    SetIndicatorFloor, RecordMeasurement, IssueIndicators, RecordSuccession, ProposeContract,
    AgreeContract, ApproveContract, RecordTrancheCheck, ReleaseTranche, RegisterRestoration,
    AcceptRestoration, TransferDevelopmentRight, ReportIncome)
