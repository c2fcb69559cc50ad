"""API keys on SQLite and PostgreSQL: journaled creation and revocation survive a restart and
`log verify`; a database from before migration 0005 keeps its keys (hashed apart, expiring
90 days after the upgrade, revocable through the journal)."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import select, text

from qingshan.access import authentication as auth
from qingshan.access.keys import CLI, issue_key, revoke_key
from qingshan.errors import Forbidden, Unauthenticated, UnknownParty
from qingshan.infra import schema as t
from qingshan.infra.config import Settings
from qingshan.infra.db import make_engine
from qingshan.infra.migrate import alembic_config
from qingshan.ledger.domain.model import SYSTEM, Principal, Role
from qingshan.platform import Platform
from tests.support.book import SETUP


def test_keys_are_journaled_survive_a_restart_and_verify(settings: Settings) -> None:
    plat = Platform.open(settings)
    try:
        plat.sequencer.execute(list(SETUP), SYSTEM, "setup")
        token, made = issue_key(plat.engine, plat.sequencer, CLI, Role.MEMBER, "P000002",
                                "alice", days=30)
        other, _ = issue_key(plat.engine, plat.sequencer, CLI, Role.AUDITOR, None, "audit")
        with plat.engine.connect() as conn:
            assert auth.authenticate(conn, token).principal.party_id == "P000002"
        with pytest.raises(UnknownParty):
            issue_key(plat.engine, plat.sequencer, CLI, Role.MEMBER, "P000999")
        key = made.result["key"]
        with pytest.raises(Forbidden):  # another key may not end this one
            revoke_key(plat.engine, plat.sequencer,
                       Principal(auth.key_id_of(other), Role.AUDITOR), key)
        revoke_key(plat.engine, plat.sequencer, Principal(key, Role.MEMBER, "P000002"), key,
                   "leaving")
        with plat.engine.connect() as conn, pytest.raises(Unauthenticated):
            auth.authenticate(conn, token)
        assert plat.verify().problems == []
        books = [b.snapshot() for b in plat.sequencer.router.books]
    finally:
        plat.close()
    again = Platform.open(settings)
    try:
        assert [b.snapshot() for b in again.sequencer.router.books] == books
        with again.engine.connect() as conn:
            assert {k["id"] for k in auth.list_keys(conn)} == {key, auth.key_id_of(other)}
            assert {r.key_id for r in conn.execute(select(t.api_key_secrets))} == \
                {key, auth.key_id_of(other)}  # the refused key left no hash
    finally:
        again.close()


def test_a_database_from_before_0005_keeps_its_keys_until_they_expire(
        database_url: str, tmp_path: Path) -> None:
    url = database_url  # empty: migrated here to 0004
    settings = Settings(database_url=url, signing_key_path=tmp_path / "signing-key.pem")
    command.upgrade(alembic_config(url), "0004")
    token = "qs_k0123456789ab." + "s" * 43
    engine = make_engine(url)
    with engine.begin() as conn:  # a key as the previous release stored it
        conn.execute(text("INSERT INTO api_keys (id, secret_hash, role, party_id, label, "
                          "created_ms, revoked) VALUES (:i, :h, 'operator', NULL, 'old', 1, "
                          ":r)"), {"i": "k0123456789ab",
                                   "h": hashlib.sha256(token.encode()).hexdigest(), "r": False})
    engine.dispose()
    plat = Platform.open(settings)  # upgrades to the newest revision
    try:
        with plat.engine.connect() as conn:
            holder = auth.authenticate(conn, token)
            listed = auth.list_keys(conn)
        assert holder.principal.role is Role.OPERATOR and listed[0]["seq"] is None
        days = (holder.expires_ms - time.time_ns() // 1_000_000) / 86_400_000
        assert 89 < days <= 90
        revoke_key(plat.engine, plat.sequencer, CLI, "k0123456789ab", "journaled keys now")
        with plat.engine.connect() as conn, pytest.raises(Unauthenticated):
            auth.authenticate(conn, token)
        assert plat.verify().problems == []
    finally:
        plat.close()


def test_the_logs_signing_key_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    from qingshan.ledger.signing_key import load_or_create_signing_key

    path = tmp_path / "var" / "signing-key.pem"
    key = load_or_create_signing_key(path)
    assert path.stat().st_mode & 0o777 == 0o600
    again = load_or_create_signing_key(path)  # the same key on the next start
    assert again.public_key().public_bytes_raw() == key.public_key().public_bytes_raw()
