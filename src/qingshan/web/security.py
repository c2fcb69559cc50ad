"""Security headers on every response, pages and API alike, errors included.

A strict Content-Security-Policy: everything from this origin only, no inline script or style,
no ``eval``, no plug-ins, no ``<base>``, no framing, forms post only here. Beside it the usual
headers: ``X-Content-Type-Options``, ``Referrer-Policy``, ``X-Frame-Options`` (for browsers
without ``frame-ancestors``), ``Permissions-Policy``, ``Cross-Origin-Opener-Policy``, and
``Strict-Transport-Security`` when the request came over HTTPS.

Whether a request came over HTTPS: the ASGI scheme, or — only when the operator says the
platform runs behind a proxy that sets it (``QINGSHAN_TRUST_FORWARDED_PROTO=true``) — the
``X-Forwarded-Proto`` header. The answer is kept in ``scope["state"]["https"]`` for the pages
(the session cookie is ``Secure`` then).
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = "; ".join([
    "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:",
    "font-src 'self'", "connect-src 'self'", "object-src 'none'", "base-uri 'none'",
    "frame-ancestors 'none'", "form-action 'self'",
])
HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
    "cross-origin-opener-policy": "same-origin",
}
HSTS = "max-age=31536000; includeSubDomains"


def came_over_https(scope: Scope, trust_forwarded_proto: bool) -> bool:
    if scope.get("scheme") in ("https", "wss"):
        return True
    if not trust_forwarded_proto:
        return False
    for name, value in scope.get("headers", ()):
        if name == b"x-forwarded-proto":
            return bool(value.split(b",")[0].strip().lower() == b"https")
    return False


class SecurityHeaders:
    """Pure ASGI middleware (streaming responses such as the market's event stream pass
    through untouched)."""

    def __init__(self, app: ASGIApp, *, trust_forwarded_proto: bool = False) -> None:
        self.app = app
        self.trust_forwarded_proto = trust_forwarded_proto

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        https = came_over_https(scope, self.trust_forwarded_proto)
        scope.setdefault("state", {})["https"] = https
        signed_in = any(name == b"cookie" and b"qs_session=" in value
                        for name, value in scope.get("headers", ()))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["content-security-policy"] = CSP
                for name, value in HEADERS.items():
                    headers[name] = value
                if https:
                    headers["strict-transport-security"] = HSTS
                if signed_in and "cache-control" not in headers:
                    headers["cache-control"] = "no-store"  # a member's page stays private
            await send(message)

        await self.app(scope, receive, send_with_headers)
