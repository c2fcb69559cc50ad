"""The valuation report of an appraisal as a PDF (ReportLab): every input (the stands, the
parameter set, the draws and seed, the price and its basis, the trend, stress, discount and
loan-to-value ratio) and every result (the credits by year at P10, P50 and P90 drawn as a band
and a line, the values by scenario, the collateral and the ceiling), so that a reader can
recompute it with ``qingshan.science.forest``. Chinese text uses the first TrueType CJK font
found on the machine (embedded as a subset), else the STSong-Light CID font (as the registry's
certificates do). Input: ``queries.appraisal``'s answer."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from qingshan.infra.fonts import cjk_font
from qingshan.lending.model import BPS, M2_PER_HA

SPECIES = {"fir": ("杉木", "Chinese fir"), "masson_pine": ("马尾松", "Masson pine"),
           "cypress": ("柏木", "cypress"), "broadleaf": ("阔叶树", "broadleaf"),
           "bamboo": ("竹林", "bamboo")}
SCENARIOS = {"flat": ("平价", "flat price"), "trend": ("趋势", "market trend"),
             "stress": ("压力", "stress")}
GREEN, PALE = colors.HexColor("#1f5f3f"), colors.HexColor("#a9d2a1")


def yuan(fen: int) -> str:
    return f"{fen / 100:,.2f}"


def pct(bps: int) -> str:
    return f"{bps / 100:.2f} %"


class _Page:
    def __init__(self, c: canvas.Canvas, cjk: str) -> None:
        self.c, self.cjk = c, cjk
        self.w, self.h = A4
        self.y = self.h - 44 * mm

    def text(self, x: float, s: str, size: float = 9, font: str = "") -> None:
        self.c.setFont(font or self.cjk, size)
        self.c.drawString(x, self.y, s)

    def line(self, label: str, value: str) -> None:
        self.text(20 * mm, label)
        self.text(78 * mm, value)
        self.y -= 5 * mm

    def heading(self, s: str) -> None:
        self.y -= 2 * mm
        self.text(20 * mm, s, 11)
        self.y -= 6 * mm


def _banner(p: _Page, a: dict[str, Any]) -> None:
    c = p.c
    c.setFillColor(GREEN)
    c.rect(0, p.h - 32 * mm, p.w, 32 * mm, stroke=0, fill=1)
    c.setFillColor(colors.white)
    c.setFont(p.cjk, 18)
    c.drawString(20 * mm, p.h - 16 * mm, "林业碳汇预期收益权评估报告")
    c.setFont("Helvetica", 11)
    c.drawString(20 * mm, p.h - 25 * mm, f"Valuation of expected carbon income — {a['id']}")
    c.setFillColor(colors.black)


def _inputs(p: _Page, a: dict[str, Any]) -> None:
    p.line("项目 Project", f"{a['project']} {a['project_name']}")
    p.line("银行 Bank / 日期 Day", f"{a['bank']} · {a['day']} · {a['reason']}"
           + (f" · {a['loan']}" if a.get("loan") else ""))
    p.line("参数集 Parameter set", a["parameter_set"])
    if a.get("note"):  # a revaluation by the platform: what it followed and changed
        p.line("说明 Note", a["note"][:110])
    p.line("林分日期 Stands as of / 基线 Baseline",
           f"{a.get('stands_day', a['day'])} / {a.get('baseline_per_year', '0')} t CO2e/a")
    p.line("模拟 Draws / seed / horizon", f"{a['draws']:,} / {a['seed']} / {a['horizon']} a")
    p.line("缓冲 Buffer", f"{a['buffer_percent']} %")
    p.line("价格 Price (CNY/t)", f"{yuan(a['price'])} ({a['price_basis']})")
    p.line("趋势 Trend / 压力 Stress", f"{pct(a['trend_bps'])} / {pct(a['stress_bps'])}")
    p.line("折现 Discount / 质押率 LTV", f"{pct(a['discount_bps'])} / {pct(a['ltv_bps'])}")
    p.line("现有减排量 Units held now", f"{a['existing_units']:,} t")
    p.heading("林分 Stands")
    p.text(20 * mm, "树种 species", 8)
    p.text(70 * mm, "面积 ha", 8)
    p.text(95 * mm, "林龄 age", 8)
    p.text(115 * mm, "立地 site", 8)
    p.text(140 * mm, "疏密度 stocking", 8)
    p.y -= 4.5 * mm
    for s in a["stands"][:14]:
        zh, en = SPECIES.get(s["group"], (s["group"], s["group"]))
        p.text(20 * mm, f"{zh} {en}", 8)
        p.text(70 * mm, f"{s['area_m2'] / M2_PER_HA:,.1f}", 8)
        p.text(95 * mm, str(s["age"]), 8)
        p.text(115 * mm, f"{s['site_bps'] / BPS:.2f}", 8)
        p.text(140 * mm, f"{s.get('stocking_bps', BPS) / BPS:.2f}", 8)
        p.y -= 4.2 * mm
    if len(a["stands"]) > 14:
        p.text(20 * mm, f"… {len(a['stands']) - 14} more stands online", 8)
        p.y -= 4.2 * mm


def _chart(p: _Page, p10: Sequence[int], p50: Sequence[int], p90: Sequence[int]) -> None:
    """Credits a year: the P10–P90 band and the P50 line, years along the bottom."""
    c = p.c
    p.heading("逐年减排量(扣除缓冲后) Credits a year after the buffer: P50, P10–P90")
    x0, w, h = 28 * mm, 160 * mm, 50 * mm
    y0 = p.y - h
    top = max([*p10, *p50, *p90, 1])
    n = max(1, len(p50) - 1)

    def xy(i: int, v: int) -> tuple[float, float]:
        return x0 + w * i / n, y0 + h * v / top

    c.setStrokeColor(colors.grey)
    c.line(x0, y0, x0 + w, y0)
    c.line(x0, y0, x0, y0 + h)
    c.setFont("Helvetica", 7)
    for k in range(3):
        v = top * k // 2
        c.drawRightString(x0 - 2, y0 + h * v / top - 2, f"{v:,}")
    if p50:
        band = c.beginPath()
        band.moveTo(*xy(0, p10[0]))
        for i, v in enumerate(p10):
            band.lineTo(*xy(i, v))
        for i in range(len(p90) - 1, -1, -1):
            band.lineTo(*xy(i, p90[i]))
        band.close()
        c.setFillColor(PALE)
        c.drawPath(band, stroke=0, fill=1)
        c.setStrokeColor(GREEN)
        c.setLineWidth(1.5)
        line = c.beginPath()
        line.moveTo(*xy(0, p50[0]))
        for i, v in enumerate(p50):
            line.lineTo(*xy(i, v))
        c.drawPath(line, stroke=1, fill=0)
        c.setLineWidth(1)
        c.setFillColor(colors.black)
        for i in range(0, len(p50), max(1, len(p50) // 8)):
            c.drawCentredString(xy(i, 0)[0], y0 - 8, str(i + 1))
    p.y = y0 - 10 * mm


def _values(p: _Page, a: dict[str, Any]) -> None:
    p.heading("现值(元) Present values, CNY")
    p.text(20 * mm, "情景 scenario", 8)
    p.text(80 * mm, "P50", 8)
    p.text(125 * mm, "P90", 8)
    p.y -= 4.5 * mm
    by = {(v["scenario"], v["basis"]): v["value"] for v in a["values"]}
    for key, (zh, en) in SCENARIOS.items():
        mark = " *" if key == a["scenario"] else ""
        p.text(20 * mm, f"{zh} {en}{mark}", 8)
        p.text(80 * mm, yuan(by.get((key, "p50"), 0)), 8)
        p.text(125 * mm, yuan(by.get((key, "p90"), 0)), 8)
        p.y -= 4.5 * mm
    p.y -= 2 * mm
    p.line("抵押价值 Collateral (P90 *)", f"{yuan(a['collateral'])} CNY")
    p.line("贷款上限 Ceiling (× LTV)", f"{yuan(a['ceiling'])} CNY")
    p.c.setFont("Helvetica", 7)
    p.c.drawString(20 * mm, 14 * mm, "PV = sum_t q_t x P x (1+g)^t x (1-h) / (1+r)^t + units "
                   "held x P x (1-h); fen rounded down; docs/lending.md. Recompute with "
                   "qingshan.science.forest at the parameter set, draws and seed above.")


def render_pdf(a: dict[str, Any]) -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=True)
    c.setTitle(f"Valuation {a['id']}")
    p = _Page(c, cjk_font())
    _banner(p, a)
    _inputs(p, a)
    _chart(p, a["p10"], a["p50"], a["p90"])
    _values(p, a)
    c.showPage()
    c.save()
    return buf.getvalue()
