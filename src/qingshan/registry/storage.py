"""Rows of the registry's tables: how its book is loaded and written (plain SQL with ?
placeholders; the ledger's store runs them in the sequencer's transaction)."""

from __future__ import annotations

from typing import Any

import orjson

from qingshan.ledger.books import FetchAll, Rows, upsert_sql
from qingshan.registry import model as m
from qingshan.registry.commands import Document
from qingshan.registry.model import Basis
from qingshan.registry.state import RegistryState

PROJECT_COLS = ["id", "proponent", "account", "name", "methodology", "sector", "asset",
                "district",
                "lat_e6", "lon_e6", "crediting_start", "crediting_end", "estimated_annual",
                "description", "documents", "status", "validator", "created_seq",
                "updated_seq", "fixed", "plant_code"]
REPORT_COLS = ["id", "project", "period_start", "period_end", "measured", "documents",
               "claimed", "status", "verified", "verifier", "opinion", "seq", "basis"]
REQUEST_COLS = ["id", "report", "project", "quantity", "status", "issuance", "buffer",
                "reason", "seq", "factors"]
VALIDATION_COLS = ["seq", "project", "kind", "methodology", "fixed", "verifier", "reason"]
FACTOR_COLS = ["id", "kind", "region", "provinces", "year", "value", "document", "locator",
               "url", "published", "seq"]
CERTIFICATE_COLS = ["reference", "plant_code", "period_start", "period_end", "mwh", "source",
                    "seq"]
LOSS_COLS = ["id", "project", "asset", "quantity", "cause", "avoidable", "occurred",
             "found_by", "actor", "buffer_cancelled", "proponent_cancelled", "description",
             "documents", "seq"]


def _docs(docs: tuple[Document, ...]) -> str:
    return orjson.dumps([d.to_payload() for d in docs]).decode()


def _undocs(text: str) -> tuple[Document, ...]:
    return tuple(Document(d["name"], d["sha256"], d["url"]) for d in orjson.loads(text))


def _json(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()


def _basis(b: Basis) -> str:
    return _json({"fixed": dict(b.fixed), "derived": dict(b.derived),
                  "factors": list(b.factors), "declarations": list(b.declarations)})


def _unbasis(text: str) -> Basis:
    d = orjson.loads(text or "{}")
    return Basis(tuple(sorted(d.get("fixed", {}).items())),
                 tuple(sorted(d.get("derived", {}).items())), tuple(d.get("factors", [])),
                 tuple(d.get("declarations", [])))


def _pairs(text: str) -> tuple[tuple[str, str], ...]:
    return tuple(sorted(orjson.loads(text or "{}").items()))


def rows(book: RegistryState) -> Rows:
    out: Rows = []
    out.append((upsert_sql("registry_projects", PROJECT_COLS), [
        (p.id, p.proponent, p.account, p.name, p.methodology, p.sector, p.asset, p.district,
         p.lat_e6, p.lon_e6, p.crediting_start, p.crediting_end, p.estimated_annual,
         p.description, _docs(p.documents), p.status.value, p.validator, p.created_seq,
         p.updated_seq, _json(dict(p.fixed)), p.plant_code)
        for p in book.changed("projects")]))
    out.append((upsert_sql("registry_reports", REPORT_COLS), [
        (r.id, r.project, r.period_start, r.period_end, orjson.dumps(dict(r.values)).decode(),
         _docs(r.documents), r.claimed, r.status.value, r.verified, r.verifier, r.opinion,
         r.seq, _basis(r.basis))
        for r in book.changed("reports")]))
    out.append((upsert_sql("registry_issuance_requests", REQUEST_COLS), [
        (q.id, q.report, q.project, q.quantity, q.status.value, q.issuance, q.buffer,
         q.reason, q.seq, _json(list(q.factors)))
        for q in book.changed("requests")]))
    out.append((upsert_sql("registry_validations", VALIDATION_COLS, ("seq", "project")), [
        (v.seq, v.project, v.kind, v.methodology, _json(dict(v.fixed)), v.verifier, v.reason)
        for v in book.changed("validations")]))
    out.append((upsert_sql("registry_grid_factors", FACTOR_COLS), [
        (f.id, f.kind, f.region, ";".join(f.provinces), f.year, f.value, f.document,
         f.locator, f.url, f.published, f.seq)
        for f in book.changed("factors")]))
    out.append((upsert_sql("registry_green_certificates", CERTIFICATE_COLS, ("reference",)), [
        (c.reference, c.plant_code, c.period_start, c.period_end, c.mwh, c.source, c.seq)
        for c in book.changed("certificates")]))
    out.append((upsert_sql("registry_losses", LOSS_COLS), [
        (e.id, e.project, e.asset, e.quantity, e.cause, e.avoidable, e.occurred, e.found_by,
         e.actor, e.buffer_cancelled, e.proponent_cancelled, e.description,
         _docs(e.documents), e.seq)
        for e in book.changed("losses")]))
    if book.events:
        out.append(("INSERT INTO registry_events (seq, n, project, kind, actor, reason) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    [(seq, n, *ev) for (seq, n), ev in sorted(book.events.items())]))
    return [(sql, params) for sql, params in out if params]


def rules2_until(fetchall: FetchAll) -> int:
    """The last journal entry written under registry rules 2 (recorded by migration 0013)."""
    found = fetchall("SELECT value FROM registry_settings WHERE key = ?",
                     ("rules2_until_seq",))
    return int(found[0][0]) if found else 0


def legacy_until(fetchall: FetchAll) -> int:
    """The last journal entry written under registry rules 1 (recorded by migration 0007)."""
    found = fetchall("SELECT value FROM registry_settings WHERE key = ?",
                     ("legacy_until_seq",))
    return int(found[0][0]) if found else 0


def _project(r: Any) -> m.Project:
    return m.Project(id=r[0], proponent=r[1], account=r[2], name=r[3], methodology=r[4],
                     sector=r[5], asset=r[6], district=r[7], lat_e6=int(r[8]),
                     lon_e6=int(r[9]), crediting_start=r[10], crediting_end=r[11],
                     estimated_annual=int(r[12]), description=r[13],
                     documents=_undocs(r[14]), status=m.ProjectStatus(r[15]), validator=r[16],
                     created_seq=int(r[17]), updated_seq=int(r[18]), fixed=_pairs(r[19]),
                     plant_code=r[20])


def _report(r: Any) -> m.MonitoringReport:
    return m.MonitoringReport(id=r[0], project=r[1], period_start=r[2], period_end=r[3],
                              values=tuple(sorted(orjson.loads(r[4]).items())),
                              documents=_undocs(r[5]), claimed=int(r[6]),
                              status=m.ReportStatus(r[7]), verified=int(r[8]), verifier=r[9],
                              opinion=r[10], seq=int(r[11]), basis=_unbasis(r[12]))


def _request(r: Any) -> m.IssuanceRequest:
    return m.IssuanceRequest(id=r[0], report=r[1], project=r[2], quantity=int(r[3]),
                             status=m.RequestStatus(r[4]),
                             issuance=None if r[5] is None else int(r[5]), buffer=int(r[6]),
                             reason=r[7], seq=int(r[8]),
                             factors=tuple(orjson.loads(r[9] or "[]")))


def _factor(r: Any) -> m.GridFactor:
    return m.GridFactor(id=r[0], kind=r[1], region=r[2], provinces=tuple(r[3].split(";")),
                        year=int(r[4]), value=r[5], document=r[6], locator=r[7], url=r[8],
                        published=r[9], seq=int(r[10]))


def _loss(r: Any) -> m.LossEvent:
    return m.LossEvent(id=r[0], project=r[1], asset=r[2], quantity=int(r[3]), cause=r[4],
                       avoidable=bool(r[5]), occurred=r[6], found_by=r[7], actor=r[8],
                       buffer_cancelled=int(r[9]), proponent_cancelled=int(r[10]),
                       description=r[11], documents=_undocs(r[12]), seq=int(r[13]))


def load(book: RegistryState, fetchall: FetchAll) -> None:
    def q(cols: list[str], table: str) -> list[Any]:
        return fetchall(f"SELECT {', '.join(cols)} FROM {table}", ())

    book.projects.update((r[0], _project(r)) for r in q(PROJECT_COLS, "registry_projects"))
    book.reports.update((r[0], _report(r)) for r in q(REPORT_COLS, "registry_reports"))
    book.requests.update((r[0], _request(r))
                         for r in q(REQUEST_COLS, "registry_issuance_requests"))
    for r in q(VALIDATION_COLS, "registry_validations"):
        book.validations[(int(r[0]), r[1])] = m.Validation(int(r[0]), r[1], r[2], r[3],
                                                           _pairs(r[4]), r[5], r[6])
    book.factors.update((r[0], _factor(r)) for r in q(FACTOR_COLS, "registry_grid_factors"))
    for r in q(CERTIFICATE_COLS, "registry_green_certificates"):
        book.certificates[r[0]] = m.GreenCertificateClaim(r[0], r[1], r[2], r[3], r[4], r[5],
                                                          int(r[6]))
    book.losses.update((r[0], _loss(r)) for r in q(LOSS_COLS, "registry_losses"))
    book.counters = {
        "project": max((int(k[2:]) for k in book.projects), default=0),
        "report": max((int(k[2:]) for k in book.reports), default=0),
        "request": max((int(k[2:]) for k in book.requests), default=0),
        "loss": max((int(k[2:]) for k in book.losses), default=0),
    }
