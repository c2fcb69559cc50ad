"""Resource rights through the sequencer on a real database (SQLite and PostgreSQL): a
contract's lifecycle with a failed check, a succession, a restoration to a transferred right;
after a restart the rights book loaded from its tables equals the one in memory, ``log verify``
replays the journal into the same books and finds nothing wrong (the rights conservation
laws included), and the reads (queries) agree with the book."""

from __future__ import annotations

import itertools

from qingshan.contexts import make_books
from qingshan.infra.config import Settings
from qingshan.infra.db import make_engine
from qingshan.ledger.domain.commands import Command, Transfer
from qingshan.ledger.domain.model import SYSTEM, Principal
from qingshan.ledger.verify import verify_ledger
from qingshan.platform import Platform
from qingshan.rights import queries
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
from qingshan.rights.model import IndicatorKind, RightUse
from tests.support.book import ALICE, ALICE_KEY, BOB, SETUP
from tests.support.databases import check_restart_and_verify
from tests.support.rights import (
    ACCOUNT,
    FORESTRY,
    JIANGBEI,
    KEY,
    LIANGJIANG,
    YOUYANG,
    a_contract,
    a_restoration,
    forest,
    setup,
)

FOREST = IndicatorKind.FOREST_AREA


def test_rights_survive_a_restart_and_verify(settings: Settings) -> None:
    plat = Platform.open(settings)
    keys = itertools.count()

    def run(cmd: Command, actor: Principal = SYSTEM) -> dict[str, object]:
        return plat.sequencer.execute([cmd], actor, f"k{next(keys)}")[0].result

    try:
        plat.sequencer.execute([*SETUP, *setup()], SYSTEM, "setup")
        run(forest(YOUYANG, 2025, 560_000, 1_000_000), FORESTRY)
        run(forest(JIANGBEI, 2024, 200_000, 1_000_000, 4000), FORESTRY)
        run(IssueIndicators(district=YOUYANG, indicator=FOREST, year=2025, quantity=10_000,
                            account=ACCOUNT[YOUYANG]), FORESTRY)
        cid = str(run(a_contract(), KEY[YOUYANG])["contract"])
        run(AgreeContract(contract=cid, buyer_account=ACCOUNT[JIANGBEI]), KEY[JIANGBEI])
        run(ApproveContract(contract=cid))
        run(RecordTrancheCheck(contract=cid, tranche=1, passed=True, report="ok"), FORESTRY)
        run(ReleaseTranche(contract=cid, tranche=1), KEY[JIANGBEI])
        run(RecordTrancheCheck(contract=cid, tranche=2, passed=False, report="成活率不足"),
            FORESTRY)
        run(RecordSuccession(predecessor=JIANGBEI, successor=LIANGJIANG, effective="2025-11-06",
                             account=ACCOUNT[LIANGJIANG], note="渝府发〔2025〕15号"))
        run(RecordTrancheCheck(contract=cid, tranche=3, passed=True, report="ok"), FORESTRY)
        run(ReleaseTranche(contract=cid, tranche=3), KEY[LIANGJIANG])
        run(forest(LIANGJIANG, 2026, 300_000, 1_000_000, 4000), FORESTRY)
        rid = str(run(a_restoration(), ALICE_KEY)["restoration"])
        run(AcceptRestoration(restoration=rid, passed=True, accepted_mu=2378, share_bps=300,
                              term_years=20, account=ALICE, report="验收合格"), FORESTRY)
        run(TransferDevelopmentRight(restoration=rid, source=ALICE, destination=BOB,
                                     quantity=40, use=RightUse.ECO_TOURISM), ALICE_KEY)
        run(ReportIncome(restoration=rid, year=2025, amount=334_000_000), ALICE_KEY)
        book = plat.sequencer.router.book("rights")
        before = book.snapshot()
        assert book.invariants() == []
    finally:
        plat.close()
    check_restart_and_verify(settings, "rights", before)
    engine = make_engine(settings.database_url)
    try:
        with engine.connect() as conn:
            standing = queries.standings(conn, FOREST, 2026)
            (lj,) = [d for d in standing["districts"] if d["district"] == LIANGJIANG]
            assert (lj["bought"], lj["status"]) == (2000, "short")
            c = queries.contract(conn, cid)
            assert [t["status"] for t in c["tranches"]] == ["released", "withheld",
                                                             "released"]
            assert (c["buyer"], c["signed_buyer"], c["status"]) == (LIANGJIANG, JIANGBEI,
                                                                    "completed")
            r = queries.restoration(conn, rid)
            assert (r["granted"], [t["quantity"] for t in r["transfers"]],
                    [i["amount"] for i in r["incomes"]]) == (71, [40], [334_000_000])
            assert queries.district(conn, LIANGJIANG)["predecessors"] == [JIANGBEI]
    finally:
        engine.dispose()


def test_verify_reports_indicators_moved_outside_a_contract(settings: Settings) -> None:
    """A plain ledger transfer of indicators between districts is not a sale: the ledger
    allows it, and ``log verify`` reports the district whose holdings no longer match its
    grants and released tranches."""
    plat = Platform.open(settings)
    try:
        plat.sequencer.execute([*SETUP, *setup()], SYSTEM, "setup")
        plat.sequencer.execute([forest(YOUYANG, 2025, 560_000, 1_000_000)], FORESTRY, "m")
        plat.sequencer.execute([IssueIndicators(
            district=YOUYANG, indicator=FOREST, year=2025, quantity=100,
            account=ACCOUNT[YOUYANG])], FORESTRY, "i")
        plat.sequencer.execute([Transfer("FCI", ACCOUNT[YOUYANG], ACCOUNT[JIANGBEI], 10)],
                               KEY[YOUYANG], "t")
        key = plat.sequencer.signing_key.public_key()
    finally:
        plat.close()
    problems = verify_ledger(settings.database_url, key, books=make_books).problems
    assert any("invariant (rights)" in p and YOUYANG in p for p in problems), problems
