"""HTTP edge of resource-rights trading between districts (GitHub issue 14): the operator's
floor prices, the forestry authority's measurements and grants, contracts between districts
with their tranches in escrow, successions, and restoration that earns development rights;
public standings, price history, contracts and restorations, and a CSV of standings by year.

Contracts are public but for their accounts, which only its parties (and their predecessors),
the operator, the forestry authority and auditors see (``queries.for_reader``); everyone
else reads ``private``. Every rule (who acts for a district, the surplus, the floor) is the
handlers'; the routes only hand commands to the sequencer."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response

from qingshan.api import responses as r
from qingshan.api import responses_rights as rr
from qingshan.api import schemas as s
from qingshan.api.deps import Actor, EdgeDep, IdemKey, MaybeActor, one, run
from qingshan.api.responses_contexts import many
from qingshan.rights import queries
from qingshan.rights.commands import FIRST_YEAR, LAST_YEAR, MAX_TRANCHES
from qingshan.rights.model import ContractStatus, IndicatorKind, RestorationStatus
from qingshan.web.exports import csv_bytes

router = APIRouter(prefix="/api/v1/rights", tags=["rights"])

Tranche = Annotated[int, Path(ge=1, le=MAX_TRANCHES, description="1 for the first")]
Year = Annotated[int | None, Query(ge=FIRST_YEAR, le=LAST_YEAR,
                                   description="the latest measured if none")]
Indicator = Annotated[IndicatorKind, Query(description="the indicator")]


# ------------------------------------------------------------------------------ districts
@router.post("/floors", **r.write())
async def set_floor(body: s.FloorIn, edge: EdgeDep, actor: Actor,
                    key: IdemKey = None) -> Response:
    """The operator sets the lowest unit price (fen) a contract for an indicator may state."""
    return await run(edge, one("set_indicator_floor", s.payload(body), edge), actor, key)


@router.post("/measurements", **r.write())
async def record_measurement(body: s.MeasurementIn, edge: EdgeDep, actor: Actor,
                             key: IdemKey = None) -> Response:
    """The forestry authority records what it verified of a district for a year (a later
    record of the same year replaces it, journaled)."""
    return await run(edge, one("record_measurement", s.payload(body), edge), actor, key)


@router.post("/grants", **r.write())
async def issue_indicators(body: s.GrantIn, edge: EdgeDep, actor: Actor,
                           key: IdemKey = None) -> Response:
    """Issue indicators to a district's account for verified surplus above its target."""
    return await run(edge, one("issue_indicators", s.payload(body), edge), actor, key)


@router.post("/successions", **r.write())
async def record_succession(body: s.SuccessionIn, edge: EdgeDep, actor: Actor,
                            key: IdemKey = None) -> Response:
    """The operator records that a district was abolished and another succeeds it: its
    contracts pass to the successor, its indicators to the successor's account."""
    return await run(edge, one("record_succession", s.payload(body), edge), actor, key)


# ------------------------------------------------------------------------------ contracts
@router.post("/contracts", **r.write())
async def propose_contract(body: s.ContractIn, edge: EdgeDep, actor: Actor,
                           key: IdemKey = None) -> Response:
    """The selling district signs a contract: quantity, unit price (not under the floor),
    tranches, years of upkeep owed and the monitoring duties."""
    return await run(edge, one("propose_contract", s.payload(body), edge), actor, key)


@router.post("/contracts/{contract}/agree", **r.write())
async def agree_contract(contract: str, body: s.AgreeContractIn, edge: EdgeDep, actor: Actor,
                         key: IdemKey = None) -> Response:
    """The buying district countersigns, naming the account that pays and receives."""
    return await run(edge, one("agree_contract", s.payload(body, contract=contract), edge),
                     actor, key)


@router.post("/contracts/{contract}/approve", **r.write())
async def approve_contract(contract: str, edge: EdgeDep, actor: Actor,
                           key: IdemKey = None) -> Response:
    """The operator approves: each tranche's indicators and money go into escrow."""
    return await run(edge, one("approve_contract", {"contract": contract}, edge), actor, key)


@router.post("/contracts/{contract}/tranches/{tranche}/check", **r.write())
async def check_tranche(contract: str, tranche: Tranche, body: s.TrancheCheckIn,
                        edge: EdgeDep, actor: Actor, key: IdemKey = None) -> Response:
    """The forestry authority records a tranche's acceptance check: passed, it may be
    released; failed, it is withheld (indicators back to the seller, money to the buyer)."""
    payload = s.payload(body, contract=contract, tranche=tranche)
    return await run(edge, one("record_tranche_check", payload, edge), actor, key)


@router.post("/contracts/{contract}/tranches/{tranche}/release", **r.write())
async def release_tranche(contract: str, tranche: Tranche, edge: EdgeDep, actor: Actor,
                          key: IdemKey = None) -> Response:
    """Release an accepted tranche: its indicators to the buyer, its money to the seller."""
    payload = {"contract": contract, "tranche": tranche}
    return await run(edge, one("release_tranche", payload, edge), actor, key)


# ------------------------------------------------------------------------------ restoration
@router.post("/restorations", **r.write())
async def register_restoration(body: s.RestorationIn, edge: EdgeDep, actor: Actor,
                               key: IdemKey = None) -> Response:
    """A restorer registers a restoration project: site, area, plan and intended use."""
    return await run(edge, one("register_restoration", s.payload(body), edge), actor, key)


@router.post("/restorations/{restoration}/accept", **r.write())
async def accept_restoration(restoration: str, body: s.AcceptRestorationIn, edge: EdgeDep,
                             actor: Actor, key: IdemKey = None) -> Response:
    """The authority's acceptance: passed, the restorer earns a development-right quota."""
    payload = s.payload(body, restoration=restoration)
    return await run(edge, one("accept_restoration", payload, edge), actor, key)


@router.post("/restorations/{restoration}/transfers", **r.write())
async def transfer_right(restoration: str, body: s.RightTransferIn, edge: EdgeDep,
                         actor: Actor, key: IdemKey = None) -> Response:
    """The holder passes development-right quota to the operator of the eco-business."""
    payload = s.payload(body, restoration=restoration)
    return await run(edge, one("transfer_development_right", payload, edge), actor, key)


@router.post("/restorations/{restoration}/incomes", **r.write())
async def report_income(restoration: str, body: s.IncomeIn, edge: EdgeDep, actor: Actor,
                        key: IdemKey = None) -> Response:
    """A holder of the right reports the business's income for a year (once a year)."""
    payload = s.payload(body, restoration=restoration)
    return await run(edge, one("report_income", payload, edge), actor, key)


# ------------------------------------------------------------------------------ reads
@router.get("/standings", **r.ok(rr.Standings))
def standings(edge: EdgeDep, indicator: Indicator = IndicatorKind.FOREST_AREA,
              year: Year = None) -> dict[str, Any]:
    """Public: each district's standing in the year against its target, with and without
    the indicators it bought and sold."""
    with edge.read() as conn:
        return queries.standings(conn, indicator, year)


STANDING_COLUMNS = ["year", "district", "name", "code", "amount", "basis", "target_bps",
                    "duty", "bought", "sold", "effective", "own_bps", "with_trades_bps",
                    "status"]


@router.get("/standings.csv", response_class=Response,
            **r.media("text/csv", "every district's standing, year by year, for the "
                      "indicator"))
def standings_csv(edge: EdgeDep,
                  indicator: Indicator = IndicatorKind.FOREST_AREA) -> Response:
    with edge.read() as conn:
        years = queries.standings(conn, indicator)["years"]
        rows = [[d[c] for c in STANDING_COLUMNS]
                for y in years for d in queries.standings(conn, indicator, y)["districts"]]
    return Response(csv_bytes(STANDING_COLUMNS, rows), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition":
                             f'attachment; filename="rights-{indicator.value}-standings.csv"'})


@router.get("/districts/{party}", **r.ok(rr.District))
def district(party: str, edge: EdgeDep, actor: MaybeActor) -> dict[str, Any]:
    """Public: a district's standings by year, grants, contracts (accounts to their parties,
    the operator, the forestry authority and auditors) and succession."""
    with edge.read() as conn:
        found = queries.district(conn, party)
    return {**found, "contracts": [queries.for_reader(c, actor) for c in found["contracts"]]}


@router.get("/contracts", **r.ok(many(rr.Contract)))
def contracts(edge: EdgeDep, actor: MaybeActor, district: str | None = None,
              status: ContractStatus | None = None) -> list[dict[str, Any]]:
    """Public: contracts, newest first (of a district, as seller or buyer, signatory or
    successor; in a status)."""
    with edge.read() as conn:
        found = queries.contracts(conn, district=district,
                                  status=None if status is None else status.value)
    return [queries.for_reader(c, actor) for c in found]


@router.get("/contracts/{contract}", **r.ok(rr.ContractDetail))
def contract(contract: str, edge: EdgeDep, actor: MaybeActor) -> dict[str, Any]:
    """Public: a contract with its tranches and history (accounts as above)."""
    with edge.read() as conn:
        return queries.for_reader(queries.contract(conn, contract), actor)


@router.get("/prices", **r.ok(list[rr.PricePoint]))
def prices(edge: EdgeDep,
           indicator: Indicator = IndicatorKind.FOREST_AREA) -> list[dict[str, Any]]:
    """Public: every contract of the indicator by the day it was signed, with its unit
    price (fen) and quantity."""
    with edge.read() as conn:
        return queries.price_history(conn, indicator)


@router.get("/restorations", **r.ok(many(rr.Restoration)))
def restorations(edge: EdgeDep,
                 status: RestorationStatus | None = None) -> list[dict[str, Any]]:
    """Public: restoration projects (in a status) and the development rights they earned."""
    with edge.read() as conn:
        return queries.restorations(conn, status=None if status is None else status.value)


@router.get("/restorations/{restoration}", **r.ok(rr.RestorationDetail))
def restoration(restoration: str, edge: EdgeDep) -> dict[str, Any]:
    """Public: a restoration project with its right's transfers, incomes and history."""
    with edge.read() as conn:
        return queries.restoration(conn, restoration)
