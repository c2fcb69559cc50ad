"""Revaluation by the platform: a loan's collateral follows the forest and the market without
waiting for its bank (the guide asks for the collateral to be revalued as the forest changes).

Three events revalue every active loan they touch, inside the event's own journal entry,
from the loan's latest appraisal (its stands, horizon, draws, seed, rates and scenario):

* **a monitoring result** — an issuance of the project, pledged to the bank as it is issued:
  the stands grown to today and, where the report measured stem volumes by species group
  (CQ-FOREST@3.0), each group's site factors rebased so that its curve gives the volume
  measured at the end of the report's period (``rebase_sites``);
* **a loss** reported to the registry (``report_loss``: fire, pests, harvest): the stands lose
  the share of their area that the loss is of their modelled stock (``after_loss``);
* **a price move** — a trading day's close of an instrument of the loan's asset, when the
  loan's price is the market's: the asset's 365-day average moved by ``PRICE_MOVE_BPS`` or
  more from the latest appraisal's price.

Each is an appraisal of reason ``monitoring``, ``disturbance`` or ``price``, noted with what it
followed and what it changed, a ``revalued`` alert to the bank (and a ``disturbance`` alert
for a loss), and the covenant test (a ``covenant_breach`` alert). None refuses: the event it
follows stands, whatever the collateral is now worth."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from typing import Any

from qingshan.ledger.domain.model import Issuance
from qingshan.ledger.domain.parsing import journal_day
from qingshan.lending.appraisals import (
    MARKET_BASIS,
    Inputs,
    market_price,
    project_stands,
    record,
    years_between,
)
from qingshan.lending.model import (
    BPS,
    M2_PER_HA,
    AlertKind,
    Appraisal,
    Loan,
    LoanStatus,
    Reason,
    StandRow,
)
from qingshan.lending.state import LendingState
from qingshan.science import forest
from qingshan.science.forest import SpeciesGroup

PRICE_MOVE_BPS = 500  # a move of the market's average by 5 % or more revalues (platform rule)
SITE_BPS_MIN, SITE_BPS_MAX = 1_000, 30_000  # a stand row's bounds (``StandRow.site_bps``)


def inputs_of(a: Appraisal) -> Inputs:
    return Inputs(stands=a.stands, stands_day=a.stands_day, horizon=a.horizon, draws=a.draws,
                  seed=a.seed, price=a.price, price_basis=a.price_basis,
                  stress_bps=a.stress_bps, discount_bps=a.discount_bps, ltv_bps=a.ltv_bps,
                  scenario=a.scenario)


def modelled_volume(rows: tuple[StandRow, ...], group: SpeciesGroup, grown: float) -> float:
    """m3 of stem volume the stands of ``group`` hold on their curve, ``grown`` years on
    (earlier if negative; never younger than 0)."""
    curve = forest.DEFAULTS[group].growth
    return sum(float(forest.volume_per_ha(curve, max(0.0, r.age + grown)))
               * r.area_m2 / M2_PER_HA
               * r.site_bps / BPS * r.stocking_bps / BPS for r in rows if r.group is group)


def rebase_sites(rows: tuple[StandRow, ...], grown: float,
                 measured: Mapping[SpeciesGroup, float]) -> tuple[tuple[StandRow, ...],
                                                                   list[str]]:
    """The stands with each measured group's site factors scaled so that the group's curve
    gives the measured volume ``grown`` years after the stands' day (bounded to a stand row's
    site range); groups not measured, not volume-based or with no modelled volume keep
    theirs. Returns the stands and what changed, group by group."""
    ratios: dict[SpeciesGroup, float] = {}
    notes: list[str] = []
    for group, volume in sorted(measured.items()):
        model = modelled_volume(rows, group, grown)
        if model <= 0 or not forest.DEFAULTS[group].volume_based:
            continue
        ratios[group] = volume / model
        notes.append(f"{group.value} {volume:,.0f} m3 measured / {model:,.0f} modelled")
    out = tuple(replace(r, site_bps=min(SITE_BPS_MAX, max(SITE_BPS_MIN, round(
        r.site_bps * ratios[r.group])))) if r.group in ratios else r for r in rows)
    return out, notes


def after_loss(rows: tuple[StandRow, ...], grown: float,
               lost_tco2: int) -> tuple[tuple[StandRow, ...], float]:
    """The stands less the share of their area that ``lost_tco2`` is of their modelled stock
    ``grown`` years after the stands' day (all of it if the loss is the stock or more); a
    stand left with under a square metre is gone. Returns the stands and the share lost."""
    stock = float(forest.stock_co2(project_stands(rows, grown), [0.0])[0])
    share = 1.0 if stock <= lost_tco2 else lost_tco2 / stock
    kept = tuple(replace(r, area_m2=int(r.area_m2 * (1.0 - share))) for r in rows)
    return tuple(r for r in kept if r.area_m2 >= 1), share


def revalue(lend: LendingState, loan: Loan, reason: Reason, seq: int, *, note: str,
            stands: tuple[StandRow, ...] | None = None,
            price: int | None = None) -> dict[str, Any]:
    """A new appraisal of the loan's collateral from its latest one, with ``stands`` and
    ``price`` if given (else the latest's stands, and its price — the market's average now
    when its price was the market's), a ``revalued`` alert and the covenant test."""
    latest = lend.appraisal(loan.latest_appraisal)
    terms = lend.projects.project_terms(loan.project)
    if terms is None:  # the registry keeps every project it ever had: never reached
        return {}
    today = journal_day(lend.clock())
    inputs = inputs_of(latest)
    if price is None and latest.price_basis == MARKET_BASIS:
        price = market_price(lend, terms.asset, today)
    inputs = replace(inputs, stands=inputs.stands if stands is None else stands,
                     price=inputs.price if price is None else price)
    appraisal, result = record(lend, terms, inputs, bank=loan.bank, reason=reason,
                               loan=loan, today=today, seq=seq, note=note)
    change = _percent(appraisal.collateral, latest.collateral)
    lend.alert(lend.loan(loan.id), AlertKind.REVALUED, today.isoformat(),
               f"{reason.value}: collateral {latest.collateral} → {appraisal.collateral} fen "
               f"({change}) in {appraisal.id}; {note}", seq)
    return {"loan": loan.id, **result}


def _percent(new: int, old: int) -> str:
    if not old:
        return "from nothing" if new else "no change"
    return f"{(new - old) * 100 / old:+.1f} %"


# ------------------------------------------------------------------ the events
def after_issuance(lend: LendingState, loan: Loan, issuance: Issuance, seq: int) -> dict[str, Any]:
    """A monitoring result issued into the pledged account: revalue from the volumes it
    measured (when its methodology measures them). Not under rules 1."""
    if lend.rules(seq) == 1:
        return {}
    latest = lend.appraisal(loan.latest_appraisal)
    stands, note = latest.stands, f"issuance {issuance.id} ({issuance.reference})"
    measured = lend.projects.monitored_volumes(loan.project, issuance.reference)
    if measured is not None:
        groups = {SpeciesGroup(g): v for g, v in measured.volumes}
        # the measurement's day may be before the stands' (a report filed after the appraisal
        # of a period that ended before it): the curve is read at the stands' age then
        grown = years_between(latest.stands_day, date.fromisoformat(measured.day))
        stands, changed = rebase_sites(latest.stands, grown, groups)
        if changed:
            note += f": site rebased at {measured.day} — " + "; ".join(changed)
    return revalue(lend, loan, Reason.MONITORING, seq, note=note, stands=stands)


def loss_reported(lend: LendingState, project: str, loss: str, quantity: int, cause: str,
                  occurred: str, seq: int) -> dict[str, Any]:
    """The registry's loss watcher: every active loan on the project is revalued on stands
    reduced by the loss, with a ``disturbance`` alert. Not under rules 1."""
    if lend.rules(seq) == 1:
        return {}
    out = []
    today = journal_day(lend.clock())
    for loan in lend.active_loans_of(project):
        latest = lend.appraisal(loan.latest_appraisal)
        stands, share = after_loss(latest.stands,
                                   max(0.0, years_between(latest.stands_day, today)), quantity)
        note = (f"loss {loss}: {quantity} t CO2e, {cause} on {occurred}; the stands' area "
                f"−{share * 100:.1f} %")
        out.append(revalue(lend, loan, Reason.DISTURBANCE, seq, note=note, stands=stands))
        lend.alert(lend.loan(loan.id), AlertKind.DISTURBANCE, today.isoformat(), note, seq)
    return {"revalued": out} if out else {}


def price_closed(lend: LendingState, asset: str, seq: int) -> dict[str, Any]:
    """The market's close watcher: loans priced at the market's average are revalued when
    the asset's 365-day average moved by ``PRICE_MOVE_BPS`` or more since their latest
    appraisal. Not under rules 1."""
    if lend.rules(seq) == 1:
        return {}
    loans = [ln for ln in lend.loans.values() if ln.status is LoanStatus.ACTIVE
             and ln.asset == asset
             and lend.appraisal(ln.latest_appraisal).price_basis == MARKET_BASIS]
    if not loans:
        return {}
    average = market_price(lend, asset, journal_day(lend.clock()))
    out = []
    for loan in loans:
        was = lend.appraisal(loan.latest_appraisal).price
        if average is None or abs(average - was) * BPS < PRICE_MOVE_BPS * was:
            continue
        note = f"the market's 365-day average of {asset} moved {was} → {average} fen"
        out.append(revalue(lend, loan, Reason.PRICE, seq, note=note, price=average))
    return {"revalued": out} if out else {}
