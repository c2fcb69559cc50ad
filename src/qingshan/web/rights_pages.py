"""Resource rights' pages: the compliance view (``/rights``: the map of the districts by their
standing for a year and indicator, each district's coverage without and with traded indicators
against its target, the history of contract prices, the contracts and the restoration
projects), a contract (its tranches, their checks, its history), a district (coverage by year,
grants, contracts) and a restoration (the right, its transfers, income by year), read through
:mod:`qingshan.rights.queries`; and the rights part of ``/me``: the forestry authority's
tranches to check, a district's contracts with a countersign and a release form."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import Connection

from qingshan.errors import InvalidInput
from qingshan.ledger.domain.model import Principal, Role
from qingshan.ledger.domain.parsing import digits
from qingshan.reference.chongqing import DISTRICTS, DISTRICTS_2024
from qingshan.rights import queries
from qingshan.rights.model import IndicatorKind
from qingshan.web import charts, geo
from qingshan.web.charts import money
from qingshan.web.forms import actor_of, submit
from qingshan.web.render import district_names, lang_of, render
from qingshan.web.strings import TEXT

router = APIRouter(include_in_schema=False)


def _kind(indicator: str) -> IndicatorKind:
    try:
        return IndicatorKind(indicator)
    except ValueError:
        raise InvalidInput("no such indicator", field="indicator",
                           allowed=[k.value for k in IndicatorKind]) from None


def _pct(bps: int) -> str:
    return f"{bps / 100:.2f}%"


def _statuses(text: dict[str, str]) -> dict[str, str]:
    return {"short": text["rights_short"], "met": text["rights_met"],
            "surplus": text["rights_surplus"], "": text["rights_unmeasured"]}


@router.get("/rights", response_class=HTMLResponse)
def compliance_page(request: Request, indicator: str = "forest_area",
                    year: int | None = None) -> HTMLResponse:
    lang = lang_of(request)
    text = TEXT[lang]
    kind = _kind(indicator)
    with request.app.state.edge.read() as conn:
        view = queries.standings(conn, kind, year)
        prices = queries.price_history(conn, kind)
        contracts = queries.contracts(conn)
        projects = queries.restorations(conn)
    chosen = view["year"]
    labels = _statuses(text)
    names = district_names(lang)
    merged = chosen is not None and chosen >= 2025
    everyone = DISTRICTS if merged else DISTRICTS_2024
    seats = {d.code: (d.lon, d.lat) for d in everyone}
    statuses = {r["code"]: r["status"] for r in view["districts"] if r["code"]}
    title = f"{text['rights_map']} · {chosen or '—'}"
    figure = charts.status_map(geo.load(), seats, statuses, names, labels, title=title,
                               merged=merged)
    deals = charts.deal_chart(prices, title=text["rights_prices"],
                              unit="亩" if lang == "zh" else view["unit"])
    totals = {"contracts": len(contracts), "quantity": sum(c["quantity"] for c in contracts),
              "value": sum(c["value"] for c in contracts),
              "released": sum(c["released"] for c in contracts)}
    return render(request, "rights.html", view=view, map=figure, deals=deals,
                  contracts=contracts, projects=projects, labels=labels, totals=totals,
                  kinds=[k.value for k in IndicatorKind], pct=_pct, money=money)


@router.get("/rights/contracts/{contract}", response_class=HTMLResponse)
def contract_page(request: Request, contract: str) -> HTMLResponse:
    with request.app.state.edge.read() as conn:
        found = queries.for_reader(queries.contract(conn, contract), actor_of(request))
    return render(request, "rights_contract.html", c=found, money=money)


@router.get("/rights/districts/{party}", response_class=HTMLResponse)
def district_page(request: Request, party: str) -> HTMLResponse:
    lang = lang_of(request)
    text = TEXT[lang]
    with request.app.state.edge.read() as conn:
        found = queries.district(conn, party)
        names = {k: v["name"] for k, v in queries.district_names(conn).items()}
    forest = found["standings"].get(IndicatorKind.FOREST_AREA.value, [])
    chart = charts.coverage_chart(forest, title=text["rights_coverage"],
                                  own=text["rights_own"], traded=text["rights_with_trades"],
                                  target=text["rights_target"])
    return render(request, "rights_district.html", d=found, chart=chart, forest=forest,
                  names=names, labels=_statuses(text), pct=_pct, money=money)


@router.get("/rights/restorations/{restoration}", response_class=HTMLResponse)
def restoration_page(request: Request, restoration: str) -> HTMLResponse:
    lang = lang_of(request)
    with request.app.state.edge.read() as conn:
        found: dict[str, Any] = queries.restoration(conn, restoration)
    chart = charts.column_chart([(str(i["year"]), i["amount"] // 100) for i in found["incomes"]],
                                title=TEXT[lang]["rights_income"],
                                unit="元" if lang == "zh" else "CNY")
    return render(request, "rights_restoration.html", r=found, chart=chart, money=money)


# ---------------------------------------------------------------------- the /me part
def context(conn: Connection, actor: Principal) -> dict[str, Any]:
    """What the signed-in page shows the forestry authority (the tranches awaiting its check,
    the restorations awaiting acceptance) and a district (its contracts and what it may do
    next on them)."""
    if actor.role is Role.FORESTRY:
        return {"rights_checks": queries.tranches_to_check(conn),
                "rights_restorations": queries.restorations(conn, status="planned")}
    if actor.role is Role.MEMBER and actor.party_id in queries.district_names(conn):
        mine = [queries.for_reader(c, actor)
                for c in queries.contracts(conn, district=actor.party_id)]
        return {"rights_contracts": [{**c, "next": queries.next_steps(c, actor.party_id)}
                                     for c in mine]}
    return {}


@router.post("/me/rights/contracts/{contract}/tranches/{tranche}/check")
async def check_tranche(request: Request, contract: str, tranche: str,
                        passed: str = Form("no"), report: str = Form(""),
                        key: str = Form(""), csrf: str = Form("")) -> Response:
    """The forestry authority records a tranche's acceptance check."""
    return await submit(request, "record_tranche_check", lambda: {
        "contract": contract, "tranche": digits(tranche, "tranche"),
        "passed": passed == "yes", "report": report}, key, csrf, form="rights")


@router.post("/me/rights/contracts/{contract}/agree")
async def agree(request: Request, contract: str, buyer_account: str = Form(""),
                key: str = Form(""), csrf: str = Form("")) -> Response:
    """The buying district countersigns, naming its account."""
    return await submit(request, "agree_contract", {
        "contract": contract, "buyer_account": buyer_account.strip()}, key, csrf,
        form="rights")


@router.post("/me/rights/contracts/{contract}/tranches/{tranche}/release")
async def release(request: Request, contract: str, tranche: str, key: str = Form(""),
                  csrf: str = Form("")) -> Response:
    """The buying district releases an accepted tranche."""
    return await submit(request, "release_tranche", lambda: {
        "contract": contract, "tranche": digits(tranche, "tranche")}, key, csrf,
        form="rights")
