"""Resource rights' conservation laws, written once. :func:`check_invariants` returns every
violation (none: the book is sound); the state machine tests call it after every step and
``qingshan log verify`` after replaying the journal.

1. Districts: every district stands for itself or for exactly one live district (its heir);
   the live districts' lines share no district, so nothing is counted toward two of them.
2. Indicators: for every live district's line and every indicator, the units its accounts
   hold (free or in escrow) = issued to the line + bought − sold through released tranches:
   each unit is counted toward one district, whatever successions moved it; an abolished
   district's accounts keep none free (what escrow returns to them goes on to the successor).
3. Contracts: the tranches add up to the quantity; escrowed, released and withheld units
   add up to it once approved; the seller's account holds at least what is in escrow.
4. Development rights: quota granted = accepted area × share, rounded down, on as many
   serials; none granted to a project not accepted.
"""

from __future__ import annotations

from collections import defaultdict

from qingshan.rights.model import (
    BPS,
    INDICATORS,
    ContractStatus,
    RestorationStatus,
    TrancheStatus,
)
from qingshan.rights.state import RightsState


def _districts(r: RightsState) -> list[str]:
    errors = []
    named = set(r.successions) | {s.successor for s in r.successions.values()}
    live = {r.heir(d) for d in named}
    seen: dict[str, str] = {}
    for d in sorted(live):
        if d in r.successions:
            errors.append(f"{d}: an heir that was itself succeeded")
        for member in r.line(d):
            if member in seen and seen[member] != d:
                errors.append(f"{member}: in the lines of {seen[member]} and {d}")
            seen[member] = d
    return errors


def _indicators(r: RightsState) -> list[str]:
    errors = []
    parties = {g.district for g in r.grants.values()}
    for c in r.contracts.values():
        parties |= {c.seller, c.buyer}
    for kind, spec in INDICATORS.items():
        expected: dict[str, int] = defaultdict(int)
        for g in r.grants.values():
            if g.kind is kind:
                expected[r.heir(g.district)] += g.quantity
        for c in r.contracts.values():
            if c.kind is kind:
                q = c.released()
                expected[r.heir(c.signed_buyer)] += q
                expected[r.heir(c.signed_seller)] -= q
        for heir in sorted({r.heir(p) for p in parties}):
            held = sum(r.ledger.active_quantity(a.id, spec.asset) +
                       r.ledger.held_quantity(a.id, spec.asset)
                       for d in r.line(heir) for a in r.ledger.accounts_of(d))
            if held != expected[heir]:
                errors.append(f"{heir}: its accounts hold {held} {spec.asset}, its grants and "
                              f"released tranches {expected[heir]}")
        for gone in sorted(r.successions):
            free = sum(r.ledger.active_quantity(a.id, spec.asset)
                       for a in r.ledger.accounts_of(gone))
            if free:
                errors.append(f"{gone}: abolished, yet {free} {spec.asset} free in its accounts")
    return errors


def _contracts(r: RightsState) -> list[str]:
    errors = []
    escrow: dict[tuple[str, str], int] = defaultdict(int)
    for c in r.contracts.values():
        if sum(t.quantity for t in c.tranches) != c.quantity:
            errors.append(f"{c.id}: tranches add up to {sum(t.quantity for t in c.tranches)}, "
                          f"not {c.quantity}")
        pending = [t for t in c.tranches if t.status is TrancheStatus.PENDING]
        if c.status in (ContractStatus.APPROVED, ContractStatus.COMPLETED) and pending:
            errors.append(f"{c.id}: approved with tranches outside escrow")
        if c.status is ContractStatus.COMPLETED and c.escrowed():
            errors.append(f"{c.id}: completed with {c.escrowed()} still in escrow")
        escrow[(c.seller_account, INDICATORS[c.kind].asset)] += c.escrowed()
    for (account, asset), q in sorted(escrow.items()):
        if r.ledger.held_quantity(account, asset) < q:
            errors.append(f"{account}: holds {r.ledger.held_quantity(account, asset)} "
                          f"{asset} in escrow, its contracts {q}")
    return errors


def _rights(r: RightsState) -> list[str]:
    errors = []
    for rs in r.restorations.values():
        if rs.status is RestorationStatus.ACCEPTED and \
                rs.granted != rs.accepted_mu * rs.share_bps // BPS:
            errors.append(f"{rs.id}: granted {rs.granted} mu, not {rs.accepted_mu} × "
                          f"{rs.share_bps} bps")
        if rs.status is not RestorationStatus.ACCEPTED and rs.granted:
            errors.append(f"{rs.id}: {rs.granted} mu granted while {rs.status.value}")
        if rs.status is RestorationStatus.ACCEPTED and \
                rs.serials[1] - rs.serials[0] + 1 != rs.granted:
            errors.append(f"{rs.id}: serials {rs.serials} do not hold {rs.granted} mu")
    return errors


def check_invariants(r: RightsState) -> list[str]:
    return _districts(r) + _indicators(r) + _contracts(r) + _rights(r)
