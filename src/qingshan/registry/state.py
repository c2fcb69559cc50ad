"""The registry's state and the checks its concerns share: projects, monitoring reports,
issuance requests, validations, the imported reference lists and loss events; the registry
rules an entry runs under; who may act on a project. The concerns (``projects``,
``validation``, ``monitoring``, ``issuance``, ``reversals``, ``imports``) are functions of
this state; :class:`~qingshan.registry.book.RegistryBook` composes them. Every change goes
through the methods here, so it is recorded in the undo log and marked for writing."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from qingshan.errors import Forbidden, NotAccountOwner
from qingshan.ledger.books import ContextBook
from qingshan.ledger.domain import policy
from qingshan.ledger.domain.model import PartyKind, Principal, Role
from qingshan.registry.errors import (
    MethodologySuperseded,
    UnknownMethodology,
    UnknownProject,
    UnknownReport,
    WrongState,
)
from qingshan.registry.methodologies.base import Methodology
from qingshan.registry.model import (
    GreenCertificateClaim,
    GridFactor,
    IssuanceRequest,
    LossEvent,
    MonitoringReport,
    Project,
    ProjectStatus,
    RequestStatus,
    Validation,
)

TABLES = ("projects", "reports", "requests", "validations", "factors", "certificates",
          "losses")

LossWatcher = Callable[[str, str, int, str, str, int], dict[str, Any]]
"""Called with (project, loss id, tCO2e lost, cause, day it occurred, seq) inside the loss's
journal entry, once its units are cancelled; returns what to add to the result. Cannot fail."""


class RegistryState(ContextBook):
    def __init__(self, methodologies: Mapping[str, Methodology], legacy_until: int = 0,
                 rules2_until: int = 0) -> None:
        super().__init__(TABLES)
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
        self.loss_watchers: dict[str, LossWatcher] = {}
        self.rules2_until = rules2_until  # entries up to it, past legacy_until: rules 2

    def watch_loss(self, name: str, watcher: LossWatcher) -> None:
        """Call ``watcher`` (one per ``name``; binding again replaces it) on every loss
        reported (another context's, bound by the composition root)."""
        self.loss_watchers[name] = watcher

    def rules(self, seq: int) -> int:
        """The registry rules entry ``seq`` runs under (see the book's docstring)."""
        if seq <= self.legacy_until:
            return 1
        return 2 if seq <= self.rules2_until else 3

    # ------------------------------------------------------------------ changes
    def put_project(self, p: Project, seq: int, **changes: Any) -> Project:
        new = replace(p, updated_seq=seq, **changes)
        self.put("projects", p.id, new)
        return new

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
        if m.legacy and self.rules(seq) >= 2:
            raise MethodologySuperseded(
                f"{m.key} is kept only for entries journaled before registry rules 2; {what} "
                f"uses {m.successor or 'its successor'}", methodology=m.key,
                successor=m.successor)

    def check_open(self, m: Methodology, seq: int) -> None:
        """Under rules 3 a closed methodology version takes no new project."""
        if m.closed and self.rules(seq) >= 3:
            raise MethodologySuperseded(
                f"{m.key} is closed to new projects; a new project uses "
                f"{m.successor or 'its successor'} (projects registered under it go on)",
                methodology=m.key, successor=m.successor)

    @staticmethod
    def check_admin(actor: Principal) -> None:
        policy.check_admin(actor)

    @staticmethod
    def check_proponent(actor: Principal, project: Project) -> None:
        """The operator, or a member of the proponent (the platform's owner rule)."""
        if policy.acts_for(actor, project.proponent):
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

    def requested(self, report: str) -> int:
        """Units requested for a report and not refused."""
        return sum(q.quantity for q in self.requests.values()
                   if q.report == report and q.status is not RequestStatus.REJECTED)
