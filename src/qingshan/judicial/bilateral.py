"""A bilateral purchase for a case: a seller offers named serials at a price within the
court's cap (each range within one issuance, of the project the order names, if it names one,
and of the categories it allows); the court accepts, and in one journal entry the serials move
to the case's account and the price leaves the court's escrow for the seller's account."""

from __future__ import annotations

from qingshan.errors import InvalidInput
from qingshan.judicial.cases import status_after
from qingshan.judicial.commands import AcceptOffer, OfferToCase
from qingshan.judicial.errors import (
    AboveCap,
    NotEnoughMoney,
    OfferNotOpen,
    UnknownOffer,
    WrongCreditKind,
)
from qingshan.judicial.model import QUOTE, Case, CaseStatus, Offer, OfferStatus, Purchase
from qingshan.judicial.state import JudicialState
from qingshan.ledger.domain import policy
from qingshan.ledger.domain.effects import Effects
from qingshan.ledger.domain.model import Principal, SerialRange


def check_serials(j: JudicialState, case: Case, ranges: tuple[SerialRange, ...]) -> None:
    """Each range lies within one issuance of the case's asset, of the project the order
    names (if any) and of a category it allows (if it limits them)."""
    for r in ranges:
        iss = j.ledger.issuance_at(case.asset, r.start)
        if iss is None or not (iss.serials.start <= r.start and r.end <= iss.serials.end):
            raise InvalidInput(f"serials {r.start}-{r.end} do not lie within one issuance of "
                               f"{case.asset}", field="ranges")
        if case.project is not None and iss.project != case.project:
            raise WrongCreditKind(f"the order allows credits of project {case.project} only; "
                                  f"serial {r.start} is of {iss.project}", field="ranges",
                                  project=case.project)
        if case.categories is not None and iss.category not in case.categories:
            raise WrongCreditKind(f"the order allows only {', '.join(case.categories)} "
                                  f"credits", field="ranges", allowed=list(case.categories))


def check_needed(case: Case, quantity: int) -> None:
    if case.in_tonnes and quantity > case.tonnes - case.bought:
        raise InvalidInput("more than the order still needs", field="ranges",
                           needed=case.tonnes - case.bought)


def offer_to_case(j: JudicialState, cmd: OfferToCase, actor: Principal, seq: int) -> Effects:
    case = j.case(cmd.case)
    account = j.ledger.account(cmd.account)
    policy.check_owner(actor, account.id, account.party_id, doing="may not offer units")
    j.check_status(case, CaseStatus.PAID)
    if cmd.price > case.cap_price:
        raise AboveCap("the price is above the court's price cap", field="price",
                       cap_price=case.cap_price)
    check_serials(j, case, cmd.ranges)
    quantity = sum(r.quantity for r in cmd.ranges)
    check_needed(case, quantity)
    j.ledger.check_take(account.id, case.asset, quantity, cmd.ranges)
    oid = j.next_id("offer", "JO")
    j.put("offers", oid, Offer(id=oid, case=case.id, account=account.id,
                               party=account.party_id, ranges=cmd.ranges, price=cmd.price,
                               status=OfferStatus.OPEN, seq=seq))
    j.event(seq, case.id, cmd.kind, actor, f"{oid}: {quantity} at {cmd.price}")
    return Effects({"case": case.id, "offer": oid, "quantity": quantity,
                    "value": quantity * cmd.price})


def accept_offer(j: JudicialState, cmd: AcceptOffer, actor: Principal, seq: int) -> Effects:
    case = j.case(cmd.case)
    j.check_court(actor, case.court)
    offer = j.offers.get(cmd.offer)
    if offer is None or offer.case != case.id:
        raise UnknownOffer("no such offer to this case", offer=cmd.offer, case=case.id)
    if offer.status is not OfferStatus.OPEN:
        raise OfferNotOpen(f"the offer is {offer.status.value}", offer=offer.id)
    j.check_status(case, CaseStatus.PAID)
    check_serials(j, case, offer.ranges)  # (the order may have been amended since)
    check_needed(case, offer.quantity)
    value = offer.quantity * offer.price
    if offer.price > case.cap_price:
        raise AboveCap("the price is above the court's price cap", field="offer",
                       cap_price=case.cap_price)
    if value > case.balance:
        raise NotEnoughMoney("the case's money in escrow does not pay for this offer",
                             balance=case.balance, value=value, field="offer")
    escrow = j.escrow_of(case.court)
    j.ledger.check_take(offer.account, case.asset, offer.quantity, offer.ranges)
    effects = Effects({})
    j.ledger.deliver_ranges(offer.account, case.account, case.asset, offer.ranges, effects)
    j.ledger.pay(escrow, offer.account, QUOTE, value, effects)
    pid = j.next_id("purchase", "JP")
    j.put("purchases", pid, Purchase(id=pid, case=case.id, instrument="bilateral",
                                     quantity=offer.quantity, value=value, fee=0,
                                     limit=offer.price, trades=(), seq=seq))
    j.put("offers", offer.id, Offer(id=offer.id, case=offer.case, account=offer.account,
                                    party=offer.party, ranges=offer.ranges, price=offer.price,
                                    status=OfferStatus.ACCEPTED, seq=offer.seq))
    after = j.put_case(case, seq, spent=case.spent + value, bought=case.bought + offer.quantity)
    after = j.put_case(after, seq, status=status_after(after))
    j.event(seq, case.id, cmd.kind, actor, f"{offer.id} → {pid}")
    effects.result = {"case": case.id, "offer": offer.id, "purchase": pid,
                      "quantity": offer.quantity, "value": value, "bought": after.bought,
                      "balance": after.balance, "status": after.status.value}
    return effects
