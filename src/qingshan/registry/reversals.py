"""Reversals: carbon credited by a project and then lost (fire, pests, harvest, …).

A loss event cancels units to cover the loss, through the ledger's own cancel use-case in the
same unit of work (so the event and its cancellations are one journal entry): buffer-pool
units first, then — only if the loss was avoidable — units from the project's holding account.
If the buffer (and, for an avoidable loss, the proponent's units) cannot cover it, nothing is
cancelled and the event is refused with what each could give.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from qingshan.errors import Forbidden
from qingshan.ledger.domain.commands import CancelUnits
from qingshan.ledger.domain.model import SYSTEM, AccountType, Principal, Role
from qingshan.ledger.domain.state import Effects
from qingshan.registry.commands import ReportLoss
from qingshan.registry.model import (
    LossEvent,
    LossExceedsCover,
    NoBuffer,
    OverReversal,
    Project,
    RequestStatus,
)

if TYPE_CHECKING:
    from qingshan.registry.book import RegistryBook


def credited(book: RegistryBook, project: str) -> int:
    """Units issued for the project (its buffer share included) less units already reversed."""
    issued = sum(q.quantity for q in book.requests.values()
                 if q.project == project and q.status is RequestStatus.APPROVED)
    return issued - sum(e.quantity for e in book.losses.values() if e.project == project)


def _finder(book: RegistryBook, actor: Principal, p: Project) -> str:
    """Who found the loss: the proponent, a verifier at verification, or the operator."""
    if actor.role is Role.VERIFIER:
        book.check_verifier(actor, p)
        return "verification"
    book.check_proponent(actor, p)
    if actor.role is Role.MEMBER:
        return "proponent"
    if actor.role in (Role.OPERATOR, Role.SYSTEM):
        return "operator"
    raise Forbidden(f"role {actor.role.value} may not report a loss", role=actor.role.value)


def apply_report_loss(book: RegistryBook, cmd: ReportLoss, actor: Principal,
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
        ledger.check_open(ledger.account(c.account))
        ledger.check_take(c.account, c.asset, c.quantity, None)
    book._next("loss", "LE", 6)
    effects = Effects({})
    ranges: dict[str, list[list[int]]] = {}
    for c in cancels:
        done = ledger.apply(c, SYSTEM, seq)  # the registry cancels, as the platform
        effects.postings += done.postings
        effects.serial_events += done.serial_events
        ranges["buffer" if c.account == pool.id else "proponent"] = done.result["ranges"]
    event = LossEvent(lid, p.id, p.asset, cmd.quantity, cmd.cause, cmd.avoidable,
                      cmd.occurred, found_by, actor.party_id or actor.id, from_pool,
                      from_proponent, cmd.description, cmd.documents, seq)
    book._set(book.losses, lid, event)
    book._touch("losses", lid)
    book._event(seq, p.id, cmd.kind, actor, f"{lid}: {cmd.quantity} t, {cmd.cause}")
    effects.result = {"loss": lid, "project": p.id, "quantity": cmd.quantity,
                      "buffer_cancelled": from_pool, "proponent_cancelled": from_proponent,
                      "found_by": found_by, "ranges": ranges}
    return effects
