"""HTTP edge of the registry context: the project lifecycle, monitoring and issuance, loss
events, the buffer pool, and the reference lists the operator imports (grid factors, green
certificates)."""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel

from qingshan.api import responses as r
from qingshan.api import responses_contexts as rc
from qingshan.api import schemas as s
from qingshan.api.bodies import raw_body
from qingshan.api.deps import Actor, EdgeDep, IdemKey, MaybeActor, one, run
from qingshan.errors import InvalidInput, NotFound
from qingshan.ledger.domain import policy
from qingshan.registry import certificates, imports, queries
from qingshan.registry.book import RegistryBook
from qingshan.registry.methodologies.base import Methodology, Source
from qingshan.web.exports import csv_bytes

router = APIRouter(prefix="/api/v1/registry", tags=["registry"])

async def _do(edge: EdgeDep, kind: str, body: BaseModel | dict[str, Any], actor: Actor,
              key: IdemKey, **path: str) -> Response:
    payload = s.payload(body, **path) if isinstance(body, BaseModel) else {**body, **path}
    return await run(edge, one(kind, payload, edge), actor, key)


@router.post("/projects", **r.write())
async def create_project(body: s.ProjectIn, edge: EdgeDep, actor: Actor,
                         key: IdemKey = None) -> Response:
    """Create a draft project (the proponent's member or the operator)."""
    return await _do(edge, "create_project", body, actor, key)


@router.post("/projects/{project}/documents", **r.write())
async def add_document(project: str, body: s.DocumentIn, edge: EdgeDep, actor: Actor,
                       key: IdemKey = None) -> Response:
    """A document {name, sha256, url} added to the project."""
    return await _do(edge, "add_project_document", {"document": s.payload(body)}, actor, key,
                     project=project)


@router.post("/projects/{project}/losses", **r.write())
async def report_loss(project: str, body: s.LossIn, edge: EdgeDep, actor: Actor,
                      key: IdemKey = None) -> Response:
    """A loss of credited carbon ({quantity, cause, avoidable, occurred, description,
    documents}): the proponent, a verifier or the operator; buffer units are cancelled first,
    then the proponent's if the loss was avoidable."""
    return await _do(edge, "report_loss", body, actor, key, project=project)


STEPS = {"submit": "submit_project", "validate": "validate_project",
         "revalidate": "revalidate_project", "register": "register_project",
         "suspend": "suspend_project", "reinstate": "reinstate_project",
         "withdraw": "withdraw_project"}


@router.post("/projects/{project}/validate", **r.write())
async def validate_project(project: str, body: s.ValidationIn, edge: EdgeDep, actor: Actor,
                           key: IdemKey = None) -> Response:
    """A verifier's validation opinion ({approve, opinion, fixed})."""
    return await _do(edge, "validate_project", body, actor, key, project=project)


@router.post("/projects/{project}/revalidate", **r.write())
async def revalidate_project(project: str, body: s.RevalidationIn, edge: EdgeDep,
                             actor: Actor, key: IdemKey = None) -> Response:
    """A verifier's re-validation ({fixed, methodology, reason, plant_code})."""
    return await _do(edge, "revalidate_project", body, actor, key, project=project)


def _transition(step: str) -> None:
    kind = STEPS[step]

    async def project_step(project: str, body: s.TransitionIn, edge: EdgeDep, actor: Actor,
                           key: IdemKey = None) -> Response:
        return await _do(edge, kind, body, actor, key, project=project)

    project_step.__name__ = f"{step}_project"
    project_step.__doc__ = f"One lifecycle step: {step} the project, with a reason."
    router.post(f"/projects/{{project}}/{step}", **r.write())(project_step)


for _step in ("submit", "register", "suspend", "reinstate", "withdraw"):
    _transition(_step)


@router.post("/projects/{project}/{step}", status_code=201, include_in_schema=False)
async def unknown_step(project: str, step: str) -> Response:
    raise NotFound("no such step", step=step, steps=sorted(STEPS))


async def _rows(request: Request, columns: tuple[str, ...]) -> dict[str, Any]:
    """JSON ``{"rows": [...]}`` or a CSV file (``Content-Type: text/csv``) with a header."""
    body = await request.body()
    if request.headers.get("content-type", "").split(";")[0].strip() == "text/csv":
        try:
            return {"rows": imports.rows_from_csv(body.decode("utf-8"), columns)}
        except UnicodeDecodeError:
            raise InvalidInput("the CSV is not UTF-8", field="body") from None
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise InvalidInput("send JSON {\"rows\": [...]} or text/csv", field="body") from None
    if not isinstance(data, dict):
        raise InvalidInput("send JSON {\"rows\": [...]} or text/csv", field="body")
    return data


@router.post("/grid-factors", **r.write(), openapi_extra=raw_body(
    s.GridFactorsIn, "JSON {rows: [...]}, or text/csv with a header naming the columns"))
async def import_grid_factors(request: Request, edge: EdgeDep, actor: Actor,
                              key: IdemKey = None) -> Response:
    """Operator: add rows to the grid-factor table (JSON rows or CSV with the columns of
    docs/api.md); a row already there is skipped, one that contradicts it refused."""
    body = await _rows(request, imports.FACTOR_COLUMNS)
    return await _do(edge, "import_grid_factors", body, actor, key)


@router.post("/green-certificates", **r.write(), openapi_extra=raw_body(
    s.GreenCertificatesIn, "JSON {rows: [...]}, or text/csv with a header naming the columns"))
async def import_green_certificates(request: Request, edge: EdgeDep, actor: Actor,
                                    key: IdemKey = None) -> Response:
    """Operator: add lines of the green-certificate (GEC) issuance list (JSON or CSV); the
    result names reports already credited for the same MWh."""
    body = await _rows(request, imports.GEC_COLUMNS)
    return await _do(edge, "import_green_certificates", body, actor, key)


@router.post("/reports", **r.write())
async def submit_report(body: s.ReportIn, edge: EdgeDep, actor: Actor,
                        key: IdemKey = None) -> Response:
    """A monitoring report: {project, period_start, period_end, values, documents}."""
    return await _do(edge, "submit_monitoring_report", body, actor, key)


@router.post("/reports/{report}/verify", **r.write())
async def verify_report(report: str, body: s.VerificationIn, edge: EdgeDep, actor: Actor,
                        key: IdemKey = None) -> Response:
    return await _do(edge, "verify_monitoring_report", body, actor, key, report=report)


@router.post("/issuance-requests", **r.write())
async def request_issuance(body: s.IssuanceRequestIn, edge: EdgeDep, actor: Actor,
                           key: IdemKey = None) -> Response:
    return await _do(edge, "request_issuance", body, actor, key)


@router.post("/issuance-requests/{request}/decide", **r.write())
async def decide_issuance(request: str, body: s.DecisionIn, edge: EdgeDep, actor: Actor,
                          key: IdemKey = None) -> Response:
    return await _do(edge, "decide_issuance", body, actor, key, request=request)


@router.get("/projects", **r.ok(rc.many(rc.Project)))
def list_projects(edge: EdgeDep, actor: MaybeActor, status: str | None = None,
                  district: str | None = None, methodology: str | None = None,
                  after: str = "",
                  limit: Annotated[int, Query(ge=1, le=500)] = 100) -> list[dict[str, Any]]:
    """Public: projects past draft; a party also sees its own drafts."""
    with edge.read() as conn:
        found = queries.projects(
            conn, all_=policy.reads_all(actor),
            include_drafts_of=actor.party_id if actor is not None else None,
            status=status, district=district, methodology=methodology, after=after,
            limit=limit)
    return [policy.project_for(p, actor) for p in found]


@router.get("/projects/{project}", **r.ok(rc.ProjectDetail))
def get_project(project: str, edge: EdgeDep, actor: MaybeActor) -> dict[str, Any]:
    with edge.read() as conn:
        found = queries.project(conn, project)
    if found["status"] == "draft" and not (
            policy.reads_all(actor) or (actor is not None
                                        and actor.party_id == found["proponent"])):
        # a draft is its proponent's business: to anyone else it does not exist
        raise NotFound("no such project", project=project)
    return policy.project_for(found, actor)


def _source(s: Source | None) -> dict[str, str] | None:
    return None if s is None else {"document": s.document, "issuer": s.issuer,
                                   "locator": s.locator, "url": s.url}


def _methodology(m: Methodology) -> dict[str, Any]:
    return {
        "key": m.key, "id": m.id, "version": m.version, "title_zh": m.title_zh,
        "title_en": m.title_en, "sector": m.sector, "scope": m.scope,
        "buffer_percent": m.buffer_percent, "source": _source(m.source),
        "legacy": m.legacy, "closed": m.closed, "successor": m.successor or None,
        "grid_factors": list(m.grid_factors), "green_certificates": m.green_certificates,
        "parameters": [{"id": p.id, "name_zh": p.name_zh, "name_en": p.name_en,
                        "unit": p.unit, "minimum": p.minimum, "maximum": p.maximum,
                        "default": p.default, "kind": p.kind.value, "monitored": p.monitored,
                        "integer": p.integer, "source": _source(p.source)}
                       for p in m.parameters],
        "report_fields": list(m.report_fields), "notes": list(m.notes)}


@router.get("/methodologies", **r.ok(list[rc.Methodology]))
def methodologies(edge: EdgeDep) -> list[dict[str, Any]]:
    """The methodologies the registry accepts (legacy versions marked), with their
    parameters — monitored, fixed at validation, or derived by the registry — and sources."""
    book = edge.platform.sequencer.router.book("registry")
    assert isinstance(book, RegistryBook)
    return [_methodology(m) for m in book.methodologies.values()]


@router.get("/buffer", **r.ok(rc.BufferPool))
def buffer_pool(edge: EdgeDep) -> dict[str, Any]:
    """Public: the buffer pool by asset (held = contributed − drawn), each issuance's share
    and each loss event's draw."""
    with edge.read() as conn:
        return queries.buffer_pool(conn)


@router.get("/losses", **r.ok(rc.many(rc.Loss)))
def losses(edge: EdgeDep, project: str | None = None) -> list[dict[str, Any]]:
    """Public: loss events (reversals) and the units each cancelled."""
    with edge.read() as conn:
        return queries.losses(conn, project=project)


@router.get("/grid-factors", **r.ok(rc.many(rc.GridFactor)))
def grid_factors(edge: EdgeDep, kind: str | None = None) -> list[dict[str, Any]]:
    """Public: the grid-factor table, each row with its source."""
    with edge.read() as conn:
        return queries.grid_factors(conn, kind=kind)


@router.get("/green-certificates", **r.ok(rc.many(rc.GreenCertificate)))
def green_certificates(edge: EdgeDep, plant_code: str | None = None, after: str = "",
                       limit: Annotated[int, Query(ge=1, le=500)] = 100,
                       ) -> list[dict[str, Any]]:
    """Public: the imported green-certificate issuance list."""
    with edge.read() as conn:
        return queries.green_certificates(conn, plant_code=plant_code, after=after,
                                          limit=limit)


@router.get("/retirements/{retirement}/certificate", **r.ok(rc.Certificate))
def retirement_certificate(retirement: str, edge: EdgeDep) -> dict[str, Any]:
    """Public: the certificate's facts and its proof bundle (``bundle_json``)."""
    with edge.read() as conn:
        return certificates.certificate(conn, retirement, edge.platform.public_key_pem)


@router.get("/retirements/{retirement}/certificate.pdf", response_class=Response,
            **r.media("application/pdf", "the certificate as PDF"))
def retirement_certificate_pdf(retirement: str, request: Request, edge: EdgeDep) -> Response:
    with edge.read() as conn:
        cert = certificates.certificate(conn, retirement, edge.platform.public_key_pem)
    url = str(request.base_url).rstrip("/") + f"/certificates/{retirement}"
    return Response(certificates.render_pdf(cert, url), media_type="application/pdf",
                    headers={"Content-Disposition":
                             f'inline; filename="{retirement}.pdf"'})


@router.get("/statistics", **r.ok(rc.RegistryStatistics))
def statistics(edge: EdgeDep) -> dict[str, Any]:
    """Public headline figures: enterprises, tonnes registered, transferred, retired."""
    with edge.read() as conn:
        return queries.registry_statistics(conn)


@router.get("/exports/{dataset}.{fmt}", response_class=Response, response_model=None,
            responses={200: {"description": "the dataset: CSV (.csv) or a JSON array (.json)",
                             "content": {"text/csv": {"schema": {"type": "string"}},
                                         "application/json": {"schema": {
                                             "type": "array", "items": {"type": "object"}}}}}})
def export(dataset: str, fmt: str, edge: EdgeDep) -> Response:
    """Public datasets (projects, issuances, retirements) as CSV or JSON; the columns are
    documented in docs/api.md and at /api/v1/registry/exports/schema. In CSV, text that a
    spreadsheet would take for a formula starts with an apostrophe."""
    with edge.read() as conn:
        rows = queries.export_rows(conn, dataset)
    if fmt == "json":
        return Response(orjson.dumps(rows), media_type="application/json")
    if fmt != "csv":
        raise NotFound("exports are .csv or .json", format=fmt)
    columns = [c for c, _ in queries.EXPORTS[dataset]]
    return Response(csv_bytes(columns, ([r[c] for c in columns] for r in rows)),
                    media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{dataset}.csv"'})


@router.get("/exports/schema")
def export_schema() -> dict[str, list[dict[str, str]]]:
    return {k: [{"column": c, "meaning": m} for c, m in v] for k, v in queries.EXPORTS.items()}
