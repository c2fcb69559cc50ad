"""HTTP edge of forestry carbon-sink pledge loans (林业碳汇预期收益权质押贷款, GitHub issue 15):
a bank's credit lines to districts, appraisals of a forestry project's expected carbon
income, loans whose pledge the registry enforces, repayments and enforcement; the loan book
and exposure by district for the bank; public totals by district.

Loans, appraisals and lines are commercial data: their bank, the borrower, the operator and
auditors read them (``queries.may_read``). Every rule is the handlers'; the routes only hand
commands to the sequencer."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from qingshan.api import responses as r
from qingshan.api import responses_lending as rl
from qingshan.api import schemas as s
from qingshan.api.deps import Actor, After, EdgeDep, IdemKey, Limit, one, run
from qingshan.api.responses_contexts import many
from qingshan.lending import queries, report

router = APIRouter(prefix="/api/v1/lending", tags=["lending"])


# ------------------------------------------------------------------------------ writes
@router.post("/lines", **r.write())
async def open_credit_line(body: s.CreditLineIn, edge: EdgeDep, actor: Actor,
                           key: IdemKey = None) -> Response:
    """A bank grants a district a credit line for forestry carbon-sink loans."""
    return await run(edge, one("open_credit_line", s.payload(body), edge), actor, key)


@router.post("/appraisals", **r.write())
async def appraise_collateral(body: s.AppraisalIn, edge: EdgeDep, actor: Actor,
                              key: IdemKey = None) -> Response:
    """A bank values a forestry project's expected carbon income from its stand inventory
    (with ``loan``: revalues that loan's collateral and tests its covenant)."""
    return await run(edge, one("appraise_collateral", s.payload(body), edge), actor, key)


@router.post("/loans", **r.write())
async def grant_loan(body: s.LoanIn, edge: EdgeDep, actor: Actor,
                     key: IdemKey = None) -> Response:
    """A bank lends against a registered forestry project on its latest appraisal: the
    project's units are pledged now, and every later issuance as it is issued."""
    return await run(edge, one("grant_loan", s.payload(body), edge), actor, key)


@router.post("/loans/{loan}/repayments", **r.write())
async def record_repayment(loan: str, body: s.RepaymentIn, edge: EdgeDep, actor: Actor,
                           key: IdemKey = None) -> Response:
    """The bank records a repayment; repaying the principal in full releases the pledge."""
    return await run(edge, one("record_repayment", s.payload(body, loan=loan), edge), actor,
                     key)


@router.post("/loans/{loan}/enforce", **r.write())
async def enforce_pledge(loan: str, body: s.EnforcePledgeIn, edge: EdgeDep, actor: Actor,
                         key: IdemKey = None) -> Response:
    """A loan in default: the pledged units move to the bank's account."""
    return await run(edge, one("enforce_pledge", s.payload(body, loan=loan), edge), actor,
                     key)


# ------------------------------------------------------------------------------ reads
@router.get("/summary", **r.ok(rl.Summary))
def summary(edge: EdgeDep) -> dict[str, Any]:
    """Public: loans and their principal, credit lines and their limits, by district."""
    with edge.read() as conn:
        return queries.summary(conn)


@router.get("/loans", **r.ok(many(rl.Loan)))
def loans(edge: EdgeDep, actor: Actor) -> list[dict[str, Any]]:
    """The loans you may read (a bank its own, a borrower its own), newest first."""
    with edge.read() as conn:
        return queries.loans(conn, actor)


@router.get("/alerts", **r.ok(many(rl.LoanAlert)))
def alerts(edge: EdgeDep, actor: Actor, after: After = 0,
           limit: Limit = 100) -> list[dict[str, Any]]:
    """The alerts on the loans you may read, in the journal's order after the entry ``after``
    (poll with the last ``seq`` seen): new pledges, the platform's revaluations (on a
    monitoring result, a reported loss, a price move), covenant breaches, disturbances,
    defaults."""
    with edge.read() as conn:
        return queries.alerts(conn, actor, after=after, limit=limit)


@router.get("/loans/{loan}", **r.ok(rl.LoanDetail))
def loan(loan: str, edge: EdgeDep, actor: Actor) -> dict[str, Any]:
    """A loan with its schedule, repayments, appraisals and alerts."""
    with edge.read() as conn:
        return queries.loan(conn, loan, actor)


@router.get("/appraisals/{appraisal}.pdf", response_class=Response,
            **r.media("application/pdf", "the appraisal's valuation report as PDF"))
def appraisal_pdf(appraisal: str, edge: EdgeDep, actor: Actor) -> Response:
    """The valuation report: every input, the projection of credits a year (P50 and the
    P10–P90 band) and the values by scenario (read as the appraisal)."""
    with edge.read() as conn:
        found = queries.appraisal(conn, appraisal, actor)
    return Response(report.render_pdf(found), media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{appraisal}.pdf"'})


@router.get("/appraisals/{appraisal}", **r.ok(rl.Appraisal))
def appraisal(appraisal: str, edge: EdgeDep, actor: Actor) -> dict[str, Any]:
    """An appraisal: every input (stands, parameter set, draws and seed, prices, rates) and
    every result (credits by year at P50 and P90, values by scenario, the ceiling)."""
    with edge.read() as conn:
        return queries.appraisal(conn, appraisal, actor)


@router.get("/exposure", **r.ok(many(rl.Exposure)))
def exposure(edge: EdgeDep, actor: Actor) -> list[dict[str, Any]]:
    """Outstanding principal, collateral and credit lines by district (your own loans)."""
    with edge.read() as conn:
        return queries.exposure(conn, actor)


@router.get("/lines", **r.ok(many(rl.CreditLine)))
def lines(edge: EdgeDep, actor: Actor) -> list[dict[str, Any]]:
    """The credit lines you may read, with what their active loans owe."""
    with edge.read() as conn:
        return queries.lines(conn, actor)
