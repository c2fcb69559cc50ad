"""Monitoring reports: a proponent submits one per period (never overlapping another), an
accredited verifier verifies it (never more than it claims). What a monitoring report's claim
rests on (registry rules 2): the monitored values it
reports, the fixed values validation recorded on the project, and what the registry derives
for the period — its length in years, and the grid factor in force for the project's grid and
the period's year — after checking that the period's electricity is not a green certificate.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction
from typing import Any

from qingshan.errors import InvalidInput
from qingshan.ledger.domain.effects import Effects
from qingshan.ledger.domain.model import Principal
from qingshan.ledger.domain.parsing import as_date, check_period_ended
from qingshan.registry.commands import SubmitMonitoringReport, VerifyMonitoringReport
from qingshan.registry.errors import (
    GreenCertificatesClaimed,
    NoGridFactor,
    OverIssuance,
    PeriodOverlap,
    WrongState,
)
from qingshan.registry.methodologies.base import Methodology, ParameterKind
from qingshan.registry.model import (
    Basis,
    GridFactor,
    MonitoringReport,
    Project,
    ProjectStatus,
    ReportStatus,
)
from qingshan.registry.numbers import canonical_decimal
from qingshan.registry.state import RegistryState

NO_GEC = "no_green_certificates"


def period_years(start: str, end: str) -> Fraction:
    """The period's length in years, each calendar year counted by its own days (a whole
    calendar year is exactly 1, leap or not)."""
    a, b = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
    total = Fraction(0)
    for year in range(a.year, b.year + 1):
        first, last = max(a, dt.date(year, 1, 1)), min(b, dt.date(year, 12, 31))
        days_in_year = (dt.date(year + 1, 1, 1) - dt.date(year, 1, 1)).days
        total += Fraction((last - first).days + 1, days_in_year)
    return total


def _six_places(f: Fraction) -> str:
    d = (Decimal(f.numerator) / Decimal(f.denominator)).quantize(Decimal("0.000001"),
                                                                  ROUND_HALF_EVEN)
    return canonical_decimal(d)


def factor_in_force(book: RegistryState, kind: str, district: str, year: int) -> GridFactor:
    """The row of ``kind`` for the district's province published for the latest year up to
    ``year`` (the period's year): tables are published a year or more after the data."""
    province = district[:2]
    best: GridFactor | None = None
    for f in book.factors.values():
        if f.kind == kind and province in f.provinces and f.year <= year and (
                best is None or f.year > best.year):
            best = f
    if best is None:
        raise NoGridFactor(f"no {kind} grid factor for province {province} up to {year}; "
                           "the operator imports the published table first", kind=kind,
                           province=province, year=year)
    return best


def check_green_certificates(book: RegistryState, p: Project, m: Methodology,
                             cmd: SubmitMonitoringReport) -> tuple[str, ...]:
    """Electricity credited here must not also be a green certificate: the report declares it,
    and a period already in the imported GEC list for the plant is refused."""
    if not m.green_certificates:
        return cmd.declarations
    if NO_GEC not in cmd.declarations:
        raise InvalidInput("declare that the period's electricity is not claimed as green "
                           f"certificates (declarations: [\"{NO_GEC}\"])",
                           field="declarations")
    claims = sorted(c.reference for c in book.certificates.values()
                    if c.plant_code == p.plant_code
                    and as_date(c.period_start) <= as_date(cmd.period_end)
                    and as_date(cmd.period_start) <= as_date(c.period_end))
    if claims:
        raise GreenCertificatesClaimed(
            "the electricity of this period was issued as green certificates", plant_code=
            p.plant_code, certificates=claims[:20], period=[cmd.period_start, cmd.period_end])
    return cmd.declarations


def report_basis(book: RegistryState, p: Project, m: Methodology,
                 cmd: SubmitMonitoringReport) -> tuple[int, Basis]:
    """Check the report against the project and compute its claim (whole tCO2e)."""
    monitored = m.monitored_values(cmd.values)
    declarations = check_green_certificates(book, p, m, cmd)
    if m.grid_factors and cmd.period_start[:4] != cmd.period_end[:4]:
        raise InvalidInput("grid factors are yearly: a period lies within one calendar year "
                           "(split it)", field="period_end")
    derived: dict[str, str] = {}
    factors: list[str] = []
    for param in m.of_kind(ParameterKind.DERIVED):
        if param.id == "period_years":
            derived[param.id] = _six_places(period_years(cmd.period_start, cmd.period_end))
        elif param.id == "credited_stock" and m.stock is not None:
            derived[param.id] = _six_places(Fraction(credited_stock(book, p, m, cmd)))
        elif param.id.startswith("ef_") and param.id[3:] in m.grid_factors:
            row = factor_in_force(book, param.id[3:], p.district, int(cmd.period_end[:4]))
            derived[param.id] = row.value
            factors.append(row.id)
        else:  # a plugin defect: a derived parameter the registry cannot work out
            raise AssertionError(f"{m.key}: the registry does not derive {param.id}")
    claimed = m.compute(monitored, p.fixed, derived)
    return claimed, Basis(p.fixed, tuple(sorted(derived.items())), tuple(factors),
                          declarations)


def credited_stock(book: RegistryState, p: Project, m: Methodology,
                   cmd: SubmitMonitoringReport) -> float:
    """The highest stock (tCO2e) the project was credited up to before this period: its
    stock at the start, fixed at validation (``initial_stock``), or the stock measured by an
    earlier report of the same methodology (not rejected), whichever is highest. A report
    is credited only for growth above it, so regrowth after a loss counts once."""
    assert m.stock is not None
    fixed = {k: float(Decimal(v)) for k, v in p.fixed}
    best = fixed.get("initial_stock", 0.0)
    for r in book.reports.values():
        if r.project != p.id or r.status is ReportStatus.REJECTED or \
                as_date(r.period_end) >= as_date(cmd.period_start):
            continue
        if "credited_stock" in dict(r.basis.derived):  # measured under a stock methodology
            best = max(best, m.stock(m.monitored_values(r.values)))
    return best


def apply_submit_report(book: RegistryState, cmd: SubmitMonitoringReport, actor: Principal,
                        seq: int) -> Effects:
    p = book.project(cmd.project)
    book.check_proponent(actor, p)
    book.check_state(p, ProjectStatus.REGISTERED)
    start, end = as_date(cmd.period_start), as_date(cmd.period_end)
    if start < as_date(p.crediting_start) or end > as_date(p.crediting_end):
        raise InvalidInput("the monitoring period lies outside the crediting period",
                           field="period_start", crediting=[p.crediting_start,
                                                            p.crediting_end])
    check_period_ended(cmd.period_end, book.clock(), "period_end")
    for r in book.reports.values():
        if r.project == p.id and r.status is not ReportStatus.REJECTED and \
                as_date(r.period_start) <= end and start <= as_date(r.period_end):
            raise PeriodOverlap("the monitoring period overlaps another report",
                                report=r.id, period=[r.period_start, r.period_end])
    for iss in book.ledger.issuances_of(p.id):  # credits issued from pooled days (碳普惠)
        if iss.reference.startswith("IP") and \
                as_date(iss.monitoring_start) <= end and start <= as_date(iss.monitoring_end):
            raise PeriodOverlap("the monitoring period overlaps days pooled into credits",
                                issuance=iss.id, period=[iss.monitoring_start,
                                                         iss.monitoring_end])
    m = book.methodology(p.methodology)
    basis = Basis()
    if book.rules(seq) == 1:  # as journaled then: any parameter from the report
        claimed = m.reductions({k: float(Decimal(v)) for k, v in cmd.values})
    else:
        book.check_current(m, seq, "a monitoring report (re-validate the project first)")
        claimed, basis = report_basis(book, p, m, cmd)
    rid = book.next_id("report", "MR", 6)
    report = MonitoringReport(id=rid, project=p.id, period_start=cmd.period_start,
                              period_end=cmd.period_end, values=cmd.values,
                              documents=cmd.documents, claimed=claimed,
                              status=ReportStatus.SUBMITTED, verified=0, verifier=None,
                              opinion="", seq=seq, basis=basis)
    result: dict[str, Any] = {"report": rid, "claimed": claimed, "methodology": m.key}
    if book.rules(seq) != 1:
        result |= {"fixed": dict(basis.fixed), "derived": dict(basis.derived),
                   "factors": list(basis.factors)}
    book.put("reports", rid, report)
    book.event(seq, p.id, cmd.kind, actor, rid)
    return Effects(result)


def apply_verify_report(book: RegistryState, cmd: VerifyMonitoringReport, actor: Principal,
                        seq: int) -> Effects:
    r = book.report(cmd.report)
    p = book.project(r.project)
    verifier = book.check_verifier(actor, p)
    if r.status is not ReportStatus.SUBMITTED:
        raise WrongState(f"the report is {r.status.value}", report=r.id,
                         status=r.status.value)
    if cmd.verified_quantity > r.claimed:
        raise OverIssuance("a verifier cannot verify more than the report claims",
                           claimed=r.claimed, verified=cmd.verified_quantity)
    status = ReportStatus.VERIFIED if cmd.approve else ReportStatus.REJECTED
    book.put("reports", r.id, replace(r, status=status,
                                          verified=cmd.verified_quantity,
                                          verifier=verifier, opinion=cmd.opinion))
    book.event(seq, p.id, cmd.kind, actor, cmd.opinion)
    return Effects({"report": r.id, "status": status.value,
                    "verified": cmd.verified_quantity})
