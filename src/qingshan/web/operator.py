"""The operator's part of the signed-in page: the issuance-approval queue, the registry's
statistics and the market controls (a phase, the call auction, the close of day)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlalchemy import Connection

from qingshan.ledger.domain.model import Principal, Role
from qingshan.registry import queries as rq
from qingshan.web.forms import submit

router = APIRouter(include_in_schema=False)


def context(conn: Connection, actor: Principal) -> dict[str, Any]:
    if actor.role is not Role.OPERATOR:
        return {}
    return {"pending": rq.pending_requests(conn), "statistics": rq.registry_statistics(conn)}


@router.post("/me/market/{instrument}")
async def market_control(request: Request, instrument: str, action: str = Form(""),
                         key: str = Form(""), csrf: str = Form("")) -> Response:
    """The operator's market controls: a phase, the call auction, the close of day."""
    if action in ("call", "continuous", "halted"):
        return await submit(request, "set_phase", {"instrument": instrument,
                                                   "phase": action,
                                                   "reason": "operator's page"}, key, csrf)
    kind = {"uncross": "run_call_auction", "close": "close_day"}.get(action, action)
    return await submit(request, kind, {"instrument": instrument}, key, csrf)


@router.post("/me/issuance/{request_id}")
async def decide(request: Request, request_id: str, approve: str = Form("yes"),
                 key: str = Form(""), csrf: str = Form("")) -> Response:
    return await submit(request, "decide_issuance",
                        {"request": request_id, "approve": approve == "yes",
                         "reason": "approved in the operator's queue" if approve == "yes"
                         else "refused in the operator's queue"}, key, csrf)
