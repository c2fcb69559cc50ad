"""Carbon-inclusive book: the composition of its concerns, hosted by the sequencer beside the
ledger. The accounts of points, settlement of closed days and people's spends are
``accounts``; rows ``storage``; the conservation laws ``invariants``. The people's
sub-ledger (events, postings, closes) is written in bulk by ``ingest`` and read here through
``subledger``.

Deterministic: the book is a function of the journal and of closed days' postings, which never
change once closed (the sequencer replays it on start)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from qingshan.inclusive import accounts, invariants, pools, storage
from qingshan.inclusive.commands import (
    INCLUSIVE_COMMANDS,
    AddReward,
    DecidePool,
    DonatePoints,
    PoolReductions,
    RedeemPoints,
    RegisterPartner,
    SetConsent,
    SetInclusiveAccounts,
    SettleDay,
)
from qingshan.inclusive.state import InclusiveState
from qingshan.ledger.books import FetchAll, Rows
from qingshan.ledger.domain.commands import Command
from qingshan.ledger.domain.effects import Effects
from qingshan.ledger.domain.model import Principal

Handler = Callable[[InclusiveState, Any, Principal, int], Effects]


class InclusiveBook(InclusiveState):
    name = "inclusive"
    commands = INCLUSIVE_COMMANDS

    def _load(self, fetchall: FetchAll) -> None:
        storage.load(self, fetchall)

    def _rows(self) -> Rows:
        return storage.rows(self)

    def snapshot(self) -> Any:
        return (self.settings, self.partners, self.days, self.rewards, self.spends,
                self.pools, self.consents, dict(self.counters))

    def invariants(self) -> list[str]:
        return invariants.check_invariants(self)

    _handlers: ClassVar[dict[type[Command], Handler]] = {
        SetInclusiveAccounts: accounts.set_accounts,
        RegisterPartner: accounts.register_partner,
        SettleDay: accounts.settle_day,
        AddReward: accounts.add_reward,
        RedeemPoints: accounts.redeem_points,
        DonatePoints: accounts.donate_points,
        PoolReductions: pools.pool_reductions,
        DecidePool: pools.decide_pool,
        SetConsent: accounts.set_consent,
    }
