"""The qingshan command as a user runs it: exit 0 on success, 1 when a check fails, 2 on bad
input."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest


def env_in(folder: Path) -> dict[str, str]:
    return dict(os.environ, QINGSHAN_DATABASE_URL=f"sqlite:///{folder / 'cli.db'}",
                QINGSHAN_SIGNING_KEY_PATH=str(folder / "key.pem"))


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return env_in(tmp_path)


def qingshan(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "qingshan.cli.main", *args], env=env,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder where ``qingshan demo load --enterprises 12`` ran once (the database, the
    signing key, the demo keys): the demo takes half a minute, so the tests that need one
    start from a copy of it."""
    folder = tmp_path_factory.mktemp("demo")
    r = qingshan(env_in(folder), "demo", "load", "--enterprises", "12")
    assert r.returncode == 0, r.stderr
    assert "operator qs_" in r.stdout
    return folder


@pytest.fixture
def demo_env(loaded: Path, tmp_path: Path) -> dict[str, str]:
    """The environment of a copy of the loaded demo, the test's own to change."""
    copy = tmp_path / "demo"
    shutil.copytree(loaded, copy)
    return env_in(copy)


def test_demo_then_verify_prove_and_check(demo_env: dict[str, str], tmp_path: Path) -> None:
    env = demo_env
    again = qingshan(env, "demo", "load", "--enterprises", "12")  # idempotent
    assert again.returncode == 0, again.stderr
    assert "operator qs_" in again.stdout
    other = qingshan(env, "demo", "load", "--enterprises", "13")  # another demo: refused
    assert other.returncode == 2 and "into a new database" in other.stderr + other.stdout
    v = qingshan(env, "log", "verify")
    assert v.returncode == 0, v.stderr
    assert "every invariant holds" in v.stdout
    proof = tmp_path / "p.json"
    assert qingshan(env, "log", "prove", "3", "-o", str(proof)).returncode == 0
    c = qingshan(env, "log", "check", str(proof))
    assert c.returncode == 0 and "is in the log" in c.stdout
    db = sqlite3.connect(env["QINGSHAN_DATABASE_URL"].removeprefix("sqlite:///"))
    serial_row = db.execute("SELECT asset, serial_start FROM unit_blocks LIMIT 1").fetchone()
    assert serial_row is not None
    db.execute("UPDATE balances SET balance = balance + 1 WHERE rowid = 1")
    db.commit()
    db.close()
    bad = qingshan(env, "log", "verify")
    assert bad.returncode == 1 and "balances differ" in bad.stderr


def test_serial_lookup_prints_history(demo_env: dict[str, str]) -> None:
    env = demo_env
    db = sqlite3.connect(env["QINGSHAN_DATABASE_URL"].removeprefix("sqlite:///"))
    iss, project, vintage, start = db.execute(
        "SELECT id, project, vintage, serial_start FROM issuances WHERE asset = 'CQCER' "
        "ORDER BY id LIMIT 1").fetchone()
    db.close()
    serial = f"QS-CQCER-{project}-{vintage}-{iss:06d}-{start:012d}-{start:012d}"
    r = qingshan(env, "serial", serial)
    assert r.returncode == 0, r.stderr
    assert serial in r.stdout and "decide_issuance" in r.stdout.replace("\n", "")


@pytest.mark.parametrize(("args", "needle"), [
    (["serial", "QS-CQCER-nope"], "malformed_serial"),
    (["keys", "create", "emperor"], "role must be one of"),
    (["log", "check", "/nonexistent/proof.json"], "cannot read"),
    (["log", "prove", "999999"], "unknown_entry"),
    (["log", "prove", str(2**70)], "Invalid value"),
    (["log", "prove", "1", "--tree-size", str(2**63)], "Invalid value"),
    (["keys", "create", "auditor", "--label", "a\x1bb"], "invalid_text"),
])
def test_bad_input_exits_2_with_a_message(env: dict[str, str], args: list[str],
                                          needle: str) -> None:
    r = qingshan(env, *args)
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert needle in r.stderr


def test_keys_are_created_listed_and_revoked_from_the_command_line(
        demo_env: dict[str, str]) -> None:
    env = demo_env
    demo_keys = Path(env["QINGSHAN_SIGNING_KEY_PATH"]).parent / "demo-keys.txt"
    assert demo_keys.stat().st_mode & 0o777 == 0o600  # keys in clear: the owner's only
    roles = {line.split()[0] for line in demo_keys.read_text().splitlines()}
    assert {"operator", "court", "forestry", "district"} <= roles
    db = sqlite3.connect(env["QINGSHAN_DATABASE_URL"].removeprefix("sqlite:///"))
    party = db.execute("SELECT id FROM parties WHERE kind = 'enterprise' LIMIT 1").fetchone()[0]
    db.close()
    made = qingshan(env, "keys", "create", "member", "--party", party, "--label", "robot",
                    "--days", "30")
    assert made.returncode == 0, made.stderr
    token = made.stdout.strip().splitlines()[-1]
    assert token.startswith("qs_k")
    key = token[3:].split(".", 1)[0]
    listed = qingshan(env, "keys", "list")
    assert listed.returncode == 0 and key in listed.stdout and "robot" in listed.stdout
    assert token.split(".", 1)[1] not in listed.stdout
    gone = qingshan(env, "keys", "revoke", key, "--reason", "rotated")
    assert gone.returncode == 0, gone.stderr
    assert "revoked" in qingshan(env, "keys", "list").stdout
    again = qingshan(env, "keys", "revoke", key)
    assert again.returncode == 2 and "key_revoked" in again.stderr
    nobody = qingshan(env, "keys", "create", "member", "--party", "P999999")
    assert nobody.returncode == 2 and "unknown_party" in nobody.stderr
    verify = qingshan(env, "log", "verify")
    assert verify.returncode == 0, verify.stderr
