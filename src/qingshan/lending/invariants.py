"""Pledge loans' conservation laws, written once. :func:`check_invariants` returns every
violation (none: the book is sound); the state-machine tests call it after every step and
``qingshan log verify`` after replaying the journal.

1. Money: a loan's repaid principal and paid interest are the sums of its repayments, never
   more principal than lent; a loan is repaid exactly when its principal is.
2. Pledges: an active loan's holds are active ``loan_pledge`` holds of the loan's bank on the
   loan's account, together holding exactly the units it pledged; a repaid or enforced
   loan's holds are all resolved (released when repaid, enforced when enforced).
3. Lines: no credit line's active loans owe more principal than its limit.
4. Appraisals: the ceiling is the collateral × the loan-to-value ratio, rounded down; a
   loan's latest appraisal is of its project and bank, and no appraisal of the loan (a
   revaluation, by its bank or by the platform) is later.
"""

from __future__ import annotations

from collections import defaultdict

from qingshan.ledger.domain.model import HoldKind, HoldStatus
from qingshan.lending.model import BPS, LoanStatus
from qingshan.lending.state import LendingState

RESOLVED = {LoanStatus.REPAID: HoldStatus.RELEASED, LoanStatus.ENFORCED: HoldStatus.ENFORCED}


def _money(lend: LendingState) -> list[str]:
    errors: list[str] = []
    paid: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for r in lend.repayments.values():
        paid[r.loan][0] += r.principal
        paid[r.loan][1] += r.interest
    for ln in lend.loans.values():
        principal, interest = paid[ln.id]
        if (ln.repaid, ln.interest) != (principal, interest):
            errors.append(f"{ln.id}: repaid {ln.repaid}, interest {ln.interest} differ from "
                          f"its repayments ({principal}, {interest})")
        if not 0 <= ln.repaid <= ln.principal:
            errors.append(f"{ln.id}: repaid {ln.repaid} of {ln.principal}")
        if (ln.status is LoanStatus.REPAID) != (ln.repaid == ln.principal):
            errors.append(f"{ln.id}: {ln.status.value} with {ln.outstanding} outstanding")
    return errors


def _pledges(lend: LendingState) -> list[str]:
    errors: list[str] = []
    for ln in lend.loans.values():
        held = 0
        for hid in ln.holds:
            h = lend.ledger.hold(hid)
            if h.kind is not HoldKind.LOAN_PLEDGE or h.controller != ln.bank \
                    or h.account != ln.account:
                errors.append(f"{ln.id}: hold {hid} is not its bank's pledge on {ln.account}")
            if ln.status is LoanStatus.ACTIVE:
                if h.status is not HoldStatus.ACTIVE:
                    errors.append(f"{ln.id}: active, but its pledge {hid} is {h.status.value}")
                held += h.quantity
            elif h.status is not RESOLVED[ln.status]:
                errors.append(f"{ln.id}: {ln.status.value}, but its pledge {hid} is "
                              f"{h.status.value}")
        if ln.status is LoanStatus.ACTIVE and held != ln.pledged:
            errors.append(f"{ln.id}: its pledges hold {held} units, it pledged {ln.pledged}")
    return errors


def check_invariants(lend: LendingState) -> list[str]:
    errors = _money(lend) + _pledges(lend)
    for line in lend.lines.values():
        used = lend.line_outstanding(line.id)
        if used > line.limit:
            errors.append(f"{line.id}: {used} fen outstanding over its limit {line.limit}")
    latest: dict[str, int] = {}
    for a in lend.appraisals.values():
        if a.ceiling != a.collateral * a.ltv_bps // BPS:
            errors.append(f"{a.id}: ceiling {a.ceiling} is not collateral × LTV")
        if a.loan is not None:
            latest[a.loan] = max(latest.get(a.loan, 0), int(a.id[2:]))
    for ln in lend.loans.values():
        last = lend.appraisals.get(ln.latest_appraisal)
        if last is None or (last.project, last.bank) != (ln.project, ln.bank):
            errors.append(f"{ln.id}: its latest appraisal {ln.latest_appraisal} is not of its "
                          "project and bank")
        elif ln.id in latest and latest[ln.id] != int(last.id[2:]):
            errors.append(f"{ln.id}: a later appraisal of it than {last.id} exists")
    return errors
