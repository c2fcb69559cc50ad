"""The public registry's pages: projects (sorted, paged), a project, the buffer pool, the
grid-factor table, a retirement's certificate (with its proof checked on request) and the
serial look-up. Public: what they show is what the policy shows a reader without a key."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from qingshan.errors import NotFound, QingshanError
from qingshan.ledger import queries
from qingshan.ledger import transparency as tlog
from qingshan.ledger.domain import policy
from qingshan.ledger.domain.serials import parse_serial
from qingshan.registry import queries as rq
from qingshan.registry.certificates import certificate
from qingshan.web.render import district_names, lang_of, render
from qingshan.web.strings import error_text

PAGE_SIZE = 25
router = APIRouter(include_in_schema=False)


@router.get("/registry", response_class=HTMLResponse)
def registry_page(request: Request, sort: str = "id", desc: bool = False,
                  page: int = 1) -> HTMLResponse:
    names = district_names(lang_of(request))
    with request.app.state.edge.read() as conn:
        projects = [policy.project_for(p, None) for p in rq.projects(conn, limit=500)]
        stats = rq.summary(conn)
        retirements = queries.retirements(conn, limit=100)
    keys = {"id": lambda p: p["id"], "name": lambda p: p["name"],
            "methodology": lambda p: p["methodology"],
            "district": lambda p: names.get(p["location"]["district"], ""),
            "status": lambda p: p["status"],
            "estimated": lambda p: p["estimated_annual"]}
    sort = sort if sort in keys else "id"
    projects.sort(key=keys[sort], reverse=desc)
    pages = max(1, -(-len(projects) // PAGE_SIZE))
    page = min(max(page, 1), pages)
    return render(request, "projects.html",
                  projects=projects[(page - 1) * PAGE_SIZE: page * PAGE_SIZE],
                  total=len(projects), page=page, pages=pages, sort=sort, desc=desc,
                  stats=stats, retirements=retirements, districts=names)


@router.get("/registry/buffer", response_class=HTMLResponse)
def buffer_page(request: Request) -> HTMLResponse:
    """The buffer pool in public: what it holds, each issuance's share, each loss's draw."""
    with request.app.state.edge.read() as conn:
        pool = rq.buffer_pool(conn)
        events = rq.losses(conn)
    return render(request, "buffer.html", pool=pool, losses=events)


@router.get("/registry/factors", response_class=HTMLResponse)
def factors_page(request: Request) -> HTMLResponse:
    """The grid-factor table, each row with its source."""
    with request.app.state.edge.read() as conn:
        rows = rq.grid_factors(conn)
    return render(request, "factors.html", rows=rows)


@router.get("/registry/projects/{pid}", response_class=HTMLResponse)
def project_page(request: Request, pid: str) -> HTMLResponse:
    with request.app.state.edge.read() as conn:
        p = rq.project(conn, pid)
    if p["status"] == "draft":  # a draft is its proponent's business (the API shows it)
        raise NotFound("no such project", project=pid)
    return render(request, "project.html", p=policy.project_for(p, None),
                  districts=district_names(lang_of(request)))


@router.get("/certificates/{rid}", response_class=HTMLResponse)
def certificate_page(request: Request, rid: str) -> HTMLResponse:
    edge = request.app.state.edge
    with edge.read() as conn:
        cert = certificate(conn, rid, edge.platform.public_key_pem)
    verified: dict[str, Any] | None = None
    if request.query_params.get("verify"):
        try:
            tlog.check_bundle(tlog.InclusionBundle.from_json(cert["bundle_json"]),
                              edge.platform.public_key_pem)
            verified = {"valid": True}
        except tlog.ProofError as exc:
            verified = {"valid": False, "reason": exc.message}
    return render(request, "certificate.html", c=cert, verified=verified)


@router.get("/serials", response_class=HTMLResponse)
def serial_page(request: Request, q: str = "") -> HTMLResponse:
    found: dict[str, Any] | None = None
    error: str | None = None
    if q:
        try:
            sn = parse_serial(q)
            with request.app.state.edge.read() as conn:
                # the public page: no reader, so every account as the policy shows it
                found = policy.serial_for(queries.find_serial(conn, sn), set())
        except QingshanError as exc:
            error = error_text(exc.code, exc.message, lang_of(request))
    return render(request, "serial.html", status=200 if error is None else 404, q=q,
                  found=found, error=error)
