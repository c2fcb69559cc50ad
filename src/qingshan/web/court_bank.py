"""The court's and the bank's part of the signed-in page: the holds they control (a court's
judicial freezes under case numbers, a bank's pledges) and their forms: a court freezes units
and lifts its freeze; a bank releases a pledge or enforces it into its own account (the ledger
checks that the actor controls the hold)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlalchemy import Connection

from qingshan.ledger import queries
from qingshan.ledger.domain.model import Principal, Role
from qingshan.ledger.domain.parsing import digits
from qingshan.web.forms import submit

router = APIRouter(include_in_schema=False)
HOLD_KIND = {Role.COURT: "judicial_freeze", Role.BANK: "pledge"}


def context(conn: Connection, actor: Principal) -> dict[str, Any]:
    """What the signed-in page shows a court or a bank: the holds it controls."""
    kind = HOLD_KIND.get(actor.role)
    if kind is None or actor.party_id is None:
        return {}
    return {"controlled": queries.holds_controlled(conn, actor.party_id, kind=kind)}


@router.post("/me/freezes")
async def freeze(request: Request, account: str = Form(""), quantity: str = Form(""),
                 reference: str = Form(""), key: str = Form(""),
                 csrf: str = Form("")) -> Response:
    """A court freezes units in an account under a case (a judicial freeze it controls)."""
    return await submit(request, "place_hold", lambda: {
        "hold_kind": "judicial_freeze", "asset": "CQCER", "account": account.strip(),
        "quantity": digits(quantity, "quantity"), "reference": reference}, key, csrf,
        form="freeze")


@router.post("/me/holds/{hold}")
async def resolve_hold(request: Request, hold: str, action: str = Form("release"),
                       destination: str = Form(""), key: str = Form(""),
                       csrf: str = Form("")) -> Response:
    """A court lifts its freeze; a bank releases a pledge or enforces it."""
    if action == "enforce":
        return await submit(request, "enforce_hold",
                            {"hold": hold, "destination": destination,
                             "reason": "enforced on the bank's page"}, key, csrf,
                            form="holds")
    return await submit(request, "release_hold",
                        {"hold": hold, "reason": "released on the controller's page"},
                        key, csrf, form="holds")
