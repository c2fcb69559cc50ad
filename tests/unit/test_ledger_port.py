"""The ledger port: what a context book may ask of the ledger, on the pure book."""

from __future__ import annotations

from typing import Any

import pytest

from qingshan.errors import (
    AccountNotOpen,
    Forbidden,
    InsufficientFunds,
    InsufficientUnits,
    UnknownAccount,
    WrongAccountType,
)
from qingshan.ledger.domain.commands import CancelUnits, PlaceHold, SetAccountStatus
from qingshan.ledger.domain.effects import Effects
from qingshan.ledger.domain.invariants import check_invariants
from qingshan.ledger.domain.model import (
    AccountStatus,
    AccountType,
    HoldKind,
    HoldStatus,
)
from qingshan.ledger.domain.port import LedgerPort
from tests.support.book import (
    ALICE,
    ALICE2,
    ALICE_KEY,
    ALICE_P,
    BOB,
    BOB_P,
    CANCELLATION,
    COURT_P,
    Book,
    fund,
    issue,
    make_book,
)


@pytest.fixture
def book() -> Book:
    b = make_book()
    b.run(issue(ALICE, 100))
    b.run(fund(BOB, 10_000))
    return b


def cancel(account: str, quantity: int) -> CancelUnits:
    return CancelUnits(asset="CQCER", account=account, quantity=quantity, reason="loss",
                       destination="", reference="LE000001")


def port(book: Book) -> LedgerPort:
    return book.state


def test_accounts_of_lists_a_partys_accounts_in_id_order(book: Book) -> None:
    assert [a.id for a in port(book).accounts_of(ALICE_P)] == [ALICE, ALICE2]
    assert [a.id for a in port(book).accounts_of(BOB_P)] == [BOB]
    assert port(book).accounts_of("P999999") == []


def test_accounts_with_status_lists_only_accounts_in_that_status(book: Book) -> None:
    assert port(book).accounts_with_status(AccountStatus.FROZEN) == []
    book.run(SetAccountStatus(account=BOB, status=AccountStatus.FROZEN, reason="test"))
    assert [a.id for a in port(book).accounts_with_status(AccountStatus.FROZEN)] == [BOB]


def test_place_order_hold_locks_units_and_settle_hold_delivers_them(book: Book) -> None:
    effects = Effects({})
    hid = port(book).place_order_hold(ALICE, "CQCER", 30, "sell order", effects)
    assert book.state.holds[hid].kind is HoldKind.MARKET_ORDER
    assert port(book).held_quantity(ALICE, "CQCER") == 30
    assert port(book).active_quantity(ALICE, "CQCER") == 70
    port(book).settle_hold(hid, BOB, 10, effects)
    assert port(book).held_quantity(ALICE, "CQCER") == 20
    assert port(book).active_quantity(BOB, "CQCER") == 10
    port(book).release_hold(hid, effects)
    assert book.state.holds[hid].status is HoldStatus.RELEASED
    assert port(book).held_quantity(ALICE, "CQCER") == 0
    assert port(book).active_quantity(ALICE, "CQCER") == 90
    assert check_invariants(book.state) == []


def test_place_order_hold_fails_without_the_funds_and_changes_nothing(book: Book) -> None:
    mark = book.state.mark()
    with pytest.raises(InsufficientFunds):
        port(book).place_order_hold(BOB, "CNY", 10_001, "buy order", Effects({}))
    assert book.state.mark() == mark
    assert port(book).held_quantity(BOB, "CNY") == 0


def test_check_can_hold_refuses_more_units_than_the_account_has(book: Book) -> None:
    port(book).check_can_hold(ALICE, "CQCER", 100)
    with pytest.raises(InsufficientUnits):
        port(book).check_can_hold(ALICE, "CQCER", 101)
    with pytest.raises(InsufficientUnits):
        port(book).check_can_hold(ALICE, "CQCER", 1, vintages=(2024, 2025))
    with pytest.raises(InsufficientFunds):
        port(book).check_can_hold(BOB, "CNY", 10_001)


def test_settle_hold_refuses_a_hold_placed_by_a_command(book: Book) -> None:
    placed = book.run(PlaceHold(hold_kind=HoldKind.ESCROW, asset="CQCER", account=ALICE, quantity=5,
                               controller=None, reference=""), ALICE_KEY)
    with pytest.raises(Forbidden):
        port(book).settle_hold(placed.result["hold"], BOB, 5, Effects({}))


def test_deliver_units_and_pay_refuse_a_frozen_source(book: Book) -> None:
    book.run(SetAccountStatus(account=ALICE, status=AccountStatus.FROZEN, reason="test"))
    book.run(SetAccountStatus(account=BOB, status=AccountStatus.FROZEN, reason="test"))
    with pytest.raises(AccountNotOpen):
        port(book).deliver_units(ALICE, ALICE2, "CQCER", 1, None, Effects({}))
    with pytest.raises(AccountNotOpen):
        port(book).pay(BOB, ALICE, "CNY", 1, Effects({}))


def test_issue_units_issues_as_the_platform(book: Book) -> None:
    effects = port(book).issue_units(issue(ALICE2, 7), 42)
    assert effects.result["blocks"] == [[ALICE2, 101, 107]]
    assert port(book).active_quantity(ALICE2, "CQCER") == 7


def test_check_cancel_units_raises_what_cancel_units_would(book: Book) -> None:
    too_many = cancel(ALICE, 101)
    with pytest.raises(InsufficientUnits):
        port(book).check_cancel_units(too_many)
    with pytest.raises(InsufficientUnits):
        port(book).cancel_units(too_many, 9)
    with pytest.raises(UnknownAccount):
        port(book).check_cancel_units(cancel("A09999999", 1))
    ok = cancel(ALICE, 40)
    port(book).check_cancel_units(ok)
    effects = port(book).cancel_units(ok, 9)
    assert effects.result["cancellation_account"] == CANCELLATION
    assert port(book).active_quantity(ALICE, "CQCER") == 60


def test_platform_account_is_the_operators_own_of_that_type(book: Book) -> None:
    assert port(book).platform_account(None, AccountType.CANCELLATION).id == CANCELLATION
    with pytest.raises(WrongAccountType):
        port(book).platform_account(None, AccountType.BUFFER)
    assert port(book).party(COURT_P).name == "court"


def test_a_status_watcher_hears_a_freeze_in_its_own_entry(book: Book) -> None:
    heard: list[tuple[str, AccountStatus]] = []

    def watcher(account: str, status: AccountStatus, effects: Effects) -> dict[str, Any]:
        heard.append((account, status))
        return {"heard": True}

    port(book).watch_account_status("test", watcher)
    effects = book.run(SetAccountStatus(account=BOB, status=AccountStatus.FROZEN, reason="test"))
    assert heard == [(BOB, AccountStatus.FROZEN)]
    assert effects.result["heard"] is True
