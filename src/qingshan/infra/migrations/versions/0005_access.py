"""access: API keys journaled with an expiry and revocation, their secrets apart, browser
sessions, and document addresses in their canonical form

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 10:00:00
"""

from __future__ import annotations

import re
import time
from urllib.parse import quote, urlsplit, urlunsplit

import orjson
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

LEGACY_KEY_DAYS = 90  # keys made before journaling stop working this long after the upgrade


def upgrade() -> None:
    op.create_table(
        "api_key_secrets",
        sa.Column("key_id", sa.String(length=32), primary_key=True),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
    )
    op.execute("INSERT INTO api_key_secrets (key_id, secret_hash) "
               "SELECT id, secret_hash FROM api_keys")
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.add_column(sa.Column("expires_ms", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("seq", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("created_by", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("revoked_ms", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("revoked_seq", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("revoked_by", sa.String(length=32), nullable=True))
    expires = time.time_ns() // 1_000_000 + LEGACY_KEY_DAYS * 86_400_000
    op.execute(sa.text("UPDATE api_keys SET expires_ms = :e").bindparams(e=expires))
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.alter_column("expires_ms", existing_type=sa.BigInteger(), nullable=False)
        batch_op.drop_column("secret_hash")
    op.create_table(
        "web_sessions",
        sa.Column("id_hash", sa.String(length=64), primary_key=True),
        sa.Column("key_id", sa.String(length=32), nullable=False),
        sa.Column("created_ms", sa.BigInteger(), nullable=False),
        sa.Column("expires_ms", sa.BigInteger(), nullable=False),
    )
    op.create_index("ix_web_sessions_key_id", "web_sessions", ["key_id"])
    _canonical_document_urls()


def _canonical_document_urls() -> None:
    """Stored document addresses in the form the registry now stores (so that replaying the
    journal gives the same rows). An address the registry now refuses is left as it is: pages
    never link it, and `qingshan log verify` names the entry that brought it."""
    conn = op.get_bind()
    for table in ("registry_projects", "registry_reports"):
        rows = conn.execute(sa.text(f"SELECT id, documents FROM {table}")).all()
        for rid, text in rows:
            docs = orjson.loads(text)
            changed = False
            for d in docs:
                url = _canonical_url(d["url"]) if d.get("url") else d.get("url")
                if url is not None and url != d.get("url"):
                    d["url"], changed = url, True
            if changed:
                conn.execute(sa.text(f"UPDATE {table} SET documents = :d WHERE id = :i"),
                             {"d": orjson.dumps(docs).decode(), "i": rid})


# The canonical form of a document address as this release defined it
# (``qingshan.ledger.domain.urls.canonical_url`` then), inlined: a migration reads no live
# code. ``None`` where that release refused the address.
_SCHEMES = {"http": 80, "https": 443}
_FORBIDDEN = re.compile(r"[\x00-\x20\x7f\\]")
_HOST = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$")
_SAFE_PATH = "/:@!$&'()*+,;=-._~%"
_SAFE_QUERY = _SAFE_PATH + "?"


def _canonical_url(text: str) -> str | None:
    if not isinstance(text, str) or not text or _FORBIDDEN.search(text):
        return None
    try:
        parts = urlsplit(text)
    except ValueError:  # (e.g. an unclosed "[": that release failed here; leave it as it is)
        return None
    scheme = parts.scheme.lower()
    if scheme not in _SCHEMES or not text[len(scheme) + 1:].startswith("//"):
        return None
    try:
        port = parts.port
    except ValueError:
        return None
    if port == 0 or "@" in parts.netloc or parts.netloc.startswith("["):
        return None
    try:
        host = parts.hostname.encode("idna").decode("ascii").lower() if parts.hostname else ""
    except UnicodeError:
        return None
    if not host or not _HOST.match(host):
        return None
    netloc = host if port is None or port == _SCHEMES[scheme] else f"{host}:{port}"
    out = urlunsplit((scheme, netloc, quote(parts.path or "/", safe=_SAFE_PATH),
                      quote(parts.query, safe=_SAFE_QUERY),
                      quote(parts.fragment, safe=_SAFE_QUERY)))
    return out if len(out) <= 500 else None


def downgrade() -> None:
    op.drop_index("ix_web_sessions_key_id", table_name="web_sessions")
    op.drop_table("web_sessions")
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.add_column(sa.Column("secret_hash", sa.String(length=64), nullable=True))
    op.execute("UPDATE api_keys SET secret_hash = (SELECT secret_hash FROM api_key_secrets "
               "WHERE api_key_secrets.key_id = api_keys.id)")
    op.execute("UPDATE api_keys SET secret_hash = '', revoked = TRUE "
               "WHERE secret_hash IS NULL")
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.alter_column("secret_hash", existing_type=sa.String(length=64),
                              nullable=False)
        batch_op.drop_column("revoked_by")
        batch_op.drop_column("revoked_seq")
        batch_op.drop_column("revoked_ms")
        batch_op.drop_column("created_by")
        batch_op.drop_column("seq")
        batch_op.drop_column("expires_ms")
    op.drop_table("api_key_secrets")
