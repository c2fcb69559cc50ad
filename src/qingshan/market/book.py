"""The market's book: the composition of its concerns, hosted by the sequencer beside the
ledger. The state and the checks all modes share are in ``state``; orders and their
delivery versus payment in ``settlement``; each trading mode in its own module
(``continuous``, ``picking``, ``block``, ``auction``, ``call``); listing, the reference price,
the rules and frozen accounts in ``oversight``; rows in ``storage``. None of them imports this
module: the book only routes each command to its handler.

Deterministic: the book is a function of the journal (the sequencer replays it on start).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from qingshan.ledger.books import FetchAll, Rows
from qingshan.ledger.domain.commands import Command
from qingshan.ledger.domain.effects import Effects
from qingshan.ledger.domain.model import AccountStatus, Principal
from qingshan.ledger.domain.port import LedgerPort
from qingshan.market import auction, block, call, continuous, oversight, picking, storage
from qingshan.market.commands import (
    MARKET_COMMANDS,
    AmendOrder,
    BidAuction,
    CancelOrder,
    CloseAuction,
    CloseDay,
    ConfirmBlockTrade,
    CreateInstrument,
    PickOrder,
    PlaceOrder,
    ProposeBlockTrade,
    RunCallAuction,
    SetInstrumentRules,
    SetPhase,
    SetReferencePrice,
    StartAuction,
)
from qingshan.market.errors import (
    ModeNotEnabled,
    OffTick,
    OrderNotOpen,
    OutsideBand,
    OutsideTradingHours,
    PositionLimit,
    RateLimited,
    TradingHalted,
    UnknownInstrument,
    UnknownOrder,
    WrongPhase,
)
from qingshan.market.model import QUOTE, SIDES, Instrument, Order, OrderStatus, Trade, trading_day
from qingshan.market.state import MarketState

__all__ = ["QUOTE", "SIDES", "Instrument", "MarketBook", "ModeNotEnabled", "OffTick",
           "Order", "OrderNotOpen", "OrderStatus", "OutsideBand", "OutsideTradingHours",
           "PositionLimit", "RateLimited", "Trade", "TradingHalted", "UnknownInstrument",
           "UnknownOrder", "WrongPhase", "trading_day"]


Handler = Callable[[MarketState, Any, Principal, int], Effects]


class MarketBook(MarketState):
    name = "market"
    commands = MARKET_COMMANDS

    # ------------------------------------------------------------------ Book protocol
    def bind(self, ledger: LedgerPort, clock: Callable[[], int]) -> None:
        super().bind(ledger, clock)
        ledger.watch_account_status(self.name, self.account_status_changed)

    def account_status_changed(self, account: str, status: AccountStatus,
                               effects: Effects) -> dict[str, Any]:
        return oversight.account_status_changed(self, account, status, effects)

    def _load(self, fetchall: FetchAll) -> None:
        storage.load(self, fetchall)

    # ------------------------------------------------------------------ for other contexts
    def terms(self, instrument: str) -> tuple[str, tuple[str, ...] | None, int]:
        """An instrument's asset, the issuance categories it trades and its lot."""
        inst = self.instrument(instrument)
        return inst.asset, inst.categories, inst.lot

    def buy_now(self, instrument: str, account: str, quantity: int, limit: int,
                seq: int) -> Effects:
        """Buy at once as the platform (immediate or cancel; see ``continuous.buy_now``)."""
        return continuous.buy_now(self, instrument, account, quantity, limit, seq)

    def _rows(self) -> Rows:
        return storage.rows(self)

    def snapshot(self) -> Any:
        return (self.instruments, self.orders, self.trades, dict(self.counters),
                {k: e.snapshot() for k, e in self.engines.items()}, self.bought, self.rate)

    _handlers: ClassVar[dict[type[Command], Handler]] = {
        CreateInstrument: oversight.create_instrument,
        SetReferencePrice: oversight.set_reference_price,
        SetInstrumentRules: oversight.set_instrument_rules,
        PlaceOrder: continuous.place_order,
        CancelOrder: continuous.cancel_order,
        AmendOrder: continuous.amend_order,
        PickOrder: picking.pick_order,
        ProposeBlockTrade: block.propose_block,
        ConfirmBlockTrade: block.confirm_block,
        StartAuction: auction.start_auction,
        BidAuction: auction.bid_auction,
        CloseAuction: auction.close_auction,
        SetPhase: call.set_phase,
        RunCallAuction: call.run_call_auction,
        CloseDay: call.close_day,
    }
