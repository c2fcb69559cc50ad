"""Appraising a forestry project's expected carbon income (and revaluing a loan's
collateral): the stands go through the forest-carbon science (a seeded Monte Carlo, so a
replay gives the same figures), the yearly removals become credits after the buffer, and the
valuation prices them under three scenarios. Check first, then do."""

from __future__ import annotations

from datetime import date, timedelta

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
    LoanStatus,
    Reason,
    Scenario,
    StandRow,
)
from qingshan.lending.state import LendingState
from qingshan.science import forest

EPOCH = date(1970, 1, 1)
BASES = ("p50", "p90")


def epoch_day(d: date) -> int:
    return (d - EPOCH).days


def yearly_credits(removals: list[float], buffer_percent: int) -> tuple[int, ...]:
    """Each year's credits to the owner: the removals rounded down, less the buffer rounded
    up (nothing in a year of net loss)."""
    return tuple(forest.issuable_credits(max(0.0, r), buffer_percent)[0] for r in removals)


def project_stands(rows: tuple[StandRow, ...]) -> list[forest.Stand]:
    return [forest.Stand(id=f"s{i}", group=r.group, area_ha=r.area_m2 / M2_PER_HA,
                         age=float(r.age), site_factor=r.site_bps / BPS)
            for i, r in enumerate(rows, start=1)]


def units_held(lend: LendingState, terms: ProjectTerms) -> int:
    """The project's units in its account now: free ones and those its loans pledge."""
    free = sum(r.quantity for i in lend.ledger.issuances_of(terms.id)
               for r in lend.ledger.active_ranges(terms.account, i.asset, i.serials.start,
                                                  i.serials.end))
    return free + sum(ln.pledged for ln in lend.active_loans_of(terms.id))


def price_today(lend: LendingState, cmd: AppraiseCollateral, asset: str,
                today: date) -> tuple[int, str]:
    if cmd.price:
        return cmd.price, "given"
    last = epoch_day(today)
    avg = lend.prices.average_price(asset, last - 364, last)
    if avg is None:
        raise NoPrice("no price given and no trade of the asset in the last 365 days",
                      asset=asset, field="price")
    return avg, "market 365-day average"


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
    price, basis = price_today(lend, cmd, terms.asset, today)
    trend = valuation.observed_trend(lend.prices.yearly_prices(terms.asset, epoch_day(today)))
    projection = forest.monte_carlo(project_stands(cmd.stands), cmd.horizon, cmd.draws,
                                    cmd.seed)
    # no credit is issued after the crediting period: its years count nothing
    within = max(0, date.fromisoformat(terms.crediting_end).year - today.year)
    credits = {b: tuple(c if t <= within else 0 for t, c in enumerate(yearly_credits(
        [float(x) for x in getattr(projection, b)], terms.buffer_percent), start=1))
        for b in ("p10", "p50", "p90")}
    existing = units_held(lend, terms)
    values = tuple((s.value, b, valuation.scenario_value(
        s, credits[b], existing, price, trend_bps=trend, stress_bps=cmd.stress_bps,
        discount_bps=cmd.discount_bps)) for s in Scenario for b in BASES)
    collateral = next(v for s, b, v in values if s == cmd.scenario.value and b == "p90")
    vid = lend.next_id("appraisal", "VA")
    appraisal = Appraisal(
        id=vid, project=cmd.project, bank=cmd.bank, day=today.isoformat(), reason=cmd.reason,
        loan=cmd.loan, parameter_set=forest.PARAMETER_SET, stands=cmd.stands,
        horizon=cmd.horizon, draws=cmd.draws, seed=cmd.seed,
        buffer_percent=terms.buffer_percent, price=price, price_basis=basis, trend_bps=trend,
        stress_bps=cmd.stress_bps, discount_bps=cmd.discount_bps, ltv_bps=cmd.ltv_bps,
        scenario=cmd.scenario, existing_units=existing, p10=credits["p10"], p50=credits["p50"],
        p90=credits["p90"], values=values, collateral=collateral,
        ceiling=valuation.ceiling(collateral, cmd.ltv_bps), seq=seq)
    lend.put("appraisals", vid, appraisal)
    result: dict[str, object] = {"appraisal": vid, "collateral": collateral,
                                 "ceiling": appraisal.ceiling}
    if loan is not None:
        ratio = valuation.ltv_bps(loan.outstanding, collateral)
        loan = lend.put_loan(loan, seq, latest_appraisal=vid)
        result["ltv_bps"] = ratio
        if ratio > loan.max_ltv_bps:
            lend.alert(loan, AlertKind.COVENANT_BREACH, today.isoformat(),
                       f"outstanding {loan.outstanding} fen is {ratio / 100:.2f} % of the "
                       f"collateral {collateral} fen (covenant {loan.max_ltv_bps / 100:.2f} %)",
                       seq)
            result["breach"] = True
        if cmd.reason is Reason.DISTURBANCE:
            lend.alert(loan, AlertKind.DISTURBANCE, today.isoformat(),
                       f"revalued after a disturbance: collateral {collateral} fen", seq)
    return Effects(result)


def is_current(appraisal: Appraisal, today: date, valid_days: int) -> bool:
    return date.fromisoformat(appraisal.day) + timedelta(days=valid_days) >= today
