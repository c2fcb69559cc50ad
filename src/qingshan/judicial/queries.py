"""Reads of judicial offsetting, straight from its tables. A case comes whole (sealed: the
defendants' names, the payments' references and payers) or public (``public_case``:
personal defendants as 张某, no payment references); the edge decides which with the access
policy (``policy.may_read_case``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import orjson
from sqlalchemy import Connection, select

from qingshan.errors import NotFound
from qingshan.infra import schema as t
from qingshan.judicial.model import Defendant, DefendantKind
from qingshan.ledger.domain import policy
from qingshan.ledger.domain.model import Principal

OPEN = ("ordered", "paid", "purchased", "retired")


def today() -> dt.date:
    """Today in Beijing (which cases are overdue)."""
    return dt.datetime.now(dt.UTC).astimezone(dt.timezone(dt.timedelta(hours=8))).date()


def _case(row: Any) -> dict[str, Any]:
    d = dict(row._mapping)
    d["defendants"] = orjson.loads(d["defendants"])
    d["categories"] = None if d["categories"] is None else orjson.loads(d["categories"])
    d["balance"] = d["paid"] - d["spent"] - d["fees"] - d["refunded"]
    d["average_price"] = d["spent"] // d["bought"] if d["bought"] else None  # fen per unit
    d["overdue"] = is_overdue(d, today())
    return d


def public_case(case: dict[str, Any]) -> dict[str, Any]:
    """What the public sees of a case: personal defendants anonymised (张某), no payments'
    references or payers."""
    out = {k: v for k, v in case.items() if k not in ("payments",)}
    out["refund_account"] = "private"
    out["defendants"] = [
        {"name": Defendant(name=d["name"], kind=DefendantKind(d["kind"])).public_name(),
         "kind": d["kind"]} for d in case["defendants"]]
    if "payments" in case:
        out["payments"] = [{"amount": p["amount"], "seq": p["seq"]} for p in case["payments"]]
    if "offers" in case:  # the seller is public, its account number is not
        out["offers"] = [{**o, "account": "private"} for o in case["offers"]]
    return out


def for_reader(case: dict[str, Any], actor: Principal | None) -> dict[str, Any]:
    """The case whole to whom the policy lets read it (``policy.may_read_case``), else as the
    public sees it."""
    return case if policy.may_read_case(actor, case["court"]) else public_case(case)


def is_overdue(case: dict[str, Any], today: dt.date) -> bool:
    return case["status"] != "closed" and dt.date.fromisoformat(case["deadline"]) < today


def cases(conn: Connection, *, court: str | None = None,
          status: str | None = None) -> list[dict[str, Any]]:
    c = t.judicial_cases
    q = select(c).order_by(c.c.judgment_date.desc(), c.c.id.desc())
    if court is not None:
        q = q.where(c.c.court == court)
    if status is not None:
        q = q.where(c.c.status == status)
    return [_case(r) for r in conn.execute(q)]


def case(conn: Connection, cid: str) -> dict[str, Any]:
    """A case whole, with its payments, purchases and history."""
    c = t.judicial_cases
    row = conn.execute(select(c).where(c.c.id == cid)).one_or_none()
    if row is None:
        raise NotFound("no such case", case=cid)
    out = _case(row)
    p, q, e = t.judicial_payments, t.judicial_purchases, t.judicial_events
    out["payments"] = [dict(r._mapping) for r in conn.execute(
        select(p.c.reference, p.c.amount, p.c.payer, p.c.seq).where(p.c.case_id == cid)
        .order_by(p.c.seq))]
    out["purchases"] = [{**dict(r._mapping), "trades": orjson.loads(r.trades)}
                        for r in conn.execute(select(q.c.id, q.c.instrument, q.c.quantity,
                                                     q.c.value, q.c.fee, q.c.limit_price,
                                                     q.c.trades, q.c.seq)
                                              .where(q.c.case_id == cid).order_by(q.c.seq))]
    o = t.judicial_offers
    out["offers"] = [{**dict(r._mapping), "ranges": orjson.loads(r.ranges)}
                     for r in conn.execute(select(o.c.id, o.c.account, o.c.party, o.c.ranges,
                                                  o.c.price, o.c.status, o.c.seq)
                                           .where(o.c.case_id == cid).order_by(o.c.id))]
    out["history"] = [dict(r._mapping) for r in conn.execute(
        select(e.c.seq, e.c.kind, e.c.note).where(e.c.case_id == cid)
        .order_by(e.c.seq, e.c.n))]
    return out


def case_by_number(conn: Connection, number: str) -> str | None:
    c = t.judicial_cases
    found = conn.execute(select(c.c.id).where(c.c.number == number)).first()
    return None if found is None else str(found[0])


def courts(conn: Connection) -> list[dict[str, Any]]:
    """The courts with cases, by name."""
    c, p = t.judicial_cases, t.parties
    rows = conn.execute(select(p.c.id, p.c.name).where(
        p.c.id.in_(select(c.c.court).distinct())).order_by(p.c.name))
    return [dict(r._mapping) for r in rows]


def supervision(conn: Connection, court: str, today: dt.date) -> dict[str, Any]:
    """A court's figures for public supervision: cases, money in, tonnes retired, the
    average price paid, and what is pending and overdue."""
    all_cases = cases(conn, court=court)
    spent = sum(c["spent"] for c in all_cases)
    bought = sum(c["bought"] for c in all_cases)
    return {
        "court": court, "cases": len(all_cases),
        "closed": sum(c["status"] == "closed" for c in all_cases),
        "money_in": sum(c["paid"] for c in all_cases), "spent": spent,
        "fees": sum(c["fees"] for c in all_cases),
        "refunded": sum(c["refunded"] for c in all_cases),
        "in_escrow": sum(c["balance"] for c in all_cases),
        "bought": bought, "retired": sum(c["retired"] for c in all_cases),
        "average_price": spent // bought if bought else None,
        "pending": [c["id"] for c in all_cases if c["status"] in OPEN],
        "overdue": [c["id"] for c in all_cases if is_overdue(c, today)],
    }


def by_year(conn: Connection, court: str) -> list[dict[str, Any]]:
    """Per year of judgment: cases, money in, spent, refunded, tonnes retired."""
    years: dict[int, dict[str, Any]] = {}
    for c in cases(conn, court=court):
        y = years.setdefault(int(c["judgment_date"][:4]), {
            "year": int(c["judgment_date"][:4]), "cases": 0, "money_in": 0, "spent": 0,
            "refunded": 0, "retired": 0})
        y["cases"] += 1
        y["money_in"] += c["paid"]
        y["spent"] += c["spent"] + c["fees"]
        y["refunded"] += c["refunded"]
        y["retired"] += c["retired"]
    return [years[k] for k in sorted(years)]


def open_offers(conn: Connection, court: str) -> list[dict[str, Any]]:
    """Sellers' open offers to a court's cases, oldest first."""
    o, c = t.judicial_offers, t.judicial_cases
    rows = conn.execute(select(o.c.id, o.c.case_id, o.c.party, o.c.ranges, o.c.price, o.c.seq)
                        .select_from(o.join(c, c.c.id == o.c.case_id))
                        .where(c.c.court == court, o.c.status == "open").order_by(o.c.id))
    return [{**dict(r._mapping), "ranges": orjson.loads(r.ranges),
             "quantity": sum(b - a + 1 for a, b in orjson.loads(r.ranges))} for r in rows]
