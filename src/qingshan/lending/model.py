"""Pledge loans' values: credit lines, appraisals, loans, repayments and alerts, and the loan's
repayment schedule. Money is in fen and credits in whole tonnes CO2e (integers); areas in
square metres, rates in basis points. Pure: no I/O."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from qingshan.ledger.domain.definition import Choice, Declared, Whole, declare
from qingshan.science.forest import SpeciesGroup

LOAN_ID_RE = re.compile(r"^LN[0-9]{6}$")
APPRAISAL_ID_RE = re.compile(r"^VA[0-9]{6}$")
LINE_ID_RE = re.compile(r"^CL[0-9]{6}$")
DISTRICT_RE = re.compile(r"^50[0-9]{4}$")  # a Chongqing GB/T 2260 code
PROJECT_RE = re.compile(r"^CQ[0-9]{4,6}$")  # the registry's project ids
BPS = 10_000
M2_PER_HA = 10_000
# the longest a bank may lend on one appraisal (docs/lending.md: the guide asks for the
# collateral to be revalued as the forest changes; a year is the platform's rule)
APPRAISAL_VALID_DAYS = 365


class LoanStatus(StrEnum):
    ACTIVE = "active"  # lent; the project's units pledged
    REPAID = "repaid"  # principal repaid in full; the pledges released
    ENFORCED = "enforced"  # defaulted; the pledged units moved to the bank


class Repayment(StrEnum):
    EQUAL_PRINCIPAL = "equal_principal"  # the same principal every year, interest on the rest
    BULLET = "bullet"  # interest every year, the principal at maturity


class Scenario(StrEnum):
    FLAT = "flat"  # today's average price for every year
    TREND = "trend"  # the market's observed yearly trend, carried forward
    STRESS = "stress"  # today's price less the stress haircut, and conservative volumes


class Reason(StrEnum):
    INITIAL = "initial"  # before a loan
    MONITORING = "monitoring"  # a new monitoring result
    PRICE = "price"  # a price move
    DISTURBANCE = "disturbance"  # fire, pests, storm: the stands as they are now
    PERIODIC = "periodic"  # the yearly revaluation


class AlertKind(StrEnum):
    COVENANT_BREACH = "covenant_breach"  # outstanding principal above the LTV covenant
    DISTURBANCE = "disturbance"  # a revaluation after a disturbance
    NEW_PLEDGE = "new_pledge"  # a new issuance of the project pledged to the bank
    DEFAULT = "default"  # the pledge enforced
    REVALUED = "revalued"  # the platform revalued the collateral (monitoring, loss, price)


MAX_AREA_M2 = 10**11  # 10 million ha: larger than any stand
MAX_AGE = 200


@dataclass(frozen=True, slots=True, kw_only=True)
class StandRow(Declared):
    """One stand of an appraisal's inventory (a sub-compartment 小班, or a stratum), as the
    third-party inventory measured it."""

    group: SpeciesGroup = declare(Choice(kind=SpeciesGroup, examples=("fir",)))
    area_m2: int = declare(Whole(lo=1, hi=MAX_AREA_M2, description="square metres"))
    age: int = declare(Whole(lo=0, hi=MAX_AGE, description="years, at the appraisal"))
    site_bps: int = declare(Whole(lo=1_000, hi=30_000, required=False, absent=BPS,
                                  description="the site's yield against the group's curve, "
                                              "basis points (10,000: the curve)"), BPS)
    stocking_bps: int = declare(Whole(lo=1_000, hi=15_000, required=False, absent=BPS,
                                      omit_if=BPS,
                                      description="林分疏密度: the stand's stocking against "
                                                  "the fully stocked stand, basis points "
                                                  "(10,000: fully stocked)"), BPS)


@dataclass(frozen=True, slots=True, kw_only=True)
class CreditLine:
    id: str
    bank: str
    district: str  # GB/T 2260 code
    limit: int  # fen
    start: str
    end: str
    seq: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Appraisal:
    """A valuation of a project's expected carbon income, every input kept with its result so
    that anyone can recompute it (``qingshan.science.forest`` at ``parameter_set``)."""

    id: str
    project: str
    bank: str
    day: str
    reason: Reason
    loan: str | None  # the loan revalued (None: before a loan)
    parameter_set: str
    stands: tuple[StandRow, ...]
    stands_day: str  # the day the stands' ages are of (the inventory's); ages grow from it
    horizon: int  # years
    draws: int
    seed: int
    buffer_percent: int
    price: int  # fen per tonne today
    price_basis: str  # "given" or "market 365-day average"
    trend_bps: int  # a year, the market's
    stress_bps: int
    discount_bps: int
    ltv_bps: int
    scenario: Scenario  # the one the loan ceiling rests on
    existing_units: int  # the project's units in its account now
    p10: tuple[int, ...]  # credits to the owner each year (after the buffer), exceeded
    # with 10 % probability (the optimistic band)
    p50: tuple[int, ...]  # median
    p90: tuple[int, ...]  # exceeded with 90 % probability (the conservative volume)
    values: tuple[tuple[str, str, int], ...]  # (scenario, p50|p90, present value fen)
    collateral: int  # fen: the present value the ceiling rests on (scenario, p90)
    ceiling: int  # fen: collateral × LTV, rounded down
    seq: int
    note: str = ""  # what a revaluation by the platform followed, and what it changed
    baseline_per_year: str = "0"  # tCO2e/yr the projection subtracted (the project's own)

    def value(self, scenario: Scenario, basis: str) -> int:
        return next(v for s, b, v in self.values if s == scenario.value and b == basis)


@dataclass(frozen=True, slots=True, kw_only=True)
class Loan:
    id: str
    bank: str
    borrower: str  # the project's proponent
    project: str
    account: str  # the project's account: its units and later issuances are pledged
    asset: str
    line: str | None
    appraisal: str  # the appraisal it was granted on
    principal: int  # fen
    rate_bps: int  # a year, simple interest on what is outstanding
    start: str
    term_months: int
    repayment: Repayment
    max_ltv_bps: int  # the covenant: outstanding ≤ this share of the latest collateral value
    status: LoanStatus
    repaid: int = 0  # principal repaid, fen
    interest: int = 0  # interest paid, fen
    holds: tuple[str, ...] = ()  # the ledger's loan_pledge holds (active or resolved)
    pledged: int = 0  # units pledged, now and from later issuances
    latest_appraisal: str = ""
    closed: str | None = None
    seq: int
    updated_seq: int

    @property
    def outstanding(self) -> int:
        return self.principal - self.repaid

    @property
    def maturity(self) -> str:
        return add_months(date.fromisoformat(self.start), self.term_months).isoformat()


@dataclass(frozen=True, slots=True, kw_only=True)
class RepaymentRecord:
    id: str
    loan: str
    day: str
    principal: int
    interest: int
    seq: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Alert:
    id: str
    loan: str
    bank: str
    kind: AlertKind
    day: str
    note: str
    seq: int


# ------------------------------------------------------------------------- the schedule
@dataclass(frozen=True, slots=True)
class Instalment:
    due: str
    principal: int  # fen due that day
    interest: int  # fen due that day (on the scheduled outstanding, rounded down)
    outstanding_after: int


def add_months(d: date, months: int) -> date:
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    for day in (d.day, 30, 29, 28):
        try:
            return date(year, month, day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def schedule(principal: int, rate_bps: int, start: str, term_months: int,
             repayment: Repayment) -> tuple[Instalment, ...]:
    """Yearly instalments (the last one at maturity, which may be a part year): equal
    principal (the remainder in the first years, so the whole is repaid) or all at
    maturity; the interest of each period is the outstanding × rate × days / 365, rounded
    down (in the borrower's favour)."""
    begin = date.fromisoformat(start)
    dues: list[date] = []
    months = 12
    while months < term_months:
        dues.append(add_months(begin, months))
        months += 12
    dues.append(add_months(begin, term_months))
    n = len(dues)
    if repayment is Repayment.EQUAL_PRINCIPAL:
        base, extra = divmod(principal, n)
        parts = [base + (1 if i < extra else 0) for i in range(n)]
    else:
        parts = [0] * (n - 1) + [principal]
    out: list[Instalment] = []
    outstanding, previous = principal, begin
    for due, part in zip(dues, parts, strict=True):
        days = (due - previous).days
        interest = outstanding * rate_bps * days // (BPS * 365)
        outstanding -= part
        out.append(Instalment(due.isoformat(), part, interest, outstanding))
        previous = due
    return tuple(out)


def principal_due_by(loan: Loan, day: str) -> int:
    """The principal the schedule asks to have been repaid by ``day`` (inclusive)."""
    return sum(i.principal for i in schedule(loan.principal, loan.rate_bps, loan.start,
                                             loan.term_months, loan.repayment) if i.due <= day)


def overdue(loan: Loan, day: str) -> int:
    """Principal past due and unpaid on ``day`` (0: the loan is current)."""
    if loan.status is not LoanStatus.ACTIVE:
        return 0
    return max(0, principal_due_by(loan, day) - loan.repaid)


def revaluation_reasons(loan: Loan, latest: Appraisal | None, alerts: list[Alert],
                        today: str) -> list[str]:
    """Why the loan's collateral should be revalued now (the guide asks for the collateral
    to be revalued as the forest changes): no appraisal within a year, a new monitoring
    result (an issuance pledged since the latest appraisal), a covenant breached at it."""
    if loan.status is not LoanStatus.ACTIVE:
        return []
    out: list[str] = []
    if latest is None or (date.fromisoformat(today) -
                          date.fromisoformat(latest.day)).days > APPRAISAL_VALID_DAYS:
        out.append("appraisal_older_than_a_year")
    seq = latest.seq if latest else 0
    mine = [a for a in alerts if a.loan == loan.id]
    if any(a.kind is AlertKind.NEW_PLEDGE and a.seq > seq for a in mine):
        out.append("new_monitoring_result")
    if any(a.kind is AlertKind.COVENANT_BREACH and a.seq >= seq for a in mine):
        out.append("covenant_breach")
    return out
