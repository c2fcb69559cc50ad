"""Browser sessions and forms that only this site can post.

Signing in with an API key opens a server-side session: the cookie holds a random id (256
bits), the database only its SHA-256, with an expiry (eight hours, never past the key's own)
and the key it speaks for, so a revoked or expired key ends its sessions at once, and signing
out deletes the row. The cookie is ``HttpOnly``, ``SameSite=Strict``, ``Path=/``, and over
HTTPS ``Secure`` with the ``__Host-`` prefix. The API never reads it: API calls carry their key
in a header, so a cross-site request has no credentials to ride on.

Every form that changes anything carries a CSRF token bound to the session (an HMAC of the
session id, so a token from another session does not fit) and is refused with
``403 csrf_failed`` without it; the sign-in form, before any session, carries the value of a
short-lived ``SameSite=Strict`` cookie instead. A request whose ``Origin`` (or, without one,
``Referer``) names another host is refused too. Messages shown after a form (``?message=``)
carry an HMAC as well, so a crafted link cannot put words on a member's page.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from urllib.parse import urlsplit

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy import delete, insert, select

from qingshan.access import authentication as auth
from qingshan.errors import Forbidden, Unauthenticated
from qingshan.infra import schema as t
from qingshan.ledger.domain.model import Principal

SESSION = "qs_session"
SIGNIN = "qs_signin"
SESSION_MS = 8 * 3600 * 1000


class CsrfFailed(Forbidden):
    """A form posted without this site's token (or from another site)."""

    code = "csrf_failed"


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _mac(secret: str, *parts: str) -> str:
    return hmac.new(secret.encode(), "\x1f".join(parts).encode(), hashlib.sha256).hexdigest()


def over_https(request: Request) -> bool:
    return bool(getattr(request.state, "https", False))


def cookie_name(request: Request, base: str) -> str:
    return f"__Host-{base}" if over_https(request) else base


@dataclass(frozen=True, slots=True)
class Session:
    token: str
    principal: Principal

    @property
    def csrf(self) -> str:
        return _mac(self.token, "csrf")

    def sign(self, *parts: str) -> str:
        return _mac(self.token, "note", *parts)


def current(request: Request) -> Session | None:
    """The signed-in session of this request, if its key is still valid."""
    token = request.cookies.get(cookie_name(request, SESSION))
    if not token:
        return None
    ws = t.web_sessions
    with request.app.state.edge.read() as conn:
        row = conn.execute(select(ws.c.key_id).where(ws.c.id_hash == _sha(token),
                                                     ws.c.expires_ms > auth.now_ms())
                           ).one_or_none()
        if row is None:
            return None
        try:
            holder = auth.holder_of_key(conn, row.key_id)
        except Unauthenticated:
            return None
    return Session(token, holder.principal)


def open_session(request: Request, response: Response, holder: auth.KeyHolder) -> None:
    token = secrets.token_urlsafe(32)
    now = auth.now_ms()
    expires = min(now + SESSION_MS, holder.expires_ms)
    ws = t.web_sessions
    previous = request.cookies.get(cookie_name(request, SESSION))
    with request.app.state.edge.platform.engine.begin() as conn:
        conn.execute(delete(ws).where(ws.c.expires_ms <= now))
        if previous:  # signing in again replaces the browser's session, never keeps two
            conn.execute(delete(ws).where(ws.c.id_hash == _sha(previous)))
        conn.execute(insert(ws).values(id_hash=_sha(token), key_id=holder.principal.id,
                                       created_ms=now, expires_ms=expires))
    response.set_cookie(cookie_name(request, SESSION), token, max_age=(expires - now) // 1000,
                        path="/", secure=over_https(request), httponly=True,
                        samesite="strict")
    response.delete_cookie(cookie_name(request, SIGNIN), path="/",
                           secure=over_https(request), httponly=True, samesite="strict")


def end_session(request: Request, response: Response) -> None:
    token = request.cookies.get(cookie_name(request, SESSION))
    if token:
        with request.app.state.edge.platform.engine.begin() as conn:
            conn.execute(delete(t.web_sessions).where(t.web_sessions.c.id_hash == _sha(token)))
    response.delete_cookie(cookie_name(request, SESSION), path="/",
                           secure=over_https(request), httponly=True, samesite="strict")


def signin_token(request: Request) -> str:
    """The sign-in form's token: the value of a cookie this site sets (a page elsewhere can
    neither read it nor, with SameSite=Strict, send it)."""
    return request.cookies.get(cookie_name(request, SIGNIN)) or secrets.token_urlsafe(32)


def remember_signin_token(request: Request, response: Response, token: str) -> None:
    response.set_cookie(cookie_name(request, SIGNIN), token, max_age=3600, path="/",
                        secure=over_https(request), httponly=True, samesite="strict")


def _same_origin(request: Request) -> bool:
    claimed = request.headers.get("origin") or request.headers.get("referer")
    if claimed is None:
        return True  # no claim: the token decides
    return urlsplit(claimed).netloc.lower() == request.url.netloc.lower()


def check_form(request: Request, submitted: str, session: Session | None) -> None:
    """A form that changes anything: refused unless it carries this session's token (or, to
    sign in, the sign-in cookie's) and comes from this site."""
    if session is not None:
        expected = session.csrf
    else:
        expected = request.cookies.get(cookie_name(request, SIGNIN), "")
    if not _same_origin(request):
        raise CsrfFailed("this form was posted from another site")
    if not submitted or not expected or not hmac.compare_digest(submitted, expected):
        raise CsrfFailed("this form's token is missing or belongs to another session; "
                         "reload the page and send it again")
