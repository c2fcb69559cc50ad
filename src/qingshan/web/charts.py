"""Charts and maps drawn on the server as SVG: they work offline, need no JavaScript, and
carry text for screen readers (``role="img"`` with a label, ``<title>`` on every mark)."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from html import escape
from typing import Any

from markupsafe import Markup

PALETTE = ["#1f5f3f", "#2e7d4f", "#4e9a63", "#7bb77f", "#a9d2a1", "#d4ead0"]
# Chongqing's extent, degrees (with a margin): west Tongliang/Dazu, east Wushan, south
# Xiushan, north Chengkou
LON0, LON1, LAT0, LAT1 = 105.1, 110.3, 28.0, 32.3


def _label(text: str) -> str:
    return escape(text, quote=True)


def bar_chart(items: Sequence[tuple[str, int]], *, title: str, unit: str = "",
              width: int = 560) -> Markup:
    """Horizontal bars, largest first in the order given."""
    if not items:
        return Markup("")
    row, left = 26, 150
    height = row * len(items) + 10
    top = max(v for _, v in items) or 1
    parts = [f'<svg viewBox="0 0 {width} {height}" width="100%" role="img" '
             f'aria-label="{_label(title)}" xmlns="http://www.w3.org/2000/svg">']
    for i, (name, value) in enumerate(items):
        y = 5 + i * row
        w = (width - left - 90) * value / top
        parts.append(
            f'<g><title>{_label(name)}: {value:,} {_label(unit)}</title>'
            f'<text x="{left - 8}" y="{y + 16}" text-anchor="end" font-size="13" '
            f'fill="#1b2b22">{_label(name)}</text>'
            f'<rect x="{left}" y="{y + 3}" width="{w:.1f}" height="{row - 8}" rx="3" '
            f'fill="{PALETTE[i % 3]}"/>'
            f'<text x="{left + w + 6:.1f}" y="{y + 16}" font-size="12" fill="#1b2b22">'
            f'{value:,}</text></g>')
    parts.append("</svg>")
    return Markup("".join(parts))


def column_chart(items: Sequence[tuple[str, int]], *, title: str, unit: str = "",
                 width: int = 560, height: int = 220,
                 ticks: dict[int, str] | None = None) -> Markup:
    """Vertical columns for a series over time (vintages, months); ``ticks``: the columns
    to label and their labels (by default every eighth column, by its name)."""
    if not items:
        return Markup("")
    bottom, left = 28, 10
    top = max(v for _, v in items) or 1
    slot = (width - 2 * left) / len(items)
    parts = [f'<svg viewBox="0 0 {width} {height}" width="100%" role="img" '
             f'aria-label="{_label(title)}" xmlns="http://www.w3.org/2000/svg">',
             f'<line x1="{left}" y1="{height - bottom}" x2="{width - left}" '
             f'y2="{height - bottom}" stroke="#8aa89a"/>']
    every = max(1, len(items) // 8)
    for i, (name, value) in enumerate(items):
        h = (height - bottom - 12) * value / top
        x = left + i * slot
        parts.append(
            f'<g><title>{_label(name)}: {value:,} {_label(unit)}</title>'
            f'<rect x="{x + slot * 0.15:.1f}" y="{height - bottom - h:.1f}" '
            f'width="{slot * 0.7:.1f}" height="{h:.1f}" fill="{PALETTE[1]}"/></g>')
        label = ticks.get(i) if ticks is not None else name if i % every == 0 else None
        if label is not None:
            parts.append(f'<text x="{x + slot / 2:.1f}" y="{height - 10}" font-size="11" '
                         f'text-anchor="middle" fill="#1b2b22">{_label(label)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def year_ticks(months: Sequence[str]) -> dict[int, str]:
    """Labels for a column chart of months (``YYYY-MM``): the year under each January, and
    under the first month when the next January is not close by."""
    ticks = {i: m[:4] for i, m in enumerate(months) if m.endswith("-01")}
    if months and 0 not in ticks and all(i >= 4 for i in ticks):
        ticks[0] = months[0][:4]
    return ticks


def price_chart(bars: Sequence[dict[str, Any]], *, title: str, width: int = 560,
                height: int = 240) -> Markup:
    """A market's history: the daily VWAP (the close) as a line over calendar time, the
    day's volume as thin columns below it, a label at each new year and the price range on
    the left. ``bars``: daily bars (``day`` ISO date, ``vwap`` fen, ``volume``)."""
    if not bars:
        return Markup("")
    left, right, top_pad, vol_h, bottom = 46, 8, 10, 44, 22
    days = [dt.date.fromisoformat(b["day"]) for b in bars]
    first, last = days[0], days[-1]
    span = max(1, (last - first).days)
    prices = [int(b["vwap"]) for b in bars]
    lo, hi = min(prices), max(prices)
    pad = max(1, (hi - lo) // 10)
    lo, hi = max(0, lo - pad), hi + pad
    plot_h = height - top_pad - vol_h - bottom
    vmax = max(b["volume"] for b in bars) or 1

    def x(day: dt.date) -> float:
        return left + (width - left - right) * (day - first).days / span

    def y(price: int) -> float:
        return top_pad + plot_h * (hi - price) / max(1, hi - lo)

    parts = [f'<svg viewBox="0 0 {width} {height}" width="100%" role="img" '
             f'aria-label="{_label(title)}" xmlns="http://www.w3.org/2000/svg">']
    for k in range(4):  # price grid and labels, yuan
        p = lo + (hi - lo) * k // 3
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y(p):.1f}" y2="{y(p):.1f}" '
                     f'stroke="#dde7e0"/><text x="{left - 4}" y="{y(p) + 4:.1f}" '
                     f'font-size="11" text-anchor="end" fill="#1b2b22">{p / 100:.2f}</text>')
    base = height - bottom
    for year in range(first.year + 1, last.year + 1):
        xx = x(dt.date(year, 1, 1))
        parts.append(f'<line x1="{xx:.1f}" x2="{xx:.1f}" y1="{top_pad}" y2="{base}" '
                     f'stroke="#c9d8ce" stroke-dasharray="3 3"/><text x="{xx:.1f}" '
                     f'y="{height - 6}" font-size="11" text-anchor="middle" '
                     f'fill="#1b2b22">{year}</text>')
    for b, day in zip(bars, days, strict=True):
        h = vol_h * b["volume"] / vmax
        parts.append(f'<rect x="{x(day):.1f}" y="{base - h:.1f}" width="1.2" height="{h:.1f}" '
                     f'fill="{PALETTE[3]}"><title>{b["day"]}: {b["volume"]:,} t</title></rect>')
    line = " ".join(f"{x(day):.1f},{y(b['vwap']):.1f}" for b, day in zip(bars, days,
                                                                        strict=True))
    parts.append(f'<polyline points="{line}" fill="none" stroke="{PALETTE[0]}" '
                 f'stroke-width="1.4"><title>{_label(title)}: {bars[0]["day"]} – '
                 f'{bars[-1]["day"]}, {lo / 100:.2f}–{hi / 100:.2f} CNY/t</title></polyline>')
    parts.append("</svg>")
    return Markup("".join(parts))


def symbol_map(points: Sequence[tuple[str, float, float, int]], *, title: str,
               unit: str = "", width: int = 560) -> Markup:
    """A proportional-symbol map: one circle per district at its seat, area ∝ value; the
    districts without a value are drawn as small grey dots so the shape of the city shows."""
    height = int(width * (LAT1 - LAT0) / (LON1 - LON0) / math.cos(math.radians(30)))
    top = max((v for *_, v in points), default=0) or 1

    def xy(lon: float, lat: float) -> tuple[float, float]:
        return ((lon - LON0) / (LON1 - LON0) * width,
                (LAT1 - lat) / (LAT1 - LAT0) * height)

    parts = [f'<svg viewBox="0 0 {width} {height}" width="100%" role="img" '
             f'aria-label="{_label(title)}" xmlns="http://www.w3.org/2000/svg">',
             f'<rect width="{width}" height="{height}" fill="#eef4ef" rx="8"/>']
    for name, lon, lat, value in sorted(points, key=lambda p: -p[3]):
        x, y = xy(lon, lat)
        if value <= 0:
            parts.append(f'<g><title>{_label(name)}: 0</title><circle cx="{x:.1f}" '
                         f'cy="{y:.1f}" r="3" fill="#b5c4bb"/></g>')
            continue
        r = 4 + 26 * math.sqrt(value / top)
        shade = PALETTE[min(5, int(5 * (1 - value / top)))]
        parts.append(f'<g><title>{_label(name)}: {value:,} {_label(unit)}</title>'
                     f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="{shade}" '
                     f'fill-opacity="0.8" stroke="#fff"/></g>')
    for name, lon, lat, value in points:
        if value > 0.25 * top:
            x, y = xy(lon, lat)
            parts.append(f'<text x="{x:.1f}" y="{y + 4:.1f}" font-size="11" '
                         f'text-anchor="middle" fill="#0d2418">{_label(name)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def quantity(n: int, lang: str, unit_zh: str = "吨", unit_en: str = "t") -> str:
    """A big quantity in the reader's words: 161.9万吨 / 1.62 Mt."""
    if lang == "zh":
        if n >= 100_000_000:
            return f"{n / 100_000_000:,.2f}亿{unit_zh}"
        if n >= 10_000:
            return f"{n / 10_000:,.1f}万{unit_zh}"
        return f"{n:,}{unit_zh}"
    if n >= 1_000_000:
        return f"{n / 1_000_000:,.2f} M{unit_en}"
    if n >= 1_000:
        return f"{n / 1_000:,.1f} k{unit_en}"
    return f"{n:,} {unit_en}"


def money(fen: int, lang: str) -> str:
    """CNY from fen: 9,898.6万元 / CNY 98.99 M."""
    yuan = fen / 100
    if lang == "zh":
        if yuan >= 100_000_000:
            return f"{yuan / 100_000_000:,.2f}亿元"
        if yuan >= 10_000:
            return f"{yuan / 10_000:,.1f}万元"
        return f"{yuan:,.2f}元"
    if yuan >= 1_000_000:
        return f"CNY {yuan / 1_000_000:,.2f} M"
    return f"CNY {yuan:,.2f}"


LIANGJIANG = "500157"  # since 2025-11-06: the former 江北区 (500105) and 渝北区 (500112)
MERGED = {"500105": LIANGJIANG, "500112": LIANGJIANG}


def district_map(rings: dict[str, list[list[tuple[float, float]]]], values: dict[str, int],
                 names: dict[str, str], *, title: str, unit: str = "",
                 width: int = 560) -> Markup:
    """A choropleth of the districts' boundaries, five shades by share of the largest value,
    each district titled with its name and value."""
    height = int(width * (LAT1 - LAT0) / (LON1 - LON0) / math.cos(math.radians(30)))
    top = max(values.values(), default=0) or 1

    def point(lon: float, lat: float) -> str:
        return (f"{(lon - LON0) / (LON1 - LON0) * width:.1f},"
                f"{(LAT1 - lat) / (LAT1 - LAT0) * height:.1f}")

    parts = [f'<svg viewBox="0 0 {width} {height}" width="100%" role="img" '
             f'aria-label="{_label(title)}" xmlns="http://www.w3.org/2000/svg">']
    # one shape per district as it is today: a merged district's former parts become one path,
    # its inner seam stroked in its own colour, drawn first so that its neighbours' white
    # borders lie on top of its outline
    shapes: dict[str, list[list[tuple[float, float]]]] = {}
    for code, polys in sorted(rings.items()):
        shapes.setdefault(MERGED.get(code, code), []).extend(polys)
    merged = set(MERGED.values())
    for shown in sorted(shapes, key=lambda c: (c not in merged, c)):
        value = values.get(shown, 0)
        shade = "#e3ebe5" if value <= 0 else PALETTE[min(4, int(5 * (1 - value / top)))]
        d = " ".join("M" + " L".join(point(*p) for p in ring[::2] or ring) + " Z"
                     for ring in shapes[shown])
        name = names.get(shown, shown)
        stroke = shade if shown in merged else "#ffffff"
        parts.append(f'<path d="{d}" fill="{shade}" stroke="{stroke}" stroke-width="0.8" '
                     f'data-district="{shown}">'
                     f'<title>{_label(name)}: {value:,} {_label(unit)}</title></path>')
    steps = [(PALETTE[4 - k], f"≥ {top * k // 5:,}") for k in range(5)]
    for k, (shade, text) in enumerate(steps):
        y = height - 16 - 16 * k
        parts.append(f'<rect x="8" y="{y}" width="12" height="12" fill="{shade}"/>'
                     f'<text x="24" y="{y + 10}" font-size="11" fill="#1b2b22">{text}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


# a district's standing against its target: short, met, surplus (and not measured)
STATUS_COLOURS = {"short": "#c2513a", "met": "#e0b64a", "surplus": "#2e7d4f", "": "#d9e0db"}


def status_map(rings: dict[str, list[list[tuple[float, float]]]] | None,
               seats: dict[str, tuple[float, float]], statuses: dict[str, str],
               names: dict[str, str], labels: dict[str, str], *, title: str,
               merged: bool, width: int = 560) -> Markup:
    """The districts coloured by their standing (``statuses``: code -> short / met /
    surplus) with a legend; ``merged``: 江北 and 渝北 drawn as 两江新区 (from 2025). Without
    boundaries, a dot at each seat."""
    height = int(width * (LAT1 - LAT0) / (LON1 - LON0) / math.cos(math.radians(30)))

    def xy(lon: float, lat: float) -> tuple[float, float]:
        return ((lon - LON0) / (LON1 - LON0) * width, (LAT1 - lat) / (LAT1 - LAT0) * height)

    def mark(code: str) -> tuple[str, str]:
        status = statuses.get(code, "")
        word = labels.get(status, status) or labels.get("", "")
        return STATUS_COLOURS.get(status, STATUS_COLOURS[""]), \
            f"<title>{_label(names.get(code, code))}: {_label(word)}</title>"

    parts = [f'<svg viewBox="0 0 {width} {height}" width="100%" role="img" '
             f'aria-label="{_label(title)}" xmlns="http://www.w3.org/2000/svg" '
             f'data-chart="status-map">']
    if rings:
        shapes: dict[str, list[list[tuple[float, float]]]] = {}
        for code, polys in sorted(rings.items()):
            shapes.setdefault(MERGED.get(code, code) if merged else code, []).extend(polys)
        for code in sorted(shapes, key=lambda c: (c not in MERGED.values(), c)):
            fill, text = mark(code)
            d = " ".join("M" + " L".join("{:.1f},{:.1f}".format(*xy(*p))
                                         for p in ring[::2] or ring) + " Z"
                         for ring in shapes[code])
            stroke = fill if code in MERGED.values() else "#ffffff"
            parts.append(f'<path d="{d}" fill="{fill}" stroke="{stroke}" stroke-width="0.8" '
                         f'data-district="{code}" data-status="{statuses.get(code, "")}">'
                         f'{text}</path>')
    else:
        parts.append(f'<rect width="{width}" height="{height}" fill="#eef4ef" rx="8"/>')
        for code, (lon, lat) in sorted(seats.items()):
            fill, text = mark(code)
            x, y = xy(lon, lat)
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="9" fill="{fill}" '
                         f'stroke="#fff" data-district="{code}" '
                         f'data-status="{statuses.get(code, "")}">{text}</circle>')
    for k, status in enumerate(("surplus", "met", "short")):
        y = height - 16 - 16 * k
        parts.append(f'<rect x="8" y="{y}" width="12" height="12" '
                     f'fill="{STATUS_COLOURS[status]}"/><text x="24" y="{y + 10}" '
                     f'font-size="11" fill="#1b2b22">{_label(labels.get(status, status))}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def coverage_chart(rows: Sequence[dict[str, Any]], *, title: str, own: str, traded: str,
                   target: str, width: int = 560, height: int = 240) -> Markup:
    """A district's coverage by year, %: its own forest as a column, what it bought on top
    (or sold, cut from the top) lighter, and its target as a dark tick. ``rows``: standings
    (``year``, ``own_bps``, ``with_trades_bps``, ``target_bps``)."""
    if not rows:
        return Markup("")
    bottom, left, top_pad = 26, 34, 10
    top = max(max(r["own_bps"], r["with_trades_bps"], r["target_bps"]) for r in rows) or 1
    top = -(-top // 1000) * 1000
    plot = height - bottom - top_pad
    slot = (width - left - 10) / len(rows)

    def y(bps: int) -> float:
        return top_pad + plot * (1 - bps / top)

    parts = [f'<svg viewBox="0 0 {width} {height}" width="100%" role="img" '
             f'aria-label="{_label(title)}" xmlns="http://www.w3.org/2000/svg" '
             f'data-chart="coverage">']
    for k in range(0, top + 1, 1000 if top <= 5000 else 2000):
        parts.append(f'<line x1="{left}" x2="{width - 10}" y1="{y(k):.1f}" y2="{y(k):.1f}" '
                     f'stroke="#dde7e0"/><text x="{left - 4}" y="{y(k) + 4:.1f}" '
                     f'font-size="11" text-anchor="end" fill="#1b2b22">{k // 100}%</text>')
    for i, r in enumerate(rows):
        x = left + i * slot
        w = slot * 0.6
        low, high = sorted((r["own_bps"], r["with_trades_bps"]))
        parts.append(f'<g><title>{r["year"]}: {_label(own)} {r["own_bps"] / 100:.2f}%, '
                     f'{_label(traded)} {r["with_trades_bps"] / 100:.2f}%, {_label(target)} '
                     f'{r["target_bps"] / 100:.2f}%</title>'
                     f'<rect x="{x + slot * 0.2:.1f}" y="{y(low):.1f}" width="{w:.1f}" '
                     f'height="{y(0) - y(low):.1f}" fill="{PALETTE[1]}"/>')
        if high > low:
            parts.append(f'<rect x="{x + slot * 0.2:.1f}" y="{y(high):.1f}" width="{w:.1f}" '
                         f'height="{y(low) - y(high):.1f}" fill="{PALETTE[4]}" '
                         f'stroke="{PALETTE[1]}" stroke-dasharray="2 2"/>')
        parts.append(f'<line x1="{x + slot * 0.1:.1f}" x2="{x + slot * 0.9:.1f}" '
                     f'y1="{y(r["target_bps"]):.1f}" y2="{y(r["target_bps"]):.1f}" '
                     f'stroke="#8a2c1c" stroke-width="2.5"/></g>'
                     f'<text x="{x + slot / 2:.1f}" y="{height - 8}" font-size="11" '
                     f'text-anchor="middle" fill="#1b2b22">{r["year"]}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def deal_chart(deals: Sequence[dict[str, Any]], *, title: str, unit: str = "mu",
               width: int = 560, height: int = 220) -> Markup:
    """Contracts over time: each a circle at the day it was signed and its unit price (CNY),
    its area ∝ the quantity; a label at each new year. ``deals``: ``signed_on``,
    ``unit_price`` (fen), ``quantity``, ``seller``, ``buyer``."""
    if not deals:
        return Markup("")
    left, right, top_pad, bottom = 50, 16, 16, 24
    days = [dt.date.fromisoformat(d["signed_on"]) for d in deals]
    first, last = min(days), max(days)
    first, last = dt.date(first.year, 1, 1), dt.date(last.year + 1, 1, 1)
    span = (last - first).days
    prices = [int(d["unit_price"]) for d in deals]
    lo, hi = 0, -(-max(prices) * 12 // 10 // 30_000) * 30_000  # ticks at round yuan
    qmax = max(d["quantity"] for d in deals) or 1

    def x(day: dt.date) -> float:
        return left + (width - left - right) * (day - first).days / span

    def y(price: int) -> float:
        return top_pad + (height - top_pad - bottom) * (hi - price) / max(1, hi - lo)

    parts = [f'<svg viewBox="0 0 {width} {height}" width="100%" role="img" '
             f'aria-label="{_label(title)}" xmlns="http://www.w3.org/2000/svg" '
             f'data-chart="deals">']
    for k in range(4):
        p = lo + (hi - lo) * k // 3
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y(p):.1f}" y2="{y(p):.1f}" '
                     f'stroke="#dde7e0"/><text x="{left - 4}" y="{y(p) + 4:.1f}" '
                     f'font-size="11" text-anchor="end" fill="#1b2b22">{p / 100:,.0f}</text>')
    for year in range(first.year, last.year):
        xx = x(dt.date(year, 7, 1))
        parts.append(f'<text x="{xx:.1f}" y="{height - 6}" font-size="11" '
                     f'text-anchor="middle" fill="#1b2b22">{year}</text>')
    for d, day in zip(deals, days, strict=True):
        r = 3 + 14 * math.sqrt(d["quantity"] / qmax)
        parts.append(f'<circle cx="{x(day):.1f}" cy="{y(int(d["unit_price"])):.1f}" '
                     f'r="{r:.1f}" fill="{PALETTE[2]}" fill-opacity="0.6" stroke="{PALETTE[0]}">'
                     f'<title>{d["signed_on"]} {_label(d.get("seller") or "")} → '
                     f'{_label(d.get("buyer") or "")}: {d["quantity"]:,} {_label(unit)} × '
                     f'{int(d["unit_price"]) / 100:,.2f}</title></circle>')
    parts.append("</svg>")
    return Markup("".join(parts))


def band_chart(p10: Sequence[int], p50: Sequence[int], p90: Sequence[int], *, title: str,
               unit: str = "t", first_year: int = 1, width: int = 560,
               height: int = 240) -> Markup:
    """A projection by year: the median (P50) as a line over the band between the
    conservative (P90) and the optimistic (P10) values, the axis in ``unit``; the years
    labelled from ``first_year``."""
    if not p50:
        return Markup("")
    left, right, top_pad, bottom = 58, 12, 10, 24
    top = max([*p10, *p50, *p90, 1])
    n = max(1, len(p50) - 1)

    def x(i: int) -> float:
        return left + (width - left - right) * i / n

    def y(v: int) -> float:
        return top_pad + (height - top_pad - bottom) * (1 - v / top)

    parts = [f'<svg viewBox="0 0 {width} {height}" width="100%" role="img" '
             f'aria-label="{_label(title)}" xmlns="http://www.w3.org/2000/svg" '
             f'data-chart="projection">']
    for k in range(4):
        v = top * k // 3
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y(v):.1f}" y2="{y(v):.1f}" '
                     f'stroke="#dde7e0"/><text x="{left - 4}" y="{y(v) + 4:.1f}" '
                     f'font-size="11" text-anchor="end" fill="#1b2b22">{v:,}</text>')
    band = [f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(p10)] + \
        [f"{x(i):.1f},{y(v):.1f}" for i, v in reversed(list(enumerate(p90)))]
    parts.append(f'<polygon points="{" ".join(band)}" fill="{PALETTE[4]}" fill-opacity="0.8" '
                 f'data-band="p10-p90"><title>P10–P90</title></polygon>')
    line = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(p50))
    parts.append(f'<polyline points="{line}" fill="none" stroke="{PALETTE[0]}" '
                 f'stroke-width="2" data-line="p50"><title>P50</title></polyline>')
    every = max(1, len(p50) // 8)
    for i, (lo, mid, hi) in enumerate(zip(p90, p50, p10, strict=True)):
        parts.append(f'<circle cx="{x(i):.1f}" cy="{y(mid):.1f}" r="2.5" fill="{PALETTE[0]}">'
                     f'<title>{first_year + i}: P50 {mid:,} {_label(unit)} (P90 {lo:,}, '
                     f'P10 {hi:,})</title></circle>')
        if i % every == 0:
            parts.append(f'<text x="{x(i):.1f}" y="{height - 6}" font-size="11" '
                         f'text-anchor="middle" fill="#1b2b22">{first_year + i}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


STACK = ["#1f5f3f", "#7bb77f", "#c28f2c", "#3b6ea8", "#b0553c", "#6d5a9c", "#4e9a63",
         "#8a8f3a"]


def stacked_columns(columns: Sequence[str], series: Sequence[tuple[str, Sequence[int]]], *,
                    title: str, unit: str = "", width: int = 560,
                    height: int = 220) -> Markup:
    """Columns (months) stacked by series (scenarios): ``series`` is (name, one value per
    column); each segment titled with its series, column and value, and a legend above."""
    if not columns or not series:
        return Markup("")
    legend_h, bottom, left, axis = 22, 26, 10, 52
    totals = [sum(vals[i] for _, vals in series) for i in range(len(columns))]
    top = max(totals) or 1
    plot_h = height - legend_h - bottom - 8
    slot = (width - axis - left) / len(columns)
    parts = [f'<svg viewBox="0 0 {width} {height}" width="100%" role="img" '
             f'aria-label="{_label(title)}" xmlns="http://www.w3.org/2000/svg" '
             f'data-chart="stacked">']
    x = left
    for k, (name, _) in enumerate(series):  # the legend
        parts.append(f'<rect x="{x}" y="4" width="12" height="12" fill="{STACK[k % 8]}"/>'
                     f'<text x="{x + 16}" y="14" font-size="11" fill="#1b2b22">'
                     f'{_label(name)}</text>')
        x += 24 + 7 * len(name) + (6 * sum(1 for c in name if ord(c) > 0x2e80))
    base = height - bottom
    for k in range(3):
        v = top * k // 2
        y = base - plot_h * v / top
        parts.append(f'<line x1="{axis}" x2="{width - left}" y1="{y:.1f}" y2="{y:.1f}" '
                     f'stroke="#dde7e0"/><text x="{axis - 4}" y="{y + 4:.1f}" font-size="11" '
                     f'text-anchor="end" fill="#1b2b22">{v:,}</text>')
    every = max(1, len(columns) // 8)
    bar = min(slot * 0.7, 56.0)  # a few months stay columns, not blocks
    for i, col in enumerate(columns):
        cx = axis + i * slot
        y = float(base)
        for k, (name, vals) in enumerate(series):
            h = plot_h * vals[i] / top
            if h <= 0:
                continue
            y -= h
            parts.append(f'<rect x="{cx + (slot - bar) / 2:.1f}" y="{y:.1f}" '
                         f'width="{bar:.1f}" height="{h:.1f}" fill="{STACK[k % 8]}" '
                         f'data-series="{_label(name)}"><title>{_label(col)} · '
                         f'{_label(name)}: {vals[i]:,} {_label(unit)}</title></rect>')
        if i % every == 0:
            parts.append(f'<text x="{cx + slot / 2:.1f}" y="{height - 8}" font-size="11" '
                         f'text-anchor="middle" fill="#1b2b22">{_label(col)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
