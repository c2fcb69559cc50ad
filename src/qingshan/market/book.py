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
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any, ClassVar, NamedTuple

from qingshan.errors import (
    AlreadyExists,
    Conflict,
    Forbidden,
    InsufficientUnits,
    InvalidInput,
    NotAccountOwner,
    NotFound,
)
from qingshan.ledger.books import ContextBook, FetchAll, Rows
from qingshan.ledger.domain.commands import (
    Command,
)
from qingshan.ledger.domain.model import (
    AccountStatus,
    AssetKind,
    HoldKind,
    Principal,
    Role,
)
from qingshan.ledger.domain.state import Effects
from qingshan.market import storage
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
    SetPhase,
    SetReferencePrice,
    Side,
    StartAuction,
)
from qingshan.market.engine import BUY, REMAINING, SELL, Fill, OrderBook

QUOTE = "CNY"
SIDES = {Side.BUY: BUY, Side.SELL: SELL}
ADMIN = frozenset({Role.OPERATOR, Role.SYSTEM})


class OrderStatus(StrEnum):
    OPEN = "open"
    FILLED = "filled"
    CANCELLED = "cancelled"


class UnknownInstrument(NotFound):
    code = "unknown_instrument"


class UnknownOrder(NotFound):
    code = "unknown_order"


class OutsideBand(InvalidInput):
    """The price lies outside the instrument's band around its reference price."""

    code = "price_outside_band"


class OffTick(InvalidInput):
    """The price is not a multiple of the tick, or the quantity not a multiple of the lot."""

    code = "off_tick"


class OrderNotOpen(Conflict):
    code = "order_not_open"


class RateLimited(Conflict):
    """Too many orders from one party in this minute."""

    code = "rate_limited"
    status = 429


class PositionLimit(Conflict):
    """The order would take the party over the instrument's position limit."""

    code = "position_limit"


class ModeNotEnabled(Conflict):
    """The instrument does not offer this trading mode."""

    code = "mode_not_enabled"


class OutsideTradingHours(Conflict):
    """The instrument is outside its trading sessions."""

    code = "outside_trading_hours"


@dataclass(frozen=True, slots=True)
class Instrument:
    id: str
    asset: str
    tick: int
    lot: int
    band_bps: int
    reference_price: int
    max_order: int
    fee_bps: int
    fee_account: str
    t_plus_one: bool = False
    block_band_bps: int = 3000
    block_min: int = 1
    max_position: int = 0
    max_orders_per_minute: int = 0
    phase: Phase = Phase.CONTINUOUS
    vintage_from: int = 0
    vintage_to: int = 0
    categories: tuple[str, ...] | None = None  # issuance categories it trades (None: any)
    rules: int = 1  # settlement rules (market/commands.py CURRENT_RULES)
    sessions: tuple[tuple[int, int], ...] | None = None  # Beijing minutes, Mon-Fri; None: any
    modes: tuple[str, ...] | None = None  # enabled trading modes; None: all
    mode_fees: tuple[tuple[str, int], ...] | None = None  # fee bps by mode, beside fee_bps

    @property
    def vintages(self) -> tuple[int, int] | None:
        return (self.vintage_from, self.vintage_to) if self.vintage_from else None

    def band(self, bps: int | None = None) -> tuple[int, int]:
        """Lowest and highest allowed prices, on the tick grid (``bps``: another width, such
        as the block-agreement band)."""
        width = self.band_bps if bps is None else bps
        lo = -(-self.reference_price * (10_000 - width) // 10_000)
        hi = self.reference_price * (10_000 + width) // 10_000
        lo = -(-lo // self.tick) * self.tick
        hi = hi // self.tick * self.tick
        return max(lo, self.tick), hi

    def fee(self, value: int, mode: str = "continuous") -> int:
        """The fee each side pays on a trade of ``value`` in ``mode`` (rounded down)."""
        bps = dict(self.mode_fees).get(mode, self.fee_bps) if self.mode_fees else self.fee_bps
        return value * bps // 10_000

    def reserve_fee(self, value: int) -> int:
        """The most fee a buy order of ``value`` could owe, whatever mode fills it."""
        bps = max([self.fee_bps, *(b for _, b in self.mode_fees or ())])
        return value * bps // 10_000

    def enabled(self, mode: str) -> bool:
        return self.modes is None or mode in self.modes

    def open_at(self, now_ms: int) -> bool:
        """Within a trading session (Beijing time, Monday to Friday)?"""
        if self.sessions is None:
            return True
        day = trading_day(now_ms)
        if (day + 3) % 7 >= 5:  # 1970-01-01 was a Thursday: 5 and 6 are Saturday, Sunday
            return False
        minute = (now_ms // 60_000 + 8 * 60) % 1440
        return any(a <= minute < b for a, b in self.sessions)


class Order(NamedTuple):
    """An order as the book records it (immutable: each change makes a new record; a named
    tuple rather than a frozen dataclass because the market builds one per fill, and a tuple
    builds three times faster)."""

    id: str
    instrument: str
    account: str
    party: str
    side: Side
    order_type: OrderType
    price: int  # limit (for a market order, the band edge it may trade up to)
    quantity: int
    remaining: int
    status: OrderStatus
    hold: str
    seq: int
    counterparty: str | None = None  # a block proposal's buyer account; a bid's auction
    time_ms: int = 0
    ends_at: int = 0  # an auction lot's closing time (Unix ms)


class Trade(NamedTuple):
    id: int
    instrument: str
    price: int
    quantity: int
    buy_order: str
    sell_order: str
    aggressor: str  # "buy" or "sell" (the incoming order's side), or "call" (call auction)
    buyer_fee: int
    seller_fee: int
    seq: int
    day: int  # Beijing trading day (days since 1970-01-01)


def trading_day(now_ms: int) -> int:
    """Days since 1970-01-01 in Beijing time (UTC+8), the day T+1 counts in."""
    return (now_ms // 1000 + 8 * 3600) // 86_400


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
        # T+1: (account, asset) -> (trading day, units bought that day)
        self.bought: dict[tuple[str, str], tuple[int, int]] = {}
        # order-rate limit: (party, instrument) -> (minute, orders placed in it)
        self.rate: dict[tuple[str, str], tuple[int, int]] = {}

    # ------------------------------------------------------------------ Book protocol
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

    def apply_set_reference_price(self, cmd: SetReferencePrice, actor: Principal,
                                  seq: int) -> Effects:
        if actor.role not in ADMIN:
            raise Forbidden("only the operator sets reference prices", role=actor.role.value)
        inst = self.instrument(cmd.instrument)
        if cmd.price % inst.tick:
            raise OffTick("the price is not a multiple of the tick", tick=inst.tick)
        new = replace(inst, reference_price=cmd.price)
        self._set(self.instruments, inst.id, new)
        self._dirty["instruments"].add(inst.id)
        lo, hi = new.band()
        return Effects({"instrument": inst.id, "reference_price": cmd.price, "band": [lo, hi]})

    # ------------------------------------------------------------------ orders
    def check_trading(self, inst: Instrument, mode: str) -> None:
        """Refuse what the instrument does not offer now: a mode it has not enabled, or an
        order outside its trading sessions."""
        if not inst.enabled(mode):
            raise ModeNotEnabled(f"{inst.id} does not offer {mode} trading", instrument=inst.id,
                                 mode=mode, modes=list(inst.modes or ()))
        if not inst.open_at(self.clock()):
            raise OutsideTradingHours("outside the instrument's trading sessions (Beijing "
                                      "time, Monday to Friday)", instrument=inst.id,
                                      sessions=[[f"{a // 60:02d}:{a % 60:02d}",
                                                 f"{b // 60:02d}:{b % 60:02d}"]
                                                for a, b in inst.sessions or ()])

    def check_order(self, cmd: PlaceOrder, actor: Principal) -> tuple[Instrument, str, int]:
        inst = self.instrument(cmd.instrument)
        # an order rests for continuous matching, or only listed for picking
        self.check_trading(inst, "continuous" if inst.enabled("continuous") else "pick")
        party = self.check_owner(actor, cmd.account)
        acct = self.ledger.account(cmd.account)
        if acct.status is not AccountStatus.OPEN:
            raise Conflict("the account is not open", account=acct.id)
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
        if inst.phase is Phase.HALTED:
            raise Conflict("trading in this instrument is halted", instrument=inst.id)
        if inst.phase is Phase.CALL and cmd.order_type is not OrderType.LIMIT:
            raise Conflict("only limit orders are collected during a call auction",
                           instrument=inst.id)
        effects = Effects({})
        order = self._new_order(inst, cmd.account, party, cmd.side, cmd.order_type, price,
                                cmd.quantity, seq, effects, held=inst.rules == 1)
        fills = self._match(inst, order, seq, effects) \
            if inst.phase is Phase.CONTINUOUS and inst.enabled("continuous") else []
        order = self.orders[order.id]
        if order.remaining and order.order_type is not OrderType.LIMIT:
            order = self._cancel(order, seq, effects)
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
            today = self.bought_today(account, inst.asset)
            sellable = self.ledger.active_quantity(account, inst.asset) - today
            if quantity > sellable:
                raise InsufficientUnits("units bought today can be sold from the next "
                                        "trading day (T+1)", account=account,
                                        sellable=max(sellable, 0), bought_today=today,
                                        requested=quantity)
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
            self._cancel(self.orders[oid], seq, effects)
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
        if sell.hold:
            ledger.settle_hold(sell.hold, buy.account, qty, effects)
        else:  # the incoming order: checked for all of it, it delivers from its account
            ledger.deliver_units(sell.account, buy.account, inst.asset, qty, inst.vintages,
                                 effects, inst.categories)
        # the seller's fee comes out of the payment, so nothing is taken from its account
        fees = buyer_fee + seller_fee
        if buy.hold:
            ledger.settle_hold(buy.hold, sell.account, value - seller_fee, effects)
            if fees:
                ledger.settle_hold(buy.hold, inst.fee_account, fees, effects)
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
        if inst.t_plus_one:
            key = (buy.account, inst.asset)
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

    def bought_today(self, account: str, asset: str) -> int:
        day, qty = self.bought.get((account, asset), (-1, 0))
        return qty if day == trading_day(self.clock()) else 0

    def _release_rest(self, o: Order, seq: int, effects: Effects) -> None:
        if o.hold:
            self.ledger.release_hold(o.hold, effects)

    def _cancel(self, o: Order, seq: int, effects: Effects) -> Order:
        self._release_rest(o, seq, effects)
        new = o._replace(status=OrderStatus.CANCELLED)
        self._put(new)
        return new

    def apply_cancel_order(self, cmd: CancelOrder, actor: Principal, seq: int) -> Effects:
        o = self.order(cmd.order)
        self.check_owner(actor, o.account)
        if o.status is not OrderStatus.OPEN:
            raise OrderNotOpen(f"the order is {o.status.value}", order=o.id,
                               status=o.status.value)
        effects = Effects({})
        self._unrest(o)
        self._cancel(o, seq, effects)
        if o.order_type is OrderType.AUCTION:  # a withdrawn auction releases every bid
            for bid in [b for b in self.orders.values() if b.counterparty == o.id
                        and b.order_type is OrderType.BID and b.status is OrderStatus.OPEN]:
                self._cancel(bid, seq, effects)
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
        self._cancel(o, seq, effects)
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

    # ------------------------------------------------------------------ listing and picking
    def apply_pick_order(self, cmd: PickOrder, actor: Principal, seq: int) -> Effects:
        maker = self.order(cmd.order)
        inst = self.instrument(maker.instrument)
        self.check_trading(inst, "pick")
        party = self.check_owner(actor, cmd.account)
        if maker.status is not OrderStatus.OPEN or maker.order_type is not OrderType.LIMIT:
            raise OrderNotOpen("only an open listed order can be picked", order=maker.id,
                               status=maker.status.value)
        if party == maker.party:
            raise Conflict("a party cannot pick its own order (self-trade)", order=maker.id)
        best = self.engine(inst.id).price_levels(SIDES[maker.side])[:5]
        if maker.price not in best:
            raise Conflict("only orders at the best five price levels can be picked",
                           order=maker.id, levels=best)
        if cmd.quantity % inst.lot or cmd.quantity > maker.remaining:
            raise OffTick("pick a multiple of the lot, at most what the order still offers",
                          lot=inst.lot, available=maker.remaining, field="quantity")
        effects = Effects({})
        side = Side.BUY if maker.side is Side.SELL else Side.SELL
        taker = self._new_order(inst, cmd.account, party, side, OrderType.IOC, maker.price,
                                cmd.quantity, seq, effects)
        buy, sell = (taker, maker) if side is Side.BUY else (maker, taker)
        trade = self._settle(inst, buy, sell, maker.price, cmd.quantity, side, seq, effects,
                             mode="pick")
        effects.result = {"order": taker.id, "status": "filled", "trade": trade.id,
                          "price": trade.price, "quantity": trade.quantity, "maker": maker.id}
        return effects

    # ------------------------------------------------------------------ block agreements
    def apply_propose_block(self, cmd: ProposeBlockTrade, actor: Principal,
                            seq: int) -> Effects:
        inst = self.instrument(cmd.instrument)
        self.check_trading(inst, "block")
        party = self.check_owner(actor, cmd.seller)
        buyer = self.ledger.account(cmd.buyer)
        if buyer.party_id == party:
            raise Conflict("a block agreement needs two parties", buyer=buyer.id)
        if buyer.status is not AccountStatus.OPEN:
            raise Conflict("the buyer's account is not open", account=buyer.id)
        if cmd.quantity < inst.block_min or cmd.quantity % inst.lot:
            raise OffTick(f"a block agreement is at least {inst.block_min} units, in lots of "
                          f"{inst.lot}", block_min=inst.block_min, lot=inst.lot,
                          field="quantity")
        lo, hi = inst.band(inst.block_band_bps)
        if cmd.price % inst.tick:
            raise OffTick("the price is not a multiple of the tick", tick=inst.tick,
                          field="price")
        if not lo <= cmd.price <= hi:
            raise OutsideBand("the price is outside the block-agreement band", band=[lo, hi],
                              price=cmd.price, field="price")
        effects = Effects({})
        o = self._new_order(inst, cmd.seller, party, Side.SELL, OrderType.BLOCK, cmd.price,
                            cmd.quantity, seq, effects, counterparty=cmd.buyer)
        effects.result = {"order": o.id, "status": "open", "buyer": cmd.buyer,
                          "band": [lo, hi]}
        return effects

    def apply_confirm_block(self, cmd: ConfirmBlockTrade, actor: Principal,
                            seq: int) -> Effects:
        proposal = self.order(cmd.order)
        if proposal.order_type is not OrderType.BLOCK or proposal.counterparty is None:
            raise OrderNotOpen("this is not a block proposal", order=proposal.id)
        party = self.check_owner(actor, proposal.counterparty)
        if proposal.status is not OrderStatus.OPEN:
            raise OrderNotOpen(f"the proposal is {proposal.status.value}", order=proposal.id,
                               status=proposal.status.value)
        inst = self.instrument(proposal.instrument)
        self.check_trading(inst, "block")
        effects = Effects({})
        buy = self._new_order(inst, proposal.counterparty, party, Side.BUY, OrderType.BLOCK,
                              proposal.price, proposal.remaining, seq, effects,
                              counterparty=proposal.account)
        trade = self._settle(inst, buy, proposal, proposal.price, proposal.remaining,
                             Side.BUY, seq, effects, mode="block")
        effects.result = {"order": buy.id, "proposal": proposal.id, "trade": trade.id,
                          "price": trade.price, "quantity": trade.quantity}
        return effects

    # ------------------------------------------------------------------ one-way auctions
    def apply_start_auction(self, cmd: StartAuction, actor: Principal, seq: int) -> Effects:
        inst = self.instrument(cmd.instrument)
        self.check_trading(inst, "auction")
        party = self.check_owner(actor, cmd.account)
        if cmd.ends_at <= self.clock():
            raise InvalidInput("the auction must end in the future", field="ends_at")
        if cmd.quantity % inst.lot or cmd.reserve_price % inst.tick:
            raise OffTick("lot and tick apply to auctions too", lot=inst.lot, tick=inst.tick)
        effects = Effects({})
        # a sale holds the lot's units; a purchase holds the money for all of it at its ceiling
        lot = self._new_order(inst, cmd.account, party, cmd.side, OrderType.AUCTION,
                              cmd.reserve_price, cmd.quantity, seq, effects)
        lot = lot._replace(ends_at=cmd.ends_at)
        self._put(lot)
        effects.result = {"auction": lot.id, "side": cmd.side.value, "ends_at": cmd.ends_at,
                          "reserve_price": cmd.reserve_price}
        return effects

    def _open_auction(self, aid: str) -> Order:
        lot = self.order(aid)
        if lot.order_type is not OrderType.AUCTION:
            raise UnknownOrder("no such auction", auction=aid)
        if lot.status is not OrderStatus.OPEN:
            raise OrderNotOpen(f"the auction is {lot.status.value}", auction=aid)
        return lot

    def apply_bid_auction(self, cmd: BidAuction, actor: Principal, seq: int) -> Effects:
        lot = self._open_auction(cmd.auction)
        inst = self.instrument(lot.instrument)
        self.check_trading(inst, "auction")
        party = self.check_owner(actor, cmd.account)
        if self.clock() >= lot.ends_at:
            raise OrderNotOpen("the auction's window has closed", auction=lot.id)
        if party == lot.party:
            raise Conflict("a party cannot bid in its own auction", auction=lot.id)
        if lot.side is Side.SELL and cmd.price < lot.price:
            raise OutsideBand("the bid is below the reserve price", reserve=lot.price,
                              field="price")
        if lot.side is Side.BUY and cmd.price > lot.price:
            raise OutsideBand("the offer is above the buyer's ceiling price", ceiling=lot.price,
                              field="price")
        if cmd.price % inst.tick or cmd.quantity % inst.lot or cmd.quantity > lot.quantity:
            raise OffTick("bid on the tick and lot, at most the lot's size", tick=inst.tick,
                          lot=inst.lot, size=lot.quantity)
        effects = Effects({})
        # a bid for a sale holds money; an offer to a purchase holds units
        side = Side.BUY if lot.side is Side.SELL else Side.SELL
        bid = self._new_order(inst, cmd.account, party, side, OrderType.BID, cmd.price,
                              cmd.quantity, seq, effects, counterparty=lot.id)
        effects.result = {"bid": bid.id, "auction": lot.id}
        return effects

    def apply_close_auction(self, cmd: CloseAuction, actor: Principal, seq: int) -> Effects:
        lot = self._open_auction(cmd.auction)
        inst = self.instrument(lot.instrument)
        if self.clock() < lot.ends_at:
            raise OrderNotOpen("the auction is still open", auction=lot.id,
                               ends_at=lot.ends_at)
        sale = lot.side is Side.SELL  # bids win highest first; offers to a purchase lowest
        bids = sorted((o for o in self.orders.values()
                       if o.order_type is OrderType.BID and o.counterparty == lot.id
                       and o.status is OrderStatus.OPEN),
                      key=lambda o: (-o.price if sale else o.price, int(o.id[1:])))
        effects = Effects({})
        awards: list[dict[str, Any]] = []
        for bid in bids:
            lot = self.orders[lot.id]
            qty = min(bid.quantity, lot.remaining)
            if qty:
                buy, sell = (bid, lot) if sale else (lot, bid)
                trade = self._settle(inst, buy, sell, bid.price, qty, bid.side, seq, effects,
                                     mode="auction")
                awards.append({"bid": bid.id, "price": bid.price, "quantity": qty,
                               "trade": trade.id})
            bid = self.orders[bid.id]
            if bid.status is OrderStatus.OPEN:  # lost, or only partly won
                self._cancel(bid, seq, effects)
        lot = self.orders[lot.id]
        unsold = lot.remaining
        if lot.status is OrderStatus.OPEN:
            self._cancel(lot, seq, effects)
        effects.result = {"auction": lot.id, "awards": awards, "unsold": unsold}
        return effects

    # ------------------------------------------------------------------ call auctions
    def apply_set_phase(self, cmd: SetPhase, actor: Principal, seq: int) -> Effects:
        if actor.role not in ADMIN:
            raise Forbidden("only the operator changes the trading phase", role=actor.role.value)
        inst = self.instrument(cmd.instrument)
        if cmd.phase is Phase.CALL and not inst.enabled("call"):
            raise ModeNotEnabled(f"{inst.id} does not offer call auctions", instrument=inst.id,
                                 mode="call", modes=list(inst.modes or ()))
        if inst.phase is Phase.CALL and cmd.phase is Phase.CONTINUOUS:
            bid, ask = self.best(inst.id, Side.BUY), self.best(inst.id, Side.SELL)
            if bid is not None and ask is not None and bid >= ask:
                raise Conflict("the collected book crosses: run the call auction first",
                               instrument=inst.id)
        self._set(self.instruments, inst.id, replace(inst, phase=cmd.phase))
        self._dirty["instruments"].add(inst.id)
        return Effects({"instrument": inst.id, "phase": cmd.phase.value,
                        "previous": inst.phase.value})

    def call_price(self, inst: Instrument) -> tuple[int, int] | None:
        """(price, volume) that uncrosses the book, or None if nothing can trade."""
        eng = self.engine(inst.id)
        bid, ask = eng.best(BUY), eng.best(SELL)
        if bid is None or ask is None or bid < ask:
            return None

        def volume(side: int) -> dict[int, int]:
            return {p: sum(eng.orders[o][REMAINING] for o in ids)
                    for p, ids in eng.levels[side].items()}

        bid_at, ask_at = volume(BUY), volume(SELL)
        best: tuple[tuple[int, int, int], int, int] | None = None
        # every order price, and the reference (the best choice when a range of prices ties)
        for p in sorted(set(bid_at) | set(ask_at) | {inst.reference_price}):
            demand = sum(q for bp, q in bid_at.items() if bp >= p)
            supply = sum(q for ap, q in ask_at.items() if ap <= p)
            executable = min(demand, supply)
            if not executable:
                continue
            rank = (-executable, abs(demand - supply), abs(p - inst.reference_price))
            if best is None or rank < best[0]:
                best = (rank, p, executable)
        return None if best is None else (best[1], best[2])

    def apply_run_call_auction(self, cmd: RunCallAuction, actor: Principal,
                               seq: int) -> Effects:
        if actor.role not in ADMIN:
            raise Forbidden("only the operator runs the call auction", role=actor.role.value)
        inst = self.instrument(cmd.instrument)
        if inst.phase is not Phase.CALL:
            raise Conflict("the instrument is not in a call phase", instrument=inst.id)
        effects = Effects({})
        found = self.call_price(inst)
        trades: list[dict[str, Any]] = []
        if found is not None:
            price, volume = found
            eng = self.engine(inst.id)
            while volume:
                bid_price, ask_price = eng.best(BUY), eng.best(SELL)
                if bid_price is None or ask_price is None or bid_price < price \
                        or ask_price > price:
                    break
                buy = self.orders[eng.levels[BUY][bid_price][0]]
                sell = self.orders[eng.levels[SELL][ask_price][0]]
                if buy.party == sell.party:  # self-trade: cancel the later order
                    later = buy if int(buy.id[1:]) > int(sell.id[1:]) else sell
                    self._unrest(later)
                    self._cancel(later, seq, effects)
                    continue
                qty = min(buy.remaining, sell.remaining, volume)
                trade = self._settle(inst, buy, sell, price, qty, "call", seq, effects,
                                     mode="call")
                trades.append({"trade": trade.id, "quantity": qty, "buy": buy.id,
                               "sell": sell.id})
                volume -= qty
        new = replace(self.instruments[inst.id], phase=Phase.CONTINUOUS)
        self._set(self.instruments, inst.id, new)
        self._dirty["instruments"].add(inst.id)
        effects.result = {"instrument": inst.id, "price": None if found is None else found[0],
                          "volume": sum(t["quantity"] for t in trades), "trades": trades}
        return effects

    def apply_close_day(self, cmd: CloseDay, actor: Principal, seq: int) -> Effects:
        if actor.role not in ADMIN:
            raise Forbidden("only the operator closes the day", role=actor.role.value)
        inst = self.instrument(cmd.instrument)
        today = trading_day(self.clock())
        trades = [t for t in self.trades.values() if t.instrument == inst.id and t.day == today]
        volume = sum(t.quantity for t in trades)
        if not volume:  # no trade today: the reference stays
            return Effects({"instrument": inst.id, "close": inst.reference_price,
                            "volume": 0})
        vwap = sum(t.price * t.quantity for t in trades) // volume
        close = max(inst.tick, (vwap + inst.tick // 2) // inst.tick * inst.tick)
        self._set(self.instruments, inst.id, replace(inst, reference_price=close))
        self._dirty["instruments"].add(inst.id)
        return Effects({"instrument": inst.id, "close": close, "vwap": vwap, "volume": volume,
                        "band": list(replace(inst, reference_price=close).band())})

    _handlers: ClassVar[dict[type[Command], Handler]] = {
        CreateInstrument: apply_create_instrument,
        SetReferencePrice: apply_set_reference_price,
        PlaceOrder: apply_place_order,
        CancelOrder: apply_cancel_order,
        AmendOrder: apply_amend_order,
        PickOrder: apply_pick_order,
        ProposeBlockTrade: apply_propose_block,
        ConfirmBlockTrade: apply_confirm_block,
        StartAuction: apply_start_auction,
        BidAuction: apply_bid_auction,
        CloseAuction: apply_close_auction,
        SetPhase: apply_set_phase,
        RunCallAuction: apply_run_call_auction,
        CloseDay: apply_close_day,
    }
