"""The market's state and the checks every trading mode shares: instruments, orders, trades,
the matching engine of each instrument, and the T+1 and order-rate counters. The trading
modes (``continuous``, ``picking``, ``block``, ``auction``, ``call``), ``settlement`` and
``oversight`` are functions of this state; :class:`~qingshan.market.book.MarketBook` composes
them. Every change goes through the methods here, so it is recorded in the undo log and marked
for writing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from qingshan.errors import InsufficientUnits
from qingshan.ledger.books import ContextBook
from qingshan.ledger.domain import policy
from qingshan.ledger.domain.model import Principal
from qingshan.market.commands import Phase, Side
from qingshan.market.engine import OrderBook
from qingshan.market.errors import (
    ModeNotEnabled,
    OutsideTradingHours,
    PositionLimit,
    RateLimited,
    TradingHalted,
    UnknownInstrument,
    UnknownOrder,
    WrongPhase,
)
from qingshan.market.model import SIDES, Instrument, Order, OrderStatus, Trade, trading_day

TABLES = ("instruments", "orders", "trades")

CloseWatcher = Callable[[str, int], dict[str, Any]]
"""Called with (the instrument's asset, seq) inside a trading day's close; returns what to add
to the result. Cannot fail."""


class MarketState(ContextBook):
    def __init__(self) -> None:
        super().__init__(TABLES)
        self.instruments: dict[str, Instrument] = {}
        self.orders: dict[str, Order] = {}
        self.trades: dict[int, Trade] = {}
        # per instrument: the matching engine holding its resting orders
        self.engines: dict[str, OrderBook] = {}
        self.counters = {"order": 0, "trade": 0}
        # T+1: (account, asset) and (party, asset) -> (trading day, units bought that day);
        # rules 3 count per party, older rules per account
        self.bought: dict[tuple[str, str], tuple[int, int]] = {}
        # order-rate limit: (party, instrument) -> (minute, orders placed in it)
        self.rate: dict[tuple[str, str], tuple[int, int]] = {}
        self.close_watchers: dict[str, CloseWatcher] = {}

    def watch_close(self, name: str, watcher: CloseWatcher) -> None:
        """Call ``watcher`` (one per ``name``) at every instrument's close of day (another
        context's, bound by the composition root)."""
        self.close_watchers[name] = watcher

    # ------------------------------------------------------------------ look-ups
    def instrument(self, iid: str) -> Instrument:
        i = self.instruments.get(iid)
        if i is None:
            raise UnknownInstrument("no such instrument", instrument=iid)
        return i

    def order(self, oid: str) -> Order:
        o = self.orders.get(oid)
        if o is None:
            raise UnknownOrder("no such order", order=oid)
        return o

    def engine(self, iid: str) -> OrderBook:
        eng = self.engines.get(iid)
        if eng is None:  # an instrument's engine is made when it is listed (or loaded)
            eng = OrderBook(self.undo_list)
            self._set(self.engines, iid, eng)
        return eng

    def best(self, iid: str, side: Side) -> int | None:
        eng = self.engines.get(iid)
        return None if eng is None else eng.best(SIDES[side])

    # ------------------------------------------------------------------ changes
    def put_instrument(self, inst: Instrument) -> None:
        self._set(self.instruments, inst.id, inst)
        self._dirty["instruments"].add(inst.id)

    def put_order(self, o: Order) -> None:
        self._set(self.orders, o.id, o)
        self._dirty["orders"].add(o.id)

    def put_trade(self, t: Trade) -> None:
        self._set(self.trades, t.id, t)
        self._dirty["trades"].add(t.id)

    def next_number(self, counter: str) -> int:
        n = self.counters[counter] + 1
        self._set(self.counters, counter, n)
        return n

    def count_order(self, inst: Instrument, party: str) -> None:
        """One more order of ``party`` in this minute (the order-rate limit)."""
        key = (party, inst.id)
        minute, count = self.rate.get(key, (-1, 0))
        now = self.clock() // 60_000
        self._set(self.rate, key, (now, count + 1 if minute == now else 1))

    def count_bought(self, inst: Instrument, account: str, party: str, qty: int) -> None:
        """T+1: what the buying account, and its party, bought today."""
        day = trading_day(self.clock())
        for key in ((account, inst.asset), (party, inst.asset)):
            self._set(self.bought, key, (day, self.bought_today(*key) + qty))

    def rest(self, o: Order) -> None:
        self.engine(o.instrument).rest(o.id, SIDES[o.side], o.price, o.remaining, o.party)

    def unrest(self, o: Order) -> None:
        eng = self.engine(o.instrument)
        if o.id in eng:
            eng.remove(o.id)

    # ------------------------------------------------------------------ checks
    def check_owner(self, actor: Principal, account_id: str) -> str:
        """The party of ``account_id``, once ``actor`` may trade for it (the operator, or a
        member of that party: the platform's owner rule)."""
        acct = self.ledger.account(account_id)
        policy.check_owner(actor, acct.id, acct.party_id, doing="does not trade")
        return acct.party_id

    def check_trading(self, inst: Instrument, mode: str, action: str | None = None) -> None:
        """Refuse what the instrument does not offer now: a mode it has not enabled, anything
        while it is halted (``action`` in the wrong phase), or outside its trading sessions."""
        if not inst.enabled(mode):
            raise ModeNotEnabled(f"{inst.id} does not offer {mode} trading", instrument=inst.id,
                                 mode=mode, modes=list(inst.modes or ()))
        self.check_phase(inst, action or mode)
        if not inst.open_at(self.clock()):
            raise OutsideTradingHours("outside the instrument's trading sessions (Beijing "
                                      "time, Monday to Friday)", instrument=inst.id,
                                      sessions=[[f"{a // 60:02d}:{a % 60:02d}",
                                                 f"{b // 60:02d}:{b % 60:02d}"]
                                                for a, b in inst.sessions or ()])

    @staticmethod
    def check_phase(inst: Instrument, action: str) -> None:
        """Halted: nothing trades in any mode (cancels and lowered amends only). A call
        phase collects limit orders: no picking, no IOC or market orders."""
        if inst.phase is Phase.HALTED:
            raise TradingHalted(f"trading in {inst.id} is halted", instrument=inst.id,
                                phase=inst.phase.value)
        if inst.phase is Phase.CALL and action == "pick":
            raise WrongPhase("no picking while a call auction collects orders",
                             instrument=inst.id, phase=inst.phase.value)

    def check_limits(self, inst: Instrument, party: str, side: Side, quantity: int) -> None:
        """Surveillance basics: orders per minute, and units a party may hold or bid for."""
        if inst.max_orders_per_minute:
            minute, count = self.rate.get((party, inst.id), (-1, 0))
            if minute == self.clock() // 60_000 and count >= inst.max_orders_per_minute:
                raise RateLimited(f"at most {inst.max_orders_per_minute} orders a minute",
                                  party=party, instrument=inst.id)
        if inst.max_position and side is Side.BUY:
            ledger = self.ledger
            held = sum(ledger.active_quantity(a.id, inst.asset)
                       + ledger.held_quantity(a.id, inst.asset)
                       for a in ledger.accounts_of(party))
            bidding = sum(o.remaining for o in self.orders.values()
                          if o.party == party and o.instrument == inst.id
                          and o.side is Side.BUY and o.status is OrderStatus.OPEN)
            if held + bidding + quantity > inst.max_position:
                raise PositionLimit(f"a party may hold and bid for at most "
                                    f"{inst.max_position} units", party=party,
                                    held=held, bidding=bidding, requested=quantity)

    def bought_today(self, holder: str, asset: str) -> int:
        """Units of ``asset`` an account (A…) or a party (P…) bought today."""
        day, qty = self.bought.get((holder, asset), (-1, 0))
        return qty if day == trading_day(self.clock()) else 0

    def check_t_plus_one(self, inst: Instrument, account: str, party: str,
                         quantity: int) -> None:
        """Units bought today are sold from the next trading day: a party sells at most what
        it held at the start of the day, over all its accounts (rules 3; older rules counted
        per account, which moving units to another account of the party walked around)."""
        if inst.rules >= 3:
            today = self.bought_today(party, inst.asset)
            have = sum(self.ledger.active_quantity(a.id, inst.asset)
                       for a in self.ledger.accounts_of(party))
        else:
            today = self.bought_today(account, inst.asset)
            have = self.ledger.active_quantity(account, inst.asset)
        sellable = have - today
        if quantity > sellable:
            raise InsufficientUnits("units bought today can be sold from the next "
                                    "trading day (T+1)", account=account, party=party,
                                    sellable=max(sellable, 0), bought_today=today,
                                    requested=quantity)
