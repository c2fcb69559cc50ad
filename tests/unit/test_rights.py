"""Resource rights in memory: districts' measurements and indicators, contracts between
districts through escrow, successions and restoration that earns development rights."""

from __future__ import annotations

import copy

import pytest

from qingshan.errors import Forbidden, InsufficientFunds, InvalidInput, QingshanError
from qingshan.ledger.domain.commands import Transfer
from qingshan.ledger.domain.model import SYSTEM
from qingshan.rights.commands import (
    AcceptRestoration,
    AgreeContract,
    ApproveContract,
    IssueIndicators,
    RecordSuccession,
    RecordTrancheCheck,
    ReleaseTranche,
    ReportIncome,
    TransferDevelopmentRight,
)
from qingshan.rights.compliance import standings
from qingshan.rights.errors import (
    AboveSurplus,
    BelowFloor,
    DistrictSucceeded,
    IncomeReported,
    NotForDistrict,
    ShareAboveCap,
    TrancheReleased,
    TrancheState,
)
from qingshan.rights.model import MU_PER_KM2, IndicatorKind, RightUse, duty_of
from tests.support.book import ALICE, ALICE_KEY, ALICE_P, BOB, BOB_KEY, TREASURY
from tests.support.rights import (
    ACCOUNT,
    CHENGKOU,
    FLOOR,
    FORESTRY,
    JIANGBEI,
    KEY,
    LIANGJIANG,
    YOUYANG,
    Platform,
    a_contract,
    a_restoration,
    approved_contract,
    forest,
    make_platform,
    seller_with_surplus,
)

FCI = "FCI"


def held(p: Platform, account: str, asset: str = FCI) -> int:
    return (p.router.ledger.active_quantity(account, asset) +
            p.router.ledger.held_quantity(account, asset))


def unchanged(p: Platform, cmd: object, actor: object, error: type[QingshanError]) -> None:
    """The command is refused with ``error`` and changes nothing."""
    before = copy.deepcopy(state(p))
    with pytest.raises(error):
        p.run(cmd, actor)  # type: ignore[arg-type]
    assert state(p) == before


def state(p: Platform) -> object:
    ledger = p.router.ledger
    return (p.rights.snapshot(), ledger.balances, ledger.blocks, ledger.holds)


@pytest.fixture
def p() -> Platform:
    platform = make_platform()
    seller_with_surplus(platform)
    return platform


def test_duty_is_rounded_up_against_the_district_claiming_surplus() -> None:
    assert duty_of(5500, 1_000) == 550
    assert duty_of(5500, 1_001) == 551  # 550.55 mu of forest owed: 551


def test_indicators_are_issued_only_for_forest_above_the_target(p: Platform) -> None:
    assert held(p, ACCOUNT[YOUYANG]) == 10_000
    unchanged(p, IssueIndicators(district=YOUYANG, indicator=IndicatorKind.FOREST_AREA,
                                 year=2025, quantity=1, account=ACCOUNT[YOUYANG]), FORESTRY,
              AboveSurplus)


def test_a_district_short_of_its_target_gets_no_indicators() -> None:
    p = make_platform()
    p.run(forest(JIANGBEI, 2025, 300_000, 1_000_000), FORESTRY)
    with pytest.raises(AboveSurplus):
        p.run(IssueIndicators(district=JIANGBEI, indicator=IndicatorKind.FOREST_AREA,
                              year=2025, quantity=1, account=ACCOUNT[JIANGBEI]), FORESTRY)


def test_a_contract_releases_indicators_and_money_per_accepted_tranche(p: Platform) -> None:
    cid = approved_contract(p)
    assert p.router.ledger.held_quantity(ACCOUNT[YOUYANG], FCI) == 3000
    assert p.router.ledger.held_quantity(ACCOUNT[JIANGBEI], "CNY") == 3000 * FLOOR
    p.run(RecordTrancheCheck(contract=cid, tranche=1, passed=True, report="成活率 95%"),
          FORESTRY)
    out = p.run(ReleaseTranche(contract=cid, tranche=1), KEY[JIANGBEI])
    assert out["value"] == 1000 * FLOOR
    assert held(p, ACCOUNT[JIANGBEI]) == 1000
    assert p.router.ledger.available(ACCOUNT[YOUYANG], "CNY") == 1000 * FLOOR
    assert p.problems() == []


def test_a_failed_check_withholds_the_tranche_and_returns_both_sides(p: Platform) -> None:
    cid = approved_contract(p)
    funds = p.router.ledger.available(ACCOUNT[JIANGBEI], "CNY")
    out = p.run(RecordTrancheCheck(contract=cid, tranche=2, passed=False,
                                   report="补植未达标，成活率 61%"), FORESTRY)
    assert out["status"] == "withheld"
    assert p.router.ledger.held_quantity(ACCOUNT[YOUYANG], FCI) == 2000
    assert p.router.ledger.available(ACCOUNT[JIANGBEI], "CNY") == funds + 1000 * FLOOR
    with pytest.raises(TrancheState):
        p.run(ReleaseTranche(contract=cid, tranche=2), KEY[JIANGBEI])
    for n in (1, 3):
        p.run(RecordTrancheCheck(contract=cid, tranche=n, passed=True, report="ok"), FORESTRY)
        p.run(ReleaseTranche(contract=cid, tranche=n))
    assert p.rights.contracts[cid].status.value == "completed"
    assert held(p, ACCOUNT[JIANGBEI]) == 2000 and held(p, ACCOUNT[YOUYANG]) == 8000
    assert p.problems() == []


def test_a_tranche_is_released_once(p: Platform) -> None:
    cid = approved_contract(p)
    p.run(RecordTrancheCheck(contract=cid, tranche=1, passed=True, report="ok"), FORESTRY)
    p.run(ReleaseTranche(contract=cid, tranche=1))
    unchanged(p, ReleaseTranche(contract=cid, tranche=1), KEY[JIANGBEI], TrancheReleased)


def test_selling_more_than_the_surplus_is_refused(p: Platform) -> None:
    unchanged(p, a_contract(quantity=10_001, tranches=(10_001,)), KEY[YOUYANG], AboveSurplus)


def test_indicators_under_contract_are_not_sold_twice(p: Platform) -> None:
    approved_contract(p, quantity=8000, tranches=(8000,))
    unchanged(p, a_contract(quantity=3000), KEY[YOUYANG], AboveSurplus)


def test_forest_lost_since_issuance_is_not_sold(p: Platform) -> None:
    p.run(forest(YOUYANG, 2026, 552_000, 1_000_000), FORESTRY)  # the surplus fell to 2,000
    unchanged(p, a_contract(), KEY[YOUYANG], AboveSurplus)


def test_a_price_under_the_floor_is_refused(p: Platform) -> None:
    unchanged(p, a_contract(price=FLOOR - 1), KEY[YOUYANG], BelowFloor)


def test_a_district_cannot_sell_for_another(p: Platform) -> None:
    unchanged(p, a_contract(), KEY[CHENGKOU], NotForDistrict)


def test_a_district_cannot_countersign_for_the_buyer(p: Platform) -> None:
    cid = str(p.run(a_contract(), KEY[YOUYANG])["contract"])
    unchanged(p, AgreeContract(contract=cid, buyer_account=ACCOUNT[CHENGKOU]), KEY[CHENGKOU],
              NotForDistrict)
    unchanged(p, AgreeContract(contract=cid, buyer_account=ACCOUNT[CHENGKOU]), KEY[JIANGBEI],
              Forbidden)  # the buyer names its own account


def test_only_the_operator_approves_and_only_the_authority_checks(p: Platform) -> None:
    cid = str(p.run(a_contract(), KEY[YOUYANG])["contract"])
    p.run(AgreeContract(contract=cid, buyer_account=ACCOUNT[JIANGBEI]), KEY[JIANGBEI])
    unchanged(p, ApproveContract(contract=cid), KEY[JIANGBEI], Forbidden)
    p.run(ApproveContract(contract=cid))
    unchanged(p, RecordTrancheCheck(contract=cid, tranche=1, passed=True, report="ok"),
              KEY[JIANGBEI], Forbidden)


def test_approval_needs_the_buyers_money(p: Platform) -> None:
    cid = str(p.run(a_contract(buyer=CHENGKOU), KEY[YOUYANG])["contract"])
    p.run(AgreeContract(contract=cid, buyer_account=ACCOUNT[CHENGKOU]), KEY[CHENGKOU])
    p.run(Transfer("CNY", ACCOUNT[CHENGKOU], TREASURY, 10**12), KEY[CHENGKOU])
    unchanged(p, ApproveContract(contract=cid), SYSTEM, InsufficientFunds)


def test_a_successor_inherits_contracts_holdings_and_coverage(p: Platform) -> None:
    cid = approved_contract(p)
    p.run(RecordTrancheCheck(contract=cid, tranche=1, passed=True, report="ok"), FORESTRY)
    p.run(ReleaseTranche(contract=cid, tranche=1), KEY[JIANGBEI])
    p.run(forest(JIANGBEI, 2024, 200_000, 400_000, 4000), FORESTRY)
    p.run(RecordSuccession(predecessor=JIANGBEI, successor=LIANGJIANG, effective="2025-11-06",
                           account=ACCOUNT[LIANGJIANG], note="渝府发〔2025〕15号"))
    assert held(p, ACCOUNT[LIANGJIANG]) == 1000 and held(p, ACCOUNT[JIANGBEI]) == 0
    c = p.rights.contracts[cid]
    assert (c.buyer, c.signed_buyer) == (LIANGJIANG, JIANGBEI)
    # the abolished district no longer acts; its successor does
    p.run(RecordTrancheCheck(contract=cid, tranche=2, passed=True, report="ok"), FORESTRY)
    with pytest.raises(NotForDistrict):
        p.run(ReleaseTranche(contract=cid, tranche=2), KEY[JIANGBEI])
    p.run(ReleaseTranche(contract=cid, tranche=2), KEY[LIANGJIANG])
    assert held(p, ACCOUNT[LIANGJIANG]) == 2000 and held(p, ACCOUNT[JIANGBEI]) == 0
    with pytest.raises(DistrictSucceeded):
        p.run(forest(JIANGBEI, 2025, 1, 2), FORESTRY)
    p.run(forest(LIANGJIANG, 2025, 250_000, 500_000, 5000), FORESTRY)
    # 2024: the tranche released in 2026 is not yet counted; 2026: toward 两江新区 alone
    (y24,) = standings(p.rights, IndicatorKind.FOREST_AREA, 2024)
    assert (y24.district, y24.bought) == (JIANGBEI, 0)
    p.run(forest(LIANGJIANG, 2026, 250_000, 500_000, 5000), FORESTRY)
    by = {s.district: s for s in standings(p.rights, IndicatorKind.FOREST_AREA, 2026)}
    assert set(by) == {LIANGJIANG} and by[LIANGJIANG].bought == 2000
    assert p.problems() == []


def test_coverage_counts_a_released_tranche_toward_the_buyer_once(p: Platform) -> None:
    cid = approved_contract(p)
    p.run(RecordTrancheCheck(contract=cid, tranche=1, passed=True, report="ok"), FORESTRY)
    p.run(ReleaseTranche(contract=cid, tranche=1), KEY[JIANGBEI])
    p.run(forest(JIANGBEI, 2026, 300_000, 1_000_000), FORESTRY)
    p.run(forest(YOUYANG, 2026, 560_000, 1_000_000), FORESTRY)
    by = {s.district: s for s in standings(p.rights, IndicatorKind.FOREST_AREA, 2026)}
    assert (by[JIANGBEI].bought, by[JIANGBEI].effective) == (1000, 301_000)
    assert (by[YOUYANG].sold, by[YOUYANG].effective) == (1000, 559_000)
    assert by[JIANGBEI].own_bps == 3000 and by[JIANGBEI].with_trades_bps == 3010
    assert (by[JIANGBEI].status, by[YOUYANG].status) == ("short", "surplus")


def test_restoration_earns_a_share_as_a_development_right(p: Platform) -> None:
    rid = str(p.run(a_restoration(), ALICE_KEY)["restoration"])
    unchanged(p, AcceptRestoration(restoration=rid, passed=True, accepted_mu=2378,
                                   share_bps=301, term_years=20, account=ALICE,
                                   report="验收合格"), FORESTRY, ShareAboveCap)
    out = p.run(AcceptRestoration(restoration=rid, passed=True, accepted_mu=2378,
                                  share_bps=300, term_years=20, account=ALICE,
                                  report="验收合格"), FORESTRY)
    assert out["granted"] == 71  # 3 % of 2,378 mu = 71.34, rounded down
    assert held(p, ALICE, "DRQ") == 71
    p.run(TransferDevelopmentRight(restoration=rid, source=ALICE, destination=BOB,
                                   quantity=50, use=RightUse.ECO_TOURISM), ALICE_KEY)
    assert held(p, BOB, "DRQ") == 50
    p.run(ReportIncome(restoration=rid, year=2026, amount=3_340_000_00, note="集体收入"),
          BOB_KEY)
    with pytest.raises(IncomeReported):
        p.run(ReportIncome(restoration=rid, year=2026, amount=1), ALICE_KEY)
    with pytest.raises(Forbidden):
        p.run(ReportIncome(restoration=rid, year=2025, amount=1), KEY[CHENGKOU])
    assert p.problems() == []


def test_a_restorer_transfers_only_its_own_right(p: Platform) -> None:
    rid = str(p.run(a_restoration(), ALICE_KEY)["restoration"])
    p.run(AcceptRestoration(restoration=rid, passed=True, accepted_mu=2378, share_bps=300,
                            term_years=20, account=ALICE, report="验收合格"), FORESTRY)
    with pytest.raises(Forbidden):
        p.run(TransferDevelopmentRight(restoration=rid, source=ALICE, destination=BOB,
                                       quantity=5, use=RightUse.ECO_TOURISM), BOB_KEY)
    with pytest.raises(InvalidInput):
        p.run(TransferDevelopmentRight(restoration=rid, source=ALICE, destination=BOB,
                                       quantity=5, use=RightUse.ECO_AGRICULTURE), ALICE_KEY)
    assert ALICE_P


@pytest.mark.parametrize(("mu", "yuan"), [(15_000, 37_500_000), (11_190, 27_975_000),
                                          (75_000, 187_500_000), (362_300, 905_750_000)])
def test_contract_values_reproduce_the_published_deals(mu: int, yuan: int) -> None:
    """九龙坡–城口 (37.5 M), 渝中–巫溪 (27.975 M), 江北–酉阳 (as reported: 187.5 M) and the city's
    eight deals to 2021-11-30 (905.75 M yuan for 362,300 mu), all at 2,500 yuan a mu."""
    p = make_platform()
    seller_with_surplus(p, surplus=mu)
    cid = str(p.run(a_contract(quantity=mu, tranches=(mu,)), KEY[YOUYANG])["contract"])
    assert p.rights.contracts[cid].value == yuan * 100  # fen


def test_a_hectare_is_fifteen_mu() -> None:
    """猎神村 reclaimed 5.4 ha of mined land: 81 mu (1 km² = 1,500 mu)."""
    assert 54_000 * MU_PER_KM2 // 1_000_000 == 81


def test_what_returns_to_an_abolished_district_goes_on_to_its_successor(p: Platform) -> None:
    """The seller is abolished with tranches in escrow: a withheld tranche's indicators and a
    released tranche's money reach the successor's account, not the old district's."""
    cid = approved_contract(p, seller=YOUYANG, buyer=JIANGBEI)
    p.run(RecordSuccession(predecessor=YOUYANG, successor=CHENGKOU, effective="2026-06-01",
                           account=ACCOUNT[CHENGKOU], note="合并"))
    funds = p.router.ledger.available(ACCOUNT[CHENGKOU], "CNY")
    p.run(RecordTrancheCheck(contract=cid, tranche=1, passed=False, report="未达标"), FORESTRY)
    p.run(RecordTrancheCheck(contract=cid, tranche=2, passed=True, report="ok"), FORESTRY)
    p.run(ReleaseTranche(contract=cid, tranche=2), KEY[JIANGBEI])
    assert held(p, ACCOUNT[YOUYANG]) == 1000  # tranche 3, still in escrow there
    assert held(p, ACCOUNT[CHENGKOU]) == 10_000 - 3000 + 1000  # moved, plus the withheld
    assert p.router.ledger.available(ACCOUNT[CHENGKOU], "CNY") == funds + 1000 * FLOOR
    assert p.router.ledger.available(ACCOUNT[YOUYANG], "CNY") == 0
    assert p.problems() == []


def test_a_contract_whose_seller_is_abolished_into_its_buyer_still_settles(p: Platform) -> None:
    """The seller is abolished into the buyer with tranches in escrow: a released tranche's
    indicators reach the buyer, and its money, already in the buyer's account, is just freed
    (found by the rights state machine)."""
    cid = approved_contract(p, seller=YOUYANG, buyer=JIANGBEI)
    funds = p.router.ledger.available(ACCOUNT[JIANGBEI], "CNY")
    p.run(RecordSuccession(predecessor=YOUYANG, successor=JIANGBEI, effective="2026-06-01",
                           account=ACCOUNT[JIANGBEI], note="合并"))
    c = p.rights.contracts[cid]
    assert c.seller == c.buyer == JIANGBEI
    p.run(RecordTrancheCheck(contract=cid, tranche=1, passed=True, report="ok"), FORESTRY)
    p.run(ReleaseTranche(contract=cid, tranche=1), KEY[JIANGBEI])
    p.run(RecordTrancheCheck(contract=cid, tranche=2, passed=False, report="未达标"), FORESTRY)
    assert held(p, ACCOUNT[YOUYANG]) == 1000  # tranche 3, still in escrow there
    assert held(p, ACCOUNT[JIANGBEI]) == 10_000 - 1000
    assert p.router.ledger.available(ACCOUNT[JIANGBEI], "CNY") == funds + 2000 * FLOOR
    assert p.problems() == []
