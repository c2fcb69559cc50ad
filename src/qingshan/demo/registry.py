"""Every registry command the demo sends, in one place: a project from draft to issuance, and
the monitoring values a methodology is given.

When the registry's commands or methodologies change, this module is the one to adapt.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from qingshan.demo.calendar import is_trading_day
from qingshan.demo.scenario import Period, ProjectPlan
from qingshan.ledger.domain.commands import Command
from qingshan.ledger.domain.model import SYSTEM, Principal, Role
from qingshan.ledger.sequencer import Receipt
from qingshan.registry.commands import (
    CreateProject,
    DecideIssuance,
    RegisterProject,
    RequestIssuance,
    SubmitMonitoringReport,
    SubmitProject,
    ValidateProject,
    VerifyMonitoringReport,
)
from qingshan.registry.imports import ImportGridFactors, shipped_factor_rows
from qingshan.registry.methodologies.base import Methodology, ParameterKind

Run = Callable[[list[Command], str, Principal], list[Receipt]]


# Fixed values a validation records where the methodology has no default, as a validated
# project document would state them. CQ-BIOGAS: 60 % methane in biogas (typical; research notes
# C2, unverified), 10 % of it leaking from household digesters (the AMS-III.R default as
# recalled, unverified) and a GWP of 21 (CDM-era documents, e.g. the Hubei Enshi project);
# CQ-FOREST: no baseline change (bare or degraded land before afforestation, an assumption).
DEMO_FIXED: dict[str, dict[str, str]] = {
    "CQ-BIOGAS": {"ch4_fraction": "0.6", "leak_fraction": "0.1", "gwp_ch4": "21"},
    "CQ-FOREST": {"baseline_per_year": "0"},
}


def fixed_values(m: Methodology) -> tuple[tuple[str, str], ...]:
    """What the verifier fixes at validation: the demo's values for the methodology's fixed
    parameters that it names (the methodology's defaults for the rest)."""
    fixed = {p.id for p in m.of_kind(ParameterKind.FIXED)}
    return tuple(sorted((k, v) for k, v in DEMO_FIXED.get(m.id, {}).items() if k in fixed))


def reports_possible(m: Methodology) -> bool:
    """A methodology that looks up grid factors can be reported only when the table this
    release ships holds them (CQ-PV@2.0 needs operating and build margins, which it does not:
    its projects register and wait)."""
    return set(m.grid_factors) <= {str(r["kind"]) for r in shipped_factor_rows()}


def monitoring_values(m: Methodology, period: Period) -> dict[str, str]:
    """The period's monitored quantities under the methodology's own parameter names; what
    validation fixed or the registry derives (the period's length, grid factors) is left to
    them, as are monitored parameters with a default. Rates are a year's (coal a digester
    displaces) when the methodology derives the period's length, else the period's. A
    monitored parameter the demo does not know is found by bisection so that the report
    claims about the physical estimate, the others of that kind taking the middle of their
    range."""
    free = [p for p in m.parameters if p.monitored and p.default is None]
    per_year = m.parameter("period_years") is not None
    years = ((period.end - period.start).days + 1) / 365.25
    values: dict[str, float] = {}
    unknown = []
    for p in free:
        if p.id in period.physical:
            v = period.physical[p.id]
            values[p.id] = v if per_year or p.id not in PER_YEAR else v * max(1.0, years)
        else:
            unknown.append(p)
            lo = p.minimum if p.minimum is not None else 0.0
            values[p.id] = (lo + p.maximum) / 2 if p.maximum is not None else max(lo, 1.0)
    if unknown:
        key = unknown[0]
        fixed = m.fixed_values(fixed_values(m))
        derived = {p.id: f"{years:.6f}" for p in m.of_kind(ParameterKind.DERIVED)}
        defaults = {p.id: p.default for p in m.parameters if p.monitored and
                    p.default is not None}
        lo, hi = (key.minimum or 0.0), (key.maximum or 1e9)
        for _ in range(80):
            mid = (lo + hi) / 2
            if m.compute({**defaults, **values, key.id: mid}, fixed, derived) < \
                    period.expected_t:
                lo = mid
            else:
                hi = mid
        values[key.id] = float(math.ceil(hi)) if key.integer else hi
    whole = {p.id for p in free if p.integer}
    return {k: f"{v:.0f}" if k in whole else f"{v:.3f}" for k, v in values.items()}


# physical quantities given per year (a methodology without a period length takes them times
# the period's years)
PER_YEAR = ("coal_per_digester_t",)


def workday(day: dt.date) -> dt.date:
    """Offices work Monday to Friday, outside the long holidays."""
    while not is_trading_day(day):
        day += dt.timedelta(days=1)
    return day


@dataclass(order=True)
class Step:
    day: dt.date
    minute: int
    project: str = field(compare=False)
    action: str = field(compare=False)  # create, submit, validate, register, report, …
    period: int = field(compare=False, default=-1)


def schedule(plan: ProjectPlan, rng: random.Random, end: dt.date) -> list[Step]:
    """The project's registry calendar: created, submitted, validated by the verifier after
    three to eight weeks, registered; each monitoring report filed one to four months after
    its period (or just after registration), verified within two months, requested and
    decided within a month (assumption: typical of the CCER's published timelines)."""
    steps: list[Step] = []

    def add(day: dt.date, action: str, period: int = -1) -> dt.date:
        day = workday(day)
        if day <= end:  # office hours; a project is created after its owner joined (at 9:xx)
            first = 10 * 60 if action == "create" else 9 * 60
            steps.append(Step(day, rng.randrange(first, 17 * 60), plan.key, action, period))
        return day

    def after(day: dt.date, lo: int, hi: int) -> dt.date:
        """A few days later; a pilot project of the first batch went through in a third of
        the time, so the first credits were issued within weeks of the launch."""
        if plan.pilot:
            lo, hi = max(1, lo // 3), max(2, hi // 3)
        return day + dt.timedelta(days=rng.randrange(lo, hi))

    d = add(plan.created, "create")
    d = add(after(d, 2, 12), "submit")
    d = add(after(d, 20, 60), "validate")
    registered = add(after(d, 5, 20), "register")
    last = registered
    for i, p in enumerate(plan.periods if reports_possible(plan.methodology) else ()):
        d = max(p.end + dt.timedelta(days=rng.randrange(30, 120)), after(registered, 3, 15),
                last + dt.timedelta(days=1))
        d = add(d, "report", i)
        d = add(after(d, 20, 60), "verify", i)
        d = add(after(d, 2, 8), "request", i)
        last = add(after(d, 5, 25), "decide", i)
    # two steps of one project never share a minute, and keep their order
    steps.sort()
    for a, b in itertools.pairwise(steps):
        if b.day == a.day and b.minute <= a.minute:
            b.minute = a.minute + 1
    return steps


@dataclass
class ProjectState:
    pid: str = ""
    reports: dict[int, str] = field(default_factory=dict)
    claimed: dict[int, int] = field(default_factory=dict)
    verified: dict[int, int] = field(default_factory=dict)
    requests: dict[int, str] = field(default_factory=dict)


class RegistryDesk:
    """Sends each step of a project's life to the registry, as its proponent, its verifier or
    the operator, and remembers the identifiers the registry answered with."""

    def __init__(self, run: Run, verifiers: list[Principal], platform_party: str,
                 platform_account: str, rng: random.Random) -> None:
        self.run = run
        self.verifiers = verifiers
        self.platform_party = platform_party
        self.platform_account = platform_account
        self.rng = rng
        self.state: dict[str, ProjectState] = {}

    def setup(self) -> None:
        """The grid-factor table this release ships (operator)."""
        self.run([ImportGridFactors.from_payload({"rows": shipped_factor_rows()})],
                 "grid-factors", SYSTEM)

    def proponent(self, plan: ProjectPlan) -> tuple[Principal, str, str]:
        if plan.owner is None:
            return SYSTEM, self.platform_party, self.platform_account
        return (Principal(f"demo-{plan.owner.party}", Role.MEMBER, plan.owner.party),
                plan.owner.party, plan.owner.account)

    def verifier(self, plan: ProjectPlan) -> Principal:
        return self.verifiers[int(plan.key[1:]) % len(self.verifiers)]

    def do(self, plan: ProjectPlan, step: Step) -> tuple[str, int] | None:
        """Run one step; an issuance answers (account credited, units it received)."""
        st = self.state.setdefault(plan.key, ProjectState())
        actor, party, account = self.proponent(plan)
        key = f"{plan.key}/{step.action}" + (f"-{step.period}" if step.period >= 0 else "")
        if step.action == "create":
            st.pid = self.run([self._create(plan, party, account)], key, actor)[0] \
                .result["project"]
        elif step.action == "submit":
            self.run([SubmitProject(st.pid, "申请审定 ready for validation")], key, actor)
        elif step.action == "validate":
            self.run([ValidateProject(st.pid, True, "符合方法学适用条件,基准线与额外性论证"
                                                    "充分 meets the methodology",
                                      (*fixed_values(plan.methodology),
                                       *sorted(plan.fixed.items())))],
                     key, self.verifier(plan))
        elif step.action == "register":
            self.run([RegisterProject(st.pid, "审定通过,予以登记 registered")], key, SYSTEM)
        elif step.action == "report":
            period = plan.periods[step.period]
            r = self.run([SubmitMonitoringReport.from_payload({
                "project": st.pid, "period_start": period.start.isoformat(),
                "period_end": period.end.isoformat(),
                "values": monitoring_values(plan.methodology, period),
                "declarations": ["no_green_certificates"]
                if plan.methodology.green_certificates else [],
                "documents": [self._document("监测报告 monitoring report", plan,
                                             step.period)]})], key, actor)[0].result
            st.reports[step.period], st.claimed[step.period] = r["report"], int(r["claimed"])
        elif step.action == "verify":
            claimed = st.claimed[step.period]
            # verifiers trim a claim now and then (sampling, a meter out of calibration)
            cut = 1.0 if self.rng.random() < 0.6 else self.rng.uniform(0.9, 0.99)
            verified = int(claimed * cut)
            self.run([VerifyMonitoringReport(st.reports[step.period], True, verified,
                                             "核证通过 verified")], key, self.verifier(plan))
            st.verified[step.period] = verified
        elif step.action == "request" and st.verified.get(step.period, 0) > 0:
            st.requests[step.period] = self.run(
                [RequestIssuance(st.reports[step.period], st.verified[step.period])],
                key, actor)[0].result["request"]
        elif step.action == "decide" and step.period in st.requests:
            issued = self.run([DecideIssuance(st.requests[step.period], True,
                                              "同意签发 approved")], key, SYSTEM)[0].result
            return account, int(st.verified[step.period]) - int(issued["buffer"])
        return None

    def _document(self, name: str, plan: ProjectPlan, n: int) -> dict[str, str]:
        digest = hashlib.sha256(f"{plan.name}/{name}/{n}".encode()).hexdigest()
        return {"name": name, "sha256": digest, "url": ""}

    def _create(self, plan: ProjectPlan, party: str, account: str) -> CreateProject:
        d = plan.district
        what = {"afforestation": f"{plan.size:,.0f} 亩造林", "management":
                f"{plan.size:,.0f} 亩森林经营", "pv": f"{plan.size:.1f} MW 屋顶分布式光伏",
                "biogas": f"{plan.size:,.0f} 户农村户用沼气池",
                "inclusive": "碳惠通个人用户地铁、公交低碳出行"}[plan.kind]
        return CreateProject.from_payload({
            "proponent": party, "account": account, "name": plan.name,
            "methodology": plan.methodology.key, "district": d.code,
            "lat_e6": int(d.lat * 1e6) + self.rng.randrange(-40_000, 40_000),
            "lon_e6": int(d.lon * 1e6) + self.rng.randrange(-40_000, 40_000),
            "crediting_start": plan.crediting_start.isoformat(),
            "crediting_end": plan.crediting_end.isoformat(),
            "estimated_annual": plan.estimated_annual,
            "description": f"{plan.town} · {what} · {plan.methodology.title_zh} "
                           f"({plan.methodology.title_en}) in {d.name_en}",
            "documents": [self._document("项目设计文件 PDD", plan, 0),
                          self._document("审定报告 validation report", plan, 0)],
            # a plant that could also earn green certificates is named by its code in their
            # lists (illustrative codes)
            **({"plant_code": f"PV-{d.code}-{plan.key[1:]}"}
               if plan.methodology.green_certificates else {})})
