"""Reads of resource rights, straight from its tables. The compliance view is computed by the
same code as the book's (``compliance``) over a book loaded from the tables, so the page, the
API and ``log verify`` count a tranche the same way. Contracts, restorations and standings
are public (the deals between districts are published); accounts are shown to the parties,
the operator, the forestry authority and auditors only."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson
from sqlalchemy import Connection, select

from qingshan.errors import NotFound
from qingshan.infra import schema as t
from qingshan.infra.db import fetch_all
from qingshan.ledger.domain.model import PartyKind, Principal, Role
from qingshan.ledger.domain.policy import ADMIN_ROLES
from qingshan.rights import compliance, storage
from qingshan.rights.errors import UnknownContract, UnknownRestoration
from qingshan.rights.model import INDICATORS, IndicatorKind
from qingshan.rights.state import RightsState

READ_ACCOUNTS = frozenset({*ADMIN_ROLES, Role.FORESTRY, Role.AUDITOR})


def load_book(conn: Connection) -> RightsState:
    """A rights book loaded from the tables (no ledger bound: reads only)."""
    r = RightsState()
    storage.load(r, fetch_all(conn))
    return r


def district_names(conn: Connection) -> dict[str, dict[str, Any]]:
    """Every district party: {party: {name, code}}."""
    p = t.parties
    rows = conn.execute(select(p.c.id, p.c.name, p.c.identifier)
                        .where(p.c.kind == PartyKind.DISTRICT.value))
    return {r.id: {"name": r.name, "code": r.identifier} for r in rows}


def _standing(s: compliance.Standing, names: dict[str, dict[str, Any]]) -> dict[str, Any]:
    who = names.get(s.district, {})
    return {"district": s.district, "name": who.get("name", s.district),
            "code": who.get("code"), "year": s.year, "amount": s.amount, "basis": s.basis,
            "target_bps": s.target_bps, "duty": s.duty, "bought": s.bought, "sold": s.sold,
            "effective": s.effective, "own_bps": s.own_bps,
            "with_trades_bps": s.with_trades_bps, "status": s.status}


def standings(conn: Connection, kind: IndicatorKind = IndicatorKind.FOREST_AREA,
              year: int | None = None) -> dict[str, Any]:
    """Each district's standing in ``year`` (the latest measured if none): coverage with
    and without traded indicators against its target, short / met / surplus."""
    r = load_book(conn)
    years = compliance.years(r, kind)
    year = year if year is not None else (years[-1] if years else None)
    names = district_names(conn)
    rows = [] if year is None else [_standing(s, names)
                                    for s in compliance.standings(r, kind, year)]
    counts = {k: sum(1 for x in rows if x["status"] == k) for k in ("short", "met", "surplus")}
    spec = INDICATORS[kind]
    return {"indicator": kind.value, "unit": spec.unit, "name_zh": spec.name_zh,
            "name_en": spec.name_en, "year": year, "years": years, "districts": rows,
            "counts": counts,
            "successions": [{"predecessor": s.predecessor, "successor": s.successor,
                             "predecessor_name": names.get(s.predecessor, {}).get("name"),
                             "successor_name": names.get(s.successor, {}).get("name"),
                             "effective": s.effective, "note": s.note}
                            for s in sorted(r.successions.values(),
                                            key=lambda s: s.predecessor)]}


def may_see_accounts(actor: Principal | None, parties: Sequence[str]) -> bool:
    return actor is not None and (actor.role in READ_ACCOUNTS or actor.party_id in parties)


def _tranches(raw: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = orjson.loads(raw)
    for n, tr in enumerate(out, start=1):
        tr["n"] = n
        tr.pop("indicator_hold", None)
        tr.pop("money_hold", None)
    return out


def _contract(row: Any, names: dict[str, dict[str, Any]]) -> dict[str, Any]:
    d = dict(row._mapping)
    d["tranches"] = _tranches(d["tranches"])
    d["value"] = d["quantity"] * d["unit_price"]
    d["released"] = sum(x["quantity"] for x in d["tranches"] if x["status"] == "released")
    d["withheld"] = sum(x["quantity"] for x in d["tranches"] if x["status"] == "withheld")
    for side in ("seller", "buyer", "signed_seller", "signed_buyer"):
        d[f"{side}_name"] = names.get(d[side], {}).get("name", d[side])
    return d


def for_reader(c: dict[str, Any], actor: Principal | None) -> dict[str, Any]:
    """The contract with its accounts to its parties (and their predecessors), the operator,
    the forestry authority and auditors; ``private`` to anyone else."""
    parties = (c["seller"], c["buyer"], c["signed_seller"], c["signed_buyer"])
    if may_see_accounts(actor, parties):
        return c
    return {**c, "seller_account": "private",
            "buyer_account": None if c["buyer_account"] is None else "private"}


def contracts(conn: Connection, *, district: str | None = None,
              status: str | None = None) -> list[dict[str, Any]]:
    c = t.rights_contracts
    q = select(c).order_by(c.c.signed_on.desc(), c.c.id.desc())
    if district is not None:
        q = q.where((c.c.seller == district) | (c.c.buyer == district) |
                    (c.c.signed_seller == district) | (c.c.signed_buyer == district))
    if status is not None:
        q = q.where(c.c.status == status)
    names = district_names(conn)
    return [_contract(r, names) for r in conn.execute(q)]


def events(conn: Connection, subject: str) -> list[dict[str, Any]]:
    e = t.rights_events
    return [dict(r._mapping) for r in conn.execute(  # (not the acting key: it is no one's
        select(e.c.seq, e.c.kind, e.c.note).where(e.c.subject == subject)  # business)
        .order_by(e.c.seq, e.c.n))]


def contract(conn: Connection, cid: str) -> dict[str, Any]:
    c = t.rights_contracts
    row = conn.execute(select(c).where(c.c.id == cid)).one_or_none()
    if row is None:
        raise UnknownContract("no such contract", contract=cid)
    out = _contract(row, district_names(conn))
    out["history"] = events(conn, cid)
    return out


def price_history(conn: Connection,
                  kind: IndicatorKind = IndicatorKind.FOREST_AREA) -> list[dict[str, Any]]:
    """Every contract of the indicator by the day it was signed: quantity and unit price."""
    c = t.rights_contracts
    names = district_names(conn)
    return [{"contract": r.id, "signed_on": r.signed_on, "quantity": r.quantity,
             "unit_price": r.unit_price, "seller": names.get(r.signed_seller, {}).get("name"),
             "buyer": names.get(r.signed_buyer, {}).get("name"), "status": r.status}
            for r in conn.execute(select(c).where(c.c.indicator == kind.value)
                                  .order_by(c.c.signed_on, c.c.id))]


def restorations(conn: Connection, *, status: str | None = None) -> list[dict[str, Any]]:
    x = t.rights_restorations
    q = select(x).order_by(x.c.started, x.c.id)
    if status is not None:
        q = q.where(x.c.status == status)
    names = district_names(conn)
    p = t.parties
    restorers = {r.id: r.name for r in conn.execute(select(p.c.id, p.c.name))}
    out = []
    for r in conn.execute(q):
        d = dict(r._mapping)
        d["district_name"] = names.get(d["district"], {}).get("name", d["district"])
        d["restorer_name"] = restorers.get(d["restorer"], d["restorer"])
        d.pop("account", None)
        out.append(d)
    return out


def restoration(conn: Connection, rid: str) -> dict[str, Any]:
    found = [r for r in restorations(conn) if r["id"] == rid]
    if not found:
        raise UnknownRestoration("no such restoration project", restoration=rid)
    out = found[0]
    tr, inc, p = t.rights_transfers, t.rights_incomes, t.parties
    holders = {r.id: r.name for r in conn.execute(select(p.c.id, p.c.name))}
    out["transfers"] = [{**dict(r._mapping), "party_name": holders.get(r.party, r.party)}
                        for r in conn.execute(select(tr.c.id, tr.c.seq, tr.c.party,
                                                     tr.c.quantity, tr.c.use, tr.c.day)
                                              .where(tr.c.restoration == rid)
                                              .order_by(tr.c.seq))]
    out["incomes"] = [dict(r._mapping) for r in conn.execute(
        select(inc.c.year, inc.c.amount, inc.c.note).where(inc.c.restoration == rid)
        .order_by(inc.c.year))]
    out["history"] = events(conn, rid)
    return out


def district(conn: Connection, party: str) -> dict[str, Any]:
    """A district's record: measurements by year for each indicator, its standing each
    year, grants, contracts and succession."""
    names = district_names(conn)
    if party not in names:
        raise NotFound("no such district", district=party)
    r = load_book(conn)
    years: dict[str, list[dict[str, Any]]] = {}
    for kind in IndicatorKind:
        rows = []
        for y in compliance.years(r, kind):
            rows += [_standing(s, names) for s in compliance.standings(r, kind, y)
                     if s.district == party]
        if rows:
            years[kind.value] = rows
    succ = r.successions.get(party)
    return {"district": party, **names[party], "standings": years,
            "succeeded_by": None if succ is None else {
                "successor": succ.successor, "effective": succ.effective, "note": succ.note},
            "predecessors": sorted(r.line(party) - {party}),
            "grants": [{"id": g.id, "indicator": g.kind.value, "year": g.year,
                        "quantity": g.quantity} for g in sorted(r.grants.values(),
                                                                 key=lambda g: g.id)
                       if g.district in r.line(party)],
            "contracts": contracts(conn, district=party), "history": events(conn, party)}


def tranches_to_check(conn: Connection) -> list[dict[str, Any]]:
    """Tranches in escrow awaiting the forestry authority's acceptance check, by due day."""
    out = []
    for c in contracts(conn, status="approved"):
        for tr in c["tranches"]:
            if tr["status"] == "escrowed":
                out.append({"contract": c["id"], "n": tr["n"], "quantity": tr["quantity"],
                            "due": tr["due"], "seller_name": c["seller_name"],
                            "buyer_name": c["buyer_name"], "indicator": c["indicator"]})
    return sorted(out, key=lambda x: (x["due"], x["contract"], x["n"]))


def next_steps(c: dict[str, Any], party: str) -> list[dict[str, Any]]:
    """What ``party`` may do next on contract ``c``: countersign it (the buyer, once
    proposed), release an accepted tranche (the buyer)."""
    if party != c["buyer"]:
        return []
    if c["status"] == "proposed":
        return [{"action": "agree"}]
    return [{"action": "release", "n": tr["n"], "quantity": tr["quantity"]}
            for tr in c["tranches"] if tr["status"] == "accepted"]
