"""A database written by the release before pledge-loan rules 2 (tests/fixtures/lending_v1,
built on commit e61c59e) upgrades and still verifies: its entries replay under rules 1 — the
issuance after the loan and the fire reported to the registry revalue nothing, the appraisal
subtracts no baseline — while everything written after the upgrade runs under rules 2: the
next issuance revalues the collateral, net of the project's fixed baseline."""

from __future__ import annotations

from pathlib import Path

import pytest

from qingshan.infra.config import Settings
from qingshan.ledger.domain.model import SYSTEM, Principal, Role
from qingshan.lending.book import LendingBook
from qingshan.lending.model import Reason
from qingshan.platform import Platform
from qingshan.registry.commands import (
    DecideIssuance,
    RequestIssuance,
    SubmitMonitoringReport,
    VerifyMonitoringReport,
)
from tests.support.databases import old_release_database

ALICE = Principal("v1-alice", Role.MEMBER, "P000002")
VERIFIER = Principal("v1-verifier", Role.VERIFIER, "P000005")


@pytest.fixture
def old_database(tmp_path: Path) -> Settings:
    settings: Settings = old_release_database("lending_v1", tmp_path)
    return settings


def test_an_old_pledge_book_upgrades_replays_under_rules_1_and_revalues_after(
        old_database: Settings) -> None:
    plat = Platform.open(old_database)  # migrates 0011 → 0012
    try:
        book = plat.sequencer.router.book("lending")
        assert isinstance(book, LendingBook)
        assert book.rules1_until == plat.sequencer.size == 33
        assert plat.verify().problems == []  # every old entry replays as it was journaled
        (loan,) = book.loans.values()
        assert [a.reason for a in book.appraisals.values()] == [Reason.INITIAL]
        assert [a.kind.value for a in book.alerts.values()] == ["new_pledge"]
        assert book.appraisals[loan.latest_appraisal].baseline_per_year == "0"
        # a report after the upgrade: its issuance is revalued on, net of the baseline
        n = iter(range(100))

        def run(cmd: object, actor: Principal = SYSTEM) -> dict[str, object]:
            return plat.sequencer.execute([cmd], actor, f"v2/{next(n)}")[0].result  # type: ignore[list-item]

        rid = str(run(SubmitMonitoringReport.from_payload({
            "project": loan.project, "period_start": "2023-01-01", "period_end": "2023-12-31",
            "values": {"volume_fir": "34000", "volume_masson_pine": "14000",
                       "volume_cypress": "0", "volume_broadleaf": "0",
                       "sampling_uncertainty": "0.08"}}), ALICE)["report"])
        claimed = plat.sequencer.router.book("registry").reports[rid].claimed  # type: ignore[attr-defined]
        run(VerifyMonitoringReport(rid, True, claimed, "verified"), VERIFIER)
        qid = str(run(RequestIssuance(rid, claimed), ALICE)["request"])
        run(DecideIssuance(qid, True, "approved"))
        latest = book.appraisals[book.loans[loan.id].latest_appraisal]
        assert latest.reason is Reason.MONITORING and latest.baseline_per_year == "500"
        assert "site rebased" in latest.note
        assert plat.verify().problems == []
    finally:
        plat.close()
