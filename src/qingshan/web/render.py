"""One way to answer a page: ``render(request, template, **context)`` with the reader's
language (``?lang=en``, else Chinese), its words and the link to the other language."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from qingshan.ledger.domain.urls import safe_href
from qingshan.reference.chongqing import DISTRICTS, DISTRICTS_2024
from qingshan.web.strings import TEXT

TEMPLATES = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                        autoescape=select_autoescape(["html"]))
# a stored address becomes a link only when it is http(s) (rows from before the check too)
TEMPLATES.filters["safe_href"] = safe_href


def lang_of(request: Request) -> str:
    lang = request.query_params.get("lang", "zh")
    return lang if lang in TEXT else "zh"


def render(request: Request, name: str, *, status: int = 200, **ctx: Any) -> HTMLResponse:
    lang = lang_of(request)
    html = TEMPLATES.get_template(name).render(
        t=TEXT[lang], lang=lang, other="en" if lang == "zh" else "zh", **ctx)
    return HTMLResponse(html, status_code=status)


def district_names(lang: str) -> dict[str, str]:
    return {d.code: d.name_zh if lang == "zh" else d.name_en
            for d in (*DISTRICTS_2024, *DISTRICTS)}
