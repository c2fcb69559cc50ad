"""Issuance: the proponent requests units against a verified report (never more than it
verified), and the operator decides; an approval issues the units — vintage, monitoring
period, the forestry buffer share (rounded up under rules 2) — through the ledger's
``IssueUnits`` in the same journal entry."""

from __future__ import annotations

from dataclasses import replace

from qingshan.ledger.domain.commands import IssueUnits
from qingshan.ledger.domain.effects import Effects
from qingshan.ledger.domain.model import AccountType, Principal
from qingshan.registry.commands import (
    DecideIssuance,
    RequestIssuance,
)
from qingshan.registry.errors import OverIssuance, UnknownRequest, WrongState
from qingshan.registry.model import IssuanceRequest, ProjectStatus, ReportStatus, RequestStatus
from qingshan.registry.state import RegistryState


def apply_request_issuance(book: RegistryState, cmd: RequestIssuance, actor: Principal,
                           seq: int) -> Effects:
    r = book.report(cmd.report)
    p = book.project(r.project)
    book.check_proponent(actor, p)
    if r.status is not ReportStatus.VERIFIED:
        raise WrongState(f"the report is {r.status.value}, not verified", report=r.id,
                         status=r.status.value)
    left = r.verified - book.requested(r.id)
    if cmd.quantity > left:
        raise OverIssuance("more than the verified quantity not yet requested",
                           report=r.id, verified=r.verified, available=left,
                           requested=cmd.quantity)
    qid = book.next_id("request", "IR", 6)
    book.put("requests", qid, IssuanceRequest(id=qid,
                                              report=r.id,
                                              project=p.id,
                                              quantity=cmd.quantity,
                                              status=RequestStatus.PENDING,
                                              issuance=None,
                                              buffer=0,
                                              reason="",
                                              seq=seq))
    book.event(seq, p.id, cmd.kind, actor, qid)
    return Effects({"request": qid, "quantity": cmd.quantity})


def apply_decide_issuance(book: RegistryState, cmd: DecideIssuance, actor: Principal,
                          seq: int) -> Effects:
    book.check_admin(actor)
    q = book.requests.get(cmd.request)
    if q is None:
        raise UnknownRequest("no such issuance request", request=cmd.request)
    if q.status is not RequestStatus.PENDING:
        raise WrongState(f"the request is already {q.status.value}", request=q.id,
                         status=q.status.value)
    p = book.project(q.project)
    if not cmd.approve:
        book.put("requests", q.id, replace(q, status=RequestStatus.REJECTED,
                                               reason=cmd.reason))
        book.event(seq, p.id, cmd.kind, actor, cmd.reason)
        return Effects({"request": q.id, "status": "rejected"})
    book.check_state(p, ProjectStatus.REGISTERED)
    r = book.report(q.report)
    m = book.methodology(p.methodology)
    # the buffer share rounds up (rules 2): a fraction of a tonne never favours the
    # proponent; rules 1 rounded down
    share = q.quantity * m.buffer_percent
    buffer = share // 100 if book.rules(seq) == 1 else -(-share // 100)
    allocations: list[tuple[str, int]] = [(p.account, q.quantity - buffer)]
    if buffer:
        pool = book.ledger.platform_account(None, AccountType.BUFFER)
        allocations.append((pool.id, buffer))
    issue = IssueUnits(asset=p.asset, project=p.id, vintage=int(r.period_end[:4]),
                       monitoring_start=r.period_start, monitoring_end=r.period_end,
                       reference=f"{r.id}/{q.id}",
                       allocations=tuple((a, n) for a, n in allocations if n),
                       category=m.sector)  # so a market can list e.g. forestry credits
    effects = book.ledger.issue_units(issue, seq)  # the registry issues, as the platform
    book.put("requests", q.id, replace(q, status=RequestStatus.APPROVED,
                                           issuance=effects.result["issuance"],
                                           buffer=buffer, reason=cmd.reason,
                                           factors=r.basis.factors))
    book.event(seq, p.id, cmd.kind, actor, cmd.reason)
    effects.result = {"request": q.id, "status": "approved", "buffer": buffer,
                      **effects.result}
    if r.basis.factors:
        effects.result["factors"] = list(r.basis.factors)
    return effects
