"""Reversals: carbon credited by a project and then lost (fire, pests, harvest, …).

A loss event cancels units to cover the loss, through the ledger's own cancel use-case in the
same unit of work (so the event and its cancellations are one journal entry): buffer-pool
units first, then — only if the loss was avoidable — units from the project's holding account.
If the buffer (and, for an avoidable loss, the proponent's units) cannot cover it, nothing is
cancelled and the event is refused with what each could give.
"""

from __future__ import annotations

from qingshan.errors import Forbidden
from qingshan.ledger.domain import policy
from qingshan.ledger.domain.commands import CancelUnits
from qingshan.ledger.domain.effects import Effects
from qingshan.ledger.domain.model import AccountType, Principal, Role
from qingshan.registry.commands import ReportLoss
from qingshan.registry.errors import LossExceedsCover, NoBuffer, OverReversal
from qingshan.registry.model import LossEvent, Project, RequestStatus
from qingshan.registry.state import RegistryState


def credited(book: RegistryState, project: str) -> int:
    """Units issued for the project (its buffer share included) less units already reversed."""
    issued = sum(q.quantity for q in book.requests.values()
                 if q.project == project and q.status is RequestStatus.APPROVED)
    return issued - sum(e.quantity for e in book.losses.values() if e.project == project)


def _finder(book: RegistryState, actor: Principal, p: Project) -> str:
    """Who found the loss: the proponent, a verifier at verification, or the operator."""
    if actor.role is Role.VERIFIER:
        book.check_verifier(actor, p)
        return "verification"
    book.check_proponent(actor, p)
    if actor.role is Role.MEMBER:
        return "proponent"
    if policy.is_admin(actor):
        return "operator"
    raise Forbidden(f"role {actor.role.value} may not report a loss", role=actor.role.value)


def apply_report_loss(book: RegistryState, cmd: ReportLoss, actor: Principal,
                      seq: int) -> Effects:
    p = book.project(cmd.project)
    found_by = _finder(book, actor, p)
    m = book.methodology(p.methodology)
    if m.buffer_percent <= 0:
        raise NoBuffer("the project's methodology keeps no buffer: it has no reversals",
                       methodology=m.key)
    left = credited(book, p.id)
    if cmd.quantity > left:
        raise OverReversal("a loss reverses at most what was issued for the project and not "
                           "reversed yet", project=p.id, credited=left, loss=cmd.quantity)
    ledger = book.ledger
    pool = ledger.platform_account(None, AccountType.BUFFER)
    in_pool = ledger.active_quantity(pool.id, p.asset)
    from_pool = min(cmd.quantity, in_pool)
    from_proponent = cmd.quantity - from_pool
    held = ledger.active_quantity(p.account, p.asset) if cmd.avoidable else 0
    if from_proponent > held:
        raise LossExceedsCover(
            "the buffer pool" + (" and the proponent's units" if cmd.avoidable else "")
            + " cannot cover this loss; nothing was cancelled", loss=cmd.quantity,
            buffer=in_pool, proponent=held, avoidable=cmd.avoidable)
    lid = f"LE{book.counters['loss'] + 1:06d}"
    reason = f"reversal {lid}: {cmd.cause} on {cmd.occurred} ({p.id})"
    cancels = [CancelUnits(asset=p.asset, account=pool.id, quantity=from_pool, reason=reason,
                           destination="", reference=lid)] if from_pool else []
    if from_proponent:
        cancels.append(CancelUnits(asset=p.asset, account=p.account, quantity=from_proponent,
                                   reason=reason, destination="", reference=lid))
    for c in cancels:  # check every cancellation before doing any
        ledger.check_cancel_units(c)
    book.next_id("loss", "LE", 6)
    effects = Effects({})
    ranges: dict[str, list[list[int]]] = {}
    for c in cancels:
        done = ledger.cancel_units(c, seq)  # the registry cancels, as the platform
        effects.absorb(done)
        ranges["buffer" if c.account == pool.id else "proponent"] = done.result["ranges"]
    event = LossEvent(id=lid,
                      project=p.id,
                      asset=p.asset,
                      quantity=cmd.quantity,
                      cause=cmd.cause,
                      avoidable=cmd.avoidable,
                      occurred=cmd.occurred,
                      found_by=found_by,
                      actor=actor.party_id or actor.id,
                      buffer_cancelled=from_pool,
                      proponent_cancelled=from_proponent,
                      description=cmd.description,
                      documents=cmd.documents,
                      seq=seq)
    book.put("losses", lid, event)
    book.event(seq, p.id, cmd.kind, actor, f"{lid}: {cmd.quantity} t, {cmd.cause}")
    effects.result = {"loss": lid, "project": p.id, "quantity": cmd.quantity,
                      "buffer_cancelled": from_pool, "proponent_cancelled": from_proponent,
                      "found_by": found_by, "ranges": ranges}
    for watcher in book.loss_watchers.values():
        effects.result.update(watcher(p.id, lid, cmd.quantity, cmd.cause, cmd.occurred, seq))
    return effects
