"""Retirement certificates: the facts of a retirement, its proof, and a PDF of both.

The certificate lists the serial numbers, quantity, projects, vintages, purpose and beneficiary,
and carries the inclusion proof of the retirement's journal entry under a signed tree head.
Anyone can check that proof offline (``qingshan log check``) with only the log's public key:
the operator need not be trusted. The PDF is drawn with ReportLab; Chinese text uses the
first TrueType CJK font found on the machine (embedded as a subset), else the STSong-Light CID
font that Acrobat supplies.
"""

from __future__ import annotations

import io
from typing import Any

import orjson
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas
from sqlalchemy import Connection, select

from qingshan.errors import NotFound
from qingshan.infra import schema as t
from qingshan.infra.fonts import cjk_font
from qingshan.ledger import queries as ledger_queries
from qingshan.ledger import transparency as tlog
from qingshan.ledger.domain.serials import SerialNumber

PURPOSES = {
    "compliance": ("碳履约", "compliance offsetting"),
    "carbon_neutrality": ("碳中和", "carbon neutrality"),
    "judicial_compensation": ("以碳代偿", "judicial ecological compensation"),
    "voluntary": ("自愿注销", "voluntary retirement"),
}


def certificate(conn: Connection, rid: str, public_key_pem: bytes) -> dict[str, Any]:
    """Everything a certificate shows, plus the proof bundle (as JSON text)."""
    r = conn.execute(select(t.retirements).where(t.retirements.c.id == rid)).one_or_none()
    if r is None:
        raise NotFound("no such retirement", retirement=rid)
    ranges = orjson.loads(r.ranges)
    registry = conn.execute(select(t.asset_classes.c.registry)
                            .where(t.asset_classes.c.code == r.asset)).scalar_one()
    i = t.issuances
    lines = []
    for start, end in ranges:
        iss = conn.execute(select(i).where(i.c.asset == r.asset, i.c.serial_start <= start,
                                           i.c.serial_end >= end)).one()
        lines.append({
            "serial": SerialNumber(registry=registry, asset=r.asset, project=iss.project,
                                   vintage=iss.vintage, issuance=iss.id, start=start,
                                   end=end).format(),
            "quantity": end - start + 1, "project": iss.project, "vintage": iss.vintage,
            "monitoring_period": [iss.monitoring_start, iss.monitoring_end]})
    p = t.registry_projects
    names = {row.id: row.name for row in conn.execute(
        select(p.c.id, p.c.name).where(p.c.id.in_({ln["project"] for ln in lines})))}
    for ln in lines:
        ln["project_name"] = names.get(ln["project"], "")
    entry, _ = ledger_queries.journal_entry(conn, r.seq)
    bundle = ledger_queries.inclusion_bundle(conn, r.seq, public_key_pem)
    return {
        "id": r.id, "seq": r.seq, "time": entry["time"], "asset": r.asset,
        "quantity": r.quantity, "purpose": r.purpose,
        "purpose_zh": PURPOSES[r.purpose][0], "purpose_en": PURPOSES[r.purpose][1],
        "beneficiary": r.beneficiary, "reason": r.reason, "reference": r.reference,
        "lines": lines,
        "proof": {"leaf_index": bundle.index, "tree_size": bundle.sth.head.size,
                  "root": bundle.sth.head.root.hex(), "signature": bundle.sth.signature.hex(),
                  "key_id": bundle.sth.key_id,
                  "audit_path": [h.hex() for h in bundle.proof]},
        "bundle_json": bundle.to_json(),
    }


def check(cert: dict[str, Any], public_key_pem: bytes) -> None:
    """Check a certificate's proof with the given key (raises ProofError)."""
    tlog.check_bundle(tlog.InclusionBundle.from_json(cert["bundle_json"]), public_key_pem)


class _Sheet:
    """An A4 page being drawn top to bottom: the canvas, the CJK font and the current line."""

    def __init__(self, c: canvas.Canvas, cjk: str) -> None:
        self.c, self.cjk = c, cjk
        self.w, self.h = A4
        self.y = self.h - 52 * mm

    def row(self, label_zh: str, label_en: str, value: str) -> None:
        c = self.c
        c.setFont(self.cjk, 10)
        c.drawString(20 * mm, self.y, label_zh)
        c.setFont("Helvetica", 8)
        c.setFillColor(colors.grey)
        c.drawString(20 * mm, self.y - 4 * mm, label_en)
        c.setFillColor(colors.black)
        c.setFont(self.cjk, 11)
        c.drawString(62 * mm, self.y, value)
        self.y -= 11 * mm

    def heading(self, text: str) -> None:
        self.c.setFont(self.cjk, 11)
        self.c.drawString(20 * mm, self.y, text)
        self.y -= 6 * mm


def _banner(sheet: _Sheet) -> None:
    c, w, h = sheet.c, sheet.w, sheet.h
    c.setFillColor(colors.HexColor("#1f5f3f"))
    c.rect(0, h - 38 * mm, w, 38 * mm, stroke=0, fill=1)
    c.setFillColor(colors.white)
    c.setFont(sheet.cjk, 22)
    c.drawString(20 * mm, h - 20 * mm, "碳减排量注销证明")
    c.setFont("Helvetica", 13)
    c.drawString(20 * mm, h - 29 * mm, "Certificate of retirement — Qingshan registry")
    c.setFillColor(colors.black)


def _facts(sheet: _Sheet, cert: dict[str, Any]) -> None:
    sheet.row("证明编号", "certificate", cert["id"])
    sheet.row("注销数量", "quantity", f"{cert['quantity']:,} tCO2e ({cert['asset']})")
    sheet.row("注销用途", "purpose", f"{cert['purpose_zh']} / {cert['purpose_en']}")
    sheet.row("受益方", "beneficiary", cert["beneficiary"])
    if cert["reference"]:
        sheet.row("关联编号", "reference", cert["reference"])
    if cert["reason"]:
        sheet.row("说明", "claim", cert["reason"][:60])


def _serials(sheet: _Sheet, lines: list[dict[str, Any]]) -> None:
    c = sheet.c
    sheet.heading("序列号 Serial numbers")
    c.setFont("Courier", 7.5)
    for ln in lines[:18]:
        c.drawString(20 * mm, sheet.y, f"{ln['serial']}  {ln['quantity']:>9,}  {ln['vintage']}")
        sheet.y -= 4.2 * mm
        if ln["project_name"]:
            c.setFont(sheet.cjk, 8)
            c.drawString(24 * mm, sheet.y, f"{ln['project']} {ln['project_name']}")
            c.setFont("Courier", 7.5)
            sheet.y -= 4.2 * mm
    if len(lines) > 18:
        c.drawString(20 * mm, sheet.y, f"… and {len(lines) - 18} more ranges online")
        sheet.y -= 4.2 * mm
    sheet.y -= 4 * mm


def _proof(sheet: _Sheet, cert: dict[str, Any]) -> None:
    c, proof = sheet.c, cert["proof"]
    sheet.heading("透明日志证明 Inclusion proof (RFC 6962)")
    c.setFont("Courier", 7)
    for text in (f"journal entry {cert['seq']} = leaf {proof['leaf_index']} of "
                 f"{proof['tree_size']}",
                 f"root      {proof['root']}",
                 f"signature {proof['signature'][:64]}",
                 f"          {proof['signature'][64:]}",
                 f"key id    {proof['key_id']}"):
        c.drawString(20 * mm, sheet.y, text)
        sheet.y -= 3.8 * mm
    for i, node in enumerate(proof["audit_path"][:12]):
        c.drawString(20 * mm, sheet.y, f"path[{i:>2}]  {node}")
        sheet.y -= 3.8 * mm
    c.setFont("Helvetica", 8)
    c.drawString(20 * mm, 18 * mm, "Check it yourself: download the proof bundle from the page "
                 "behind the QR code and run `qingshan log check proof.json --public-key "
                 "log.pem`.")


def _qr_code(sheet: _Sheet, public_url: str) -> None:
    c, w, h = sheet.c, sheet.w, sheet.h
    qr = QrCodeWidget(public_url)
    x0, y0, x1, y1 = qr.getBounds()
    size = 34 * mm
    d = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    d.add(qr)
    renderPDF.draw(d, c, w - 20 * mm - size, h - 52 * mm - size + 8 * mm)
    c.setFont("Helvetica", 6.5)
    c.drawRightString(w - 20 * mm, h - 52 * mm - size + 6 * mm, public_url[:80])


def render_pdf(cert: dict[str, Any], public_url: str) -> bytes:
    """An A4 certificate with a QR code to its public page."""
    cjk = cjk_font()
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=True)
    c.setTitle(f"Retirement certificate {cert['id']}")
    c.setAuthor("Qingshan 青山")
    sheet = _Sheet(c, cjk)
    _banner(sheet)
    _facts(sheet, cert)
    _serials(sheet, cert["lines"])
    _proof(sheet, cert)
    _qr_code(sheet, public_url)
    c.showPage()
    c.save()
    return buf.getvalue()
