"""The pages' files and the API's documentation page, all served by the platform itself, so
pages work offline."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from qingshan.errors import NotFound
from qingshan.web.render import TEMPLATES

STATIC = Path(__file__).parent / "static"
# the pages' files: their one script (progress, tables that sort, page and export), their style
# sheet, and the API documentation's Swagger UI (copied from npm's swagger-ui-dist by `make`)
# with its start-up script
STATIC_FILES = {"qingshan.js": "text/javascript; charset=utf-8",
                "qingshan.css": "text/css; charset=utf-8",
                "docs.js": "text/javascript; charset=utf-8",
                "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
                "swagger-ui.css": "text/css; charset=utf-8"}

router = APIRouter(include_in_schema=False)


@router.get("/static/{name}")
def static(name: str) -> Response:
    media = STATIC_FILES.get(name)
    if media is None or not (STATIC / name).exists():
        raise NotFound("no such file", file=name)
    return Response((STATIC / name).read_bytes(), media_type=media,
                    headers={"Cache-Control": "public, max-age=3600"})


@router.get("/docs", response_class=HTMLResponse)
def api_docs() -> HTMLResponse:
    """The OpenAPI description in Swagger UI (no inline script, nothing from elsewhere)."""
    return HTMLResponse(TEMPLATES.get_template("docs.html").render())
