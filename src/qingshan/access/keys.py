"""Making and ending API keys from an edge (the API, the command line, the demo, tests): the
secret's hash is stored first, then the creation is journaled through the sequencer; a refused
creation leaves no hash behind. Revocation is one journal entry."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, delete

from qingshan.access import authentication as auth
from qingshan.access.book import KeyRevoked, UnknownApiKey
from qingshan.access.commands import DAY_MS, MAX_KEY_DAYS, CreateApiKey, RevokeApiKey
from qingshan.errors import Forbidden, InvalidInput
from qingshan.infra import schema as t
from qingshan.ledger.domain.model import Principal, Role
from qingshan.ledger.sequencer import Receipt, Sequencer

ADMIN = frozenset({Role.OPERATOR, Role.SYSTEM})
DEFAULT_KEY_DAYS = 90
CLI = Principal(id="cli", role=Role.SYSTEM)  # whoever runs `qingshan keys` on the host


@dataclass(frozen=True, slots=True)
class NewKey:
    """A key about to be journaled: its whole text is shown once, then only its id."""

    key_id: str
    token: str
    command: CreateApiKey


def prepare(engine: Engine, role: Role | str, party: str | None, label: str = "",
            days: int = DEFAULT_KEY_DAYS) -> NewKey:
    """Check the request, draw a key and store its hash; journal ``command`` next."""
    if type(days) is not int or not 1 <= days <= MAX_KEY_DAYS:
        raise InvalidInput(f"expires_in_days must be a whole number from 1 to {MAX_KEY_DAYS}",
                           field="expires_in_days")
    key_id, token = auth.new_key()
    cmd = CreateApiKey.from_payload({
        "key": key_id, "role": role.value if isinstance(role, Role) else role,
        "party": party, "label": label, "expires_ms": auth.now_ms() + days * DAY_MS})
    with engine.begin() as conn:
        auth.store_secret(conn, key_id, token)
    return NewKey(key_id, token, cmd)


def discard(engine: Engine, new: NewKey) -> None:
    with engine.begin() as conn:
        auth.forget_secret(conn, new.key_id)


def check_revoker(engine: Engine, actor: Principal, key_id: str) -> None:
    """Who may revoke (its own holder, the operator) before whether the key exists, so a
    member learns nothing about other keys; then that it exists and still works."""
    if actor.role not in ADMIN and actor.id != key_id:
        raise Forbidden("a key is revoked by its own holder or by the operator", key=key_id)
    with engine.connect() as conn:
        found = auth.list_keys(conn, key_id=key_id)
    if not found:
        raise UnknownApiKey("no API key with this id", key=key_id)
    if found[0]["revoked"]:
        raise KeyRevoked("this API key is already revoked", key=key_id)


def end_sessions(engine: Engine, key_id: str) -> None:
    """Browser sessions opened with a revoked key end with it (they would be refused anyway:
    a session is only as valid as its key)."""
    with engine.begin() as conn:
        conn.execute(delete(t.web_sessions).where(t.web_sessions.c.key_id == key_id))


def issue_key(engine: Engine, sequencer: Sequencer, actor: Principal, role: Role | str,
              party: str | None, label: str = "", days: int = DEFAULT_KEY_DAYS,
              idempotency_key: str | None = None) -> tuple[str, Receipt]:
    """Make a key and wait for its journal entry (the command line, the demo, tests)."""
    new = prepare(engine, role, party, label, days)
    try:
        receipt = sequencer.execute_one(new.command, actor,
                                        idempotency_key or f"api-key/{new.key_id}")
    except BaseException:
        discard(engine, new)
        raise
    return new.token, receipt


def revoke_key(engine: Engine, sequencer: Sequencer, actor: Principal, key_id: str,
               reason: str = "", idempotency_key: str | None = None) -> Receipt:
    cmd = RevokeApiKey.from_payload({"key": key_id, "reason": reason})
    check_revoker(engine, actor, cmd.key)
    receipt = sequencer.execute_one(cmd, actor, idempotency_key or f"revoke/{key_id}")
    # (a second revocation is refused above as key_revoked, before its key could clash)
    end_sessions(engine, key_id)
    return receipt
