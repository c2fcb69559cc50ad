"""Signing in with an API key (which opens a server-side session, see ``web/sessions.py``)
and signing out, both forms with a CSRF token."""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from qingshan.errors import QingshanError
from qingshan.web import sessions
from qingshan.web.render import lang_of, render
from qingshan.web.strings import error_text

router = APIRouter(include_in_schema=False)


def signin_page(request: Request, status: int = 200, error: str = "") -> HTMLResponse:
    token = sessions.signin_token(request)
    page = render(request, "signin.html", status=status, csrf=token, error=error)
    sessions.remember_signin_token(request, page, token)
    return page


@router.get("/signin", response_class=HTMLResponse)
def signin_form(request: Request) -> HTMLResponse:
    return signin_page(request)


@router.post("/signin")
def signin(request: Request, api_key: str = Form(""), csrf: str = Form("")) -> Response:
    sessions.check_form(request, csrf, None)
    try:
        holder = request.app.state.edge.holder(api_key.strip())
    except QingshanError as exc:
        return signin_page(request, 401, error_text(exc.code, exc.message, lang_of(request)))
    resp = RedirectResponse(f"/me?lang={lang_of(request)}", status_code=303)
    sessions.open_session(request, resp, holder)
    return resp


@router.get("/signout")
def signout_page(request: Request) -> Response:
    """Signing out is a form on the member's page (a link could be followed by anyone)."""
    return RedirectResponse(f"/me?lang={lang_of(request)}", status_code=303)


@router.post("/signout")
def signout(request: Request, csrf: str = Form("")) -> Response:
    sessions.check_form(request, csrf, sessions.current(request))
    resp = RedirectResponse(f"/?lang={lang_of(request)}", status_code=303)
    sessions.end_session(request, resp)
    return resp
