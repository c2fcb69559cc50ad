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


def legacy_until(fetchall: FetchAll) -> int:
    """The last journal entry written under registry rules 1 (recorded by migration 0007)."""
    found = fetchall("SELECT value FROM registry_settings WHERE key = ?",
                     ("legacy_until_seq",))
    return int(found[0][0]) if found else 0


def load(book: RegistryState, fetchall: FetchAll) -> None:
    def q(cols: list[str], table: str) -> list[Any]:
        return fetchall(f"SELECT {', '.join(cols)} FROM {table}", ())

    for r in q(PROJECT_COLS, "registry_projects"):
        book.projects[r[0]] = m.Project(
            r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], int(r[8]), int(r[9]), r[10],
            r[11], int(r[12]), r[13], _undocs(r[14]), m.ProjectStatus(r[15]), r[16],
            int(r[17]), int(r[18]), _pairs(r[19]), r[20])
    for r in q(REPORT_COLS, "registry_reports"):
        values = tuple(sorted(orjson.loads(r[4]).items()))
        book.reports[r[0]] = m.MonitoringReport(
            r[0], r[1], r[2], r[3], values, _undocs(r[5]), int(r[6]), m.ReportStatus(r[7]),
            int(r[8]), r[9], r[10], int(r[11]), _unbasis(r[12]))
    for r in q(REQUEST_COLS, "registry_issuance_requests"):
        book.requests[r[0]] = m.IssuanceRequest(
            r[0], r[1], r[2], int(r[3]), m.RequestStatus(r[4]),
            None if r[5] is None else int(r[5]), int(r[6]), r[7], int(r[8]),
            tuple(orjson.loads(r[9] or "[]")))
    for r in q(VALIDATION_COLS, "registry_validations"):
        book.validations[(int(r[0]), r[1])] = m.Validation(int(r[0]), r[1], r[2], r[3],
                                                           _pairs(r[4]), r[5], r[6])
    for r in q(FACTOR_COLS, "registry_grid_factors"):
        book.factors[r[0]] = m.GridFactor(r[0], r[1], r[2], tuple(r[3].split(";")),
                                          int(r[4]), r[5], r[6], r[7], r[8], r[9], int(r[10]))
    for r in q(CERTIFICATE_COLS, "registry_green_certificates"):
        book.certificates[r[0]] = m.GreenCertificateClaim(r[0], r[1], r[2], r[3], r[4], r[5],
                                                          int(r[6]))
    for r in q(LOSS_COLS, "registry_losses"):
        book.losses[r[0]] = m.LossEvent(r[0], r[1], r[2], int(r[3]), r[4], bool(r[5]), r[6],
                                        r[7], r[8], int(r[9]), int(r[10]), r[11],
                                        _undocs(r[12]), int(r[13]))
    book.counters = {
        "project": max((int(k[2:]) for k in book.projects), default=0),
        "report": max((int(k[2:]) for k in book.reports), default=0),
        "request": max((int(k[2:]) for k in book.requests), default=0),
        "loss": max((int(k[2:]) for k in book.losses), default=0),
    }
