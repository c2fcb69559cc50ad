"""Market commands: instruments, orders, cancels. Prices are integers in fen per unit."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ClassVar

from qingshan.errors import InvalidInput, MalformedIdentifier
from qingshan.ledger.domain.commands import Command, categories_of
from qingshan.ledger.domain.model import MAX_QUANTITY, check_id, check_quantity
from qingshan.ledger.domain.parsing import asset_code, enum, text, whole_number

# Settlement rules an instrument trades under, kept per instrument so that replaying the journal
# gives the book it gave then: 1 (instruments listed before 2026-11-27): an incoming order holds
# all it could give up before it trades; 2: it is checked for all of it, trades at once from its
# own account and holds only what rests; 3 (listed from 2026-11-28, or moved to them by
# SetInstrumentRules): a freeze cancels the account's open orders, which never settle out of a
# frozen account; the close (tomorrow's reference) is the VWAP of continuous, call-auction and
# picked trades only; T+1 counts a party's units over all its accounts; an auction awards no
# bid outside the band at its close; cancelled orders carry a reason (docs/market.md).
CURRENT_RULES = 3
# The rules of an instrument whose journaled or stored form names none (listed before rules
# were versioned). The one place these two numbers are set: the model, the commands and the
# API's default all read them.
FIRST_RULES = 1

# Trading modes an instrument may enable: continuous double auction (and, without it, orders
# only listed for picking), listing and picking, block agreements, one-way auctions, call
# auctions.
MODES = ("continuous", "pick", "block", "auction", "call")
CLOCK_RE = re.compile(r"^([01][0-9]|2[0-3]):([0-5][0-9])$")


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _sessions(data: Mapping[str, Any]) -> tuple[tuple[int, int], ...] | None:
    raw = data.get("sessions")
    if raw is None:
        return None
    out: list[tuple[int, int]] = []
    if isinstance(raw, list | tuple) and 1 <= len(raw) <= 6:
        for item in raw:
            if not isinstance(item, list | tuple) or len(item) != 2:
                break
            times = [CLOCK_RE.fullmatch(t) if isinstance(t, str) else None for t in item]
            if times[0] is None or times[1] is None:
                break
            a, b = (int(m.group(1)) * 60 + int(m.group(2)) for m in times if m is not None)
            if a >= b or (out and a < out[-1][1]):
                break
            out.append((a, b))
        else:
            return tuple(out)
    raise InvalidInput("sessions is a list of [\"HH:MM\", \"HH:MM\"] pairs (Beijing time), "
                       "each ending after it starts, in order, not overlapping",
                       field="sessions")


def _modes(data: Mapping[str, Any]) -> tuple[str, ...] | None:
    raw = data.get("modes")
    if raw is None:
        return None
    if not isinstance(raw, list | tuple) or not raw or any(m not in MODES for m in raw):
        raise InvalidInput(f"modes is a non-empty list of {', '.join(MODES)}", field="modes")
    return tuple(m for m in MODES if m in raw)


def _mode_fees(data: Mapping[str, Any]) -> tuple[tuple[str, int], ...] | None:
    raw = data.get("mode_fees")
    if raw is None:
        return None
    if not isinstance(raw, Mapping) or not raw or any(
            m not in MODES or type(b) is not int or not 0 <= b <= 1_000 for m, b in raw.items()):
        raise InvalidInput("mode_fees maps trading modes to fees of 0 to 1,000 basis points",
                           field="mode_fees")
    return tuple((m, raw[m]) for m in MODES if m in raw)

INSTRUMENT_RE = re.compile(r"^[A-Z][A-Z0-9-]{1,23}$")
ORDER_RE = re.compile(r"^O[0-9]{8,12}$")
MAX_PRICE = 10**10  # fen per unit: 100 million yuan, far above any credit


class Side(StrEnum):
    BUY = "buy"
    SELL = "sell"


class OrderType(StrEnum):
    LIMIT = "limit"  # rests on the book until filled or cancelled
    IOC = "ioc"  # immediate or cancel: what does not fill at once is cancelled
    MARKET = "market"  # IOC at the band's edge (market with protection)
    BLOCK = "block"  # a block agreement's proposal: never on the book, one named buyer
    AUCTION = "auction"  # a one-way auction's lot: never on the book
    BID = "bid"  # a bid in a one-way auction


# what a member may send as a PlaceOrder; the others are the market's own records of a block
# proposal, an auction's lot and a bid in an auction, made by their own commands
PUBLIC_ORDER_TYPES = (OrderType.LIMIT, OrderType.IOC, OrderType.MARKET)


def check_public(order_type: OrderType) -> OrderType:
    if order_type not in PUBLIC_ORDER_TYPES:
        raise InvalidInput("order_type must be one of: limit, ioc, market", field="order_type",
                           value=order_type.value)
    return order_type


def _instrument(data: Mapping[str, Any], key: str = "instrument") -> str:
    value = data.get(key)
    if not isinstance(value, str) or not INSTRUMENT_RE.fullmatch(value):
        raise MalformedIdentifier(f"{key} must look like CQCER-FOREST", field=key,
                                  value=str(value)[:64])
    return value


@dataclass(frozen=True, slots=True)
class CreateInstrument(Command):
    """An operator lists an asset class for continuous trading against CNY."""

    kind: ClassVar[str] = "create_instrument"
    id: str
    asset: str
    tick: int  # price step, fen
    lot: int  # quantity step, units
    band_bps: int  # allowed distance from the reference price, basis points
    reference_price: int  # previous close, fen per unit
    max_order: int  # units in one order
    fee_bps: int  # charged to each side on the traded value, basis points
    fee_account: str  # the operator's account that collects fees
    t_plus_one: bool = False  # units bought today can be sold from the next trading day
    block_band_bps: int = 3000  # block agreements: the wider band (national market: ±30 %)
    block_min: int = 1  # block agreements: the smallest quantity (national: 100,000 t)
    max_position: int = 0  # units one party may hold and bid for; 0: no limit
    max_orders_per_minute: int = 0  # orders one party may place per minute; 0: no limit
    vintage_from: int = 0  # units of these vintages only (0: any), e.g. CQCER 2021-2023
    vintage_to: int = 0
    # units of issuances in these categories only (None: any), e.g. ("forestry",) for
    # "CQCER forestry"; ("agriculture", "energy", "inclusive") for "CQCER other"
    categories: tuple[str, ...] | None = None
    rules: int = CURRENT_RULES  # settlement rules; a payload without it means FIRST_RULES
    # trading sessions, Beijing time, Monday to Friday, as (start, end) minutes after midnight,
    # e.g. ((570, 690), (780, 900)) for 9:30-11:30 and 13:00-15:00; None: always open
    sessions: tuple[tuple[int, int], ...] | None = None
    modes: tuple[str, ...] | None = None  # the trading modes enabled (MODES); None: all
    mode_fees: tuple[tuple[str, int], ...] | None = None  # (mode, bps) beside fee_bps

    def to_payload(self) -> dict[str, Any]:
        out = self._payload()
        # (both absent from entries journaled before they existed, which replay as before)
        if self.categories is not None:
            out["categories"] = list(self.categories)
        if self.rules != FIRST_RULES:
            out["rules"] = self.rules
        if self.sessions is not None:
            out["sessions"] = [[_clock(a), _clock(b)] for a, b in self.sessions]
        if self.modes is not None:
            out["modes"] = list(self.modes)
        if self.mode_fees is not None:
            out["mode_fees"] = dict(self.mode_fees)
        return out

    def _payload(self) -> dict[str, Any]:
        return {"id": self.id, "asset": self.asset, "tick": self.tick, "lot": self.lot,
                "band_bps": self.band_bps, "reference_price": self.reference_price,
                "max_order": self.max_order, "fee_bps": self.fee_bps,
                "fee_account": self.fee_account, "t_plus_one": self.t_plus_one,
                "block_band_bps": self.block_band_bps, "block_min": self.block_min,
                "max_position": self.max_position,
                "max_orders_per_minute": self.max_orders_per_minute,
                "vintage_from": self.vintage_from, "vintage_to": self.vintage_to}

    @classmethod
    def from_payload(cls, data: Mapping[str, Any]) -> CreateInstrument:
        cmd = cls(id=_instrument(data, "id"), asset=asset_code(data),
                  tick=whole_number(data, "tick", 1, 10**6),
                  lot=whole_number(data, "lot", 1, 10**6),
                  band_bps=whole_number(data, "band_bps", 1, 10_000),
                  reference_price=whole_number(data, "reference_price", 1, MAX_PRICE),
                  max_order=whole_number(data, "max_order", 1, MAX_QUANTITY),
                  fee_bps=whole_number(data, "fee_bps", 0, 1_000),
                  fee_account=check_id("A", data.get("fee_account"), "fee_account"),
                  t_plus_one=data.get("t_plus_one") is True,
                  block_band_bps=whole_number(data, "block_band_bps", 1, 10_000)
                  if "block_band_bps" in data else 3000,
                  block_min=whole_number(data, "block_min", 1, MAX_QUANTITY)
                  if "block_min" in data else 1,
                  max_position=whole_number(data, "max_position", 0, MAX_QUANTITY)
                  if "max_position" in data else 0,
                  max_orders_per_minute=whole_number(data, "max_orders_per_minute", 0, 10**6)
                  if "max_orders_per_minute" in data else 0,
                  vintage_from=whole_number(data, "vintage_from", 0, 2100)
                  if "vintage_from" in data else 0,
                  vintage_to=whole_number(data, "vintage_to", 0, 2100)
                  if "vintage_to" in data else 0, categories=categories_of(data),
                  rules=whole_number(data, "rules", FIRST_RULES, CURRENT_RULES)
                  if "rules" in data else FIRST_RULES,
                  sessions=_sessions(data), modes=_modes(data), mode_fees=_mode_fees(data))
        if (cmd.vintage_from == 0) != (cmd.vintage_to == 0) or cmd.vintage_from > cmd.vintage_to \
                or 0 < cmd.vintage_from < 1990:
            raise InvalidInput("give both vintage_from and vintage_to, in order",
                               field="vintage_to")
        if cmd.reference_price % cmd.tick:
            raise InvalidInput("the reference price must be a multiple of the tick",
                               field="reference_price")
        return cmd


@dataclass(frozen=True, slots=True)
class SetInstrumentRules(Command):
    """The operator moves an instrument to newer settlement rules (never back): entries before
    replay under the old rules, entries from this one on under the new."""

    kind: ClassVar[str] = "set_instrument_rules"
    instrument: str
    rules: int
    reason: str

    def to_payload(self) -> dict[str, Any]:
        return {"instrument": self.instrument, "rules": self.rules, "reason": self.reason}

    @classmethod
    def from_payload(cls, data: Mapping[str, Any]) -> SetInstrumentRules:
        return cls(instrument=_instrument(data),
                   rules=whole_number(data, "rules", FIRST_RULES + 1, CURRENT_RULES),
                   reason=text(data, "reason", max_len=500))


@dataclass(frozen=True, slots=True)
class SetReferencePrice(Command):
    """The operator sets the reference price (the previous close) the band is measured from."""

    kind: ClassVar[str] = "set_reference_price"
    instrument: str
    price: int
    reason: str

    def to_payload(self) -> dict[str, Any]:
        return {"instrument": self.instrument, "price": self.price, "reason": self.reason}

    @classmethod
    def from_payload(cls, data: Mapping[str, Any]) -> SetReferencePrice:
        return cls(instrument=_instrument(data), price=whole_number(data, "price", 1, MAX_PRICE),
                   reason=text(data, "reason", max_len=500))


@dataclass(frozen=True, slots=True)
class PlaceOrder(Command):
    kind: ClassVar[str] = "place_order"
    instrument: str
    account: str  # holds the units (to sell) or the CNY (to buy), and receives the other
    side: Side
    order_type: OrderType
    price: int | None  # fen per unit; None for a market order
    quantity: int

    def to_payload(self) -> dict[str, Any]:
        return {"instrument": self.instrument, "account": self.account,
                "side": self.side.value, "order_type": self.order_type.value,
                "price": self.price, "quantity": self.quantity}

    @classmethod
    def from_payload(cls, data: Mapping[str, Any]) -> PlaceOrder:
        order_type = check_public(enum(data, "order_type", OrderType)) \
            if "order_type" in data else OrderType.LIMIT
        price = data.get("price")
        if order_type is OrderType.MARKET:
            if price is not None:
                raise InvalidInput("a market order takes no price", field="price")
        else:
            price = whole_number(data, "price", 1, MAX_PRICE)
        return cls(instrument=_instrument(data),
                   account=check_id("A", data.get("account"), "account"),
                   side=enum(data, "side", Side), order_type=order_type, price=price,
                   quantity=check_quantity(data.get("quantity")))


@dataclass(frozen=True, slots=True)
class CancelOrder(Command):
    kind: ClassVar[str] = "cancel_order"
    order: str

    def to_payload(self) -> dict[str, Any]:
        return {"order": self.order}

    @classmethod
    def from_payload(cls, data: Mapping[str, Any]) -> CancelOrder:
        return cls(order=_order_id(data))


@dataclass(frozen=True, slots=True)
class AmendOrder(Command):
    """Change a resting limit order. Lowering the quantity keeps its place in the queue; a
    new price (or more quantity) is a cancel and a new order, at the back of the queue."""

    kind: ClassVar[str] = "amend_order"
    order: str
    price: int
    quantity: int

    def to_payload(self) -> dict[str, Any]:
        return {"order": self.order, "price": self.price, "quantity": self.quantity}

    @classmethod
    def from_payload(cls, data: Mapping[str, Any]) -> AmendOrder:
        return cls(order=_order_id(data), price=whole_number(data, "price", 1, MAX_PRICE),
                   quantity=check_quantity(data.get("quantity")))


@dataclass(frozen=True, slots=True)
class PickOrder(Command):
    """Listing and picking (挂牌点选): take a listed order from the best five price levels of
    its side, at that order's price."""

    kind: ClassVar[str] = "pick_order"
    order: str
    account: str
    quantity: int

    def to_payload(self) -> dict[str, Any]:
        return {"order": self.order, "account": self.account, "quantity": self.quantity}

    @classmethod
    def from_payload(cls, data: Mapping[str, Any]) -> PickOrder:
        return cls(order=_order_id(data), account=check_id("A", data.get("account"), "account"),
                   quantity=check_quantity(data.get("quantity")))


@dataclass(frozen=True, slots=True)
class ProposeBlockTrade(Command):
    """Block agreement (大宗协议): the seller proposes price and quantity to a named buyer
    account; its units are held until the buyer confirms or either side withdraws."""

    kind: ClassVar[str] = "propose_block_trade"
    instrument: str
    seller: str
    buyer: str
    price: int
    quantity: int

    def to_payload(self) -> dict[str, Any]:
        return {"instrument": self.instrument, "seller": self.seller, "buyer": self.buyer,
                "price": self.price, "quantity": self.quantity}

    @classmethod
    def from_payload(cls, data: Mapping[str, Any]) -> ProposeBlockTrade:
        seller = check_id("A", data.get("seller"), "seller")
        buyer = check_id("A", data.get("buyer"), "buyer")
        if seller == buyer:
            raise InvalidInput("buyer and seller are the same account", field="buyer")
        return cls(instrument=_instrument(data), seller=seller, buyer=buyer,
                   price=whole_number(data, "price", 1, MAX_PRICE),
                   quantity=check_quantity(data.get("quantity")))


@dataclass(frozen=True, slots=True)
class ConfirmBlockTrade(Command):
    kind: ClassVar[str] = "confirm_block_trade"
    order: str

    def to_payload(self) -> dict[str, Any]:
        return {"order": self.order}

    @classmethod
    def from_payload(cls, data: Mapping[str, Any]) -> ConfirmBlockTrade:
        return cls(order=_order_id(data))


@dataclass(frozen=True, slots=True)
class StartAuction(Command):
    """One-way auction (单向竞价): a seller offers a lot until ``ends_at`` (Unix ms) with a
    reserve price, and bids win by price (highest first), then time, each paying its own price;
    or, with ``side`` buy (单向竞买), a buyer asks for a lot with a ceiling price, and sellers'
    offers win by price (lowest first), then time, each paid its own price."""

    kind: ClassVar[str] = "start_auction"
    instrument: str
    account: str
    quantity: int
    reserve_price: int  # a sale's lowest price; a purchase's highest
    ends_at: int
    side: Side = Side.SELL

    def to_payload(self) -> dict[str, Any]:
        out: dict[str, Any] = {"instrument": self.instrument, "account": self.account,
                               "quantity": self.quantity, "reserve_price": self.reserve_price,
                               "ends_at": self.ends_at}
        if self.side is Side.BUY:  # (absent from sales, as journaled before it existed)
            out["side"] = self.side.value
        return out

    @classmethod
    def from_payload(cls, data: Mapping[str, Any]) -> StartAuction:
        return cls(instrument=_instrument(data),
                   account=check_id("A", data.get("account"), "account"),
                   quantity=check_quantity(data.get("quantity")),
                   reserve_price=whole_number(data, "reserve_price", 1, MAX_PRICE),
                   ends_at=whole_number(data, "ends_at", 1, 10**14),
                   side=enum(data, "side", Side) if "side" in data else Side.SELL)


@dataclass(frozen=True, slots=True)
class BidAuction(Command):
    kind: ClassVar[str] = "bid_auction"
    auction: str
    account: str
    price: int
    quantity: int

    def to_payload(self) -> dict[str, Any]:
        return {"auction": self.auction, "account": self.account, "price": self.price,
                "quantity": self.quantity}

    @classmethod
    def from_payload(cls, data: Mapping[str, Any]) -> BidAuction:
        return cls(auction=_order_id(data, "auction"),
                   account=check_id("A", data.get("account"), "account"),
                   price=whole_number(data, "price", 1, MAX_PRICE),
                   quantity=check_quantity(data.get("quantity")))


@dataclass(frozen=True, slots=True)
class CloseAuction(Command):
    """After the window: allocate the lot to the best bids and release everything else."""

    kind: ClassVar[str] = "close_auction"
    auction: str

    def to_payload(self) -> dict[str, Any]:
        return {"auction": self.auction}

    @classmethod
    def from_payload(cls, data: Mapping[str, Any]) -> CloseAuction:
        return cls(auction=_order_id(data, "auction"))


def _order_id(data: Mapping[str, Any], key: str = "order") -> str:
    order = data.get(key)
    if not isinstance(order, str) or not ORDER_RE.fullmatch(order):
        raise MalformedIdentifier(f"{key} must look like O00000001", field=key)
    return order


class Phase(StrEnum):
    CONTINUOUS = "continuous"  # orders match as they arrive
    CALL = "call"  # orders are collected without matching, for an opening or closing auction
    HALTED = "halted"  # no orders


@dataclass(frozen=True, slots=True)
class SetPhase(Command):
    kind: ClassVar[str] = "set_phase"
    instrument: str
    phase: Phase
    reason: str

    def to_payload(self) -> dict[str, Any]:
        return {"instrument": self.instrument, "phase": self.phase.value, "reason": self.reason}

    @classmethod
    def from_payload(cls, data: Mapping[str, Any]) -> SetPhase:
        return cls(instrument=_instrument(data), phase=enum(data, "phase", Phase),
                   reason=text(data, "reason", max_len=500))


@dataclass(frozen=True, slots=True)
class RunCallAuction(Command):
    """Uncross the collected book at one price: the most executable volume, then the least
    imbalance, then the price closest to the reference; then trade continuously."""

    kind: ClassVar[str] = "run_call_auction"
    instrument: str

    def to_payload(self) -> dict[str, Any]:
        return {"instrument": self.instrument}

    @classmethod
    def from_payload(cls, data: Mapping[str, Any]) -> RunCallAuction:
        return cls(instrument=_instrument(data))


@dataclass(frozen=True, slots=True)
class CloseDay(Command):
    """End of the trading day: the close is the day's volume-weighted average price (as in
    the national market's listing mode) and becomes the reference for tomorrow's band."""

    kind: ClassVar[str] = "close_day"
    instrument: str

    def to_payload(self) -> dict[str, Any]:
        return {"instrument": self.instrument}

    @classmethod
    def from_payload(cls, data: Mapping[str, Any]) -> CloseDay:
        return cls(instrument=_instrument(data))


MARKET_COMMANDS: tuple[type[Command], ...] = (CreateInstrument, SetReferencePrice, PlaceOrder,
                                              CancelOrder, AmendOrder, PickOrder,
                                              ProposeBlockTrade,
                                              ConfirmBlockTrade, StartAuction, BidAuction,
                                              CloseAuction, SetPhase, RunCallAuction, CloseDay,
                                              SetInstrumentRules)
