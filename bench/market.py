"""Market throughput, each figure beside a baseline measured in the same run.

    .venv/bin/python bench/market.py [--quick]

The book starts 10,000 resting orders deep (bids 80.00-99.99, asks 100.01-120.00 yuan). The
garbage collector is tuned as the sequencer tunes it in the server (``tune_collector``).

- matching engine alone: orders/s through ``market/engine.py`` (the engine the market book
  runs, undo log included), beside a plain sorted-list insert (bisect.insort) of the same
  orders: a stream where about one order in five crosses the spread;
- market book with in-memory settlement: the same stream through the market book on the
  ledger's book (checks, holds, matching, delivery versus payment), no database;
- end to end on SQLite, through the sequencer in batches of 1,000 (every fill settled and
  journaled, with the transparency log): the same stream, and a stream of pairs (a resting
  order, then an immediate-or-cancel order that crosses the spread) for settled trades/s.
"""

from __future__ import annotations

import argparse
import bisect
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.book import NOW_MS, SETUP, fund, issue  # noqa: E402

from qingshan.infra.migrate import upgrade  # noqa: E402
from qingshan.ledger import transparency as tlog  # noqa: E402
from qingshan.ledger.books import Router  # noqa: E402
from qingshan.ledger.domain.commands import Command, OpenAccount, RegisterParty  # noqa: E402
from qingshan.ledger.domain.model import (  # noqa: E402
    SYSTEM,
    AccountType,
    PartyKind,
    Principal,
    Role,
)
from qingshan.ledger.domain.state import LedgerState  # noqa: E402
from qingshan.ledger.sequencer import Sequencer, tune_collector  # noqa: E402
from qingshan.ledger.store import LedgerStore  # noqa: E402
from qingshan.market.book import MarketBook  # noqa: E402
from qingshan.market.commands import CreateInstrument, PlaceOrder  # noqa: E402
from qingshan.market.engine import OrderBook  # noqa: E402

TRADERS = 20
ACCOUNTS = [f"A{7 + i:08d}" for i in range(TRADERS)]
FEES = f"A{7 + TRADERS:08d}"
KEYS = [Principal(f"k{i}", Role.MEMBER, f"P{5 + i:06d}") for i in range(TRADERS)]


def setup_commands() -> list[Command]:
    cmds: list[Command] = list(SETUP)
    cmds += [RegisterParty(PartyKind.INDIVIDUAL, f"t{i}", None) for i in range(TRADERS)]
    cmds += [OpenAccount(f"P{5 + i:06d}", AccountType.HOLDING, "t") for i in range(TRADERS)]
    cmds += [OpenAccount("P000001", AccountType.HOLDING, "fees")]
    cmds += [issue(a, 10**9) for a in ACCOUNTS] + [fund(a, 10**15) for a in ACCOUNTS]
    cmds += [CreateInstrument(id="CQCER-ALL", asset="CQCER", tick=1, lot=1, band_bps=5000,
                              reference_price=10_000, max_order=10**9, fee_bps=30,
                              fee_account=FEES)]
    return cmds


def resting(n: int, rng: random.Random) -> list[tuple[int, PlaceOrder]]:
    """A deep book: bids 8,000-9,999 and asks 10,001-12,000, never crossing."""
    out = []
    for k in range(n):
        i = k % TRADERS
        side = "buy" if k % 2 == 0 else "sell"
        price = rng.randrange(8_000, 10_000) if side == "buy" else rng.randrange(10_001, 12_001)
        out.append((i, order(i, side, price, rng.randrange(1, 50))))
    return out


def incoming(n: int, rng: random.Random) -> list[tuple[int, PlaceOrder]]:
    """A stream where about one order in five crosses the spread."""
    out = []
    for _ in range(n):
        i = rng.randrange(TRADERS)
        side = rng.choice(["buy", "sell"])
        if rng.random() < 0.2:
            price = rng.randrange(10_001, 10_400) if side == "buy" else rng.randrange(9_600,
                                                                                        10_000)
        else:
            price = rng.randrange(8_000, 10_000) if side == "buy" else rng.randrange(10_001,
                                                                                       12_001)
        out.append((i, order(i, side, price, rng.randrange(1, 50))))
    return out


def crossing_pairs(n: int, rng: random.Random) -> list[tuple[int, PlaceOrder]]:
    """Pairs: a resting order inside the book, then an immediate-or-cancel order of the same
    size from the other side, limited far away (a market order with protection), that takes
    as much from the best prices of the first order's side: most pairs settle one or two
    trades and the depth holds at 10,000 orders."""
    out = []
    for _ in range(n // 2):
        i = rng.randrange(TRADERS)
        side = rng.choice(["buy", "sell"])
        qty = rng.randrange(1, 50)
        price = rng.randrange(9_000, 10_000) if side == "buy" else rng.randrange(10_001, 11_001)
        out.append((i, order(i, side, price, qty)))
        i = rng.randrange(TRADERS)
        taker = "sell" if side == "buy" else "buy"
        out.append((i, order(i, taker, 14_000 if taker == "buy" else 6_000, qty, "ioc")))
    return out


def order(i: int, side: str, price: int, qty: int, kind: str = "limit") -> PlaceOrder:
    return PlaceOrder.from_payload({"instrument": "CQCER-ALL", "account": ACCOUNTS[i],
                                    "side": side, "price": price, "quantity": qty,
                                    "order_type": kind})


def baseline(orders: list[tuple[int, PlaceOrder]], prefill: list[tuple[int, PlaceOrder]]) -> float:
    bids: list[tuple[int, int]] = []
    asks: list[tuple[int, int]] = []
    for n, (_, o) in enumerate(prefill):
        bisect.insort(bids if o.side.value == "buy" else asks, (o.price or 0, n))
    start = time.perf_counter()
    for n, (_, o) in enumerate(orders):
        bisect.insort(bids if o.side.value == "buy" else asks, (o.price or 0, n))
    return len(orders) / (time.perf_counter() - start)


def matching_engine(orders: list[tuple[int, PlaceOrder]],
                    prefill: list[tuple[int, PlaceOrder]]) -> tuple[float, int]:
    """The engine alone, fed the decoded orders (id, side, price, quantity, party)."""
    def decoded(stream: list[tuple[int, PlaceOrder]], base: int) -> list[tuple[Any, ...]]:
        return [(f"O{base + n:08d}", 0 if o.side.value == "buy" else 1, o.price or 0,
                 o.quantity, KEYS[i].party_id) for n, (i, o) in enumerate(stream)]

    undo: list[tuple[Any, ...]] = []
    book = OrderBook(undo)
    for args in decoded(prefill, 0):
        book.place(*args)
    undo.clear()
    todo = decoded(orders, len(prefill))
    place = book.place
    fills = 0
    start = time.perf_counter()
    for n, args in enumerate(todo):
        fills += len(place(*args)[0])
        if n % 1000 == 999:  # as the sequencer does after each committed group
            undo.clear()
    return len(orders) / (time.perf_counter() - start), fills


def market_book(orders: list[tuple[int, PlaceOrder]],
                prefill: list[tuple[int, PlaceOrder]]) -> tuple[float, int]:
    ledger = LedgerState()
    market = MarketBook()
    router = Router(ledger, [market])
    router.now_ms = NOW_MS  # the journal's clock, as a sequencer would set it
    for c in setup_commands():
        router.apply(c, SYSTEM, 0)
    for i, o in prefill:
        router.apply(o, KEYS[i], 0)
    router.forget_undo()
    trades = len(market.trades)
    start = time.perf_counter()
    for n, (i, o) in enumerate(orders):
        router.apply(o, KEYS[i], n)
        if n % 1000 == 999:
            router.forget_undo()
    rate = len(orders) / (time.perf_counter() - start)
    return rate, len(market.trades) - trades


def end_to_end(url: str, orders: list[tuple[int, PlaceOrder]],
               prefill: list[tuple[int, PlaceOrder]]) -> tuple[float, float, int]:
    upgrade(url)
    seq = Sequencer(LedgerStore(url), tlog.generate_signing_key(), books=lambda: [MarketBook()])
    seq.start()
    seq.execute(setup_commands(), SYSTEM, "setup")
    for n in range(0, len(prefill), 1000):  # as the operator, in batches
        seq.execute([o for _, o in prefill[n:n + 1000]], SYSTEM, f"pre{n}")
    market = seq.router.book("market")
    assert isinstance(market, MarketBook)
    before = len(market.trades)
    start = time.perf_counter()
    for n in range(0, len(orders), 1000):
        seq.execute([o for _, o in orders[n:n + 1000]], SYSTEM, f"o{n}")
    seconds = time.perf_counter() - start
    trades = len(market.trades) - before
    seq.stop()
    return len(orders) / seconds, trades / seconds, trades


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    n = 10_000 if args.quick else 50_000
    tune_collector()  # the process-wide setting the sequencer makes in the server, for all
    rng = random.Random(11)
    prefill = resting(10_000, rng)
    orders = incoming(n, rng)
    print(f"# bench/market.py: book depth 10,000 resting orders, {n:,} incoming orders")
    base = baseline(orders, prefill)
    print(f"baseline: bisect.insort into sorted lists       {base:>10,.0f} orders/s")
    rate, fills = matching_engine(orders, prefill)
    print(f"matching engine alone                           {rate:>10,.0f} orders/s   "
          f"ratio {rate / base:.2f} × baseline   ({fills:,} fills)")
    brate, trades = market_book(orders, prefill)
    print(f"market book, in-memory settlement               {brate:>10,.0f} orders/s   "
          f"ratio {brate / base:.3f} × baseline   ({trades:,} trades)")
    pairs = crossing_pairs(n, random.Random(12))
    tmp = Path(tempfile.mkdtemp(prefix="qingshan-mbench-"))
    try:
        orate, trate, etrades = end_to_end(f"sqlite:///{tmp / 'm.db'}", orders, prefill)
        print(f"end to end on SQLite, same stream               {orate:>10,.0f} orders/s   "
              f"{trate:,.0f} settled trades/s   ratio {orate / base:.3f} × baseline "
              f"({etrades:,} trades)")
        orate, trate, etrades = end_to_end(f"sqlite:///{tmp / 'p.db'}", pairs, prefill)
        print(f"end to end on SQLite, crossing pairs            {orate:>10,.0f} orders/s   "
              f"{trate:,.0f} settled trades/s   ratio {orate / base:.3f} × baseline "
              f"({etrades:,} trades)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
