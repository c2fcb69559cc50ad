"""Carrying a case out: the defendants' payments into the court's escrow, purchases on the
market within the court's cap and credit kind, retirement for 以碳代偿, and 执结 with the
money left over refunded. Money moves only between the court's escrow, the case's own
carbon account (for the moment of a purchase) and the refund account; every fen is counted
on the case (``invariants``)."""

from __future__ import annotations

from qingshan.errors import InvalidInput
from qingshan.judicial.cases import status_after
from qingshan.judicial.commands import CloseCase, PurchaseForCase, RecordPayment, RetireForCase
from qingshan.judicial.errors import AboveCap, DuplicatePayment, NotEnoughMoney, WrongCreditKind
from qingshan.judicial.model import QUOTE, Case, CaseStatus, Payment, Purchase
from qingshan.judicial.state import JudicialState
from qingshan.ledger.domain.commands import RetireUnits
from qingshan.ledger.domain.effects import Effects
from qingshan.ledger.domain.model import AccountType, Principal, RetirementPurpose
from qingshan.ledger.domain.parsing import journal_day


def record_payment(j: JudicialState, cmd: RecordPayment, actor: Principal,
                   seq: int) -> Effects:
    case = j.case(cmd.case)
    j.check_court(actor, case.court)
    if cmd.reference in j.payments:
        first = j.payments[cmd.reference]
        raise DuplicatePayment("this payment reference is already recorded",
                               reference=cmd.reference, case=first.case, seq=first.seq)
    if not case.open_for_payment():
        j.check_status(case, CaseStatus.ORDERED, CaseStatus.PAID, CaseStatus.PURCHASED)
    escrow = j.escrow_of(case.court)
    treasury = j.ledger.platform_account(None, AccountType.TREASURY)
    effects = Effects({})
    j.ledger.pay(treasury.id, escrow, QUOTE, cmd.amount, effects)  # money from outside
    j.put("payments", cmd.reference, Payment(reference=cmd.reference, case=case.id,
                                             amount=cmd.amount, payer=cmd.payer, seq=seq))
    paid = j.put_case(case, seq, paid=case.paid + cmd.amount)
    paid = j.put_case(paid, seq, status=status_after(paid))
    j.event(seq, case.id, cmd.kind, actor, f"{cmd.amount}")  # (the reference is sealed)
    effects.result = {"case": case.id, "paid": paid.paid, "balance": paid.balance,
                      "status": paid.status.value}
    return effects


def check_credit_kind(case: Case, asset: str, categories: tuple[str, ...] | None) -> None:
    """The instrument trades the case's asset and only categories the order allows."""
    if asset != case.asset:
        raise WrongCreditKind(f"the order is paid in {case.asset}, the instrument trades "
                              f"{asset}", field="instrument", asset=asset)
    if case.categories is not None and (categories is None or
                                        not set(categories) <= set(case.categories)):
        raise WrongCreditKind(
            f"the order allows only {', '.join(case.categories)} credits; the instrument "
            f"trades {', '.join(categories) if categories else 'any category'}",
            field="instrument", allowed=list(case.categories))


def purchase_for_case(j: JudicialState, cmd: PurchaseForCase, actor: Principal,
                      seq: int) -> Effects:
    case = j.case(cmd.case)
    j.check_court(actor, case.court)
    j.check_status(case, CaseStatus.PAID)
    if cmd.limit_price > case.cap_price:
        raise AboveCap("the limit is above the court's price cap", field="limit_price",
                       cap_price=case.cap_price)
    if case.project is not None:
        raise WrongCreditKind(f"the order names project {case.project}: its credits are bought "
                              "from it bilaterally (offer_to_case, accept_offer)",
                              field="instrument", project=case.project)
    asset, categories, _lot = j.exchange.terms(cmd.instrument)
    check_credit_kind(case, asset, categories)
    if case.in_tonnes and cmd.quantity > case.tonnes - case.bought:
        raise InvalidInput("more than the order still needs", field="quantity",
                           needed=case.tonnes - case.bought)
    if cmd.quantity * cmd.limit_price > case.balance:
        raise NotEnoughMoney("the case's money in escrow does not pay for this at its limit",
                             balance=case.balance, field="quantity")
    escrow = j.escrow_of(case.court)
    effects = Effects({})
    # the case's money goes to its own account for the purchase; what is left comes back
    j.ledger.pay(escrow, case.account, QUOTE, case.balance, effects)
    bought = j.exchange.buy_now(cmd.instrument, case.account, cmd.quantity, cmd.limit_price,
                                seq)
    effects.absorb(bought)
    left = j.ledger.available(case.account, QUOTE)
    if left:
        j.ledger.pay(case.account, escrow, QUOTE, left, effects)
    fills = bought.result.get("fills", [])
    quantity = sum(f["quantity"] for f in fills)
    value = sum(f["price"] * f["quantity"] for f in fills)
    fee = case.balance - left - value
    pid = j.next_id("purchase", "JP")
    j.put("purchases", pid, Purchase(id=pid, case=case.id, instrument=cmd.instrument,
                                     quantity=quantity, value=value, fee=fee,
                                     limit=cmd.limit_price,
                                     trades=tuple(f["trade"] for f in fills), seq=seq))
    after = j.put_case(case, seq, spent=case.spent + value, fees=case.fees + fee,
                       bought=case.bought + quantity)
    after = j.put_case(after, seq, status=status_after(after))
    j.event(seq, case.id, cmd.kind, actor, f"{pid}: {quantity} at ≤{cmd.limit_price}")
    effects.result = {"case": case.id, "purchase": pid, "quantity": quantity, "value": value,
                      "fee": fee, "bought": after.bought, "balance": after.balance,
                      "status": after.status.value, "fills": fills}
    return effects


def retire_for_case(j: JudicialState, cmd: RetireForCase, actor: Principal,
                    seq: int) -> Effects:
    case = j.case(cmd.case)
    j.check_court(actor, case.court)
    if case.in_tonnes:
        j.check_status(case, CaseStatus.PURCHASED)
    else:
        j.check_status(case, CaseStatus.PAID)
    quantity = case.bought - case.retired
    if quantity <= 0:
        raise InvalidInput("nothing bought for the case is left to retire", field="case")
    court = j.ledger.party(case.court)
    retired = j.ledger.retire_units(RetireUnits(
        asset=case.asset, account=case.account, quantity=quantity,
        purpose=RetirementPurpose.JUDICIAL_COMPENSATION,
        beneficiary=f"{court.name} {case.number}"[:200],
        reason=f"以碳代偿: {case.cause}"[:200], reference=case.number), seq)
    after = j.put_case(case, seq, retired=case.retired + quantity, status=CaseStatus.RETIRED,
                       retirement=retired.result["retirement"])
    j.event(seq, case.id, cmd.kind, actor, f"{quantity} retired")
    retired.result = {"case": case.id, "retirement": after.retirement, "retired": quantity,
                      "status": after.status.value}
    return retired


def close_case(j: JudicialState, cmd: CloseCase, actor: Principal, seq: int) -> Effects:
    case = j.case(cmd.case)
    j.check_court(actor, case.court)
    j.check_status(case, CaseStatus.RETIRED)
    effects = Effects({})
    refund = case.balance
    if refund:
        j.ledger.pay(j.escrow_of(case.court), case.refund_account, QUOTE, refund, effects)
    closed = j.put_case(case, seq, refunded=case.refunded + refund, status=CaseStatus.CLOSED,
                        closed_date=journal_day(j.clock()).isoformat())
    j.event(seq, case.id, cmd.kind, actor, cmd.note or "执结")
    effects.result = {"case": case.id, "status": closed.status.value, "refunded": refund,
                      "closed": closed.closed_date}
    return effects
