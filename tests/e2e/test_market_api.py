"""The market through HTTP: a trade per mode implemented so far (continuous limit, IOC,
market), partial fills, cancels, refusals that hold nothing, market data, and a restart that
rebuilds the same book and the same subsequent fills."""

from __future__ import annotations

from typing import Any

from qingshan.infra.config import Settings
from qingshan.platform import Platform
from tests.e2e.conftest import Api, Flow

ALICE, BOB = "A00000004", "A00000005"

def listed(api: Api) -> Flow:
    c = Flow(api)
    fees = c.ok("/accounts", {"party": "P000001", "account_type": "holding",
                              "label": "fees"}, "operator")["account"]
    c.ok("/transfers", {"asset": "CNY", "source": "A00000003", "destination": BOB,
                        "quantity": 10_000_000}, "operator")
    c.ok("/market/instruments", {"id": "CQCER-ALL", "asset": "CQCER", "tick": 1, "lot": 1,
                                 "band_bps": 1000, "reference_price": 3000,
                                 "max_order": 100_000, "fee_bps": 30, "fee_account": fees},
         "operator")
    return c


def order(side: str, qty: int, price: int | None = None, kind: str = "limit",
          account: str = ALICE) -> dict[str, Any]:
    body: dict[str, Any] = {"instrument": "CQCER-ALL", "account": account, "side": side,
                            "order_type": kind, "quantity": qty}
    if price is not None:
        body["price"] = price
    return body


def test_limit_orders_trade_partially_and_market_data_follows(api: Api) -> None:
    c = listed(api)
    ask = c.ok("/market/orders", order("sell", 50, 3000), "alice")
    c.ok("/market/orders", order("sell", 20, 3100), "alice")
    assert ask["status"] == "open"
    depth = api.client.get("/api/v1/market/instruments/CQCER-ALL/depth").json()
    assert depth["asks"] == [{"price": 3000, "quantity": 50, "orders": 1},
                             {"price": 3100, "quantity": 20, "orders": 1}]
    buy = c.ok("/market/orders", order("buy", 60, 3100, account=BOB), "bob")
    assert [(f["price"], f["quantity"]) for f in buy["fills"]] == [(3000, 50), (3100, 10)]
    assert buy["status"] == "filled"
    holdings = api.client.get(f"/api/v1/accounts/{BOB}", headers=api.headers("bob")).json()
    assert holdings["units"]["CQCER"]["active"] == 160
    trades = api.client.get("/api/v1/market/instruments/CQCER-ALL/trades").json()
    assert [(t["price"], t["quantity"]) for t in trades] == [(3000, 50), (3100, 10)]
    bars = api.client.get("/api/v1/market/instruments/CQCER-ALL/bars").json()
    assert bars[0]["open"] == 3000 and bars[0]["close"] == 3100 and bars[0]["volume"] == 60
    assert bars[0]["vwap"] == (3000 * 50 + 3100 * 10) // 60
    mine = api.client.get("/api/v1/market/orders", headers=api.headers("alice")).json()
    assert {o["status"] for o in mine} == {"filled", "open"}
    assert api.platform.verify().problems == []


def test_ioc_and_market_orders_and_cancel(api: Api) -> None:
    c = listed(api)
    c.ok("/market/orders", order("sell", 10, 2950), "alice")
    ioc = c.ok("/market/orders", order("buy", 25, 3000, "ioc", BOB), "bob")
    assert ioc["status"] == "cancelled" and ioc["remaining"] == 15
    rest = c.ok("/market/orders", order("sell", 30, 3050), "alice")
    mkt = c.ok("/market/orders", order("buy", 5, None, "market", BOB), "bob")
    assert mkt["fills"][0]["price"] == 3050 and mkt["status"] == "filled"
    r = c.post(f"/market/orders/{rest['order']}/cancel", {}, "bob")
    assert r.status_code == 403 and r.json()["error"]["code"] == "not_account_owner"
    c.ok(f"/market/orders/{rest['order']}/cancel", {}, "alice")
    again = c.post(f"/market/orders/{rest['order']}/cancel", {}, "alice")
    assert again.status_code == 409 and again.json()["error"]["code"] == "order_not_open"
    holdings = api.client.get(f"/api/v1/accounts/{ALICE}", headers=api.headers("alice")).json()
    assert holdings["units"]["CQCER"]["held"] == 0


def test_orders_without_funds_or_units_are_refused_and_hold_nothing(api: Api) -> None:
    c = listed(api)
    size = api.size
    cases = [
        (order("sell", 101, 3000), "alice", 409, "insufficient_units"),
        (order("buy", 10_000, 3000, account=ALICE), "alice", 409, "insufficient_funds"),
        (order("sell", 10, 3301), "alice", 422, "price_outside_band"),
        (order("sell", 10, 3000, account=BOB), "alice", 403, "not_account_owner"),
        ({**order("sell", 10, 3000), "instrument": "NOPE-X"}, "alice", 404,
         "unknown_instrument"),
        ({**order("sell", 10), "order_type": "market", "price": 3000}, "alice", 422,
         "invalid_input"),
    ]
    for body, who, status, code in cases:
        r = c.post("/market/orders", body, who)
        assert (r.status_code, r.json()["error"]["code"]) == (status, code), r.text
    assert api.size == size
    r = c.post("/market/instruments", {"id": "X-1"}, "alice")
    assert r.status_code in (403, 422)


def test_restart_rebuilds_the_same_book_and_the_same_fills(api: Api) -> None:
    c = listed(api)
    for i, (side, price, who, acct) in enumerate([("sell", 3000, "alice", ALICE),
                                                  ("sell", 3000, "alice", ALICE),
                                                  ("buy", 2900, "bob", BOB),
                                                  ("sell", 3050, "alice", ALICE)]):
        c.ok("/market/orders", order(side, 10 + i, price, account=acct), who)
    market = api.platform.sequencer.router.book("market")
    before = market.snapshot()
    settings: Settings = api.platform.settings
    api.platform.sequencer.stop()
    again = Platform.open(settings)
    try:
        assert again.sequencer.router.book("market").snapshot() == before
        from qingshan.ledger.domain.model import Principal, Role
        from qingshan.market.commands import PlaceOrder

        bob = Principal("b", Role.MEMBER, "P000003")
        r = again.sequencer.execute_one(PlaceOrder.from_payload(order("buy", 30, 3050,
                                                                      account=BOB)), bob, "x")
        assert [(f["maker"], f["quantity"]) for f in r.result["fills"]] == [
            ("O00000001", 10), ("O00000002", 11), ("O00000004", 9)]
        assert again.verify().problems == []
    finally:
        again.close()


def test_stream_sends_trades_and_depth_as_server_sent_events(api: Api) -> None:
    c = listed(api)
    c.ok("/market/orders", order("sell", 10, 3000), "alice")
    c.ok("/market/orders", order("buy", 4, 3000, account=BOB), "bob")
    with api.client.stream("GET", "/api/v1/market/instruments/CQCER-ALL/stream",
                           params={"max_seconds": 1, "interval": 0.1}) as r:
        assert r.headers["content-type"].startswith("text/event-stream")
        text = "".join(r.iter_text())
    assert "event: trade" in text and '"price":3000' in text and "id: 1" in text
    assert "event: depth" in text and '"quantity":6' in text
    missing = api.client.get("/api/v1/market/instruments/NOPE-1/stream")
    assert missing.status_code == 404


def test_wash_trades_are_reported_to_the_operator(api: Api) -> None:
    c = listed(api)
    for _ in range(2):
        c.ok("/market/orders", order("sell", 10, 3000), "alice")
        c.ok("/market/orders", order("buy", 10, 3000, account=BOB), "bob")
        c.ok("/market/orders", order("sell", 10, 3000, account=BOB), "bob")
        c.ok("/market/orders", order("buy", 10, 3000), "alice")
    path = "/api/v1/market/instruments/CQCER-ALL/surveillance/wash-trades"
    report = api.client.get(path, headers=api.headers("operator")).json()
    assert report[0]["parties"] == ["P000002", "P000003"]
    assert report[0]["net"] == 0 and report[0]["round_trip_share"] == 1.0
    assert api.client.get(path, headers=api.headers("alice")).status_code == 403


def test_one_way_auction_expires_and_awards_over_http(api: Api) -> None:
    import time as _time

    c = listed(api)
    ends = int(_time.time() * 1000) + 1500
    lot = c.ok("/market/auctions", {"instrument": "CQCER-ALL", "account": ALICE,
                                     "quantity": 40, "reserve_price": 2800, "ends_at": ends},
               "alice")["auction"]
    c.ok(f"/market/auctions/{lot}/bids", {"account": BOB, "price": 2900, "quantity": 30},
         "bob")
    early = c.post(f"/market/auctions/{lot}/close", {}, "operator")
    assert early.status_code == 409 and early.json()["error"]["code"] == "order_not_open"
    _time.sleep(max(0.0, (ends - _time.time() * 1000) / 1000) + 0.1)
    late = c.post(f"/market/auctions/{lot}/bids", {"account": BOB, "price": 3000,
                                                   "quantity": 10}, "bob")
    assert late.status_code == 409
    closed = c.ok(f"/market/auctions/{lot}/close", {}, "operator")
    assert closed["awards"][0]["quantity"] == 30 and closed["unsold"] == 10
    holdings = api.client.get(f"/api/v1/accounts/{ALICE}", headers=api.headers("alice")).json()
    assert holdings["units"]["CQCER"]["held"] == 0


def test_a_buyers_auction_over_http(api: Api) -> None:
    import time as _time

    c = listed(api)
    ends = int(_time.time() * 1000) + 1500
    lot = c.ok("/market/auctions", {"instrument": "CQCER-ALL", "account": BOB, "side": "buy",
                                     "quantity": 40, "reserve_price": 3000, "ends_at": ends},
               "bob")["auction"]
    high = c.post(f"/market/auctions/{lot}/bids", {"account": ALICE, "price": 3100,
                                                   "quantity": 10}, "alice")
    assert (high.status_code, high.json()["error"]["code"]) == (422, "price_outside_band")
    c.ok(f"/market/auctions/{lot}/bids", {"account": ALICE, "price": 2900, "quantity": 30},
         "alice")
    _time.sleep(max(0.0, (ends - _time.time() * 1000) / 1000) + 0.1)
    closed = c.ok(f"/market/auctions/{lot}/close", {}, "operator")
    assert closed["awards"][0]["price"] == 2900 and closed["unsold"] == 10
    holdings = api.client.get(f"/api/v1/accounts/{BOB}", headers=api.headers("bob")).json()
    assert holdings["units"]["CQCER"]["active"] == 130
    assert api.platform.verify().problems == []


def test_opening_call_auction_over_http(api: Api) -> None:
    c = listed(api)
    c.ok("/market/instruments/CQCER-ALL/phase", {"phase": "call", "reason": "09:15 call"},
         "operator")
    c.ok("/market/orders", order("sell", 30, 2950), "alice")
    c.ok("/market/orders", order("buy", 20, 3050, account=BOB), "bob")
    ioc = c.post("/market/orders", order("buy", 5, 3050, "ioc", BOB), "bob")
    assert ioc.status_code == 409
    r = c.ok("/market/instruments/CQCER-ALL/call-auction", {}, "operator")
    assert r["volume"] == 20 and r["price"] == 3000
    depth = api.client.get("/api/v1/market/instruments/CQCER-ALL/depth").json()
    assert depth["bids"] == [] and depth["asks"][0]["quantity"] == 10
    assert api.platform.verify().problems == []


def test_pick_block_and_amend_over_http(api: Api) -> None:
    c = listed(api)
    ask = c.ok("/market/orders", order("sell", 40, 3000), "alice")["order"]
    amended = c.ok(f"/market/orders/{ask}/amend", {"price": 3000, "quantity": 30}, "alice")
    assert amended["kept_priority"]
    picked = c.ok(f"/market/orders/{ask}/pick", {"account": BOB, "quantity": 10}, "bob")
    assert (picked["price"], picked["quantity"]) == (3000, 10)
    block = c.ok("/market/block-trades", {"instrument": "CQCER-ALL", "seller": ALICE,
                                          "buyer": BOB, "price": 3500, "quantity": 20},
                 "alice")
    other = c.post(f"/market/block-trades/{block['order']}/confirm", {}, "alice")
    assert other.status_code == 403
    done = c.ok(f"/market/block-trades/{block['order']}/confirm", {}, "bob")
    assert (done["price"], done["quantity"]) == (3500, 20)
    assert api.platform.verify().problems == []


def another_instrument(api: Api, iid: str, **extra: Any) -> dict[str, Any]:
    """The body listing one more CQCER instrument beside CQCER-ALL (same fee account)."""
    fees = api.client.get("/api/v1/market/instruments",  # the operator's to see
                          headers=api.headers("operator")).json()[0]["fee_account"]
    return {"id": iid, "asset": "CQCER", "tick": 1, "lot": 1, "band_bps": 1000,
            "reference_price": 3000, "max_order": 100_000, "fee_bps": 0, "fee_account": fees,
            **extra}


def test_an_instrument_for_one_category_lists_it_and_refuses_units_of_another(api: Api) -> None:
    c = listed(api)
    c.ok("/market/instruments", another_instrument(api, "CQCER-FOREST",
                                                   categories=["forestry"]), "operator")
    listed_now = {i["id"]: i for i in api.client.get("/api/v1/market/instruments").json()}
    assert listed_now["CQCER-FOREST"]["categories"] == ["forestry"]
    assert listed_now["CQCER-ALL"]["categories"] is None
    size = api.size
    r = c.post("/market/orders", {**order("sell", 10, 3000), "instrument": "CQCER-FOREST"},
               "alice")  # alice's units come from an issuance without a category
    assert (r.status_code, r.json()["error"]["code"]) == (409, "insufficient_units")
    assert r.json()["error"]["data"]["categories"] == ["forestry"] and api.size == size
    bad = c.post("/market/instruments", another_instrument(api, "CQCER-X",
                                                          categories=["Forestry!"]), "operator")
    assert (bad.status_code, bad.json()["error"]["data"]["field"]) == (422, "categories")


def test_a_mode_the_instrument_does_not_offer_is_refused_with_its_code(api: Api) -> None:
    c = listed(api)
    c.ok("/market/instruments", another_instrument(api, "CQCER-CDA", modes=["continuous"],
                                                   sessions=[["00:00", "23:59"]]), "operator")
    shown = {i["id"]: i for i in api.client.get("/api/v1/market/instruments").json()}
    assert shown["CQCER-CDA"]["modes"] == ["continuous"]
    assert shown["CQCER-CDA"]["sessions"] == [["00:00", "23:59"]]
    size = api.size
    r = c.post("/market/block-trades", {"instrument": "CQCER-CDA", "seller": ALICE,
                                        "buyer": BOB, "price": 3000, "quantity": 10}, "alice")
    assert (r.status_code, r.json()["error"]["code"]) == (409, "mode_not_enabled")
    assert api.size == size


def test_only_public_order_types_and_nothing_while_halted_over_http(api: Api) -> None:
    c = listed(api)
    size = api.size
    for kind in ("block", "auction", "bid"):  # the market's own records, not for members
        r = c.post("/market/orders", order("sell", 10, 3000, kind), "alice")
        error = r.json()["error"]
        assert (r.status_code, error["code"], error["data"]["field"]) == \
            (422, "invalid_input", "order_type"), kind
    assert api.size == size
    ask = c.ok("/market/orders", order("sell", 10, 3000), "alice")["order"]
    c.ok("/market/instruments/CQCER-ALL/phase", {"phase": "halted", "reason": "volatility"},
         "operator")
    size = api.size
    for path, body, who in [
            ("/market/orders", order("buy", 10, 3000, account=BOB), "bob"),
            (f"/market/orders/{ask}/pick", {"account": BOB, "quantity": 10}, "bob"),
            ("/market/block-trades", {"instrument": "CQCER-ALL", "seller": ALICE,
                                      "buyer": BOB, "price": 3000, "quantity": 10}, "alice"),
            ("/market/auctions", {"instrument": "CQCER-ALL", "account": ALICE, "quantity": 10,
                                  "reserve_price": 3000, "ends_at": 10**13}, "alice")]:
        r = c.post(path, body, who)
        assert (r.status_code, r.json()["error"]["code"]) == (409, "trading_halted"), path
    assert api.size == size
    c.ok(f"/market/orders/{ask}/cancel", {}, "alice")  # cancels are always allowed
    assert api.client.get("/api/v1/market/instruments/CQCER-ALL/trades").json() == []


def test_a_freeze_cancels_the_accounts_orders_and_says_why(api: Api) -> None:
    c = listed(api)
    ask = c.ok("/market/orders", order("sell", 10, 3000), "alice")["order"]
    frozen = c.ok(f"/accounts/{ALICE}/status", {"status": "frozen", "reason": "inquiry"},
                  "operator")
    assert frozen["cancelled_orders"] == [ask]
    mine = api.client.get("/api/v1/market/orders", headers=api.headers("alice")).json()
    assert [(o["id"], o["status"], o["reason"]) for o in mine] == \
        [(ask, "cancelled", "account_frozen")]
    assert c.ok("/market/orders", order("buy", 10, 3000, account=BOB), "bob")["fills"] == []
    rules = {"rules": 3, "reason": "the current rules"}
    r = c.post("/market/instruments/CQCER-ALL/rules", rules, "alice")
    assert r.status_code == 403
    r = c.post("/market/instruments/CQCER-ALL/rules", rules, "operator")  # already under 3
    assert (r.status_code, r.json()["error"]["data"]["field"]) == (409, "rules")
    c.ok("/market/instruments", another_instrument(api, "CQCER-OLD", rules=2), "operator")
    old = c.ok("/market/orders", {**order("buy", 10, 3000, account=BOB),
                                  "instrument": "CQCER-OLD"}, "bob")["order"]
    c.ok(f"/accounts/{BOB}/status", {"status": "frozen", "reason": "inquiry"}, "operator")
    moved = c.ok("/market/instruments/CQCER-OLD/rules", rules, "operator")
    assert (moved["rules"], moved["previous"], moved["cancelled_orders"]) == (3, 2, [old])
    assert api.platform.verify().problems == []


def test_daily_bars_and_the_market_page_cover_every_trade_not_only_the_first_thousand(
        api: Api) -> None:
    from qingshan.ledger.domain.model import SYSTEM
    from qingshan.market.commands import PlaceOrder
    from tests.support.book import issue

    listed(api)
    seq = api.platform.sequencer
    seq.execute([issue(ALICE, 2_000)], SYSTEM, "more units")
    pairs = [PlaceOrder.from_payload(order(side, 1, 3000, account=acct))
             for _ in range(1_001) for side, acct in (("sell", ALICE), ("buy", BOB))]
    for k in range(0, len(pairs), 50):
        seq.execute(pairs[k:k + 50], SYSTEM, f"trades-{k}")
    bars = api.client.get("/api/v1/market/instruments/CQCER-ALL/bars").json()
    assert sum(b["volume"] for b in bars) == 1_001
    page = api.client.get("/market/CQCER-ALL").text
    assert "<td>1001</td>" in page  # the latest trade is listed first
