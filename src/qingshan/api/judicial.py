"""HTTP edge of judicial offsetting (以碳代偿): a court's cases and their execution, the
public's supervision figures, per-year CSV, and each case's certificate with its proof.

A case's sealed details (defendants' names, payment references and payers, the refund
account) are for its court, the operator, auditors and supervisors
(``policy.may_read_case``); everyone else sees it anonymised (张某)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from qingshan.api import responses as r
from qingshan.api import responses_judicial as rj
from qingshan.api import schemas as s
from qingshan.api.deps import Actor, EdgeDep, IdemKey, MaybeActor, one, run
from qingshan.errors import InvalidInput, NotFound
from qingshan.judicial import queries
from qingshan.ledger import queries as ledger_queries
from qingshan.registry import certificates
from qingshan.web.exports import csv_bytes

router = APIRouter(prefix="/api/v1/judicial", tags=["judicial"])


# ------------------------------------------------------------------------------ writes
@router.post("/cases", **r.write())
async def create_case(body: s.CaseIn, edge: EdgeDep, actor: Actor,
                      key: IdemKey = None) -> Response:
    """A court (or the operator) enters a judgment whose compensation is carried out in
    credits: money (``compensation_fen``) or tonnes, a deadline, the price cap and the kinds
    of credit it may buy. Opens the case's judicial carbon account."""
    return await run(edge, one("create_case", s.payload(body), edge), actor, key)


@router.post("/cases/{case}/amend", **r.write())
async def amend_case(case: str, body: s.AmendCaseIn, edge: EdgeDep, actor: Actor,
                     key: IdemKey = None) -> Response:
    """A later ruling amends the order (journaled with its reason)."""
    return await run(edge, one("amend_case", s.payload(body, case=case), edge), actor, key)


@router.post("/cases/{case}/payments", **r.write())
async def record_payment(case: str, body: s.PaymentIn, edge: EdgeDep, actor: Actor,
                         key: IdemKey = None) -> Response:
    """The defendant's payment arrived in the court's escrow (a reference counts once)."""
    return await run(edge, one("record_payment", s.payload(body, case=case), edge), actor,
                     key)


@router.post("/cases/{case}/purchases", **r.write())
async def purchase_for_case(case: str, body: s.CasePurchaseIn, edge: EdgeDep, actor: Actor,
                            key: IdemKey = None) -> Response:
    """Buy now on the market for the case, at the best offers up to ``limit_price`` (within
    the court's cap and credit kind); what is not offered is not bought: buy again later."""
    return await run(edge, one("purchase_for_case", s.payload(body, case=case), edge), actor,
                     key)


@router.post("/cases/{case}/retire", **r.write())
async def retire_for_case(case: str, edge: EdgeDep, actor: Actor,
                          key: IdemKey = None) -> Response:
    """Retire everything bought for the case (以碳代偿, the case number as reference)."""
    return await run(edge, one("retire_for_case", {"case": case}, edge), actor, key)


@router.post("/cases/{case}/close", **r.write())
async def close_case(case: str, body: s.CloseCaseIn, edge: EdgeDep, actor: Actor,
                     key: IdemKey = None) -> Response:
    """执结: money left over goes back to the refund account."""
    return await run(edge, one("close_case", s.payload(body, case=case), edge), actor, key)


@router.post("/cases/{case}/offers", **r.write())
async def offer_to_case(case: str, body: s.OfferIn, edge: EdgeDep, actor: Actor,
                        key: IdemKey = None) -> Response:
    """A seller (the account's member) offers named serials to a paid case at a price within
    the court's cap: each range within one issuance, of the project the order names."""
    return await run(edge, one("offer_to_case", s.payload(body, case=case), edge), actor, key)


@router.post("/cases/{case}/offers/{offer}/accept", **r.write())
async def accept_offer(case: str, offer: str, edge: EdgeDep, actor: Actor,
                       key: IdemKey = None) -> Response:
    """The court accepts an offer: serials to the case's account, the price from escrow to
    the seller, in one journal entry."""
    return await run(edge, one("accept_offer", {"case": case, "offer": offer}, edge), actor,
                     key)


# ------------------------------------------------------------------------------ reads

def _court_name(conn: Any, court: str) -> str:
    party = ledger_queries.party(conn, court)
    if party is None or party["kind"] != "court":
        raise NotFound("no such court", court=court)
    return str(party["name"])


@router.get("/courts", **r.ok(list[rj.CourtOut]))
def courts(edge: EdgeDep) -> list[dict[str, Any]]:
    """Public: the courts with cases."""
    with edge.read() as conn:
        return queries.courts(conn)


@router.get("/courts/{court}/supervision", **r.ok(rj.Supervision))
def supervision(court: str, edge: EdgeDep) -> dict[str, Any]:
    """Public supervision of a court: cases, money in, tonnes retired, the average price
    paid (fen per unit), what is pending and what is overdue."""
    with edge.read() as conn:
        name = _court_name(conn, court)
        return {**queries.supervision(conn, court, queries.today()), "name": name}


@router.get("/courts/{court}/cases", **r.ok(list[rj.CaseOut]))
def court_cases(court: str, edge: EdgeDep, actor: MaybeActor,
                status: str | None = None) -> list[dict[str, Any]]:
    """A court's cases: whole to the court, the operator, auditors and supervisors;
    anonymised to everyone else."""
    if status is not None and status not in ("ordered", "paid", "purchased", "retired",
                                             "closed"):
        raise InvalidInput("status is ordered, paid, purchased, retired or closed",
                           field="status")
    with edge.read() as conn:
        _court_name(conn, court)
        cases = queries.cases(conn, court=court, status=status)
        return [queries.for_reader(c, actor) for c in cases]


@router.get("/courts/{court}/years.csv", response_class=Response,
            **r.media("text/csv", "per year of judgment: cases, money in, spent, refunded, "
                      "tonnes retired"))
def court_years_csv(court: str, edge: EdgeDep) -> Response:
    with edge.read() as conn:
        _court_name(conn, court)
        years = queries.by_year(conn, court)
    header = ["year", "cases", "money_in_fen", "spent_fen", "refunded_fen", "retired_t"]
    body = csv_bytes(header, [[y["year"], y["cases"], y["money_in"], y["spent"],
                               y["refunded"], y["retired"]] for y in years])
    return Response(body, media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="judicial-{court}-years.csv"'})


@router.get("/cases/{case}", **r.ok(rj.CaseOut))
def case(case: str, edge: EdgeDep, actor: MaybeActor) -> dict[str, Any]:
    """A case with its payments, purchases and history (sealed details as above)."""
    with edge.read() as conn:
        return queries.for_reader(queries.case(conn, case), actor)


def _certificate(edge: Any, cid: str) -> tuple[dict[str, Any], dict[str, Any]]:
    with edge.read() as conn:
        found = queries.public_case(queries.case(conn, cid))
        if not found["retirement"]:
            raise NotFound("the case has no retirement yet", case=cid)
        return found, certificates.certificate(conn, found["retirement"],
                                               edge.platform.public_key_pem)


@router.get("/cases/{case}/certificate", **r.ok(rj.CaseCertificate))
def case_certificate(case: str, edge: EdgeDep) -> dict[str, Any]:
    """Public: the judicial certificate — the case (anonymised) and the certificate of its
    以碳代偿 retirement with the inclusion proof (``bundle_json``, checkable offline with
    ``qingshan log check``)."""
    found, cert = _certificate(edge, case)
    return {"case": found, "certificate": cert}


@router.get("/cases/{case}/certificate.pdf", response_class=Response,
            **r.media("application/pdf", "the case's retirement certificate as PDF"))
def case_certificate_pdf(case: str, request: Request, edge: EdgeDep) -> Response:
    _, cert = _certificate(edge, case)
    url = str(request.base_url).rstrip("/") + f"/judicial/cases/{case}"
    return Response(certificates.render_pdf(cert, url), media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{case}.pdf"'})
