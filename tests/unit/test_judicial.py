"""Judicial offsetting (以碳代偿) in the pure books: a case from judgment to 执结 on the ledger
and the market, every refusal leaving nothing changed, and the conservation laws
(judicial/invariants.py) after every step."""

from __future__ import annotations

import copy

import pytest

from qingshan.errors import AlreadyExists, Forbidden, InvalidInput, NotAccountOwner
from qingshan.judicial.commands import (
    AcceptOffer,
    AmendCase,
    CloseCase,
    OfferToCase,
    PurchaseForCase,
    RecordPayment,
    RetireForCase,
)
from qingshan.judicial.errors import (
    AboveCap,
    CaseState,
    DuplicatePayment,
    MalformedCaseNumber,
    NotEnoughMoney,
    OfferNotOpen,
    WrongCreditKind,
)
from qingshan.judicial.model import Defendant, DefendantKind, canonical_case_number
from qingshan.ledger.domain.commands import IssueUnits
from qingshan.ledger.domain.model import RetirementPurpose, SerialRange
from tests.support.book import ALICE, ALICE_KEY, TREASURY
from tests.support.judicial import (
    COURT,
    ESCROW,
    OTHER_COURT,
    SUPERVISOR,
    TRADER_KEYS,
    TRADERS,
    Platform,
    a_case,
    make_platform,
    offer,
)


def buy(case: str, quantity: int, limit: int) -> PurchaseForCase:
    return PurchaseForCase(case=case, instrument="CQCER-ALL", quantity=quantity,
                           limit_price=limit)


def paid_case(p: Platform, **changes: object) -> str:
    cid = str(p.run(a_case(**changes), COURT)["case"])
    p.run(RecordPayment(case=cid, reference="CCB-2026-0001", amount=500_000,
                        payer="张三"), COURT)
    return cid


def test_a_case_runs_from_judgment_to_closure_over_two_market_days() -> None:
    p = make_platform()
    ledger = p.router.ledger
    cid = str(p.run(a_case(), COURT)["case"])
    assert p.judicial.cases[cid].status.value == "ordered"
    r = p.run(RecordPayment(case=cid, reference="CCB-2026-0001", amount=500_000,
                            payer="张三"), COURT)
    assert r["status"] == "paid" and ledger.balance(ESCROW, "CNY") == 500_000
    offer(p, 0, 3000, 60)
    day1 = p.run(buy(cid, 150, 3100), COURT)
    assert (day1["quantity"], day1["value"]) == (60, 180_000)
    assert day1["fee"] == 180_000 * 25 // 10_000
    p.next_day()
    offer(p, 1, 3050, 50)
    day2 = p.run(buy(cid, 90, 3100), COURT)
    assert (day2["quantity"], day2["value"]) == (50, 152_500)
    case = p.judicial.cases[cid]
    assert case.bought == 110 and ledger.active_quantity(case.account, "CQCER") == 110
    retired = p.run(RetireForCase(case=cid), COURT)
    assert retired["retired"] == 110 and retired["status"] == "retired"
    ret = ledger.retirements[retired["retirement"]]
    assert ret.purpose is RetirementPurpose.JUDICIAL_COMPENSATION
    assert ret.reference == "（2023）渝0102刑初123号" and ret.quantity == 110
    alice_before = ledger.balance(ALICE, "CNY")
    closed = p.run(CloseCase(case=cid), COURT)
    case = p.judicial.cases[cid]
    fees = day1["fee"] + day2["fee"]
    assert closed["refunded"] == 500_000 - 180_000 - 152_500 - fees
    assert ledger.balance(ALICE, "CNY") == alice_before + closed["refunded"]
    assert case.paid == case.spent + case.fees + case.refunded
    assert ledger.balance(ESCROW, "CNY") == 0 and case.status.value == "closed"
    assert p.problems() == []


def test_an_order_in_tonnes_is_purchased_once_its_tonnes_are_bought() -> None:
    p = make_platform()
    cid = paid_case(p, compensation_fen=None, tonnes=100)
    offer(p, 0, 3000, 200)
    with pytest.raises(InvalidInput):  # more than the order needs
        p.run(buy(cid, 110, 3100), COURT)
    assert p.run(buy(cid, 100, 3100), COURT)["status"] == "purchased"
    with pytest.raises(CaseState):
        p.run(buy(cid, 10, 3100), COURT)
    p.run(RetireForCase(case=cid), COURT)
    assert p.run(CloseCase(case=cid), COURT)["refunded"] == 500_000 - 300_000 - 750
    assert p.problems() == []


@pytest.mark.parametrize("who", [OTHER_COURT, ALICE_KEY, SUPERVISOR])
def test_only_the_court_of_a_case_and_the_operator_act_on_it(who: object) -> None:
    p = make_platform()
    cid = paid_case(p)
    offer(p, 0, 3000, 60)
    before = copy.deepcopy((p.judicial.snapshot(), p.router.ledger.balances))
    for cmd in (buy(cid, 10, 3100), RecordPayment(case=cid, reference="X-2", amount=1),
                RetireForCase(case=cid), CloseCase(case=cid),
                AmendCase(case=cid, deadline="2026-12-31", reason="x")):
        with pytest.raises(Forbidden):
            p.run(cmd, who)  # type: ignore[arg-type]
    with pytest.raises(Forbidden):  # nor enter a case for another court
        p.run(a_case(number="（2023）渝0102刑初124号"), OTHER_COURT)
    assert (p.judicial.snapshot(), p.router.ledger.balances) == before


def test_a_purchase_above_the_cap_or_of_the_wrong_kind_changes_nothing() -> None:
    p = make_platform(categories=("energy",))
    cid = paid_case(p, categories=["forestry"])
    before = copy.deepcopy((p.judicial.snapshot(), p.router.ledger.balances,
                            p.market.orders))
    with pytest.raises(AboveCap):
        p.run(buy(cid, 10, 3200), COURT)
    with pytest.raises(WrongCreditKind):
        p.run(buy(cid, 10, 3100), COURT)
    assert (p.judicial.snapshot(), p.router.ledger.balances, p.market.orders) == before


def test_a_purchase_the_cases_money_cannot_pay_changes_nothing() -> None:
    p = make_platform()
    cid = paid_case(p)
    offer(p, 0, 3000, 1000)
    before = copy.deepcopy((p.judicial.snapshot(), p.router.ledger.balances))
    with pytest.raises(NotEnoughMoney):
        p.run(buy(cid, 1000, 3000), COURT)
    assert (p.judicial.snapshot(), p.router.ledger.balances) == before


def test_a_case_limited_to_forestry_buys_forestry_credits() -> None:
    p = make_platform(categories=("forestry",))
    forestry = IssueUnits(asset="CQCER", project="CQ0009", vintage=2024,
                          monitoring_start="2024-01-01", monitoring_end="2024-12-31",
                          reference="", allocations=((TRADERS[1], 500),), category="forestry")
    p.run(forestry)
    cid = paid_case(p, categories=["forestry"])
    offer(p, 1, 3000, 100)
    assert p.run(buy(cid, 100, 3100), COURT)["quantity"] == 100
    account = p.judicial.cases[cid].account
    assert [b.issuance for b in p.router.ledger.blocks_of("CQCER") if b.account == account] \
        == [p.router.ledger.counters["issuance"]]
    assert p.problems() == []


def test_paying_twice_with_one_reference_counts_once() -> None:
    p = make_platform()
    cid = paid_case(p)
    other = str(p.run(a_case(number="（2024）渝02刑终7号"), COURT)["case"])
    balance = p.router.ledger.balance(ESCROW, "CNY")
    for case in (cid, other):
        with pytest.raises(DuplicatePayment):
            p.run(RecordPayment(case=case, reference="CCB-2026-0001", amount=500_000), COURT)
    assert p.router.ledger.balance(ESCROW, "CNY") == balance
    assert p.router.ledger.balance(TREASURY, "CNY") < 0  # (the money came from outside)
    assert p.problems() == []


def test_a_case_number_is_entered_once_per_court() -> None:
    p = make_platform()
    p.run(a_case(), COURT)
    with pytest.raises(AlreadyExists):
        p.run(a_case(number="(2023)渝0102刑初123号"), COURT)  # the same, in ASCII brackets


def test_steps_out_of_order_are_refused() -> None:
    p = make_platform()
    cid = str(p.run(a_case(), COURT)["case"])
    with pytest.raises(CaseState):  # nothing paid yet
        p.run(buy(cid, 10, 3100), COURT)
    with pytest.raises(CaseState):
        p.run(CloseCase(case=cid), COURT)
    p.run(RecordPayment(case=cid, reference="R-1", amount=500_000), COURT)
    with pytest.raises(InvalidInput):  # nothing bought to retire
        p.run(RetireForCase(case=cid), COURT)


def test_an_amendment_changes_the_order_and_keeps_its_reason() -> None:
    p = make_platform()
    cid = str(p.run(a_case(), COURT)["case"])
    p.run(RecordPayment(case=cid, reference="R-1", amount=300_000), COURT)
    assert p.judicial.cases[cid].status.value == "ordered"  # not all of it yet
    r = p.run(AmendCase(case=cid, compensation_fen=300_000, cap_price=3050,
                        reason="（2023）渝01刑终55号 reduced the compensation"), COURT)
    assert r["status"] == "paid" and r["changed"] == ["cap_price", "compensation_fen", "tonnes"]
    assert [e for e in p.judicial.events.values()][-1][3].startswith("（2023）渝01刑终55号")


def test_case_numbers_are_stored_in_one_canonical_form() -> None:
    assert canonical_case_number(" (2023)渝0102刑初123号 ") == "（2023）渝0102刑初123号"
    assert canonical_case_number("（2022）渝02民初1之一号") == "（2022）渝02民初1之一号"
    for bad in ("2023渝0102刑初123号", "（2023）渝0102刑初号", "（23）渝0102刑初1号", "abc"):
        with pytest.raises(MalformedCaseNumber):
            canonical_case_number(bad)


def test_the_public_sees_a_person_as_a_surname_and_an_organisation_whole() -> None:
    assert Defendant(name="张三", kind=DefendantKind.PERSON).public_name() == "张某"
    assert Defendant(name="重庆某林业有限公司",
                     kind=DefendantKind.ORGANISATION).public_name() == "重庆某林业有限公司"


def a_range(p: Platform, account: str, quantity: int, project: str) -> SerialRange:
    """The first ``quantity`` serials of ``project`` active in ``account``."""
    ledger = p.router.ledger
    for b in ledger.active_blocks(account, "CQCER"):
        if ledger.issuances[b.issuance].project == project and b.quantity >= quantity:
            return SerialRange(b.start, b.start + quantity - 1)
    raise AssertionError("no such block")


def test_a_case_naming_a_project_buys_its_credits_bilaterally() -> None:
    p = make_platform()
    p.run(IssueUnits(asset="CQCER", project="CQ0009", vintage=2024,
                     monitoring_start="2024-01-01", monitoring_end="2024-12-31", reference="",
                     allocations=((TRADERS[1], 500),)))
    cid = paid_case(p, project="CQ0009")
    with pytest.raises(WrongCreditKind):  # not on the market: from the project
        p.run(buy(cid, 10, 3000), COURT)
    seller = TRADER_KEYS[1]
    wrong = a_range(p, TRADERS[1], 10, "CQ0001")
    with pytest.raises(WrongCreditKind):
        p.run(OfferToCase(case=cid, account=TRADERS[1], ranges=(wrong,), price=3000), seller)
    right = a_range(p, TRADERS[1], 100, "CQ0009")
    with pytest.raises(AboveCap):
        p.run(OfferToCase(case=cid, account=TRADERS[1], ranges=(right,), price=3200), seller)
    with pytest.raises(NotAccountOwner):  # another party's units
        p.run(OfferToCase(case=cid, account=TRADERS[1], ranges=(right,), price=3000),
              TRADER_KEYS[0])
    offer = p.run(OfferToCase(case=cid, account=TRADERS[1], ranges=(right,), price=3000),
                  seller)["offer"]
    with pytest.raises(Forbidden):  # only the court accepts
        p.run(AcceptOffer(case=cid, offer=offer), seller)
    seller_cash = p.router.ledger.balance(TRADERS[1], "CNY")
    done = p.run(AcceptOffer(case=cid, offer=offer), COURT)
    assert (done["quantity"], done["value"]) == (100, 300_000)
    case = p.judicial.cases[cid]
    assert p.router.ledger.block_at("CQCER", right.start).account == case.account  # type: ignore[union-attr]
    assert p.router.ledger.balance(TRADERS[1], "CNY") == seller_cash + 300_000
    with pytest.raises(OfferNotOpen):
        p.run(AcceptOffer(case=cid, offer=offer), COURT)
    p.run(RetireForCase(case=cid), COURT)
    assert p.run(CloseCase(case=cid), COURT)["refunded"] == 200_000
    assert p.problems() == []
