"""API keys: a prefixed random secret shown once, stored only as its SHA-256.

A key looks like ``qs_<id>.<secret>``; ``id`` is public (it names the key in the journal),
the secret is 32 random bytes in URL-safe base64.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

from sqlalchemy import Connection, insert, select, update

from qingshan.errors import InvalidInput, Unauthenticated, UnknownParty
from qingshan.infra import schema as t
from qingshan.ledger.domain.model import Principal, Role
from qingshan.ledger.domain.parsing import clean_text

KEY_ROLES = frozenset(r for r in Role if r is not Role.SYSTEM)
PARTY_ROLES = frozenset({Role.MEMBER, Role.VERIFIER, Role.COURT, Role.BANK})


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_api_key(conn: Connection, role: Role, party_id: str | None, label: str = "") -> str:
    """Create a key and return it; it is never shown again."""
    if role not in KEY_ROLES:
        raise InvalidInput("no API key can have this role", field="role", value=role.value)
    if role in PARTY_ROLES and party_id is None:
        raise InvalidInput(f"a {role.value} key belongs to a party", field="party")
    if party_id is not None and conn.execute(
            select(t.parties.c.id).where(t.parties.c.id == party_id)).first() is None:
        raise UnknownParty("no such party", party=party_id)
    label = clean_text(label, "label", max_len=120, required=False)  # the text policy
    key_id = "k" + secrets.token_hex(6)
    token = f"qs_{key_id}.{secrets.token_urlsafe(32)}"
    conn.execute(insert(t.api_keys).values(
        id=key_id, secret_hash=_hash(token), role=role.value, party_id=party_id,
        label=label, created_ms=time.time_ns() // 1_000_000, revoked=False))
    return token


def revoke_api_key(conn: Connection, key_id: str) -> bool:
    res = conn.execute(update(t.api_keys).where(t.api_keys.c.id == key_id).values(revoked=True))
    return bool(res.rowcount)


def authenticate(conn: Connection, token: str) -> Principal:
    if not token.startswith("qs_") or "." not in token:
        raise Unauthenticated("malformed API key")
    key_id = token[3:].split(".", 1)[0]
    row = conn.execute(select(t.api_keys).where(t.api_keys.c.id == key_id)).one_or_none()
    if row is None or row.revoked or not hmac.compare_digest(row.secret_hash, _hash(token)):
        raise Unauthenticated("unknown or revoked API key")
    return Principal(id=row.id, role=Role(row.role), party_id=row.party_id)
