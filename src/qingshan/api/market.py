"""HTTP edge of the market: instruments, orders, market data."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import Response, StreamingResponse

from qingshan.api import responses as r
from qingshan.api import responses_contexts as rc
from qingshan.api import schemas as s
from qingshan.api.deps import Actor, After, EdgeDep, IdemKey, MaybeActor, one, run
from qingshan.errors import Forbidden, InvalidInput
from qingshan.ledger import queries as ledger_queries
from qingshan.ledger.domain import policy
from qingshan.ledger.domain.parsing import INT64_MAX
from qingshan.market import queries
from qingshan.market.commands import CURRENT_RULES

router = APIRouter(prefix="/api/v1/market", tags=["market"])


@router.post("/instruments", **r.write())
async def create_instrument(body: s.CreateInstrumentIn, edge: EdgeDep, actor: Actor,
                            key: IdemKey = None) -> Response:
    """Operator: list an asset for continuous trading ({id, asset, tick, lot, band_bps,
    reference_price, max_order, fee_bps, fee_account, …}); a new instrument trades under the
    current settlement rules unless ``rules`` says otherwise."""
    payload = {"rules": CURRENT_RULES, **s.payload(body)}
    return await run(edge, one("create_instrument", payload, edge), actor, key)


@router.post("/instruments/{instrument}/reference-price", **r.write())
async def set_reference_price(instrument: str, edge: EdgeDep, actor: Actor,
                              body: s.ReferencePriceIn, key: IdemKey = None) -> Response:
    return await run(edge, one("set_reference_price", s.payload(body, instrument=instrument),
                               edge), actor, key)


@router.post("/instruments/{instrument}/rules", **r.write())
async def set_instrument_rules(instrument: str, edge: EdgeDep, actor: Actor,
                               body: s.InstrumentRulesIn, key: IdemKey = None) -> Response:
    """Operator: {rules, reason} moves the instrument to newer settlement rules (never back);
    entries before replay under the old rules (docs/market.md)."""
    return await run(edge, one("set_instrument_rules", s.payload(body, instrument=instrument),
                               edge), actor, key)


@router.post("/instruments/{instrument}/phase", **r.write())
async def set_phase(instrument: str, edge: EdgeDep, actor: Actor, body: s.PhaseIn,
                    key: IdemKey = None) -> Response:
    """Operator: {phase: continuous | call | halted, reason}. In a call phase limit orders are
    collected without matching."""
    return await run(edge, one("set_phase", s.payload(body, instrument=instrument), edge), actor,
                     key)


@router.post("/instruments/{instrument}/call-auction", **r.write())
async def run_call_auction(instrument: str, edge: EdgeDep, actor: Actor,
                           key: IdemKey = None) -> Response:
    """Operator: uncross the collected book (opening or closing call) and trade on."""
    return await run(edge, one("run_call_auction", {"instrument": instrument}, edge), actor,
                     key)


@router.post("/instruments/{instrument}/close-day", **r.write())
async def close_day(instrument: str, edge: EdgeDep, actor: Actor,
                    key: IdemKey = None) -> Response:
    """Operator: the day's VWAP becomes the close and tomorrow's reference price."""
    return await run(edge, one("close_day", {"instrument": instrument}, edge), actor, key)


@router.post("/orders", **r.write())
async def place_order(edge: EdgeDep, actor: Actor, body: s.PlaceOrderIn,
                      key: IdemKey = None) -> Response:
    """{instrument, account, side: buy|sell, order_type: limit|ioc|market (the only types a
    member sends), price (fen per unit; not for market orders), quantity}. The answer lists
    the fills."""
    return await run(edge, one("place_order", s.payload(body), edge), actor, key)


@router.post("/orders/{order}/cancel", **r.write())
async def cancel_order(order: str, edge: EdgeDep, actor: Actor,
                       key: IdemKey = None) -> Response:
    return await run(edge, one("cancel_order", {"order": order}, edge), actor, key)


@router.post("/orders/{order}/amend", **r.write())
async def amend_order(order: str, edge: EdgeDep, actor: Actor, body: s.AmendOrderIn,
                      key: IdemKey = None) -> Response:
    """{price, quantity}: a smaller quantity at the same price keeps the order's place in the
    queue; anything else cancels it and places a new order at the back."""
    return await run(edge, one("amend_order", s.payload(body, order=order), edge), actor, key)


@router.post("/orders/{order}/pick", **r.write())
async def pick_order(order: str, edge: EdgeDep, actor: Actor, body: s.PickOrderIn,
                     key: IdemKey = None) -> Response:
    """Listing and picking (挂牌点选): {account, quantity} takes this listed order, which must
    be at one of the best five price levels of its side, at its price."""
    return await run(edge, one("pick_order", s.payload(body, order=order), edge), actor, key)


@router.post("/block-trades", **r.write())
async def propose_block(edge: EdgeDep, actor: Actor, body: s.BlockTradeIn,
                        key: IdemKey = None) -> Response:
    """Block agreement (大宗协议): {instrument, seller, buyer, price, quantity}; the seller's
    units are held until the buyer confirms or the seller withdraws (cancel)."""
    return await run(edge, one("propose_block_trade", s.payload(body), edge), actor, key)


@router.post("/block-trades/{order}/confirm", **r.write())
async def confirm_block(order: str, edge: EdgeDep, actor: Actor,
                        key: IdemKey = None) -> Response:
    return await run(edge, one("confirm_block_trade", {"order": order}, edge), actor, key)


@router.post("/auctions", **r.write())
async def start_auction(edge: EdgeDep, actor: Actor, body: s.AuctionIn,
                        key: IdemKey = None) -> Response:
    """One-way auction (单向竞价): {instrument, account, quantity, reserve_price, ends_at}
    (Unix ms); the lot's units are held until the auction closes or is withdrawn."""
    return await run(edge, one("start_auction", s.payload(body), edge), actor, key)


@router.post("/auctions/{auction}/bids", **r.write())
async def bid_auction(auction: str, edge: EdgeDep, actor: Actor, body: s.BidIn,
                      key: IdemKey = None) -> Response:
    """{account, price ≥ reserve, quantity}; the bid's money is held."""
    return await run(edge, one("bid_auction", s.payload(body, auction=auction), edge), actor, key)


@router.post("/auctions/{auction}/close", **r.write())
async def close_auction(auction: str, edge: EdgeDep, actor: Actor,
                        key: IdemKey = None) -> Response:
    """After ``ends_at``: awards by price then time, each bid paying its price; everything
    else is released."""
    return await run(edge, one("close_auction", {"auction": auction}, edge), actor, key)


@router.get("/instruments", **r.ok(rc.many(rc.Instrument)))
def list_instruments(edge: EdgeDep, actor: MaybeActor) -> list[dict[str, Any]]:
    """Public; the fee account is the operator's and auditors' to see."""
    with edge.read() as conn:
        return [policy.instrument_for(i, actor) for i in queries.instruments(conn)]


@router.get("/instruments/{instrument}/depth", **r.ok(rc.Depth))
def depth(instrument: str, edge: EdgeDep,
          levels: Annotated[int, Query(ge=1, le=50)] = 5) -> dict[str, Any]:
    with edge.read() as conn:
        return queries.depth(conn, instrument, levels)


@router.get("/instruments/{instrument}/trades", **r.ok(list[rc.Trade]))
def trades(instrument: str, edge: EdgeDep, after: After = 0,
           limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> list[dict[str, Any]]:
    with edge.read() as conn:
        return queries.trades(conn, instrument, after=after, limit=limit)


@router.get("/instruments/{instrument}/bars", **r.ok(list[rc.Bar]))
def bars(instrument: str, edge: EdgeDep) -> list[dict[str, Any]]:
    with edge.read() as conn:
        return queries.daily_bars(conn, instrument)


_EVENT_ID = re.compile(r"[0-9]{1,19}")


def _event_id(value: str) -> int:
    """A ``Last-Event-ID``: a trade id this stream sent (digits 0-9, at most 2^63 - 1)."""
    if not _EVENT_ID.fullmatch(value.strip()) or int(value) > INT64_MAX:
        raise InvalidInput("Last-Event-ID must be a trade id this stream sent",
                           field="Last-Event-ID", value=value[:64])
    return int(value)


@router.get("/instruments/{instrument}/stream", response_class=StreamingResponse,
            **r.media("text/event-stream", "server-sent events: trade and depth"))
async def stream(instrument: str, request: Request, edge: EdgeDep, after: After = 0,
                 interval: Annotated[float, Query(ge=0.1, le=10)] = 0.5,
                 max_seconds: Annotated[float, Query(ge=1, le=3600)] = 3600,
                 last_event_id: Annotated[str | None, Header(alias="Last-Event-ID")] = None,
                 ) -> StreamingResponse:
    """Server-sent events: ``trade`` for every new trade and ``depth`` whenever the best five
    levels change. ``after`` resumes after a trade id (the SSE ``Last-Event-ID`` too)."""
    start_after = after if last_event_id is None else _event_id(last_event_id)
    with edge.read() as conn:
        queries.depth(conn, instrument)  # 404 before the stream starts

    async def events() -> AsyncIterator[bytes]:
        seen, last_depth = start_after, None
        deadline = asyncio.get_running_loop().time() + max_seconds
        while asyncio.get_running_loop().time() < deadline:
            with edge.read() as conn:
                new = queries.trades(conn, instrument, after=seen, limit=500)
                depth = queries.depth(conn, instrument)
            for t in new:
                seen = t["trade"]
                yield f"id: {seen}\nevent: trade\ndata: {orjson.dumps(t).decode()}\n\n".encode()
            if depth != last_depth:
                last_depth = depth
                yield f"event: depth\ndata: {orjson.dumps(depth).decode()}\n\n".encode()
            if await request.is_disconnected():
                return
            await asyncio.sleep(interval)

    return StreamingResponse(events(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache"})


@router.get("/instruments/{instrument}/surveillance/wash-trades", **r.ok(list[rc.WashPair]))
def wash_trades(instrument: str, edge: EdgeDep, actor: Actor,
                min_round_trip: Annotated[float, Query(ge=0, le=1)] = 0.5,
                ) -> list[dict[str, Any]]:
    """Operator and auditors: pairs of parties trading back and forth on the same day."""
    if not policy.reads_all(actor):
        raise Forbidden("surveillance reports are for the operator and auditors")
    with edge.read() as conn:
        return queries.wash_trade_report(conn, instrument, min_round_trip)


@router.get("/orders", **r.ok(rc.many(rc.Order)))
def my_orders(edge: EdgeDep, actor: Actor, status: str | None = None,
              party: str | None = None) -> list[dict[str, Any]]:
    """A party's orders (the operator and auditors may name any party)."""
    pid = party or actor.party_id
    if pid is None or (pid != actor.party_id and not policy.reads_all(actor)):
        raise Forbidden("orders are visible to their party, the operator and auditors")
    with edge.read() as conn:
        accounts = [a["id"] for a in ledger_queries.party_accounts(conn, pid)]
        return queries.orders_of(conn, accounts, status=status)
