"""Appraising a forestry project's expected carbon income (and revaluing a loan's
collateral): the stands go through the forest-carbon science (a seeded Monte Carlo, so a
replay gives the same figures), the yearly removals become credits after the buffer, and the
valuation prices them under three scenarios. Check first, then do."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from qingshan.errors import InvalidInput
from qingshan.ledger.domain.effects import Effects
from qingshan.ledger.domain.model import Principal
from qingshan.ledger.domain.parsing import journal_day
from qingshan.lending import valuation
from qingshan.lending.commands import AppraiseCollateral
from qingshan.lending.directory import ProjectTerms
from qingshan.lending.errors import LoanState, NoPrice
from qingshan.lending.model import (
    BPS,
    M2_PER_HA,
    AlertKind,
    Appraisal,
    Loan,
    LoanStatus,
    Reason,
    Scenario,
    StandRow,
)
from qingshan.lending.state import LendingState
from qingshan.science import forest

EPOCH = date(1970, 1, 1)
BASES = ("p50", "p90")
MARKET_BASIS = "market 365-day average"


def epoch_day(d: date) -> int:
    return (d - EPOCH).days


def yearly_credits(removals: list[float], buffer_percent: int) -> tuple[int, ...]:
    """Each year's credits to the owner: the removals rounded down, less the buffer rounded
    up (nothing in a year of net loss)."""
    return tuple(forest.issuable_credits(max(0.0, r), buffer_percent)[0] for r in removals)


DAYS_A_YEAR = 365.25


def years_between(since: str, day: date) -> float:
    """Years from ``since`` to ``day`` (negative if ``day`` is earlier): stands grow every
    day, not on their anniversaries."""
    return (day - date.fromisoformat(since)).days / DAYS_A_YEAR


def project_stands(rows: tuple[StandRow, ...], grown: float = 0.0) -> list[forest.Stand]:
    """The science's stands of ``rows``, ``grown`` years older than the rows say (never
    younger than 0)."""
    return [forest.Stand(id=f"s{i}", group=r.group, area_ha=r.area_m2 / M2_PER_HA,
                         age=max(0.0, r.age + grown), site_factor=r.site_bps / BPS,
                         stocking=r.stocking_bps / BPS)
            for i, r in enumerate(rows, start=1)]


def units_held(lend: LendingState, terms: ProjectTerms) -> int:
    """The project's units in its account now: free ones and those its loans pledge."""
    free = sum(r.quantity for i in lend.ledger.issuances_of(terms.id)
               for r in lend.ledger.active_ranges(terms.account, i.asset, i.serials.start,
                                                  i.serials.end))
    return free + sum(ln.pledged for ln in lend.active_loans_of(terms.id))


def market_price(lend: LendingState, asset: str, today: date) -> int | None:
    """The volume-weighted average price of the asset's trades over the last 365 days."""
    last = epoch_day(today)
    return lend.prices.average_price(asset, last - 364, last)


def price_today(lend: LendingState, cmd: AppraiseCollateral, asset: str,
                today: date) -> tuple[int, str]:
    if cmd.price:
        return cmd.price, "given"
    avg = market_price(lend, asset, today)
    if avg is None:
        raise NoPrice("no price given and no trade of the asset in the last 365 days",
                      asset=asset, field="price")
    return avg, MARKET_BASIS


@dataclass(frozen=True, slots=True, kw_only=True)
class Inputs:
    """What a valuation is computed from besides the project and the day: the bank's choices
    and the stands (their ages as of ``stands_day``)."""

    stands: tuple[StandRow, ...]
    stands_day: str
    horizon: int
    draws: int
    seed: int
    price: int
    price_basis: str
    stress_bps: int
    discount_bps: int
    ltv_bps: int
    scenario: Scenario


def value(lend: LendingState, terms: ProjectTerms, inputs: Inputs, today: date,
          seq: int) -> dict[str, Any]:
    """An appraisal's results: the stands grown to ``today`` projected by the forest science
    (a seeded Monte Carlo, less the baseline removals the project's validation fixed — under
    rules 2; rules 1 subtracted none), each
    year's credits after the buffer (none after the crediting period), the six present
    values, the collateral and the ceiling."""
    trend = valuation.observed_trend(lend.prices.yearly_prices(terms.asset, epoch_day(today)))
    grown = max(0.0, years_between(inputs.stands_day, today))
    baseline = terms.baseline_per_year if lend.rules(seq) == 2 else "0"
    projection = forest.monte_carlo(project_stands(inputs.stands, grown), inputs.horizon,
                                    inputs.draws, inputs.seed,
                                    baseline_per_year=float(baseline))
    # no credit is issued after the crediting period: its years count nothing
    within = max(0, date.fromisoformat(terms.crediting_end).year - today.year)
    credits = {b: tuple(c if t <= within else 0 for t, c in enumerate(yearly_credits(
        [float(x) for x in getattr(projection, b)], terms.buffer_percent), start=1))
        for b in ("p10", "p50", "p90")}
    existing = units_held(lend, terms)
    values = tuple((s.value, b, valuation.scenario_value(
        s, credits[b], existing, inputs.price, trend_bps=trend,
        stress_bps=inputs.stress_bps, discount_bps=inputs.discount_bps))
        for s in Scenario for b in BASES)
    collateral = next(v for s, b, v in values if s == inputs.scenario.value and b == "p90")
    return {"parameter_set": forest.PARAMETER_SET, "buffer_percent": terms.buffer_percent,
            "trend_bps": trend, "existing_units": existing, "p10": credits["p10"],
            "p50": credits["p50"], "p90": credits["p90"], "values": values,
            "collateral": collateral, "baseline_per_year": baseline,
            "ceiling": valuation.ceiling(collateral, inputs.ltv_bps)}


def record(lend: LendingState, terms: ProjectTerms, inputs: Inputs, *, bank: str,
           reason: Reason, loan: Loan | None, today: date, seq: int,
           note: str = "") -> tuple[Appraisal, dict[str, object]]:
    """Value and keep an appraisal; with ``loan``, it becomes the loan's latest and the
    covenant is tested (a ``covenant_breach`` alert when broken)."""
    vid = lend.next_id("appraisal", "VA")
    appraisal = Appraisal(id=vid, project=terms.id, bank=bank, day=today.isoformat(),
                          reason=reason, loan=None if loan is None else loan.id,
                          stands=inputs.stands, stands_day=inputs.stands_day,
                          horizon=inputs.horizon, draws=inputs.draws, seed=inputs.seed,
                          price=inputs.price, price_basis=inputs.price_basis,
                          stress_bps=inputs.stress_bps, discount_bps=inputs.discount_bps,
                          ltv_bps=inputs.ltv_bps, scenario=inputs.scenario, note=note[:500],
                          seq=seq, **value(lend, terms, inputs, today, seq))
    lend.put("appraisals", vid, appraisal)
    result: dict[str, object] = {"appraisal": vid, "collateral": appraisal.collateral,
                                 "ceiling": appraisal.ceiling}
    if loan is not None:
        ratio = valuation.ltv_bps(loan.outstanding, appraisal.collateral)
        loan = lend.put_loan(loan, seq, latest_appraisal=vid)
        result["ltv_bps"] = ratio
        if ratio > loan.max_ltv_bps:
            lend.alert(loan, AlertKind.COVENANT_BREACH, today.isoformat(),
                       f"outstanding {loan.outstanding} fen is {ratio / 100:.2f} % of the "
                       f"collateral {appraisal.collateral} fen (covenant "
                       f"{loan.max_ltv_bps / 100:.2f} %)", seq)
            result["breach"] = True
    return appraisal, result


def appraise_collateral(lend: LendingState, cmd: AppraiseCollateral, actor: Principal,
                        seq: int) -> Effects:
    lend.check_bank(actor, cmd.bank)
    terms = lend.forestry_project(cmd.project)
    loan = None
    if cmd.loan is not None:
        loan = lend.loan(cmd.loan)
        lend.check_status(loan, LoanStatus.ACTIVE)
        if loan.project != cmd.project or loan.bank != cmd.bank:
            raise LoanState("a loan is revalued by its bank, on its project", loan=loan.id,
                            field="loan")
    today = journal_day(lend.clock())
    if cmd.stands_day is not None and cmd.stands_day > today.isoformat():
        raise InvalidInput("the stands' day is after today: an inventory is of a day that has "
                           "come", field="stands_day", value=cmd.stands_day,
                           today=today.isoformat())
    price, basis = price_today(lend, cmd, terms.asset, today)
    inputs = Inputs(stands=cmd.stands, stands_day=cmd.stands_day or today.isoformat(),
                    horizon=cmd.horizon,
                    draws=cmd.draws, seed=cmd.seed, price=price, price_basis=basis,
                    stress_bps=cmd.stress_bps, discount_bps=cmd.discount_bps,
                    ltv_bps=cmd.ltv_bps, scenario=cmd.scenario)
    appraisal, result = record(lend, terms, inputs, bank=cmd.bank, reason=cmd.reason,
                               loan=loan, today=today, seq=seq)
    if loan is not None and cmd.reason is Reason.DISTURBANCE:
        lend.alert(loan, AlertKind.DISTURBANCE, today.isoformat(),
                   f"revalued after a disturbance: collateral {appraisal.collateral} fen", seq)
    return Effects(result)


def is_current(appraisal: Appraisal, today: date, valid_days: int) -> bool:
    return date.fromisoformat(appraisal.day) + timedelta(days=valid_days) >= today
