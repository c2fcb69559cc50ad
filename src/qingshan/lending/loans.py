"""Credit lines, loans and their pledges: granting a loan pledges the project's units in its
account to the bank (one ``loan_pledge`` hold per issuance) and, through the ledger's
issuance watcher, every later issuance into that account as it is issued; repaying the
principal in full releases them; a loan in default has them enforced into the bank's
account. Check first, then do: every check of a command runs before its first change."""

from __future__ import annotations

from datetime import date
from typing import Any

from qingshan.errors import Forbidden, InvalidInput
from qingshan.ledger.domain.effects import Effects
from qingshan.ledger.domain.model import AccountType, Issuance, Principal, SerialRange
from qingshan.ledger.domain.parsing import journal_day
from qingshan.lending import revaluation
from qingshan.lending.appraisals import is_current
from qingshan.lending.commands import EnforcePledge, GrantLoan, OpenCreditLine, RecordRepayment
from qingshan.lending.errors import (
    AboveCreditLine,
    AboveLoanToValue,
    NotInDefault,
    Overpayment,
    StaleAppraisal,
    TitleEncumbered,
)
from qingshan.lending.model import (
    APPRAISAL_VALID_DAYS,
    AlertKind,
    CreditLine,
    Loan,
    LoanStatus,
    RepaymentRecord,
    overdue,
)
from qingshan.lending.state import LendingState
from qingshan.reference.chongqing import DISTRICTS

DISTRICT_CODES = frozenset(d.code for d in DISTRICTS)
DAY_MS = 86_400_000


def open_credit_line(lend: LendingState, cmd: OpenCreditLine, actor: Principal,
                     seq: int) -> Effects:
    lend.check_bank(actor, cmd.bank)
    if cmd.district not in DISTRICT_CODES:
        raise InvalidInput("not a current Chongqing district or county code",
                           field="district", value=cmd.district)
    lid = lend.next_id("line", "CL")
    lend.put("lines", lid, CreditLine(id=lid, bank=cmd.bank, district=cmd.district,
                                      limit=cmd.limit, start=cmd.start, end=cmd.end, seq=seq))
    return Effects({"line": lid})


def _check_appraisal(lend: LendingState, cmd: GrantLoan, today: date) -> None:
    a = lend.appraisal(cmd.appraisal)
    if a.project != cmd.project or a.bank != cmd.bank:
        raise StaleAppraisal("the appraisal is of another project or bank",
                             appraisal=a.id, field="appraisal")
    later = [v.id for v in lend.appraisals.values()
             if v.project == a.project and v.bank == a.bank and v.seq > a.seq]
    if later:
        raise StaleAppraisal("a later appraisal of the project exists", appraisal=a.id,
                             later=later[-1], field="appraisal")
    if not is_current(a, today, APPRAISAL_VALID_DAYS):
        raise StaleAppraisal(f"the appraisal is older than {APPRAISAL_VALID_DAYS} days",
                             appraisal=a.id, day=a.day, field="appraisal")
    if cmd.principal > a.ceiling:
        raise AboveLoanToValue("the principal is above the appraisal's ceiling",
                               principal=cmd.principal, ceiling=a.ceiling,
                               field="principal")


def _check_line(lend: LendingState, cmd: GrantLoan, district: str, today: str) -> None:
    if cmd.line is None:
        return
    line = lend.line(cmd.line)
    if line.bank != cmd.bank or line.district != district:
        raise AboveCreditLine("the credit line is of another bank or district", line=line.id,
                              district=line.district, project_district=district, field="line")
    if not line.start <= today <= line.end:
        raise AboveCreditLine("the credit line is not open today", line=line.id,
                              start=line.start, end=line.end, field="line")
    used = lend.line_outstanding(line.id)
    if used + cmd.principal > line.limit:
        raise AboveCreditLine("the loan would take the line above its limit", line=line.id,
                              limit=line.limit, outstanding=used, principal=cmd.principal,
                              field="principal")


def grant_loan(lend: LendingState, cmd: GrantLoan, actor: Principal, seq: int) -> Effects:
    lend.check_bank(actor, cmd.bank)
    terms = lend.forestry_project(cmd.project)
    today = journal_day(lend.clock())
    _check_appraisal(lend, cmd, today)
    _check_line(lend, cmd, terms.district, today.isoformat())
    if lend.active_loans_of(cmd.project):
        raise TitleEncumbered("the project already secures an active loan",
                              project=cmd.project)
    account = lend.ledger.account(terms.account)
    lend.ledger.check_open(account)
    if lend.ledger.held_quantity(account.id, terms.asset):
        raise TitleEncumbered("units in the project's account are already held (pledged, "
                              "frozen or on order)", account=account.id, asset=terms.asset)
    lid = lend.next_id("loan", "LN")
    effects = Effects({})
    holds, pledged = [], 0
    for issuance in lend.ledger.issuances_of(cmd.project):
        ranges = lend.ledger.active_ranges(account.id, issuance.asset,
                                           issuance.serials.start, issuance.serials.end)
        if ranges:
            holds.append(lend.ledger.place_pledge(account.id, issuance.asset, ranges, cmd.bank,
                                                  f"loan:{lid}", effects))
            pledged += sum(r.quantity for r in ranges)
    loan = Loan(id=lid, bank=cmd.bank, borrower=terms.proponent, project=cmd.project,
                account=account.id, asset=terms.asset, line=cmd.line,
                appraisal=cmd.appraisal, principal=cmd.principal, rate_bps=cmd.rate_bps,
                start=today.isoformat(), term_months=cmd.term_months,
                repayment=cmd.repayment, max_ltv_bps=cmd.max_ltv_bps,
                status=LoanStatus.ACTIVE, holds=tuple(holds), pledged=pledged,
                latest_appraisal=cmd.appraisal, seq=seq, updated_seq=seq)
    lend.put("loans", lid, loan)
    effects.result = {"loan": lid, "pledged": pledged, "holds": holds}
    return effects


def record_repayment(lend: LendingState, cmd: RecordRepayment, actor: Principal,
                     seq: int) -> Effects:
    loan = lend.loan(cmd.loan)
    lend.check_bank(actor, loan.bank)
    lend.check_status(loan, LoanStatus.ACTIVE)
    if cmd.principal > loan.outstanding:
        raise Overpayment("more principal than is outstanding", outstanding=loan.outstanding,
                          principal=cmd.principal, field="principal")
    today = journal_day(lend.clock()).isoformat()
    rid = lend.next_id("repayment", "LR")
    lend.put("repayments", rid, RepaymentRecord(id=rid, loan=loan.id, day=today,
                                                principal=cmd.principal,
                                                interest=cmd.interest, seq=seq))
    effects = Effects({})
    changes: dict[str, Any] = {"repaid": loan.repaid + cmd.principal,
                               "interest": loan.interest + cmd.interest}
    released = 0
    if changes["repaid"] == loan.principal:
        for hid in loan.holds:  # an active loan's holds are all active: only it resolves them
            lend.ledger.release_pledge(hid, effects)
        released = loan.pledged
        changes.update(status=LoanStatus.REPAID, closed=today)
    loan = lend.put_loan(loan, seq, **changes)
    effects.result = {"repayment": rid, "outstanding": loan.outstanding,
                      "status": loan.status.value, "released": released}
    return effects


def enforce_pledge(lend: LendingState, cmd: EnforcePledge, actor: Principal,
                   seq: int) -> Effects:
    loan = lend.loan(cmd.loan)
    lend.check_bank(actor, loan.bank)
    lend.check_status(loan, LoanStatus.ACTIVE)
    today = journal_day(lend.clock()).isoformat()
    late = overdue(loan, today)
    if not late:
        raise NotInDefault("nothing the schedule asks is past due", loan=loan.id, day=today)
    target = lend.ledger.account(cmd.account)
    if target.party_id != loan.bank or target.type is not AccountType.HOLDING:
        raise Forbidden("the pledge is enforced into a holding account of the bank",
                        account=cmd.account, field="account")
    lend.ledger.check_receiving(target.id)
    lot = _check_auction(lend, cmd, loan)
    effects = Effects({})
    for hid in loan.holds:
        lend.ledger.enforce_pledge(hid, target.id, effects)
    loan = lend.put_loan(loan, seq, status=LoanStatus.ENFORCED, closed=today)
    result: dict[str, Any] = {"loan": loan.id, "enforced": loan.pledged, "overdue": late}
    sold = ""
    if cmd.auction is not None and lend.sales is not None and loan.pledged >= lot:
        quantity = loan.pledged // lot * lot
        ends_at = lend.clock() + cmd.auction.days * DAY_MS
        offer = lend.sales.sell_by_auction(cmd.auction.instrument, target.id, quantity,
                                           cmd.auction.reserve_price, ends_at, seq)
        effects.absorb(offer)
        result["auction"] = offer.result["auction"]
        sold = f"; {quantity} offered in auction {offer.result['auction']}"
    lend.alert(loan, AlertKind.DEFAULT, today, f"{late} fen past due; {loan.pledged} units "
               f"enforced into {target.id}{sold}: {cmd.note}", seq)
    effects.result = result
    return effects


def _check_auction(lend: LendingState, cmd: EnforcePledge, loan: Loan) -> int:
    """The auction's lot (1 without an auction): its instrument trades the loan's asset."""
    if cmd.auction is None:
        return 1
    if lend.sales is None:
        raise InvalidInput("no market is bound to auction enforced units", field="auction")
    return lend.sales.auction_lot(cmd.auction.instrument, loan.asset)


def pledge_new_issuance(lend: LendingState, issuance: Issuance,
                        placed: list[tuple[str, SerialRange]],
                        effects: Effects) -> dict[str, Any]:
    """The ledger's issuance watcher: units a pledged project's issuance puts in its pledged
    account are pledged to the loan's bank in the same entry, and the collateral is
    revalued on the monitoring result behind it (``revaluation.after_issuance``)."""
    out: list[dict[str, Any]] = []
    for loan in lend.active_loans_of(issuance.project):
        ranges = tuple(r for aid, r in placed if aid == loan.account)
        if not ranges:
            continue
        hid = lend.ledger.place_pledge(loan.account, issuance.asset, ranges, loan.bank,
                                       f"loan:{loan.id}", effects)
        quantity = sum(r.quantity for r in ranges)
        seq = lend.ledger.seq
        loan = lend.put_loan(loan, seq, holds=(*loan.holds, hid),
                             pledged=loan.pledged + quantity)
        lend.alert(loan, AlertKind.NEW_PLEDGE, journal_day(lend.clock()).isoformat(),
                   f"issuance {issuance.id}: {quantity} units pledged ({hid})", seq)
        revalued = revaluation.after_issuance(lend, loan, issuance, seq)  # {} under rules 1
        out.append({"loan": loan.id, "hold": hid, "quantity": quantity,
                    **({"collateral": revalued["collateral"]} if revalued else {})})
    return {"pledged": out} if out else {}
