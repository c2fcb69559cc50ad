"""``qingshan keys``: API keys (creation and revocation journaled, never a secret)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from qingshan.access.authentication import list_keys, now_ms
from qingshan.access.keys import CLI, issue_key, revoke_key
from qingshan.cli.common import date, err, fail, open_writer, out, read_engine
from qingshan.infra.config import get_settings
from qingshan.ledger.domain.model import Role

keys_app = typer.Typer(help="API keys.", no_args_is_help=True)


@keys_app.command("create")
def keys_create(role: str, party: Annotated[str | None, typer.Option()] = None,
                label: str = "",
                days: Annotated[int, typer.Option(help="days until the key expires")] = 90
                ) -> None:
    """Create an API key (shown once; its creation is journaled, never its secret)."""
    try:
        r = Role(role)
    except ValueError:
        fail(f"role must be one of {', '.join(x.value for x in Role if x is not Role.SYSTEM)}")
    plat = open_writer(get_settings())
    try:
        token, receipt = issue_key(plat.engine, plat.sequencer, CLI, r, party, label, days)
    finally:
        plat.close()
    err.print(f"key {receipt.result['key']} ({r.value}) expires "
              f"{date(receipt.result['expires_ms'])}; journal entry {receipt.seq}; "
              "the key is shown once:")
    out.print(token)


@keys_app.command("list")
def keys_list() -> None:
    """Every API key: id, role, party, label, expiry and state (never a secret)."""
    engine = read_engine(get_settings())
    try:
        with engine.connect() as conn:
            keys = list_keys(conn)
    finally:
        engine.dispose()
    now = now_ms()
    lines = ["id\trole\tparty\tlabel\texpires\tstate\tjournal entry"]
    for k in keys:  # tab-separated, one key a line (for people and for scripts)
        state = "revoked" if k["revoked"] else "expired" if k["expires_ms"] <= now else "active"
        lines.append("\t".join([k["id"], k["role"], k["party"] or "-", k["label"],
                                date(k["expires_ms"]), state,
                                "-" if k["seq"] is None else str(k["seq"])]))
    sys.stdout.write("\n".join(lines) + "\n")


@keys_app.command("revoke")
def keys_revoke(key: str, reason: str = "") -> None:
    """Revoke an API key at once (a journal entry; its browser sessions end too)."""
    plat = open_writer(get_settings())
    try:
        receipt = revoke_key(plat.engine, plat.sequencer, CLI, key, reason)
    finally:
        plat.close()
    out.print(f"key {key} revoked (journal entry {receipt.seq})")
