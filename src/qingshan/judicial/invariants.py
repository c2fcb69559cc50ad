"""Judicial offsetting's conservation laws, written once. :func:`check_invariants` returns
every violation (none: the book is sound); the state machine tests call it after every step
and ``qingshan log verify`` after replaying the journal.

1. Money: for every case, paid in = spent + fees + refunded + what is still in escrow
   (never below zero; nothing once closed), with paid, spent and fees equal to the sums of
   its payments and purchases; and each court's escrow account holds exactly the sum of its
   cases' money.
2. Credits: for every case, bought = the sum of its purchases, retired ≤ bought, and the
   case's carbon account holds bought − retired units of the case's asset and no money.
"""

from __future__ import annotations

from collections import defaultdict

from qingshan.judicial.model import QUOTE, CaseStatus
from qingshan.judicial.state import JudicialState
from qingshan.ledger.domain.model import AccountStatus, AccountType


def check_invariants(j: JudicialState) -> list[str]:
    errors: list[str] = []
    paid: dict[str, int] = defaultdict(int)
    for p in j.payments.values():
        paid[p.case] += p.amount
    spent: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for q in j.purchases.values():
        totals = spent[q.case]
        totals[0] += q.value
        totals[1] += q.fee
        totals[2] += q.quantity
    in_escrow: dict[str, int] = defaultdict(int)
    for c in j.cases.values():
        value, fee, quantity = spent[c.id]
        if (c.paid, c.spent, c.fees, c.bought) != (paid[c.id], value, fee, quantity):
            errors.append(f"{c.id}: paid {c.paid}, spent {c.spent}, fees {c.fees}, bought "
                          f"{c.bought} differ from its payments and purchases ({paid[c.id]}, "
                          f"{value}, {fee}, {quantity})")
        if c.balance < 0:
            errors.append(f"{c.id}: spent {c.spent} + fees {c.fees} + refunded {c.refunded} "
                          f"exceed paid {c.paid}")
        if c.status is CaseStatus.CLOSED and c.balance:
            errors.append(f"{c.id}: closed with {c.balance} fen left in escrow")
        if not 0 <= c.retired <= c.bought:
            errors.append(f"{c.id}: retired {c.retired} of {c.bought} bought")
        held = j.ledger.active_quantity(c.account, c.asset) + \
            j.ledger.held_quantity(c.account, c.asset)
        if held != c.bought - c.retired:
            errors.append(f"{c.id}: its account {c.account} holds {held} {c.asset}, not "
                          f"bought {c.bought} - retired {c.retired}")
        if j.ledger.available(c.account, QUOTE):
            errors.append(f"{c.id}: money left in its carbon account {c.account}")
        in_escrow[c.court] += c.balance
    for court, expected in sorted(in_escrow.items()):
        escrows = [a for a in j.ledger.accounts_of(court)
                   if a.type is AccountType.ESCROW and a.status is AccountStatus.OPEN]
        held = sum(j.ledger.available(a.id, QUOTE) for a in escrows)
        if held != expected:
            errors.append(f"{court}: escrow holds {held} fen, its cases {expected}")
    return errors
