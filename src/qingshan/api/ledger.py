"""The ledger's HTTP routes under ``/api/v1``: reference data, accounts, units, holds, batches,
API keys, the journal, the transparency log and the public registry's ledger lists. Routes
parse, authorise and hand commands to the sequencer; they hold no business rules.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response

from qingshan.access import authentication as auth
from qingshan.access import keys
from qingshan.api import responses as r
from qingshan.api import schemas as s
from qingshan.api.deps import (
    Actor,
    After,
    EdgeDep,
    IdemKey,
    Json,
    Limit,
    MaybeActor,
    Seq,
    TreeSize,
    accounts_of,
    one,
    run,
)
from qingshan.errors import (
    BatchRejected,
    BatchTooLarge,
    QingshanError,
)
from qingshan.ledger import queries
from qingshan.ledger import transparency as tlog
from qingshan.ledger.domain import policy
from qingshan.ledger.domain.commands import Command, command_from_payload
from qingshan.ledger.domain.parsing import INT64_MAX
from qingshan.ledger.domain.serials import parse_serial

router = APIRouter(prefix="/api/v1", default_response_class=JSONResponse)


# ------------------------------------------------------------------------------ writes
@router.post("/asset-classes", **r.write(), tags=["reference data"])
async def create_asset_class(body: s.CreateAssetClassIn, edge: EdgeDep, actor: Actor,
                             key: IdemKey = None) -> Response:
    return await run(edge, one("create_asset_class", s.payload(body)), actor, key)


@router.post("/parties", **r.write(), tags=["reference data"])
async def register_party(body: s.RegisterPartyIn, edge: EdgeDep, actor: Actor,
                         key: IdemKey = None) -> Response:
    return await run(edge, one("register_party", s.payload(body)), actor, key)


@router.post("/accounts", **r.write(), tags=["accounts"])
async def open_account(body: s.OpenAccountIn, edge: EdgeDep, actor: Actor,
                       key: IdemKey = None) -> Response:
    return await run(edge, one("open_account", s.payload(body)), actor, key)


@router.post("/accounts/{account}/status", **r.write(), tags=["accounts"])
async def set_account_status(account: str, body: s.AccountStatusIn, edge: EdgeDep, actor: Actor,
                             key: IdemKey = None) -> Response:
    return await run(edge, one("set_account_status", s.payload(body, account=account)), actor,
                     key)


@router.post("/issuances", **r.write(), tags=["units"])
async def issue_units(body: s.IssueUnitsIn, edge: EdgeDep, actor: Actor,
                      key: IdemKey = None) -> Response:
    return await run(edge, one("issue_units", s.payload(body)), actor, key)


@router.post("/transfers", **r.write(), tags=["units"])
async def transfer(body: s.TransferIn, edge: EdgeDep, actor: Actor,
                   key: IdemKey = None) -> Response:
    return await run(edge, one("transfer", s.payload(body)), actor, key)


@router.post("/retirements", **r.write(), tags=["units"])
async def retire_units(body: s.RetireIn, edge: EdgeDep, actor: Actor,
                       key: IdemKey = None) -> Response:
    return await run(edge, one("retire_units", s.payload(body)), actor, key)


@router.post("/cancellations", **r.write(), tags=["units"])
async def cancel_units(body: s.CancelIn, edge: EdgeDep, actor: Actor,
                       key: IdemKey = None) -> Response:
    return await run(edge, one("cancel_units", s.payload(body)), actor, key)


@router.post("/holds", **r.write(), tags=["holds"])
async def place_hold(body: s.HoldIn, edge: EdgeDep, actor: Actor,
                     key: IdemKey = None) -> Response:
    return await run(edge, one("place_hold", s.payload(body)), actor, key)


@router.post("/holds/{hold}/release", **r.write(), tags=["holds"])
async def release_hold(hold: str, body: s.ReleaseIn, edge: EdgeDep, actor: Actor,
                       key: IdemKey = None) -> Response:
    return await run(edge, one("release_hold", s.payload(body, hold=hold)), actor, key)


@router.post("/holds/{hold}/enforce", **r.write(), tags=["holds"])
async def enforce_hold(hold: str, body: s.EnforceIn, edge: EdgeDep, actor: Actor,
                       key: IdemKey = None) -> Response:
    return await run(edge, one("enforce_hold", s.payload(body, hold=hold)), actor, key)


@router.post("/batch", **r.batch_write(), tags=["units"])
async def batch(body: s.BatchIn, edge: EdgeDep, actor: Actor, key: IdemKey = None) -> Response:
    """Many commands, all or nothing, in order; a refusal lists every failing command."""
    limit = edge.platform.sequencer.max_batch
    if len(body.commands) > limit:
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
        raise BatchRejected(f"{len(errors)} of {len(body.commands)} commands are malformed; "
                            "nothing was applied", errors=errors)
    return await run(edge, commands, actor, key, batch=True)


@router.post("/api-keys", status_code=201, response_model=None, tags=["access"],
             responses={201: {"model": r.NewApiKey, "description": "the new key, once"}})
async def create_api_key(body: s.ApiKeyIn, edge: EdgeDep, actor: Actor,
                         key: IdemKey = None) -> Response:
    """Operator only. The key is shown once; only its hash is kept. Its creation (id, role,
    party, label, expiry; never the secret) is a journal entry."""
    policy.check_admin(actor, "only the operator creates API keys")
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


@router.get("/api-keys", **r.ok(list[r.ApiKey]), tags=["access"])
def list_api_keys(edge: EdgeDep, actor: Actor) -> list[dict[str, Any]]:
    """Every key for the operator and auditors; for anyone else, the key it uses. Never a
    secret or its hash."""
    with edge.read() as conn:
        return auth.list_keys(conn, key_id=None if policy.reads_all(actor) else actor.id)


@router.post("/api-keys/{key_id}/revoke", **r.write(), tags=["access"])
async def revoke_api_key(key_id: str, body: s.RevokeKeyIn, edge: EdgeDep, actor: Actor,
                         key: IdemKey = None) -> Response:
    """The operator, or the key itself: the key stops working at once, and so do the browser
    sessions opened with it."""
    cmd = one("revoke_api_key", s.payload(body, key=key_id), edge)
    keys.check_revoker(edge.platform.engine, actor, key_id)
    response = await run(edge, cmd, actor, key or f"revoke/{key_id}")
    edge.forget_keys(key_id)
    keys.end_sessions(edge.platform.engine, key_id)
    return response


# ------------------------------------------------------------------------------ reads
@router.get("/whoami", **r.ok(r.Whoami), tags=["access"])
def whoami(actor: Actor) -> dict[str, Any]:
    return actor.to_payload()


@router.get("/parties/{party}/accounts", **r.ok(list[r.Account]), tags=["accounts"])
def party_accounts(party: str, edge: EdgeDep, actor: Actor) -> list[dict[str, Any]]:
    policy.check_may_read_party(actor, party)
    with edge.read() as conn:
        return queries.party_accounts(conn, party)


@router.get("/accounts/{account}", **r.ok(r.Holdings), tags=["accounts"])
def account_holdings(account: str, edge: EdgeDep, actor: Actor) -> dict[str, Any]:
    with edge.read() as conn:
        policy.check_may_read_account(actor, queries.account_party(conn, account), account)
        return queries.holdings(conn, account)


@router.get("/accounts/{account}/entries", **r.ok(list[r.JournalEntry]), tags=["accounts"])
def account_entries(account: str, edge: EdgeDep, actor: Actor, after: After = 0,
                    limit: Limit = 100) -> list[dict[str, Any]]:
    with edge.read() as conn:
        policy.check_may_read_account(actor, queries.account_party(conn, account), account)
        entries = queries.account_entries(conn, account, after=after, limit=limit)
        if policy.reads_all(actor):
            return entries
        mine = accounts_of(conn, actor)
    return [policy.entry_for(e, mine) for e in entries]


@router.get("/serials/{serial}", **r.ok(r.SerialLookup), tags=["public registry"])
def serial_lookup(serial: str, edge: EdgeDep, actor: MaybeActor) -> dict[str, Any]:
    """Any unit by serial number: its state now and its whole history. Account numbers are
    shown to their owner, the operator and auditors; to others only where a public journal
    entry (an issuance by the operator, a retirement, a cancellation) names them."""
    sn = parse_serial(serial)
    with edge.read() as conn:
        found = queries.find_serial(conn, sn)
        if policy.reads_all(actor):
            return found
        mine = accounts_of(conn, actor)
    return policy.serial_for(found, mine)


@router.get("/journal", **r.ok(list[r.JournalEntry]), tags=["journal"])
def journal(edge: EdgeDep, actor: Actor, after: After = 0,
            limit: Limit = 100) -> list[dict[str, Any]]:
    policy.check_may_read_journal(actor)
    with edge.read() as conn:
        return queries.journal_page(conn, after=after, limit=limit)


@router.get("/journal/{seq}", **r.ok(r.JournalEntry), tags=["journal"])
def journal_entry(seq: Seq, edge: EdgeDep, actor: MaybeActor) -> dict[str, Any]:
    with edge.read() as conn:
        entry, _ = queries.journal_entry(conn, seq)
        policy.check_may_see_entry(actor, entry, lambda: accounts_of(conn, actor))
        return entry


@router.get("/log/public-key", tags=["transparency log"], response_class=Response,
            **r.media("application/x-pem-file", "the log's Ed25519 public key (PEM)"))
def public_key(edge: EdgeDep) -> Response:
    return Response(edge.platform.public_key_pem, media_type="application/x-pem-file")


def _sth_json(sth: Any) -> dict[str, Any]:
    return {"size": sth.head.size, "root": sth.head.root.hex(),
            "timestamp": sth.head.timestamp_ms, "signature": sth.signature.hex(),
            "key_id": sth.key_id}


@router.get("/log/tree-head", **r.ok(r.TreeHead), tags=["transparency log"])
def latest_tree_head(edge: EdgeDep, size: TreeSize = None) -> dict[str, Any]:
    with edge.read() as conn:
        return _sth_json(queries.tree_head(conn, size))


@router.get("/log/proofs/inclusion/{seq}", **r.ok(r.InclusionBundle), tags=["transparency log"])
def inclusion_proof(seq: Seq, edge: EdgeDep, actor: MaybeActor,
                    tree_size: TreeSize = None) -> dict[str, Any]:
    """A self-contained bundle (the entry, a signed tree head, the audit path, the key) that
    ``qingshan log check`` verifies offline."""
    with edge.read() as conn:
        entry, _ = queries.journal_entry(conn, seq)
        policy.check_may_see_entry(actor, entry, lambda: accounts_of(conn, actor))
        bundle = queries.inclusion_bundle(conn, seq, edge.platform.public_key_pem, tree_size)
    result: dict[str, Any] = orjson.loads(bundle.to_json())
    return result


@router.post("/log/check", **r.ok(r.ProofCheck), tags=["transparency log"])
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


@router.get("/log/proofs/consistency", **r.ok(r.ConsistencyProof), tags=["transparency log"])
def consistency_proof(edge: EdgeDep, first: Annotated[int, Query(ge=1, le=INT64_MAX)],
                      second: Annotated[int, Query(ge=1, le=INT64_MAX)]) -> dict[str, Any]:
    with edge.read() as conn:
        return queries.consistency(conn, first, second)


@router.get("/asset-classes", **r.ok(list[r.AssetClass]), tags=["public registry"])
def asset_classes(edge: EdgeDep) -> list[dict[str, Any]]:
    with edge.read() as conn:
        return queries.asset_classes(conn)


@router.get("/issuances", **r.ok(list[r.Issuance]), tags=["public registry"])
def issuances(edge: EdgeDep, after: After = 0, limit: Limit = 100) -> list[dict[str, Any]]:
    with edge.read() as conn:
        return queries.issuances(conn, after=after, limit=limit)


@router.get("/retirements", **r.ok(list[r.Retirement]), tags=["public registry"])
def retirements(edge: EdgeDep, after: After = 0, limit: Limit = 100) -> list[dict[str, Any]]:
    with edge.read() as conn:
        return queries.retirements(conn, after=after, limit=limit)


@router.get("/stats", **r.ok(r.Stats), tags=["public registry"])
def stats(edge: EdgeDep) -> dict[str, Any]:
    with edge.read() as conn:
        return queries.stats(conn)
