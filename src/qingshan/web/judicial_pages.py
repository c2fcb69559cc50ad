"""Judicial offsetting's pages (以碳代偿): the public supervision of each court (its cases, money
in, tonnes retired, the average price, what is pending and overdue, a chart per year and the
CSV), each case's page (anonymised to the public: 张某; whole to its court, the operator,
auditors and supervisors) with its certificate, and the court's own part of ``/me``: its
cases and the forms that carry one out (enter a judgment's order, record a payment, buy,
retire, close)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import Connection

from qingshan.errors import NotFound
from qingshan.judicial import queries
from qingshan.ledger import queries as ledger_queries
from qingshan.ledger.domain.model import Principal, Role
from qingshan.ledger.domain.parsing import digits
from qingshan.market import queries as market_queries
from qingshan.web.charts import column_chart, money, quantity
from qingshan.web.forms import actor_of, submit
from qingshan.web.render import lang_of, render

router = APIRouter(include_in_schema=False)



@router.get("/judicial", response_class=HTMLResponse)
def courts_page(request: Request) -> HTMLResponse:
    """Every court with cases and its headline figures."""
    today = queries.today()
    with request.app.state.edge.read() as conn:
        courts = [{**c, **queries.supervision(conn, c["id"], today)}
                  for c in queries.courts(conn)]
    return render(request, "judicial.html", courts=courts, money=money, quantity=quantity)


@router.get("/judicial/courts/{court}", response_class=HTMLResponse)
def court_page(request: Request, court: str) -> HTMLResponse:
    """A court under public supervision."""
    lang = lang_of(request)
    actor = actor_of(request)
    with request.app.state.edge.read() as conn:
        party = ledger_queries.party(conn, court)
        if party is None or party["kind"] != "court":
            raise NotFound("no such court", court=court)
        figures = queries.supervision(conn, court, queries.today())
        cases = [queries.for_reader(c, actor) for c in queries.cases(conn, court=court)]
        years = queries.by_year(conn, court)
    tonnes = column_chart([(str(y["year"]), y["retired"]) for y in years],
                          title="注销吨数 tonnes retired", unit="t")
    yuan = column_chart([(str(y["year"]), y["money_in"] // 100) for y in years],
                        title="案款 money in", unit="元" if lang == "zh" else "CNY")
    return render(request, "court.html", court=party, figures=figures, cases=cases,
                  years=years, tonnes_chart=tonnes, money_chart=yuan, money=money,
                  quantity=quantity)


@router.get("/judicial/cases/{case}", response_class=HTMLResponse)
def case_page(request: Request, case: str) -> HTMLResponse:
    """A case: the order, its money and credits, each purchase, its history, its
    certificate."""
    with request.app.state.edge.read() as conn:
        found = queries.for_reader(queries.case(conn, case), actor_of(request))
        court = ledger_queries.party(conn, found["court"])
    return render(request, "case.html", case=found, court=court, money=money,
                  quantity=quantity)


# ---------------------------------------------------------------------- the court's /me part
def context(conn: Connection, actor: Principal) -> dict[str, Any]:
    """What the signed-in page shows a court: its cases, whole, and the instruments."""
    if actor.role is not Role.COURT or actor.party_id is None:
        return {}
    return {"court_cases": queries.cases(conn, court=actor.party_id),
            "court_offers": queries.open_offers(conn, actor.party_id),
            "court_instruments": market_queries.instruments(conn)}


@router.post("/me/cases")
async def enter_case(request: Request, number: str = Form(""), cause: str = Form(""),
                     defendant: str = Form(""), defendant_kind: str = Form("person"),
                     judgment_date: str = Form(""), compensation: str = Form(""),
                     deadline: str = Form(""), restoration: str = Form(""),
                     forestry: str = Form(""), cap_price: str = Form(""),
                     refund_account: str = Form(""), key: str = Form(""),
                     csrf: str = Form("")) -> Response:
    """The court enters a judgment's order (money in yuan; the cap in fen per tonne)."""
    actor = actor_of(request)
    return await submit(request, "create_case", lambda: {
        "court": actor.party_id if actor else "", "number": number, "cause": cause,
        "defendants": [{"name": defendant, "kind": defendant_kind}],
        "judgment_date": judgment_date,
        "compensation_fen": digits(compensation, "compensation_fen") * 100,
        "deadline": deadline, "restoration": restoration, "asset": "CQCER",
        "categories": ["forestry"] if forestry else None,
        "cap_price": digits(cap_price, "cap_price"), "refund_account": refund_account.strip()},
        key, csrf, form="case")


@router.post("/me/cases/{case}/payments")
async def record_payment(request: Request, case: str, reference: str = Form(""),
                         amount: str = Form(""), payer: str = Form(""), key: str = Form(""),
                         csrf: str = Form("")) -> Response:
    return await submit(request, "record_payment", lambda: {
        "case": case, "reference": reference, "amount": digits(amount, "amount") * 100,
        "payer": payer}, key, csrf, form="cases")


@router.post("/me/cases/{case}/purchases")
async def purchase(request: Request, case: str, instrument: str = Form(""),
                   quantity: str = Form(""), limit_price: str = Form(""),
                   key: str = Form(""), csrf: str = Form("")) -> Response:
    return await submit(request, "purchase_for_case", lambda: {
        "case": case, "instrument": instrument, "quantity": digits(quantity, "quantity"),
        "limit_price": digits(limit_price, "limit_price")}, key, csrf, form="cases")


@router.post("/me/cases/{case}/offers/{offer}")
async def accept_offer(request: Request, case: str, offer: str, key: str = Form(""),
                       csrf: str = Form("")) -> Response:
    """The court accepts a seller's offer to one of its cases."""
    return await submit(request, "accept_offer", {"case": case, "offer": offer}, key, csrf,
                        form="cases")


@router.post("/me/cases/{case}/step")
async def step(request: Request, case: str, action: str = Form("retire"),
               key: str = Form(""), csrf: str = Form("")) -> Response:
    """Retire what was bought for the case, or close it (执结)."""
    kind = "close_case" if action == "close" else "retire_for_case"
    return await submit(request, kind, {"case": case}, key, csrf, form="cases")
