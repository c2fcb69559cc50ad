"""What every API route depends on: the per-app services (``Edge``: the platform and a short
API-key cache), the principal a request speaks for, the idempotency header, the common path
and query parameters, the JSON response class, and ``run``, which hands commands to the
sequencer and answers with the receipt. The routers (ledger, registry, market) import this
module, never the app factory.
"""

from __future__ import annotations

import asyncio
import functools
import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import orjson
from fastapi import Depends, Header, Path, Query, Request
from fastapi.responses import Response
from sqlalchemy import Connection

from qingshan.access import authentication as auth
from qingshan.errors import InvalidInput, Unauthenticated
from qingshan.inclusive.ingest import SubLedgerStore
from qingshan.ledger import queries
from qingshan.ledger.domain.commands import Command, command_from_payload
from qingshan.ledger.domain.journal import canonical
from qingshan.ledger.domain.model import Principal
from qingshan.ledger.domain.parsing import INT64_MAX
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

    @functools.cached_property
    def subledger(self) -> SubLedgerStore:
        """The carbon-inclusive people's sub-ledger (written outside the sequencer)."""
        return self.platform.subledger()

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


def accounts_of(conn: Connection, actor: Principal | None) -> set[str]:
    """The accounts of the actor's party (none for an anonymous reader or a partyless key)."""
    if actor is None or actor.party_id is None:
        return set()
    return {a["id"] for a in queries.party_accounts(conn, actor.party_id)}
