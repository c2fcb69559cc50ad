"""Who may read which account number: one rule for every read, API and pages.

An account number is shown to the party that owns the account, the operator and auditors.
To anyone else it is shown only where a **public journal entry** names it — an issuance made
by the operator (``issue_units``), a retirement, a cancellation — because those entries are
public so that anyone can check a certificate's proof, and the proof covers the entry's exact
bytes. Everywhere else another party's account reads ``"private"``: who holds units now, the
accounts a transfer or a trade moved them between, an instrument's fee account, a project's
receiving account, and (in a member's own statement) the accounts of entries that another
party sent, such as the order that filled the member's resting order.
"""

from __future__ import annotations

import re
from typing import Any

from qingshan.ledger.domain.model import Principal, Role

PUBLIC_KINDS = frozenset({"create_asset_class", "issue_units", "retire_units", "cancel_units"})
READ_ALL = frozenset({Role.OPERATOR, Role.AUDITOR})
PRIVATE = "private"
ACCOUNT_KEYS = ("source", "destination", "account")  # where an entry's payload names accounts
_ACCOUNT_ID = re.compile(r"^A\d{8,12}$")


def reads_all(actor: Principal | None) -> bool:
    return actor is not None and actor.role in READ_ALL


def mask(account: str | None, mine: set[str]) -> str | None:
    return account if account is None or account in mine else PRIVATE


def mask_everywhere(value: Any, mine: set[str]) -> Any:
    """``value`` with every account number that is not in ``mine`` replaced (any depth)."""
    if isinstance(value, str):
        return PRIVATE if _ACCOUNT_ID.match(value) and value not in mine else value
    if isinstance(value, dict):
        return {k: mask_everywhere(v, mine) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [mask_everywhere(v, mine) for v in value]
    return value


def names_mine(entry: dict[str, Any], mine: set[str]) -> bool:
    """Whether an entry's payload names one of the reader's accounts (then it is the
    reader's business as a whole)."""
    return bool(mine & {v for k, v in entry["payload"].items()
                        if k in ACCOUNT_KEYS and isinstance(v, str)})


def serial_for(found: dict[str, Any], mine: set[str]) -> dict[str, Any]:
    """A serial look-up for a reader who owns the accounts ``mine``: history steps of public
    kinds as the entry says; retired or cancelled units sit for good in the accounts their
    public entry named; everything else masked."""
    block = found["block"]
    if block["state"] not in ("retired", "cancelled"):
        block["account"] = mask(block["account"], mine)
    for h in found["history"]:
        if h["kind"] not in PUBLIC_KINDS:
            h["from"], h["to"] = mask(h["from"], mine), mask(h["to"], mine)
    return found


def entry_for(entry: dict[str, Any], mine: set[str]) -> dict[str, Any]:
    """An entry in a member's statement: whole when public or when its payload names one of
    the member's accounts; else (another party's command that touched the member's account,
    such as a trade against its resting order) with the other accounts masked."""
    if entry["kind"] in PUBLIC_KINDS or names_mine(entry, mine):
        return entry
    out: dict[str, Any] = mask_everywhere(entry, mine)
    return out


def project_for(project: dict[str, Any], actor: Principal | None) -> dict[str, Any]:
    """The account that receives a project's credits: its proponent's and the operator's to
    know (issuance through the registry is not a public entry)."""
    if not reads_all(actor) and (actor is None or actor.party_id != project["proponent"]):
        project["account"] = PRIVATE
    return project


def instrument_for(instrument: dict[str, Any], actor: Principal | None) -> dict[str, Any]:
    if not reads_all(actor):
        instrument["fee_account"] = PRIVATE
    return instrument
