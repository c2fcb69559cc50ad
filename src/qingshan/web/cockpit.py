"""The cockpit's figures, computed live from the book of record (never a placeholder).

Each context contributes what exists: the registry (enterprises, issuance, retirements, where
projects are) and the market (tonnes and value traded). Later contexts (carbon-inclusive
people, forest coverage, GEP) add their own figures and map measures here.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections import defaultdict
from typing import Any

import orjson
from sqlalchemy import Connection, func, select

from qingshan.infra import schema as t

MEASURES = ("issued", "retired", "traded")


def headline(conn: Connection) -> dict[str, int]:
    parties, i, tr, rt = t.parties, t.issuances, t.market_trades, t.retirements
    enterprises = conn.execute(select(func.count()).select_from(parties)
                               .where(parties.c.kind == "enterprise")).scalar() or 0
    registered = conn.execute(select(func.sum(i.c.serial_end - i.c.serial_start + 1))).scalar()
    traded, value = conn.execute(select(func.sum(tr.c.quantity),
                                        func.sum(tr.c.quantity * tr.c.price))).one()
    retired = conn.execute(select(func.sum(rt.c.quantity))).scalar()
    projects = conn.execute(select(func.count()).select_from(t.registry_projects).where(
        t.registry_projects.c.status == "registered")).scalar()
    return {"enterprises": int(enterprises), "registered": int(registered or 0),
            "traded": int(traded or 0), "traded_value_fen": int(value or 0),
            "retired": int(retired or 0), "projects": int(projects or 0)}


def _issuance_district(conn: Connection) -> dict[int, str]:
    i, p = t.issuances, t.registry_projects
    return {int(iid): d for iid, d in conn.execute(
        select(i.c.id, p.c.district).select_from(i.join(p, p.c.id == i.c.project)))}


def by_district(conn: Connection, measure: str) -> dict[str, int]:
    """Units per district of the project they come from: issued, retired, or traded (moved
    active from one party to another, on the market or by transfer)."""
    out: dict[str, int] = defaultdict(int)
    where = _issuance_district(conn)
    i = t.issuances
    if measure == "issued":
        for iid, s, e in conn.execute(select(i.c.id, i.c.serial_start, i.c.serial_end)):
            if int(iid) in where:
                out[where[int(iid)]] += int(e) - int(s) + 1
        return dict(out)
    spans = [(int(s), int(e), int(iid)) for iid, s, e in conn.execute(
        select(i.c.id, i.c.serial_start, i.c.serial_end).where(i.c.asset == "CQCER")
        .order_by(i.c.serial_start))]
    if measure == "traded":
        ev, acc = t.serial_events, t.accounts
        src, dst = acc.alias("src"), acc.alias("dst")
        moved: list[tuple[int, int]] = [(int(a), int(b)) for a, b in conn.execute(
            select(ev.c.serial_start, ev.c.serial_end)
            .select_from(ev.join(src, src.c.id == ev.c.from_account)
                         .join(dst, dst.c.id == ev.c.to_account))
            .where(ev.c.asset == "CQCER", ev.c.state == "active",
                   src.c.party_id != dst.c.party_id))]
    else:
        moved = [(int(a), int(b)) for (ranges,) in conn.execute(
            select(t.retirements.c.ranges).where(t.retirements.c.asset == "CQCER"))
                 for a, b in orjson.loads(ranges)]
    starts = [s for s, _, _ in spans]
    for start, end in moved:  # a range never crosses two issuances
        k = bisect_right(starts, start) - 1
        if k >= 0:
            s, e, iid = spans[k]
            if s <= start <= e and iid in where:
                out[where[iid]] += end - start + 1
    return dict(out)


def issued_by_vintage(conn: Connection) -> list[tuple[str, int]]:
    i = t.issuances
    return [(str(v), int(q)) for v, q in conn.execute(
        select(i.c.vintage, func.sum(i.c.serial_end - i.c.serial_start + 1))
        .group_by(i.c.vintage).order_by(i.c.vintage))]


def retired_by_purpose(conn: Connection) -> list[tuple[str, int]]:
    rt = t.retirements
    return [(str(p), int(q)) for p, q in conn.execute(
        select(rt.c.purpose, func.sum(rt.c.quantity)).group_by(rt.c.purpose)
        .order_by(func.sum(rt.c.quantity).desc()))]


def traded_by_month(conn: Connection) -> list[tuple[str, int]]:
    """Units traded per calendar month (``YYYY-MM``), every month from the first trade to the
    last, months without a trade included."""
    tr = t.market_trades
    months: dict[str, int] = {}
    for d, q in conn.execute(select(tr.c.day, func.sum(tr.c.quantity)).group_by(tr.c.day)):
        month = (dt.date(1970, 1, 1) + dt.timedelta(days=int(d))).strftime("%Y-%m")
        months[month] = months.get(month, 0) + int(q)
    if not months:
        return []
    first, last = min(months), max(months)
    y, m = int(first[:4]), int(first[5:])
    out = []
    while f"{y:04d}-{m:02d}" <= last:
        out.append((f"{y:04d}-{m:02d}", months.get(f"{y:04d}-{m:02d}", 0)))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def cockpit(conn: Connection, measure: str) -> dict[str, Any]:
    measure = measure if measure in MEASURES else "issued"
    return {"headline": headline(conn), "measure": measure,
            "districts": by_district(conn, measure), "vintages": issued_by_vintage(conn),
            "purposes": retired_by_purpose(conn), "months": traded_by_month(conn)}
