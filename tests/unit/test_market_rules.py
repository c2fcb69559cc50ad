"""The exchange's rules that no request may walk around, on the pure books: a freeze cancels
a frozen account's orders, a halt stops every mode, every price keeps to the band, the close
counts only the order book's prices, T+1 counts per party, only public order types, amends
keep to the lot; and how instruments listed under older rules replay (docs/market.md)."""

from __future__ import annotations

from typing import Any

import pytest

from qingshan.errors import InsufficientUnits, InvalidInput, QingshanError
from qingshan.ledger.domain.commands import OpenAccount
from qingshan.ledger.domain.invariants import check_invariants
from qingshan.ledger.domain.model import SYSTEM, AccountType, Principal
from qingshan.market.book import OffTick, OrderNotOpen, OrderStatus, OutsideBand
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
from tests.unit.test_market import FEES, KEYS, TRADERS, Exchange, freeze, make_exchange, order


def test_freezing_an_account_cancels_its_open_orders_with_a_reason_and_nothing_fills() -> None:
    from qingshan.market.commands import BidAuction

    ex = make_exchange(fee_bps=0)
    ledger = ex.router.ledger
    ex.router.now_ms = 1_764_000_000_000
    ends = ex.router.now_ms + 3_600_000
    ask = ex.run(order(0, "sell", 3000, 100), KEYS[0])["order"]
    bid = ex.run(order(0, "buy", 2800, 100), KEYS[0])["order"]
    block = ex.run(ProposeBlockTrade("CQCER-ALL", TRADERS[0], TRADERS[1], 3000, 500),
                   KEYS[0])["order"]
    lot = ex.run(StartAuction("CQCER-ALL", TRADERS[0], 200, 2900, ends), KEYS[0])["auction"]
    their_bid = ex.run(BidAuction(lot, TRADERS[1], 2950, 100), KEYS[1])["bid"]
    other = ex.run(StartAuction("CQCER-ALL", TRADERS[2], 100, 2900, ends), KEYS[2])["auction"]
    my_bid = ex.run(BidAuction(other, TRADERS[0], 3000, 100), KEYS[0])["bid"]
    r = freeze(ex, TRADERS[0])
    assert r["cancelled_orders"] == [ask, bid, block, lot, my_bid]
    for oid in (ask, bid, block, lot, my_bid, their_bid):  # the lot's bids go with it
        o = ex.market.orders[oid]
        assert o.status is OrderStatus.CANCELLED, oid
        assert o.reason == ("auction_withdrawn" if oid == their_bid else "account_frozen")
        assert not any(h.status.value == "active" for h in ledger.holds.values()
                       if h.id == o.hold)
    assert ledger.active_quantity(TRADERS[0], "CQCER") == 10_000
    assert ledger.available(TRADERS[0], "CNY") == 100_000_000
    assert ex.market.best("CQCER-ALL", Side.SELL) is None  # the buyer finds nothing to take
    assert ex.run(order(1, "buy", 3000, 100), KEYS[1])["fills"] == []
    with pytest.raises(OrderNotOpen):
        ex.run(ConfirmBlockTrade(block), KEYS[1])
    assert ex.market.trades == {}
    assert "cancelled_orders" not in freeze(ex, TRADERS[0], "open")
    assert check_invariants(ledger) == []


def test_an_instrument_under_older_rules_keeps_frozen_orders_until_it_is_upgraded() -> None:
    """Entries journaled under rules 2 replay as they ran: a freeze left the orders resting,
    and so did a new reference price that left one outside the band. The operator moves the
    instrument to the current rules with a journaled command, which cancels both."""
    from qingshan.market.commands import SetInstrumentRules, SetReferencePrice

    ex = make_exchange(rules=2)
    ask = ex.run(order(0, "sell", 3000, 100), KEYS[0])["order"]
    low = ex.run(order(1, "sell", 2700, 100), KEYS[1])["order"]
    assert "cancelled_orders" not in freeze(ex, TRADERS[0])
    assert ex.market.orders[ask].status is OrderStatus.OPEN
    moved = ex.run(SetReferencePrice("CQCER-ALL", 3100, "close"))  # band 2790..3410
    assert "cancelled_orders" not in moved  # rules 2 left 27.00 resting outside the band
    with pytest.raises(QingshanError):
        ex.run(SetInstrumentRules("CQCER-ALL", CURRENT_RULES, "upgrade"), KEYS[0])
    with pytest.raises(QingshanError):  # never back to older rules
        ex.run(SetInstrumentRules("CQCER-ALL", 1, "downgrade"))
    r = ex.run(SetInstrumentRules("CQCER-ALL", CURRENT_RULES, "the rules of issue 9"))
    assert r["cancelled_orders"] == [ask, low] and r["previous"] == 2
    assert ex.market.orders[ask].reason == "account_frozen"
    assert ex.market.orders[low].reason == "outside_band"
    assert ex.market.instruments["CQCER-ALL"].rules == CURRENT_RULES


def halted_codes(ex: Exchange, steps: list[tuple[Any, Principal]]) -> list[str]:
    codes = []
    for cmd, key in steps:
        with pytest.raises(QingshanError) as refused:
            ex.run(cmd, key)
        codes.append(refused.value.code)
    return codes


def test_a_halt_stops_every_mode() -> None:
    from qingshan.market.commands import BidAuction, CloseAuction

    ex = make_exchange()
    ex.router.now_ms = 1_764_000_000_000
    ends = ex.router.now_ms + 60_000
    listed = ex.run(order(0, "sell", 3000, 100), KEYS[0])["order"]
    block = ex.run(ProposeBlockTrade("CQCER-ALL", TRADERS[0], TRADERS[1], 3000, 500),
                   KEYS[0])["order"]
    lot = ex.run(StartAuction("CQCER-ALL", TRADERS[0], 100, 3000, ends), KEYS[0])["auction"]
    ex.run(BidAuction(lot, TRADERS[1], 3000, 100), KEYS[1])
    ex.run(SetPhase("CQCER-ALL", Phase.HALTED, "abnormal volatility"))
    steps: list[tuple[Any, Principal]] = [
        (order(1, "buy", 3000, 10), KEYS[1]),
        (PickOrder(listed, TRADERS[1], 10), KEYS[1]),
        (ProposeBlockTrade("CQCER-ALL", TRADERS[0], TRADERS[2], 3000, 500), KEYS[0]),
        (ConfirmBlockTrade(block), KEYS[1]),
        (StartAuction("CQCER-ALL", TRADERS[2], 100, 3000, ends), KEYS[2]),
        (BidAuction(lot, TRADERS[2], 3100, 100), KEYS[2])]
    assert halted_codes(ex, steps) == ["trading_halted"] * len(steps)
    ex.router.now_ms = ends
    assert halted_codes(ex, [(CloseAuction(lot), SYSTEM)]) == ["trading_halted"]
    assert ex.market.trades == {}
    ex.run(CancelOrder(listed), KEYS[0])  # cancels are always allowed
    ex.run(SetPhase("CQCER-ALL", Phase.CONTINUOUS, "resumed"))
    assert ex.run(CloseAuction(lot))["awards"][0]["quantity"] == 100


def test_the_call_phase_stops_picking() -> None:
    ex = make_exchange()
    listed = ex.run(order(0, "sell", 3000, 100), KEYS[0])["order"]
    ex.run(SetPhase("CQCER-ALL", Phase.CALL, "opening call"))
    assert halted_codes(ex, [(PickOrder(listed, TRADERS[1], 10), KEYS[1]),
                             (order(1, "buy", 3000, 10, "ioc"), KEYS[1])]) == \
        ["wrong_phase", "wrong_phase"]
    assert ex.market.trades == {}


def test_continuous_trading_resumes_only_on_an_uncrossed_book() -> None:
    from qingshan.market.commands import RunCallAuction

    ex = make_exchange()
    ex.run(SetPhase("CQCER-ALL", Phase.CALL, "opening call"))
    ex.run(order(0, "sell", 2950, 100), KEYS[0])
    ex.run(order(1, "buy", 3050, 100), KEYS[1])
    ex.run(SetPhase("CQCER-ALL", Phase.HALTED, "halt during the call"))
    with pytest.raises(QingshanError):  # the collected book crosses
        ex.run(SetPhase("CQCER-ALL", Phase.CONTINUOUS, "resume"))
    ex.run(SetPhase("CQCER-ALL", Phase.CALL, "back to the call"))
    assert ex.run(RunCallAuction("CQCER-ALL"))["volume"] == 100


def test_auction_prices_stay_in_the_band() -> None:
    from qingshan.market.commands import BidAuction, CloseAuction, SetReferencePrice

    ex = make_exchange(fee_bps=0)  # band 2700..3300
    ex.router.now_ms = 1_764_000_000_000
    ends = ex.router.now_ms + 60_000
    for reserve, side in ((2690, Side.SELL), (3310, Side.BUY)):
        with pytest.raises(OutsideBand):
            ex.run(StartAuction("CQCER-ALL", TRADERS[0], 100, reserve, ends, side), KEYS[0])
    sale = ex.run(StartAuction("CQCER-ALL", TRADERS[0], 100, 3000, ends), KEYS[0])["auction"]
    with pytest.raises(OutsideBand):
        ex.run(BidAuction(sale, TRADERS[1], 3310, 100), KEYS[1])
    buy = StartAuction("CQCER-ALL", TRADERS[2], 100, 3000, ends, Side.BUY)
    purchase = ex.run(buy, KEYS[2])["auction"]
    with pytest.raises(OutsideBand):
        ex.run(BidAuction(purchase, TRADERS[1], 2690, 100), KEYS[1])
    high = ex.run(BidAuction(sale, TRADERS[1], 3300, 50), KEYS[1])["bid"]
    low = ex.run(BidAuction(sale, TRADERS[2], 3100, 50), KEYS[2])["bid"]
    # the reference moves before the close: a bid now above the band is not awarded
    ex.run(SetReferencePrice("CQCER-ALL", 2900, "new close"))  # band 2610..3190
    ex.router.now_ms = ends
    r = ex.run(CloseAuction(sale))
    assert [(w["bid"], w["price"]) for w in r["awards"]] == [(low, 3100)]
    assert ex.market.orders[high].status is OrderStatus.CANCELLED
    assert all(lo <= t.price <= hi for t in ex.market.trades.values()
               for lo, hi in [ex.market.instruments["CQCER-ALL"].band()])


@pytest.mark.parametrize(("rules", "close"), [(2, (3000 * 10 + 3800 * 5000) // 5010),
                                              (CURRENT_RULES, 3000)])
def test_block_and_auction_prices_do_not_move_the_reference(rules: int, close: int) -> None:
    """The close is the VWAP of the day's continuous, call-auction and picked trades; block
    agreements and one-way auctions do not set tomorrow's band (under rules 2 they did)."""
    from qingshan.market.commands import BidAuction, CloseAuction, CloseDay

    ex = make_exchange(fee_bps=0, rules=rules)
    ex.router.now_ms = 1_764_000_000_000
    ex.run(order(0, "sell", 3000, 10), KEYS[0])
    ex.run(order(1, "buy", 3000, 10), KEYS[1])
    p = ex.run(ProposeBlockTrade("CQCER-ALL", TRADERS[0], TRADERS[1], 3800, 5000), KEYS[0])
    ex.run(ConfirmBlockTrade(p["order"]), KEYS[1])
    if rules >= 3:  # (older rules let an auction's prices out of the band anyway)
        lot = ex.run(StartAuction("CQCER-ALL", TRADERS[2], 100, 3300,
                                  ex.router.now_ms + 1000), KEYS[2])["auction"]
        ex.run(BidAuction(lot, TRADERS[1], 3300, 100), KEYS[1])
        ex.router.now_ms += 1000
        ex.run(CloseAuction(lot))
    assert ex.run(CloseDay("CQCER-ALL"))["close"] == close


def test_t_plus_one_counts_units_per_party_not_per_account() -> None:
    ex = make_exchange()
    second = ex.run(OpenAccount("P000006", AccountType.HOLDING, "second"))["account"]
    ex.run(CreateInstrument(id="CQCER-T1", asset="CQCER", tick=1, lot=1, band_bps=1000,
                            reference_price=3000, max_order=100_000, fee_bps=0, fee_account=FEES,
                            t_plus_one=True))
    ex.router.now_ms = 1_764_000_000_000
    t1 = {"instrument": "CQCER-T1", "order_type": "limit", "price": 3000}
    ex.run(PlaceOrder.from_payload({**t1, "account": TRADERS[0], "side": "sell",
                                    "quantity": 10_000}), KEYS[0])
    ex.run(PlaceOrder.from_payload({**t1, "account": TRADERS[1], "side": "buy",
                                    "quantity": 10_000}), KEYS[1])
    from qingshan.ledger.domain.commands import Transfer

    ex.run(Transfer("CQCER", TRADERS[1], second, 20_000), KEYS[1])  # today's units too
    resell = {**t1, "account": second, "side": "sell"}
    with pytest.raises(InsufficientUnits) as refused:
        ex.run(PlaceOrder.from_payload({**resell, "quantity": 10_010}), KEYS[1])
    assert refused.value.data["sellable"] == 10_000
    ex.run(PlaceOrder.from_payload({**resell, "quantity": 10_000}), KEYS[1])
    with pytest.raises(InsufficientUnits):  # the rest was bought today
        ex.run(PlaceOrder.from_payload({**resell, "quantity": 10}), KEYS[1])
    ex.router.now_ms += 24 * 3600 * 1000
    ex.run(PlaceOrder.from_payload({**resell, "quantity": 10_000}), KEYS[1])


@pytest.mark.parametrize("kind", ["block", "auction", "bid"])
def test_only_public_order_types_are_accepted(kind: str) -> None:
    from qingshan.market.commands import OrderType

    with pytest.raises(InvalidInput) as refused:
        order(0, "sell", 3000, 10, kind)
    assert refused.value.data["field"] == "order_type"
    ex = make_exchange()
    inner = PlaceOrder("CQCER-ALL", TRADERS[0], Side.SELL, OrderType(kind), 3000, 10)
    with pytest.raises(InvalidInput):  # nor built in-process
        ex.run(inner, KEYS[0])
    assert ex.market.orders == {}


def test_an_amend_never_leaves_an_off_lot_remainder() -> None:
    from qingshan.market.commands import AmendOrder

    ex = make_exchange()  # lot 10
    o = ex.run(order(0, "sell", 3000, 50), KEYS[0])["order"]
    ex.run(order(1, "buy", 3000, 20), KEYS[1])  # 30 left
    for qty in (35, 45):  # 15 or 25 left at the same price; 25 at a new one
        for price in (3000, 3010):
            with pytest.raises(OffTick):
                ex.run(AmendOrder(o, price, qty), KEYS[0])
    assert ex.market.orders[o].remaining == 30
    assert ex.run(AmendOrder(o, 3000, 40), KEYS[0])["remaining"] == 20


def test_a_new_reference_price_cancels_the_orders_it_leaves_outside_the_band() -> None:
    """A resting order priced in yesterday's band would trade at a price today's band does
    not allow (a buyer's limit inside the band crosses an ask below it): it is cancelled."""
    from qingshan.market.commands import CloseDay

    ex = make_exchange(fee_bps=0)  # band 2700..3300, block band 2100..3900
    ex.router.now_ms = 1_764_000_000_000
    low = ex.run(order(0, "sell", 2700, 10), KEYS[0])["order"]
    kept = ex.run(order(0, "sell", 3200, 10), KEYS[0])["order"]
    block = ex.run(ProposeBlockTrade("CQCER-ALL", TRADERS[0], TRADERS[1], 2100, 500),
                   KEYS[0])["order"]
    ex.run(order(2, "sell", 3300, 40), KEYS[2])
    ex.run(order(1, "buy", 3300, 40), KEYS[1])  # takes low, kept and 20 of the last
    low2 = ex.run(order(0, "sell", 2700, 10), KEYS[0])["order"]
    r = ex.run(CloseDay("CQCER-ALL"))  # VWAP (2700·10 + 3200·10 + 3300·20) / 40 = 3125
    assert r["close"] == 3125 and r["band"] == [2813, 3437]
    assert r["cancelled_orders"] == [block, low2]  # the block band is now 2188..4062
    assert ex.market.orders[low2].reason == "outside_band"
    assert ex.market.orders[kept].status is OrderStatus.FILLED
    assert ex.market.orders[low].status is OrderStatus.FILLED
    fills = ex.run(order(1, "buy", 2900, 10), KEYS[1])["fills"]
    assert fills == []  # nothing left to trade at 27.00
    assert ex.router.ledger.active_quantity(TRADERS[0], "CQCER") == 10_000 - 20
