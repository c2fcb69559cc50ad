"""Rows of resource rights' tables: how its book is loaded and written (plain SQL with ?
placeholders; the ledger's store runs them in the sequencer's transaction)."""

from __future__ import annotations

from typing import Any

import orjson

from qingshan.ledger.books import FetchAll, Rows, upsert_sql
from qingshan.rights.model import (
    Contract,
    ContractStatus,
    Income,
    IndicatorKind,
    Measurement,
    Restoration,
    RestorationStatus,
    RightTransfer,
    RightUse,
    SiteKind,
    Succession,
    Tranche,
    TrancheStatus,
)
from qingshan.rights.state import Grant, RightsState

MEASUREMENT_COLS = ["district", "indicator", "year", "amount", "basis", "target_bps", "source",
                    "seq"]
SUCCESSION_COLS = ["predecessor", "successor", "effective", "note", "seq", "account"]
GRANT_COLS = ["id", "district", "indicator", "year", "quantity", "account", "serial_start",
              "seq"]
CONTRACT_COLS = ["id", "indicator", "seller", "buyer", "signed_seller", "signed_buyer",
                 "quantity", "unit_price", "tranches", "maintenance_years", "duties",
                 "signed_on", "seller_account", "buyer_account", "status", "created_seq",
                 "updated_seq"]
RESTORATION_COLS = ["id", "restorer", "district", "site_kind", "site", "area_mu", "plan",
                    "use", "started", "status", "created_seq", "updated_seq", "accepted_mu",
                    "share_bps", "term_years", "granted", "account", "accepted_on", "report",
                    "serial_start", "serial_end"]
TRANSFER_COLS = ["id", "restoration", "seq", "source", "destination", "party", "quantity",
                 "use", "day"]
INCOME_COLS = ["restoration", "year", "amount", "reporter", "note", "seq"]
TRANCHE_FIELDS = ("quantity", "due", "status", "indicator_hold", "money_hold", "checked_on",
                  "report", "released_on")


def _json(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()


def _tranches(ts: tuple[Tranche, ...]) -> str:
    return _json([{f: (getattr(t, f).value if f == "status" else getattr(t, f))
                   for f in TRANCHE_FIELDS} for t in ts])


def _contract_row(c: Contract) -> tuple[Any, ...]:
    return (c.id, c.kind.value, c.seller, c.buyer, c.signed_seller, c.signed_buyer, c.quantity,
            c.unit_price, _tranches(c.tranches), c.maintenance_years, c.duties, c.signed_on,
            c.seller_account, c.buyer_account, c.status.value, c.created_seq, c.updated_seq)


def _restoration_row(x: Restoration) -> tuple[Any, ...]:
    return (x.id, x.restorer, x.district, x.site_kind.value, x.site, x.area_mu, x.plan,
            x.use.value, x.started, x.status.value, x.created_seq, x.updated_seq, x.accepted_mu,
            x.share_bps, x.term_years, x.granted, x.account, x.accepted_on, x.report,
            x.serials[0], x.serials[1])


def rows(r: RightsState) -> Rows:
    out: Rows = [
        (upsert_sql("rights_floors", ["indicator", "price"], ("indicator",)),
         [(k.value, r.floors[k]) for k in r.changed_keys("floors")]),
        (upsert_sql("rights_measurements", MEASUREMENT_COLS, ("district", "indicator", "year")),
         [(m.district, m.kind.value, m.year, m.amount, m.basis, m.target_bps, m.source, m.seq)
          for m in r.changed("measurements")]),
        (upsert_sql("rights_successions", SUCCESSION_COLS, ("predecessor",)),
         [(s.predecessor, s.successor, s.effective, s.note, s.seq, s.account)
          for s in r.changed("successions")]),
        (upsert_sql("rights_grants", GRANT_COLS),
         [(g.id, g.district, g.kind.value, g.year, g.quantity, g.account, g.serial_start, g.seq)
          for g in r.changed("grants")]),
        (upsert_sql("rights_contracts", CONTRACT_COLS),
         [_contract_row(c) for c in r.changed("contracts")]),
        (upsert_sql("rights_restorations", RESTORATION_COLS),
         [_restoration_row(x) for x in r.changed("restorations")]),
        (upsert_sql("rights_transfers", TRANSFER_COLS),
         [(t.id, t.restoration, t.seq, t.source, t.destination, t.party, t.quantity,
           t.use.value, t.day) for t in r.changed("transfers")]),
        (upsert_sql("rights_incomes", INCOME_COLS, ("restoration", "year")),
         [(i.restoration, i.year, i.amount, i.reporter, i.note, i.seq)
          for i in r.changed("incomes")]),
    ]
    if r.events:
        out.append(("INSERT INTO rights_events (seq, n, subject, kind, actor, note) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    [(seq, n, *ev) for (seq, n), ev in sorted(r.events.items())]))
    return [(sql, params) for sql, params in out if params]


def _tranche(d: dict[str, Any]) -> Tranche:
    return Tranche(quantity=int(d["quantity"]), due=d["due"],
                   status=TrancheStatus(d["status"]), indicator_hold=d["indicator_hold"],
                   money_hold=d["money_hold"], checked_on=d["checked_on"], report=d["report"],
                   released_on=d["released_on"])


def _contract(x: Any) -> Contract:
    return Contract(id=x[0], kind=IndicatorKind(x[1]), seller=x[2], buyer=x[3],
                    signed_seller=x[4], signed_buyer=x[5], quantity=int(x[6]),
                    unit_price=int(x[7]),
                    tranches=tuple(_tranche(t) for t in orjson.loads(x[8])),
                    maintenance_years=int(x[9]), duties=x[10], signed_on=x[11],
                    seller_account=x[12], buyer_account=x[13], status=ContractStatus(x[14]),
                    created_seq=int(x[15]), updated_seq=int(x[16]))


def _restoration(x: Any) -> Restoration:
    return Restoration(id=x[0], restorer=x[1], district=x[2], site_kind=SiteKind(x[3]),
                       site=x[4], area_mu=int(x[5]), plan=x[6], use=RightUse(x[7]),
                       started=x[8], status=RestorationStatus(x[9]), created_seq=int(x[10]),
                       updated_seq=int(x[11]), accepted_mu=int(x[12]), share_bps=int(x[13]),
                       term_years=int(x[14]), granted=int(x[15]), account=x[16],
                       accepted_on=x[17], report=x[18], serials=(int(x[19]), int(x[20])))


def _select(table: str, cols: list[str]) -> str:
    return f"SELECT {', '.join(cols)} FROM {table}"


def load(r: RightsState, fetchall: FetchAll) -> None:
    for x in fetchall("SELECT indicator, price FROM rights_floors", ()):
        r.floors[IndicatorKind(x[0])] = int(x[1])
    for x in fetchall(_select("rights_measurements", MEASUREMENT_COLS), ()):
        kind = IndicatorKind(x[1])
        r.measurements[(x[0], kind, int(x[2]))] = Measurement(
            district=x[0], kind=kind, year=int(x[2]), amount=int(x[3]), basis=int(x[4]),
            target_bps=int(x[5]), source=x[6], seq=int(x[7]))
    for x in fetchall(_select("rights_successions", SUCCESSION_COLS), ()):
        r.successions[x[0]] = Succession(predecessor=x[0], successor=x[1], effective=x[2],
                                         note=x[3], seq=int(x[4]), account=x[5])
    for x in fetchall(_select("rights_grants", GRANT_COLS), ()):
        r.grants[x[0]] = Grant(id=x[0], district=x[1], kind=IndicatorKind(x[2]),
                               year=int(x[3]), quantity=int(x[4]), account=x[5],
                               serial_start=int(x[6]), seq=int(x[7]))
    for x in fetchall(_select("rights_contracts", CONTRACT_COLS), ()):
        r.contracts[x[0]] = _contract(x)
    for x in fetchall(_select("rights_restorations", RESTORATION_COLS), ()):
        r.restorations[x[0]] = _restoration(x)
    for x in fetchall(_select("rights_transfers", TRANSFER_COLS), ()):
        r.transfers[x[0]] = RightTransfer(id=x[0], restoration=x[1], seq=int(x[2]),
                                          source=x[3], destination=x[4], party=x[5],
                                          quantity=int(x[6]), use=RightUse(x[7]), day=x[8])
    for x in fetchall(_select("rights_incomes", INCOME_COLS), ()):
        r.incomes[(x[0], int(x[1]))] = Income(restoration=x[0], year=int(x[1]),
                                              amount=int(x[2]), reporter=x[3], note=x[4],
                                              seq=int(x[5]))
    for name, prefix_table in (("grant", r.grants), ("contract", r.contracts),
                               ("restoration", r.restorations), ("transfer", r.transfers)):
        r.counters[name] = max((int(k[2:]) for k in prefix_table), default=0)
