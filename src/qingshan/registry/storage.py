"""Rows of the registry's tables: how its book is loaded and written (plain SQL with ?
placeholders; the ledger's store runs them in the sequencer's transaction)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import orjson

from qingshan.ledger.books import FetchAll, Rows, upsert_sql
from qingshan.registry.commands import Document

if TYPE_CHECKING:
    from qingshan.registry.book import RegistryBook

PROJECT_COLS = ["id", "proponent", "account", "name", "methodology", "sector", "asset",
                "district",
                "lat_e6", "lon_e6", "crediting_start", "crediting_end", "estimated_annual",
                "description", "documents", "status", "validator", "created_seq",
                "updated_seq"]
REPORT_COLS = ["id", "project", "period_start", "period_end", "measured", "documents",
               "claimed", "status", "verified", "verifier", "opinion", "seq"]
REQUEST_COLS = ["id", "report", "project", "quantity", "status", "issuance", "buffer",
                "reason", "seq"]


def _docs(docs: tuple[Document, ...]) -> str:
    return orjson.dumps([d.to_payload() for d in docs]).decode()


def _undocs(text: str) -> tuple[Document, ...]:
    return tuple(Document(d["name"], d["sha256"], d["url"]) for d in orjson.loads(text))


def rows(book: RegistryBook) -> Rows:
    out: Rows = []
    d = book._dirty
    if d["projects"]:
        out.append((upsert_sql("registry_projects", PROJECT_COLS), [
            (p.id, p.proponent, p.account, p.name, p.methodology, p.sector, p.asset, p.district,
             p.lat_e6, p.lon_e6, p.crediting_start, p.crediting_end, p.estimated_annual,
             p.description, _docs(p.documents), p.status.value, p.validator, p.created_seq,
             p.updated_seq)
            for p in (book.projects[i] for i in sorted(d["projects"]) if i in book.projects)]))
    if d["reports"]:
        out.append((upsert_sql("registry_reports", REPORT_COLS), [
            (r.id, r.project, r.period_start, r.period_end, orjson.dumps(dict(r.values)).decode(),
             _docs(r.documents), r.claimed, r.status.value, r.verified, r.verifier, r.opinion,
             r.seq)
            for r in (book.reports[i] for i in sorted(d["reports"]) if i in book.reports)]))
    if d["requests"]:
        out.append((upsert_sql("registry_issuance_requests", REQUEST_COLS), [
            (q.id, q.report, q.project, q.quantity, q.status.value, q.issuance, q.buffer,
             q.reason, q.seq)
            for q in (book.requests[i] for i in sorted(d["requests"]) if i in book.requests)]))
    if book.events:
        out.append(("INSERT INTO registry_events (seq, n, project, kind, actor, reason) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    [(seq, n, *ev) for (seq, n), ev in sorted(book.events.items())]))
    return out


def load(book: RegistryBook, fetchall: FetchAll) -> None:
    from qingshan.registry.book import (
        IssuanceRequest,
        MonitoringReport,
        Project,
        ProjectStatus,
        ReportStatus,
        RequestStatus,
    )

    def q(sql: str) -> list[Any]:
        return fetchall(sql, ())

    for r in q(f"SELECT {', '.join(PROJECT_COLS)} FROM registry_projects"):
        book.projects[r[0]] = Project(
            r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], int(r[8]), int(r[9]), r[10],
            r[11], int(r[12]), r[13], _undocs(r[14]), ProjectStatus(r[15]), r[16], int(r[17]),
            int(r[18]))
    for r in q(f"SELECT {', '.join(REPORT_COLS)} FROM registry_reports"):
        values = tuple(sorted(orjson.loads(r[4]).items()))
        book.reports[r[0]] = MonitoringReport(
            r[0], r[1], r[2], r[3], values, _undocs(r[5]), int(r[6]), ReportStatus(r[7]),
            int(r[8]), r[9], r[10], int(r[11]))
    for r in q(f"SELECT {', '.join(REQUEST_COLS)} FROM registry_issuance_requests"):
        book.requests[r[0]] = IssuanceRequest(
            r[0], r[1], r[2], int(r[3]), RequestStatus(r[4]),
            None if r[5] is None else int(r[5]), int(r[6]), r[7], int(r[8]))
    book.counters = {
        "project": max((int(k[2:]) for k in book.projects), default=0),
        "report": max((int(k[2:]) for k in book.reports), default=0),
        "request": max((int(k[2:]) for k in book.requests), default=0),
    }
