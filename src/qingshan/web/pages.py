"""Server-rendered pages (Chinese by default, ``?lang=en`` for English). They read through
the same query functions as the API and hold no rules of their own."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from qingshan.errors import QingshanError
from qingshan.ledger import queries
from qingshan.ledger.domain.serials import parse_serial

TEMPLATES = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                        autoescape=select_autoescape(["html"]))

TEXT = {
    "zh": {"title": "青山 · 生态资产登记簿", "registry": "公开登记簿", "supply": "各资产供给",
           "asset": "资产", "issued": "已签发", "active": "流通", "held": "冻结/挂单",
           "retired": "已注销(退役)", "cancelled": "已取消", "parties": "参与方",
           "log": "透明日志", "size": "条目数", "root": "树根", "search": "查询序列号",
           "go": "查询", "state": "状态", "history": "历史", "lang": "English",
           "api": "API 文档", "none": "暂无数据"},
    "en": {"title": "Qingshan · ecological asset registry", "registry": "Public registry",
           "supply": "Supply by asset", "asset": "Asset", "issued": "Issued",
           "active": "Active", "held": "Held", "retired": "Retired", "cancelled": "Cancelled",
           "parties": "Parties", "log": "Transparency log", "size": "Entries",
           "root": "Root", "search": "Look up a serial", "go": "Search", "state": "State",
           "history": "History", "lang": "中文", "api": "API docs", "none": "No data yet"},
}


def _lang(request: Request) -> str:
    lang = request.query_params.get("lang", "zh")
    return lang if lang in TEXT else "zh"


def mount_pages(app: FastAPI) -> None:
    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def home(request: Request) -> HTMLResponse:
        lang = _lang(request)
        edge = request.app.state.edge
        with edge.read() as conn:
            stats = queries.stats(conn)
            try:
                head: Any = queries.tree_head(conn)
            except QingshanError:
                head = None
        html = TEMPLATES.get_template("home.html").render(
            t=TEXT[lang], lang=lang, other="en" if lang == "zh" else "zh", stats=stats,
            head=head)
        return HTMLResponse(html)

    @app.get("/certificates/{rid}", response_class=HTMLResponse, include_in_schema=False)
    def certificate_page(request: Request, rid: str) -> HTMLResponse:
        from qingshan.registry.certificates import certificate

        lang = _lang(request)
        edge = request.app.state.edge
        with edge.read() as conn:
            cert = certificate(conn, rid, edge.platform.public_key_pem)
        html = TEMPLATES.get_template("certificate.html").render(
            t=TEXT[lang], lang=lang, other="en" if lang == "zh" else "zh", c=cert)
        return HTMLResponse(html)

    @app.get("/serials", response_class=HTMLResponse, include_in_schema=False)
    def serial_page(request: Request, q: str = "") -> HTMLResponse:
        lang = _lang(request)
        found: dict[str, Any] | None = None
        error: str | None = None
        if q:
            try:
                sn = parse_serial(q)
                with request.app.state.edge.read() as conn:
                    found = queries.find_serial(conn, sn)
            except QingshanError as exc:
                error = exc.message
        html = TEMPLATES.get_template("serial.html").render(
            t=TEXT[lang], lang=lang, other="en" if lang == "zh" else "zh", q=q, found=found,
            error=error)
        return HTMLResponse(html, status_code=200 if error is None else 404)
