"""The verifier's part of the signed-in page: its queue (projects to validate, monitoring
reports to verify) and the two forms."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlalchemy import Connection

from qingshan.ledger.domain.model import Principal, Role
from qingshan.ledger.domain.parsing import digits
from qingshan.registry import queries as rq
from qingshan.web.forms import submit

router = APIRouter(include_in_schema=False)


def context(conn: Connection, actor: Principal) -> dict[str, Any]:
    if actor.role is not Role.VERIFIER or actor.party_id is None:
        return {}
    return {"queue": rq.verifier_queue(conn, actor.party_id)}


@router.post("/me/validate/{project}")
async def validate(request: Request, project: str, approve: str = Form("yes"),
                   opinion: str = Form(""), key: str = Form(""),
                   csrf: str = Form("")) -> Response:
    return await submit(request, "validate_project",
                        {"project": project, "approve": approve == "yes",
                         "opinion": opinion}, key, csrf)


@router.post("/me/verify/{report}")
async def verify(request: Request, report: str, approve: str = Form("yes"),
                 verified_quantity: str = Form(""), opinion: str = Form(""),
                 key: str = Form(""), csrf: str = Form("")) -> Response:
    return await submit(request, "verify_monitoring_report", lambda: {
        "report": report, "approve": approve == "yes",
        "verified_quantity": digits(verified_quantity, "verified_quantity"),
        "opinion": opinion}, key, csrf)
