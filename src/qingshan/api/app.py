"""The app factory: one FastAPI app with the API's routers under ``/api/v1`` (ledger, registry,
market, judicial, rights, lending, inclusive), the pages, the admission check on every route,
the request-size limit, the security headers, the error handlers and the OpenAPI document.
Errors become
``{"error": {"code", "message", "data"}}`` with the status the error class names.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp

from qingshan.api import inclusive, judicial, ledger, lending, market, registry, rights
from qingshan.api.admission import BodyTooLarge, RequestSizeLimit, admit, document
from qingshan.api.bodies import raw_body_schemas
from qingshan.api.deps import Edge, Json
from qingshan.errors import InvalidInput, InvalidText, QingshanError, RequestTooLarge
from qingshan.infra.config import Settings, get_settings
from qingshan.platform import Platform
from qingshan.web import site
from qingshan.web.security import SecurityHeaders


# ------------------------------------------------------------------------------ the app
def _error(status: int, code: str, message: str, data: Any = None) -> Json:
    body: dict[str, Any] = {"code": code, "message": message}
    if data:
        body["data"] = data
    return Json({"error": body}, status_code=status)


class QingshanApp(FastAPI):
    """The app, wrapped in the security headers outside everything else, so that even an
    error answered by Starlette's last-resort handler carries them."""

    trust_forwarded_proto = False

    def build_middleware_stack(self) -> ASGIApp:
        return SecurityHeaders(super().build_middleware_stack(),
                               trust_forwarded_proto=self.trust_forwarded_proto)


def create_app(settings: Settings | None = None, platform: Platform | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = platform is None
        plat = platform or Platform.open(settings, wait_leader=settings.leader_wait_seconds)
        app.state.edge = Edge(plat)
        try:
            yield
        finally:
            if owned:
                plat.close()

    # every route (API and pages) is admitted by one check: text policy, number ranges
    app = QingshanApp(title="Qingshan 青山", version="1.0", lifespan=lifespan,
                      default_response_class=JSONResponse, docs_url=None, redoc_url=None,
                      dependencies=[Depends(admit)],
                      description="Register, trade, pledge, retire and audit ecological assets.")
    app.trust_forwarded_proto = settings.trust_forwarded_proto
    app.add_middleware(RequestSizeLimit, max_bytes=settings.max_request_bytes,
                       larger={inclusive.BATCHES: settings.inclusive_max_batch_bytes})
    if platform is not None:
        app.state.edge = Edge(platform)
    app.include_router(ledger.router)

    @app.exception_handler(QingshanError)
    async def _domain_error(_: Request, exc: QingshanError) -> Json:
        return _error(exc.status, exc.code, exc.message, exc.data)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_: Request, exc: RequestValidationError) -> Json:
        errors = [{"field": ".".join(str(p) for p in e.get("loc", ())), "message": e.get("msg"),
                   "type": e.get("type")} for e in exc.errors()]
        if errors and all(e["type"] == "string_too_long" for e in errors):
            # longer than the field takes: the text policy's limit (as the parsers answer)
            return _error(422, InvalidText.code, "a text is longer than its field takes",
                          {"field": errors[0]["field"].removeprefix("body."),
                           "errors": errors})
        # the first refused field, named as the command parsers name it (its top-level key)
        loc = [str(p) for p in (exc.errors()[0].get("loc", ()) if errors else ())]
        field = loc[1] if len(loc) > 1 else (loc[0] if loc else "body")
        return _error(422, InvalidInput.code, "the request does not match the API schema",
                      {"field": field, "errors": errors})

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_: Request, exc: StarletteHTTPException) -> Json:
        if isinstance(exc, BodyTooLarge):
            return _error(413, RequestTooLarge.code, str(exc.detail), {"limit": exc.limit})
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return _error(exc.status_code, code, str(exc.detail))

    @app.get("/healthz", include_in_schema=False)
    async def healthz(request: Request) -> Json:
        """Cheap (no database): 200 while the writer is alive and keeps up (or waits as a
        standby), 503 when it is dead, stopped, restarting or stalled."""
        seq = request.app.state.edge.platform.sequencer
        h = seq.health()
        return Json({"ok": h.ok, "leader": h.leader, "journal_size": seq.size,
                     "writer": h.to_dict()}, status_code=200 if h.ok else 503)

    for context in (registry, market, judicial, rights, lending, inclusive):
        app.include_router(context.router)
    for pages in site.ROUTERS:
        app.include_router(pages)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document(get_openapi(
                title=app.title, version=app.version, description=app.description,
                routes=app.routes))
            components = app.openapi_schema.setdefault("components", {})
            components.setdefault("schemas", {}).update(raw_body_schemas())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app

