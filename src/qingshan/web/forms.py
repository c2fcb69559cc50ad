"""What every signed-in form shares: the signed note a page shows after a form, and
``submit``, which sends one command as the signed-in actor through the same sequencer as the
API. Forms carry the session's CSRF token and a one-time idempotency key, so a page elsewhere
cannot post them and a double submit does nothing twice."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from qingshan.errors import QingshanError
from qingshan.ledger.domain.commands import command_from_payload
from qingshan.ledger.domain.model import Principal
from qingshan.web import sessions
from qingshan.web.render import lang_of
from qingshan.web.sessions import Session
from qingshan.web.strings import FIELD_OF_CODE, error_text


def actor_of(request: Request) -> Principal | None:
    session = sessions.current(request)
    return None if session is None else session.principal


def signin_redirect(request: Request, to: str = "/signin") -> RedirectResponse:
    return RedirectResponse(f"{to}?lang={lang_of(request)}", status_code=303)


def _note(session: Session | None, message: str, error: str, field: str,
          form: str, sig: str) -> dict[str, str]:
    """What the page says after a form: only what this platform said to this session (the
    redirect signs it), never what a crafted link puts in the query."""
    if session is None or not (message or error) or not secrets.compare_digest(
            sig, session.sign(message, error, field, form)):
        return {"message": "", "error": "", "field": ""}
    return {"message": message, "error": error, "field": field}


def notes(request: Request, session: Session | None) -> dict[str, Any]:
    q = request.query_params
    return _note(session, q.get("message", ""), q.get("error", ""), q.get("field", ""),
                 q.get("form", "order"), q.get("sig", ""))


async def submit(request: Request, kind: str,
                 payload: dict[str, Any] | Callable[[], dict[str, Any]],
                 key: str, csrf: str, form: str = "order", back: str = "") -> Response:
    """Send one command as the signed-in actor; answer on ``back`` (a market page, a loan's
    page, a carbon account) or on the member's page, with the result or the error next to its field.
    ``payload`` may be a function that reads the form's fields, so an error there is shown
    the same way."""
    lang = lang_of(request)
    session = sessions.current(request)
    if session is None:  # signed out meanwhile (or never signed in): nothing is done
        return RedirectResponse(f"/signin?lang={lang}", status_code=303)
    sessions.check_form(request, csrf, session)
    page = back if back.startswith(("/market/", "/lending/", "/inclusive/")) and "?" not in back \
        and "//" not in back else "/me"
    edge = request.app.state.edge
    message = error = field = ""
    try:
        data = payload() if callable(payload) else payload
        fut = edge.platform.sequencer.submit(
            [command_from_payload(kind, data, edge.platform.sequencer.catalog)],
            session.principal, f"web/{key}")
        receipts = await asyncio.wrap_future(fut)
    except QingshanError as exc:
        field = str(exc.data.get("field", "") or FIELD_OF_CODE.get(exc.code, ""))
        error = error_text(exc.code, exc.message, lang)
    else:
        result = receipts[0].result
        message = f"{kind} #{receipts[0].seq}: {result.get('status', 'ok')}"
        if "retirement" in result:
            message = f"{kind} #{receipts[0].seq}: {result['retirement']}"
    sig = session.sign(message, error, field, form)
    return RedirectResponse(f"{page}?lang={lang}&message={quote(message)}"
                            f"&error={quote(error)}&field={quote(field)}&form={form}"
                            f"&sig={sig}", status_code=303)
