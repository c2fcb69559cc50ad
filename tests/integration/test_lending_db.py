"""Pledge loans through the sequencer on a real database (SQLite and PostgreSQL): a forestry
project under CQ-FOREST@3.0 issues from its measured volumes, a bank appraises it and lends,
the next issuance arrives pledged; after a restart the lending book loaded from its tables
equals the one in memory, ``log verify`` replays the journal into the same books and finds
nothing wrong (the lending conservation laws included), and the reads agree."""

from __future__ import annotations

import itertools

from qingshan.infra.config import Settings
from qingshan.infra.db import make_engine
from qingshan.ledger.domain.commands import Command, OpenAccount, RegisterParty
from qingshan.ledger.domain.model import SYSTEM, AccountType, PartyKind, Principal, Role
from qingshan.lending import queries
from qingshan.lending.commands import RecordRepayment
from qingshan.lending.model import Reason
from qingshan.platform import Platform
from qingshan.registry.commands import (
    CreateProject,
    DecideIssuance,
    RegisterProject,
    ReportLoss,
    RequestIssuance,
    SubmitMonitoringReport,
    SubmitProject,
    ValidateProject,
    VerifyMonitoringReport,
)
from tests.support.book import ALICE, ALICE_KEY, SETUP
from tests.support.databases import check_restart_and_verify
from tests.support.lending import appraise, grant
from tests.support.registry import EXTRA, VERIFIER_KEY, project_payload

BANK = "P000007"
BANK_KEY = Principal("k-bank", Role.BANK, BANK)
AUDITOR = Principal("k-audit", Role.AUDITOR, None)


def test_a_pledged_forest_survives_a_restart_and_verifies(settings: Settings) -> None:
    plat = Platform.open(settings)
    keys = itertools.count()

    def run(cmd: Command, actor: Principal = SYSTEM) -> dict[str, object]:
        return plat.sequencer.execute([cmd], actor, f"k{next(keys)}")[0].result

    def issue_year(pid: str, year: int, fir: int, pine: int) -> int:
        rid = str(run(SubmitMonitoringReport.from_payload({
            "project": pid, "period_start": f"{year}-01-01", "period_end": f"{year}-12-31",
            "values": {"volume_fir": str(fir), "volume_masson_pine": str(pine),
                       "volume_cypress": "0", "volume_broadleaf": "0",
                       "sampling_uncertainty": "0.08"}}), ALICE_KEY)["report"])
        claimed = plat.sequencer.router.book("registry").reports[rid].claimed  # type: ignore[attr-defined]
        run(VerifyMonitoringReport(rid, True, claimed, "verified"), VERIFIER_KEY)
        qid = str(run(RequestIssuance(rid, claimed), ALICE_KEY)["request"])
        run(DecideIssuance(qid, True, "approved"))
        return int(claimed)

    try:
        plat.sequencer.execute([*SETUP, *EXTRA, RegisterParty(PartyKind.BANK, "重庆农商行", None),
                                OpenAccount(BANK, AccountType.HOLDING, "bank")], SYSTEM, "s")
        pid = str(run(CreateProject.from_payload(project_payload(
            methodology="CQ-FOREST@3.0", name="武隆区国家储备林碳汇", district="500156",
            crediting_start="2020-01-01")), ALICE_KEY)["project"])
        run(SubmitProject(pid, "ready"), ALICE_KEY)
        run(ValidateProject.from_payload({"project": pid, "approve": True, "opinion": "ok",
                                          "fixed": {"initial_stock": "20000"}}), VERIFIER_KEY)
        run(RegisterProject(pid, "validated"))
        first = issue_year(pid, 2021, 26_000, 12_000)
        assert first > 0
        vid = str(run(appraise(BANK, project=pid), BANK_KEY)["appraisal"])
        lid = str(run(grant(BANK, vid, 1_000_000, project=pid), BANK_KEY)["loan"])
        issue_year(pid, 2022, 30_000, 13_000)
        lending = plat.sequencer.router.book("lending")
        loan = lending.loans[lid]  # type: ignore[attr-defined]
        assert len(loan.holds) == 2 and loan.pledged > first * 8 // 10
        assert plat.sequencer.router.ledger.active_quantity(ALICE, "CQCER") == 0
        # the 2022 report's volumes revalued the collateral: the stands' sites rebased on them
        latest = lending.appraisals[lending.loans[lid].latest_appraisal]  # type: ignore[attr-defined]
        assert latest.reason is Reason.MONITORING and "site rebased at 2022-12-31" in latest.note
        run(RecordRepayment(loan=lid, principal=200_000, interest=38_500), BANK_KEY)
        # a fire reported to the registry: the buffer covers it, the bank is told, and the
        # collateral is revalued on the stands left, in the loss's own entry
        out = run(ReportLoss(project=pid, quantity=2_000, cause="fire", avoidable=False,
                             occurred="2023-03-02", description="山火", documents=()),
                  ALICE_KEY)
        burnt = lending.appraisals[out["revalued"][0]["appraisal"]]  # type: ignore[attr-defined,index]
        assert burnt.reason is Reason.DISTURBANCE and burnt.collateral < latest.collateral
        assert sum(r.area_m2 for r in burnt.stands) < sum(r.area_m2 for r in latest.stands)
        before = lending.snapshot()
        assert lending.invariants() == []
    finally:
        plat.close()
    check_restart_and_verify(settings, "lending", before)
    engine = make_engine(settings.database_url)
    try:
        with engine.connect() as conn:
            found = queries.loan(conn, lid, AUDITOR)
            assert (found["outstanding"], found["pledged"], len(found["schedule"])) == (
                800_000, loan.pledged, 5)
            assert [a["kind"] for a in found["alerts"]] == [
                "new_pledge", "revalued", "revalued", "disturbance"]
            assert queries.summary(conn)["principal"] == 1_000_000
    finally:
        engine.dispose()
