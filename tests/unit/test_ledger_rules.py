"""The ledger's rules, one test each, on the pure book (no database)."""

from __future__ import annotations

import copy

import pytest

from qingshan.errors import (
    AccountNotEmpty,
    AccountNotOpen,
    AlreadyExists,
    AssetMismatch,
    Forbidden,
    HoldNotActive,
    InsufficientFunds,
    InsufficientUnits,
    InvalidInput,
    InvalidQuantity,
    MalformedIdentifier,
    NotAccountOwner,
    SerialOverlap,
    SerialsNotAvailable,
    UnknownAccount,
    WrongAccountType,
)
from qingshan.ledger.domain.commands import (
    CancelUnits,
    EnforceHold,
    PlaceHold,
    ReleaseHold,
    RetireUnits,
    SetAccountStatus,
    Transfer,
    command_from_payload,
)
from qingshan.ledger.domain.invariants import check_invariants, supply_by_state
from qingshan.ledger.domain.model import (
    SYSTEM,
    AccountStatus,
    BlockState,
    HoldKind,
    Principal,
    RetirementPurpose,
    Role,
    SerialRange,
)
from qingshan.ledger.domain.state import Effects
from tests.support.book import (
    ALICE,
    ALICE2,
    ALICE_KEY,
    ALICE_P,
    BOB,
    BOB_KEY,
    BOB_P,
    CANCELLATION,
    COURT_KEY,
    COURT_MEMBER,
    COURT_P,
    RETIREMENT,
    TREASURY,
    Book,
    add_bank,
    fund,
    issue,
    make_book,
)


def snapshot(book: Book) -> dict[str, object]:
    s = book.state
    return copy.deepcopy({"blocks": s.blocks, "balances": s.balances, "held": s.held_funds,
                          "holds": s.holds, "accounts": s.accounts, "counters": s.counters,
                          "retirements": s.retirements, "serial": s.next_serial})


def units(book: Book, account: str) -> list[tuple[int, int]]:
    return sorted((b.start, b.end) for b in book.state.active_blocks(account, "CQCER"))


def retire(account: str, qty: int, ranges: tuple[SerialRange, ...] | None = None) -> RetireUnits:
    return RetireUnits(asset="CQCER", account=account, quantity=qty,
                       purpose=RetirementPurpose.CARBON_NEUTRALITY, beneficiary="someone",
                       reason="", reference="", ranges=ranges)


def test_issue_gives_contiguous_serials_across_issuances() -> None:
    book = make_book()
    r1 = book.run(issue(ALICE, 100)).result
    r2 = book.run(issue(BOB, 50)).result
    assert r1["serials"] == [1, 100]
    assert r2["serials"] == [101, 150]
    assert supply_by_state(book.state, "CQCER")["issued"] == 150
    assert check_invariants(book.state) == []


def test_transfer_by_quantity_takes_oldest_vintage_first() -> None:
    book = make_book()
    book.run(issue(ALICE, 100, vintage=2023))
    book.run(issue(ALICE, 100, vintage=2021))
    moved = book.run(Transfer("CQCER", ALICE, BOB, 130), ALICE_KEY).result["ranges"]
    assert moved == [[101, 200], [1, 30]]
    assert units(book, ALICE) == [(31, 100)]
    assert check_invariants(book.state) == []


def test_transfer_by_ranges_splits_blocks_in_three() -> None:
    book = make_book()
    book.run(issue(ALICE, 100))
    book.run(Transfer("CQCER", ALICE, BOB, 11, (SerialRange(40, 50),)), ALICE_KEY)
    assert units(book, ALICE) == [(1, 39), (51, 100)]
    assert units(book, BOB) == [(40, 50)]
    assert check_invariants(book.state) == []


def test_transfer_fails_when_units_insufficient_and_changes_nothing() -> None:
    book = make_book()
    book.run(issue(ALICE, 10))
    before = snapshot(book)
    with pytest.raises(InsufficientUnits) as exc:
        book.run(Transfer("CQCER", ALICE, BOB, 11), ALICE_KEY)
    assert exc.value.data["available"] == 10
    assert snapshot(book) == before


def test_transfer_of_serials_held_elsewhere_is_refused() -> None:
    book = make_book()
    book.run(issue(ALICE, 10))
    book.run(issue(BOB, 10))
    before = snapshot(book)
    with pytest.raises(SerialsNotAvailable):
        book.run(Transfer("CQCER", ALICE, BOB, 4, (SerialRange(8, 11),)), ALICE_KEY)
    with pytest.raises(SerialsNotAvailable):
        book.run(Transfer("CQCER", ALICE, BOB, 5, (SerialRange(100, 104),)), ALICE_KEY)
    assert snapshot(book) == before


def test_member_cannot_move_another_partys_units() -> None:
    book = make_book()
    book.run(issue(ALICE, 10))
    before = snapshot(book)
    with pytest.raises(NotAccountOwner):
        book.run(Transfer("CQCER", ALICE, BOB, 1), BOB_KEY)
    with pytest.raises(NotAccountOwner):
        book.run(retire(ALICE, 1), BOB_KEY)
    with pytest.raises(NotAccountOwner):
        book.run(PlaceHold(hold_kind=HoldKind.PLEDGE, asset="CQCER", account=ALICE, quantity=1,
                           controller=None, reference=""), BOB_KEY)
    with pytest.raises(Forbidden):
        book.run(issue(BOB, 10), BOB_KEY)
    assert snapshot(book) == before


def test_member_moves_between_its_own_accounts() -> None:
    book = make_book()
    book.run(issue(ALICE, 10))
    book.run(Transfer("CQCER", ALICE, ALICE2, 4), ALICE_KEY)
    assert units(book, ALICE2) == [(1, 4)]


def test_retire_fails_when_units_held() -> None:
    book = make_book()
    book.run(issue(ALICE, 10))
    book.run(PlaceHold(hold_kind=HoldKind.ESCROW, asset="CQCER", account=ALICE, quantity=10,
                       controller=None, reference="escrow 1"), ALICE_KEY)
    with pytest.raises(InsufficientUnits):
        book.run(retire(ALICE, 1), ALICE_KEY)
    with pytest.raises(SerialsNotAvailable):
        book.run(retire(ALICE, 1, (SerialRange(3, 3),)), ALICE_KEY)


def test_retired_units_never_move_again() -> None:
    book = make_book()
    book.run(issue(ALICE, 10))
    r = book.run(retire(ALICE, 4), ALICE_KEY).result
    assert r["ranges"] == [[1, 4]] and r["retirement_account"] == RETIREMENT
    for cmd in (Transfer("CQCER", RETIREMENT, BOB, 1, (SerialRange(1, 1),)),
                retire(RETIREMENT, 1, (SerialRange(2, 2),)),
                CancelUnits(asset="CQCER", account=RETIREMENT, quantity=1, reason="x",
                            destination="", reference="", ranges=(SerialRange(3, 3),))):
        with pytest.raises((SerialsNotAvailable, AccountNotOpen, WrongAccountType)):
            book.run(cmd)
    with pytest.raises(SerialsNotAvailable):
        book.run(Transfer("CQCER", ALICE, BOB, 1, (SerialRange(1, 1),)), ALICE_KEY)
    assert all(book.state.block_at("CQCER", n).state is BlockState.RETIRED  # type: ignore[union-attr]
               for n in range(1, 5))


def test_cancel_records_destination_and_units_leave_supply() -> None:
    book = make_book()
    book.run(issue(ALICE, 10))
    r = book.run(CancelUnits(asset="CQCER", account=ALICE, quantity=3, reason="moved to CCER",
                             destination="CCER", reference="ref"),
                 ALICE_KEY).result
    assert r["cancellation_account"] == CANCELLATION and r["destination"] == "CCER"
    s = supply_by_state(book.state, "CQCER")
    assert (s["issued"], s["active"], s["cancelled"]) == (10, 7, 3)


def test_fungible_balance_never_negative_except_treasury() -> None:
    book = make_book()
    book.run(fund(ALICE, 500))
    assert book.state.balance(TREASURY, "CNY") == -500
    with pytest.raises(InsufficientFunds):
        book.run(Transfer("CNY", ALICE, BOB, 501), ALICE_KEY)
    book.run(Transfer("CNY", ALICE, BOB, 500), ALICE_KEY)
    assert book.state.balance(ALICE, "CNY") == 0
    assert check_invariants(book.state) == []


def test_held_funds_are_not_available() -> None:
    book = make_book()
    book.run(fund(ALICE, 1000))
    hid = book.run(PlaceHold(hold_kind=HoldKind.ESCROW, asset="CNY", account=ALICE, quantity=700,
                             controller=None, reference="", destination=BOB),
                   ALICE_KEY).result["hold"]
    with pytest.raises(InsufficientFunds):
        book.run(Transfer("CNY", ALICE, BOB, 301), ALICE_KEY)
    book.run(EnforceHold(hid, BOB, 200, "paid"))  # escrow: the operator resolves it
    assert book.state.balance(ALICE, "CNY") == 800
    assert book.state.available(ALICE, "CNY") == 800
    assert book.state.balance(BOB, "CNY") == 200
    assert check_invariants(book.state) == []


def test_hold_resolves_exactly_once() -> None:
    book = make_book()
    book.run(issue(ALICE, 10))
    bank, _, bank_key, _ = add_bank(book)
    hid = book.run(PlaceHold(hold_kind=HoldKind.PLEDGE, asset="CQCER", account=ALICE, quantity=6,
                             controller=bank, reference="loan"),
                   ALICE_KEY).result["hold"]
    assert units(book, ALICE) == [(7, 10)]
    book.run(ReleaseHold(hid, "repaid"), bank_key)  # the controller (the bank) releases it
    assert units(book, ALICE) == [(1, 10)]  # and the block is whole again
    with pytest.raises(HoldNotActive):
        book.run(ReleaseHold(hid, "again"))
    with pytest.raises(HoldNotActive):
        book.run(EnforceHold(hid, BOB, None, "late"))


def test_units_coming_back_merge_with_their_neighbours() -> None:
    book = make_book()
    book.run(issue(ALICE, 100))
    book.run(Transfer("CQCER", ALICE, BOB, 10, (SerialRange(41, 50),)), ALICE_KEY)
    assert units(book, ALICE) == [(1, 40), (51, 100)]
    book.run(Transfer("CQCER", BOB, ALICE, 10), BOB_KEY)
    assert units(book, ALICE) == [(1, 100)]
    assert len(book.state.blocks) == 1
    # blocks of different issuances never merge, even when their serials touch
    book.run(issue(ALICE, 5))
    assert units(book, ALICE) == [(1, 100), (101, 105)]
    assert check_invariants(book.state) == []


def test_partial_enforcement_releases_the_rest() -> None:
    book = make_book()
    book.run(issue(ALICE, 10))
    hid = book.run(PlaceHold(hold_kind=HoldKind.JUDICIAL_FREEZE, asset="CQCER", account=ALICE,
                             quantity=8, controller=None, reference="(2023)渝01",
                             destination=BOB), COURT_KEY).result["hold"]
    r = book.run(EnforceHold(hid, BOB, 5, "judgment"), COURT_KEY).result
    assert r["ranges"] == [[1, 5]] and r["released_ranges"] == [[6, 8]]
    assert units(book, BOB) == [(1, 5)]
    assert check_invariants(book.state) == []


def test_only_court_or_operator_places_judicial_freeze() -> None:
    book = make_book()
    book.run(issue(ALICE, 10))
    with pytest.raises(Forbidden):
        book.run(PlaceHold(hold_kind=HoldKind.JUDICIAL_FREEZE, asset="CQCER", account=ALICE,
                           quantity=1, controller=None, reference=""), BOB_KEY)


def test_hold_controller_other_than_placer_cannot_be_bypassed() -> None:
    book = make_book()
    book.run(issue(ALICE, 10))
    hid = book.run(PlaceHold(hold_kind=HoldKind.JUDICIAL_FREEZE, asset="CQCER", account=ALICE,
                             quantity=5, controller=None, reference="case"),
                   COURT_KEY).result["hold"]
    with pytest.raises(Forbidden):
        book.run(ReleaseHold(hid, "I want them back"), ALICE_KEY)


def test_frozen_account_cannot_send_and_closed_cannot_receive() -> None:
    book = make_book()
    book.run(issue(ALICE, 10))
    book.run(SetAccountStatus(ALICE, AccountStatus.FROZEN, "investigation"))
    with pytest.raises(AccountNotOpen):
        book.run(Transfer("CQCER", ALICE, BOB, 1), ALICE_KEY)
    book.run(SetAccountStatus(ALICE, AccountStatus.OPEN, "cleared"))
    book.run(SetAccountStatus(ALICE2, AccountStatus.CLOSED, "not needed"))
    with pytest.raises(AccountNotOpen):
        book.run(Transfer("CQCER", ALICE, ALICE2, 1), ALICE_KEY)


def test_close_requires_empty_account() -> None:
    book = make_book()
    book.run(issue(ALICE, 10))
    with pytest.raises(AccountNotEmpty):
        book.run(SetAccountStatus(ALICE, AccountStatus.CLOSED, "bye"))


def test_units_cannot_be_sent_to_a_retirement_account_by_transfer() -> None:
    book = make_book()
    book.run(issue(ALICE, 10))
    with pytest.raises(WrongAccountType):
        book.run(Transfer("CQCER", ALICE, RETIREMENT, 1), ALICE_KEY)


def test_unknown_account_is_refused() -> None:
    book = make_book()
    with pytest.raises(UnknownAccount):
        book.run(Transfer("CQCER", "A00009999", BOB, 1))


def test_serial_ranges_on_fungible_asset_are_refused() -> None:
    book = make_book()
    book.run(fund(ALICE, 10))
    with pytest.raises(AssetMismatch):
        book.run(Transfer("CNY", ALICE, BOB, 1, (SerialRange(1, 1),)), ALICE_KEY)


def test_party_identifier_is_unique() -> None:
    book = make_book()
    cmd = command_from_payload("register_party", {"party_kind": "district", "name": "渝中区",
                                                  "identifier": "500103"})
    book.run(cmd)
    with pytest.raises(AlreadyExists):
        book.run(cmd)


@pytest.mark.parametrize(("kind", "payload", "error"), [
    ("transfer", {"asset": "CQCER", "source": "A1", "destination": "A00000005",
                  "quantity": 1}, MalformedIdentifier),
    ("transfer", {"asset": "CQCER", "source": "A00000004", "destination": "A00000005",
                  "quantity": 0}, InvalidQuantity),
    ("transfer", {"asset": "CQCER", "source": "A00000004", "destination": "A00000005",
                  "quantity": 1.5}, InvalidQuantity),
    ("transfer", {"asset": "CQCER", "source": "A00000004", "destination": "A00000005",
                  "quantity": True}, InvalidQuantity),
    ("transfer", {"asset": "CQCER", "source": "A00000004", "destination": "A00000005",
                  "ranges": [[1, 5], [5, 9]]}, SerialOverlap),
    ("transfer", {"asset": "CQCER", "source": "A00000004", "destination": "A00000005",
                  "ranges": [[5, 1]]}, InvalidQuantity),
    ("transfer", {"asset": "CQCER", "source": "A00000004", "destination": "A00000004",
                  "quantity": 1}, InvalidInput),
    ("transfer", {"asset": "cqcer", "source": "A00000004", "destination": "A00000005",
                  "quantity": 1}, InvalidInput),
    ("retire_units", {"asset": "CQCER", "account": "A00000004", "quantity": 1,
                      "purpose": "fun", "beneficiary": "x"}, InvalidInput),
    ("register_party", {"party_kind": "enterprise", "name": "x",
                        "identifier": "91500000MA5U7XXXXX"}, MalformedIdentifier),
    ("nonsense", {}, InvalidInput),
])
def test_malformed_commands_are_refused_with_a_code(kind: str, payload: dict[str, object],
                                                    error: type[Exception]) -> None:
    with pytest.raises(error):
        command_from_payload(kind, payload)


def test_rollback_restores_the_book_exactly() -> None:
    book = make_book()
    book.run(issue(ALICE, 100))
    book.run(fund(ALICE, 1000))
    before = snapshot(book)
    mark = book.state.mark()
    book.state.apply(Transfer("CQCER", ALICE, BOB, 30, (SerialRange(10, 39),)), ALICE_KEY)
    book.state.apply(PlaceHold(hold_kind=HoldKind.ESCROW, asset="CNY", account=ALICE, quantity=400,
                               controller=None, reference=""), ALICE_KEY)
    book.state.apply(retire(ALICE, 50), ALICE_KEY)
    book.state.apply(issue(BOB, 5), SYSTEM)
    book.state.rollback_to(mark)
    assert snapshot(book) == before
    assert units(book, ALICE) == [(1, 100)]
    assert check_invariants(book.state) == []


def test_partial_enforcement_can_keep_the_rest_held() -> None:
    book = make_book()
    book.run(issue(ALICE, 10))
    book.run(fund(BOB, 1000))
    # (escrow, which the operator resolves: an order's hold goes only with its order)
    units_hold = book.run(PlaceHold(hold_kind=HoldKind.ESCROW, asset="CQCER", account=ALICE,
                                    quantity=6, controller=None, reference="sell",
                                    destination=BOB), ALICE_KEY).result["hold"]
    cash_hold = book.run(PlaceHold(hold_kind=HoldKind.ESCROW, asset="CNY", account=BOB,
                                   quantity=600, controller=None, reference="buy",
                                   destination=ALICE), BOB_KEY).result["hold"]
    r = book.run(EnforceHold(units_hold, BOB, 2, "fill 1", keep_rest=True)).result
    assert r == {"hold": units_hold, "enforced": 2, "remaining": 4, "ranges": [[1, 2]]}
    book.run(EnforceHold(cash_hold, ALICE, 200, "fill 1", keep_rest=True))
    assert book.state.holds[units_hold].status.value == "active"
    assert book.state.available(BOB, "CNY") == 400 and book.state.balance(BOB, "CNY") == 800
    assert check_invariants(book.state) == []
    book.run(EnforceHold(units_hold, BOB, 4, "fill 2", keep_rest=True))
    assert book.state.holds[units_hold].status.value == "enforced"
    book.run(ReleaseHold(cash_hold, "order done"))
    assert book.state.available(BOB, "CNY") == 800
    assert units(book, BOB) == [(1, 6)]
    assert check_invariants(book.state) == []


def test_within_a_vintage_the_largest_block_goes_first() -> None:
    book = make_book()
    book.run(issue(ALICE, 10, vintage=2022))  # serials 1-10
    book.run(issue(ALICE, 100, vintage=2022))  # serials 11-110
    book.run(issue(ALICE, 5, vintage=2021))  # serials 111-115: older, so first of all
    moved = book.run(Transfer("CQCER", ALICE, BOB, 30), ALICE_KEY).result["ranges"]
    assert moved == [[111, 115], [11, 35]]  # one piece of the big 2022 block, not two


# ------------------------------------------------------------------ holds: who, where, frozen
def test_a_frozen_account_gives_nothing_up_through_a_hold_its_own_party_controls() -> None:
    """The fault: a member escrowed its own units under its own control, the operator froze
    the account, and the member then enforced the hold into another account."""
    book = make_book()
    book.run(issue(ALICE, 10))
    hid = book.run(PlaceHold(hold_kind=HoldKind.ESCROW, asset="CQCER", account=ALICE, quantity=6,
                             controller=None, reference="my escrow"),
                   ALICE_KEY).result["hold"]
    assert book.state.holds[hid].controller == ALICE_P
    book.run(SetAccountStatus(ALICE, AccountStatus.FROZEN, "investigation"))
    before = snapshot(book)
    for actor, destination in ((ALICE_KEY, BOB), (ALICE_KEY, ALICE2), (SYSTEM, ALICE2)):
        with pytest.raises((Forbidden, AccountNotOpen)):
            book.run(EnforceHold(hid, destination, None, "move it out"), actor)
    assert snapshot(book) == before
    book.run(ReleaseHold(hid, "lifted"))  # a release leaves the units where they are
    assert units(book, ALICE) == [(1, 10)]
    assert check_invariants(book.state) == []


def test_a_pledge_is_held_for_a_bank() -> None:
    book = make_book()
    book.run(issue(ALICE, 10))
    bank, _, _, _ = add_bank(book)
    before = snapshot(book)
    for controller in (None, ALICE_P, BOB_P, COURT_P):  # itself, a person, a court: no
        with pytest.raises(InvalidInput) as refused:
            book.run(PlaceHold(hold_kind=HoldKind.PLEDGE, asset="CQCER", account=ALICE, quantity=5,
                               controller=controller, reference="loan"),
                     ALICE_KEY)
        assert refused.value.data["field"] == "controller"
    assert snapshot(book) == before
    book.run(PlaceHold(hold_kind=HoldKind.PLEDGE, asset="CQCER", account=ALICE, quantity=5,
                       controller=bank, reference="loan"), ALICE_KEY)


def test_only_the_bank_role_of_the_controlling_bank_resolves_a_pledge() -> None:
    """The fault: a member key of the bank's party released the bank's pledge."""
    book = make_book()
    book.run(issue(ALICE, 10))
    bank, _, bank_key, bank_member = add_bank(book)
    _, _, other_bank, _ = add_bank(book, "other bank")
    hid = book.run(PlaceHold(hold_kind=HoldKind.PLEDGE, asset="CQCER", account=ALICE, quantity=6,
                             controller=bank, reference="loan"),
                   ALICE_KEY).result["hold"]
    before = snapshot(book)
    for actor in (bank_member, other_bank, ALICE_KEY, COURT_KEY, BOB_KEY):
        with pytest.raises(Forbidden):
            book.run(ReleaseHold(hid, "repaid"), actor)
    assert snapshot(book) == before
    book.run(ReleaseHold(hid, "repaid"), bank_key)
    assert units(book, ALICE) == [(1, 10)]


def test_only_the_court_role_of_the_controlling_court_resolves_a_judicial_freeze() -> None:
    book = make_book()
    book.run(issue(ALICE, 10))
    hid = book.run(PlaceHold(hold_kind=HoldKind.JUDICIAL_FREEZE, asset="CQCER", account=ALICE,
                             quantity=6, controller=None, reference="(2024)渝01"),
                   COURT_KEY).result["hold"]
    assert book.state.holds[hid].controller == COURT_P
    other_court = Principal("k-court-2", Role.COURT, BOB_P)
    for actor in (COURT_MEMBER, other_court, ALICE_KEY):
        with pytest.raises(Forbidden):
            book.run(ReleaseHold(hid, "lifted"), actor)
    book.run(ReleaseHold(hid, "lifted"), COURT_KEY)


def test_a_court_freezes_only_for_itself() -> None:
    book = make_book()
    book.run(issue(ALICE, 10))
    with pytest.raises(InvalidInput):  # a court cannot place a freeze for another party
        book.run(PlaceHold(hold_kind=HoldKind.JUDICIAL_FREEZE, asset="CQCER", account=ALICE,
                           quantity=1, controller=BOB_P, reference="case"),
                 COURT_KEY)
    with pytest.raises(InvalidInput):  # nor the operator one controlled by a non-court
        book.run(PlaceHold(hold_kind=HoldKind.JUDICIAL_FREEZE, asset="CQCER", account=ALICE,
                           quantity=1, controller=BOB_P, reference="case"))
    book.run(PlaceHold(hold_kind=HoldKind.JUDICIAL_FREEZE, asset="CQCER", account=ALICE, quantity=1,
                       controller=COURT_P, reference="case"))


def test_escrow_is_resolved_by_the_operator_only() -> None:
    book = make_book()
    book.run(fund(ALICE, 1000))
    hid = book.run(PlaceHold(hold_kind=HoldKind.ESCROW, asset="CNY", account=ALICE, quantity=700,
                             controller=None, reference="deposit",
                             destination=BOB), ALICE_KEY).result["hold"]
    for actor in (ALICE_KEY, BOB_KEY, COURT_KEY):
        with pytest.raises(Forbidden):
            book.run(EnforceHold(hid, BOB, None, "paid"), actor)
        with pytest.raises(Forbidden):
            book.run(ReleaseHold(hid, "back"), actor)
    book.run(EnforceHold(hid, BOB, 200, "paid"))
    assert book.state.balance(BOB, "CNY") == 200


def test_a_bank_enforces_a_pledge_only_into_its_own_or_the_named_account() -> None:
    """The fault: a bank enforced a pledge into any third party's account."""
    book = make_book()
    book.run(issue(ALICE, 20))
    bank, bank_account, bank_key, _ = add_bank(book)
    hid = book.run(PlaceHold(hold_kind=HoldKind.PLEDGE, asset="CQCER", account=ALICE, quantity=5,
                             controller=bank, reference="loan 1"),
                   ALICE_KEY).result["hold"]
    before = snapshot(book)
    for destination in (BOB, ALICE2):
        with pytest.raises(Forbidden) as refused:
            book.run(EnforceHold(hid, destination, None, "default"), bank_key)
        assert refused.value.data["destination"] == destination
    with pytest.raises(Forbidden):  # the operator follows the same rule
        book.run(EnforceHold(hid, BOB, None, "default"))
    assert snapshot(book) == before
    book.run(EnforceHold(hid, bank_account, None, "default"), bank_key)
    assert units(book, bank_account) == [(1, 5)]
    # a pledge that names where it goes (e.g. a buyer the loan agreement names) goes there
    named = book.run(PlaceHold(hold_kind=HoldKind.PLEDGE, asset="CQCER", account=ALICE, quantity=5,
                               controller=bank, reference="loan 2",
                               destination=BOB), ALICE_KEY).result["hold"]
    assert book.state.holds[named].destination == BOB
    with pytest.raises(Forbidden):
        book.run(EnforceHold(named, ALICE2, None, "default"), bank_key)
    book.run(EnforceHold(named, BOB, None, "default"), bank_key)
    assert units(book, BOB) == [(6, 10)]
    assert check_invariants(book.state) == []


def test_a_court_enforces_a_freeze_out_of_a_frozen_account_into_its_destination() -> None:
    book = make_book()
    book.run(issue(ALICE, 20))
    bank, bank_account, bank_key, _ = add_bank(book)
    pledge = book.run(PlaceHold(hold_kind=HoldKind.PLEDGE, asset="CQCER", account=ALICE, quantity=5,
                                controller=bank, reference="loan"),
                      ALICE_KEY).result["hold"]
    freeze = book.run(PlaceHold(hold_kind=HoldKind.JUDICIAL_FREEZE, asset="CQCER", account=ALICE,
                                quantity=8, controller=None,
                                reference="(2024)渝0118民初1号", destination=BOB),
                                COURT_KEY).result["hold"]
    book.run(SetAccountStatus(ALICE, AccountStatus.FROZEN, "court order"))
    with pytest.raises(AccountNotOpen):  # the bank waits until the account is open again
        book.run(EnforceHold(pledge, bank_account, None, "default"), bank_key)
    with pytest.raises(Forbidden):
        book.run(EnforceHold(freeze, ALICE2, None, "judgment"), COURT_KEY)
    book.run(EnforceHold(freeze, BOB, None, "judgment"), COURT_KEY)
    assert units(book, BOB) == [(6, 13)]
    assert check_invariants(book.state) == []


def test_market_order_holds_are_the_markets_own() -> None:
    book = make_book()
    book.run(issue(ALICE, 10))
    for actor in (ALICE_KEY, SYSTEM):
        with pytest.raises(Forbidden):
            book.run(PlaceHold(hold_kind=HoldKind.MARKET_ORDER, asset="CQCER", account=ALICE,
                               quantity=5, controller=None, reference="sell"), actor)
    effects = Effects({})
    hid = book.state.hold_for(HoldKind.MARKET_ORDER, ALICE, "CQCER", 5, None, "sell", effects)
    book.state.forget_undo()
    for cmd in (ReleaseHold(hid, "x"), EnforceHold(hid, BOB, None, "x")):
        with pytest.raises(Forbidden):  # an order's hold goes with its order: cancel it
            book.run(cmd)


def test_the_market_settles_nothing_out_of_a_frozen_account() -> None:
    book = make_book()
    book.run(issue(ALICE, 10))
    book.run(fund(ALICE, 1000))
    effects = Effects({})
    hid = book.state.hold_for(HoldKind.MARKET_ORDER, ALICE, "CQCER", 5, None, "sell", effects)
    book.state.forget_undo()
    book.run(SetAccountStatus(ALICE, AccountStatus.FROZEN, "investigation"))
    before = snapshot(book)
    with pytest.raises(AccountNotOpen):
        book.state.settle_hold(hid, BOB, 5, Effects({}))
    with pytest.raises(AccountNotOpen):
        book.state.deliver_units(ALICE, BOB, "CQCER", 1, None, Effects({}))
    with pytest.raises(AccountNotOpen):
        book.state.pay(ALICE, BOB, "CNY", 1, Effects({}))
    assert snapshot(book) == before
