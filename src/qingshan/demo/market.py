"""The demo's exchange: instruments, a price path over the years, and the orders of each
trading day, sent as their owners would send them and accounted from the answers.

What every participant holds and owes is kept here from the receipts the market answers with
(fills, the order left resting), exactly as the ledger keeps it, so that no planned order is
ever refused: a seller offers only units it can give (T+1 included), a buyer bids only with
money it has (the deposit comes first when it has not), and nobody meets its own order.
Resting orders are day orders: what is left at the close is cancelled, except on the last day,
whose orders stay on the books.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from qingshan.demo.calendar import SESSIONS, days, is_trading_day
from qingshan.ledger.domain.commands import Command, Transfer
from qingshan.ledger.domain.model import SYSTEM, Principal
from qingshan.ledger.sequencer import Receipt
from qingshan.market.book import Instrument
from qingshan.market.commands import (
    CancelOrder,
    CloseDay,
    ConfirmBlockTrade,
    CreateInstrument,
    PlaceOrder,
    ProposeBlockTrade,
)

SELLERS = ("forestry", "pv", "biogas", "platform", "trader")  # roles that sell
FEE_BPS = 30  # each side, on the traded value (assumption: the exchange's fees are not public)
MAX_ORDER = 200_000
BLOCK_MIN = 10_000  # assumption (the national market's block agreements start at 100,000 t)
FOREST_LISTED = dt.date(2023, 11, 6)  # with 重庆市乡村振兴林业碳汇方法学 (added 2023-11-06)

# The price of CQCER over the years, yuan a tonne, at the anchor days; between them the log
# price moves in a straight line, and a mean-reverting noise (daily σ 1.5 %, half-life about
# two weeks) is added. Sourced anchors: 17.3 yuan/t is the average a bus operator got for its
# 823,000 t sold since 2021, and 35.9 yuan/t its 167,000 t sale of 2024-03-08 (research notes
# F1); the rest is an assumption shaped so that the average over everything traded is about
# the published 120 M yuan / 4.6 Mt ≈ 26 yuan/t.
ANCHORS = ((dt.date(2021, 10, 28), 18.0), (dt.date(2022, 6, 30), 15.5),
           (dt.date(2022, 12, 31), 17.5), (dt.date(2023, 8, 31), 23.0),
           (dt.date(2024, 3, 8), 35.9), (dt.date(2024, 12, 31), 28.0),
           (dt.date(2025, 6, 30), 24.5), (dt.date(2025, 12, 31), 26.0),
           (dt.date(2026, 11, 30), 27.0))
# instruments: id, categories, premium over CQCER-ALL's path (forestry credits sell dearer:
# assumption), day listed
INSTRUMENTS = (("CQCER-ALL", None, 1.0, None),
               ("CQCER-FOREST", ("forestry",), 1.12, FOREST_LISTED),
               ("CQCER-OTHER", ("agriculture", "energy", "inclusive"), 0.95, FOREST_LISTED))
# Trades a day, by year and month (assumption: a thin market, busiest in the compliance season
# at the end of the year), for the full demo of 149 enterprises; scaled with their number.
BY_YEAR = {2021: 1.6, 2022: 1.0, 2023: 1.3, 2024: 1.9, 2025: 1.7, 2026: 1.6}
BY_MONTH = {1: 1.1, 2: 0.6, 3: 1.0, 4: 0.9, 5: 0.9, 6: 1.2, 7: 0.8, 8: 0.8, 9: 1.0, 10: 1.0,
            11: 1.7, 12: 2.0}

Run = Callable[[list[Command], str, Principal], list[Receipt]]
Submit = Callable[[list[Command], str, Principal], Callable[[], list[Receipt]]]
At = Callable[[dt.date, int, int], None]


def price_path(start: dt.date, end: dt.date, rng: random.Random) -> dict[dt.date, float]:
    """CQCER-ALL's fair price (yuan/t) for every calendar day."""
    out: dict[dt.date, float] = {}
    noise = 0.0
    for day in days(start, end):
        k = next((i for i, (d, _) in enumerate(ANCHORS) if d >= day), len(ANCHORS) - 1)
        (d0, p0), (d1, p1) = ANCHORS[max(0, k - 1)], ANCHORS[k]
        w = 0.0 if d1 == d0 else min(1.0, max(0.0, (day - d0).days / (d1 - d0).days))
        noise = noise * 0.95 + rng.gauss(0.0, 0.015)
        out[day] = math.exp(math.log(p0) * (1 - w) + math.log(p1) * w + noise)
    return out


@dataclass
class Holder:
    """One account as the demo sees it: units it owns (held ones too), money, what it bought
    today, its role and what it still wants to buy."""

    account: str
    party: str
    role: str  # forestry, pv, biogas, platform, trader, compliance, neutral, court
    actor: Principal
    units: int = 0
    held: int = 0  # units held by resting sell orders and pledges
    cash: int = 0  # fen
    cash_held: int = 0  # held by resting buy orders
    bought_on: dt.date | None = None
    bought: int = 0
    want: int = 0  # units it still means to buy (compliance, neutrality, a court's case)
    stock: int = 0  # a trader's target inventory
    month: tuple[int, int] = (0, 0)  # an owner of projects sells a share of its credits a
    month_cap: int = 0  # month, not all at once
    month_sold: int = 0

    def sellable(self, day: dt.date) -> int:
        return self.units - self.held - (self.bought if self.bought_on == day else 0)

    def offer(self, day: dt.date) -> int:
        """What it would sell today: a trader all it may; an owner of projects up to its
        month's share (12 % of its credits a month: assumption)."""
        free = self.sellable(day)
        if self.role == "trader":
            return free
        if self.role not in ("forestry", "pv", "biogas", "platform"):
            return 0
        if self.month != (day.year, day.month):
            self.month, self.month_sold = (day.year, day.month), 0
            self.month_cap = max(200, (self.units - self.held) * 12 // 100)
        return max(0, min(free, self.month_cap - self.month_sold))

    def spendable(self) -> int:
        return self.cash - self.cash_held

    @property
    def pure(self) -> str | None:
        """The one category its units are of, for owners of projects that never buy."""
        if self.role == "forestry":
            return "forestry"
        return "other" if self.role in ("pv", "biogas", "platform") else None


@dataclass
class Resting:
    order: str
    holder: Holder
    instrument: str
    side: str
    price: int
    remaining: int
    hold_left: int = 0  # money still held for a buy order


@dataclass
class Listed:
    id: str
    categories: tuple[str, ...] | None
    premium: float
    reference: int  # fen
    listed: dt.date
    traded_today: bool = False


def fee(value: int) -> int:
    return value * FEE_BPS // 10_000


class DemoMarket:
    def __init__(self, run: Run, submit: Submit, at: At, rng: random.Random, start: dt.date,
                 end: dt.date, scale: float, fee_account: str, treasury: str) -> None:
        self.run, self.submit, self.at, self.rng = run, submit, at, rng
        self.scale, self.fee_account, self.treasury = scale, fee_account, treasury
        self.path = price_path(start, end, random.Random(rng.random()))
        self.instruments: dict[str, Listed] = {}
        self.holders: dict[str, Holder] = {}
        self.orders: dict[str, Resting] = {}
        self.deposits = 0
        self.end = end

    # ------------------------------------------------------------------ money and listing
    def deposit(self, h: Holder, amount: int, key: str) -> None:
        """入金: money into a member's account from the clearing treasury."""
        amount = max(amount, 1_000_000)  # at least 10,000 yuan
        amount = -(-amount // 1_000_000) * 1_000_000
        self.run([Transfer("CNY", self.treasury, h.account, amount, memo="入金 deposit")],
                 key, SYSTEM)
        h.cash += amount
        self.deposits += 1

    def list_due(self, day: dt.date) -> None:
        """List the instruments whose day has come (at 9:00)."""
        for iid, cats, premium, listed in INSTRUMENTS:
            when = listed or day
            if iid in self.instruments or day < when:
                continue
            ref = self._tick(self.path[day] * premium)
            self.at(day, 9 * 60, 0)
            self.run([CreateInstrument(id=iid, asset="CQCER", tick=1, lot=1, band_bps=1000,
                                       reference_price=ref, max_order=MAX_ORDER, fee_bps=FEE_BPS,
                                       fee_account=self.fee_account, t_plus_one=True,
                                       block_min=BLOCK_MIN,
                                       categories=cats, sessions=SESSIONS)],
                     f"list/{iid}", SYSTEM)
            self.instruments[iid] = Listed(iid, cats, premium, ref, day)

    @staticmethod
    def _tick(yuan: float) -> int:
        return max(1, round(yuan * 100))

    def band(self, inst: Listed, bps: int = 1000) -> tuple[int, int]:
        return Instrument(id=inst.id,
                          asset="CQCER",
                          tick=1,
                          lot=1,
                          band_bps=1000,
                          reference_price=inst.reference,
                          max_order=MAX_ORDER,
                          fee_bps=FEE_BPS,
                          fee_account=self.fee_account).band(bps)

    # ------------------------------------------------------------------ accounting
    def _apply_fills(self, inst: str, taker: Holder, side: str, price: int, qty: int,
                     result: dict[str, Any], day: dt.date) -> int:
        """Book the fills of an order just placed and what it leaves resting; the units it
        traded."""
        traded = 0
        for f in result["fills"]:
            maker = self.orders[f["maker"]]
            q, value = int(f["quantity"]), int(f["price"]) * int(f["quantity"])
            buyer, seller = (taker, maker.holder) if side == "buy" else (maker.holder, taker)
            buyer.cash -= value + fee(value)
            seller.cash += value - fee(value)
            seller.units -= q
            seller.month_sold += q
            buyer.units += q
            if buyer.bought_on != day:
                buyer.bought_on, buyer.bought = day, 0
            buyer.bought += q
            buyer.want = max(0, buyer.want - q)
            if maker.side == "sell":
                maker.holder.held -= q
            else:
                maker.hold_left -= value + fee(value)
                maker.holder.cash_held -= value + fee(value)
            maker.remaining -= q
            if maker.remaining == 0:
                maker.holder.cash_held -= maker.hold_left
                del self.orders[maker.order]
            traded += q
        rest = int(result["remaining"])
        if rest and result["status"] == "open":
            hold = 0
            if side == "sell":
                taker.held += rest
            else:
                hold = price * rest + fee(price * rest)
                taker.cash_held += hold
            self.orders[result["order"]] = Resting(result["order"], taker, inst, side, price,
                                                   rest, hold)
        return traded

    def book_purchase(self, inst: str, fills: list[dict[str, Any]], day: dt.date) -> int:
        """Book the resting sell orders another context's purchase filled (a court's case
        buys for its own account, which the demo does not keep); the units bought."""
        buyer = Holder("", "", "case", SYSTEM)
        return self._apply_fills(inst, buyer, "buy", 0, 0,
                                 {"fills": fills, "remaining": 0, "status": "cancelled"}, day)

    def place(self, h: Holder, inst: Listed, side: str, price: int, qty: int, day: dt.date,
              key: str) -> int:
        """Place a limit order (money deposited first if need be); the units it traded."""
        return self.place_together([(h, inst, side, price, qty, key)], day)

    def place_together(self, orders: list[tuple[Holder, Listed, str, int, int, str]],
                       day: dt.date) -> int:
        """Send orders one after the other without waiting in between, so that the sequencer
        commits them together (each was checked against what is known before any of them is
        sent); book each answer in turn. The units they traded."""
        futures = []
        for h, inst, side, price, qty, key in orders:
            need = price * qty + fee(price * qty)
            if side == "buy" and h.spendable() < need:
                self.deposit(h, need - h.spendable() + 5_000_000, f"{key}/deposit")
            if side == "buy":
                h.cash_held += need  # spoken for until its answer is booked
            futures.append(self.submit([PlaceOrder.from_payload({
                "instrument": inst.id, "account": h.account, "side": side,
                "order_type": "limit", "price": price, "quantity": qty})], key, h.actor))
        traded = 0
        for (h, inst, side, price, qty, _), future in zip(orders, futures, strict=True):
            r = future()[0]
            if side == "buy":
                h.cash_held -= price * qty + fee(price * qty)
            inst.traded_today = inst.traded_today or bool(r.result["fills"])
            traded += self._apply_fills(inst.id, h, side, price, qty, r.result, day)
        return traded

    def cancel(self, o: Resting, key: str) -> None:
        self.run([CancelOrder(o.order)], key, o.holder.actor)
        self._forget(o)

    def _forget(self, o: Resting) -> None:
        """A cancelled order releases what it held."""
        if o.side == "sell":
            o.holder.held -= o.remaining
        else:
            o.holder.cash_held -= o.hold_left
        del self.orders[o.order]

    # ------------------------------------------------------------------ choosing who trades
    def _resting_side(self, h: Holder, inst: str) -> set[str]:
        return {o.side for o in self.orders.values() if o.holder is h and o.instrument == inst}

    def sellers(self, inst: Listed, day: dt.date, buyer: Holder | None = None,
                asking: bool = False) -> list[tuple[Holder, float]]:
        """Who would sell on this instrument today, weighted by what they offer: owners of
        projects, and traders (who seldom sell to another trader); ``asking``: who could
        leave an offer on the book, whatever its month's share."""
        out = []
        for h in self.holders.values():
            offer = h.sellable(day) if asking and h.role in SELLERS else h.offer(day)
            if offer < 10:
                continue
            if inst.categories is not None and (
                    h.pure is None or (h.pure == "forestry") != ("forestry" in inst.categories)):
                continue
            if "buy" in self._resting_side(h, inst.id):
                continue
            weight = float(offer)
            if h.role == "trader":
                weight *= 0.15 if buyer is not None and buyer.role == "trader" else 1.5
            out.append((h, weight))
        return out

    def buyers(self, inst: Listed, day: dt.date) -> list[tuple[Holder, float]]:
        """Who would buy: traders below their target stock, compliance buyers (most in the
        last quarter, before they retire in December), buyers of a neutrality claim."""
        season = 3.0 if day.month >= 10 else 1.0
        out = []
        for h in self.holders.values():
            if h.role not in ("trader", "compliance", "neutral"):
                continue
            if inst.id == "CQCER-FOREST" and h.role == "compliance":
                continue
            if "sell" in self._resting_side(h, inst.id):
                continue
            if h.role == "trader":
                weight = max(0, h.stock - h.units) * 0.6
            elif h.role == "compliance":
                weight = h.want * season
            else:
                weight = h.want * 2.0
            if weight > 0:
                out.append((h, weight))
        return out

    def pick(self, pool: list[tuple[Holder, float]], but: Holder | None = None) -> Holder | None:
        pool = [(h, w) for h, w in pool if but is None or h.party != but.party]
        total = sum(w for _, w in pool)
        if total <= 0:
            return None
        x = self.rng.uniform(0, total)
        for h, w in pool:
            x -= w
            if x <= 0:
                return h
        return pool[-1][0]

    # ------------------------------------------------------------------ a trading day
    def day_plan(self, day: dt.date, morning_only: bool = False) -> list[tuple[int, int, str]]:
        """(minute, second, instrument) of each trade today, in time order, one a minute."""
        listed = [i for i in self.instruments.values() if i.listed <= day]
        if not listed or not is_trading_day(day):
            return []
        rate = 1.8 * self.scale * BY_YEAR.get(day.year, 1.5) * BY_MONTH[day.month]
        n = _poisson(self.rng, rate)
        weights = [0.55 if i.id == "CQCER-ALL" else 0.25 if "FOREST" in i.id else 0.2
                   for i in listed]
        slots = [m for a, b in SESSIONS[:1 if morning_only else None] for m in range(a, b - 1)]
        minutes = self.rng.sample(slots, min(n, len(slots)))
        return sorted((m, self.rng.randrange(5, 55), self.rng.choices(listed, weights)[0].id)
                      for m in minutes)

    def trade(self, day: dt.date, minute: int, second: int, iid: str, key: str) -> int:
        """One trade: a maker's limit order, then a taker's that meets it a few seconds
        later; sometimes the maker offers more than is taken and the rest rests."""
        inst = self.instruments[iid]
        buyer = self.pick(self.buyers(inst, day))
        seller = self.pick(self.sellers(inst, day, buyer), but=buyer) if buyer else None
        if seller is None or buyer is None:
            return 0
        size = _size(self.rng)
        cap = buyer.want if buyer.role != "trader" else buyer.stock - buyer.units
        qty = min(size, seller.offer(day), max(cap, 10), MAX_ORDER)
        if qty < 10:
            return 0
        lo, hi = self.band(inst)
        fair = self.path[day] * inst.premium * math.exp(self.rng.gauss(0, 0.006))
        price = min(hi, max(lo, self._tick(fair)))
        extra = int(qty * self.rng.uniform(0.2, 1.0)) if self.rng.random() < 0.3 else 0
        maker_side = self.rng.choice(("sell", "buy"))
        if maker_side == "sell":
            extra = min(extra, seller.offer(day) - qty)
        self.at(day, minute, second)
        if maker_side == "sell":
            return self.place_together([
                (seller, inst, "sell", price, qty + extra, f"{key}/m"),
                (buyer, inst, "buy", min(hi, price + self.rng.randrange(0, 30)), qty,
                 f"{key}/t")], day)
        return self.place_together([
            (buyer, inst, "buy", price, qty + extra, f"{key}/m"),
            (seller, inst, "sell", max(lo, price - self.rng.randrange(0, 30)), qty,
             f"{key}/t")], day)

    def block(self, day: dt.date, seller: Holder, buyer: Holder, qty: int, key: str) -> None:
        """A block agreement (大宗协议) on CQCER-ALL: the seller proposes to a named buyer at
        13:30, who confirms at 14:10."""
        inst = self.instruments["CQCER-ALL"]
        lo, hi = self.band(inst, 3000)
        price = min(hi, max(lo, self._tick(self.path[day] * self.rng.uniform(0.97, 1.02))))
        value = price * qty
        if buyer.spendable() < value + fee(value):
            self.deposit(buyer, value + fee(value) - buyer.spendable(), f"{key}/deposit")
        self.at(day, 13 * 60 + 30, 0)
        proposal = self.run([ProposeBlockTrade(inst.id, seller.account, buyer.account, price,
                                               qty)], f"{key}/propose", seller.actor)[0]
        self.at(day, 14 * 60 + 10, 0)
        self.run([ConfirmBlockTrade(proposal.result["order"])], f"{key}/confirm", buyer.actor)
        seller.units -= qty
        seller.month_sold += qty
        seller.cash += value - fee(value)
        buyer.units += qty
        buyer.cash -= value + fee(value)
        buyer.want = max(0, buyer.want - qty)
        buyer.bought_on, buyer.bought = day, (buyer.bought if buyer.bought_on == day else 0) \
            + qty
        inst.traded_today = True

    def close(self, day: dt.date, key: str, keep_orders: bool = False) -> None:
        """At 15:00 the operator closes each instrument that traded (the day's VWAP becomes
        tomorrow's reference); then the day orders left are cancelled by their owners."""
        traded = [i for i in self.instruments.values() if i.traded_today]
        if traded:
            self.at(day, 15 * 60, 0)
            for inst, r in zip(traded, self.run([CloseDay(i.id) for i in traded],
                                                f"{key}/close", SYSTEM), strict=True):
                inst.reference = int(r.result["close"])
                inst.traded_today = False
        if not keep_orders and self.orders:
            self.at(day, 15 * 60 + 1, 0)
            left = sorted(self.orders.values(), key=lambda o: o.order)
            futures = [self.submit([CancelOrder(o.order)], f"{key}/cancel-{k}", o.holder.actor)
                       for k, o in enumerate(left)]
            for o, future in zip(left, futures, strict=True):
                future()
                self._forget(o)


    def final_book(self, day: dt.date, key: str) -> None:
        """The orders left resting at the end: on every instrument, offers a few ticks to a few
        per cent above the reference and bids below it, from those who would send them."""
        minute = 14 * 60 + 20
        for inst in self.instruments.values():
            lo, hi = self.band(inst)
            for side in ("sell", "buy"):
                pool = self.sellers(inst, day, asking=True) if side == "sell" else \
                    self.buyers(inst, day)
                for level in range(6):
                    h = self.pick(pool)
                    if h is None:
                        break
                    step = 1 + level * 0.012 + self.rng.uniform(0.002, 0.01)
                    price = self._tick(inst.reference / 100 * (step if side == "sell"
                                                               else 2 - step))
                    price = min(hi, max(lo, price))
                    qty = min(_size(self.rng) // 2 + 10, MAX_ORDER)
                    if side == "sell":
                        qty = min(qty, h.sellable(day))
                    if qty < 10:
                        continue
                    minute += 1
                    self.at(day, minute, self.rng.randrange(60))
                    self.place(h, inst, side, price, qty, day,
                               f"{key}/{inst.id}/{side}-{level}")


def _poisson(rng: random.Random, mean: float) -> int:
    """Knuth's method (the means here are small)."""
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def _size(rng: random.Random) -> int:
    """Tonnes in one trade: lognormal, median 1,000 t (assumption), in round lots."""
    q = rng.lognormvariate(math.log(1_000), 1.1)
    q = min(max(q, 10.0), 60_000.0)
    step = 100 if q >= 1_000 else 10
    return max(step, int(q // step * step))

