"""The market's prices as pledge loans read them (``qingshan.contexts.MarketPrices``): its
index of trades by asset and day always answers as a plain sum over the market's trades would,
also after trades are rolled back and their ids reused."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from qingshan.contexts import EPOCH_ORDINAL, MarketPrices
from qingshan.market.book import MarketBook
from qingshan.market.model import Instrument, Trade

INSTRUMENTS = {"CQCER-ALL": "CQCER", "CQCER-FOREST": "CQCER", "FCI-ALL": "FCI"}
trade_rows = st.lists(st.tuples(st.sampled_from(sorted(INSTRUMENTS)), st.integers(1, 9_000),
                                st.integers(1, 500), st.integers(19_000, 19_800)),
                      max_size=40)


def market() -> MarketBook:
    m = MarketBook()
    for iid, asset in INSTRUMENTS.items():
        m.instruments[iid] = Instrument(id=iid, asset=asset, tick=1, lot=1, band_bps=1000,
                                        reference_price=5000, max_order=10**6, fee_bps=0,
                                        fee_account="A00000001")
    return m


def add(m: MarketBook, rows: list[tuple[str, int, int, int]]) -> None:
    for iid, price, qty, day in rows:
        m.counters["trade"] += 1
        tid = m.counters["trade"]
        m.trades[tid] = Trade(tid, iid, price, qty, "O1", "O2", "buy", 0, 0, tid, day)


def plain_average(m: MarketBook, asset: str, first: int, last: int) -> int | None:
    sel = [(t.price, t.quantity) for t in m.trades.values()
           if INSTRUMENTS[t.instrument] == asset and first <= t.day <= last]
    qty = sum(q for _, q in sel)
    return sum(p * q for p, q in sel) // qty if qty else None


def plain_yearly(m: MarketBook, asset: str, last: int) -> list[tuple[int, int]]:
    years: dict[int, list[int]] = {}
    for t in m.trades.values():
        if INSTRUMENTS[t.instrument] == asset and t.day <= last:
            v = years.setdefault(date.fromordinal(EPOCH_ORDINAL + t.day).year, [0, 0])
            v[0] += t.price * t.quantity
            v[1] += t.quantity
    return [(y, v // q) for y, (v, q) in sorted(years.items())]


@given(first=trade_rows, rolled_back=st.integers(0, 40), then=trade_rows,
       window=st.tuples(st.integers(19_000, 19_800), st.integers(0, 400)))
def test_the_price_index_answers_as_the_trades_do_after_a_rollback(
        first: list[tuple[str, int, int, int]], rolled_back: int,
        then: list[tuple[str, int, int, int]], window: tuple[int, int]) -> None:
    m = market()
    add(m, first)
    prices = MarketPrices(m)
    last, span = window
    for asset in ("CQCER", "FCI"):
        assert prices.average_price(asset, last - span, last) == \
            plain_average(m, asset, last - span, last)
    # an entry rolled back: its trades go and their ids are given to others
    for _ in range(min(rolled_back, len(first))):
        del m.trades[m.counters["trade"]]
        m.counters["trade"] -= 1
    add(m, then)
    for asset in ("CQCER", "FCI"):
        assert prices.average_price(asset, last - span, last) == \
            plain_average(m, asset, last - span, last)
        assert prices.yearly_prices(asset, last) == plain_yearly(m, asset, last)
