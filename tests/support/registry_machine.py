"""A Hypothesis state machine of the registry: projects, validation, reports, verification,
issuance, re-validation, transfers and loss events in random order, by the right and the wrong
actors. After every step the registry's laws hold:

- nothing is issued beyond what was verified, nor requested beyond it;
- the monitoring periods of a project never overlap;
- the buffer pool holds every buffer share issued less the buffer units losses drew, and each
  share is the methodology's percentage rounded up;
- a project's fixed parameters are those of its last (re-)validation, every report was
  computed with the ones in force when it was submitted and carries monitored values only;
- the ledger's conservation laws hold, and a refused command changes nothing.

``RegistryMachine`` runs on the pure books; tests/integration runs a subclass through the
database with restarts and ``log verify``.
"""

from __future__ import annotations

import itertools
from typing import Any

from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from qingshan.errors import QingshanError
from qingshan.ledger.domain.commands import Command, Transfer
from qingshan.ledger.domain.invariants import check_invariants
from qingshan.ledger.domain.model import SYSTEM, BlockState, Principal
from qingshan.ledger.domain.state import LedgerState
from qingshan.registry.book import RegistryBook
from qingshan.registry.commands import (
    CreateProject,
    DecideIssuance,
    RegisterProject,
    ReportLoss,
    RequestIssuance,
    RevalidateProject,
    SubmitMonitoringReport,
    SubmitProject,
    SuspendProject,
    ValidateProject,
    VerifyMonitoringReport,
)
from qingshan.registry.model import ReportStatus, RequestStatus
from tests.support.book import ALICE, ALICE_KEY, BOB, BOB_KEY
from tests.support.registry import BUFFER, VERIFIER_KEY, make_world, project_payload

ACTORS = [ALICE_KEY, BOB_KEY, VERIFIER_KEY, SYSTEM]
WRONG = st.integers(0, 5)  # 0: a random actor (often the wrong one); else the right one
METHODOLOGIES = st.sampled_from(["TEST-PV@1.0", "TEST-FOREST@2.1"])
EF = st.sampled_from(["0.3", "0.5", "0.61", "1.2"])
MONTHS = [f"2023-{m:02d}" for m in range(1, 13)] + [f"2024-{m:02d}" for m in range(1, 13)]


class RegistryMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.fixed: dict[str, tuple[tuple[str, str], ...]] = {}  # what validation recorded
        self.start()

    # ------------------------------------------------------------------ how commands run
    # (tests/integration overrides these four to run through the sequencer and a database)
    def start(self) -> None:
        self.world = make_world()

    def execute(self, cmd: Command, actor: Principal) -> dict[str, Any]:
        return self.world.run(cmd, actor).result

    @property
    def book(self) -> RegistryBook:
        return self.world.registry

    @property
    def ledger(self) -> LedgerState:
        return self.world.router.ledger

    def attempt(self, cmd: Command, actor: Principal = SYSTEM) -> dict[str, Any] | None:
        before = (self.book.snapshot(), dict(self.ledger.blocks))
        try:
            return self.execute(cmd, actor)
        except QingshanError:
            assert (self.book.snapshot(), dict(self.ledger.blocks)) == before, \
                f"a refused {cmd.kind} changed the books"
            return None

    @staticmethod
    def pick(data: st.DataObject, table: dict[str, Any], likely: list[str]) -> str:
        """Mostly one of the ``likely`` keys (those the step can apply to), sometimes any."""
        if likely and data.draw(WRONG):
            return data.draw(st.sampled_from(sorted(likely)))
        return data.draw(st.sampled_from(sorted(table)))

    @staticmethod
    def who(data: st.DataObject, right: Principal) -> Principal:
        """Mostly the actor the step needs, sometimes anyone (who must then be refused)."""
        if data.draw(WRONG):
            return right
        return data.draw(st.sampled_from(ACTORS))

    # ------------------------------------------------------------------ rules
    @initialize(ef=EF)
    def two_registered_projects(self, ef: str) -> None:
        """Every run starts with a registered PV and a registered forestry project."""
        for methodology, fixed in (("TEST-PV@1.0", {"ef": ef}), ("TEST-FOREST@2.1", {})):
            pid = self.execute(CreateProject.from_payload(project_payload(
                methodology=methodology, crediting_start="2023-01-01")), ALICE_KEY)["project"]
            self.execute(SubmitProject(pid, "ready"), ALICE_KEY)
            self.execute(ValidateProject.from_payload({"project": pid, "approve": True,
                                                       "opinion": "o", "fixed": fixed}),
                         VERIFIER_KEY)
            self.execute(RegisterProject(pid, "ok"), SYSTEM)
            self.fixed[pid] = self.book.projects[pid].fixed

    @rule(data=st.data(), methodology=METHODOLOGIES)
    def create(self, data: st.DataObject, methodology: str) -> None:
        self.attempt(CreateProject.from_payload(project_payload(
            methodology=methodology, crediting_start="2023-01-01")), self.who(data, ALICE_KEY))

    @precondition(lambda self: self.book.projects)
    @rule(data=st.data(), ef=st.none() | EF, approve=st.integers(0, 4))
    def lifecycle(self, data: st.DataObject, ef: str | None, approve: int) -> None:
        pid = self.pick(data, self.book.projects, [
            k for k, p in self.book.projects.items()
            if p.status.value in ("draft", "submitted", "validated")])
        status = self.book.projects[pid].status.value
        if status == "draft":
            self.attempt(SubmitProject(pid, "ready"), self.who(data, ALICE_KEY))
        elif status == "submitted":
            fixed = {"ef": ef} if ef and self.book.projects[pid].methodology == "TEST-PV@1.0" \
                else {}
            if self.attempt(ValidateProject.from_payload({
                    "project": pid, "approve": bool(approve), "opinion": "o", "fixed": fixed}),
                    self.who(data, VERIFIER_KEY)) is not None and approve:
                self.fixed[pid] = self.book.projects[pid].fixed
        elif status == "validated":
            self.attempt(RegisterProject(pid, "ok"), self.who(data, SYSTEM))
        elif status == "registered" and not approve:
            self.attempt(SuspendProject(pid, "inquiry"), self.who(data, SYSTEM))

    @precondition(lambda self: self.book.projects)
    @rule(data=st.data(), ef=EF)
    def revalidate(self, data: st.DataObject, ef: str) -> None:
        pid = data.draw(st.sampled_from(sorted(self.book.projects)))
        fixed = (("ef", ef),) if self.book.projects[pid].methodology == "TEST-PV@1.0" else ()
        if self.attempt(RevalidateProject(pid, fixed, "", "revised PDD"),
                        self.who(data, VERIFIER_KEY)) is not None:
            self.fixed[pid] = self.book.projects[pid].fixed

    @precondition(lambda self: self.book.projects)
    @rule(data=st.data(), first=st.integers(0, 23), months=st.integers(1, 8),
          amount=st.integers(0, 5000), sneak=st.integers(0, 5), ef=EF)
    def report(self, data: st.DataObject, first: int, months: int, amount: int,
               sneak: int, ef: str) -> None:
        actor = self.who(data, ALICE_KEY)
        pid = self.pick(data, self.book.projects, [
            k for k, p in self.book.projects.items() if p.status.value == "registered"])
        pv = self.book.projects[pid].methodology == "TEST-PV@1.0"
        values = {"eg_mwh": str(amount)} if pv else {"removals": str(amount)}
        if not sneak:  # a report trying to change a fixed (or unknown) value
            values["ef"] = ef
        last = MONTHS[min(first + months - 1, 23)]
        self.attempt(SubmitMonitoringReport.from_payload({
            "project": pid, "period_start": MONTHS[first] + "-01",
            "period_end": last + ("-31" if last[-2:] in ("01", "03", "05", "07", "08", "10",
                                                         "12") else "-28"),
            "values": values}), actor)

    @precondition(lambda self: self.book.reports)
    @rule(data=st.data(), share=st.integers(1, 104), approve=st.integers(0, 4))
    def verify(self, data: st.DataObject, share: int, approve: int) -> None:
        rid = self.pick(data, self.book.reports, [
            k for k, r in self.book.reports.items() if r.status is ReportStatus.SUBMITTED])
        qty = max(1, self.book.reports[rid].claimed * share // 100)
        self.attempt(VerifyMonitoringReport(rid, bool(approve), qty if approve else 0, "o"),
                     self.who(data, VERIFIER_KEY))

    @precondition(lambda self: self.book.reports)
    @rule(data=st.data(), share=st.integers(1, 104))
    def request(self, data: st.DataObject, share: int) -> None:
        rid = self.pick(data, self.book.reports, [
            k for k, r in self.book.reports.items() if r.status is ReportStatus.VERIFIED])
        qty = max(1, self.book.reports[rid].verified * share // 100)
        self.attempt(RequestIssuance(rid, qty), self.who(data, ALICE_KEY))

    @precondition(lambda self: self.book.requests)
    @rule(data=st.data(), approve=st.integers(0, 4))
    def decide(self, data: st.DataObject, approve: int) -> None:
        qid = self.pick(data, self.book.requests, [
            k for k, q in self.book.requests.items() if q.status is RequestStatus.PENDING])
        self.attempt(DecideIssuance(qid, bool(approve), "decided"), self.who(data, SYSTEM))

    @precondition(lambda self: self.book.reports)
    @rule(data=st.data())
    def advance(self, data: st.DataObject) -> None:
        """The next step of a report's way to issuance, by the right actor."""
        rid = data.draw(st.sampled_from(sorted(self.book.reports)))
        r = self.book.reports[rid]
        pending = [q.id for q in self.book.requests.values()
                   if q.report == rid and q.status is RequestStatus.PENDING]
        if pending:
            self.attempt(DecideIssuance(pending[0], True, "ok"), SYSTEM)
        elif r.status is ReportStatus.SUBMITTED and r.claimed:
            self.attempt(VerifyMonitoringReport(rid, True, r.claimed, "ok"), VERIFIER_KEY)
        elif r.status is ReportStatus.VERIFIED:
            left = r.verified - self.book.requested(rid)
            if left:
                self.attempt(RequestIssuance(rid, left), ALICE_KEY)

    @rule(qty=st.integers(1, 3000))
    def sell(self, qty: int) -> None:
        self.attempt(Transfer("CQCER", ALICE, BOB, qty), ALICE_KEY)

    @precondition(lambda self: self.book.projects)
    @rule(data=st.data(), qty=st.integers(1, 600), avoidable=st.booleans(),
          by_verifier=st.booleans())
    def loss(self, data: st.DataObject, qty: int, avoidable: bool, by_verifier: bool) -> None:
        pid = self.pick(data, self.book.projects, [
            q.project for q in self.book.requests.values() if q.status is RequestStatus.APPROVED])
        self.attempt(ReportLoss(project=pid, quantity=qty, cause="fire", avoidable=avoidable,
                                occurred="2024-06-01", description="fire", documents=()),
                     self.who(data, VERIFIER_KEY if by_verifier else ALICE_KEY))

    # ------------------------------------------------------------------ laws
    @invariant()
    def issued_never_exceeds_verified(self) -> None:
        for r in self.book.reports.values():
            asked = [q for q in self.book.requests.values() if q.report == r.id]
            live = sum(q.quantity for q in asked if q.status is not RequestStatus.REJECTED)
            assert live <= r.verified
            assert r.status is ReportStatus.VERIFIED or live == 0
        for q in self.book.requests.values():
            if q.status is RequestStatus.APPROVED:
                assert q.issuance is not None
                issuance = self.ledger.issuances[q.issuance]
                assert issuance.serials.quantity == q.quantity and issuance.project == q.project

    @invariant()
    def periods_never_overlap(self) -> None:
        live = sorted((r.project, r.period_start, r.period_end)
                      for r in self.book.reports.values()
                      if r.status is not ReportStatus.REJECTED)
        for a, b in itertools.pairwise(live):
            assert a[0] != b[0] or a[2] < b[1], (a, b)

    @invariant()
    def the_buffer_holds_its_share_less_its_draws(self) -> None:
        shares = drawn = 0
        for q in self.book.requests.values():
            if q.status is RequestStatus.APPROVED:
                pct = self.book.methodologies[self.book.projects[q.project].methodology] \
                    .buffer_percent
                assert q.buffer == -(-q.quantity * pct // 100)
                shares += q.buffer
        drawn = sum(e.buffer_cancelled for e in self.book.losses.values())
        assert self.ledger.active_quantity(BUFFER, "CQCER") == shares - drawn
        for e in self.book.losses.values():
            assert e.buffer_cancelled + e.proponent_cancelled == e.quantity
            assert e.avoidable or e.proponent_cancelled == 0
        cancelled = sum(b.quantity for b in self.ledger.blocks.values()
                        if b.state is BlockState.CANCELLED)
        assert cancelled == sum(e.quantity for e in self.book.losses.values())

    @invariant()
    def fixed_values_change_only_by_validation(self) -> None:
        for pid, p in self.book.projects.items():
            assert p.fixed == self.fixed.get(pid, ())
            records = sorted((v for v in self.book.validations.values() if v.project == pid),
                             key=lambda v: v.seq)
            assert p.fixed == (records[-1].fixed if records else ())
            m = self.book.methodologies[p.methodology]
            monitored = {q.id for q in m.parameters if q.monitored}
            for r in self.book.reports.values():
                if r.project == pid:
                    in_force = [v.fixed for v in records if v.seq < r.seq]
                    assert r.basis.fixed == in_force[-1]
                    assert {k for k, _ in r.values} <= monitored  # never a fixed value

    @invariant()
    def the_ledger_balances(self) -> None:
        assert check_invariants(self.ledger) == []
