"""Who may do and read what: the platform's access rules as pure functions of values, one
module that the ledger's book, the context books, the API and the pages all use.

**Acting.** The platform operator (and the platform itself, ``SYSTEM``) acts on anything; a
member acts on its own party's accounts only. Holds: a market order's hold belongs to the
market; a pledge (质押) is resolved by a key with the ``bank`` role of the controlling bank, a
judicial freeze by a key with the ``court`` role of the controlling court, escrow by the
operator only (and every hold by the operator). Where a hold may be placed and enforced needs
the book as well: :mod:`qingshan.ledger.domain.holds`.

**Reading.** An account number is shown to the party that owns the account, the operator and
auditors. To anyone else it is shown only where a **public journal entry** names it — an
issuance made by the operator (``issue_units``), a retirement, a cancellation — because those
entries are public so that anyone can check a certificate's proof, and the proof covers the
entry's exact bytes. Everywhere else another party's account reads ``"private"``: who holds
units now, the accounts a transfer or a trade moved them between, an instrument's fee account,
a project's receiving account, and (in a member's own statement) the accounts of entries that
another party sent, such as the order that filled the member's resting order.

Pure: no database, no clock, no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from qingshan.errors import Forbidden, NotAccountOwner, Unauthenticated
from qingshan.ledger.domain.model import Hold, HoldKind, PartyKind, Principal, Role

# ---------------------------------------------------------------------- acting
ADMIN_ROLES = frozenset({Role.OPERATOR, Role.SYSTEM})


def is_admin(actor: Principal) -> bool:
    """The platform operator, or the platform itself."""
    return actor.role in ADMIN_ROLES


def acts_for(actor: Principal, party: str) -> bool:
    """Whether ``actor`` may act on ``party``'s accounts: the operator on anyone's, a member
    on its own party's."""
    return actor.role in ADMIN_ROLES or (actor.role is Role.MEMBER and actor.party_id == party)


def check_admin(actor: Principal, message: str = "only the platform operator may do this",
                ) -> None:
    """Raise ``forbidden`` unless ``actor`` is the operator (or the platform)."""
    if actor.role not in ADMIN_ROLES:
        raise Forbidden(message, role=actor.role.value)


def check_owner(actor: Principal, account: str, party: str, *,
                doing: str = "may not move units") -> None:
    """Raise unless ``actor`` may act on ``account`` of ``party``: ``not_account_owner`` for
    a member of another party, ``forbidden`` (``role … {doing}``) for any other role."""
    role = actor.role  # (acts_for, inline: every transfer passes here)
    if role in ADMIN_ROLES or (role is Role.MEMBER and actor.party_id == party):
        return
    if role is Role.MEMBER:
        raise NotAccountOwner("this account belongs to another party", account=account)
    raise Forbidden(f"role {actor.role.value} {doing}", role=actor.role.value)


# the role of the controller's party that resolves a hold of each kind (besides the operator)
RESOLVER_ROLE = {HoldKind.PLEDGE: Role.BANK, HoldKind.JUDICIAL_FREEZE: Role.COURT}
# the kind of party a hold of each kind may be controlled by
CONTROLLER_KIND = {HoldKind.PLEDGE: PartyKind.BANK, HoldKind.JUDICIAL_FREEZE: PartyKind.COURT}
WHO_RESOLVES = {
    HoldKind.PLEDGE: "a pledge is released or enforced by its bank (a key with the bank role "
                     "of the controlling bank) or the operator",
    HoldKind.JUDICIAL_FREEZE: "a judicial freeze is lifted or enforced by its court (a key "
                              "with the court role of the controlling court) or the operator",
    HoldKind.ESCROW: "escrow is released or enforced by the operator",
}


def check_may_place_kind(actor: Principal, kind: HoldKind) -> None:
    """Raise unless ``actor``'s role may place a hold of ``kind`` by a command (the owner
    rule for pledges and escrow is :func:`check_owner`, checked beside it)."""
    if kind is HoldKind.MARKET_ORDER:
        raise Forbidden("an order's hold is placed by the market with the order",
                        hold_kind=kind.value)
    if kind is HoldKind.LOAN_PLEDGE:
        raise Forbidden("a loan's pledge is placed when the bank grants the loan",
                        hold_kind=kind.value)
    if kind is HoldKind.JUDICIAL_FREEZE and actor.role not in ADMIN_ROLES \
            and actor.role is not Role.COURT:
        raise Forbidden("only a court or the operator places a judicial freeze",
                        role=actor.role.value)


def check_resolves(actor: Principal, hold: Hold) -> None:
    """Raise unless ``actor`` may release or enforce ``hold`` by a command."""
    if hold.kind is HoldKind.MARKET_ORDER:
        raise Forbidden("an order's hold goes with its order: cancel the order", hold=hold.id)
    if hold.kind is HoldKind.LOAN_PLEDGE:
        raise Forbidden("a loan's pledge is released when the loan is repaid, or enforced on "
                        "its default, through the loan", hold=hold.id)
    if actor.role in ADMIN_ROLES:
        return
    role = RESOLVER_ROLE.get(hold.kind)
    if role is not None and actor.role is role and actor.party_id is not None \
            and actor.party_id == hold.controller:
        return
    raise Forbidden(WHO_RESOLVES[hold.kind], hold=hold.id, role=actor.role.value)


def check_acts_for_court(actor: Principal, court: str) -> None:
    """Raise ``forbidden`` unless ``actor`` is the operator or a principal of ``court`` with
    the ``court`` role (judicial cases: 以碳代偿)."""
    if actor.role in ADMIN_ROLES or (actor.role is Role.COURT and actor.party_id == court):
        return
    raise Forbidden("only the court that ordered it, or the operator, acts on a case",
                    court=court, role=actor.role.value)


# ---------------------------------------------------------------------- reading
PUBLIC_KINDS = frozenset({"create_asset_class", "issue_units", "retire_units", "cancel_units"})
READ_ALL = frozenset({Role.OPERATOR, Role.AUDITOR})
PRIVATE = "private"
ACCOUNT_KEYS = ("source", "destination", "account")  # where an entry's payload names accounts
_ACCOUNT_ID = re.compile(r"^A\d{8,12}$")


def reads_all(actor: Principal | None) -> bool:
    """The operator and auditors read everything."""
    return actor is not None and actor.role in READ_ALL


def check_may_read_party(actor: Principal, party: str) -> None:
    """Raise ``not_account_owner`` unless ``actor`` reads all or is of ``party``."""
    if actor.role not in READ_ALL and actor.party_id != party:
        raise NotAccountOwner("these accounts belong to another party", party=party)


def check_may_read_account(actor: Principal | None, party: str, account: str) -> None:
    """Raise unless ``actor`` may read ``account`` of ``party`` (its holdings, its
    statement): ``unauthenticated`` without a key, ``not_account_owner`` for another party."""
    if actor is None:
        raise Unauthenticated("this needs an API key")
    if actor.role in READ_ALL:
        return
    if actor.party_id != party:
        raise NotAccountOwner("this account belongs to another party", account=account)


JUDICIAL_READERS = frozenset({Role.OPERATOR, Role.AUDITOR, Role.SUPERVISOR})


def may_read_case(actor: Principal | None, court: str) -> bool:
    """Whether ``actor`` reads a court's cases whole (the defendants' names, the payments'
    references): the court itself, the operator, auditors and supervisors. The public sees
    them anonymised (张某)."""
    return actor is not None and (actor.role in JUDICIAL_READERS or (
        actor.role is Role.COURT and actor.party_id == court))


def check_may_read_case(actor: Principal | None, court: str) -> None:
    if actor is None:
        raise Unauthenticated("this needs an API key")
    if not may_read_case(actor, court):
        raise Forbidden("a case's sealed details are for its court, the operator, auditors "
                        "and supervisors", court=court, role=actor.role.value)


def check_may_read_journal(actor: Principal) -> None:
    """The whole journal is for the operator and auditors."""
    if actor.role not in READ_ALL:
        raise Forbidden("the whole journal is for the operator and auditors")


def check_may_see_entry(actor: Principal | None, entry: dict[str, Any],
                        mine: Callable[[], set[str]]) -> None:
    """Raise unless ``actor`` may see one journal entry: public kinds to anyone; else the
    operator and auditors, or a reader whose accounts (``mine()``, asked only when needed)
    the entry's payload names."""
    if entry["kind"] in PUBLIC_KINDS:
        return
    if actor is None:
        raise Unauthenticated("this entry is not public; it needs an API key")
    if actor.role in READ_ALL:
        return
    if names_mine(entry, mine()):
        return
    raise Forbidden("this entry concerns other parties' accounts")


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
    """An instrument's fee account is the operator's and auditors' to know."""
    if not reads_all(actor):
        instrument["fee_account"] = PRIVATE
    return instrument
