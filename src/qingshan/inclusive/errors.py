"""The codes the carbon-inclusive book refuses with (docs/inclusive.md gives the rule behind
each; docs/api.md the code, its HTTP status and meaning)."""

from __future__ import annotations

from qingshan.errors import Conflict, NotFound


class UnknownPartner(NotFound):
    code = "unknown_partner"


class UnknownReward(NotFound):
    code = "unknown_reward"


class UnknownPerson(NotFound):
    code = "unknown_person"


class UnknownPosting(NotFound):
    """No posting of the person on a settled day of that date."""

    code = "unknown_posting"


class DayNotClosed(Conflict):
    """The sub-ledger has not closed the day (its postings are not all written)."""

    code = "day_not_closed"


class DayOutOfOrder(Conflict):
    """Days are settled one after another, each once, and only once it is over and its late
    reports had their time."""

    code = "day_out_of_order"


class InsufficientPoints(Conflict):
    code = "insufficient_points"


class OutOfStock(Conflict):
    code = "out_of_stock"


class TooManyPartners(Conflict):
    code = "too_many_partners"


class UnknownPool(NotFound):
    code = "unknown_pool"


class DayNotPoolable(Conflict):
    """Only settled days not in another pool, of one calendar year, are pooled, one pool at a
    time."""

    code = "day_not_poolable"


class NotPooledProject(Conflict):
    """Credits are issued only under a registered project of a pooled (inclusive) methodology."""

    code = "not_pooled_project"


class WrongPoolState(Conflict):
    code = "wrong_pool_state"
