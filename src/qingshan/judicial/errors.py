"""The codes judicial offsetting refuses with (docs/judicial.md lists the rule behind each;
docs/api.md the code, its HTTP status and its meaning)."""

from __future__ import annotations

from qingshan.errors import Conflict, InvalidInput, NotFound


class UnknownCase(NotFound):
    code = "unknown_case"


class MalformedCaseNumber(InvalidInput):
    """Not a case number in the courts' format, e.g. （2023）渝0102刑初123号."""

    code = "malformed_case_number"


class CaseState(Conflict):
    """The case is not in a state that allows this step (e.g. buying before any payment,
    closing before the credits are retired)."""

    code = "wrong_case_state"


class DuplicatePayment(Conflict):
    """A payment reference already recorded: the same payment twice counts once."""

    code = "duplicate_payment"


class AboveCap(InvalidInput):
    """The purchase's limit price is above the court's price cap for the case."""

    code = "above_cap"


class WrongCreditKind(InvalidInput):
    """The instrument trades credits of another kind than the order allows."""

    code = "wrong_credit_kind"


class NoEscrowAccount(Conflict):
    """The court has no open escrow account to receive the defendants' payments."""

    code = "no_escrow_account"


class NotEnoughMoney(Conflict):
    """The case's money in escrow cannot pay for the purchase at its limit."""

    code = "case_money_short"


class UnknownOffer(NotFound):
    code = "unknown_offer"


class OfferNotOpen(Conflict):
    """The offer was accepted already."""

    code = "offer_not_open"
