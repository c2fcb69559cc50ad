"""The registry's book: projects, monitoring reports, issuance requests, and the rules of the
lifecycle. Pure: issuance goes through the ledger's own use-case (``IssueUnits``) in the same
unit of work, so an approved request and its units are one journal entry.

    draft ──submit──▶ submitted ──validate(approve)──▶ validated ──register──▶ registered
      ▲                   │                                                   │    ▲
      └─validate(refuse)──┘                                          suspend  ▼    │ reinstate
    any state but withdrawn ──withdraw──▶ withdrawn                        suspended

Roles: the proponent's members (or the operator) create, submit, withdraw, report and request;
an accredited verifier (a party of kind verifier, never the proponent) validates, re-validates
and verifies; the operator registers, suspends, reinstates, decides issuance and imports the
reference lists (grid factors, green certificates); losses are reported by any of them.

Registry rules. Entries journaled up to ``legacy_until`` (the journal's size when migration
0007 upgraded the database) replay under rules 1, exactly as they were written: reports took
any parameter, the buffer share rounded down, nothing was recorded at validation. Every later
entry runs under rules 2: validation freezes the fixed parameters, reports carry monitored
values only, factors come from the imported tables, the buffer rounds up, and the legacy
methodology versions take no new project, validation or report.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from decimal import Decimal
from typing import Any, ClassVar

from qingshan.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotAccountOwner,
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
from qingshan.registry import imports, reversals, storage, validation
from qingshan.registry.commands import (
    REGISTRY_COMMANDS,
    AddProjectDocument,
    CreateProject,
    DecideIssuance,
    ProjectTransition,
    RegisterProject,
    ReinstateProject,
    ReportLoss,
    RequestIssuance,
    RevalidateProject,
    SubmitMonitoringReport,
    SubmitProject,
    SuspendProject,
    ValidateProject,
    VerifyMonitoringReport,
    WithdrawProject,
)
from qingshan.registry.methodologies.base import Methodology
from qingshan.registry.model import (
    GreenCertificateClaim,
    GridFactor,
    IssuanceRequest,
    LossEvent,
    MethodologySuperseded,
    MonitoringReport,
    OverIssuance,
    PeriodOverlap,
    Project,
    ProjectStatus,
    ReportStatus,
    RequestStatus,
    UnknownMethodology,
    UnknownProject,
    UnknownReport,
    UnknownRequest,
    Validation,
    WrongState,
)
from qingshan.registry.monitoring import report_basis

ADMIN = frozenset({Role.OPERATOR, Role.SYSTEM})


Handler = Callable[["RegistryBook", Any, Principal, int], Effects]


class RegistryBook(ContextBook):
    name = "registry"
    commands = REGISTRY_COMMANDS + imports.IMPORT_COMMANDS

    def __init__(self, methodologies: Mapping[str, Methodology], legacy_until: int = 0) -> None:
        super().__init__(("projects", "reports", "requests", "validations", "factors",
                          "certificates", "losses"))
        self.methodologies = dict(methodologies)
        self.legacy_until = legacy_until  # entries up to this seq replay under rules 1
        self.projects: dict[str, Project] = {}
        self.reports: dict[str, MonitoringReport] = {}
        self.requests: dict[str, IssuanceRequest] = {}
        self.validations: dict[tuple[int, str], Validation] = {}
        self.factors: dict[str, GridFactor] = {}
        self.certificates: dict[str, GreenCertificateClaim] = {}
        self.losses: dict[str, LossEvent] = {}
        self.counters = {"project": 0, "report": 0, "request": 0, "loss": 0}
        # lifecycle events not yet written: (seq, n) -> (project, kind, actor, reason)
        self.events: dict[tuple[int, int], tuple[str, str, str, str]] = {}

    def rules(self, seq: int) -> int:
        """The registry rules entry ``seq`` runs under (see the module's docstring)."""
        return 1 if seq <= self.legacy_until else 2

    # ------------------------------------------------------------------ Book protocol
    def configure(self, fetchall: FetchAll) -> None:
        self.legacy_until = storage.legacy_until(fetchall)

    def _load(self, fetchall: FetchAll) -> None:
        storage.load(self, fetchall)

    def _rows(self) -> Rows:
        return storage.rows(self)

    def discard_changes(self) -> None:
        super().discard_changes()
        self.events.clear()

    def snapshot(self) -> Any:
        return (self.projects, self.reports, self.requests, self.validations, self.factors,
                self.certificates, self.losses, {k: v for k, v in self.counters.items()})

    def _touch(self, table: str, key: Any) -> None:
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

    def check_current(self, m: Methodology, seq: int, what: str) -> None:
        """Under rules 2 a legacy methodology version takes nothing new."""
        if m.legacy and self.rules(seq) == 2:
            raise MethodologySuperseded(
                f"{m.key} is kept only for entries journaled before registry rules 2; {what} "
                f"uses {m.successor or 'its successor'}", methodology=m.key,
                successor=m.successor)

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
        self.check_current(m, seq, "a new project")
        if m.green_certificates and not cmd.plant_code and self.rules(seq) == 2:
            raise InvalidInput(f"{m.key} credits electricity: give the plant's code in the "
                               "green-certificate lists", field="plant_code")
        self.ledger.asset(cmd.asset, AssetKind.SERIALIZED)
        pid = self._next("project", "CQ", 4)
        p = Project(pid, party.id, acct.id, cmd.name, cmd.methodology, m.sector, cmd.asset,
                    cmd.district,
                    cmd.lat_e6, cmd.lon_e6, cmd.crediting_start, cmd.crediting_end,
                    cmd.estimated_annual, cmd.description, cmd.documents,
                    ProjectStatus.DRAFT, None, seq, seq, plant_code=cmd.plant_code)
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
        if self.rules(seq) == 1:  # as journaled then: any parameter from the report
            claimed = m.reductions({k: float(Decimal(v)) for k, v in cmd.values})
            report = MonitoringReport(rid := self._next("report", "MR", 6), p.id,
                                      cmd.period_start, cmd.period_end, cmd.values,
                                      cmd.documents, claimed, ReportStatus.SUBMITTED, 0, None,
                                      "", seq)
            result: dict[str, Any] = {"report": rid, "claimed": claimed, "methodology": m.key}
        else:
            self.check_current(m, seq, "a monitoring report (re-validate the project first)")
            claimed, basis = report_basis(self, p, m, cmd)
            report = MonitoringReport(rid := self._next("report", "MR", 6), p.id,
                                      cmd.period_start, cmd.period_end, cmd.values,
                                      cmd.documents, claimed, ReportStatus.SUBMITTED, 0, None,
                                      "", seq, basis)
            result = {"report": rid, "claimed": claimed, "methodology": m.key,
                      "fixed": dict(basis.fixed), "derived": dict(basis.derived),
                      "factors": list(basis.factors)}
        self._set(self.reports, rid, report)
        self._touch("reports", rid)
        self._event(seq, p.id, cmd.kind, actor, rid)
        return Effects(result)

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
        # the buffer share rounds up (rules 2): a fraction of a tonne never favours the
        # proponent; rules 1 rounded down
        share = q.quantity * m.buffer_percent
        buffer = share // 100 if self.rules(seq) == 1 else -(-share // 100)
        allocations: list[tuple[str, int]] = [(p.account, q.quantity - buffer)]
        if buffer:
            pool = self.ledger.platform_account(None, AccountType.BUFFER)
            allocations.append((pool.id, buffer))
        issue = IssueUnits(asset=p.asset, project=p.id, vintage=int(r.period_end[:4]),
                           monitoring_start=r.period_start, monitoring_end=r.period_end,
                           reference=f"{r.id}/{q.id}", allocations=tuple((a, n) for a,
                                                                         n in allocations if n),
                           category=m.sector)  # so a market can list e.g. forestry credits
        effects = self.ledger.apply(issue, SYSTEM, seq)  # the registry issues, as the platform
        self._set(self.requests, q.id, replace(q, status=RequestStatus.APPROVED,
                                               issuance=effects.result["issuance"],
                                               buffer=buffer, reason=cmd.reason,
                                               factors=r.basis.factors))
        self._touch("requests", q.id)
        self._event(seq, p.id, cmd.kind, actor, cmd.reason)
        effects.result = {"request": q.id, "status": "approved", "buffer": buffer,
                          **effects.result}
        if r.basis.factors:
            effects.result["factors"] = list(r.basis.factors)
        return effects

    _handlers: ClassVar[dict[type[Command], Handler]] = {
        CreateProject: apply_create_project,
        AddProjectDocument: apply_add_project_document,
        SubmitProject: apply_submit,
        RegisterProject: apply_register,
        SuspendProject: apply_suspend,
        ReinstateProject: apply_reinstate,
        WithdrawProject: apply_withdraw,
        ValidateProject: validation.apply_validate,
        RevalidateProject: validation.apply_revalidate,
        SubmitMonitoringReport: apply_submit_report,
        VerifyMonitoringReport: apply_verify_report,
        RequestIssuance: apply_request_issuance,
        DecideIssuance: apply_decide_issuance,
        ReportLoss: reversals.apply_report_loss,
        imports.ImportGridFactors: imports.apply_import_grid_factors,
        imports.ImportGreenCertificates: imports.apply_import_green_certificates,
    }
