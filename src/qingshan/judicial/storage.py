"""Rows of judicial offsetting's tables: how its book is loaded and written (plain SQL with ?
placeholders; the ledger's store runs them in the sequencer's transaction)."""

from __future__ import annotations

from typing import Any

import orjson

from qingshan.judicial.model import (
    Case,
    CaseStatus,
    Defendant,
    DefendantKind,
    Offer,
    OfferStatus,
    Payment,
    Purchase,
)
from qingshan.judicial.state import JudicialState
from qingshan.ledger.books import FetchAll, Rows, upsert_sql
from qingshan.ledger.domain.model import SerialRange

CASE_COLS = ["id", "court", "number", "cause", "defendants", "judgment_date",
             "compensation_fen", "tonnes", "deadline", "restoration", "asset", "categories",
             "cap_price", "account", "refund_account", "status", "created_seq", "updated_seq",
             "paid", "spent", "fees", "refunded", "bought", "retired", "retirement",
             "closed_date", "project"]
PAYMENT_COLS = ["reference", "case_id", "amount", "payer", "seq"]
OFFER_COLS = ["id", "case_id", "account", "party", "ranges", "price", "status", "seq"]
PURCHASE_COLS = ["id", "case_id", "instrument", "quantity", "value", "fee", "limit_price",
                 "trades", "seq"]


def _json(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()


def _case_row(c: Case) -> tuple[Any, ...]:
    return (c.id, c.court, c.number, c.cause, _json([d.to_payload() for d in c.defendants]),
            c.judgment_date, c.compensation_fen, c.tonnes, c.deadline, c.restoration, c.asset,
            None if c.categories is None else _json(list(c.categories)), c.cap_price,
            c.account, c.refund_account, c.status.value, c.created_seq, c.updated_seq, c.paid,
            c.spent, c.fees, c.refunded, c.bought, c.retired, c.retirement, c.closed_date,
            c.project)


def rows(j: JudicialState) -> Rows:
    out: Rows = [
        (upsert_sql("judicial_cases", CASE_COLS), [_case_row(c) for c in j.changed("cases")]),
        (upsert_sql("judicial_payments", PAYMENT_COLS, ("reference",)), [
            (p.reference, p.case, p.amount, p.payer, p.seq) for p in j.changed("payments")]),
        (upsert_sql("judicial_purchases", PURCHASE_COLS), [
            (q.id, q.case, q.instrument, q.quantity, q.value, q.fee, q.limit,
             _json(list(q.trades)), q.seq) for q in j.changed("purchases")]),
        (upsert_sql("judicial_offers", OFFER_COLS), [
            (o.id, o.case, o.account, o.party, _json([r.to_payload() for r in o.ranges]),
             o.price, o.status.value, o.seq) for o in j.changed("offers")]),
    ]
    if j.events:
        out.append(("INSERT INTO judicial_events (seq, n, case_id, kind, actor, note) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    [(seq, n, *ev) for (seq, n), ev in sorted(j.events.items())]))
    return [(sql, params) for sql, params in out if params]


def _case(r: Any) -> Case:
    cats = r[11]
    return Case(id=r[0], court=r[1], number=r[2], cause=r[3],
                defendants=tuple(Defendant(name=d["name"], kind=DefendantKind(d["kind"]))
                                 for d in orjson.loads(r[4])),
                judgment_date=r[5], compensation_fen=int(r[6]), tonnes=int(r[7]),
                deadline=r[8], restoration=r[9], asset=r[10],
                categories=None if cats is None else tuple(orjson.loads(cats)),
                cap_price=int(r[12]), account=r[13], refund_account=r[14],
                status=CaseStatus(r[15]), created_seq=int(r[16]), updated_seq=int(r[17]),
                paid=int(r[18]), spent=int(r[19]), fees=int(r[20]), refunded=int(r[21]),
                bought=int(r[22]), retired=int(r[23]), retirement=r[24], closed_date=r[25],
                project=r[26])


def load(j: JudicialState, fetchall: FetchAll) -> None:
    for r in fetchall(f"SELECT {', '.join(CASE_COLS)} FROM judicial_cases", ()):
        case = _case(r)
        j.cases[case.id] = case
        j.numbers[(case.court, case.number)] = case.id
    for r in fetchall(f"SELECT {', '.join(PAYMENT_COLS)} FROM judicial_payments", ()):
        j.payments[r[0]] = Payment(reference=r[0], case=r[1], amount=int(r[2]), payer=r[3],
                                   seq=int(r[4]))
    for r in fetchall(f"SELECT {', '.join(PURCHASE_COLS)} FROM judicial_purchases", ()):
        j.purchases[r[0]] = Purchase(id=r[0], case=r[1], instrument=r[2], quantity=int(r[3]),
                                     value=int(r[4]), fee=int(r[5]), limit=int(r[6]),
                                     trades=tuple(orjson.loads(r[7])), seq=int(r[8]))
    for r in fetchall(f"SELECT {', '.join(OFFER_COLS)} FROM judicial_offers", ()):
        j.offers[r[0]] = Offer(id=r[0], case=r[1], account=r[2], party=r[3],
                               ranges=tuple(SerialRange(a, b) for a, b in orjson.loads(r[4])),
                               price=int(r[5]), status=OfferStatus(r[6]), seq=int(r[7]))
    j.counters["case"] = max((int(k[2:]) for k in j.cases), default=0)
    j.counters["offer"] = max((int(k[2:]) for k in j.offers), default=0)
    j.counters["purchase"] = max((int(k[2:]) for k in j.purchases), default=0)
