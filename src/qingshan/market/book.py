"""The market's book: instruments, the order book, and a continuous double auction with
price-time priority whose every fill settles delivery-versus-payment on the ledger in the same
journal entry.

An order that rests holds what it could give up: a sell order holds its units, a buy order
holds ``price × quantity`` plus the most fee that could fall due (fees are rounded down, so
the sum over fills never exceeds the reserve). An incoming order is first checked for all of
it (units, or money and fees at its limit), then trades, settling each fill straight from its
account in the same journal entry, and holds only what is left to rest (so an order that
fills or is cancelled at once has no hold: ``hold`` is empty). A fill enforces part of the
resting order's hold (units to the buyer, money to the seller, fees to the platform); a
cancel or a finished buy order releases what is left. So every hold is either settled or
released, never forgotten.

Self-trade prevention: an incoming order never trades with a resting order of the same party;
the resting order is cancelled instead ("cancel resting").

Deterministic: the book is a function of the journal (the sequencer replays it on start).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from qingshan.errors import (
    AccountNotOpen,
    AlreadyExists,
    Forbidden,
    InsufficientUnits,
    InvalidInput,
    NotAccountOwner,
)
from qingshan.ledger.books import ContextBook, FetchAll, Rows
from qingshan.ledger.domain.commands import Command
from qingshan.ledger.domain.model import AccountStatus, AssetKind, HoldKind, Principal, Role
from qingshan.ledger.domain.state import Effects, LedgerState
from qingshan.market import modes, oversight, storage
from qingshan.market.commands import (
    MARKET_COMMANDS,
    AmendOrder,
    BidAuction,
    CancelOrder,
    CloseAuction,
    CloseDay,
    ConfirmBlockTrade,
    CreateInstrument,
    OrderType,
    Phase,
    PickOrder,
    PlaceOrder,
    ProposeBlockTrade,
    RunCallAuction,
    SetInstrumentRules,
    SetPhase,
    SetReferencePrice,
    Side,
    StartAuction,
    check_public,
)
from qingshan.market.engine import Fill, OrderBook
from qingshan.market.model import (  # (re-exported: the market's values and errors)
    ADMIN,
    QUOTE,
    SIDES,
    Instrument,
    ModeNotEnabled,
    OffTick,
    Order,
    OrderNotOpen,
    OrderStatus,
    OutsideBand,
    OutsideTradingHours,
    PositionLimit,
    RateLimited,
    Trade,
    TradingHalted,
    UnknownInstrument,
    UnknownOrder,
    WrongPhase,
    trading_day,
)

__all__ = ["ADMIN", "QUOTE", "SIDES", "Instrument", "MarketBook", "ModeNotEnabled", "OffTick",
           "Order", "OrderNotOpen", "OrderStatus", "OutsideBand", "OutsideTradingHours",
           "PositionLimit", "RateLimited", "Trade", "TradingHalted", "UnknownInstrument",
           "UnknownOrder", "WrongPhase", "trading_day"]


Handler = Callable[["MarketBook", Any, Principal, int], Effects]


class MarketBook(ContextBook):
    name = "market"
    commands = MARKET_COMMANDS

    def __init__(self) -> None:
        super().__init__(("instruments", "orders", "trades"))
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

    # ------------------------------------------------------------------ Book protocol
    def bind(self, ledger: LedgerState, clock: Callable[[], int]) -> None:
        super().bind(ledger, clock)
        ledger.status_watchers[self.name] = self.account_status_changed

    def account_status_changed(self, account: str, status: AccountStatus,
                               effects: Effects) -> dict[str, Any]:
        return oversight.account_status_changed(self, account, status, effects)

    def _load(self, fetchall: FetchAll) -> None:
        storage.load(self, fetchall)

    def _rows(self) -> Rows:
        return storage.rows(self)

    def snapshot(self) -> Any:
        return (self.instruments, self.orders, self.trades, dict(self.counters),
                {k: e.snapshot() for k, e in self.engines.items()}, self.bought, self.rate)

    # ------------------------------------------------------------------ helpers
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
            eng = OrderBook(self._undo)
            self._set(self.engines, iid, eng)
        return eng

    def best(self, iid: str, side: Side) -> int | None:
        eng = self.engines.get(iid)
        return None if eng is None else eng.best(SIDES[side])

    def _put(self, o: Order) -> None:
        self._set(self.orders, o.id, o)
        self._dirty["orders"].add(o.id)

    def _rest(self, o: Order) -> None:
        self.engine(o.instrument).rest(o.id, SIDES[o.side], o.price, o.remaining, o.party)

    def _unrest(self, o: Order) -> None:
        eng = self.engine(o.instrument)
        if o.id in eng:
            eng.remove(o.id)

    def check_owner(self, actor: Principal, account_id: str) -> str:
        acct = self.ledger.account(account_id)
        if actor.role in ADMIN:
            return acct.party_id
        if actor.role is Role.MEMBER and actor.party_id == acct.party_id:
            return acct.party_id
        if actor.role is Role.MEMBER:
            raise NotAccountOwner("this account belongs to another party", account=acct.id)
        raise Forbidden(f"role {actor.role.value} does not trade", role=actor.role.value)

    # ------------------------------------------------------------------ instruments
    def apply_create_instrument(self, cmd: CreateInstrument, actor: Principal,
                                seq: int) -> Effects:
        if actor.role not in ADMIN:
            raise Forbidden("only the operator lists instruments", role=actor.role.value)
        if cmd.id in self.instruments:
            raise AlreadyExists("instrument exists", instrument=cmd.id)
        self.ledger.asset(cmd.asset, AssetKind.SERIALIZED)
        self.ledger.asset(QUOTE, AssetKind.FUNGIBLE)
        self.ledger.check_receiving(cmd.fee_account)
        inst = Instrument(cmd.id, cmd.asset, cmd.tick, cmd.lot, cmd.band_bps,
                          cmd.reference_price, cmd.max_order, cmd.fee_bps, cmd.fee_account,
                          cmd.t_plus_one, cmd.block_band_bps, cmd.block_min,
                          cmd.max_position, cmd.max_orders_per_minute, Phase.CONTINUOUS,
                          cmd.vintage_from, cmd.vintage_to, cmd.categories, cmd.rules,
                          cmd.sessions, cmd.modes, cmd.mode_fees)
        self._set(self.instruments, inst.id, inst)
        self._dirty["instruments"].add(inst.id)
        self.engine(inst.id)
        lo, hi = inst.band()
        return Effects({"instrument": inst.id, "band": [lo, hi]})

    # ------------------------------------------------------------------ orders
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

    def check_order(self, cmd: PlaceOrder, actor: Principal) -> tuple[Instrument, str, int]:
        inst = self.instrument(cmd.instrument)
        check_public(cmd.order_type)
        # an order rests for continuous matching, or only listed for picking
        self.check_trading(inst, "continuous" if inst.enabled("continuous") else "pick",
                           "order")
        if inst.phase is Phase.CALL and cmd.order_type is not OrderType.LIMIT:
            raise WrongPhase("only limit orders are collected during a call auction",
                             instrument=inst.id, phase=inst.phase.value, field="order_type")
        party = self.check_owner(actor, cmd.account)
        acct = self.ledger.account(cmd.account)
        if acct.status is not AccountStatus.OPEN:
            raise AccountNotOpen(f"account is {acct.status.value}", account=acct.id,
                                 status=acct.status.value)
        if cmd.quantity % inst.lot:
            raise OffTick(f"the quantity must be a multiple of the lot ({inst.lot})",
                          lot=inst.lot, field="quantity")
        if cmd.quantity > inst.max_order:
            raise InvalidInput(f"at most {inst.max_order} units in one order",
                               field="quantity", limit=inst.max_order)
        lo, hi = inst.band()
        if cmd.order_type is OrderType.MARKET:
            return inst, party, hi if cmd.side is Side.BUY else lo
        price = cmd.price
        assert price is not None
        if price % inst.tick:
            raise OffTick(f"the price must be a multiple of the tick ({inst.tick} fen)",
                          tick=inst.tick, field="price")
        if not lo <= price <= hi:
            raise OutsideBand("the price is outside today's band", band=[lo, hi],
                              price=price, field="price")
        return inst, party, price

    def apply_place_order(self, cmd: PlaceOrder, actor: Principal, seq: int) -> Effects:
        inst, party, price = self.check_order(cmd, actor)
        effects = Effects({})
        order = self._new_order(inst, cmd.account, party, cmd.side, cmd.order_type, price,
                                cmd.quantity, seq, effects, held=inst.rules == 1)
        fills = self._match(inst, order, seq, effects) \
            if inst.phase is Phase.CONTINUOUS and inst.enabled("continuous") else []
        order = self.orders[order.id]
        if order.remaining and order.order_type is not OrderType.LIMIT:
            order = self._cancel(order, seq, effects, "unfilled")
        elif order.remaining:
            if not order.hold:
                order = self._hold(inst, order, seq, effects)
            self._rest(order)
        effects.result = {"order": order.id, "status": order.status.value,
                          "remaining": order.remaining, "fills": fills,
                          "hold": order.hold}
        return effects

    def _new_order(self, inst: Instrument, account: str, party: str, side: Side,
                   order_type: OrderType, price: int, quantity: int, seq: int,
                   effects: Effects, counterparty: str | None = None,
                   held: bool = True) -> Order:
        """Check the order (T+1 for sellers, the position and order-rate limits, units or
        money for all of it), hold what it could give up (unless ``held`` is false: the
        caller trades it at once and holds only what rests) and record it."""
        self.check_limits(inst, party, side, quantity)
        if side is Side.SELL and inst.t_plus_one:
            self.check_t_plus_one(inst, account, party, quantity)
        hold = ""
        if held:
            hold = self._place_hold(inst, account, side, price, quantity, seq, effects)
        elif side is Side.SELL:  # checked as for a hold: it must be able to give all of it
            self.ledger.check_hold(self.ledger.asset(inst.asset), self.ledger.account(account),
                                   quantity, None, inst.vintages, inst.categories)
        else:
            value = price * quantity
            self.ledger.check_hold(self.ledger.asset(QUOTE), self.ledger.account(account),
                                   value + inst.reserve_fee(value))
        n = self.counters["order"] + 1
        self._set(self.counters, "order", n)
        order = Order(f"O{n:08d}", inst.id, account, party, side, order_type, price, quantity,
                      quantity, OrderStatus.OPEN, hold, seq, counterparty, self.clock())
        if inst.max_orders_per_minute:
            key = (party, inst.id)
            minute, count = self.rate.get(key, (-1, 0))
            now = self.clock() // 60_000
            self._set(self.rate, key, (now, count + 1 if minute == now else 1))
        self._put(order)
        return order

    def _place_hold(self, inst: Instrument, account: str, side: Side, price: int,
                    quantity: int, seq: int, effects: Effects) -> str:
        if side is Side.SELL:
            return self.ledger.hold_for(HoldKind.MARKET_ORDER, account, inst.asset, quantity,
                                        inst.vintages, "sell order", effects, inst.categories)
        value = price * quantity
        return self.ledger.hold_for(HoldKind.MARKET_ORDER, account, QUOTE,
                                    value + inst.reserve_fee(value), None, "buy order",
                                    effects)

    def _hold(self, inst: Instrument, o: Order, seq: int, effects: Effects) -> Order:
        """Hold what is left of an order that is about to rest."""
        hold = self._place_hold(inst, o.account, o.side, o.price, o.remaining, seq, effects)
        held = Order(o.id, o.instrument, o.account, o.party, o.side, o.order_type, o.price,
                     o.quantity, o.remaining, o.status, hold, o.seq, o.counterparty, o.time_ms,
                     o.ends_at)
        self._put(held)
        return held

    def _match(self, inst: Instrument, taker: Order, seq: int,
               effects: Effects) -> list[dict[str, Any]]:
        """The engine matches; each fill then settles on the ledger, and each resting order
        of the taker's own party that the engine took off (self-trade prevention) is
        cancelled."""
        matched: list[Fill] = []
        stp: list[str] = []
        self.engine(inst.id).match(SIDES[taker.side], taker.price, taker.remaining,
                                   taker.party, matched, stp)
        for oid in stp:
            self._cancel(self.orders[oid], seq, effects, "self_trade")
        fills: list[dict[str, Any]] = []
        for maker_id, price, qty in matched:
            taker = self.orders[taker.id]
            maker = self.orders[maker_id]
            buy, sell = (taker, maker) if taker.side is Side.BUY else (maker, taker)
            trade = self._settle(inst, buy, sell, price, qty, taker.side, seq, effects,
                                 booked=True)
            fills.append({"trade": trade.id, "price": price, "quantity": qty,
                          "maker": maker_id})
        return fills

    def _settle(self, inst: Instrument, buy: Order, sell: Order, price: int, qty: int,
                aggressor: Side | str, seq: int, effects: Effects,
                booked: bool = False, mode: str = "continuous") -> Trade:
        """Delivery versus payment, all inside this journal entry; a resting order's place in
        the engine is brought up to date unless the engine made the fill itself (``booked``).
        """
        value = price * qty
        buyer_fee = seller_fee = inst.fee(value, mode)
        ledger = self.ledger
        legacy = inst.rules < 3  # (older rules settled a frozen account's resting orders)
        if sell.hold:
            ledger.settle_hold(sell.hold, buy.account, qty, effects, from_frozen=legacy)
        else:  # the incoming order: checked for all of it, it delivers from its account
            ledger.deliver_units(sell.account, buy.account, inst.asset, qty, inst.vintages,
                                 effects, inst.categories)
        # the seller's fee comes out of the payment, so nothing is taken from its account
        fees = buyer_fee + seller_fee
        if buy.hold:
            ledger.settle_hold(buy.hold, sell.account, value - seller_fee, effects,
                               from_frozen=legacy)
            if fees:
                ledger.settle_hold(buy.hold, inst.fee_account, fees, effects,
                                   from_frozen=legacy)
        else:
            ledger.pay(buy.account, sell.account, QUOTE, value - seller_fee, effects)
            if fees:
                ledger.pay(buy.account, inst.fee_account, QUOTE, fees, effects)
        eng = self.engines[inst.id]
        for o in (buy, sell):
            left = o.remaining - qty
            done = Order(o.id, o.instrument, o.account, o.party, o.side, o.order_type, o.price,
                         o.quantity, left, OrderStatus.FILLED if not left else o.status,
                         o.hold, o.seq, o.counterparty, o.time_ms, o.ends_at)
            self._put(done)
            if not booked and o.id in eng:
                if left:
                    eng.reduce(o.id, left)
                else:
                    eng.remove(o.id)
            if not left and o is buy and buy.hold:  # a better price leaves money held
                ledger.release_hold(buy.hold, effects)
        day = trading_day(self.clock())
        if inst.t_plus_one:  # what the buying account, and its party, bought today
            for key in ((buy.account, inst.asset), (buy.party, inst.asset)):
                self._set(self.bought, key, (day, self.bought_today(*key) + qty))
        n = self.counters["trade"] + 1
        self._set(self.counters, "trade", n)
        trade = Trade(n, inst.id, price, qty, buy.id, sell.id, aggressor.value
                      if isinstance(aggressor, Side) else aggressor, buyer_fee, seller_fee, seq,
                      day)
        self._set(self.trades, n, trade)
        self._dirty["trades"].add(n)
        return trade

    def check_limits(self, inst: Instrument, party: str, side: Side, quantity: int) -> None:
        """Surveillance basics: orders per minute, and units a party may hold or bid for."""
        if inst.max_orders_per_minute:
            minute, count = self.rate.get((party, inst.id), (-1, 0))
            if minute == self.clock() // 60_000 and count >= inst.max_orders_per_minute:
                raise RateLimited(f"at most {inst.max_orders_per_minute} orders a minute",
                                  party=party, instrument=inst.id)
        if inst.max_position and side is Side.BUY:
            held = sum(self.ledger.active_quantity(a.id, inst.asset) + self._held(a.id, inst)
                       for a in self.ledger.accounts.values() if a.party_id == party)
            bidding = sum(o.remaining for o in self.orders.values()
                          if o.party == party and o.instrument == inst.id
                          and o.side is Side.BUY and o.status is OrderStatus.OPEN)
            if held + bidding + quantity > inst.max_position:
                raise PositionLimit(f"a party may hold and bid for at most "
                                    f"{inst.max_position} units", party=party,
                                    held=held, bidding=bidding, requested=quantity)

    def _held(self, account: str, inst: Instrument) -> int:
        return sum(h.quantity for h in self.ledger.holds.values()
                   if h.account == account and h.asset == inst.asset
                   and h.status.value == "active")

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
                       for a in self.ledger.accounts.values() if a.party_id == party)
        else:
            today = self.bought_today(account, inst.asset)
            have = self.ledger.active_quantity(account, inst.asset)
        sellable = have - today
        if quantity > sellable:
            raise InsufficientUnits("units bought today can be sold from the next "
                                    "trading day (T+1)", account=account, party=party,
                                    sellable=max(sellable, 0), bought_today=today,
                                    requested=quantity)

    def _release_rest(self, o: Order, seq: int, effects: Effects) -> None:
        if o.hold:
            self.ledger.release_hold(o.hold, effects)

    def _cancel(self, o: Order, seq: int, effects: Effects, reason: str) -> Order:
        """Cancel an order and release its hold; under rules 3 it says why (``reason``)."""
        self._release_rest(o, seq, effects)
        if self.instruments[o.instrument].rules < 3:
            reason = ""  # (older rules kept no reason: their rows replay unchanged)
        new = o._replace(status=OrderStatus.CANCELLED, reason=reason)
        self._put(new)
        return new

    def _withdraw(self, o: Order, seq: int, effects: Effects, reason: str) -> None:
        """Take an open order off the market; an auction's lot takes its bids with it."""
        self._unrest(o)
        self._cancel(o, seq, effects, reason)
        if o.order_type is OrderType.AUCTION:
            for bid in [b for b in self.orders.values() if b.counterparty == o.id
                        and b.order_type is OrderType.BID and b.status is OrderStatus.OPEN]:
                self._cancel(bid, seq, effects, "auction_withdrawn")

    def apply_cancel_order(self, cmd: CancelOrder, actor: Principal, seq: int) -> Effects:
        o = self.order(cmd.order)
        self.check_owner(actor, o.account)
        if o.status is not OrderStatus.OPEN:
            raise OrderNotOpen(f"the order is {o.status.value}", order=o.id,
                               status=o.status.value)
        effects = Effects({})
        self._withdraw(o, seq, effects, "withdrawn")  # (a withdrawn auction releases its bids)
        effects.result = {"order": o.id, "status": "cancelled", "cancelled": o.remaining}
        return effects

    def apply_amend_order(self, cmd: AmendOrder, actor: Principal, seq: int) -> Effects:
        o = self.order(cmd.order)
        self.check_owner(actor, o.account)
        if o.status is not OrderStatus.OPEN or o.order_type is not OrderType.LIMIT:
            raise OrderNotOpen("only an open limit order can be amended", order=o.id,
                               status=o.status.value)
        inst = self.instrument(o.instrument)
        filled = o.quantity - o.remaining
        if cmd.quantity <= filled:
            raise InvalidInput("the new quantity must exceed what has already filled",
                               field="quantity", filled=filled)
        if cmd.quantity % inst.lot or (cmd.quantity - filled) % inst.lot:
            raise OffTick(f"the order and what is left of it stay multiples of the lot "
                          f"({inst.lot})", lot=inst.lot, filled=filled, field="quantity")
        if cmd.price != o.price or cmd.quantity > o.quantity:  # a new order: checked first
            self.check_trading(inst, "continuous" if inst.enabled("continuous") else "pick",
                               "order")
        effects = Effects({})
        if cmd.price == o.price and cmd.quantity <= o.quantity:
            # smaller: keep the queue position; release what is no longer offered
            cut = o.quantity - cmd.quantity
            if cut:
                left = o.remaining - cut
                need = left if o.side is Side.SELL else \
                    left * o.price + inst.reserve_fee(left * o.price)
                hold = self._rehold(o, need, seq, effects)
                self._put(o._replace(quantity=cmd.quantity, remaining=left, hold=hold))
                self.engine(o.instrument).reduce(o.id, left)
            effects.result = {"order": o.id, "status": "open", "kept_priority": True,
                              "remaining": o.remaining - cut}
            return effects
        # otherwise: cancel and place anew (loses time priority)
        self._unrest(o)
        self._cancel(o, seq, effects, "amended")
        new = PlaceOrder(o.instrument, o.account, o.side, OrderType.LIMIT, cmd.price,
                         cmd.quantity - filled)
        placed = self.apply_place_order(new, actor, seq)
        effects.postings.extend(placed.postings)
        effects.serial_events.extend(placed.serial_events)
        effects.result = {**placed.result, "replaces": o.id, "kept_priority": False}
        return effects

    def _rehold(self, o: Order, need: int, seq: int, effects: Effects) -> str:
        """Release an order's hold and hold exactly ``need`` again (a new hold id)."""
        self.ledger.release_hold(o.hold, effects)
        inst = self.instruments[o.instrument]
        if o.side is Side.SELL:
            return self.ledger.hold_for(HoldKind.MARKET_ORDER, o.account, inst.asset, need,
                                        inst.vintages, "amended order", effects, inst.categories)
        return self.ledger.hold_for(HoldKind.MARKET_ORDER, o.account, QUOTE, need, None,
                                    "amended order", effects)

    _handlers: ClassVar[dict[type[Command], Handler]] = {
        CreateInstrument: apply_create_instrument,
        SetReferencePrice: oversight.set_reference_price,
        SetInstrumentRules: oversight.set_instrument_rules,
        PlaceOrder: apply_place_order,
        CancelOrder: apply_cancel_order,
        AmendOrder: apply_amend_order,
        PickOrder: modes.pick_order,
        ProposeBlockTrade: modes.propose_block,
        ConfirmBlockTrade: modes.confirm_block,
        StartAuction: modes.start_auction,
        BidAuction: modes.bid_auction,
        CloseAuction: modes.close_auction,
        SetPhase: modes.set_phase,
        RunCallAuction: modes.run_call_auction,
        CloseDay: modes.close_day,
    }
