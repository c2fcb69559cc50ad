"""The access book: API keys as the journal made them (who created each, for which role and
party, until when; who revoked it). The sequencer hosts it beside the ledger, so creating or
revoking a key is an entry of the transparency log that ``qingshan log verify`` replays.

Secrets never pass through here: the edge stores a new key's hash in ``api_key_secrets`` before
it asks for the entry, and authentication needs both rows. Keys made before migration 0005 were
never journaled; this book does not know them, but their revocation is journaled like any
other (who may revoke a key depends only on the key's id: its own holder, or the operator)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from qingshan.access.commands import (
    ACCESS_COMMANDS,
    DAY_MS,
    MAX_KEY_DAYS,
    CreateApiKey,
    RevokeApiKey,
)
from qingshan.access.errors import KeyRevoked
from qingshan.errors import AlreadyExists, Forbidden, InvalidInput
from qingshan.ledger.books import ContextBook, FetchAll, Rows, upsert_sql
from qingshan.ledger.domain import policy
from qingshan.ledger.domain.commands import Command
from qingshan.ledger.domain.effects import Effects
from qingshan.ledger.domain.model import Principal, Role

PARTY_ROLES = frozenset({Role.MEMBER, Role.VERIFIER, Role.COURT, Role.BANK})
KEY_COLS = ["id", "role", "party_id", "label", "created_ms", "expires_ms", "revoked", "seq",
            "created_by"]


@dataclass(frozen=True, slots=True)
class ApiKey:
    id: str
    role: Role
    party: str | None
    label: str
    created_ms: int
    expires_ms: int
    seq: int
    created_by: str


@dataclass(frozen=True, slots=True)
class Revocation:
    key: str
    revoked_ms: int
    seq: int
    revoked_by: str


Handler = Callable[["AccessBook", Any, Principal, int], Effects]


def check_may_revoke(actor: Principal, key: str) -> None:
    """A key is revoked by its own holder or by the operator (checked before whether the key
    exists, so a member learns nothing about other keys)."""
    if not policy.is_admin(actor) and actor.id != key:
        raise Forbidden("a key is revoked by its own holder or by the operator", key=key)


class AccessBook(ContextBook):
    name = "access"
    commands = ACCESS_COMMANDS

    def __init__(self) -> None:
        super().__init__(("keys", "revocations"))
        self.keys: dict[str, ApiKey] = {}
        self.revoked: dict[str, Revocation] = {}
        # revocations that are stored: the edge's key cache empties when this moves
        self.committed_revocations = 0

    # ------------------------------------------------------------------ Book protocol
    def _load(self, fetchall: FetchAll) -> None:
        for r in fetchall("SELECT id, role, party_id, label, created_ms, expires_ms, seq, "
                          "created_by FROM api_keys WHERE seq IS NOT NULL", ()):
            self.keys[r[0]] = ApiKey(r[0], Role(r[1]), r[2], r[3], int(r[4]), int(r[5]),
                                     int(r[6]), r[7])
        for r in fetchall("SELECT id, revoked_ms, revoked_seq, revoked_by FROM api_keys "
                          "WHERE revoked_seq IS NOT NULL", ()):
            self.revoked[r[0]] = Revocation(r[0], int(r[1]), int(r[2]), r[3])
        self.committed_revocations = len(self.revoked)

    def forget_undo(self) -> None:
        """After the transaction committed: what is now revoked is stored."""
        super().forget_undo()
        self.committed_revocations = len(self.revoked)

    def _rows(self) -> Rows:
        out: Rows = []
        made = [self.keys[k] for k in sorted(self._dirty["keys"]) if k in self.keys]
        if made:
            out.append((upsert_sql("api_keys", KEY_COLS), [
                (k.id, k.role.value, k.party, k.label, k.created_ms, k.expires_ms,
                 k.id in self.revoked, k.seq, k.created_by) for k in made]))
        ended = [self.revoked[k] for k in sorted(self._dirty["revocations"])
                 if k in self.revoked]
        if ended:
            out.append(("UPDATE api_keys SET revoked = ?, revoked_ms = ?, revoked_seq = ?, "
                        "revoked_by = ? WHERE id = ?",
                        [(True, r.revoked_ms, r.seq, r.revoked_by, r.key) for r in ended]))
        return out

    def snapshot(self) -> Any:
        return (dict(self.keys), dict(self.revoked))

    # ------------------------------------------------------------------ handlers
    def create_api_key(self, cmd: CreateApiKey, actor: Principal, seq: int) -> Effects:
        policy.check_admin(actor, "only the operator creates API keys")
        if cmd.key in self.keys or cmd.key in self.revoked:
            raise AlreadyExists("an API key with this id exists", key=cmd.key)
        if cmd.role in PARTY_ROLES and cmd.party is None:
            raise InvalidInput(f"a {cmd.role.value} key belongs to a party", field="party")
        if cmd.role is Role.PERSON and cmd.party is None:
            raise InvalidInput("a person's key belongs to their account", field="party")
        if cmd.party is not None and cmd.role is not Role.PERSON:
            self.ledger.party(cmd.party)  # unknown_party
        now = self.clock()
        if not now < cmd.expires_ms <= now + MAX_KEY_DAYS * DAY_MS:
            raise InvalidInput(f"a key expires after now and within {MAX_KEY_DAYS} days",
                               field="expires_ms")
        key = ApiKey(cmd.key, cmd.role, cmd.party, cmd.label, now, cmd.expires_ms, seq,
                     actor.id)
        self._set(self.keys, key.id, key)
        self._dirty["keys"].add(key.id)
        return Effects(result={"key": key.id, "role": key.role.value, "party": key.party,
                               "label": key.label, "expires_ms": key.expires_ms})

    def revoke_api_key(self, cmd: RevokeApiKey, actor: Principal, seq: int) -> Effects:
        check_may_revoke(actor, cmd.key)
        if cmd.key in self.revoked:
            raise KeyRevoked("this API key is already revoked", key=cmd.key)
        ended = Revocation(cmd.key, self.clock(), seq, actor.id)
        self._set(self.revoked, cmd.key, ended)
        self._dirty["revocations"].add(cmd.key)
        return Effects(result={"key": cmd.key, "revoked": True})

    _handlers: ClassVar[dict[type[Command], Handler]] = {
        CreateApiKey: create_api_key,
        RevokeApiKey: revoke_api_key,
    }
