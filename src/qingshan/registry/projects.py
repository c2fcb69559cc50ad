"""Projects and their lifecycle: a proponent's member (or the operator) creates a project,
attaches documents, submits and withdraws it; the operator registers, suspends and reinstates
it (validation is in ``validation``).

    draft ──submit──▶ submitted ──validate(approve)──▶ validated ──register──▶ registered
      ▲                   │                                                   │    ▲
      └─validate(refuse)──┘                                          suspend  ▼    │ reinstate
    any state but withdrawn ──withdraw──▶ withdrawn                        suspended
"""

from __future__ import annotations

from qingshan.errors import Conflict, InvalidInput, NotAccountOwner, WrongAccountType
from qingshan.ledger.domain import policy
from qingshan.ledger.domain.effects import Effects
from qingshan.ledger.domain.model import AccountType, AssetKind, Principal
from qingshan.registry.commands import (
    AddProjectDocument,
    CreateProject,
    ProjectTransition,
    RegisterProject,
    ReinstateProject,
    SubmitProject,
    SuspendProject,
    WithdrawProject,
)
from qingshan.registry.errors import WrongState
from qingshan.registry.model import Project, ProjectStatus
from qingshan.registry.state import RegistryState


def apply_create_project(book: RegistryState, cmd: CreateProject, actor: Principal,
                         seq: int) -> Effects:
    party = book.ledger.party(cmd.proponent)
    if not policy.acts_for(actor, party.id):
        raise NotAccountOwner("a member creates projects for its own party only",
                              proponent=party.id)
    acct = book.ledger.account(cmd.account)
    if acct.party_id != party.id or acct.type is not AccountType.HOLDING:
        raise WrongAccountType("units go to a holding account of the proponent",
                               account=acct.id)
    m = book.methodology(cmd.methodology)
    book.check_current(m, seq, "a new project")
    book.check_open(m, seq)
    if m.green_certificates and not cmd.plant_code and book.rules(seq) >= 2:
        raise InvalidInput(f"{m.key} credits electricity: give the plant's code in the "
                           "green-certificate lists", field="plant_code")
    book.ledger.asset(cmd.asset, AssetKind.SERIALIZED)
    pid = book.next_id("project", "CQ", 4)
    p = Project(id=pid,
                proponent=party.id,
                account=acct.id,
                name=cmd.name,
                methodology=cmd.methodology,
                sector=m.sector,
                asset=cmd.asset,
                district=cmd.district,
                lat_e6=cmd.lat_e6,
                lon_e6=cmd.lon_e6,
                crediting_start=cmd.crediting_start,
                crediting_end=cmd.crediting_end,
                estimated_annual=cmd.estimated_annual,
                description=cmd.description,
                documents=cmd.documents,
                status=ProjectStatus.DRAFT,
                validator=None,
                created_seq=seq,
                updated_seq=seq,
                plant_code=cmd.plant_code)
    book.put("projects", pid, p)
    book.event(seq, pid, cmd.kind, actor, "created")
    return Effects({"project": pid, "status": p.status.value})


def apply_add_project_document(book: RegistryState, cmd: AddProjectDocument, actor: Principal,
                               seq: int) -> Effects:
    p = book.project(cmd.project)
    book.check_proponent(actor, p)
    if p.status is ProjectStatus.WITHDRAWN:
        raise WrongState("the project is withdrawn", project=p.id, status=p.status.value)
    if any(d.sha256 == cmd.document.sha256 for d in p.documents):
        raise Conflict("this document is already attached", sha256=cmd.document.sha256)
    book.put_project(p, seq, documents=(*p.documents, cmd.document))
    book.event(seq, p.id, cmd.kind, actor, cmd.document.name)
    return Effects({"project": p.id, "documents": len(p.documents) + 1})


def _transition(book: RegistryState, cmd: ProjectTransition, actor: Principal, seq: int,
                allowed: tuple[ProjectStatus, ...], to: ProjectStatus,
                who: str) -> Effects:
    p = book.project(cmd.project)
    if who == "proponent":
        book.check_proponent(actor, p)
    else:
        book.check_admin(actor)
    book.check_state(p, *allowed)
    book.put_project(p, seq, status=to)
    book.event(seq, p.id, cmd.kind, actor, cmd.reason)
    return Effects({"project": p.id, "status": to.value, "previous": p.status.value})


def apply_submit(book: RegistryState, cmd: SubmitProject, actor: Principal, seq: int) -> Effects:
    return _transition(book, cmd, actor, seq, (ProjectStatus.DRAFT,),
                            ProjectStatus.SUBMITTED, "proponent")


def apply_register(book: RegistryState, cmd: RegisterProject, actor: Principal,
                   seq: int) -> Effects:
    return _transition(book, cmd, actor, seq, (ProjectStatus.VALIDATED,),
                            ProjectStatus.REGISTERED, "operator")


def apply_suspend(book: RegistryState, cmd: SuspendProject, actor: Principal, seq: int) -> Effects:
    return _transition(book, cmd, actor, seq, (ProjectStatus.REGISTERED,),
                            ProjectStatus.SUSPENDED, "operator")


def apply_reinstate(book: RegistryState, cmd: ReinstateProject, actor: Principal,
                    seq: int) -> Effects:
    return _transition(book, cmd, actor, seq, (ProjectStatus.SUSPENDED,),
                            ProjectStatus.REGISTERED, "operator")


def apply_withdraw(book: RegistryState, cmd: WithdrawProject, actor: Principal,
                   seq: int) -> Effects:
    live = tuple(s for s in ProjectStatus if s is not ProjectStatus.WITHDRAWN)
    return _transition(book, cmd, actor, seq, live, ProjectStatus.WITHDRAWN, "proponent")
