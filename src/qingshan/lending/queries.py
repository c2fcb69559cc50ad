"""Reads of pledge loans, from its tables through a book loaded from them (the same records
the handlers keep). Loans, appraisals and alerts are the bank's and the borrower's
commercial data: their bank's principals, the borrower's members, the operator and auditors
read them (``may_read``); the public reads only the totals by district (``summary``), as
the seed publishes them (5 loans, 210 M yuan)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Connection, select

from qingshan.errors import Forbidden
from qingshan.infra import schema as t
from qingshan.infra.db import fetch_all
from qingshan.ledger.domain.model import Principal, Role
from qingshan.ledger.domain.policy import ADMIN_ROLES
from qingshan.lending import storage
from qingshan.lending.appraisals import is_current
from qingshan.lending.errors import UnknownAppraisal, UnknownLoan
from qingshan.lending.model import (
    APPRAISAL_VALID_DAYS,
    Appraisal,
    Loan,
    LoanStatus,
    overdue,
    revaluation_reasons,
    schedule,
)
from qingshan.lending.state import LendingState
from qingshan.lending.valuation import ltv_bps
from qingshan.reference.chongqing import DISTRICTS

READ_ALL = frozenset({*ADMIN_ROLES, Role.AUDITOR})
DISTRICT_NAMES = {d.code: d for d in DISTRICTS}


class _NoProjects:
    def project_terms(self, project: str) -> None:
        return None

    def monitored_volumes(self, project: str, reference: str) -> None:
        return None


class _NoPrices:
    def average_price(self, asset: str, first_day: int, last_day: int) -> None:
        return None

    def yearly_prices(self, asset: str, last_day: int) -> list[tuple[int, int]]:
        return []


def load_book(conn: Connection) -> LendingState:
    """A lending book loaded from the tables (nothing bound: reads only)."""
    lend = LendingState(_NoProjects(), _NoPrices())
    storage.load(lend, fetch_all(conn))
    return lend


def may_read(actor: Principal | None, bank: str, borrower: str | None) -> bool:
    if actor is None:
        return False
    if actor.role in READ_ALL:
        return True
    if actor.role is Role.BANK and actor.party_id == bank:
        return True
    return actor.role is Role.MEMBER and borrower is not None and actor.party_id == borrower


def _district_name(code: str) -> dict[str, str]:
    d = DISTRICT_NAMES.get(code)
    return {"code": code, "name_zh": d.name_zh if d else code, "name_en": d.name_en if d else code}


def _projects(conn: Connection) -> dict[str, Any]:
    p = t.registry_projects
    return {r.id: r for r in conn.execute(select(p.c.id, p.c.name, p.c.district,
                                                  p.c.proponent))}


def loan_view(loan: Loan, lend: LendingState, projects: dict[str, Any],
              today: str) -> dict[str, Any]:
    latest = lend.appraisals.get(loan.latest_appraisal)
    collateral = latest.collateral if latest else 0
    p = projects.get(loan.project)
    return {"id": loan.id, "bank": loan.bank, "borrower": loan.borrower,
            "project": loan.project, "project_name": p.name if p else loan.project,
            "district": p.district if p else "", "account": loan.account,
            "asset": loan.asset, "line": loan.line, "appraisal": loan.appraisal,
            "latest_appraisal": loan.latest_appraisal, "principal": loan.principal,
            "rate_bps": loan.rate_bps, "start": loan.start, "maturity": loan.maturity,
            "term_months": loan.term_months, "repayment": loan.repayment.value,
            "max_ltv_bps": loan.max_ltv_bps, "status": loan.status.value,
            "repaid": loan.repaid, "interest": loan.interest,
            "outstanding": loan.outstanding, "pledged": loan.pledged,
            "holds": list(loan.holds), "collateral": collateral,
            "ltv_bps": ltv_bps(loan.outstanding, collateral) if latest else None,
            "overdue": overdue(loan, today), "closed": loan.closed}


def today() -> str:
    return date.today().isoformat()


def loans(conn: Connection, actor: Principal) -> list[dict[str, Any]]:
    """The loans ``actor`` may read (a bank's own, a borrower's own, all to the operator and
    auditors), newest first."""
    lend = load_book(conn)
    projects = _projects(conn)
    day = today()
    return [loan_view(n, lend, projects, day)
            for n in sorted(lend.loans.values(), key=lambda n: n.id, reverse=True)
            if may_read(actor, n.bank, n.borrower)]


def appraisal_view(a: Appraisal) -> dict[str, Any]:
    body = storage.appraisal_body(a)
    return {"id": a.id, "project": a.project, "bank": a.bank, "day": a.day,
            "reason": a.reason.value, "loan": a.loan, "parameter_set": a.parameter_set,
            "collateral": a.collateral, "ceiling": a.ceiling, "seq": a.seq, **body,
            "values": [{"scenario": s, "basis": b, "value": v} for s, b, v in a.values]}


def loan(conn: Connection, lid: str, actor: Principal) -> dict[str, Any]:
    """One loan whole: its schedule, repayments, appraisals and alerts."""
    lend = load_book(conn)
    n = lend.loans.get(lid)
    if n is None:
        raise UnknownLoan("no such loan", loan=lid)
    if not may_read(actor, n.bank, n.borrower):
        raise Forbidden("a loan is read by its bank, its borrower, the operator and auditors",
                        loan=lid)
    out = loan_view(n, lend, _projects(conn), today())
    out["schedule"] = [{"due": i.due, "principal": i.principal, "interest": i.interest,
                        "outstanding_after": i.outstanding_after}
                       for i in schedule(n.principal, n.rate_bps, n.start, n.term_months,
                                         n.repayment)]
    out["repayments"] = [{"id": r.id, "day": r.day, "principal": r.principal,
                          "interest": r.interest, "seq": r.seq}
                         for r in sorted(lend.repayments.values(), key=lambda r: r.id)
                         if r.loan == lid]
    out["alerts"] = [{"id": a.id, "kind": a.kind.value, "day": a.day, "note": a.note,
                      "seq": a.seq}
                     for a in sorted(lend.alerts.values(), key=lambda a: a.id) if a.loan == lid]
    out["appraisals"] = [{"id": a.id, "day": a.day, "reason": a.reason.value,
                          "collateral": a.collateral, "ceiling": a.ceiling, "note": a.note}
                         for a in sorted(lend.appraisals.values(), key=lambda a: a.id)
                         if a.project == n.project and a.bank == n.bank]
    return out


def appraisal(conn: Connection, vid: str, actor: Principal) -> dict[str, Any]:
    lend = load_book(conn)
    a = lend.appraisals.get(vid)
    if a is None:
        raise UnknownAppraisal("no such appraisal", appraisal=vid)
    p = _projects(conn).get(a.project)
    if not may_read(actor, a.bank, p.proponent if p else None):
        raise Forbidden("an appraisal is read by its bank, the project's owner, the operator "
                        "and auditors", appraisal=vid)
    out = appraisal_view(a)
    out["project_name"] = p.name if p else a.project
    out["district"] = p.district if p else ""
    return out


def exposure(conn: Connection, actor: Principal) -> list[dict[str, Any]]:
    """Outstanding principal, collateral and credit lines by district, over the loans and
    lines ``actor`` may read."""
    lend = load_book(conn)
    projects = _projects(conn)
    day = today()
    rows: dict[str, dict[str, Any]] = {}

    def row(code: str) -> dict[str, Any]:
        return rows.setdefault(code, {**_district_name(code), "loans": 0, "principal": 0,
                                      "outstanding": 0, "collateral": 0, "lines": 0,
                                      "line_limit": 0, "overdue": 0})

    for n in lend.loans.values():
        if not may_read(actor, n.bank, n.borrower):
            continue
        v = loan_view(n, lend, projects, day)
        r = row(v["district"])
        r["loans"] += 1
        r["principal"] += n.principal
        if n.status is LoanStatus.ACTIVE:
            r["outstanding"] += n.outstanding
            r["collateral"] += v["collateral"]
            r["overdue"] += v["overdue"]
    for line in lend.lines.values():
        if may_read(actor, line.bank, None):
            r = row(line.district)
            r["lines"] += 1
            r["line_limit"] += line.limit
    return sorted(rows.values(), key=lambda r: (-r["outstanding"], r["code"]))


def lines(conn: Connection, actor: Principal) -> list[dict[str, Any]]:
    lend = load_book(conn)
    return [{"id": c.id, "bank": c.bank, **_district_name(c.district), "limit": c.limit,
             "start": c.start, "end": c.end, "outstanding": lend.line_outstanding(c.id),
             "seq": c.seq}
            for c in sorted(lend.lines.values(), key=lambda c: c.id)
            if may_read(actor, c.bank, None)]


def summary(conn: Connection) -> dict[str, Any]:
    """What the public sees: loans and their principal, and credit lines, by district."""
    lend = load_book(conn)
    projects = _projects(conn)
    by: dict[str, dict[str, Any]] = {}
    for n in lend.loans.values():
        p = projects.get(n.project)
        code = p.district if p else ""
        r = by.setdefault(code, {**_district_name(code), "loans": 0, "principal": 0,
                                 "lines": 0, "line_limit": 0})
        r["loans"] += 1
        r["principal"] += n.principal
    for c in lend.lines.values():
        r = by.setdefault(c.district, {**_district_name(c.district), "loans": 0,
                                       "principal": 0, "lines": 0, "line_limit": 0})
        r["lines"] += 1
        r["line_limit"] += c.limit
    rows = sorted(by.values(), key=lambda r: r["code"])
    return {"loans": sum(r["loans"] for r in rows),
            "principal": sum(r["principal"] for r in rows),
            "lines": sum(r["lines"] for r in rows),
            "line_limit": sum(r["line_limit"] for r in rows), "by_district": rows}


def alerts(conn: Connection, actor: Principal, *, after: int = 0,
           limit: int = 100) -> list[dict[str, Any]]:
    """The alerts on the loans ``actor`` may read, in the journal's order, after the entry
    ``after`` (a cursor: a bank polls with the last ``seq`` it saw)."""
    lend = load_book(conn)
    mine = {n.id for n in lend.loans.values() if may_read(actor, n.bank, n.borrower)}
    rows = sorted((a for a in lend.alerts.values() if a.loan in mine and a.seq > after),
                  key=lambda a: (a.seq, a.id))[:limit]
    return [{"id": a.id, "loan": a.loan, "kind": a.kind.value, "day": a.day, "note": a.note,
             "seq": a.seq} for a in rows]


def recent_alerts(conn: Connection, actor: Principal, limit: int = 10) -> list[dict[str, Any]]:
    """The latest alerts on the loans ``actor`` may read, newest first: what the platform
    told the bank (a new pledge, a revaluation, a covenant breach, a disturbance, a default)."""
    lend = load_book(conn)
    mine = {n.id for n in lend.loans.values() if may_read(actor, n.bank, n.borrower)}
    rows = sorted((a for a in lend.alerts.values() if a.loan in mine),
                  key=lambda a: (a.seq, a.id), reverse=True)[:limit]
    return [{"id": a.id, "loan": a.loan, "kind": a.kind.value, "day": a.day, "note": a.note,
             "seq": a.seq} for a in rows]


def attention(conn: Connection, actor: Principal) -> list[dict[str, Any]]:
    """The active loans ``actor`` may read that need a look, each with why: principal past
    due (``overdue``), the outstanding principal above the covenant on the latest appraisal
    (``covenant``), the latest appraisal older than the longest a bank lends on
    (``stale_appraisal``), an issuance pledged since it (``new_monitoring_result``)."""
    lend = load_book(conn)
    projects = _projects(conn)
    day = today()
    out = []
    for n in sorted(lend.loans.values(), key=lambda n: n.id):
        if n.status is not LoanStatus.ACTIVE or not may_read(actor, n.bank, n.borrower):
            continue
        v = loan_view(n, lend, projects, day)
        latest = lend.appraisals.get(n.latest_appraisal)
        why = []
        if v["overdue"]:
            why.append("overdue")
        if v["ltv_bps"] is not None and v["ltv_bps"] > n.max_ltv_bps:
            why.append("covenant")
        if latest is None or not is_current(latest, date.fromisoformat(day),
                                            APPRAISAL_VALID_DAYS):
            why.append("stale_appraisal")
        if "new_monitoring_result" in revaluation_reasons(n, latest,
                                                          list(lend.alerts.values()), day):
            why.append("new_monitoring_result")
        if why:
            out.append({**v, "why": why,
                        "appraised": latest.day if latest else None})
    return out
