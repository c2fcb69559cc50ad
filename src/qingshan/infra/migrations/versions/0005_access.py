"""access: API keys journaled with an expiry and revocation, their secrets apart, browser
sessions, and document addresses in their canonical form

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 10:00:00
"""

from __future__ import annotations

import time

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
    from qingshan.ledger.domain.urls import UrlRefused, canonical_url

    conn = op.get_bind()
    for table in ("registry_projects", "registry_reports"):
        rows = conn.execute(sa.text(f"SELECT id, documents FROM {table}")).all()
        for rid, text in rows:
            docs = orjson.loads(text)
            changed = False
            for d in docs:
                try:
                    url = canonical_url(d["url"]) if d.get("url") else d.get("url")
                except UrlRefused:
                    continue
                if url != d.get("url"):
                    d["url"], changed = url, True
            if changed:
                conn.execute(sa.text(f"UPDATE {table} SET documents = :d WHERE id = :i"),
                             {"d": orjson.dumps(docs).decode(), "i": rid})


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
