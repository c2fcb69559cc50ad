"""Reads of the registry (public and private), straight from its tables."""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import ColumnElement, Connection, func, select

from qingshan.errors import InvalidInput, NotFound
from qingshan.infra import schema as t

PUBLIC_STATUSES = ("submitted", "validated", "registered", "suspended", "withdrawn")


def _project(row: Any) -> dict[str, Any]:
    d = dict(row._mapping)
    d["documents"] = orjson.loads(d["documents"])
    d["location"] = {"district": d.pop("district"), "lat": d.pop("lat_e6") / 1e6,
                     "lon": d.pop("lon_e6") / 1e6}
    return d


def projects(conn: Connection, *, include_drafts_of: str | None = None, all_: bool = False,
             status: str | None = None, district: str | None = None,
             methodology: str | None = None, limit: int = 100,
             after: str = "") -> list[dict[str, Any]]:
    """Public: every project past draft. A party also sees its own drafts; the operator and
    auditors everything."""
    if not 1 <= limit <= 500:
        raise InvalidInput("limit must be from 1 to 500", field="limit")
    p = t.registry_projects
    q = select(p).where(p.c.id > after).order_by(p.c.id).limit(limit)
    if not all_:
        visible: ColumnElement[bool] = p.c.status.in_(PUBLIC_STATUSES)
        if include_drafts_of is not None:
            visible = visible | (p.c.proponent == include_drafts_of)
        q = q.where(visible)
    if status:
        q = q.where(p.c.status == status)
    if district:
        q = q.where(p.c.district == district)
    if methodology:
        q = q.where(p.c.methodology == methodology)
    return [_project(r) for r in conn.execute(q)]


def project(conn: Connection, pid: str) -> dict[str, Any]:
    row = conn.execute(select(t.registry_projects)
                       .where(t.registry_projects.c.id == pid)).one_or_none()
    if row is None:
        raise NotFound("no such project", project=pid)
    out = _project(row)
    e = t.registry_events
    out["history"] = [dict(r._mapping) for r in conn.execute(
        select(e.c.seq, e.c.kind, e.c.actor, e.c.reason).where(e.c.project == pid)
        .order_by(e.c.seq, e.c.n))]
    r = t.registry_reports
    out["monitoring_reports"] = [
        {**dict(x._mapping), "measured": orjson.loads(x.measured),
         "documents": orjson.loads(x.documents)}
        for x in conn.execute(select(r).where(r.c.project == pid).order_by(r.c.id))]
    q = t.registry_issuance_requests
    out["issuance_requests"] = [dict(x._mapping) for x in conn.execute(
        select(q).where(q.c.project == pid).order_by(q.c.id))]
    return out


def summary(conn: Connection) -> dict[str, Any]:
    p = t.registry_projects
    by_status = {s: int(n) for s, n in conn.execute(
        select(p.c.status, func.count()).group_by(p.c.status))}
    return {"projects_by_status": by_status}
