"""The registry's book: projects, monitoring reports, issuance requests, and the rules of the
lifecycle. Pure: issuance goes through the ledger's own use-case (``IssueUnits``) in the same
unit of work, so an approved request and its units are one journal entry.

    draft ──submit──▶ submitted ──validate(approve)──▶ validated ──register──▶ registered
      ▲                   │                                                   │    ▲
      └─validate(refuse)──┘                                          suspend  ▼    │ reinstate
    any state but withdrawn ──withdraw──▶ withdrawn                        suspended

Roles: the proponent's members (or the operator) create, submit, withdraw, report and request;
an accredited verifier (a party of kind verifier, never the proponent) validates and verifies;
the operator registers, suspends, reinstates and decides issuance.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from enum import StrEnum
from typing import Any, ClassVar

from qingshan.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotAccountOwner,
    NotFound,
    WrongAccountType,
)
from qingshan.ledger.books import ContextBook, FetchAll, Rows
from qingshan.ledger.domain.commands import Command, IssueUnits
from qingshan.ledger.domain.model import (
    SYSTEM,
    AccountType,
    AssetKind,
    PartyKind,
    Principal,
    Role,
)
from qingshan.ledger.domain.parsing import as_date, check_period_ended
from qingshan.ledger.domain.state import Effects
from qingshan.registry import storage
from qingshan.registry.commands import (
    REGISTRY_COMMANDS,
    AddProjectDocument,
    CreateProject,
    DecideIssuance,
    Document,
    ProjectTransition,
    RegisterProject,
    ReinstateProject,
    RequestIssuance,
    SubmitMonitoringReport,
    SubmitProject,
    SuspendProject,
    ValidateProject,
    VerifyMonitoringReport,
    WithdrawProject,
)
from qingshan.registry.methodologies.base import Methodology

ADMIN = frozenset({Role.OPERATOR, Role.SYSTEM})


class ProjectStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    VALIDATED = "validated"
    REGISTERED = "registered"
    SUSPENDED = "suspended"
    WITHDRAWN = "withdrawn"


class ReportStatus(StrEnum):
    SUBMITTED = "submitted"
    VERIFIED = "verified"
    REJECTED = "rejected"


class RequestStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class WrongState(Conflict):
    """The project, report or request is not in a state that allows this step."""

    code = "wrong_state"


class PeriodOverlap(Conflict):
    """A monitoring period overlaps another report of the project."""

    code = "period_overlap"


class OverIssuance(Conflict):
    """More units requested than verified and not yet requested."""

    code = "over_issuance"


class UnknownProject(NotFound):
    code = "unknown_project"


class UnknownReport(NotFound):
    code = "unknown_report"


class UnknownRequest(NotFound):
    code = "unknown_request"


class UnknownMethodology(NotFound):
    code = "unknown_methodology"


@dataclass(frozen=True, slots=True)
class Project:
    id: str
    proponent: str
    account: str
    name: str
    methodology: str
    sector: str  # the methodology's sector (forestry, energy, agriculture, inclusive, …)
    asset: str
    district: str
    lat_e6: int
    lon_e6: int
    crediting_start: str
    crediting_end: str
    estimated_annual: int
    description: str
    documents: tuple[Document, ...]
    status: ProjectStatus
    validator: str | None  # the verifier party that validated it
    created_seq: int
    updated_seq: int


@dataclass(frozen=True, slots=True)
class MonitoringReport:
    id: str
    project: str
    period_start: str
    period_end: str
    values: tuple[tuple[str, str], ...]
    documents: tuple[Document, ...]
    claimed: int  # the methodology's result, whole tCO2e
    status: ReportStatus
    verified: int
    verifier: str | None
    opinion: str
    seq: int


@dataclass(frozen=True, slots=True)
class IssuanceRequest:
    id: str
    report: str
    project: str
    quantity: int
    status: RequestStatus
    issuance: int | None
    buffer: int
    reason: str
    seq: int


Handler = Callable[["RegistryBook", Any, Principal, int], Effects]


class RegistryBook(ContextBook):
    name = "registry"
    commands = REGISTRY_COMMANDS

    def __init__(self, methodologies: Mapping[str, Methodology]) -> None:
        super().__init__(("projects", "reports", "requests"))
        self.methodologies = dict(methodologies)
        self.projects: dict[str, Project] = {}
        self.reports: dict[str, MonitoringReport] = {}
        self.requests: dict[str, IssuanceRequest] = {}
        self.counters = {"project": 0, "report": 0, "request": 0}
        # lifecycle events not yet written: (seq, n) -> (project, kind, actor, reason)
        self.events: dict[tuple[int, int], tuple[str, str, str, str]] = {}

    # ------------------------------------------------------------------ Book protocol
    def _load(self, fetchall: FetchAll) -> None:
        storage.load(self, fetchall)

    def _rows(self) -> Rows:
        return storage.rows(self)

    def discard_changes(self) -> None:
        super().discard_changes()
        self.events.clear()

    def snapshot(self) -> Any:
        return (self.projects, self.reports, self.requests,
                {k: v for k, v in self.counters.items()})

    def _touch(self, table: str, key: str) -> None:
        self._dirty[table].add(key)

    def _event(self, seq: int, project: str, kind: str, actor: Principal, why: str) -> None:
        self._set(self.events, (seq, len(self.events)), (project, kind, actor.id, why[:500]))

    def _next(self, name: str, prefix: str, width: int) -> str:
        n = self.counters[name] + 1
        self._set(self.counters, name, n)
        return f"{prefix}{n:0{width}d}"

    # ------------------------------------------------------------------ look-ups and checks
    def project(self, pid: str) -> Project:
        p = self.projects.get(pid)
        if p is None:
            raise UnknownProject("no such project", project=pid)
        return p

    def report(self, rid: str) -> MonitoringReport:
        r = self.reports.get(rid)
        if r is None:
            raise UnknownReport("no such monitoring report", report=rid)
        return r

    def methodology(self, key: str) -> Methodology:
        m = self.methodologies.get(key)
        if m is None:
            raise UnknownMethodology("no such methodology (id@version)", methodology=key,
                                     known=sorted(self.methodologies))
        return m

    @staticmethod
    def check_admin(actor: Principal) -> None:
        if actor.role not in ADMIN:
            raise Forbidden("only the platform operator may do this", role=actor.role.value)

    @staticmethod
    def check_proponent(actor: Principal, project: Project) -> None:
        if actor.role in ADMIN:
            return
        if actor.role is Role.MEMBER and actor.party_id == project.proponent:
            return
        if actor.role is Role.MEMBER:
            raise NotAccountOwner("this project belongs to another party",
                                  project=project.id)
        raise Forbidden(f"role {actor.role.value} may not do this for a project",
                        role=actor.role.value)

    def check_verifier(self, actor: Principal, project: Project) -> str:
        """An accredited verifier that is not the proponent; returns its party."""
        if actor.role is not Role.VERIFIER or actor.party_id is None:
            raise Forbidden("only an accredited verifier validates and verifies",
                            role=actor.role.value)
        party = self.ledger.party(actor.party_id)
        if party.kind is not PartyKind.VERIFIER:
            raise Forbidden("the verifier's party is not an accredited verification body",
                            party=party.id)
        if party.id == project.proponent:
            raise Forbidden("a verifier never validates or verifies its own project",
                            project=project.id)
        return party.id

    @staticmethod
    def check_state(project: Project, *allowed: ProjectStatus) -> None:
        if project.status not in allowed:
            raise WrongState(f"the project is {project.status.value}", project=project.id,
                             status=project.status.value,
                             allowed=[s.value for s in allowed])

    def _set_project(self, p: Project, seq: int, **changes: Any) -> Project:
        new = replace(p, updated_seq=seq, **changes)
        self._set(self.projects, p.id, new)
        self._touch("projects", p.id)
        return new

    # ------------------------------------------------------------------ projects
    def apply_create_project(self, cmd: CreateProject, actor: Principal, seq: int) -> Effects:
        party = self.ledger.party(cmd.proponent)
        if actor.role not in ADMIN and not (actor.role is Role.MEMBER
                                            and actor.party_id == party.id):
            raise NotAccountOwner("a member creates projects for its own party only",
                                  proponent=party.id)
        acct = self.ledger.account(cmd.account)
        if acct.party_id != party.id or acct.type is not AccountType.HOLDING:
            raise WrongAccountType("units go to a holding account of the proponent",
                                   account=acct.id)
        m = self.methodology(cmd.methodology)
        self.ledger.asset(cmd.asset, AssetKind.SERIALIZED)
        pid = self._next("project", "CQ", 4)
        p = Project(pid, party.id, acct.id, cmd.name, cmd.methodology, m.sector, cmd.asset,
                    cmd.district,
                    cmd.lat_e6, cmd.lon_e6, cmd.crediting_start, cmd.crediting_end,
                    cmd.estimated_annual, cmd.description, cmd.documents,
                    ProjectStatus.DRAFT, None, seq, seq)
        self._set(self.projects, pid, p)
        self._touch("projects", pid)
        self._event(seq, pid, cmd.kind, actor, "created")
        return Effects({"project": pid, "status": p.status.value})

    def apply_add_project_document(self, cmd: AddProjectDocument, actor: Principal,
                                   seq: int) -> Effects:
        p = self.project(cmd.project)
        self.check_proponent(actor, p)
        if p.status is ProjectStatus.WITHDRAWN:
            raise WrongState("the project is withdrawn", project=p.id, status=p.status.value)
        if any(d.sha256 == cmd.document.sha256 for d in p.documents):
            raise Conflict("this document is already attached", sha256=cmd.document.sha256)
        self._set_project(p, seq, documents=(*p.documents, cmd.document))
        self._event(seq, p.id, cmd.kind, actor, cmd.document.name)
        return Effects({"project": p.id, "documents": len(p.documents) + 1})

    def _transition(self, cmd: ProjectTransition, actor: Principal, seq: int,
                    allowed: tuple[ProjectStatus, ...], to: ProjectStatus,
                    who: str) -> Effects:
        p = self.project(cmd.project)
        if who == "proponent":
            self.check_proponent(actor, p)
        else:
            self.check_admin(actor)
        self.check_state(p, *allowed)
        self._set_project(p, seq, status=to)
        self._event(seq, p.id, cmd.kind, actor, cmd.reason)
        return Effects({"project": p.id, "status": to.value, "previous": p.status.value})

    def apply_submit(self, cmd: SubmitProject, actor: Principal, seq: int) -> Effects:
        return self._transition(cmd, actor, seq, (ProjectStatus.DRAFT,),
                                ProjectStatus.SUBMITTED, "proponent")

    def apply_register(self, cmd: RegisterProject, actor: Principal, seq: int) -> Effects:
        return self._transition(cmd, actor, seq, (ProjectStatus.VALIDATED,),
                                ProjectStatus.REGISTERED, "operator")

    def apply_suspend(self, cmd: SuspendProject, actor: Principal, seq: int) -> Effects:
        return self._transition(cmd, actor, seq, (ProjectStatus.REGISTERED,),
                                ProjectStatus.SUSPENDED, "operator")

    def apply_reinstate(self, cmd: ReinstateProject, actor: Principal, seq: int) -> Effects:
        return self._transition(cmd, actor, seq, (ProjectStatus.SUSPENDED,),
                                ProjectStatus.REGISTERED, "operator")

    def apply_withdraw(self, cmd: WithdrawProject, actor: Principal, seq: int) -> Effects:
        live = tuple(s for s in ProjectStatus if s is not ProjectStatus.WITHDRAWN)
        return self._transition(cmd, actor, seq, live, ProjectStatus.WITHDRAWN, "proponent")

    def apply_validate(self, cmd: ValidateProject, actor: Principal, seq: int) -> Effects:
        p = self.project(cmd.project)
        verifier = self.check_verifier(actor, p)
        self.check_state(p, ProjectStatus.SUBMITTED)
        to = ProjectStatus.VALIDATED if cmd.approve else ProjectStatus.DRAFT
        self._set_project(p, seq, status=to, validator=verifier if cmd.approve else None)
        self._event(seq, p.id, cmd.kind, actor, cmd.opinion)
        return Effects({"project": p.id, "status": to.value, "validator": verifier})

    # ------------------------------------------------------------------ monitoring
    def apply_submit_report(self, cmd: SubmitMonitoringReport, actor: Principal,
                            seq: int) -> Effects:
        p = self.project(cmd.project)
        self.check_proponent(actor, p)
        self.check_state(p, ProjectStatus.REGISTERED)
        start, end = as_date(cmd.period_start), as_date(cmd.period_end)
        if start < as_date(p.crediting_start) or end > as_date(p.crediting_end):
            raise InvalidInput("the monitoring period lies outside the crediting period",
                               field="period_start", crediting=[p.crediting_start,
                                                                p.crediting_end])
        check_period_ended(cmd.period_end, self.clock(), "period_end")
        for r in self.reports.values():
            if r.project == p.id and r.status is not ReportStatus.REJECTED and \
                    as_date(r.period_start) <= end and start <= as_date(r.period_end):
                raise PeriodOverlap("the monitoring period overlaps another report",
                                    report=r.id, period=[r.period_start, r.period_end])
        m = self.methodology(p.methodology)
        claimed = m.reductions({k: float(Decimal(v)) for k, v in cmd.values})
        rid = self._next("report", "MR", 6)
        self._set(self.reports, rid, MonitoringReport(
            rid, p.id, cmd.period_start, cmd.period_end, cmd.values, cmd.documents, claimed,
            ReportStatus.SUBMITTED, 0, None, "", seq))
        self._touch("reports", rid)
        self._event(seq, p.id, cmd.kind, actor, rid)
        return Effects({"report": rid, "claimed": claimed, "methodology": m.key})

    def apply_verify_report(self, cmd: VerifyMonitoringReport, actor: Principal,
                            seq: int) -> Effects:
        r = self.report(cmd.report)
        p = self.project(r.project)
        verifier = self.check_verifier(actor, p)
        if r.status is not ReportStatus.SUBMITTED:
            raise WrongState(f"the report is {r.status.value}", report=r.id,
                             status=r.status.value)
        if cmd.verified_quantity > r.claimed:
            raise OverIssuance("a verifier cannot verify more than the report claims",
                               claimed=r.claimed, verified=cmd.verified_quantity)
        status = ReportStatus.VERIFIED if cmd.approve else ReportStatus.REJECTED
        self._set(self.reports, r.id, replace(r, status=status,
                                              verified=cmd.verified_quantity,
                                              verifier=verifier, opinion=cmd.opinion))
        self._touch("reports", r.id)
        self._event(seq, p.id, cmd.kind, actor, cmd.opinion)
        return Effects({"report": r.id, "status": status.value,
                        "verified": cmd.verified_quantity})

    # ------------------------------------------------------------------ issuance
    def requested(self, report: str) -> int:
        return sum(q.quantity for q in self.requests.values()
                   if q.report == report and q.status is not RequestStatus.REJECTED)

    def apply_request_issuance(self, cmd: RequestIssuance, actor: Principal,
                               seq: int) -> Effects:
        r = self.report(cmd.report)
        p = self.project(r.project)
        self.check_proponent(actor, p)
        if r.status is not ReportStatus.VERIFIED:
            raise WrongState(f"the report is {r.status.value}, not verified", report=r.id,
                             status=r.status.value)
        left = r.verified - self.requested(r.id)
        if cmd.quantity > left:
            raise OverIssuance("more than the verified quantity not yet requested",
                               report=r.id, verified=r.verified, available=left,
                               requested=cmd.quantity)
        qid = self._next("request", "IR", 6)
        self._set(self.requests, qid, IssuanceRequest(qid, r.id, p.id, cmd.quantity,
                                                      RequestStatus.PENDING, None, 0, "", seq))
        self._touch("requests", qid)
        self._event(seq, p.id, cmd.kind, actor, qid)
        return Effects({"request": qid, "quantity": cmd.quantity})

    def apply_decide_issuance(self, cmd: DecideIssuance, actor: Principal,
                              seq: int) -> Effects:
        self.check_admin(actor)
        q = self.requests.get(cmd.request)
        if q is None:
            raise UnknownRequest("no such issuance request", request=cmd.request)
        if q.status is not RequestStatus.PENDING:
            raise WrongState(f"the request is already {q.status.value}", request=q.id,
                             status=q.status.value)
        p = self.project(q.project)
        if not cmd.approve:
            self._set(self.requests, q.id, replace(q, status=RequestStatus.REJECTED,
                                                   reason=cmd.reason))
            self._touch("requests", q.id)
            self._event(seq, p.id, cmd.kind, actor, cmd.reason)
            return Effects({"request": q.id, "status": "rejected"})
        self.check_state(p, ProjectStatus.REGISTERED)
        r = self.report(q.report)
        m = self.methodology(p.methodology)
        buffer = math.floor(q.quantity * m.buffer_percent / 100)
        allocations: list[tuple[str, int]] = [(p.account, q.quantity - buffer)]
        if buffer:
            pool = self.ledger.platform_account(None, AccountType.BUFFER)
            allocations.append((pool.id, buffer))
        issue = IssueUnits(p.asset, p.id, int(r.period_end[:4]), r.period_start, r.period_end,
                           f"{r.id}/{q.id}", tuple((a, n) for a, n in allocations if n),
                           category=m.sector)  # so a market can list e.g. forestry credits
        effects = self.ledger.apply(issue, SYSTEM, seq)  # the registry issues, as the platform
        self._set(self.requests, q.id, replace(q, status=RequestStatus.APPROVED,
                                               issuance=effects.result["issuance"],
                                               buffer=buffer, reason=cmd.reason))
        self._touch("requests", q.id)
        self._event(seq, p.id, cmd.kind, actor, cmd.reason)
        effects.result = {"request": q.id, "status": "approved", "buffer": buffer,
                          **effects.result}
        return effects

    _handlers: ClassVar[dict[type[Command], Handler]] = {
        CreateProject: apply_create_project,
        AddProjectDocument: apply_add_project_document,
        SubmitProject: apply_submit,
        RegisterProject: apply_register,
        SuspendProject: apply_suspend,
        ReinstateProject: apply_reinstate,
        WithdrawProject: apply_withdraw,
        ValidateProject: apply_validate,
        SubmitMonitoringReport: apply_submit_report,
        VerifyMonitoringReport: apply_verify_report,
        RequestIssuance: apply_request_issuance,
        DecideIssuance: apply_decide_issuance,
    }
