"""Reads. They go straight to the database (never through the sequencer), so a read never
waits on a write: SQLite in WAL mode and PostgreSQL's MVCC give every read a committed snapshot.

Each function takes a SQLAlchemy ``Connection`` and returns plain data (dicts and lists) ready
for JSON. Who may read what is decided at the edge (:mod:`qingshan.api.deps`).
"""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import Connection, and_, func, select

from qingshan.errors import InvalidInput, UnknownAccount, UnknownEntry, UnknownSerial
from qingshan.infra import schema as t
from qingshan.ledger import transparency as tlog
from qingshan.ledger.domain.serials import SerialNumber

MAX_PAGE = 500


def _limit(limit: int) -> int:
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInput(f"limit must be from 1 to {MAX_PAGE}", field="limit")
    return limit


def serial_text(conn: Connection, asset: str, issuance: int, start: int, end: int) -> str:
    row = conn.execute(
        select(t.asset_classes.c.registry, t.issuances.c.project, t.issuances.c.vintage)
        .select_from(t.issuances.join(t.asset_classes,
                                      t.asset_classes.c.code == t.issuances.c.asset))
        .where(t.issuances.c.id == issuance)).one()
    return SerialNumber(registry=row.registry, asset=asset, project=row.project,
                        vintage=row.vintage, issuance=issuance, start=start, end=end).format()


def account(conn: Connection, aid: str) -> dict[str, Any]:
    row = conn.execute(select(t.accounts).where(t.accounts.c.id == aid)).one_or_none()
    if row is None:
        raise UnknownAccount("no such account", account=aid)
    return dict(row._mapping)


def account_party(conn: Connection, aid: str) -> str:
    return str(account(conn, aid)["party_id"])


def party(conn: Connection, pid: str) -> dict[str, Any] | None:
    row = conn.execute(select(t.parties).where(t.parties.c.id == pid)).one_or_none()
    return None if row is None else dict(row._mapping)


def party_accounts(conn: Connection, pid: str) -> list[dict[str, Any]]:
    rows = conn.execute(select(t.accounts).where(t.accounts.c.party_id == pid)
                        .order_by(t.accounts.c.id))
    return [dict(r._mapping) for r in rows]


def holdings(conn: Connection, aid: str) -> dict[str, Any]:
    """What an account holds now: unit blocks (with serial numbers) and fungible balances."""
    acct = account(conn, aid)
    b, i, a = t.unit_blocks, t.issuances, t.asset_classes
    rows = conn.execute(
        select(b, i.c.project, a.c.registry)
        .select_from(b.join(i, i.c.id == b.c.issuance).join(a, a.c.code == b.c.asset))
        .where(b.c.account == aid)
        .order_by(b.c.asset, b.c.vintage, b.c.issuance, b.c.serial_start)).all()
    blocks = []
    totals: dict[str, dict[str, int]] = {}
    for r in rows:
        qty = r.serial_end - r.serial_start + 1
        blocks.append({
            "block": r.id, "asset": r.asset, "issuance": r.issuance, "vintage": r.vintage,
            "project": r.project, "start": r.serial_start, "end": r.serial_end,
            "quantity": qty, "state": r.state, "hold": r.hold,
            "serial": SerialNumber(registry=r.registry, asset=r.asset, project=r.project,
                                   vintage=r.vintage, issuance=r.issuance,
                                   start=r.serial_start, end=r.serial_end).format()})
        per = totals.setdefault(r.asset, {"active": 0, "held": 0, "retired": 0, "cancelled": 0})
        per[r.state] += qty
    bals = conn.execute(select(t.balances).where(t.balances.c.account == aid)
                        .order_by(t.balances.c.asset)).all()
    return {"account": acct, "units": totals, "blocks": blocks,
            "balances": [{"asset": r.asset, "balance": r.balance, "held": r.held,
                          "available": r.balance - r.held} for r in bals]}


def account_entries(conn: Connection, aid: str, *, after: int = 0,
                    limit: int = 100) -> list[dict[str, Any]]:
    """Journal entries that moved anything in or out of the account, oldest first."""
    limit = _limit(limit)
    p, s = t.postings, t.serial_events
    seqs = (select(p.c.seq).where(p.c.account == aid)
            .union(select(s.c.seq).where(s.c.to_account == aid),
                   select(s.c.seq).where(s.c.from_account == aid))).subquery()
    rows = conn.execute(select(t.journal.c.entry).where(t.journal.c.seq.in_(select(seqs.c.seq)),
                                                        t.journal.c.seq > after)
                        .order_by(t.journal.c.seq).limit(limit))
    return [orjson.loads(r.entry) for r in rows]


def journal_page(conn: Connection, *, after: int = 0, limit: int = 100) -> list[dict[str, Any]]:
    limit = _limit(limit)
    rows = conn.execute(select(t.journal.c.entry).where(t.journal.c.seq > after)
                        .order_by(t.journal.c.seq).limit(limit))
    return [orjson.loads(r.entry) for r in rows]


def journal_entry(conn: Connection, seq: int) -> tuple[dict[str, Any], bytes]:
    row = conn.execute(select(t.journal.c.entry).where(t.journal.c.seq == seq)).one_or_none()
    if row is None:
        raise UnknownEntry("no journal entry with this number", seq=seq)
    return orjson.loads(row.entry), row.entry.encode()


def find_serial(conn: Connection, sn: SerialNumber) -> dict[str, Any]:
    """Look up the first unit of a serial number, after checking that the number is real:
    its registry, project, vintage and issuance must be the unit's, and its range must lie
    inside that issuance."""
    found = serial_lookup(conn, sn.asset, sn.start)
    iss = found["issuance"]
    registry = conn.execute(select(t.asset_classes.c.registry)
                            .where(t.asset_classes.c.code == sn.asset)).scalar()
    if (registry, iss["id"], iss["project"], iss["vintage"]) != \
            (sn.registry, sn.issuance, sn.project, sn.vintage) or sn.end > iss["serials"][1]:
        raise UnknownSerial("no issued units carry this serial number", serial=sn.format())
    return found


def serial_lookup(conn: Connection, asset: str, serial: int) -> dict[str, Any]:
    """Where one unit is now and everything that happened to it."""
    b = t.unit_blocks
    row = conn.execute(select(b).where(b.c.asset == asset, b.c.serial_start <= serial)
                       .order_by(b.c.serial_start.desc()).limit(1)).one_or_none()
    if row is None or row.serial_end < serial:
        raise UnknownSerial("no unit with this serial has been issued", asset=asset,
                            serial=serial)
    iss = conn.execute(select(t.issuances).where(t.issuances.c.id == row.issuance)).one()
    s = t.serial_events
    events = conn.execute(
        select(s, t.journal.c.kind, t.journal.c.time_ms)
        .select_from(s.join(t.journal, t.journal.c.seq == s.c.seq))
        .where(and_(s.c.asset == asset, s.c.serial_start <= serial, s.c.serial_end >= serial))
        .order_by(s.c.seq)).all()
    retirement = None
    if row.state == "retired":
        rets = conn.execute(select(t.retirements).where(
            t.retirements.c.seq == events[-1].seq)).one_or_none() if events else None
        if rets is not None:
            retirement = {k: v for k, v in rets._mapping.items() if k != "ranges"}
    return {
        "asset": asset, "serial": serial,
        "unit_serial": serial_text(conn, asset, row.issuance, serial, serial),
        "block": {"id": row.id, "start": row.serial_start, "end": row.serial_end,
                  "state": row.state, "account": row.account, "hold": row.hold,
                  "serial": serial_text(conn, asset, row.issuance, row.serial_start,
                                        row.serial_end)},
        "issuance": {"id": iss.id, "project": iss.project, "vintage": iss.vintage,
                     "serials": [iss.serial_start, iss.serial_end],
                     "monitoring_period": [iss.monitoring_start, iss.monitoring_end],
                     "reference": iss.reference},
        "retirement": retirement,
        "history": [{"seq": e.seq, "kind": e.kind, "time": e.time_ms, "from": e.from_account,
                     "to": e.to_account, "state": e.state,
                     "range": [e.serial_start, e.serial_end]} for e in events],
    }


def asset_classes(conn: Connection) -> list[dict[str, Any]]:
    return [dict(r._mapping) for r in conn.execute(select(t.asset_classes)
                                                   .order_by(t.asset_classes.c.code))]


def issuances(conn: Connection, *, after: int = 0, limit: int = 100) -> list[dict[str, Any]]:
    rows = conn.execute(select(t.issuances).where(t.issuances.c.id > after)
                        .order_by(t.issuances.c.id).limit(_limit(limit)))
    return [dict(r._mapping) for r in rows]


def retirements(conn: Connection, *, after: int = 0, limit: int = 100) -> list[dict[str, Any]]:
    r = t.retirements
    rows = conn.execute(select(r).where(r.c.seq > after).order_by(r.c.seq)
                        .limit(_limit(limit)))
    out = []
    for row in rows:
        d = dict(row._mapping)
        d["ranges"] = orjson.loads(d["ranges"])
        out.append(d)
    return out


def retirements_of(conn: Connection, accounts: list[str], *,
                   limit: int = 200) -> list[dict[str, Any]]:
    """A party's retirements (from its accounts), newest first."""
    r = t.retirements
    rows = conn.execute(select(r).where(r.c.account.in_(accounts)).order_by(r.c.seq.desc())
                        .limit(_limit(limit)))
    return [{**dict(row._mapping), "ranges": orjson.loads(row.ranges)} for row in rows]


def holds_controlled(conn: Connection, party: str, *, kind: str | None = None,
                     limit: int = 200) -> list[dict[str, Any]]:
    """Active holds a party controls (a court's freezes, a bank's pledges), newest first."""
    h = t.holds
    q = select(h).where(h.c.controller == party, h.c.status == "active")
    if kind:
        q = q.where(h.c.kind == kind)
    return [dict(r._mapping) for r in conn.execute(q.order_by(h.c.id.desc())
                                                   .limit(_limit(limit)))]


def supply(conn: Connection) -> dict[str, dict[str, int]]:
    """Per serialized asset: issued and units per state (the conservation law, in public)."""
    b = t.unit_blocks
    qty = func.sum(b.c.serial_end - b.c.serial_start + 1)
    out: dict[str, dict[str, int]] = {}
    for asset, state, total in conn.execute(select(b.c.asset, b.c.state, qty)
                                            .group_by(b.c.asset, b.c.state)):
        out.setdefault(asset, {"active": 0, "held": 0, "retired": 0, "cancelled": 0})
        out[asset][state] = int(total)
    for asset, issued in conn.execute(select(t.issuances.c.asset,
                                             func.sum(t.issuances.c.serial_end
                                                      - t.issuances.c.serial_start + 1))
                                      .group_by(t.issuances.c.asset)):
        out.setdefault(asset, {"active": 0, "held": 0, "retired": 0, "cancelled": 0})
        out[asset]["issued"] = int(issued)
    return out


def stats(conn: Connection) -> dict[str, Any]:
    parties = {k: int(n) for k, n in conn.execute(
        select(t.parties.c.kind, func.count()).group_by(t.parties.c.kind))}
    size = conn.execute(select(func.max(t.journal.c.seq))).scalar() or 0
    return {"parties": parties, "supply": supply(conn), "journal_size": int(size)}


# ------------------------------------------------------------------- figures, by asset
# (each asset counts in its own unit: tonnes of CO2e and mu of forest cover never add up)


def party_count(conn: Connection, kind: str) -> int:
    p = t.parties
    return int(conn.execute(select(func.count()).select_from(p)
                            .where(p.c.kind == kind)).scalar() or 0)


def issued_by_vintage(conn: Connection, asset: str) -> list[tuple[str, int]]:
    i = t.issuances
    return [(str(v), int(q)) for v, q in conn.execute(
        select(i.c.vintage, func.sum(i.c.serial_end - i.c.serial_start + 1))
        .where(i.c.asset == asset).group_by(i.c.vintage).order_by(i.c.vintage))]


def retired_by_purpose(conn: Connection, asset: str) -> list[tuple[str, int]]:
    rt = t.retirements
    total = func.sum(rt.c.quantity)
    return [(str(p), int(q)) for p, q in conn.execute(
        select(rt.c.purpose, total).where(rt.c.asset == asset).group_by(rt.c.purpose)
        .order_by(total.desc(), rt.c.purpose))]


def issuance_spans(conn: Connection, asset: str) -> list[tuple[int, int, int]]:
    """``(serial_start, serial_end, issuance)`` of every issuance of the asset, by serial."""
    i = t.issuances
    return [(int(s), int(e), int(iid)) for iid, s, e in conn.execute(
        select(i.c.id, i.c.serial_start, i.c.serial_end).where(i.c.asset == asset)
        .order_by(i.c.serial_start))]


def retired_ranges(conn: Connection, asset: str) -> list[tuple[int, int]]:
    """Every retired serial range of the asset (a range never crosses two issuances)."""
    rt = t.retirements
    return [(int(a), int(b)) for (ranges,) in conn.execute(
        select(rt.c.ranges).where(rt.c.asset == asset)) for a, b in orjson.loads(ranges)]


def moved_between_parties(conn: Connection, asset: str) -> list[tuple[int, int]]:
    """Serial ranges of the asset that moved active from one party to another (on the market
    or by transfer)."""
    ev, acc = t.serial_events, t.accounts
    src, dst = acc.alias("src"), acc.alias("dst")
    return [(int(a), int(b)) for a, b in conn.execute(
        select(ev.c.serial_start, ev.c.serial_end)
        .select_from(ev.join(src, src.c.id == ev.c.from_account)
                     .join(dst, dst.c.id == ev.c.to_account))
        .where(ev.c.asset == asset, ev.c.state == "active",
               src.c.party_id != dst.c.party_id))]


# ---------------------------------------------------------------------------------- the log


class LogReader:
    """Perfect-subtree hashes from the stored leaves and tile nodes, for proofs."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def fetch(self, level: int, index: int) -> bytes:
        if level == 0:
            v = self.conn.execute(select(t.journal.c.leaf_hash)
                                  .where(t.journal.c.seq == index + 1)).scalar()
        else:
            v = self.conn.execute(select(t.log_nodes.c.hash).where(
                t.log_nodes.c.level == level, t.log_nodes.c.idx == index)).scalar()
        if v is None:
            raise UnknownEntry("log node not stored", level=level, index=index)
        return bytes(v)

    def perfect(self, level: int, index: int) -> bytes:
        return tlog.perfect_subtree_hash(level, index, self.fetch)


def tree_head(conn: Connection, size: int | None = None) -> tlog.SignedTreeHead:
    h = t.tree_heads
    q = select(h).order_by(h.c.size.desc()).limit(1) if size is None else \
        select(h).where(h.c.size == size)
    row = conn.execute(q).one_or_none()
    if row is None:
        raise UnknownEntry("no signed tree head of this size", size=size)
    return tlog.SignedTreeHead(
        head=tlog.TreeHead(size=int(row.size), root=bytes(row.root),
                           timestamp_ms=int(row.timestamp_ms)),
        signature=bytes(row.signature), key_id=row.key_id)


def inclusion_bundle(conn: Connection, seq: int, public_key_pem: bytes,
                     size: int | None = None) -> tlog.InclusionBundle:
    """Everything needed to check entry ``seq`` offline: the entry, a signed tree head that
    covers it, the audit path and the log's public key."""
    _, data = journal_entry(conn, seq)
    sth = tree_head(conn, size)
    if sth.head.size < seq:
        raise InvalidInput("that tree head does not cover this entry yet", seq=seq,
                           tree_size=sth.head.size)
    proof = tlog.inclusion_proof(seq - 1, sth.head.size, LogReader(conn).perfect)
    return tlog.InclusionBundle(entry=data, index=seq - 1, sth=sth, proof=proof,
                                public_key_pem=public_key_pem)


def consistency(conn: Connection, first: int, second: int) -> dict[str, Any]:
    a, b = tree_head(conn, first), tree_head(conn, second)
    if not 0 < first <= second:
        raise InvalidInput("need 0 < first ≤ second", first=first, second=second)
    proof = tlog.consistency_proof(first, second, LogReader(conn).perfect)
    return {"first": first, "second": second, "first_root": a.head.root.hex(),
            "second_root": b.head.root.hex(), "proof": [p.hex() for p in proof]}
