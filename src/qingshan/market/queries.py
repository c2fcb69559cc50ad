"""Market data from the market's tables: depth, trades, daily bars."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, func, select

from qingshan.errors import InvalidInput, NotFound
from qingshan.infra import schema as t


def instruments(conn: Connection) -> list[dict[str, Any]]:
    from qingshan.market.book import Instrument
    from qingshan.market.storage import schedule_from_row

    out = []
    for r in conn.execute(select(t.market_instruments).order_by(t.market_instruments.c.id)):
        d = dict(r._mapping)
        cats = d.get("categories")
        d["categories"] = None if cats is None else cats.split(",")
        sessions, modes, fees = schedule_from_row(d["sessions"], d["modes"], d["mode_fees"])
        d["sessions"] = None if sessions is None else [
            [f"{a // 60:02d}:{a % 60:02d}", f"{b // 60:02d}:{b % 60:02d}"] for a, b in sessions]
        d["modes"] = None if modes is None else list(modes)
        d["mode_fees"] = None if fees is None else dict(fees)
        inst = Instrument(**{**d, "categories": None, "sessions": None, "modes": None,
                             "mode_fees": None})
        d["band"] = list(inst.band())
        out.append(d)
    return out


def depth(conn: Connection, instrument: str, levels: int = 5) -> dict[str, Any]:
    if not 1 <= levels <= 50:
        raise InvalidInput("levels must be from 1 to 50", field="levels")
    o = t.market_orders
    if conn.execute(select(t.market_instruments.c.id)
                    .where(t.market_instruments.c.id == instrument)).first() is None:
        raise NotFound("no such instrument", instrument=instrument)
    out: dict[str, Any] = {"instrument": instrument}
    for side, order in (("buy", o.c.price.desc()), ("sell", o.c.price.asc())):
        rows = conn.execute(
            select(o.c.price, func.sum(o.c.remaining), func.count())
            .where(o.c.instrument == instrument, o.c.status == "open", o.c.side == side)
            .group_by(o.c.price).order_by(order).limit(levels))
        out["bids" if side == "buy" else "asks"] = [
            {"price": int(p), "quantity": int(q), "orders": int(n)} for p, q, n in rows]
    return out


def trades(conn: Connection, instrument: str, *, after: int = 0,
           limit: int = 100) -> list[dict[str, Any]]:
    if not 1 <= limit <= 1000:
        raise InvalidInput("limit must be from 1 to 1000", field="limit")
    tr, j = t.market_trades, t.journal
    rows = conn.execute(
        select(tr.c.id, tr.c.price, tr.c.quantity, tr.c.aggressor, j.c.time_ms)
        .select_from(tr.join(j, j.c.seq == tr.c.seq))
        .where(tr.c.instrument == instrument, tr.c.id > after).order_by(tr.c.id).limit(limit))
    return [{"trade": r.id, "price": r.price, "quantity": r.quantity,
             "aggressor": r.aggressor, "time": r.time_ms} for r in rows]


def recent_trades(conn: Connection, instrument: str, limit: int = 20) -> list[dict[str, Any]]:
    """The latest trades, newest first."""
    tr, j = t.market_trades, t.journal
    rows = conn.execute(
        select(tr.c.id, tr.c.price, tr.c.quantity, tr.c.aggressor, j.c.time_ms)
        .select_from(tr.join(j, j.c.seq == tr.c.seq))
        .where(tr.c.instrument == instrument).order_by(tr.c.id.desc()).limit(limit))
    return [{"trade": r.id, "price": r.price, "quantity": r.quantity,
             "aggressor": r.aggressor, "time": r.time_ms} for r in rows]


def daily_bars(conn: Connection, instrument: str) -> list[dict[str, Any]]:
    """OHLCV per Beijing trading day, with the volume-weighted average price (the close of the
    national market's listing mode is the day's VWAP), over the instrument's whole history."""
    tr = t.market_trades
    bars: dict[int, dict[str, Any]] = {}
    for day, price, qty in conn.execute(select(tr.c.day, tr.c.price, tr.c.quantity)
                                        .where(tr.c.instrument == instrument)
                                        .order_by(tr.c.id)):
        b = bars.get(day)
        if b is None:
            b = bars[day] = {"day": (dt.date(1970, 1, 1) + dt.timedelta(days=int(day)))
                             .isoformat(), "open": price, "high": price, "low": price,
                             "close": price, "volume": 0, "value": 0, "trades": 0}
        b["high"], b["low"] = max(b["high"], price), min(b["low"], price)
        b["close"] = price
        b["volume"] += qty
        b["value"] += price * qty
        b["trades"] += 1
    for b in bars.values():
        b["vwap"] = b["value"] // b["volume"]
    return [bars[d] for d in sorted(bars)]


def orders_of(conn: Connection, accounts: list[str], *, status: str | None = None,
              limit: int = 200) -> list[dict[str, Any]]:
    o = t.market_orders
    q = select(o).where(o.c.account.in_(accounts)).order_by(o.c.id.desc()).limit(limit)
    if status:
        q = q.where(o.c.status == status)
    return [dict(r._mapping) for r in conn.execute(q)]


def wash_trade_report(conn: Connection, instrument: str,
                      min_round_trip: float = 0.5) -> list[dict[str, Any]]:
    """Pairs of parties that traded with each other in both directions on the same trading
    day, with the volume each way: the round-trip share (smaller way / larger way) near 1 and
    a small net transfer are what wash trades look like. For the operator's surveillance."""
    tr, o = t.market_trades, t.market_orders
    buy, sell = o.alias("b"), o.alias("s")
    rows = conn.execute(
        select(tr.c.day, buy.c.party, sell.c.party, func.sum(tr.c.quantity), func.count())
        .select_from(tr.join(buy, buy.c.id == tr.c.buy_order)
                     .join(sell, sell.c.id == tr.c.sell_order))
        .where(tr.c.instrument == instrument)
        .group_by(tr.c.day, buy.c.party, sell.c.party))
    volume: dict[tuple[int, str, str], tuple[int, int]] = {
        (int(d), b, s): (int(q), int(n)) for d, b, s, q, n in rows}
    out = []
    for (day, b, s), (q, n) in sorted(volume.items()):
        if b >= s or (day, s, b) not in volume:
            continue
        back, m = volume[(day, s, b)]
        share = min(q, back) / max(q, back)
        if share >= min_round_trip:
            out.append({"day": (dt.date(1970, 1, 1) + dt.timedelta(days=day)).isoformat(),
                        "parties": [b, s], "bought_by_first": q, "bought_by_second": back,
                        "trades": n + m, "net": q - back, "round_trip_share": round(share, 3)})
    return out


# ------------------------------------------------------------------- figures, by asset
def traded_by_asset(conn: Connection) -> dict[str, dict[str, int]]:
    """Per traded asset: units traded and their value in fen (each asset in its own unit)."""
    tr, ins = t.market_trades, t.market_instruments
    rows = conn.execute(
        select(ins.c.asset, func.sum(tr.c.quantity), func.sum(tr.c.quantity * tr.c.price))
        .select_from(tr.join(ins, ins.c.id == tr.c.instrument)).group_by(ins.c.asset))
    return {str(a): {"quantity": int(q or 0), "value_fen": int(v or 0)} for a, q, v in rows}


def traded_by_month(conn: Connection, asset: str) -> list[tuple[str, int]]:
    """Units of the asset traded per calendar month (``YYYY-MM``), every month from the first
    trade to the last, months without a trade included."""
    tr, ins = t.market_trades, t.market_instruments
    months: dict[str, int] = {}
    for d, q in conn.execute(
            select(tr.c.day, func.sum(tr.c.quantity))
            .select_from(tr.join(ins, ins.c.id == tr.c.instrument))
            .where(ins.c.asset == asset).group_by(tr.c.day)):
        month = (dt.date(1970, 1, 1) + dt.timedelta(days=int(d))).strftime("%Y-%m")
        months[month] = months.get(month, 0) + int(q)
    if not months:
        return []
    first, last = min(months), max(months)
    y, m = int(first[:4]), int(first[5:])
    out = []
    while f"{y:04d}-{m:02d}" <= last:
        out.append((f"{y:04d}-{m:02d}", months.get(f"{y:04d}-{m:02d}", 0)))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out
