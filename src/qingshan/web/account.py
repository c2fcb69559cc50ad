"""Signed-in pages: sign in with an API key (which opens a server-side session, see
``web/sessions.py``), a member's accounts, orders, projects and retirements with an order form
and a retirement form, the verifier's queue, and the operator's approvals queue, market controls
and statistics. Every form posts through the same sequencer as the API; forms carry the
session's CSRF token and a one-time idempotency key, so a page elsewhere cannot post them and a
double submit does nothing twice."""

from __future__ import annotations

import asyncio
import datetime as dt
import secrets
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import orjson
from fastapi import FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from qingshan.errors import Forbidden, NotFound, QingshanError
from qingshan.ledger import queries
from qingshan.ledger.domain.commands import COMMANDS, command_from_payload
from qingshan.ledger.domain.model import Principal, Role
from qingshan.ledger.domain.parsing import digits
from qingshan.market import queries as market_queries
from qingshan.registry import queries as rq
from qingshan.web import charts, sessions
from qingshan.web.exports import csv_bytes
from qingshan.web.pages import TEMPLATES, TEXT, _lang, error_text
from qingshan.web.sessions import Session

# the form field an error without one of its own belongs to, to show it next to that field
FIELD_OF_CODE = {"insufficient_units": "quantity", "insufficient_funds": "quantity"}


def _actor(request: Request) -> Principal | None:
    session = sessions.current(request)
    return None if session is None else session.principal


def _note(session: Session | None, message: str, error: str, field: str,
          form: str, sig: str) -> dict[str, str]:
    """What the page says after a form: only what this platform said to this session (the
    redirect signs it), never what a crafted link puts in the query."""
    if session is None or not (message or error) or not secrets.compare_digest(
            sig, session.sign(message, error, field, form)):
        return {"message": "", "error": "", "field": ""}
    return {"message": message, "error": error, "field": field}


def mount_account_pages(app: FastAPI) -> None:
    def render(request: Request, name: str, *, status: int = 200, **ctx: Any) -> HTMLResponse:
        lang = _lang(request)
        html = TEMPLATES.get_template(name).render(
            t=TEXT[lang], lang=lang, other="en" if lang == "zh" else "zh", **ctx)
        return HTMLResponse(html, status_code=status)

    def notes(request: Request, session: Session | None) -> dict[str, Any]:
        q = request.query_params
        return _note(session, q.get("message", ""), q.get("error", ""), q.get("field", ""),
                     q.get("form", "order"), q.get("sig", ""))

    @app.get("/market", include_in_schema=False)
    def market_index(request: Request) -> Response:
        with request.app.state.edge.read() as conn:
            instruments = market_queries.instruments(conn)
        if not instruments:
            raise NotFound("no instrument is listed yet")
        return RedirectResponse(f"/market/{instruments[0]['id']}?lang={_lang(request)}",
                                status_code=303)

    @app.get("/market/{instrument}", response_class=HTMLResponse, include_in_schema=False)
    def market_page(request: Request, instrument: str) -> HTMLResponse:
        session = sessions.current(request)
        actor = None if session is None else session.principal
        accounts: list[str] = []
        with request.app.state.edge.read() as conn:
            depth = market_queries.depth(conn, instrument)
            listed = market_queries.instruments(conn)
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

    def _journal_rows(request: Request, after: int, kind: str,
                      limit: int) -> tuple[list[dict[str, Any]], int | None]:
        actor = _actor(request)
        if actor is None or actor.role not in (Role.AUDITOR, Role.OPERATOR):
            raise Forbidden("the journal is for auditors and the operator")
        rows: list[dict[str, Any]] = []
        cursor = after
        with request.app.state.edge.read() as conn:
            while len(rows) < limit:
                page = queries.journal_page(conn, after=cursor, limit=500)
                if not page:
                    break
                for e in page:
                    cursor = e["seq"]
                    if kind and e["kind"] != kind:
                        continue
                    e["when"] = dt.datetime.fromtimestamp(e["time"] / 1000, dt.UTC).strftime(
                        "%Y-%m-%d %H:%M:%S")
                    e["summary"] = orjson.dumps(e["result"]).decode()[:120]
                    rows.append(e)
                    if len(rows) == limit:
                        break
        return rows, (rows[-1]["seq"] if len(rows) == limit else None)

    @app.get("/audit", response_class=HTMLResponse, include_in_schema=False)
    def audit(request: Request, after: int = 0, kind: str = "") -> Response:
        if _actor(request) is None:
            return RedirectResponse(f"/signin?lang={_lang(request)}", status_code=303)
        limit = 50
        rows, next_after = _journal_rows(request, after, kind, limit)
        kinds = sorted(request.app.state.edge.platform.sequencer.catalog or COMMANDS)
        return render(request, "audit.html", entries=rows, after=after, kind=kind,
                      kinds=kinds, limit=limit, next_after=next_after)

    @app.get("/audit.csv", include_in_schema=False)
    def audit_csv(request: Request, after: int = 0, kind: str = "") -> Response:
        rows, _ = _journal_rows(request, after, kind, 1000)
        body = csv_bytes(["seq", "time_utc", "kind", "actor", "role", "result"],
                         ([e["seq"], e["when"], e["kind"], e["actor"]["id"],
                           e["actor"]["role"], e["summary"]] for e in rows))
        return Response(body, media_type="text/csv",
                        headers={"Content-Disposition": 'attachment; filename="journal.csv"'})

    @app.get("/signin", response_class=HTMLResponse, include_in_schema=False)
    def signin_form(request: Request) -> HTMLResponse:
        return signin_page(request)

    def signin_page(request: Request, status: int = 200, error: str = "") -> HTMLResponse:
        token = sessions.signin_token(request)
        page = render(request, "signin.html", status=status, csrf=token, error=error)
        sessions.remember_signin_token(request, page, token)
        return page

    @app.post("/signin", include_in_schema=False)
    def signin(request: Request, api_key: str = Form(""), csrf: str = Form("")) -> Response:
        sessions.check_form(request, csrf, None)
        try:
            holder = request.app.state.edge.holder(api_key.strip())
        except QingshanError as exc:
            return signin_page(request, 401, error_text(exc.code, exc.message, _lang(request)))
        resp = RedirectResponse(f"/me?lang={_lang(request)}", status_code=303)
        sessions.open_session(request, resp, holder)
        return resp

    @app.get("/signout", include_in_schema=False)
    def signout_page(request: Request) -> Response:
        """Signing out is a form on the member's page (a link could be followed by anyone)."""
        return RedirectResponse(f"/me?lang={_lang(request)}", status_code=303)

    @app.post("/signout", include_in_schema=False)
    def signout(request: Request, csrf: str = Form("")) -> Response:
        sessions.check_form(request, csrf, sessions.current(request))
        resp = RedirectResponse(f"/?lang={_lang(request)}", status_code=303)
        sessions.end_session(request, resp)
        return resp

    @app.get("/me", response_class=HTMLResponse, include_in_schema=False)
    def me(request: Request, form: str = "order") -> Response:
        session = sessions.current(request)
        if session is None:
            return RedirectResponse(f"/signin?lang={_lang(request)}", status_code=303)
        actor = session.principal
        edge = request.app.state.edge
        ctx: dict[str, Any] = {"actor": actor, **notes(request, session), "form": form,
                               "form_key": secrets.token_urlsafe(16), "csrf": session.csrf}
        with edge.read() as conn:
            if actor.party_id is not None:
                accounts = queries.party_accounts(conn, actor.party_id)
                ids = [a["id"] for a in accounts]
                ctx["holdings"] = [queries.holdings(conn, a["id"]) for a in accounts
                                   if a["type"] == "holding"]
                ctx["orders"] = market_queries.orders_of(conn, ids)
                ctx["retirements"] = queries.retirements_of(conn, ids)
                ctx["my_projects"] = rq.projects_of(conn, actor.party_id)
            ctx["instruments"] = market_queries.instruments(conn)
            if actor.role in (Role.COURT, Role.BANK) and actor.party_id is not None:
                kind = "judicial_freeze" if actor.role is Role.COURT else "pledge"
                ctx["controlled"] = queries.holds_controlled(conn, actor.party_id, kind=kind)
            if actor.role is Role.OPERATOR:
                ctx["pending"] = rq.pending_requests(conn)
                ctx["statistics"] = rq.registry_statistics(conn)
            if actor.role is Role.VERIFIER and actor.party_id is not None:
                ctx["queue"] = rq.verifier_queue(conn, actor.party_id)
        return render(request, "me.html", **ctx)

    async def _submit(request: Request, kind: str,
                      payload: dict[str, Any] | Callable[[], dict[str, Any]],
                      key: str, csrf: str, form: str = "order", back: str = "") -> Response:
        """Send one command as the signed-in actor; answer on ``back`` (a market page) or on
        the member's page, with the result or the error next to its field. ``payload`` may be
        a function that reads the form's fields, so an error there is shown the same way."""
        lang = _lang(request)
        session = sessions.current(request)
        if session is None:  # signed out meanwhile (or never signed in): nothing is done
            return RedirectResponse(f"/signin?lang={lang}", status_code=303)
        sessions.check_form(request, csrf, session)
        page = back if back.startswith("/market/") and "?" not in back and "//" not in back \
            else "/me"
        edge = request.app.state.edge
        message = error = field = ""
        try:
            data = payload() if callable(payload) else payload
            fut = edge.platform.sequencer.submit(
                [command_from_payload(kind, data, edge.platform.sequencer.catalog)],
                session.principal,
                                                 f"web/{key}")
            receipts = await asyncio.wrap_future(fut)
        except QingshanError as exc:
            field = str(exc.data.get("field", "") or FIELD_OF_CODE.get(exc.code, ""))
            error = error_text(exc.code, exc.message, lang)
        else:
            result = receipts[0].result
            message = f"{kind} #{receipts[0].seq}: {result.get('status', 'ok')}"
            if "retirement" in result:
                message = f"{kind} #{receipts[0].seq}: {result['retirement']}"
        sig = session.sign(message, error, field, form)
        return RedirectResponse(f"{page}?lang={lang}&message={quote(message)}"
                                f"&error={quote(error)}&field={quote(field)}&form={form}"
                                f"&sig={sig}", status_code=303)

    @app.post("/me/orders", include_in_schema=False)
    async def place_order(request: Request, instrument: str = Form(""),
                          account: str = Form(""), side: str = Form("sell"),
                          price: str = Form(""), quantity: str = Form(""),
                          key: str = Form(""), csrf: str = Form(""),
                          back: str = Form("")) -> Response:
        return await _submit(request, "place_order", lambda: {
            "instrument": instrument, "account": account, "side": side,
            "order_type": "limit", "price": digits(price, "price"),
            "quantity": digits(quantity, "quantity")}, key, csrf, back=back)

    @app.post("/me/retirements", include_in_schema=False)
    async def retire(request: Request, account: str = Form(""), quantity: str = Form(""),
                     purpose: str = Form("carbon_neutrality"), beneficiary: str = Form(""),
                     reason: str = Form(""), reference: str = Form(""),
                     key: str = Form(""), csrf: str = Form("")) -> Response:
        """A member retires credits from its account; the answer links the certificate."""
        return await _submit(request, "retire_units", lambda: {
            "asset": "CQCER", "account": account, "quantity": digits(quantity, "quantity"),
            "purpose": purpose, "beneficiary": beneficiary, "reason": reason,
            "reference": reference}, key, csrf, form="retire")

    @app.post("/me/freezes", include_in_schema=False)
    async def freeze(request: Request, account: str = Form(""), quantity: str = Form(""),
                     reference: str = Form(""), key: str = Form(""),
                     csrf: str = Form("")) -> Response:
        """A court freezes units in an account under a case (a judicial freeze it controls)."""
        return await _submit(request, "place_hold", lambda: {
            "hold_kind": "judicial_freeze", "asset": "CQCER", "account": account.strip(),
            "quantity": digits(quantity, "quantity"), "reference": reference}, key, csrf,
            form="freeze")

    @app.post("/me/holds/{hold}", include_in_schema=False)
    async def resolve_hold(request: Request, hold: str, action: str = Form("release"),
                           destination: str = Form(""), key: str = Form(""),
                           csrf: str = Form("")) -> Response:
        """A court lifts its freeze; a bank releases a pledge or enforces it into its own
        account (the ledger checks that the actor controls the hold)."""
        if action == "enforce":
            return await _submit(request, "enforce_hold",
                                 {"hold": hold, "destination": destination,
                                  "reason": "enforced on the bank's page"}, key, csrf,
                                 form="holds")
        return await _submit(request, "release_hold",
                             {"hold": hold, "reason": "released on the controller's page"},
                             key, csrf, form="holds")

    @app.post("/me/validate/{project}", include_in_schema=False)
    async def validate(request: Request, project: str, approve: str = Form("yes"),
                       opinion: str = Form(""), key: str = Form(""),
                       csrf: str = Form("")) -> Response:
        return await _submit(request, "validate_project",
                             {"project": project, "approve": approve == "yes",
                              "opinion": opinion}, key, csrf)

    @app.post("/me/verify/{report}", include_in_schema=False)
    async def verify(request: Request, report: str, approve: str = Form("yes"),
                     verified_quantity: str = Form(""), opinion: str = Form(""),
                     key: str = Form(""), csrf: str = Form("")) -> Response:
        return await _submit(request, "verify_monitoring_report", lambda: {
            "report": report, "approve": approve == "yes",
            "verified_quantity": digits(verified_quantity, "verified_quantity"),
            "opinion": opinion}, key, csrf)

    @app.post("/me/market/{instrument}", include_in_schema=False)
    async def market_control(request: Request, instrument: str, action: str = Form(""),
                             key: str = Form(""), csrf: str = Form("")) -> Response:
        """The operator's market controls: a phase, the call auction, the close of day."""
        if action in ("call", "continuous", "halted"):
            return await _submit(request, "set_phase", {"instrument": instrument,
                                                        "phase": action,
                                                        "reason": "operator's page"}, key, csrf)
        kind = {"uncross": "run_call_auction", "close": "close_day"}.get(action, action)
        return await _submit(request, kind, {"instrument": instrument}, key, csrf)

    @app.post("/me/issuance/{request_id}", include_in_schema=False)
    async def decide(request: Request, request_id: str, approve: str = Form("yes"),
                     key: str = Form(""), csrf: str = Form("")) -> Response:
        return await _submit(request, "decide_issuance",
                             {"request": request_id, "approve": approve == "yes",
                              "reason": "approved in the operator's queue" if approve == "yes"
                              else "refused in the operator's queue"}, key, csrf)
