"""Reads of carbon-inclusive accounts for the edges: the scenarios, public aggregates, a
person's account, statement and export, a partner's batches, rejects and anomalies. A person
sees only their own data and a partner only its own events (the edges check who asks); the
public sees totals."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from typing import Any

import polars as pl

from qingshan.errors import Forbidden, NotFound
from qingshan.inclusive.ingest import SubLedgerStore
from qingshan.inclusive.model import EPOCH
from qingshan.inclusive.model import iso_day as iso
from qingshan.inclusive.rules import posting_leaf
from qingshan.inclusive.subledger import parse_by_scenario
from qingshan.ledger import transparency as tlog
from qingshan.ledger.domain.model import Principal, Role
from qingshan.ledger.domain.policy import READ_ALL
from qingshan.science.inclusive import SCENARIOS

PERSON_PARTY = re.compile(r"^CI[0-9]{12}$")


# ------------------------------------------------------------------------------ who reads
def person_of(actor: Principal) -> int:
    """The account number a person's key speaks for (role person, party CI + 12 digits)."""
    party = actor.party_id or ""
    if actor.role is not Role.PERSON or not PERSON_PARTY.match(party) or not int(party[2:]):
        raise Forbidden("this is a person's own: use the person's key (role person)",
                        role=actor.role.value)
    return int(party[2:])


def check_may_read_person(actor: Principal, person: int) -> None:
    """A person's account is read by the person, the operator and auditors."""
    if actor.role in READ_ALL:
        return
    if actor.role is Role.PERSON and actor.party_id == f"CI{person:012d}":
        return
    raise Forbidden("a person's account is read by the person, the operator and auditors",
                    person=person, role=actor.role.value)


def check_may_read_partner(actor: Principal, partner: str) -> None:
    """A partner's batches, rejects and anomalies are read by the partner (a member of its
    party), the operator and auditors."""
    if actor.role in READ_ALL:
        return
    if actor.role is Role.MEMBER and actor.party_id == partner:
        return
    raise Forbidden("a partner's batches are read by the partner, the operator and auditors",
                    partner=partner, role=actor.role.value)


def partner_of(actor: Principal) -> str:
    """The partner a member's key sends batches for (its party)."""
    if actor.role is not Role.MEMBER or actor.party_id is None:
        raise Forbidden("a partner sends its batches with a member's key of its party",
                        role=actor.role.value)
    return actor.party_id


def _month(day: int) -> str:
    return iso(day)[:7]


def scenarios() -> list[dict[str, Any]]:
    """Every scenario with its factor in force today, caps, fields and source."""
    today = dt.date.today()
    out = []
    for s in SCENARIOS.values():
        v = s.version_on(today) or s.versions[-1]
        out.append({"code": s.code, "name_zh": s.name_zh, "name_en": s.name_en,
                    "group": s.group.value, "unit": s.unit.value, "formula": s.formula.value,
                    "baseline": s.baseline, "factor": f"{v.factor.numerator}/"
                    f"{v.factor.denominator}", "factor_g_per_unit": str(float(v.factor)),
                    "effective": v.effective.isoformat(), "source": v.source.document,
                    "verified": v.verified, "daily_events": s.daily_events,
                    "daily_grams": s.daily_grams, "yearly_grams": s.yearly_grams,
                    "max_quantity": s.max_quantity, "fields": list(s.fields),
                    "versions": len(s.versions)})
    return out


def _settled(store: SubLedgerStore) -> tuple[int, int] | None:
    """The first and last settled days (every day between is settled)."""
    lo, hi = store.rows("SELECT MIN(day), MAX(day) FROM inclusive_days")[0]
    return None if lo is None else (int(lo), int(hi))


def summary(store: SubLedgerStore) -> dict[str, Any]:
    """Public totals: people enrolled, days settled, grams by scenario, district, partner and
    month (settled days only)."""
    people = int(store.rows("SELECT COUNT(*) FROM inclusive_people")[0][0])
    by_scenario: dict[str, int] = defaultdict(int)
    by_month: dict[str, int] = defaultdict(int)
    days = store.rows("SELECT day, grams, events, by_scenario FROM inclusive_days ORDER BY day")
    for day, grams, _, by in days:
        by_month[_month(int(day))] += int(grams)
        for k, g in parse_by_scenario(by):
            by_scenario[k] += g
    by_district: dict[str, int] = defaultdict(int)
    by_partner: dict[str, int] = defaultdict(int)
    for d, p in store.rows("SELECT c.by_district, c.by_partner FROM inclusive_closes c "
                           "JOIN inclusive_days s ON s.day = c.day"):
        for k, g in parse_by_scenario(d):
            by_district[k] += g
        for k, g in parse_by_scenario(p):
            by_partner[k] += g
    spends = store.rows("SELECT kind, COALESCE(SUM(grams), 0) FROM inclusive_spends "
                        "GROUP BY kind")
    return {"people": people, "days": len(days),
            "first_day": iso(int(days[0][0])) if days else None,
            "last_day": iso(int(days[-1][0])) if days else None,
            "grams": sum(int(r[1]) for r in days), "events": sum(int(r[2]) for r in days),
            "by_scenario": dict(sorted(by_scenario.items())),
            "by_district": dict(sorted(by_district.items())),
            "by_partner": dict(sorted(by_partner.items())),
            "by_month": dict(sorted(by_month.items())),
            "spent": {k: int(g) for k, g in spends}}


def _person_events(store: SubLedgerStore, person: int, first: int, last: int) -> pl.DataFrame:
    files = [store.archive / "days" / f"{d}.parquet" for d in range(first, last + 1)]
    files = [f for f in files if f.exists()]
    if not files:
        return pl.DataFrame()
    return pl.scan_parquet(files).filter(pl.col("person") == person).collect()


def account(store: SubLedgerStore, person: int) -> dict[str, Any] | None:
    """A person's balance (settled postings less spends), what is posted but not yet settled,
    and their credited grams by month and scenario."""
    row = store.rows("SELECT district, consent, enrolled FROM inclusive_people "
                     "WHERE person = ?", (person,))
    if not row:
        return None
    span = _settled(store)
    last = None if span is None else span[1]
    postings = store.rows("SELECT day, grams, events FROM inclusive_postings WHERE person = ? "
                          "ORDER BY day", (person,))
    settled = sum(int(g) for d, g, _ in postings
                  if span is not None and span[0] <= int(d) <= span[1])
    pending = sum(int(g) for d, g, _ in postings if last is None or int(d) > last)
    spends = store.rows("SELECT id, kind, grams, reward, quantity, note, day FROM "
                        "inclusive_spends WHERE person = ? ORDER BY id", (person,))
    spent = sum(int(r[2]) for r in spends)
    chart: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    if postings:
        ev = _person_events(store, person, int(postings[0][0]), int(postings[-1][0]))
        if ev.height:
            for day, scenario, grams in ev.group_by("day", "scenario").agg(
                    pl.col("credited").sum()).rows():
                chart[_month(int(day))][str(scenario)] += int(grams)
    consent = int(row[0][1])
    for slot, allow in store.rows("SELECT p.slot, c.allow FROM inclusive_consents c JOIN "
                                  "inclusive_partners p ON p.id = c.partner WHERE c.person = ?",
                                  (person,)):
        consent = consent | (1 << int(slot)) if allow else consent & ~(1 << int(slot))
    partners = store.rows("SELECT id, name, slot FROM inclusive_partners ORDER BY slot")
    return {"person": person, "district": row[0][0], "consent": consent,
            "partners": [{"partner": pid, "name": name, "allowed": bool(consent >> int(slot) & 1)}
                         for pid, name, slot in partners],
            "enrolled": iso(int(row[0][2])), "balance": settled - spent, "settled": settled,
            "pending": pending, "spent": spent,
            "by_month": {m: dict(sorted(v.items())) for m, v in sorted(chart.items())},
            "spends": [{"spend": r[0], "kind": r[1], "grams": int(r[2]), "reward": r[3],
                        "quantity": int(r[4]), "note": r[5], "day": iso(int(r[6]))}
                       for r in spends],
            "last_settled": None if last is None else iso(last)}


def statement(store: SubLedgerStore, person: int, first: dt.date,
              last: dt.date) -> list[dict[str, Any]]:
    """Every posting of a person between two days, with every event behind it: its partner,
    scenario, times, quantity, grams avoided, grams credited and why not more."""
    lo, hi = first.toordinal() - EPOCH, last.toordinal() - EPOCH
    span = _settled(store)
    postings = store.rows("SELECT day, grams, events FROM inclusive_postings WHERE person = ? "
                          "AND day BETWEEN ? AND ? ORDER BY day", (person, lo, hi))
    ev = _person_events(store, person, lo, hi)
    by_day: dict[int, list[dict[str, Any]]] = defaultdict(list)
    if ev.height:
        for r in ev.sort("day", "start_ms").iter_rows(named=True):
            by_day[int(r["day"])].append({
                "partner": r["partner"], "event_id": r["event_id"], "scenario": r["scenario"],
                "start_ms": r["start_ms"], "end_ms": r["end_ms"], "quantity": r["quantity"],
                "baseline": r["baseline"], "grams": r["grams"], "credited": r["credited"],
                "uncredited": r["uncredited"]})
    return [{"day": iso(int(d)), "grams": int(g), "events": int(n),
             "settled": span is not None and span[0] <= int(d) <= span[1],
             "lines": by_day[int(d)]}
            for d, g, n in postings]


BATCH_COLUMNS = ("id, name, format, received_ms, lines, accepted, duplicates, rejected, "
                 "grams, first_day, last_day, partner")


def _batch_row(r: Any) -> dict[str, Any]:
    return {"batch": r[0], "name": r[1], "format": r[2], "received_ms": int(r[3]),
            "lines": int(r[4]), "accepted": int(r[5]), "duplicates": int(r[6]),
            "rejected": int(r[7]), "grams": int(r[8]),
            "first_day": None if r[9] is None else iso(int(r[9])),
            "last_day": None if r[10] is None else iso(int(r[10]))}


def partner_batches(store: SubLedgerStore, partner: str, limit: int = 100) -> list[dict[str, Any]]:
    rows = store.rows(f"SELECT {BATCH_COLUMNS} FROM inclusive_batches WHERE "
                      "partner = ? ORDER BY received_ms DESC, id LIMIT ?", (partner, limit))
    return [_batch_row(r) for r in rows]


def batch(store: SubLedgerStore, bid: str, actor: Principal) -> dict[str, Any]:
    """One batch (its partner's, the operator's and auditors' to read)."""
    rows = store.rows(f"SELECT {BATCH_COLUMNS} FROM inclusive_batches WHERE id = ?", (bid,))
    if not rows:
        raise NotFound("no such batch", batch=bid)
    check_may_read_partner(actor, str(rows[0][11]))
    return {**_batch_row(rows[0]), "partner": str(rows[0][11])}


def batch_partner(store: SubLedgerStore, batch: str) -> str | None:
    rows = store.rows("SELECT partner FROM inclusive_batches WHERE id = ?", (batch,))
    return None if not rows else str(rows[0][0])


def batch_rejects(store: SubLedgerStore, batch: str, limit: int = 1000) -> list[dict[str, Any]]:
    rows = store.rows("SELECT line, event_id, code, reason FROM inclusive_rejects WHERE "
                      "batch = ? ORDER BY line LIMIT ?", (batch, limit))
    return [{"line": int(r[0]), "event_id": r[1], "code": r[2], "reason": r[3]} for r in rows]


def partner_anomalies(store: SubLedgerStore, partner: str) -> dict[str, Any]:
    """What looks wrong in a partner's data: refusals by code and duplicates over its batches;
    over its closed days, events cut by caps or overlapping another partner's trips, and the
    people whose events most often hit a cap."""
    totals = store.rows("SELECT COALESCE(SUM(lines), 0), COALESCE(SUM(accepted), 0), "
                        "COALESCE(SUM(duplicates), 0), COALESCE(SUM(rejected), 0) FROM "
                        "inclusive_batches WHERE partner = ?", (partner,))[0]
    codes = store.rows("SELECT r.code, COUNT(*) FROM inclusive_rejects r JOIN "
                       "inclusive_batches b ON b.id = r.batch WHERE b.partner = ? "
                       "GROUP BY r.code ORDER BY COUNT(*) DESC", (partner,))
    files = sorted((store.archive / "days").glob("*.parquet"))
    uncredited: dict[str, int] = {}
    capped_people: list[dict[str, int]] = []
    if files:
        ev = (pl.scan_parquet(files).filter(pl.col("partner") == partner)
              .select("person", "uncredited", "grams", "credited").collect())
        if ev.height:
            uncredited = {str(k): int(n) for k, n in ev.filter(
                pl.col("uncredited").is_not_null()).group_by("uncredited").len().rows()}
            top = (ev.filter(pl.col("uncredited").is_not_null()).group_by("person")
                   .agg(pl.len().alias("events")).sort("events", descending=True).head(10))
            capped_people = [{"person": int(p), "events": int(n)} for p, n in top.rows()]
    lines = int(totals[0])
    return {"partner": partner, "lines": lines, "accepted": int(totals[1]),
            "duplicates": int(totals[2]), "rejected": int(totals[3]),
            "reject_rate_bps": 0 if not lines else int(totals[3]) * 10_000 // lines,
            "duplicate_rate_bps": 0 if not lines else int(totals[2]) * 10_000 // lines,
            "rejects_by_code": {str(c): int(n) for c, n in codes},
            "uncredited_by_reason": uncredited, "most_capped_people": capped_people}


def export(store: SubLedgerStore, person: int) -> dict[str, Any] | None:
    """Everything the platform holds of a person: enrolment, consents, every posting with its
    events, every spend (a person's own download)."""
    acct = account(store, person)
    if acct is None:
        return None
    lo = store.rows("SELECT MIN(day), MAX(day) FROM inclusive_postings WHERE person = ?",
                    (person,))[0]
    lines = [] if lo[0] is None else statement(
        store, person, dt.date.fromordinal(EPOCH + int(lo[0])),
        dt.date.fromordinal(EPOCH + int(lo[1])))
    return {"account": acct, "postings": lines}


def rewards(store: SubLedgerStore) -> list[dict[str, Any]]:
    return [{"reward": r[0], "name": r[1], "price": int(r[2]), "stock": int(r[3]),
             "sponsor": r[4]} for r in store.rows(
        "SELECT id, name, price, stock, sponsor FROM inclusive_rewards ORDER BY id")]


def pools(store: SubLedgerStore) -> list[dict[str, Any]]:
    """Every pool of settled days: its days, grams, tonnes, carry, status and issuance."""
    return [{"pool": r[0], "project": r[1], "first_day": iso(int(r[2])),
             "last_day": iso(int(r[3])), "grams": int(r[4]), "carried_in": int(r[5]),
             "tonnes": int(r[6]), "status": r[7], "buffer": int(r[8]), "issuance": r[9],
             "opinion": r[10]}
            for r in store.rows("SELECT id, project, first_day, last_day, grams, carried_in, "
                                "tonnes, status, buffer, issuance, opinion FROM inclusive_pools "
                                "ORDER BY id")]


def pool_contributors(store: SubLedgerStore, pool: str, limit: int = 1000,
                      offset: int = 0) -> dict[str, Any] | None:
    """The accounts whose postings a pool counts, with their grams (public: account numbers
    and grams only), largest first."""
    row = store.rows("SELECT first_day, last_day, grams FROM inclusive_pools WHERE id = ?",
                     (pool,))
    if not row:
        return None
    lo, hi, grams = (int(x) for x in row[0])
    people = store.rows("SELECT COUNT(DISTINCT person) FROM inclusive_postings WHERE day "
                        "BETWEEN ? AND ? AND grams > 0", (lo, hi))[0][0]
    top = store.rows("SELECT person, SUM(grams) AS g FROM inclusive_postings WHERE day "
                     "BETWEEN ? AND ? AND grams > 0 GROUP BY person ORDER BY g DESC, person "
                     "LIMIT ? OFFSET ?", (lo, hi, limit, offset))
    return {"pool": pool, "grams": grams, "people": int(people),
            "contributors": [{"person": int(p), "grams": int(g)} for p, g in top]}


def posting_proof(store: SubLedgerStore, person: int, day: dt.date) -> dict[str, Any] | None:
    """A person's posting of a settled day with its RFC 6962 inclusion proof in the day's
    Merkle tree, whose root the journal holds (``settle_inclusive_day``): anyone can check
    the posting is one of the day's with ``transparency.verify_inclusion`` — the leaf is
    SHA-256(0x00 ‖ ``day:person:grams:events``). None if the day is not settled or the person
    has no posting on it."""
    d = day.toordinal() - EPOCH
    settled = store.rows("SELECT root, people FROM inclusive_days WHERE day = ?", (d,))
    if not settled:
        return None
    rows = store.rows("SELECT person, grams, events FROM inclusive_postings WHERE day = ? "
                      "ORDER BY person", (d,))
    index = next((i for i, r in enumerate(rows) if int(r[0]) == person), None)
    if index is None:
        return None
    levels = [[tlog.leaf_hash(posting_leaf(d, int(p), int(g), int(e))) for p, g, e in rows]]
    while len(levels[-1]) > 1:
        below = levels[-1]
        levels.append([tlog.node_hash(below[i], below[i + 1])
                       for i in range(0, len(below) - 1, 2)])
    proof = tlog.inclusion_proof(index, len(rows), lambda level, i: levels[level][i])
    _, grams, events = rows[index]
    return {"day": day.isoformat(), "person": person, "grams": int(grams),
            "events": int(events), "leaf": posting_leaf(d, person, int(grams),
                                                        int(events)).decode(),
            "index": index, "size": len(rows), "proof": [p.hex() for p in proof],
            "root": str(settled[0][0])}
