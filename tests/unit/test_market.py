"""The continuous double auction and its delivery-versus-payment settlement, on the pure books:
rules one by one, then random order streams against a reference model of price-time priority."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from qingshan.errors import (
    InsufficientFunds,
    InsufficientUnits,
    NotAccountOwner,
    QingshanError,
)
from qingshan.ledger.books import Router
from qingshan.ledger.domain.commands import (
    CreateAssetClass,
    IssueUnits,
    OpenAccount,
    RegisterParty,
)
from qingshan.ledger.domain.invariants import check_invariants
from qingshan.ledger.domain.model import (
    SYSTEM,
    AccountType,
    AssetKind,
    PartyKind,
    Principal,
    Role,
)
from qingshan.market.book import MarketBook, OffTick, OrderNotOpen, OrderStatus, OutsideBand
from qingshan.market.commands import (
    CURRENT_RULES,
    CancelOrder,
    ConfirmBlockTrade,
    CreateInstrument,
    Phase,
    PickOrder,
    PlaceOrder,
    ProposeBlockTrade,
    SetPhase,
    Side,
    StartAuction,
)
from tests.support.book import NOW_MS, fund, issue, make_book
from tests.support.search import search

# parties P000005.. and their accounts A00000007.. are made below
TRADERS = ["A00000007", "A00000008", "A00000009"]
KEYS = [Principal(f"k{i}", Role.MEMBER, f"P{5 + i:06d}") for i in range(3)]
FEES = "A00000010"


@dataclass
class Exchange:
    router: Router
    market: MarketBook

    def run(self, cmd: Any, actor: Principal = SYSTEM) -> dict[str, Any]:
        effects = self.router.apply(cmd, actor, 0)
        self.router.forget_undo()
        return effects.result


def make_exchange(fee_bps: int = 25, rules: int = CURRENT_RULES) -> Exchange:
    book = make_book()
    market = MarketBook()
    ex = Exchange(Router(book.state, [market]), market)
    ex.router.now_ms = NOW_MS
    for i in range(3):
        ex.run(RegisterParty(PartyKind.INDIVIDUAL,
                             f"trader {i}", None))
    for i in range(3):
        ex.run(OpenAccount(f"P{5 + i:06d}", AccountType.HOLDING, "trading"))
    ex.run(OpenAccount("P000001", AccountType.HOLDING, "fees"))
    for a in TRADERS:
        ex.run(issue(a, 10_000))
        ex.run(fund(a, 100_000_000))
    ex.run(CreateInstrument(id="CQCER-ALL", asset="CQCER", tick=1, lot=10, band_bps=1000,
                            reference_price=3000, max_order=100_000, fee_bps=fee_bps,
                            fee_account=FEES,
                            rules=rules))
    return ex


def order(i: int, side: str, price: int | None, qty: int, kind: str = "limit") -> PlaceOrder:
    payload: dict[str, Any] = {"instrument": "CQCER-ALL", "account": TRADERS[i], "side": side,
                               "order_type": kind, "quantity": qty}
    if price is not None:
        payload["price"] = price
    return PlaceOrder.from_payload(payload)


def test_crossing_orders_trade_at_the_resting_price_and_settle_both_legs() -> None:
    ex = make_exchange(fee_bps=25)
    ledger = ex.router.ledger
    ask = ex.run(order(0, "sell", 3000, 100), KEYS[0])
    assert ask["status"] == "open" and ask["fills"] == []
    r = ex.run(order(1, "buy", 3100, 60), KEYS[1])
    assert r["fills"] == [{"trade": 1, "price": 3000, "quantity": 60, "maker": ask["order"]}]
    value = 3000 * 60
    fee = value * 25 // 10_000
    assert ledger.active_quantity(TRADERS[1], "CQCER") == 10_060
    assert ledger.balance(TRADERS[1], "CNY") == 100_000_000 - value - fee
    assert ledger.available(TRADERS[1], "CNY") == ledger.balance(TRADERS[1], "CNY")
    assert ledger.balance(TRADERS[0], "CNY") == 100_000_000 + value - fee
    assert ledger.balance(FEES, "CNY") == 2 * fee
    assert ex.market.orders[ask["order"]].remaining == 40
    assert ledger.holds[ex.market.orders[ask["order"]].hold].quantity == 40
    assert check_invariants(ledger) == []


def test_price_then_time_priority() -> None:
    ex = make_exchange()
    a = ex.run(order(0, "sell", 3050, 10), KEYS[0])["order"]
    b = ex.run(order(2, "sell", 3000, 10), KEYS[2])["order"]
    c = ex.run(order(0, "sell", 3000, 10), KEYS[0])["order"]
    fills = ex.run(order(1, "buy", 3100, 30), KEYS[1])["fills"]
    assert [f["maker"] for f in fills] == [b, c, a]
    assert [f["price"] for f in fills] == [3000, 3000, 3050]


def test_ioc_and_market_orders_never_rest() -> None:
    ex = make_exchange()
    ex.run(order(0, "sell", 3000, 10), KEYS[0])
    r = ex.run(order(1, "buy", 3000, 30, "ioc"), KEYS[1])
    assert r["status"] == "cancelled" and r["remaining"] == 20
    m = ex.run(order(2, "sell", None, 20, "market"), KEYS[2])
    assert m["status"] == "cancelled" and m["fills"] == []
    assert ex.market.best("CQCER-ALL", Side.BUY) is None
    assert ex.router.ledger.available(TRADERS[1], "CNY") == \
        ex.router.ledger.balance(TRADERS[1], "CNY")


def test_self_trade_cancels_the_resting_order() -> None:
    ex = make_exchange()
    mine = ex.run(order(0, "sell", 3000, 10), KEYS[0])["order"]
    r = ex.run(order(0, "buy", 3000, 10), KEYS[0])
    assert r["fills"] == [] and r["status"] == "open"
    assert ex.market.orders[mine].status is OrderStatus.CANCELLED
    assert ex.router.ledger.active_quantity(TRADERS[0], "CQCER") == 10_000


def test_orders_outside_the_band_or_off_tick_are_refused_and_hold_nothing() -> None:
    ex = make_exchange()
    holds = dict(ex.router.ledger.holds)
    with pytest.raises(OutsideBand):
        ex.run(order(0, "sell", 3301, 10), KEYS[0])  # band is 2700..3300
    with pytest.raises(OffTick):
        ex.run(order(0, "sell", 3000, 15), KEYS[0])  # lot is 10
    with pytest.raises(InsufficientUnits):
        ex.run(order(0, "sell", 3000, 20_000), KEYS[0])
    with pytest.raises(InsufficientFunds):
        ex.run(order(0, "buy", 3000, 90_000), KEYS[0])
    with pytest.raises(NotAccountOwner):
        ex.run(order(0, "sell", 3000, 10), KEYS[1])
    assert ex.router.ledger.holds == holds and ex.market.orders == {}


def test_cancel_releases_the_hold_once() -> None:
    ex = make_exchange()
    oid = ex.run(order(1, "buy", 2900, 100), KEYS[1])["order"]
    assert ex.router.ledger.available(TRADERS[1], "CNY") < 100_000_000
    with pytest.raises(NotAccountOwner):
        ex.run(CancelOrder(oid), KEYS[0])
    ex.run(CancelOrder(oid), KEYS[1])
    assert ex.router.ledger.available(TRADERS[1], "CNY") == 100_000_000
    with pytest.raises(OrderNotOpen):
        ex.run(CancelOrder(oid), KEYS[1])


def freeze(ex: Exchange, account: str, status: str = "frozen") -> dict[str, Any]:
    from qingshan.ledger.domain.commands import SetAccountStatus
    from qingshan.ledger.domain.model import AccountStatus

    return ex.run(SetAccountStatus(account, AccountStatus(status), "inquiry"))


# ------------------------------------------------------------------------ random streams
@dataclass
class ModelOrder:
    id: str
    side: str
    price: int
    remaining: int
    party: int
    seq: int = field(default=0)


class MarketMachine(RuleBasedStateMachine):
    """Random orders, amends, cancels, picks, freezes and halts; a plain list model predicts
    every fill. Nothing leaves a frozen account and nothing fills while halted."""

    # the instrument's settlement rules (not ``rules``: Hypothesis sets that attribute of a
    # machine to its list of rules, so a machine that read it listed an instrument with a
    # list for rules, which ran as rules 2 whatever the class said)
    settlement_rules = CURRENT_RULES

    @initialize()
    def setup(self) -> None:
        self.ex = make_exchange(rules=self.settlement_rules)
        assert self.ex.market.instruments["CQCER-ALL"].rules == self.settlement_rules
        self.model: list[ModelOrder] = []
        self.frozen: dict[str, tuple[int, int]] = {}  # account -> (units, money) at freeze
        self.halted_at: int | None = None  # trades when the halt began
        self.band = self.ex.market.instruments["CQCER-ALL"].band()

    def expected_fills(self, i: int, side: str, price: int, qty: int) -> list[tuple[str, int,
                                                                                    int]]:
        opp = [o for o in self.model if o.side != side]
        opp.sort(key=lambda o: (o.price if side == "buy" else -o.price, int(o.id[1:])))
        fills, left = [], qty
        for o in opp:
            if not left:
                break
            if (side == "buy" and o.price > price) or (side == "sell" and o.price < price):
                break
            if o.party == i:
                self.model.remove(o)
                continue
            q = min(left, o.remaining)
            fills.append((o.id, o.price, q))
            o.remaining -= q
            left -= q
            if not o.remaining:
                self.model.remove(o)
        return fills

    @rule(i=st.integers(0, 2), side=st.sampled_from(["buy", "sell"]),
          price=st.integers(0, 12).map(lambda k: 2700 + 50 * k), lots=st.integers(1, 30),
          kind=st.sampled_from(["limit", "limit", "ioc", "market"]))
    def place(self, i: int, side: str, price: int, lots: int, kind: str) -> None:
        qty = lots * 10
        limit = price if kind != "market" else (self.band[1] if side == "buy" else self.band[0])
        try:
            r = self.ex.run(order(i, side, None if kind == "market" else price, qty, kind),
                            KEYS[i])
        except QingshanError:
            return
        saved = [ModelOrder(o.id, o.side, o.price, o.remaining, o.party) for o in self.model]
        expected = self.expected_fills(i, side, limit, qty)
        got = [(f["maker"], f["price"], f["quantity"]) for f in r["fills"]]
        assert got == expected, (saved, got, expected)
        left = qty - sum(q for _, _, q in expected)
        if left and kind == "limit":
            self.model.append(ModelOrder(r["order"], side, price, left, i))

    @rule(data=st.data(), lots=st.integers(1, 30),
          price=st.integers(0, 12).map(lambda k: 2700 + 50 * k), same_price=st.booleans())
    def amend(self, data: st.DataObject, lots: int, price: int, same_price: bool) -> None:
        from qingshan.market.commands import AmendOrder

        if not self.model:
            return
        o = data.draw(st.sampled_from(self.model))
        engine_order = self.ex.market.orders[o.id]
        filled = engine_order.quantity - engine_order.remaining
        new_price = o.price if same_price else price
        qty = filled + lots * 10
        try:
            r = self.ex.run(AmendOrder(o.id, new_price, qty), KEYS[o.party])
        except QingshanError:
            return
        if r["kept_priority"]:
            o.remaining = r["remaining"]
            return
        # cancelled and placed anew: it may trade at once, then rests at the back
        self.model.remove(o)
        expected = self.expected_fills(o.party, o.side, new_price, qty - filled)
        got = [(f["maker"], f["price"], f["quantity"]) for f in r["fills"]]
        assert got == expected
        left = qty - filled - sum(q for _, _, q in expected)
        if left:
            self.model.append(ModelOrder(r["order"], o.side, new_price, left, o.party))

    @rule(data=st.data())
    def cancel(self, data: st.DataObject) -> None:
        if self.model:
            o = data.draw(st.sampled_from(self.model))
            self.ex.run(CancelOrder(o.id), KEYS[o.party])
            self.model.remove(o)

    @precondition(lambda self: self.model)
    @rule(data=st.data(), j=st.integers(0, 2))
    def pick(self, data: st.DataObject, j: int) -> None:
        """Listing and picking: take a resting order at its price."""
        o = data.draw(st.sampled_from(self.model))
        lots = data.draw(st.integers(1, o.remaining // 10))
        try:
            r = self.ex.run(PickOrder(o.id, TRADERS[j], lots * 10), KEYS[j])
        except QingshanError:
            return
        assert self.halted_at is None and TRADERS[j] not in self.frozen
        assert (r["maker"], r["price"], r["quantity"]) == (o.id, o.price, lots * 10)
        o.remaining -= lots * 10
        if not o.remaining:
            self.model.remove(o)

    def holding(self, account: str) -> tuple[int, int]:
        ledger = self.ex.router.ledger
        held = sum(h.quantity for h in ledger.holds.values() if h.account == account
                   and h.asset == "CQCER" and h.status.value == "active")
        return ledger.active_quantity(account, "CQCER") + held, ledger.balance(account, "CNY")

    @precondition(lambda self: self.model)
    @rule(data=st.data())
    def freeze(self, data: st.DataObject) -> None:
        """The operator freezes the account of a trader with orders: they are cancelled."""
        i = data.draw(st.sampled_from(self.model)).party
        if self.settlement_rules < 3 or TRADERS[i] in self.frozen:
            return  # (older rules left them resting: replay only)
        r = freeze(self.ex, TRADERS[i])
        mine = sorted((o for o in self.model if o.party == i), key=lambda o: int(o.id[1:]))
        assert r.get("cancelled_orders", []) == [o.id for o in mine]
        self.model = [o for o in self.model if o.party != i]
        self.frozen[TRADERS[i]] = self.holding(TRADERS[i])

    @rule(i=st.integers(0, 2))
    def unfreeze(self, i: int) -> None:
        if TRADERS[i] in self.frozen:
            freeze(self.ex, TRADERS[i], "open")
            del self.frozen[TRADERS[i]]

    @rule(halt=st.booleans())
    def halt_or_resume(self, halt: bool) -> None:
        phase = Phase.HALTED if halt else Phase.CONTINUOUS
        self.ex.run(SetPhase("CQCER-ALL", phase, "operator"))
        self.halted_at = len(self.ex.market.trades) if halt else None

    @invariant()
    def nothing_leaves_a_frozen_account(self) -> None:
        for account, had in self.frozen.items():
            assert self.holding(account) == had, account
            assert not any(o.account == account and o.status is OrderStatus.OPEN
                           for o in self.ex.market.orders.values())

    @invariant()
    def nothing_fills_while_halted(self) -> None:
        if self.halted_at is not None:
            assert self.ex.market.instruments["CQCER-ALL"].phase is Phase.HALTED
            assert len(self.ex.market.trades) == self.halted_at

    @invariant()
    def book_never_crosses_and_trades_stay_in_band(self) -> None:
        bid = self.ex.market.best("CQCER-ALL", Side.BUY)
        ask = self.ex.market.best("CQCER-ALL", Side.SELL)
        assert bid is None or ask is None or bid < ask
        lo, hi = self.band
        assert all(lo <= t.price <= hi for t in self.ex.market.trades.values())

    @invariant()
    def units_and_money_are_conserved(self) -> None:
        ledger = self.ex.router.ledger
        assert check_invariants(ledger) == []
        assert sum(ledger.active_quantity(a, "CQCER") for a in TRADERS) + sum(
            h.quantity for h in ledger.holds.values()
            if h.status.value == "active" and h.asset == "CQCER") == 30_000
        assert sum(ledger.balance(a, "CNY") for a in [*TRADERS, FEES]) == 300_000_000

    @invariant()
    def every_hold_is_live_exactly_while_its_order_is_open(self) -> None:
        ledger = self.ex.router.ledger
        for o in self.ex.market.orders.values():
            if not o.hold:  # filled or cancelled at once: it never rested, so never held
                assert o.status is not OrderStatus.OPEN
                continue
            hold = ledger.holds[o.hold]
            if o.status is OrderStatus.OPEN:
                assert hold.status.value == "active"
                if o.side is Side.SELL:
                    assert hold.quantity == o.remaining
                else:
                    assert hold.quantity >= o.remaining * o.price
            else:
                assert hold.status.value != "active"
        assert sorted(o.id for o in self.model) == sorted(
            o.id for o in self.ex.market.orders.values() if o.status is OrderStatus.OPEN)


MarketMachine.TestCase.settings = search(0.6)
test_market_machine = MarketMachine.TestCase


class HoldFirstMarketMachine(MarketMachine):
    """The same, on an instrument listed under settlement rules 1 (hold all, then trade)."""

    settlement_rules = 1


HoldFirstMarketMachine.TestCase.settings = MarketMachine.TestCase.settings
test_hold_first_market_machine = HoldFirstMarketMachine.TestCase


def test_units_bought_today_can_be_sold_from_tomorrow_under_t_plus_one() -> None:
    ex = make_exchange()
    ex.run(CreateInstrument(id="CQCER-T1", asset="CQCER", tick=1, lot=1, band_bps=1000,
                            reference_price=3000, max_order=100_000, fee_bps=0, fee_account=FEES,
                            t_plus_one=True))
    ex.router.now_ms = 1_764_000_000_000  # a weekday morning
    t1 = {"instrument": "CQCER-T1", "quantity": 10_000, "order_type": "limit"}
    ex.run(PlaceOrder.from_payload({**t1, "account": TRADERS[0], "side": "sell",
                                    "price": 3000}), KEYS[0])
    ex.run(PlaceOrder.from_payload({**t1, "account": TRADERS[1], "side": "buy",
                                    "price": 3000}), KEYS[1])
    assert ex.router.ledger.active_quantity(TRADERS[1], "CQCER") == 20_000
    resell = {**t1, "account": TRADERS[1], "side": "sell", "price": 3000, "quantity": 10_010}
    with pytest.raises(InsufficientUnits) as exc:
        ex.run(PlaceOrder.from_payload(resell), KEYS[1])
    assert exc.value.data["sellable"] == 10_000 and exc.value.data["bought_today"] == 10_000
    ex.run(PlaceOrder.from_payload({**resell, "quantity": 10_000}), KEYS[1])  # what it had
    ex.router.now_ms += 24 * 3600 * 1000  # the next trading day
    ex.run(PlaceOrder.from_payload({**resell, "quantity": 10_000}), KEYS[1])


def test_listing_and_picking_takes_a_chosen_order_at_its_price() -> None:
    from qingshan.market.commands import PickOrder

    ex = make_exchange()
    ids = [ex.run(order(0, "sell", 3000 + 10 * k, 20), KEYS[0])["order"] for k in range(7)]
    r = ex.run(PickOrder(ids[3], TRADERS[1], 10), KEYS[1])
    assert (r["price"], r["quantity"], r["maker"]) == (3030, 10, ids[3])
    assert ex.market.orders[ids[3]].remaining == 10
    with pytest.raises(QingshanError):  # the sixth level is beyond the best five
        ex.run(PickOrder(ids[5], TRADERS[1], 10), KEYS[1])
    with pytest.raises(QingshanError):  # its own order
        ex.run(PickOrder(ids[0], TRADERS[0], 10), KEYS[0])
    ex.run(PickOrder(ids[3], TRADERS[2], 10), KEYS[2])
    assert ex.market.orders[ids[3]].status is OrderStatus.FILLED
    assert ex.market.best("CQCER-ALL", Side.SELL) == 3000
    assert check_invariants(ex.router.ledger) == []


def test_block_agreement_settles_only_when_the_named_buyer_confirms() -> None:
    from qingshan.market.commands import ConfirmBlockTrade, ProposeBlockTrade

    ex = make_exchange()
    with pytest.raises(OutsideBand):  # the block band is ±30 % around 30.00
        ex.run(ProposeBlockTrade("CQCER-ALL", TRADERS[0], TRADERS[1], 3901, 5000), KEYS[0])
    p = ex.run(ProposeBlockTrade("CQCER-ALL", TRADERS[0], TRADERS[1], 3800, 5000), KEYS[0])
    assert ex.router.ledger.active_quantity(TRADERS[0], "CQCER") == 5000  # 5000 held
    assert ex.market.best("CQCER-ALL", Side.SELL) is None  # never on the book
    with pytest.raises(NotAccountOwner):
        ex.run(ConfirmBlockTrade(p["order"]), KEYS[2])
    r = ex.run(ConfirmBlockTrade(p["order"]), KEYS[1])
    assert (r["price"], r["quantity"]) == (3800, 5000)
    assert ex.router.ledger.active_quantity(TRADERS[1], "CQCER") == 15_000
    with pytest.raises(OrderNotOpen):
        ex.run(ConfirmBlockTrade(p["order"]), KEYS[1])
    q = ex.run(ProposeBlockTrade("CQCER-ALL", TRADERS[0], TRADERS[2], 2500, 1000), KEYS[0])
    ex.run(CancelOrder(q["order"]), KEYS[0])  # withdrawn: the units come back
    assert ex.router.ledger.active_quantity(TRADERS[0], "CQCER") == 5000
    assert check_invariants(ex.router.ledger) == []


def test_order_rate_and_position_limits() -> None:
    from qingshan.market.book import PositionLimit, RateLimited

    ex = make_exchange()
    ex.run(CreateInstrument(id="CQCER-LIM", asset="CQCER", tick=1, lot=1, band_bps=1000,
                            reference_price=3000, max_order=100_000, fee_bps=0, fee_account=FEES,
                            max_position=10_500, max_orders_per_minute=3))
    ex.router.now_ms = 1_764_000_000_000
    lim = {"instrument": "CQCER-LIM", "order_type": "limit"}

    def place(i: int, side: str, price: int, qty: int) -> dict[str, Any]:
        return ex.run(PlaceOrder.from_payload({**lim, "account": TRADERS[i], "side": side,
                                               "price": price, "quantity": qty}), KEYS[i])

    with pytest.raises(PositionLimit):  # holds 10,000 already: may bid for 500 more
        place(1, "buy", 2900, 501)
    place(1, "buy", 2900, 300)
    with pytest.raises(PositionLimit):
        place(1, "buy", 2900, 201)
    place(1, "buy", 2900, 200)
    place(1, "sell", 3100, 10)  # the third order this minute (refused ones do not count)
    with pytest.raises(RateLimited):
        place(1, "sell", 3100, 10)
    ex.router.now_ms += 60_000  # a new minute
    place(1, "sell", 3100, 10)


def test_one_way_auction_allocates_by_price_then_time_and_releases_the_rest() -> None:
    from qingshan.market.commands import BidAuction, CloseAuction, StartAuction

    ex = make_exchange(fee_bps=0)
    ledger = ex.router.ledger
    ex.router.now_ms = 1_764_000_000_000
    ends = ex.router.now_ms + 3_600_000
    # (every price inside the band of 27.00 to 33.00)
    a = ex.run(StartAuction("CQCER-ALL", TRADERS[0], 1000, 2800, ends), KEYS[0])["auction"]
    with pytest.raises(OutsideBand):
        ex.run(BidAuction(a, TRADERS[1], 2790, 100), KEYS[1])  # below the reserve
    b1 = ex.run(BidAuction(a, TRADERS[1], 2900, 600), KEYS[1])["bid"]
    b2 = ex.run(BidAuction(a, TRADERS[2], 3000, 500), KEYS[2])["bid"]
    b3 = ex.run(BidAuction(a, TRADERS[2], 2900, 300), KEYS[2])["bid"]
    with pytest.raises(OrderNotOpen):
        ex.run(CloseAuction(a))  # the window is still open
    ex.router.now_ms = ends
    with pytest.raises(OrderNotOpen):
        ex.run(BidAuction(a, TRADERS[1], 3000, 10), KEYS[1])  # too late
    r = ex.run(CloseAuction(a))
    assert [(w["bid"], w["price"], w["quantity"]) for w in r["awards"]] == [
        (b2, 3000, 500), (b1, 2900, 500)]
    assert r["unsold"] == 0
    assert ex.market.orders[b3].status is OrderStatus.CANCELLED
    assert ledger.balance(TRADERS[0], "CNY") == 100_000_000 + 3000 * 500 + 2900 * 500
    assert ledger.available(TRADERS[2], "CNY") == ledger.balance(TRADERS[2], "CNY")
    assert ledger.available(TRADERS[1], "CNY") == ledger.balance(TRADERS[1], "CNY")
    assert check_invariants(ledger) == []


def test_a_buyers_auction_takes_the_cheapest_offers_first_and_releases_the_rest() -> None:
    """单向竞买: a buyer asks for 300 units at no more than 30.00; offers win lowest first."""
    from qingshan.market.commands import BidAuction, CloseAuction

    ex = make_exchange(fee_bps=0)
    ledger = ex.router.ledger
    ex.router.now_ms = 1_764_000_000_000
    ends = ex.router.now_ms + 3_600_000
    start = StartAuction.from_payload({"instrument": "CQCER-ALL", "account": TRADERS[0],
                                       "quantity": 300, "reserve_price": 3000, "ends_at": ends,
                                       "side": "buy"})
    a = ex.run(start, KEYS[0])["auction"]
    assert ex.market.orders[a].side is Side.BUY
    assert ledger.available(TRADERS[0], "CNY") == 100_000_000 - 300 * 3000  # money held
    with pytest.raises(OutsideBand):
        ex.run(BidAuction(a, TRADERS[1], 3010, 100), KEYS[1])  # above the ceiling
    o1 = ex.run(BidAuction(a, TRADERS[1], 2950, 200), KEYS[1])["bid"]
    o2 = ex.run(BidAuction(a, TRADERS[2], 2900, 200), KEYS[2])["bid"]
    assert ledger.active_quantity(TRADERS[1], "CQCER") == 10_000 - 200  # units held
    ex.router.now_ms = ends
    r = ex.run(CloseAuction(a))
    assert [(w["bid"], w["price"], w["quantity"]) for w in r["awards"]] == [
        (o2, 2900, 200), (o1, 2950, 100)]
    assert ledger.active_quantity(TRADERS[0], "CQCER") == 10_000 + 300
    assert ledger.active_quantity(TRADERS[1], "CQCER") == 10_000 - 100  # the rest returned
    assert ledger.balance(TRADERS[0], "CNY") == 100_000_000 - 2900 * 200 - 2950 * 100
    assert ledger.available(TRADERS[0], "CNY") == ledger.balance(TRADERS[0], "CNY")
    assert all(h.status.value != "active" for h in ledger.holds.values())
    assert check_invariants(ledger) == []


def test_an_auction_without_bids_returns_the_lot() -> None:
    from qingshan.market.commands import CloseAuction, StartAuction

    ex = make_exchange()
    ex.router.now_ms = 1_764_000_000_000
    a = ex.run(StartAuction("CQCER-ALL", TRADERS[0], 1000, 2800,
                            ex.router.now_ms + 1000), KEYS[0])["auction"]
    ex.router.now_ms += 1000
    assert ex.run(CloseAuction(a))["unsold"] == 1000
    assert ex.router.ledger.active_quantity(TRADERS[0], "CQCER") == 10_000


def test_call_auction_uncrosses_at_the_price_of_most_volume() -> None:
    from qingshan.market.commands import Phase, RunCallAuction, SetPhase

    ex = make_exchange(fee_bps=0)
    ex.run(SetPhase("CQCER-ALL", Phase.CALL, "opening call"))
    # collected without matching, even though they cross
    ex.run(order(1, "buy", 3100, 30), KEYS[1])
    ex.run(order(2, "buy", 3000, 20), KEYS[2])
    ex.run(order(0, "sell", 2950, 20), KEYS[0])
    ex.run(order(0, "sell", 3000, 40), KEYS[0])
    assert ex.market.trades == {}
    with pytest.raises(QingshanError):  # the book crosses: continuous trading must wait
        ex.run(SetPhase("CQCER-ALL", Phase.CONTINUOUS, "open"))
    # at 3000: demand 50, supply 60 -> 50; at 2950: demand 50, supply 20 -> 20; at 3100:
    # demand 30, supply 60 -> 30. So 3000 with 50 units.
    r = ex.run(RunCallAuction("CQCER-ALL"))
    assert (r["price"], r["volume"]) == (3000, 50)
    assert {t.price for t in ex.market.trades.values()} == {3000}
    assert all(t.aggressor == "call" for t in ex.market.trades.values())
    assert ex.market.best("CQCER-ALL", Side.BUY) is None
    assert ex.market.best("CQCER-ALL", Side.SELL) == 3000  # 10 units left, continuous now
    assert ex.market.instruments["CQCER-ALL"].phase is Phase.CONTINUOUS
    assert check_invariants(ex.router.ledger) == []


def test_call_price_prefers_least_imbalance_then_the_reference() -> None:
    from qingshan.market.commands import Phase, RunCallAuction, SetPhase

    ex = make_exchange(fee_bps=0)  # reference price 3000
    ex.run(SetPhase("CQCER-ALL", Phase.CALL, "closing call"))
    ex.run(order(1, "buy", 3050, 10), KEYS[1])
    ex.run(order(0, "sell", 2950, 10), KEYS[0])
    # every price from 2950 to 3050 executes 10 with no imbalance: the reference wins
    assert ex.run(RunCallAuction("CQCER-ALL"))["price"] == 3000


def test_the_days_vwap_becomes_the_close_and_the_next_reference() -> None:
    from qingshan.market.commands import CloseDay

    ex = make_exchange(fee_bps=0)
    ex.router.now_ms = 1_764_000_000_000
    ex.run(order(0, "sell", 3000, 10), KEYS[0])
    ex.run(order(0, "sell", 3100, 30), KEYS[0])
    ex.run(order(1, "buy", 3100, 40), KEYS[1])
    r = ex.run(CloseDay("CQCER-ALL"))
    assert r["vwap"] == (3000 * 10 + 3100 * 30) // 40 == 3075
    assert r["close"] == 3075 and ex.market.instruments["CQCER-ALL"].reference_price == 3075
    ex.router.now_ms += 86_400_000  # a day without trades keeps the reference
    assert ex.run(CloseDay("CQCER-ALL"))["close"] == 3075


def test_amend_down_keeps_priority_and_a_new_price_goes_to_the_back() -> None:
    from qingshan.market.commands import AmendOrder

    ex = make_exchange()
    a = ex.run(order(0, "sell", 3000, 50), KEYS[0])["order"]
    b = ex.run(order(2, "sell", 3000, 50), KEYS[2])["order"]
    r = ex.run(AmendOrder(a, 3000, 30), KEYS[0])
    assert r["kept_priority"] and r["remaining"] == 30
    assert ex.router.ledger.holds[ex.market.orders[a].hold].quantity == 30
    fills = ex.run(order(1, "buy", 3000, 40), KEYS[1])["fills"]
    assert [(f["maker"], f["quantity"]) for f in fills] == [(a, 30), (b, 10)]
    c = ex.run(order(0, "sell", 3000, 20), KEYS[0])["order"]
    moved = ex.run(AmendOrder(b, 2990, 50), KEYS[2])  # 10 filled already: 40 more at 29.90
    assert not moved["kept_priority"] and moved["replaces"] == b
    assert ex.market.orders[b].status is OrderStatus.CANCELLED
    fills = ex.run(order(1, "buy", 3000, 50), KEYS[1])["fills"]
    assert [f["maker"] for f in fills] == [moved["order"], c]
    with pytest.raises(NotAccountOwner):
        ex.run(AmendOrder(c, 3000, 5), KEYS[1])
    assert check_invariants(ex.router.ledger) == []


def test_an_instrument_for_a_category_trades_only_units_of_that_category() -> None:
    ex = make_exchange()
    ledger = ex.router.ledger
    forestry = IssueUnits(asset="CQCER", project="CQ0009", vintage=2022,
                          monitoring_start="2022-01-01", monitoring_end="2022-12-31", reference="",
                          allocations=((TRADERS[0], 300),), category="forestry")
    ex.run(forestry)
    ex.run(IssueUnits(asset="CQCER", project="CQ0010", vintage=2020, monitoring_start="2020-01-01",
                      monitoring_end="2020-12-31", reference="",
                      allocations=((TRADERS[2], 400),), category="energy"))
    ex.run(CreateInstrument.from_payload({
        "id": "CQCER-FOREST", "asset": "CQCER", "tick": 1, "lot": 1, "band_bps": 1000,
        "reference_price": 3000, "max_order": 100_000, "fee_bps": 0, "fee_account": FEES,
        "categories": ["forestry"]}))
    assert ex.market.instruments["CQCER-FOREST"].categories == ("forestry",)
    forest = {"instrument": "CQCER-FOREST", "order_type": "limit", "price": 3000}
    with pytest.raises(InsufficientUnits) as refused:  # 10,400 units, none of them forestry
        ex.run(PlaceOrder.from_payload({**forest, "account": TRADERS[2], "side": "sell",
                                        "quantity": 1}), KEYS[2])
    assert refused.value.data["categories"] == ["forestry"]
    with pytest.raises(InsufficientUnits):  # 10,300 units, 300 of them forestry
        ex.run(PlaceOrder.from_payload({**forest, "account": TRADERS[0], "side": "sell",
                                        "quantity": 301}), KEYS[0])
    ask = ex.run(PlaceOrder.from_payload({**forest, "account": TRADERS[0], "side": "sell",
                                          "quantity": 200}), KEYS[0])
    held = [b for b in ledger.blocks.values() if b.hold == ex.market.orders[ask["order"]].hold]
    assert {ledger.issuances[b.issuance].category for b in held} == {"forestry"}
    ex.run(PlaceOrder.from_payload({**forest, "account": TRADERS[1], "side": "buy",
                                    "quantity": 150}), KEYS[1])
    # an incoming sell settles from its own account: forestry units only, too
    ex.run(PlaceOrder.from_payload({**forest, "account": TRADERS[1], "side": "buy",
                                    "quantity": 100}), KEYS[1])
    ex.run(PlaceOrder.from_payload({**forest, "account": TRADERS[0], "side": "sell",
                                    "price": 2900, "quantity": 100}), KEYS[0])
    bought = [b for b in ledger.active_blocks(TRADERS[1], "CQCER")
              if ledger.issuances[b.issuance].category == "forestry"]
    assert sum(b.quantity for b in bought) == 250
    assert check_invariants(ledger) == []


def test_an_instrument_for_a_vintage_range_trades_only_those_units() -> None:
    ex = make_exchange()
    ex.run(issue(TRADERS[0], 500, vintage=2021))
    ex.run(CreateInstrument(id="CQCER-2021", asset="CQCER", tick=1, lot=1, band_bps=1000,
                            reference_price=3000, max_order=100_000, fee_bps=0, fee_account=FEES,
                            vintage_from=2021, vintage_to=2021))
    v21 = {"instrument": "CQCER-2021", "order_type": "limit", "price": 3000}
    with pytest.raises(InsufficientUnits):  # holds 10,500 units, but only 500 of 2021
        ex.run(PlaceOrder.from_payload({**v21, "account": TRADERS[0], "side": "sell",
                                        "quantity": 600}), KEYS[0])
    ex.run(PlaceOrder.from_payload({**v21, "account": TRADERS[0], "side": "sell",
                                    "quantity": 500}), KEYS[0])
    ex.run(PlaceOrder.from_payload({**v21, "account": TRADERS[1], "side": "buy",
                                    "quantity": 500}), KEYS[1])
    got = [b for b in ex.router.ledger.active_blocks(TRADERS[1], "CQCER") if b.vintage == 2021]
    assert sum(b.quantity for b in got) == 500
    with pytest.raises(QingshanError):
        CreateInstrument.from_payload({"id": "X-1", "asset": "CQCER", "tick": 1, "lot": 1,
                                       "band_bps": 10, "reference_price": 10, "max_order": 1,
                                       "fee_bps": 0, "fee_account": FEES,
                                       "vintage_from": 2023})


@search(0.6)
@given(lot=st.integers(1, 60), bids=st.lists(
    st.tuples(st.integers(1, 2), st.integers(2800, 2900), st.integers(1, 30)), max_size=12))
def test_one_way_auction_awards_by_price_then_time_and_settles_or_releases_every_hold(
        lot: int, bids: list[tuple[int, int, int]]) -> None:
    from qingshan.market.commands import BidAuction, CloseAuction, StartAuction

    ex = make_exchange(fee_bps=25)
    ledger = ex.router.ledger
    ex.router.now_ms = 1_764_000_000_000
    a = ex.run(StartAuction("CQCER-ALL", TRADERS[0], lot * 10, 2800,
                            ex.router.now_ms + 60_000), KEYS[0])["auction"]
    placed = []
    for i, price, lots in bids:
        try:
            b = ex.run(BidAuction(a, TRADERS[i], price, min(lots, lot) * 10), KEYS[i])["bid"]
        except QingshanError:
            continue
        placed.append((b, price, min(lots, lot) * 10))
    ex.router.now_ms += 60_000
    r = ex.run(CloseAuction(a))
    awarded = sum(w["quantity"] for w in r["awards"])
    assert awarded + r["unsold"] == lot * 10
    order = sorted(placed, key=lambda b: (-b[1], int(b[0][1:])))
    left, expected = lot * 10, []
    for bid, price, qty in order:
        if left:
            expected.append((bid, price, min(qty, left)))
            left -= min(qty, left)
    assert [(w["bid"], w["price"], w["quantity"]) for w in r["awards"]] == expected
    assert all(h.status.value != "active" for h in ledger.holds.values())
    assert check_invariants(ledger) == []
    assert sum(ledger.balance(a_, "CNY") for a_ in [*TRADERS, FEES]) == 300_000_000


def test_instruments_keep_the_settlement_rules_they_were_listed_under() -> None:
    ex = make_exchange()
    listed_before = {"id": "CQCER-OLD", "asset": "CQCER", "tick": 1, "lot": 10,
                     "band_bps": 1000, "reference_price": 3000, "max_order": 100_000,
                     "fee_bps": 25, "fee_account": FEES}
    old = CreateInstrument.from_payload(listed_before)  # journaled before rules existed
    assert old.rules == 1 and "rules" not in old.to_payload()  # its entry replays unchanged
    ex.run(old)
    assert ex.market.instruments["CQCER-ALL"].rules == CURRENT_RULES
    ledger = ex.router.ledger
    for instrument, held_at_once in (("CQCER-OLD", True), ("CQCER-ALL", False)):
        body = {"instrument": instrument, "order_type": "limit", "price": 3000,
                "quantity": 100}
        ex.run(PlaceOrder.from_payload({**body, "account": TRADERS[0], "side": "sell"}),
               KEYS[0])
        taker = ex.run(PlaceOrder.from_payload({**body, "account": TRADERS[1],
                                                "side": "buy"}), KEYS[1])
        assert taker["status"] == "filled"
        # rules 1: the incoming order held all of it first, then settled from that hold;
        # rules 2 and later: it settled straight from its account and never held anything
        assert bool(taker["hold"]) is held_at_once
        if held_at_once:
            assert ledger.holds[taker["hold"]].status.value != "active"
    assert check_invariants(ledger) == []


def test_a_forest_coverage_indicator_trades_on_its_own_instrument() -> None:
    """Any serialized asset class lists: here area of forest above a district's target (亩),
    sold by one district to another that is below its target."""
    ex = make_exchange()
    ex.run(CreateAssetClass("FCI", AssetKind.SERIALIZED, "mu", "森林面积指标", "Chongqing"))
    ex.run(IssueUnits(asset="FCI", project="FC500241", vintage=2025, monitoring_start="2025-01-01",
                      monitoring_end="2025-12-31", reference="surplus 2025",
                      allocations=((TRADERS[0], 5_000),)))
    # 2,500 yuan a mu: Jiulongpo bought 15,000 mu from Chengkou for 37.5 M yuan on 2019-11-05
    # (xsdnews.net/nongyenongcun/102097.html, via ../shared/research/markets.md §1c)
    ex.run(CreateInstrument(id="FCI-CQ", asset="FCI", tick=100, lot=100, band_bps=1000,
                            reference_price=250_000, max_order=100_000, fee_bps=0,
                            fee_account=FEES))
    body = {"instrument": "FCI-CQ", "order_type": "limit", "price": 250_000, "quantity": 200}
    ex.run(PlaceOrder.from_payload({**body, "account": TRADERS[0], "side": "sell"}), KEYS[0])
    r = ex.run(PlaceOrder.from_payload({**body, "account": TRADERS[1], "side": "buy"}), KEYS[1])
    assert r["status"] == "filled"
    ledger = ex.router.ledger
    assert ledger.active_quantity(TRADERS[1], "FCI") == 200
    assert ledger.active_quantity(TRADERS[1], "CQCER") == 10_000  # credits untouched
    assert check_invariants(ledger) == []


def test_the_treasury_cannot_buy_even_an_order_that_would_fill_at_once() -> None:
    """A treasury's balance may go negative (it issues money), so it never trades: an incoming
    order is checked as if it were to be held, whether or not it rests."""
    ex = make_exchange()
    ex.run(order(0, "sell", 3000, 100), KEYS[0])
    ledger = ex.router.ledger
    before = dict(ledger.balances)
    operator = Principal("op", Role.OPERATOR, "P000001")
    with pytest.raises(QingshanError) as refused:
        ex.run(PlaceOrder.from_payload({"instrument": "CQCER-ALL", "account": "A00000003",
                                        "side": "buy", "order_type": "ioc", "price": 3000,
                                        "quantity": 100}), operator)
    assert refused.value.code == "wrong_account_type"
    assert ledger.balances == before


def beijing_ms(day: str, clock: str) -> int:
    """Unix ms of a Beijing wall-clock time."""
    import datetime as dt

    when = dt.datetime.fromisoformat(f"{day}T{clock}:00+08:00")
    return int(when.timestamp() * 1000)


def test_orders_outside_the_trading_sessions_are_refused_and_cancels_are_not() -> None:
    ex = make_exchange()
    ex.run(CreateInstrument.from_payload({
        "id": "CQCER-SESS", "asset": "CQCER", "tick": 1, "lot": 1, "band_bps": 1000,
        "reference_price": 3000, "max_order": 100_000, "fee_bps": 0, "fee_account": FEES,
        "rules": 2, "sessions": [["09:15", "11:30"], ["13:00", "15:00"]]}))
    sell = PlaceOrder.from_payload({"instrument": "CQCER-SESS", "account": TRADERS[0],
                                    "side": "sell", "order_type": "limit", "price": 3000,
                                    "quantity": 10})
    for day, clock in [("2026-11-25", "08:59"), ("2026-11-25", "11:30"),
                       ("2026-11-25", "12:10"), ("2026-11-25", "15:00"),
                       ("2026-11-28", "10:00")]:  # a Saturday
        ex.router.now_ms = beijing_ms(day, clock)
        with pytest.raises(QingshanError) as refused:
            ex.run(sell, KEYS[0])
        assert refused.value.code == "outside_trading_hours", (day, clock)
    ex.router.now_ms = beijing_ms("2026-11-25", "09:15")  # a Wednesday, the session opens
    placed = ex.run(sell, KEYS[0])["order"]
    ex.router.now_ms = beijing_ms("2026-11-25", "20:00")
    assert ex.run(CancelOrder(placed), KEYS[0])["status"] == "cancelled"


def test_an_instrument_offers_only_the_modes_it_enables_and_charges_each_its_fee() -> None:
    ex = make_exchange()
    ex.run(CreateInstrument.from_payload({
        "id": "CQCER-LIST", "asset": "CQCER", "tick": 1, "lot": 1, "band_bps": 1000,
        "reference_price": 3000, "max_order": 100_000, "fee_bps": 30, "fee_account": FEES,
        "rules": 2, "modes": ["block", "pick"], "mode_fees": {"block": 10}}))
    inst = ex.market.instruments["CQCER-LIST"]
    assert inst.modes == ("pick", "block") and inst.fee(10_000, "block") == 10
    assert inst.fee(10_000, "pick") == 30 and inst.reserve_fee(10_000) == 30
    listing = {"instrument": "CQCER-LIST", "order_type": "limit", "quantity": 100}
    ask = ex.run(PlaceOrder.from_payload({**listing, "account": TRADERS[0], "side": "sell",
                                          "price": 2900}), KEYS[0])
    bid = ex.run(PlaceOrder.from_payload({**listing, "account": TRADERS[1], "side": "buy",
                                          "price": 3000}), KEYS[1])
    # listed, not matched: without continuous trading a crossing order waits to be picked
    assert ask["status"] == bid["status"] == "open" and bid["fills"] == []
    picked = ex.run(PickOrder(ask["order"], TRADERS[2], 40), KEYS[2])
    trade = ex.market.trades[picked["trade"]]
    assert (trade.price, trade.buyer_fee) == (2900, 40 * 2900 * 30 // 10_000)
    block = ex.run(ProposeBlockTrade("CQCER-LIST", TRADERS[0], TRADERS[2], 3000, 500),
                   KEYS[0])
    done = ex.run(ConfirmBlockTrade(block["order"]), KEYS[2])
    assert ex.market.trades[done["trade"]].seller_fee == 500 * 3000 * 10 // 10_000
    for cmd, key in [(StartAuction("CQCER-LIST", TRADERS[0], 10, 2800, 10**13), KEYS[0]),
                     (SetPhase("CQCER-LIST", Phase.CALL, "open"), SYSTEM)]:
        with pytest.raises(QingshanError) as refused:
            ex.run(cmd, key)
        assert refused.value.code == "mode_not_enabled"
    assert check_invariants(ex.router.ledger) == []


@search(0.4)
@given(st.lists(st.tuples(st.integers(0, 2), st.sampled_from(["buy", "sell"]),
                          st.integers(2950, 3050), st.integers(1, 30),
                          st.sampled_from(["limit", "limit", "ioc"])), min_size=1, max_size=40),
       st.integers(0, 40), st.data())
def test_rolling_back_restores_the_book_and_the_ledger_exactly(
        stream: list[tuple[int, str, int, int, str]], keep: int, data: st.DataObject) -> None:
    """A refused batch or a failed write undoes orders that matched, rested and cancelled:
    the engine's levels and queues, the orders, trades, holds and blocks come back as they
    were (the sequencer relies on it)."""
    ex = make_exchange()
    router = ex.router

    def apply(i: int, side: str, price: int, lots: int, kind: str) -> None:
        with contextlib.suppress(QingshanError):  # refused: checked before anything changes
            router.apply(order(i, side, price - price % 10, lots * 10, kind), KEYS[i], 0)

    for item in stream[:keep]:
        apply(*item)
    router.forget_undo()
    def state() -> tuple[Any, ...]:  # copies: the books' own dicts change and come back
        market = tuple(dict(x) if isinstance(x, dict) else x for x in ex.market.snapshot())
        ledger = router.ledger
        return (market, dict(ledger.blocks), dict(ledger.holds), dict(ledger.balances),
                dict(ledger.held_funds), dict(ledger.counters),
                {k: list(v) for k, v in ledger._active.items() if v})

    before = state()
    mark = router.mark()
    for item in stream[keep:]:
        apply(*item)
    open_orders = [o.id for o in ex.market.orders.values() if o.status is OrderStatus.OPEN]
    if open_orders:
        victim = data.draw(st.sampled_from(open_orders))
        o = ex.market.orders[victim]
        router.apply(CancelOrder(victim), KEYS[TRADERS.index(o.account)], 0)
    router.rollback_to(mark)
    assert state() == before
    assert router.ledger.index_problems() == []


@pytest.mark.parametrize(("extra", "field"), [
    ({"sessions": [["09:30", "09:00"]]}, "sessions"),           # ends before it starts
    ({"sessions": [["09:00", "11:30"], ["11:00", "15:00"]]}, "sessions"),  # overlapping
    ({"sessions": [["9:30", "11:30"]]}, "sessions"),            # not HH:MM
    ({"sessions": []}, "sessions"),
    ({"modes": ["continuous", "barter"]}, "modes"),
    ({"modes": []}, "modes"),
    ({"mode_fees": {"block": 1001}}, "mode_fees"),
    ({"mode_fees": {"swap": 10}}, "mode_fees"),
    ({"categories": ["Forestry"]}, "categories"),
    ({"rules": CURRENT_RULES + 1}, "rules"),
])
def test_an_instrument_with_a_bad_schedule_is_refused_naming_the_field(
        extra: dict[str, Any], field: str) -> None:
    body = {"id": "CQCER-BAD", "asset": "CQCER", "tick": 1, "lot": 1, "band_bps": 1000,
            "reference_price": 3000, "max_order": 100, "fee_bps": 0, "fee_account": FEES}
    with pytest.raises(QingshanError) as refused:
        CreateInstrument.from_payload({**body, **extra})
    assert refused.value.status == 422 and refused.value.data["field"] == field
