"""Market commands: instruments, orders, cancels. Prices are integers in fen per unit."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ClassVar

from qingshan.errors import InvalidInput, MalformedIdentifier
from qingshan.ledger.domain.commands import CATEGORIES_SHAPE, Command, categories_of
from qingshan.ledger.domain.definition import (
    AssetCode,
    Choice,
    Custom,
    Flag,
    Quantity,
    Ref,
    Shape,
    Text,
    Whole,
    declare,
)
from qingshan.ledger.domain.model import MAX_QUANTITY
from qingshan.ledger.domain.parsing import enum

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


class PublicOrderType(StrEnum):
    """The order types a member may send (what the API documents)."""

    LIMIT = "limit"
    IOC = "ioc"
    MARKET = "market"


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


def _order_id(data: Mapping[str, Any], key: str = "order") -> str:
    order = data.get(key)
    if not isinstance(order, str) or not ORDER_RE.fullmatch(order):
        raise MalformedIdentifier(f"{key} must look like O00000001", field=key)
    return order


def Instrument(**kw: Any) -> Custom:
    return Custom(parser=_instrument, like=Shape(type="text", max_length=24, length_at_edge=False),
                  **{"examples": ("CQCER-FOREST",), **kw})


def OrderId(**kw: Any) -> Custom:
    return Custom(parser=_order_id, like=Shape(type="text", max_length=13, length_at_edge=False),
                  **{"examples": ("O00000001",), **kw})


def Price(**kw: Any) -> Whole:
    return Whole(lo=1, hi=MAX_PRICE, **{"description": "fen per unit", **kw})


def _in_order(values: dict[str, Any], data: Mapping[str, Any]) -> None:
    vfrom, vto = values["vintage_from"], values["vintage_to"]
    if (vfrom == 0) != (vto == 0) or vfrom > vto or 0 < vfrom < 1990:
        raise InvalidInput("give both vintage_from and vintage_to, in order",
                           field="vintage_to")
    if values["reference_price"] % values["tick"]:
        raise InvalidInput("the reference price must be a multiple of the tick",
                           field="reference_price")


CLOCK = Shape(type="text", max_length=5, length_at_edge=False)
SESSIONS = Shape(type="list", min_length=1, max_length=6,
                 items=(Shape(type="tuple", items=(CLOCK, CLOCK)),))
MODE_LIST = Shape(type="list", min_length=1, max_length=len(MODES),
                  items=(Shape(type="text", max_length=10, length_at_edge=False),))
MODE_FEES = Shape(type="object", name="ModeFees", optional=frozenset(MODES),
                  properties=tuple((m, Shape(type="integer")) for m in MODES))


def _sometimes(spec: type[Whole], default: int, lo: int, hi: int, **kw: Any) -> Whole:
    """A whole number a payload may leave out (journaled always, as ``default`` then)."""
    return spec(lo=lo, hi=hi, required=False, absent=default, **kw)


@dataclass(frozen=True, slots=True, kw_only=True)
class CreateInstrument(Command):
    """An operator lists an asset class for continuous trading against CNY."""

    kind: ClassVar[str] = "create_instrument"
    id: str = declare(Instrument())
    asset: str = declare(AssetCode(examples=("CQCER",)))
    tick: int = declare(Whole(lo=1, hi=10**6, description="price step, fen"))
    lot: int = declare(Whole(lo=1, hi=10**6, description="quantity step, units"))
    band_bps: int = declare(Whole(lo=1, hi=10_000, description=(
        "allowed distance from the reference price, basis points")))
    reference_price: int = declare(Price(description="previous close, fen per unit"))
    max_order: int = declare(Whole(lo=1, hi=MAX_QUANTITY, description="units in one order"))
    fee_bps: int = declare(Whole(lo=0, hi=1_000, description=(
        "charged to each side on the traded value, basis points")))
    fee_account: str = declare(Ref(prefix="A", description=(
        "the operator's account that collects fees")))
    t_plus_one: bool = declare(Flag(required=False, description=(
        "units bought today can be sold from the next trading day")), False)
    block_band_bps: int = declare(_sometimes(Whole, 3000, 1, 10_000, description=(
        "block agreements: the wider band (national market: ±30 %)")), 3000)
    block_min: int = declare(_sometimes(Whole, 1, 1, MAX_QUANTITY, description=(
        "block agreements: the smallest quantity")), 1)
    max_position: int = declare(_sometimes(Whole, 0, 0, MAX_QUANTITY, description=(
        "units one party may hold and bid for; 0: no limit")), 0)
    max_orders_per_minute: int = declare(_sometimes(Whole, 0, 0, 10**6, description=(
        "orders one party may place per minute; 0: no limit")), 0)
    vintage_from: int = declare(_sometimes(Whole, 0, 0, 2100, description=(
        "units of these vintages only (0: any)")), 0)
    vintage_to: int = declare(_sometimes(Whole, 0, 0, 2100), 0)
    # units of issuances in these categories only (None: any), e.g. ("forestry",) for
    # "CQCER forestry"; ("agriculture", "energy", "inclusive") for "CQCER other"
    # (this and the fields below are absent from entries journaled before they existed)
    categories: tuple[str, ...] | None = declare(Custom(
        parser=categories_of, like=CATEGORIES_SHAPE, to_json=list, required=False,
        nullable=True, omit_none=True), None)
    # settlement rules; a payload without it means FIRST_RULES (the route sends the current)
    rules: int = declare(_sometimes(
        Whole, FIRST_RULES, FIRST_RULES, CURRENT_RULES, omit_if=FIRST_RULES,
        description="settlement rules (docs/market.md); by default the current ones"),
        CURRENT_RULES)
    # trading sessions, Beijing time, Monday to Friday, as (start, end) minutes after midnight,
    # e.g. ((570, 690), (780, 900)) for 9:30-11:30 and 13:00-15:00; None: always open
    sessions: tuple[tuple[int, int], ...] | None = declare(Custom(
        parser=lambda d, _: _sessions(d), like=SESSIONS, required=False, nullable=True,
        omit_none=True, to_json=lambda v: [[_clock(a), _clock(b)] for a, b in v],
        description="[\"HH:MM\", \"HH:MM\"] pairs, Beijing time; none: always open"), None)
    modes: tuple[str, ...] | None = declare(Custom(
        parser=lambda d, _: _modes(d), like=MODE_LIST, to_json=list, required=False,
        nullable=True, omit_none=True, description=f"of {', '.join(MODES)}; none: all"), None)
    mode_fees: tuple[tuple[str, int], ...] | None = declare(Custom(
        parser=lambda d, _: _mode_fees(d), like=MODE_FEES, to_json=dict, required=False,
        nullable=True, omit_none=True, description="basis points by mode, beside fee_bps"),
        None)

    checks = (_in_order,)


@dataclass(frozen=True, slots=True)
class SetInstrumentRules(Command):
    """The operator moves an instrument to newer settlement rules (never back): entries before
    replay under the old rules, entries from this one on under the new."""

    kind: ClassVar[str] = "set_instrument_rules"
    instrument: str = declare(Instrument())
    rules: int = declare(Whole(lo=FIRST_RULES + 1, hi=CURRENT_RULES))
    reason: str = declare(Text(max_len=500))


@dataclass(frozen=True, slots=True)
class SetReferencePrice(Command):
    """The operator sets the reference price (the previous close) the band is measured from."""

    kind: ClassVar[str] = "set_reference_price"
    instrument: str = declare(Instrument())
    price: int = declare(Price())
    reason: str = declare(Text(max_len=500))


def _order_type(data: Mapping[str, Any], key: str) -> OrderType:
    return check_public(enum(data, key, OrderType))


def _priced(values: dict[str, Any], data: Mapping[str, Any]) -> None:
    """A market order takes no price; any other needs one."""
    if values["order_type"] is OrderType.MARKET:
        if data.get("price") is not None:
            raise InvalidInput("a market order takes no price", field="price")
    else:
        values["price"] = Price().parse(data, "price")


@dataclass(frozen=True, slots=True)
class PlaceOrder(Command):
    kind: ClassVar[str] = "place_order"
    instrument: str = declare(Instrument())
    # holds the units (to sell) or the CNY (to buy), and receives the other
    account: str = declare(Ref(prefix="A"))
    side: Side = declare(Choice(kind=Side))
    order_type: OrderType = declare(Custom(
        parser=_order_type, like=Shape(type="choice", choices=PublicOrderType),
        required=False, absent=OrderType.LIMIT, to_json=lambda t: t.value))
    price: int | None = declare(Custom(  # (read by _priced, with the order type)
        parser=lambda d, k: None, like=Shape(type="integer"), required=False, nullable=True,
        description="fen per unit; none for a market order"))
    quantity: int = declare(Quantity())

    checks = (_priced,)


@dataclass(frozen=True, slots=True)
class CancelOrder(Command):
    kind: ClassVar[str] = "cancel_order"
    order: str = declare(OrderId())


@dataclass(frozen=True, slots=True)
class AmendOrder(Command):
    """Change a resting limit order. Lowering the quantity keeps its place in the queue; a
    new price (or more quantity) is a cancel and a new order, at the back of the queue."""

    kind: ClassVar[str] = "amend_order"
    order: str = declare(OrderId())
    price: int = declare(Price())
    quantity: int = declare(Quantity())


@dataclass(frozen=True, slots=True)
class PickOrder(Command):
    """Listing and picking (挂牌点选): take a listed order from the best five price levels of
    its side, at that order's price."""

    kind: ClassVar[str] = "pick_order"
    order: str = declare(OrderId())
    account: str = declare(Ref(prefix="A"))
    quantity: int = declare(Quantity())


def _two_sides(values: dict[str, Any], data: Mapping[str, Any]) -> None:
    if values["seller"] == values["buyer"]:
        raise InvalidInput("buyer and seller are the same account", field="buyer")


@dataclass(frozen=True, slots=True)
class ProposeBlockTrade(Command):
    """Block agreement (大宗协议): the seller proposes price and quantity to a named buyer
    account; its units are held until the buyer confirms or either side withdraws."""

    kind: ClassVar[str] = "propose_block_trade"
    instrument: str = declare(Instrument())
    seller: str = declare(Ref(prefix="A"))
    buyer: str = declare(Ref(prefix="A"))
    price: int = declare(Price())
    quantity: int = declare(Quantity())

    checks = (_two_sides,)


@dataclass(frozen=True, slots=True)
class ConfirmBlockTrade(Command):
    kind: ClassVar[str] = "confirm_block_trade"
    order: str = declare(OrderId())


@dataclass(frozen=True, slots=True)
class StartAuction(Command):
    """One-way auction (单向竞价): a seller offers a lot until ``ends_at`` (Unix ms) with a
    reserve price, and bids win by price (highest first), then time, each paying its own price;
    or, with ``side`` buy (单向竞买), a buyer asks for a lot with a ceiling price, and sellers'
    offers win by price (lowest first), then time, each paid its own price."""

    kind: ClassVar[str] = "start_auction"
    instrument: str = declare(Instrument())
    account: str = declare(Ref(prefix="A"))
    quantity: int = declare(Quantity())
    reserve_price: int = declare(Price(description="a sale's lowest price; a purchase's "
                                                   "highest (fen per unit)"))
    ends_at: int = declare(Whole(lo=1, hi=10**14, description="Unix milliseconds"))
    # (absent from sales, as journaled before it existed)
    side: Side = declare(Choice(kind=Side, required=False, absent=Side.SELL,
                                omit_if=Side.SELL), Side.SELL)


@dataclass(frozen=True, slots=True)
class BidAuction(Command):
    kind: ClassVar[str] = "bid_auction"
    auction: str = declare(OrderId())
    account: str = declare(Ref(prefix="A"))
    price: int = declare(Price())
    quantity: int = declare(Quantity())


@dataclass(frozen=True, slots=True)
class CloseAuction(Command):
    """After the window: allocate the lot to the best bids and release everything else."""

    kind: ClassVar[str] = "close_auction"
    auction: str = declare(OrderId())


class Phase(StrEnum):
    CONTINUOUS = "continuous"  # orders match as they arrive
    CALL = "call"  # orders are collected without matching, for an opening or closing auction
    HALTED = "halted"  # no orders


@dataclass(frozen=True, slots=True)
class SetPhase(Command):
    kind: ClassVar[str] = "set_phase"
    instrument: str = declare(Instrument())
    phase: Phase = declare(Choice(kind=Phase))
    reason: str = declare(Text(max_len=500))


@dataclass(frozen=True, slots=True)
class RunCallAuction(Command):
    """Uncross the collected book at one price: the most executable volume, then the least
    imbalance, then the price closest to the reference; then trade continuously."""

    kind: ClassVar[str] = "run_call_auction"
    instrument: str = declare(Instrument())


@dataclass(frozen=True, slots=True)
class CloseDay(Command):
    """End of the trading day: the close is the day's volume-weighted average price (as in
    the national market's listing mode) and becomes the reference for tomorrow's band."""

    kind: ClassVar[str] = "close_day"
    instrument: str = declare(Instrument())


MARKET_COMMANDS: tuple[type[Command], ...] = (CreateInstrument, SetReferencePrice, PlaceOrder,
                                              CancelOrder, AmendOrder, PickOrder,
                                              ProposeBlockTrade,
                                              ConfirmBlockTrade, StartAuction, BidAuction,
                                              CloseAuction, SetPhase, RunCallAuction, CloseDay,
                                              SetInstrumentRules)
