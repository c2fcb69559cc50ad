"""API keys at rest: a prefixed random secret, shown once, stored only as its SHA-256.

A key looks like ``qs_<id>.<secret>``; ``id`` is public (it names the key in the journal),
the secret is 32 random bytes in URL-safe base64 (256 bits, so a plain SHA-256 is as strong
as a slow hash would be: there is no password to guess). The hash lives in
``api_key_secrets``, apart from the key's journaled facts in ``api_keys`` (role, party,
expiry, revocation: written by the access book); a key works only while both rows exist, it
is not revoked and it has not expired.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, delete, insert, select

from qingshan.errors import Unauthenticated
from qingshan.infra import schema as t
from qingshan.ledger.domain.model import Principal, Role


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def secret_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_key() -> tuple[str, str]:
    """A fresh key id and the whole key (``qs_<id>.<secret>``)."""
    key_id = "k" + secrets.token_hex(6)
    return key_id, f"qs_{key_id}.{secrets.token_urlsafe(32)}"


def store_secret(conn: Connection, key_id: str, token: str) -> None:
    """Keep the key's hash (before its creation is journaled: the key works once both are)."""
    conn.execute(insert(t.api_key_secrets).values(key_id=key_id, secret_hash=secret_hash(token)))


def forget_secret(conn: Connection, key_id: str) -> None:
    """Drop the hash of a key whose creation was refused (it never existed)."""
    conn.execute(delete(t.api_key_secrets).where(t.api_key_secrets.c.key_id == key_id))


@dataclass(frozen=True, slots=True)
class KeyHolder:
    """Who a valid key speaks for, and until when."""

    principal: Principal
    expires_ms: int


def _holder(row: Any, at_ms: int) -> KeyHolder:
    if row is None or row.revoked:
        raise Unauthenticated("unknown or revoked API key")
    if row.expires_ms <= at_ms:
        raise Unauthenticated("this API key has expired; ask the operator for a new one",
                              key=row.id)
    return KeyHolder(Principal(id=row.id, role=Role(row.role), party_id=row.party_id),
                     int(row.expires_ms))


def key_id_of(token: str) -> str:
    if not token.startswith("qs_") or "." not in token:
        raise Unauthenticated("malformed API key")
    return token[3:].split(".", 1)[0]


def authenticate(conn: Connection, token: str, at_ms: int | None = None) -> KeyHolder:
    """The holder of a whole key (``qs_<id>.<secret>``), or ``Unauthenticated``."""
    key_id = key_id_of(token)
    k, s = t.api_keys, t.api_key_secrets
    row = conn.execute(select(k, s.c.secret_hash).select_from(k.join(s, s.c.key_id == k.c.id))
                       .where(k.c.id == key_id)).one_or_none()
    if row is None or not hmac.compare_digest(row.secret_hash, secret_hash(token)):
        raise Unauthenticated("unknown or revoked API key")
    return _holder(row, now_ms() if at_ms is None else at_ms)


def holder_of_key(conn: Connection, key_id: str, at_ms: int | None = None) -> KeyHolder:
    """The holder of a key known by id (a browser session names the key it was opened
    with): still only while the key is valid."""
    k, s = t.api_keys, t.api_key_secrets
    row = conn.execute(select(k).select_from(k.join(s, s.c.key_id == k.c.id))
                       .where(k.c.id == key_id)).one_or_none()
    return _holder(row, now_ms() if at_ms is None else at_ms)


KEY_FIELDS = ("id", "role", "party_id", "label", "created_ms", "expires_ms", "revoked",
              "seq", "created_by", "revoked_ms", "revoked_seq", "revoked_by")


def list_keys(conn: Connection, *, key_id: str | None = None) -> list[dict[str, Any]]:
    """Keys as the journal made them (never a secret or its hash), oldest first; keys from
    before journaling have no ``seq``."""
    k = t.api_keys
    q = select(*(k.c[f] for f in KEY_FIELDS)).order_by(k.c.created_ms, k.c.id)
    if key_id is not None:
        q = q.where(k.c.id == key_id)
    out = []
    for r in conn.execute(q):
        d = dict(r._mapping)
        d["party"] = d.pop("party_id")
        d["revoked"] = bool(d["revoked"])
        out.append(d)
    return out
