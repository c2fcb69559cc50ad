"""Rows of the lending book's tables: how it is loaded and written (plain SQL with ?
placeholders; the ledger's store runs them in the sequencer's transaction)."""

from __future__ import annotations

from typing import Any

import orjson

from qingshan.ledger.books import FetchAll, Rows, upsert_sql
from qingshan.lending.model import (
    BPS,
    Alert,
    AlertKind,
    Appraisal,
    CreditLine,
    Loan,
    LoanStatus,
    Reason,
    Repayment,
    RepaymentRecord,
    Scenario,
    StandRow,
)
from qingshan.lending.state import LendingState
from qingshan.science.forest import SpeciesGroup

LINE_COLS = ["id", "bank", "district", "limit_fen", "start_day", "end_day", "seq"]
APPRAISAL_COLS = ["id", "project", "bank", "day", "reason", "loan", "parameter_set", "body",
                  "collateral", "ceiling", "seq"]
LOAN_COLS = ["id", "bank", "borrower", "project", "account", "asset", "line", "appraisal",
             "principal", "rate_bps", "start_day", "term_months", "repayment", "max_ltv_bps",
             "status", "repaid", "interest", "holds", "pledged", "latest_appraisal", "closed",
             "seq", "updated_seq"]
REPAYMENT_COLS = ["id", "loan", "day", "principal", "interest", "seq"]
ALERT_COLS = ["id", "loan", "bank", "kind", "day", "note", "seq"]


def _json(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()


def appraisal_body(a: Appraisal) -> dict[str, Any]:
    """Everything an appraisal was computed from and found, as it is stored and shown."""
    return {"stands": [r.to_payload() for r in a.stands], "stands_day": a.stands_day,
            "note": a.note, "baseline_per_year": a.baseline_per_year, "horizon": a.horizon,
            "draws": a.draws, "seed": a.seed, "buffer_percent": a.buffer_percent,
            "price": a.price, "price_basis": a.price_basis, "trend_bps": a.trend_bps,
            "stress_bps": a.stress_bps, "discount_bps": a.discount_bps, "ltv_bps": a.ltv_bps,
            "scenario": a.scenario.value, "existing_units": a.existing_units,
            "p10": list(a.p10), "p50": list(a.p50), "p90": list(a.p90),
            "values": [list(v) for v in a.values]}


def _loan_row(n: Loan) -> tuple[Any, ...]:
    return (n.id, n.bank, n.borrower, n.project, n.account, n.asset, n.line, n.appraisal,
            n.principal, n.rate_bps, n.start, n.term_months, n.repayment.value,
            n.max_ltv_bps, n.status.value, n.repaid, n.interest, _json(list(n.holds)),
            n.pledged, n.latest_appraisal, n.closed, n.seq, n.updated_seq)


def rows(lend: LendingState) -> Rows:
    out: Rows = [
        (upsert_sql("lending_lines", LINE_COLS), [
            (c.id, c.bank, c.district, c.limit, c.start, c.end, c.seq)
            for c in lend.changed("lines")]),
        (upsert_sql("lending_appraisals", APPRAISAL_COLS), [
            (a.id, a.project, a.bank, a.day, a.reason.value, a.loan, a.parameter_set,
             _json(appraisal_body(a)), a.collateral, a.ceiling, a.seq)
            for a in lend.changed("appraisals")]),
        (upsert_sql("lending_loans", LOAN_COLS), [_loan_row(n) for n in lend.changed("loans")]),
        (upsert_sql("lending_repayments", REPAYMENT_COLS), [
            (r.id, r.loan, r.day, r.principal, r.interest, r.seq)
            for r in lend.changed("repayments")]),
        (upsert_sql("lending_alerts", ALERT_COLS), [
            (a.id, a.loan, a.bank, a.kind.value, a.day, a.note, a.seq)
            for a in lend.changed("alerts")]),
    ]
    return [(sql, params) for sql, params in out if params]


def appraisal_from_row(r: Any) -> Appraisal:
    b = orjson.loads(r[7])
    return Appraisal(
        id=r[0], project=r[1], bank=r[2], day=r[3], reason=Reason(r[4]), loan=r[5],
        parameter_set=r[6],
        stands=tuple(StandRow(group=SpeciesGroup(s["group"]), area_m2=int(s["area_m2"]),
                              age=int(s["age"]), site_bps=int(s["site_bps"]),
                              stocking_bps=int(s.get("stocking_bps", BPS)))
                     for s in b["stands"]),
        stands_day=b.get("stands_day", r[3]), note=b.get("note", ""),
        baseline_per_year=b.get("baseline_per_year", "0"), horizon=b["horizon"],
        draws=b["draws"], seed=b["seed"],
        buffer_percent=b["buffer_percent"], price=b["price"], price_basis=b["price_basis"],
        trend_bps=b["trend_bps"], stress_bps=b["stress_bps"], discount_bps=b["discount_bps"],
        ltv_bps=b["ltv_bps"], scenario=Scenario(b["scenario"]),
        existing_units=b["existing_units"], p10=tuple(b["p10"]), p50=tuple(b["p50"]),
        p90=tuple(b["p90"]),
        values=tuple((s, k, int(v)) for s, k, v in b["values"]), collateral=int(r[8]),
        ceiling=int(r[9]), seq=int(r[10]))


def loan_from_row(r: Any) -> Loan:
    return Loan(id=r[0], bank=r[1], borrower=r[2], project=r[3], account=r[4], asset=r[5],
                line=r[6], appraisal=r[7], principal=int(r[8]), rate_bps=int(r[9]),
                start=r[10], term_months=int(r[11]), repayment=Repayment(r[12]),
                max_ltv_bps=int(r[13]), status=LoanStatus(r[14]), repaid=int(r[15]),
                interest=int(r[16]), holds=tuple(orjson.loads(r[17])), pledged=int(r[18]),
                latest_appraisal=r[19], closed=r[20], seq=int(r[21]),
                updated_seq=int(r[22]))


def load(lend: LendingState, fetchall: FetchAll) -> None:
    for r in fetchall(f"SELECT {', '.join(LINE_COLS)} FROM lending_lines", ()):
        lend.lines[r[0]] = CreditLine(id=r[0], bank=r[1], district=r[2], limit=int(r[3]),
                                      start=r[4], end=r[5], seq=int(r[6]))
    for r in fetchall(f"SELECT {', '.join(APPRAISAL_COLS)} FROM lending_appraisals", ()):
        lend.appraisals[r[0]] = appraisal_from_row(r)
    for r in fetchall(f"SELECT {', '.join(LOAN_COLS)} FROM lending_loans", ()):
        lend.loans[r[0]] = loan_from_row(r)
    for r in fetchall(f"SELECT {', '.join(REPAYMENT_COLS)} FROM lending_repayments", ()):
        lend.repayments[r[0]] = RepaymentRecord(id=r[0], loan=r[1], day=r[2],
                                                principal=int(r[3]), interest=int(r[4]),
                                                seq=int(r[5]))
    for r in fetchall(f"SELECT {', '.join(ALERT_COLS)} FROM lending_alerts", ()):
        lend.alerts[r[0]] = Alert(id=r[0], loan=r[1], bank=r[2], kind=AlertKind(r[3]),
                                  day=r[4], note=r[5], seq=int(r[6]))
    for name, prefix, table in (("line", "CL", lend.lines), ("appraisal", "VA",
                                                               lend.appraisals),
                                ("loan", "LN", lend.loans), ("repayment", "LR",
                                                              lend.repayments),
                                ("alert", "LA", lend.alerts)):
        lend.counters[name] = max((int(k[len(prefix):]) for k in table), default=0)


def rules1_until(fetchall: FetchAll) -> int:
    """The last journal entry written under pledge-loan rules 1 (recorded by migration 0012)."""
    found = fetchall("SELECT value FROM lending_settings WHERE key = ?", ("rules1_until_seq",))
    return int(found[0][0]) if found else 0
