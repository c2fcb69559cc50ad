"""The market's pages: each instrument's screen (the daily VWAP and volume over its whole
history, the best five levels, the latest trades) with the order form for a signed-in
member."""

from __future__ import annotations

import datetime as dt
import secrets

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from qingshan.errors import NotFound
from qingshan.ledger import queries
from qingshan.ledger.domain import policy
from qingshan.market import queries as market_queries
from qingshan.web import charts, sessions
from qingshan.web.forms import notes
from qingshan.web.render import lang_of, render

router = APIRouter(include_in_schema=False)


@router.get("/market")
def market_index(request: Request) -> Response:
    with request.app.state.edge.read() as conn:
        instruments = market_queries.instruments(conn)
    if not instruments:
        raise NotFound("no instrument is listed yet")
    return RedirectResponse(f"/market/{instruments[0]['id']}?lang={lang_of(request)}",
                            status_code=303)


@router.get("/market/{instrument}", response_class=HTMLResponse)
def market_page(request: Request, instrument: str) -> HTMLResponse:
    session = sessions.current(request)
    actor = None if session is None else session.principal
    accounts: list[str] = []
    with request.app.state.edge.read() as conn:
        depth = market_queries.depth(conn, instrument)
        listed = [policy.instrument_for(i, actor) for i in market_queries.instruments(conn)]
        inst = next(i for i in listed if i["id"] == instrument)
        # (depth() above already answered 404 for an unknown instrument)
        recent = market_queries.recent_trades(conn, instrument, limit=20)
        for tr in recent:  # when, in Beijing time
            tr["when"] = (dt.datetime.fromtimestamp(tr["time"] / 1000, dt.UTC)
                          + dt.timedelta(hours=8)).strftime("%Y-%m-%d %H:%M")
        bars = market_queries.daily_bars(conn, instrument)
        if actor is not None and actor.party_id is not None:
            accounts = [a["id"] for a in queries.party_accounts(conn, actor.party_id)
                        if a["type"] == "holding"]
    chart = charts.price_chart(bars, title=f"{instrument} daily VWAP (CNY/t) and volume",
                               width=1100, height=300)
    return render(request, "market.html", inst=inst, depth=depth, chart=chart,
                  trades=recent, signed_in=actor is not None,
                  accounts=accounts, **notes(request, session),
                  listed=[i["id"] for i in listed], form="order",
                  form_key=secrets.token_urlsafe(16),
                  csrf="" if session is None else session.csrf)
