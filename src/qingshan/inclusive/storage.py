"""Rows of the carbon-inclusive book's tables: how it is loaded and written (plain SQL with ?
placeholders; the ledger's store runs them in the sequencer's transaction). The sub-ledger's
bulk tables (people, batches, rejects, postings, closes) are written by ``ingest``."""

from __future__ import annotations

from qingshan.inclusive.model import (
    Consent,
    DayClose,
    Partner,
    Pool,
    PoolStatus,
    Reward,
    SettledDay,
    Spend,
    SpendKind,
)
from qingshan.inclusive.state import InclusiveState
from qingshan.inclusive.subledger import format_by_scenario, parse_by_scenario
from qingshan.ledger.books import FetchAll, Rows, upsert_sql

SETTING_COLS = ["name", "value"]
PARTNER_COLS = ["id", "name", "scenarios", "slot", "seq"]
DAY_COLS = ["day", "root", "people", "events", "grams", "by_scenario", "parameter_set", "seq"]
REWARD_COLS = ["id", "name", "price", "stock", "sponsor", "seq"]
SPEND_COLS = ["id", "person", "kind", "grams", "reward", "quantity", "note", "day", "seq"]
CONSENT_COLS = ["person", "partner", "allow", "seq"]
POOL_COLS = ["id", "project", "first_day", "last_day", "grams", "carried_in", "tonnes",
             "status", "buffer", "issuance", "opinion", "seq", "updated_seq"]


def rows(r: InclusiveState) -> Rows:
    out: Rows = [
        (upsert_sql("inclusive_settings", SETTING_COLS, ("name",)),
         [(k, r.settings[k]) for k in r.changed_keys("settings")]),
        (upsert_sql("inclusive_partners", PARTNER_COLS), [
            (p.id, p.name, ",".join(p.scenarios), p.slot, p.seq)
            for p in r.changed("partners")]),
        (upsert_sql("inclusive_days", DAY_COLS, ("day",)), [
            (d.close.day, d.close.root, d.close.people, d.close.events, d.close.grams,
             format_by_scenario(d.close.by_scenario), d.close.parameter_set, d.seq)
            for d in r.changed("days")]),
        (upsert_sql("inclusive_rewards", REWARD_COLS), [
            (w.id, w.name, w.price, w.stock, w.sponsor, w.seq) for w in r.changed("rewards")]),
        (upsert_sql("inclusive_spends", SPEND_COLS), [
            (s.id, s.person, s.kind.value, s.grams, s.reward, s.quantity, s.note, s.day, s.seq)
            for s in r.changed("spends")]),
        (upsert_sql("inclusive_pools", POOL_COLS), [
            (p.id, p.project, p.first_day, p.last_day, p.grams, p.carried_in, p.tonnes,
             p.status.value, p.buffer, p.issuance, p.opinion, p.seq, p.updated_seq)
            for p in r.changed("pools")]),
        (upsert_sql("inclusive_consents", CONSENT_COLS, ("person", "partner")), [
            (c.person, c.partner, int(c.allow), c.seq) for c in r.changed("consents")]),
    ]
    return [(sql, params) for sql, params in out if params]


def load(r: InclusiveState, fetchall: FetchAll) -> None:
    for name, value in fetchall("SELECT name, value FROM inclusive_settings", ()):
        r.settings[name] = value
    for x in fetchall(f"SELECT {', '.join(PARTNER_COLS)} FROM inclusive_partners", ()):
        r.partners[x[0]] = Partner(id=x[0], name=x[1], scenarios=tuple(x[2].split(",")),
                                   slot=int(x[3]), seq=int(x[4]))
    for x in fetchall(f"SELECT {', '.join(DAY_COLS)} FROM inclusive_days", ()):
        close = DayClose(day=int(x[0]), root=x[1], people=int(x[2]), events=int(x[3]),
                         grams=int(x[4]), by_scenario=parse_by_scenario(x[5]),
                         parameter_set=x[6])
        r.days[close.day] = SettledDay(close=close, seq=int(x[7]))
    for x in fetchall(f"SELECT {', '.join(REWARD_COLS)} FROM inclusive_rewards", ()):
        r.rewards[x[0]] = Reward(id=x[0], name=x[1], price=int(x[2]), stock=int(x[3]),
                                 sponsor=x[4], seq=int(x[5]))
    for x in fetchall(f"SELECT {', '.join(SPEND_COLS)} FROM inclusive_spends", ()):
        s = Spend(id=x[0], person=int(x[1]), kind=SpendKind(x[2]), grams=int(x[3]),
                  reward=x[4], quantity=int(x[5]), note=x[6], day=int(x[7]), seq=int(x[8]))
        r.spends[s.id] = s
        r.spent[s.person] = r.spent.get(s.person, 0) + s.grams
    for x in fetchall(f"SELECT {', '.join(POOL_COLS)} FROM inclusive_pools", ()):
        r.pools[x[0]] = Pool(id=x[0], project=x[1], first_day=int(x[2]), last_day=int(x[3]),
                             grams=int(x[4]), carried_in=int(x[5]), tonnes=int(x[6]),
                             status=PoolStatus(x[7]), buffer=int(x[8]), issuance=x[9],
                             opinion=x[10], seq=int(x[11]), updated_seq=int(x[12]))
    for x in fetchall(f"SELECT {', '.join(CONSENT_COLS)} FROM inclusive_consents", ()):
        c = Consent(person=int(x[0]), partner=x[1], allow=bool(x[2]), seq=int(x[3]))
        r.consents[(c.person, c.partner)] = c
    r.counters["pool"] = max((int(k[2:]) for k in r.pools), default=0)
    r.counters["reward"] = max((int(k[2:]) for k in r.rewards), default=0)
    r.counters["spend"] = max((int(k[2:]) for k in r.spends), default=0)
