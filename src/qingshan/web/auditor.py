"""The auditor's (and the operator's) pages: the whole journal, paged and filtered by kind,
and its CSV export."""

from __future__ import annotations

import datetime as dt
from typing import Any

import orjson
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from qingshan.errors import Forbidden
from qingshan.ledger import queries
from qingshan.ledger.domain import policy
from qingshan.ledger.domain.commands import COMMANDS
from qingshan.web.exports import csv_bytes
from qingshan.web.forms import actor_of, signin_redirect
from qingshan.web.render import render

router = APIRouter(include_in_schema=False)


def journal_rows(request: Request, after: int, kind: str,
                 limit: int) -> tuple[list[dict[str, Any]], int | None]:
    actor = actor_of(request)
    if actor is None or not policy.reads_all(actor):
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


@router.get("/audit", response_class=HTMLResponse)
def audit(request: Request, after: int = 0, kind: str = "") -> Response:
    if actor_of(request) is None:
        return signin_redirect(request)
    limit = 50
    rows, next_after = journal_rows(request, after, kind, limit)
    kinds = sorted(request.app.state.edge.platform.sequencer.catalog or COMMANDS)
    return render(request, "audit.html", entries=rows, after=after, kind=kind,
                  kinds=kinds, limit=limit, next_after=next_after)


@router.get("/audit.csv")
def audit_csv(request: Request, after: int = 0, kind: str = "") -> Response:
    rows, _ = journal_rows(request, after, kind, 1000)
    body = csv_bytes(["seq", "time_utc", "kind", "actor", "role", "result"],
                     ([e["seq"], e["when"], e["kind"], e["actor"]["id"],
                       e["actor"]["role"], e["summary"]] for e in rows))
    return Response(body, media_type="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="journal.csv"'})
