"""Pledge loans' pages (林业碳汇预期收益权质押贷款): the public view (``/lending``: loans,
principal and credit lines by district on a map and in a table), the loan book and exposure by
district for a bank, the operator and auditors (a borrower sees its own loans), a loan with its
schedule, repayments, pledge, appraisals, alerts and the bank's forms (record a repayment,
revalue on the latest stands, enforce when overdue), an appraisal's valuation report (every
input and result, the projection drawn as a P50 line over the P10–P90 band) and its PDF; and
the bank's part of ``/me``: its credit lines and the loans that need a look. Reads go through
:mod:`qingshan.lending.queries`; forms submit commands to the sequencer like every page's."""

from __future__ import annotations

import re
import secrets
from typing import Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import Connection

from qingshan.errors import Forbidden, InvalidNumber
from qingshan.ledger import queries as ledger_queries
from qingshan.ledger.domain.model import Principal, Role
from qingshan.lending import queries, report
from qingshan.lending.model import BPS, M2_PER_HA
from qingshan.reference.chongqing import DISTRICTS_2024
from qingshan.web import charts, geo, sessions
from qingshan.web.charts import money
from qingshan.web.forms import notes, signin_redirect, submit
from qingshan.web.render import district_names, lang_of, render
from qingshan.web.strings import TEXT

router = APIRouter(include_in_schema=False)
_YUAN = re.compile(r"[0-9]{1,13}(\.[0-9]{1,2})?")
BOOK_ROLES = frozenset({Role.BANK, Role.OPERATOR, Role.SYSTEM, Role.AUDITOR, Role.MEMBER})


def fen(value: str, field: str, *, blank: int | None = None) -> int:
    """Yuan typed into a form (digits 0-9, at most two decimals) as fen; an empty field is
    ``blank`` when given."""
    value = value.strip().replace(",", "")
    if not value and blank is not None:
        return blank
    if not _YUAN.fullmatch(value):
        raise InvalidNumber(f"{field} is an amount in yuan written with the digits 0-9",
                            field=field, value=value[:64])
    whole, _, cents = value.partition(".")
    return int(whole) * 100 + int((cents + "00")[:2])


def pct(bps: int | None) -> str:
    return "—" if bps is None else f"{bps / 100:.2f}%"


def _names(conn: Connection, ids: set[str]) -> dict[str, str]:
    out = {}
    for pid in ids:
        p = ledger_queries.party(conn, pid)
        out[pid] = p["name"] if p else pid
    return out


@router.get("/lending", response_class=HTMLResponse)
def public_page(request: Request) -> HTMLResponse:
    lang = lang_of(request)
    text = TEXT[lang]
    with request.app.state.edge.read() as conn:
        view = queries.summary(conn)
    names = district_names(lang)
    values = {r["code"]: r["principal"] // 100 for r in view["by_district"] if r["code"]}
    rings = geo.load()
    unit = "元" if lang == "zh" else "CNY"
    if rings:
        figure = charts.district_map(rings, values, names, title=text["lending_map"],
                                     unit=unit)
    else:
        seats = {d.code: (d.lon, d.lat) for d in DISTRICTS_2024}
        figure = charts.symbol_map([(names.get(c, c), *seats[c], values.get(c, 0))
                                    for c in seats], title=text["lending_map"], unit=unit)
    return render(request, "lending.html", view=view, map=figure, money=money,
                  names=names)


def _signed_in(request: Request) -> Principal | None:
    session = sessions.current(request)
    return None if session is None else session.principal


@router.get("/lending/loans", response_class=HTMLResponse)
def book_page(request: Request) -> Response:
    actor = _signed_in(request)
    if actor is None:
        return signin_redirect(request)
    if actor.role not in BOOK_ROLES:
        raise Forbidden("the loan book is read by banks, borrowers, the operator and auditors",
                        role=actor.role.value)
    lang = lang_of(request)
    with request.app.state.edge.read() as conn:
        loans = queries.loans(conn, actor)
        exposure = queries.exposure(conn, actor)
        banks = _names(conn, {n["bank"] for n in loans} | {n["borrower"] for n in loans})
        alerts = {n["id"]: queries.loan(conn, n["id"], actor)["alerts"] for n in loans}
    names = district_names(lang)
    chart = charts.bar_chart([(names.get(r["code"], r["code"]), r["outstanding"] // 100)
                              for r in exposure], title=TEXT[lang]["exposure"],
                             unit="元" if lang == "zh" else "CNY")
    return render(request, "lending_book.html", loans=loans, exposure=exposure, chart=chart,
                  names=names, parties=banks, alerts=alerts, money=money, pct=pct)


@router.get("/lending/loans/{loan}", response_class=HTMLResponse)
def loan_page(request: Request, loan: str) -> Response:
    session = sessions.current(request)
    if session is None:
        return signin_redirect(request)
    actor = session.principal
    with request.app.state.edge.read() as conn:
        found = queries.loan(conn, loan, actor)
        parties = _names(conn, {found["bank"], found["borrower"]})
        accounts = [a for a in ledger_queries.party_accounts(conn, found["bank"])
                    if a["type"] == "holding"]
    acts = found["status"] == "active" and (
        actor.role in (Role.OPERATOR, Role.SYSTEM)
        or (actor.role is Role.BANK and actor.party_id == found["bank"]))
    return render(request, "lending_loan.html", n=found, parties=parties, acts=acts,
                  accounts=accounts, names=district_names(lang_of(request)), money=money,
                  pct=pct, csrf=session.csrf, form_key=secrets.token_urlsafe(16),
                  **notes(request, session))


def _appraisal(request: Request, appraisal: str) -> dict[str, Any] | None:
    actor = _signed_in(request)
    if actor is None:
        return None
    with request.app.state.edge.read() as conn:
        found = queries.appraisal(conn, appraisal, actor)
        found["bank_name"] = _names(conn, {found["bank"]})[found["bank"]]
    return found


@router.get("/lending/appraisals/{appraisal}.pdf")
def appraisal_pdf(request: Request, appraisal: str) -> Response:
    found = _appraisal(request, appraisal)
    if found is None:
        return signin_redirect(request)
    return Response(report.render_pdf(found), media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{appraisal}.pdf"'})


@router.get("/lending/appraisals/{appraisal}", response_class=HTMLResponse)
def appraisal_page(request: Request, appraisal: str) -> Response:
    found = _appraisal(request, appraisal)
    if found is None:
        return signin_redirect(request)
    text = TEXT[lang_of(request)]
    year = int(found["day"][:4]) + 1
    chart = charts.band_chart(found["p10"], found["p50"], found["p90"],
                              title=text["projection"], first_year=year)
    values = {(v["scenario"], v["basis"]): v["value"] for v in found["values"]}
    stands = [{**s, "area_ha": s["area_m2"] / M2_PER_HA, "site": s["site_bps"] / BPS,
               "stocking": s.get("stocking_bps", BPS) / BPS}
              for s in found["stands"]]
    return render(request, "lending_appraisal.html", a=found, chart=chart, values=values,
                  stands=stands, names=district_names(lang_of(request)), money=money, pct=pct)


# ---------------------------------------------------------------------- the bank's forms
@router.post("/lending/loans/{loan}/repayments")
async def repay(request: Request, loan: str, principal: str = Form(""),
                interest: str = Form(""), key: str = Form(""),
                csrf: str = Form("")) -> Response:
    """The bank records what the borrower paid (yuan)."""
    return await submit(request, "record_repayment", lambda: {
        "loan": loan, "principal": fen(principal, "principal", blank=0),
        "interest": fen(interest, "interest", blank=0)}, key, csrf, form="repayment",
        back=f"/lending/loans/{loan}")


def _revaluation(request: Request, loan: str, reason: str, price: str) -> dict[str, Any]:
    """An appraisal of the loan's project on the latest appraisal's stands (their ages as of
    its stands' day, so they have grown since) and terms."""
    actor = _signed_in(request)
    if actor is None:
        raise Forbidden("sign in first")
    with request.app.state.edge.read() as conn:
        n = queries.loan(conn, loan, actor)
        a = queries.appraisal(conn, n["latest_appraisal"], actor)
    return {"project": n["project"], "bank": n["bank"], "loan": loan, "reason": reason,
            "stands": a["stands"], "stands_day": a["stands_day"], "horizon": a["horizon"],
            "draws": a["draws"],
            "seed": a["seed"], "price": fen(price, "price", blank=0),
            "stress_bps": a["stress_bps"], "discount_bps": a["discount_bps"],
            "ltv_bps": a["ltv_bps"], "scenario": a["scenario"]}


@router.post("/lending/loans/{loan}/revalue")
async def revalue(request: Request, loan: str, reason: str = Form("periodic"),
                  price: str = Form(""), key: str = Form(""),
                  csrf: str = Form("")) -> Response:
    """The bank revalues the collateral on the latest stands (and tests the covenant)."""
    return await submit(request, "appraise_collateral",
                        lambda: _revaluation(request, loan, reason, price), key, csrf,
                        form="revalue", back=f"/lending/loans/{loan}")


@router.post("/lending/loans/{loan}/enforce")
async def enforce(request: Request, loan: str, account: str = Form(""),
                  note: str = Form(""), key: str = Form(""),
                  csrf: str = Form("")) -> Response:
    """The bank enforces the pledge of a loan in default into its holding account."""
    return await submit(request, "enforce_pledge", {
        "loan": loan, "account": account.strip(), "note": note}, key, csrf,
        form="enforce", back=f"/lending/loans/{loan}")


# ---------------------------------------------------------------------- the /me part
def context(conn: Connection, actor: Principal) -> dict[str, Any]:
    """What the signed-in page shows a bank: its credit lines, the loans that need a look
    (overdue, above the covenant, appraised more than a year ago) and its latest alerts (the
    platform's revaluations among them)."""
    if actor.role is not Role.BANK or actor.party_id is None:
        return {}
    return {"lending_lines": queries.lines(conn, actor),
            "lending_attention": queries.attention(conn, actor),
            "lending_alerts": queries.recent_alerts(conn, actor)}
