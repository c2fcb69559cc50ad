"""Reads of the registry (public and private), straight from its tables."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from typing import Any

import orjson
from sqlalchemy import ColumnElement, Connection, func, select

from qingshan.errors import InvalidInput, NotFound
from qingshan.infra import schema as t

PUBLIC_STATUSES = ("submitted", "validated", "registered", "suspended", "withdrawn")


def _project(row: Any) -> dict[str, Any]:
    d = dict(row._mapping)
    d["documents"] = orjson.loads(d["documents"])
    d["fixed"] = orjson.loads(d["fixed"] or "{}")
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


def projects_of(conn: Connection, party: str) -> list[dict[str, Any]]:
    """Every project a party proposes, drafts and withdrawn ones included."""
    p = t.registry_projects
    return [_project(r) for r in conn.execute(select(p).where(p.c.proponent == party)
                                              .order_by(p.c.id))]


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
         "documents": orjson.loads(x.documents), "basis": _basis(x.basis)}
        for x in conn.execute(select(r).where(r.c.project == pid).order_by(r.c.id))]
    q = t.registry_issuance_requests
    out["issuance_requests"] = [{**dict(x._mapping), "factors": orjson.loads(x.factors or "[]")}
                                for x in conn.execute(select(q).where(q.c.project == pid)
                                                      .order_by(q.c.id))]
    v = t.registry_validations
    out["validations"] = [{**dict(x._mapping), "fixed": orjson.loads(x.fixed)}
                          for x in conn.execute(select(v).where(v.c.project == pid)
                                                .order_by(v.c.seq))]
    out["losses"] = losses(conn, project=pid)
    return out


def _basis(text: str | None) -> dict[str, Any]:
    d = orjson.loads(text or "{}")
    return {"fixed": d.get("fixed", {}), "derived": d.get("derived", {}),
            "factors": d.get("factors", []), "declarations": d.get("declarations", [])}


# ------------------------------------------------------------------------------ buffer pool
def losses(conn: Connection, *, project: str | None = None) -> list[dict[str, Any]]:
    """Public: loss events (reversals) and the units each cancelled, newest first."""
    e = t.registry_losses
    q = select(e).order_by(e.c.seq.desc(), e.c.id.desc())
    if project is not None:
        q = q.where(e.c.project == project)
    return [{**dict(x._mapping), "avoidable": bool(x.avoidable),
             "documents": orjson.loads(x.documents)} for x in conn.execute(q)]


def buffer_pool(conn: Connection) -> dict[str, Any]:
    """Public: what the buffer pool holds, what each issuance put in and what each loss drew.
    For every asset, held = contributed − drawn (the ledger lets units leave the pool only
    through a loss event)."""
    a, b = t.accounts, t.unit_blocks
    held: dict[tuple[str, str], int] = {}
    for acct, asset, n in conn.execute(
            select(b.c.account, b.c.asset, func.sum(b.c.serial_end - b.c.serial_start + 1))
            .select_from(b.join(a, a.c.id == b.c.account))
            .where(a.c.type == "buffer", b.c.state == "active").group_by(b.c.account, b.c.asset)):
        held[(acct, asset)] = int(n)
    q, p, i = t.registry_issuance_requests, t.registry_projects, t.issuances
    contributions = [dict(x._mapping) for x in conn.execute(
        select(q.c.id.label("request"), q.c.project, p.c.name, p.c.asset, q.c.issuance,
               i.c.vintage, q.c.quantity, q.c.buffer, q.c.seq)
        .select_from(q.join(p, p.c.id == q.c.project).join(i, i.c.id == q.c.issuance))
        .where(q.c.status == "approved", q.c.buffer > 0).order_by(q.c.seq))]
    draws = [d for d in losses(conn) if d["buffer_cancelled"]]
    assets = sorted({c["asset"] for c in contributions} | {k[1] for k in held})
    pools = [{"asset": asset,
              "held": sum(n for (_, s), n in held.items() if s == asset),
              "contributed": sum(c["buffer"] for c in contributions if c["asset"] == asset),
              "drawn": sum(d["buffer_cancelled"] for d in draws if d["asset"] == asset)}
             for asset in assets]
    return {"pools": pools, "contributions": contributions, "draws": draws}


# ------------------------------------------------------------------------------ reference lists
def grid_factors(conn: Connection, *, kind: str | None = None) -> list[dict[str, Any]]:
    """Public: the grid-factor table, each row with its source."""
    f = t.registry_grid_factors
    q = select(f).order_by(f.c.kind, f.c.year, f.c.region, f.c.id)
    if kind:
        q = q.where(f.c.kind == kind)
    return [{**dict(x._mapping), "provinces": x.provinces.split(";")} for x in conn.execute(q)]


def green_certificates(conn: Connection, *, plant_code: str | None = None, after: str = "",
                       limit: int = 100) -> list[dict[str, Any]]:
    """Public: lines of the imported green-certificate (GEC) issuance list."""
    if not 1 <= limit <= 500:
        raise InvalidInput("limit must be from 1 to 500", field="limit")
    g = t.registry_green_certificates
    q = select(g).where(g.c.reference > after).order_by(g.c.reference).limit(limit)
    if plant_code:
        q = q.where(g.c.plant_code == plant_code)
    return [dict(x._mapping) for x in conn.execute(q)]


def summary(conn: Connection) -> dict[str, Any]:
    p = t.registry_projects
    by_status = {s: int(n) for s, n in conn.execute(
        select(p.c.status, func.count()).group_by(p.c.status))}
    return {"projects_by_status": by_status}


# ------------------------------------------------------------------------------ exports
EXPORTS: dict[str, list[tuple[str, str]]] = {
    # dataset -> [(column, meaning)]: the documented schema of CSV and JSON exports
    "projects": [
        ("id", "project id, e.g. CQ0001"), ("name", "project name"),
        ("proponent", "party id of the proponent"), ("methodology", "id@version"),
        ("sector", "the methodology's sector"),
        ("asset", "asset class of its units"), ("district", "GB/T 2260 code"),
        ("lat", "latitude, degrees"), ("lon", "longitude, degrees"),
        ("crediting_start", "ISO date"), ("crediting_end", "ISO date"),
        ("estimated_annual", "tCO2e per year in the project document"),
        ("status", "submitted | validated | registered | suspended | withdrawn"),
        ("validator", "party id of the validation body")],
    "issuances": [
        ("id", "issuance number"), ("asset", "asset class"), ("project", "project id"),
        ("vintage", "year"), ("serial_start", "first serial"), ("serial_end", "last serial"),
        ("quantity", "units issued"), ("monitoring_start", "ISO date"),
        ("monitoring_end", "ISO date"), ("reference", "monitoring report / request"),
        ("category", "the methodology's sector (forestry, energy, agriculture, inclusive); "
                     "empty for an issuance made outside the registry"),
        ("buffer", "units of it set aside in the buffer pool"),
        ("grid_factors", "ids of the grid-factor table rows the quantity rests on, ';'")],
    "retirements": [
        ("id", "retirement id, e.g. R00000001"), ("seq", "journal entry"),
        ("asset", "asset class"), ("quantity", "units retired"),
        ("purpose", "compliance | carbon_neutrality | judicial_compensation | voluntary"),
        ("beneficiary", "on whose behalf"), ("reason", "claim text"),
        ("reference", "external reference, e.g. a case number"),
        ("ranges", "serial ranges, 'start-end' joined by ';'")],
}


def export_rows(conn: Connection, dataset: str) -> list[dict[str, Any]]:
    if dataset not in EXPORTS:
        raise NotFound("no such dataset", dataset=dataset, datasets=sorted(EXPORTS))
    cols = [c for c, _ in EXPORTS[dataset]]
    rows: list[dict[str, Any]] = []
    if dataset == "projects":
        p = t.registry_projects
        for r in conn.execute(select(p).where(p.c.status.in_(PUBLIC_STATUSES))
                              .order_by(p.c.id)):
            d = dict(r._mapping)
            d["lat"], d["lon"] = d["lat_e6"] / 1e6, d["lon_e6"] / 1e6
            rows.append({c: d[c] for c in cols})
    elif dataset == "issuances":
        i, q = t.issuances, t.registry_issuance_requests
        for r in conn.execute(select(i, q.c.buffer, q.c.factors)
                              .select_from(i.outerjoin(q, q.c.issuance == i.c.id))
                              .order_by(i.c.id)):
            d = dict(r._mapping)
            d["quantity"] = d["serial_end"] - d["serial_start"] + 1
            d["buffer"] = d["buffer"] or 0
            d["grid_factors"] = ";".join(orjson.loads(d["factors"] or "[]"))
            rows.append({c: d[c] for c in cols})
    else:
        rt = t.retirements
        for r in conn.execute(select(rt).order_by(rt.c.seq)):
            d = dict(r._mapping)
            d["ranges"] = ";".join(f"{s}-{e}" for s, e in orjson.loads(d["ranges"]))
            rows.append({c: d[c] for c in cols})
    return rows


def registry_statistics(conn: Connection) -> dict[str, Any]:
    """Headline figures like the seed's, computed from the book."""
    parties = t.parties
    enterprises = conn.execute(select(func.count()).select_from(parties)
                               .where(parties.c.kind == "enterprise")).scalar() or 0
    i = t.issuances
    registered = conn.execute(select(func.sum(i.c.serial_end - i.c.serial_start + 1))
                              .where(i.c.asset == "CQCER")).scalar() or 0
    rt = t.retirements
    retired = {k: int(v) for k, v in conn.execute(
        select(rt.c.purpose, func.sum(rt.c.quantity)).group_by(rt.c.purpose))}
    ev, acc = t.serial_events, t.accounts
    src, dst = acc.alias("src"), acc.alias("dst")
    moved = conn.execute(
        select(func.sum(ev.c.serial_end - ev.c.serial_start + 1))
        .select_from(ev.join(src, src.c.id == ev.c.from_account)
                     .join(dst, dst.c.id == ev.c.to_account))
        .where(ev.c.asset == "CQCER", ev.c.state == "active",
               src.c.party_id != dst.c.party_id)).scalar() or 0
    return {"enterprises": int(enterprises), "cqcer_registered_t": int(registered),
            "cqcer_transferred_between_parties_t": int(moved),
            "cqcer_retired_t": retired, **summary(conn)}


def pending_requests(conn: Connection) -> list[dict[str, Any]]:
    """The operator's queue: issuance requests waiting for a decision, with their project."""
    q, p, r = t.registry_issuance_requests, t.registry_projects, t.registry_reports
    rows = conn.execute(
        select(q.c.id, q.c.quantity, q.c.report, p.c.id.label("project"), p.c.name,
               p.c.methodology, r.c.period_start, r.c.period_end, r.c.verified)
        .select_from(q.join(p, p.c.id == q.c.project).join(r, r.c.id == q.c.report))
        .where(q.c.status == "pending").order_by(q.c.id))
    return [dict(x._mapping) for x in rows]


def verifier_queue(conn: Connection, verifier_party: str) -> dict[str, list[dict[str, Any]]]:
    """What waits for a verifier: submitted projects to validate and submitted monitoring
    reports to verify — never its own party's projects."""
    p, r = t.registry_projects, t.registry_reports
    projects = [dict(x._mapping) for x in conn.execute(
        select(p.c.id, p.c.name, p.c.methodology, p.c.district, p.c.proponent)
        .where(p.c.status == "submitted", p.c.proponent != verifier_party).order_by(p.c.id))]
    reports = [dict(x._mapping) for x in conn.execute(
        select(r.c.id, r.c.project, r.c.period_start, r.c.period_end, r.c.claimed, p.c.name)
        .select_from(r.join(p, p.c.id == r.c.project))
        .where(r.c.status == "submitted", p.c.proponent != verifier_party).order_by(r.c.id))]
    return {"projects": projects, "reports": reports}


# ------------------------------------------------------------------- figures, by asset
def registered_project_count(conn: Connection) -> int:
    p = t.registry_projects
    return int(conn.execute(select(func.count()).select_from(p)
                            .where(p.c.status == "registered")).scalar() or 0)


def issuance_districts(conn: Connection, asset: str) -> dict[int, str]:
    """The district of the project each issuance of the asset comes from."""
    i, p = t.issuances, t.registry_projects
    return {int(iid): str(d) for iid, d in conn.execute(
        select(i.c.id, p.c.district).select_from(i.join(p, p.c.id == i.c.project))
        .where(i.c.asset == asset))}


def units_by_district(conn: Connection, asset: str, spans: Sequence[tuple[int, int, int]],
                      ranges: Sequence[tuple[int, int]]) -> dict[str, int]:
    """Units of serial ``ranges`` of the asset per district of the project they come from;
    ``spans`` are the asset's issuances ``(serial_start, serial_end, issuance)`` by serial
    (a range never crosses two issuances)."""
    where = issuance_districts(conn, asset)
    starts = [s for s, _, _ in spans]
    out: dict[str, int] = {}
    for start, end in ranges:
        k = bisect_right(starts, start) - 1
        if k >= 0:
            s, e, iid = spans[k]
            if s <= start <= e and iid in where:
                out[where[iid]] = out.get(where[iid], 0) + end - start + 1
    return out
