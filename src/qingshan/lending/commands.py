"""Pledge loans' commands, each declared once (qingshan.ledger.domain.definition): the parser,
the journal form and the request body come from these definitions."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from qingshan.errors import InvalidInput
from qingshan.ledger.domain.commands import Command
from qingshan.ledger.domain.definition import (
    Choice,
    Custom,
    Day,
    Declared,
    Matching,
    Ref,
    Shape,
    Text,
    Whole,
    declare,
    declared_rows,
    record_shape,
)
from qingshan.ledger.domain.parsing import as_date
from qingshan.lending.model import (
    APPRAISAL_ID_RE,
    BPS,
    DISTRICT_RE,
    LINE_ID_RE,
    LOAN_ID_RE,
    PROJECT_RE,
    Reason,
    Repayment,
    Scenario,
    StandRow,
)

MAX_STANDS = 1_000
MAX_MONEY = 10**13  # fen: 100 billion yuan
MAX_PRICE = 10**8  # fen per tonne: 1 million yuan
MAX_DRAWS = 10_000
MAX_HORIZON = 60
INSTRUMENT_RE = re.compile(r"^[A-Z][A-Z0-9-]{1,23}$")  # the market's instrument ids


def LoanRef(**kw: Any) -> Matching:
    return Matching(pattern=LOAN_ID_RE, message="loan must look like LN000001",
                    examples=("LN000001",), **kw)


def ProjectRef(**kw: Any) -> Matching:
    return Matching(pattern=PROJECT_RE, message="project must look like CQ0001",
                    examples=("CQ0012",), **kw)


def _stands(data: Mapping[str, Any], key: str) -> tuple[StandRow, ...]:
    return declared_rows(StandRow, data, key, most=MAX_STANDS, noun="stands",
                         fields="group, area_m2, age, site_bps")


def _line_period(values: dict[str, Any], data: Mapping[str, Any]) -> None:
    if as_date(values["end"]) <= as_date(values["start"]):
        raise InvalidInput("a credit line ends after it starts", field="end")


@dataclass(frozen=True, slots=True, kw_only=True)
class OpenCreditLine(Command):
    """A bank grants a district a credit line for forestry carbon-sink loans (e.g. 50 M yuan
    to 武隆 for 8 years): loans to the district's projects draw on it."""

    kind: ClassVar[str] = "open_credit_line"
    bank: str = declare(Ref(prefix="P", description="the bank's party"))
    district: str = declare(Matching(pattern=DISTRICT_RE,
                                     message="district is a Chongqing GB/T 2260 code such as "
                                             "500156", examples=("500156",)))
    limit: int = declare(Whole(lo=1, hi=MAX_MONEY, description="fen"))
    start: str = declare(Day())
    end: str = declare(Day())
    note: str = declare(Text(max_len=300, required=False, absent=""), "")

    checks = (_line_period,)


@dataclass(frozen=True, slots=True, kw_only=True)
class AppraiseCollateral(Command):
    """A bank values a forestry project's expected carbon income from its stand inventory:
    a Monte Carlo projection of the removals (qingshan.science.forest), the credits after
    the buffer, three price scenarios and a discount rate; the loan ceiling is the
    conservative (P90) value under the chosen scenario × the loan-to-value ratio. With
    ``loan``, a revaluation of that loan's collateral and its covenant test."""

    kind: ClassVar[str] = "appraise_collateral"
    project: str = declare(ProjectRef())
    bank: str = declare(Ref(prefix="P", description="the bank's party"))
    loan: str | None = declare(LoanRef(required=False, nullable=True, omit_none=True), None)
    reason: Reason = declare(Choice(kind=Reason, required=False, absent=Reason.INITIAL),
                             Reason.INITIAL)
    stands: tuple[StandRow, ...] = declare(Custom(
        parser=_stands, to_json=lambda rows: [r.to_payload() for r in rows],
        like=Shape(type="list", min_length=1, max_length=MAX_STANDS,
                   items=(record_shape(StandRow, "StandRow"),))))
    stands_day: str | None = declare(Day(required=False, nullable=True, omit_none=True,
                                         description="the day the stands' ages are of (the "
                                                     "inventory's); absent: today"), None)
    horizon: int = declare(Whole(lo=1, hi=MAX_HORIZON, description="years projected"))
    draws: int = declare(Whole(lo=100, hi=MAX_DRAWS, required=False, absent=2_000,
                               description="Monte Carlo draws"), 2_000)
    seed: int = declare(Whole(lo=0, hi=2**31 - 1, required=False, absent=0), 0)
    price: int = declare(Whole(lo=0, hi=MAX_PRICE, required=False, absent=0,
                               description="fen per tonne; 0: the market's 365-day average"),
                         0)
    stress_bps: int = declare(Whole(lo=0, hi=9_000, required=False, absent=5_000,
                                    description="the stress case's price haircut"), 5_000)
    discount_bps: int = declare(Whole(lo=0, hi=5_000, description="a year"))
    ltv_bps: int = declare(Whole(lo=1, hi=BPS, description="the bank's loan-to-value ratio"))
    scenario: Scenario = declare(Choice(kind=Scenario, required=False, absent=Scenario.FLAT),
                                 Scenario.FLAT)


@dataclass(frozen=True, slots=True, kw_only=True)
class GrantLoan(Command):
    """A bank lends against a registered forestry project on its latest appraisal: the
    project's units in its account are pledged to the bank now, and every later issuance
    into that account as it is issued, until the loan is repaid or enforced."""

    kind: ClassVar[str] = "grant_loan"
    bank: str = declare(Ref(prefix="P"))
    project: str = declare(ProjectRef())
    appraisal: str = declare(Matching(pattern=APPRAISAL_ID_RE,
                                      message="appraisal must look like VA000001",
                                      examples=("VA000001",)))
    principal: int = declare(Whole(lo=1, hi=MAX_MONEY, description="fen"))
    rate_bps: int = declare(Whole(lo=0, hi=3_600, description="a year"))
    term_months: int = declare(Whole(lo=1, hi=360))
    repayment: Repayment = declare(Choice(kind=Repayment))
    max_ltv_bps: int = declare(Whole(lo=1, hi=BPS, description="the covenant: outstanding "
                                                                "principal over the latest "
                                                                "collateral value"))
    line: str | None = declare(Matching(pattern=LINE_ID_RE,
                                        message="line must look like CL000001",
                                        required=False, nullable=True, omit_none=True,
                                        examples=("CL000001",)), None)


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordRepayment(Command):
    """The bank records what the borrower paid (the money moves in the bank's own books):
    principal and interest. When the principal is repaid in full the pledges are released
    in the same entry."""

    kind: ClassVar[str] = "record_repayment"
    loan: str = declare(LoanRef())
    principal: int = declare(Whole(lo=0, hi=MAX_MONEY, description="fen"))
    interest: int = declare(Whole(lo=0, hi=MAX_MONEY, description="fen"))

    @classmethod
    def check(cls, values: dict[str, Any], data: Mapping[str, Any]) -> None:
        if values["principal"] == 0 and values["interest"] == 0:
            raise InvalidInput("a repayment pays something", field="principal")


@dataclass(frozen=True, slots=True, kw_only=True)
class AuctionTerms(Declared):
    """How enforced units are sold: a one-way auction (单向竞价) on an instrument of theirs."""

    instrument: str = declare(Matching(pattern=INSTRUMENT_RE,
                                       message="instrument must look like CQCER-ALL",
                                       examples=("CQCER-ALL",)))
    reserve_price: int = declare(Whole(lo=1, hi=MAX_PRICE, description="fen per unit"))
    days: int = declare(Whole(lo=1, hi=30, description="how long the auction runs"))


def _auction(data: Mapping[str, Any], key: str) -> AuctionTerms | None:
    raw = data.get(key)
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        raise InvalidInput("auction is {instrument, reserve_price, days}", field=key)
    return AuctionTerms.from_payload(raw)


@dataclass(frozen=True, slots=True, kw_only=True)
class EnforcePledge(Command):
    """The loan is in default (principal past due and unpaid): the bank enforces its pledge,
    every pledged unit moving to the bank's account, and the loan is closed as enforced;
    with ``auction``, the units (in whole lots) are offered at once in a one-way auction."""

    kind: ClassVar[str] = "enforce_pledge"
    loan: str = declare(LoanRef())
    account: str = declare(Ref(prefix="A", description="the bank's account"))
    note: str = declare(Text(max_len=300, description="e.g. the default notice"))
    # (absent from entries journaled before it existed)
    auction: AuctionTerms | None = declare(Custom(
        parser=_auction, to_json=lambda a: a.to_payload(), required=False, nullable=True,
        omit_none=True, like=record_shape(AuctionTerms, "AuctionTerms"),
        examples=({"instrument": "CQCER-ALL", "reserve_price": 2500, "days": 5},)), None)


LENDING_COMMANDS: tuple[type[Command], ...] = (
    OpenCreditLine, AppraiseCollateral, GrantLoan, RecordRepayment, EnforcePledge)
