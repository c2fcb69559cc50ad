"""The HTTP edge: FastAPI under ``/api/v1``. Routes parse, authorise and hand commands to the
sequencer; they hold no business rules. Errors become ``{"error": {"code", "message", "data"}}``
with the status the error class names.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, FastAPI, Header, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse, Response
from sqlalchemy import Connection
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp

from qingshan.access import authentication as auth
from qingshan.api import disclosure
from qingshan.api import schemas as s
from qingshan.api.admission import BodyTooLarge, RequestSizeLimit, admit, document
from qingshan.api.disclosure import PUBLIC_KINDS as PUBLIC_KINDS  # re-exported (moved)
from qingshan.api.disclosure import READ_ALL as READ_ALL
from qingshan.errors import (
    Forbidden,
    InvalidInput,
    InvalidText,
    NotAccountOwner,
    QingshanError,
    RequestTooLarge,
    Unauthenticated,
)
from qingshan.infra.config import Settings, get_settings
from qingshan.ledger import queries
from qingshan.ledger import transparency as tlog
from qingshan.ledger.domain.commands import Command, command_from_payload
from qingshan.ledger.domain.journal import canonical
from qingshan.ledger.domain.model import Principal, Role
from qingshan.ledger.domain.parsing import INT64_MAX
from qingshan.ledger.domain.serials import parse_serial
from qingshan.platform import Platform

AUTH_CACHE_SECONDS = 5.0


class Json(Response):
    """JSON rendered by orjson (UTF-8, integers exact). An integer beyond 64 bits, which
    orjson cannot write (an error may echo one that was sent), is written by ``json``."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        try:
            return orjson.dumps(content)
        except TypeError:
            return json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode()


class Edge:
    """Per-app services the routes need (the platform plus a short API-key cache)."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        # token -> (holder, monotonic time it is trusted until, revocations journaled then)
        self._auth_cache: dict[str, tuple[auth.KeyHolder, float, int]] = {}

    @property
    def _access(self) -> Any:
        """The writer's access book, looked up each time: the writer replaces its books when
        it reloads them from the database (after a restart of its loop)."""
        return self.platform.sequencer.router.book("access")

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self.platform.engine.connect() as conn:
            yield conn

    def holder(self, token: str) -> auth.KeyHolder:
        """Who a key speaks for. Checked keys are cached for a few seconds, but never past
        their expiry nor past a revocation: every revocation is journaled by this instance's
        writer, whose access book counts those stored, and a new count invalidates what was
        cached before it (a standby, which journals nothing, does not cache)."""
        now = time.monotonic()
        revocations = self._access.committed_revocations
        hit = self._auth_cache.get(token)
        if hit is not None and hit[1] > now and hit[2] == revocations \
                and hit[0].expires_ms > auth.now_ms():
            return hit[0]
        with self.read() as conn:
            found = auth.authenticate(conn, token)
        if not self.platform.sequencer.leader.is_set():
            return found
        if len(self._auth_cache) > 10_000:
            self._auth_cache.clear()
        self._auth_cache[token] = (found, now + AUTH_CACHE_SECONDS, revocations)
        return found

    def principal(self, token: str) -> Principal:
        return self.holder(token).principal

    def forget_keys(self, key_id: str | None = None) -> None:
        """Drop cached keys (one key's, or all) so the next request reads the database."""
        if key_id is None:
            self._auth_cache.clear()
            return
        for token in [t for t, (h, *_) in self._auth_cache.items() if h.principal.id == key_id]:
            self._auth_cache.pop(token, None)


async def get_edge(request: Request) -> Edge:
    edge: Edge = request.app.state.edge
    return edge


EdgeDep = Annotated[Edge, Depends(get_edge)]


async def optional_principal(
    edge: EdgeDep,
    authorization: Annotated[str | None, Header()] = None,
    x_api_key: Annotated[str | None, Header()] = None,
) -> Principal | None:
    token = x_api_key
    if authorization:
        scheme, _, value = authorization.partition(" ")
        if scheme.lower() != "bearer" or not value:
            raise Unauthenticated("use 'Authorization: Bearer <API key>'")
        token = value.strip()
    if not token:
        return None
    return edge.principal(token)


async def principal(p: Annotated[Principal | None, Depends(optional_principal)]) -> Principal:
    if p is None:
        raise Unauthenticated("this needs an API key: 'Authorization: Bearer <API key>'")
    return p


Actor = Annotated[Principal, Depends(principal)]
MaybeActor = Annotated[Principal | None, Depends(optional_principal)]
IdemKey = Annotated[str | None, Header(alias="Idempotency-Key",
                                       description="required on every write; a replay returns "
                                                   "the first result")]
# paging and ids (the admission check applies the same ranges to every number parameter)
After = Annotated[int, Query(ge=0, le=INT64_MAX, description="resume after this id")]
Limit = Annotated[int, Query(ge=1, le=queries.MAX_PAGE, description="items in a page")]
Seq = Annotated[int, Path(ge=1, le=INT64_MAX, description="a journal entry's number")]
TreeSize = Annotated[int | None, Query(ge=1, le=INT64_MAX, description="a signed head's size")]


def may_read_account(actor: Principal | None, party_id: str, aid: str) -> None:
    if actor is None:
        raise Unauthenticated("this needs an API key")
    if actor.role in READ_ALL:
        return
    if actor.party_id != party_id:
        raise NotAccountOwner("this account belongs to another party", account=aid)


async def run(edge: Edge, commands: list[Command], actor: Principal, key: str | None, *,
              batch: bool = False) -> Response:
    """Hand the commands to the sequencer and answer with the receipt (a batch: every
    receipt). The body is canonical JSON, so a replay's body is byte for byte the first
    answer's; only the status (201, then 200) and ``Idempotent-Replayed: true`` differ."""
    if key is None:
        raise InvalidInput("an Idempotency-Key header is required on every write",
                           field="Idempotency-Key")
    fut = edge.platform.sequencer.submit(commands, actor, key, batch=batch)
    receipts = await asyncio.wrap_future(fut)
    body = [r.to_dict() for r in receipts]
    content: Any = {"receipts": body} if batch else body[0]
    if receipts[0].replayed:
        return Response(canonical(content), status_code=200, media_type=Json.media_type,
                        headers={"Idempotent-Replayed": "true"})
    return Response(canonical(content), status_code=201, media_type=Json.media_type)


def one(kind: str, payload: dict[str, Any], edge: Edge | None = None) -> list[Command]:
    kinds = edge.platform.sequencer.catalog if edge is not None else None
    if kinds is None:
        return [command_from_payload(kind, payload)]
    return [command_from_payload(kind, payload, kinds)]


router = APIRouter(prefix="/api/v1", default_response_class=JSONResponse)


# ------------------------------------------------------------------------------ writes
@router.post("/asset-classes", status_code=201, tags=["reference data"])
async def create_asset_class(body: s.CreateAssetClassIn, edge: EdgeDep, actor: Actor,
                             key: IdemKey = None) -> Response:
    return await run(edge, one("create_asset_class", s.payload(body)), actor, key)


@router.post("/parties", status_code=201, tags=["reference data"])
async def register_party(body: s.RegisterPartyIn, edge: EdgeDep, actor: Actor,
                         key: IdemKey = None) -> Response:
    return await run(edge, one("register_party", s.payload(body)), actor, key)


@router.post("/accounts", status_code=201, tags=["accounts"])
async def open_account(body: s.OpenAccountIn, edge: EdgeDep, actor: Actor,
                       key: IdemKey = None) -> Response:
    return await run(edge, one("open_account", s.payload(body)), actor, key)


@router.post("/accounts/{account}/status", status_code=201, tags=["accounts"])
async def set_account_status(account: str, body: s.AccountStatusIn, edge: EdgeDep, actor: Actor,
                             key: IdemKey = None) -> Response:
    return await run(edge, one("set_account_status", s.payload(body, account=account)), actor,
                     key)


@router.post("/issuances", status_code=201, tags=["units"])
async def issue_units(body: s.IssueUnitsIn, edge: EdgeDep, actor: Actor,
                      key: IdemKey = None) -> Response:
    return await run(edge, one("issue_units", s.payload(body)), actor, key)


@router.post("/transfers", status_code=201, tags=["units"])
async def transfer(body: s.TransferIn, edge: EdgeDep, actor: Actor,
                   key: IdemKey = None) -> Response:
    return await run(edge, one("transfer", s.payload(body)), actor, key)


@router.post("/retirements", status_code=201, tags=["units"])
async def retire_units(body: s.RetireIn, edge: EdgeDep, actor: Actor,
                       key: IdemKey = None) -> Response:
    return await run(edge, one("retire_units", s.payload(body)), actor, key)


@router.post("/cancellations", status_code=201, tags=["units"])
async def cancel_units(body: s.CancelIn, edge: EdgeDep, actor: Actor,
                       key: IdemKey = None) -> Response:
    return await run(edge, one("cancel_units", s.payload(body)), actor, key)


@router.post("/holds", status_code=201, tags=["holds"])
async def place_hold(body: s.HoldIn, edge: EdgeDep, actor: Actor,
                     key: IdemKey = None) -> Response:
    return await run(edge, one("place_hold", s.payload(body)), actor, key)


@router.post("/holds/{hold}/release", status_code=201, tags=["holds"])
async def release_hold(hold: str, body: s.ReleaseIn, edge: EdgeDep, actor: Actor,
                       key: IdemKey = None) -> Response:
    return await run(edge, one("release_hold", s.payload(body, hold=hold)), actor, key)


@router.post("/holds/{hold}/enforce", status_code=201, tags=["holds"])
async def enforce_hold(hold: str, body: s.EnforceIn, edge: EdgeDep, actor: Actor,
                       key: IdemKey = None) -> Response:
    return await run(edge, one("enforce_hold", s.payload(body, hold=hold)), actor, key)


@router.post("/batch", status_code=201, tags=["units"])
async def batch(body: s.BatchIn, edge: EdgeDep, actor: Actor, key: IdemKey = None) -> Response:
    """Many commands, all or nothing, in order; a refusal lists every failing command."""
    limit = edge.platform.sequencer.max_batch
    if len(body.commands) > limit:
        from qingshan.errors import BatchTooLarge

        raise BatchTooLarge(f"at most {limit} commands in one batch", limit=limit,
                            given=len(body.commands))
    commands: list[Command] = []
    errors: list[dict[str, Any]] = []
    for i, c in enumerate(body.commands):
        try:
            commands.append(command_from_payload(c.kind, c.payload,
                                                 edge.platform.sequencer.catalog))
        except QingshanError as exc:
            errors.append({"index": i, **exc.to_dict()})
    if errors:
        from qingshan.errors import BatchRejected

        raise BatchRejected(f"{len(errors)} of {len(body.commands)} commands are malformed; "
                            "nothing was applied", errors=errors)
    return await run(edge, commands, actor, key, batch=True)


@router.post("/api-keys", status_code=201, tags=["access"])
async def create_api_key(body: s.ApiKeyIn, edge: EdgeDep, actor: Actor,
                         key: IdemKey = None) -> Response:
    """Operator only. The key is shown once; only its hash is kept. Its creation (id, role,
    party, label, expiry; never the secret) is a journal entry."""
    from qingshan.access import keys

    if actor.role is not Role.OPERATOR:
        raise Forbidden("only the operator creates API keys")
    engine = edge.platform.engine
    new = keys.prepare(engine, body.role, body.party, body.label, body.expires_in_days)
    try:
        fut = edge.platform.sequencer.submit([new.command], actor,
                                             key or f"api-key/{new.key_id}")
        receipt = (await asyncio.wrap_future(fut))[0]
    except BaseException:
        keys.discard(engine, new)
        raise
    return Json({"api_key": new.token, **receipt.result, "seq": receipt.seq}, status_code=201)


@router.get("/api-keys", tags=["access"])
def list_api_keys(edge: EdgeDep, actor: Actor) -> list[dict[str, Any]]:
    """Every key for the operator and auditors; for anyone else, the key it uses. Never a
    secret or its hash."""
    with edge.read() as conn:
        return auth.list_keys(conn, key_id=None if actor.role in READ_ALL else actor.id)


@router.post("/api-keys/{key_id}/revoke", status_code=201, tags=["access"])
async def revoke_api_key(key_id: str, body: s.RevokeKeyIn, edge: EdgeDep, actor: Actor,
                         key: IdemKey = None) -> Response:
    """The operator, or the key itself: the key stops working at once, and so do the browser
    sessions opened with it."""
    from qingshan.access import keys

    cmd = one("revoke_api_key", {"key": key_id, "reason": body.reason}, edge)
    keys.check_revoker(edge.platform.engine, actor, key_id)
    response = await run(edge, cmd, actor, key or f"revoke/{key_id}")
    edge.forget_keys(key_id)
    keys.end_sessions(edge.platform.engine, key_id)
    return response


# ------------------------------------------------------------------------------ reads
@router.get("/whoami", tags=["access"])
def whoami(actor: Actor) -> dict[str, Any]:
    return actor.to_payload()


@router.get("/parties/{party}/accounts", tags=["accounts"])
def party_accounts(party: str, edge: EdgeDep, actor: Actor) -> list[dict[str, Any]]:
    if actor.role not in READ_ALL and actor.party_id != party:
        raise NotAccountOwner("these accounts belong to another party", party=party)
    with edge.read() as conn:
        return queries.party_accounts(conn, party)


@router.get("/accounts/{account}", tags=["accounts"])
def account_holdings(account: str, edge: EdgeDep, actor: Actor) -> dict[str, Any]:
    with edge.read() as conn:
        may_read_account(actor, queries.account_party(conn, account), account)
        return queries.holdings(conn, account)


@router.get("/accounts/{account}/entries", tags=["accounts"])
def account_entries(account: str, edge: EdgeDep, actor: Actor, after: After = 0,
                    limit: Limit = 100) -> list[dict[str, Any]]:
    with edge.read() as conn:
        may_read_account(actor, queries.account_party(conn, account), account)
        entries = queries.account_entries(conn, account, after=after, limit=limit)
        if actor.role in READ_ALL:
            return entries
        mine = _accounts_of(conn, actor)
    return [disclosure.entry_for(e, mine) for e in entries]


@router.get("/serials/{serial}", tags=["public registry"])
def serial_lookup(serial: str, edge: EdgeDep, actor: MaybeActor) -> dict[str, Any]:
    """Any unit by serial number: its state now and its whole history. Account numbers are
    shown to their owner, the operator and auditors; to others only where a public journal
    entry (an issuance by the operator, a retirement, a cancellation) names them."""
    sn = parse_serial(serial)
    with edge.read() as conn:
        found = queries.find_serial(conn, sn)
        if actor is not None and actor.role in READ_ALL:
            return found
        mine = _accounts_of(conn, actor)
    return disclosure.serial_for(found, mine)


def _accounts_of(conn: Connection, actor: Principal | None) -> set[str]:
    if actor is None or actor.party_id is None:
        return set()
    return {a["id"] for a in queries.party_accounts(conn, actor.party_id)}


@router.get("/journal", tags=["journal"])
def journal(edge: EdgeDep, actor: Actor, after: After = 0,
            limit: Limit = 100) -> list[dict[str, Any]]:
    if actor.role not in READ_ALL:
        raise Forbidden("the whole journal is for the operator and auditors")
    with edge.read() as conn:
        return queries.journal_page(conn, after=after, limit=limit)


def _may_see_entry(conn: Connection, actor: Principal | None, entry: dict[str, Any]) -> None:
    if entry["kind"] in PUBLIC_KINDS:
        return
    if actor is None:
        raise Unauthenticated("this entry is not public; it needs an API key")
    if actor.role in READ_ALL:
        return
    if disclosure.names_mine(entry, _accounts_of(conn, actor)):
        return
    raise Forbidden("this entry concerns other parties' accounts")


@router.get("/journal/{seq}", tags=["journal"])
def journal_entry(seq: Seq, edge: EdgeDep, actor: MaybeActor) -> dict[str, Any]:
    with edge.read() as conn:
        entry, _ = queries.journal_entry(conn, seq)
        _may_see_entry(conn, actor, entry)
        return entry


@router.get("/log/public-key", tags=["transparency log"], response_class=Response)
def public_key(edge: EdgeDep) -> Response:
    return Response(edge.platform.public_key_pem, media_type="application/x-pem-file")


def _sth_json(sth: Any) -> dict[str, Any]:
    return {"size": sth.head.size, "root": sth.head.root.hex(),
            "timestamp": sth.head.timestamp_ms, "signature": sth.signature.hex(),
            "key_id": sth.key_id}


@router.get("/log/tree-head", tags=["transparency log"])
def latest_tree_head(edge: EdgeDep, size: TreeSize = None) -> dict[str, Any]:
    with edge.read() as conn:
        return _sth_json(queries.tree_head(conn, size))


@router.get("/log/proofs/inclusion/{seq}", tags=["transparency log"])
def inclusion_proof(seq: Seq, edge: EdgeDep, actor: MaybeActor,
                    tree_size: TreeSize = None) -> dict[str, Any]:
    """A self-contained bundle (the entry, a signed tree head, the audit path, the key) that
    ``qingshan log check`` verifies offline."""
    with edge.read() as conn:
        entry, _ = queries.journal_entry(conn, seq)
        _may_see_entry(conn, actor, entry)
        bundle = queries.inclusion_bundle(conn, seq, edge.platform.public_key_pem, tree_size)
    result: dict[str, Any] = orjson.loads(bundle.to_json())
    return result


@router.post("/log/check", tags=["transparency log"])
async def check_proof(request: Request, edge: EdgeDep) -> dict[str, Any]:
    """Check a proof bundle against this log's key (the offline check, as a service: to avoid
    trusting the operator, run ``qingshan log check`` yourself with the key you hold)."""
    try:
        bundle = tlog.InclusionBundle.from_json((await request.body()).decode("utf-8"))
        tlog.check_bundle(bundle, edge.platform.public_key_pem)
    except (tlog.ProofError, UnicodeDecodeError) as exc:
        return {"valid": False, "reason": getattr(exc, "message", str(exc))}
    entry = orjson.loads(bundle.entry)
    return {"valid": True, "seq": entry["seq"], "kind": entry["kind"],
            "tree_size": bundle.sth.head.size, "root": bundle.sth.head.root.hex()}


@router.get("/log/proofs/consistency", tags=["transparency log"])
def consistency_proof(edge: EdgeDep, first: Annotated[int, Query(ge=1, le=INT64_MAX)],
                      second: Annotated[int, Query(ge=1, le=INT64_MAX)]) -> dict[str, Any]:
    with edge.read() as conn:
        return queries.consistency(conn, first, second)


@router.get("/asset-classes", tags=["public registry"])
def asset_classes(edge: EdgeDep) -> list[dict[str, Any]]:
    with edge.read() as conn:
        return queries.asset_classes(conn)


@router.get("/issuances", tags=["public registry"])
def issuances(edge: EdgeDep, after: After = 0, limit: Limit = 100) -> list[dict[str, Any]]:
    with edge.read() as conn:
        return queries.issuances(conn, after=after, limit=limit)


@router.get("/retirements", tags=["public registry"])
def retirements(edge: EdgeDep, after: After = 0, limit: Limit = 100) -> list[dict[str, Any]]:
    with edge.read() as conn:
        return queries.retirements(conn, after=after, limit=limit)


@router.get("/stats", tags=["public registry"])
def stats(edge: EdgeDep) -> dict[str, Any]:
    with edge.read() as conn:
        return queries.stats(conn)


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
        from qingshan.web.security import SecurityHeaders

        return SecurityHeaders(super().build_middleware_stack(),
                               trust_forwarded_proto=self.trust_forwarded_proto)


def create_app(settings: Settings | None = None, platform: Platform | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = platform is None
        plat = platform or Platform.open(settings)
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
    app.add_middleware(RequestSizeLimit, max_bytes=settings.max_request_bytes)
    if platform is not None:
        app.state.edge = Edge(platform)
    app.include_router(router)

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
        return _error(422, InvalidInput.code, "the request does not match the API schema",
                      {"errors": errors})

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

    from qingshan.api.market import router as market_router
    from qingshan.api.registry import router as registry_router
    from qingshan.web.pages import mount_pages

    app.include_router(registry_router)
    app.include_router(market_router)
    mount_pages(app)
    from qingshan.web.account import mount_account_pages

    mount_account_pages(app)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document(get_openapi(
                title=app.title, version=app.version, description=app.description,
                routes=app.routes))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app

