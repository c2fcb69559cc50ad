"""The signed-in page (``/me``): a member's accounts, orders, projects and retirements with an
order form and a retirement form, and each role's own part (court and bank, verifier,
operator: see their modules)."""

from __future__ import annotations

import secrets
from typing import Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from qingshan.ledger import queries
from qingshan.ledger.domain.parsing import digits
from qingshan.market import queries as market_queries
from qingshan.registry import queries as rq
from qingshan.web import (
    court_bank,
    inclusive_pages,
    judicial_pages,
    lending_pages,
    operator,
    rights_pages,
    sessions,
    verifier,
)
from qingshan.web.forms import notes, signin_redirect, submit
from qingshan.web.render import render

router = APIRouter(include_in_schema=False)


@router.get("/me", response_class=HTMLResponse)
def me(request: Request, form: str = "order") -> Response:
    session = sessions.current(request)
    if session is None:
        return signin_redirect(request)
    actor = session.principal
    ctx: dict[str, Any] = {"actor": actor, **notes(request, session), "form": form,
                           "form_key": secrets.token_urlsafe(16), "csrf": session.csrf}
    with request.app.state.edge.read() as conn:
        if actor.party_id is not None:
            accounts = queries.party_accounts(conn, actor.party_id)
            ids = [a["id"] for a in accounts]
            ctx["holdings"] = [queries.holdings(conn, a["id"]) for a in accounts
                               if a["type"] == "holding"]
            ctx["orders"] = market_queries.orders_of(conn, ids)
            ctx["retirements"] = queries.retirements_of(conn, ids)
            ctx["my_projects"] = rq.projects_of(conn, actor.party_id)
        ctx["instruments"] = market_queries.instruments(conn)
        for area in (court_bank, judicial_pages, lending_pages, operator, rights_pages,
                     verifier):
            ctx.update(area.context(conn, actor))
    ctx.update(inclusive_pages.context(request, actor))
    return render(request, "me.html", **ctx)


@router.post("/me/orders")
async def place_order(request: Request, instrument: str = Form(""),
                      account: str = Form(""), side: str = Form("sell"),
                      price: str = Form(""), quantity: str = Form(""),
                      key: str = Form(""), csrf: str = Form(""),
                      back: str = Form("")) -> Response:
    return await submit(request, "place_order", lambda: {
        "instrument": instrument, "account": account, "side": side,
        "order_type": "limit", "price": digits(price, "price"),
        "quantity": digits(quantity, "quantity")}, key, csrf, back=back)


@router.post("/me/retirements")
async def retire(request: Request, account: str = Form(""), quantity: str = Form(""),
                 purpose: str = Form("carbon_neutrality"), beneficiary: str = Form(""),
                 reason: str = Form(""), reference: str = Form(""),
                 key: str = Form(""), csrf: str = Form("")) -> Response:
    """A member retires credits from its account; the answer links the certificate."""
    return await submit(request, "retire_units", lambda: {
        "asset": "CQCER", "account": account, "quantity": digits(quantity, "quantity"),
        "purpose": purpose, "beneficiary": beneficiary, "reason": reason,
        "reference": reference}, key, csrf, form="retire")
