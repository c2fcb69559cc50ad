"""The access policy: who may act on and read what, as pure functions of values."""

from __future__ import annotations

from typing import Any

import pytest

from qingshan.errors import Forbidden, NotAccountOwner, Unauthenticated
from qingshan.ledger.domain import policy
from qingshan.ledger.domain.model import SYSTEM, Hold, HoldKind, HoldStatus, Principal, Role

OPERATOR = Principal("k-op", Role.OPERATOR, "P000001")
AUDITOR = Principal("k-aud", Role.AUDITOR, "P000009")
ALICE = Principal("k-alice", Role.MEMBER, "P000002")
BOB = Principal("k-bob", Role.MEMBER, "P000003")
BANK = Principal("k-bank", Role.BANK, "P000005")
COURT = Principal("k-court", Role.COURT, "P000004")


def hold(kind: HoldKind, controller: str | None) -> Hold:
    return Hold("H00000001", kind, "A00000004", "CQCER", 10, HoldStatus.ACTIVE, controller, "")


def test_the_operator_and_the_platform_act_for_every_party() -> None:
    for actor in (OPERATOR, SYSTEM):
        assert policy.is_admin(actor)
        assert policy.acts_for(actor, "P000002")
        policy.check_admin(actor)
        policy.check_owner(actor, "A00000004", "P000002")


def test_a_member_acts_only_for_its_own_party() -> None:
    assert policy.acts_for(ALICE, "P000002")
    assert not policy.acts_for(ALICE, "P000003")
    with pytest.raises(NotAccountOwner):
        policy.check_owner(ALICE, "A00000005", "P000003")


def test_another_role_may_not_act_on_an_account_even_of_its_party() -> None:
    with pytest.raises(Forbidden, match="role auditor may not move units"):
        policy.check_owner(AUDITOR, "A00000009", "P000009")
    with pytest.raises(Forbidden, match="role bank does not trade"):
        policy.check_owner(BANK, "A00000010", "P000005", doing="does not trade")


def test_only_the_operator_passes_the_admin_rule() -> None:
    for actor in (AUDITOR, ALICE, BANK, COURT):
        with pytest.raises(Forbidden, match="only the operator lists"):
            policy.check_admin(actor, "only the operator lists instruments")


def test_a_pledge_is_resolved_by_its_bank_or_the_operator_only() -> None:
    pledge = hold(HoldKind.PLEDGE, BANK.party_id)
    policy.check_resolves(BANK, pledge)
    policy.check_resolves(OPERATOR, pledge)
    for actor in (ALICE, COURT, Principal("k-other-bank", Role.BANK, "P000006"),
                  Principal("k-bank-member", Role.MEMBER, BANK.party_id)):
        with pytest.raises(Forbidden):
            policy.check_resolves(actor, pledge)


def test_no_command_resolves_a_market_orders_hold_not_even_the_operators() -> None:
    with pytest.raises(Forbidden, match="cancel the order"):
        policy.check_resolves(OPERATOR, hold(HoldKind.MARKET_ORDER, None))


def test_only_a_court_or_the_operator_places_a_judicial_freeze() -> None:
    policy.check_may_place_kind(COURT, HoldKind.JUDICIAL_FREEZE)
    policy.check_may_place_kind(OPERATOR, HoldKind.JUDICIAL_FREEZE)
    with pytest.raises(Forbidden):
        policy.check_may_place_kind(ALICE, HoldKind.JUDICIAL_FREEZE)
    with pytest.raises(Forbidden):
        policy.check_may_place_kind(OPERATOR, HoldKind.MARKET_ORDER)


def test_an_account_is_read_by_its_party_the_operator_and_auditors() -> None:
    for actor in (ALICE, OPERATOR, AUDITOR):
        policy.check_may_read_account(actor, "P000002", "A00000004")
    with pytest.raises(NotAccountOwner):
        policy.check_may_read_account(BOB, "P000002", "A00000004")
    with pytest.raises(Unauthenticated):
        policy.check_may_read_account(None, "P000002", "A00000004")
    with pytest.raises(NotAccountOwner):
        policy.check_may_read_party(BOB, "P000002")
    policy.check_may_read_party(AUDITOR, "P000002")


def test_the_whole_journal_is_for_the_operator_and_auditors() -> None:
    policy.check_may_read_journal(AUDITOR)
    with pytest.raises(Forbidden):
        policy.check_may_read_journal(ALICE)


def test_a_public_entry_is_seen_by_anyone_without_asking_for_accounts() -> None:
    def never() -> set[str]:
        raise AssertionError("a public entry needs no accounts")

    entry: dict[str, Any] = {"kind": "retire_units", "payload": {"account": "A00000005"}}
    policy.check_may_see_entry(None, entry, never)
    policy.check_may_see_entry(ALICE, entry, never)


def test_a_private_entry_is_seen_only_by_a_party_it_names() -> None:
    entry: dict[str, Any] = {"kind": "transfer",
                             "payload": {"source": "A00000005", "destination": "A00000006"}}
    policy.check_may_see_entry(BOB, entry, lambda: {"A00000005"})
    policy.check_may_see_entry(AUDITOR, entry, set)
    with pytest.raises(Forbidden):
        policy.check_may_see_entry(ALICE, entry, lambda: {"A00000004"})
    with pytest.raises(Unauthenticated):
        policy.check_may_see_entry(None, entry, set)


def test_another_partys_account_reads_private_at_any_depth() -> None:
    value = {"a": ["A00000004", {"b": "A00000005"}], "c": "not an account"}
    assert policy.mask_everywhere(value, {"A00000004"}) == {
        "a": ["A00000004", {"b": "private"}], "c": "not an account"}
