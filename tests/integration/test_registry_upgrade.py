"""A database written by the release before registry rules 2 (tests/fixtures/registry_v1,
built on commit 670b666) upgrades and still verifies: its entries replay under rules 1 —
the report that overrode a fixed parameter, the buffer rounded down — while everything
written after the upgrade runs under rules 2, and a legacy project reports again only once a
verifier has re-validated it onto the current methodology version."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from qingshan.errors import QingshanError
from qingshan.infra.config import Settings
from qingshan.ledger.domain.commands import Command
from qingshan.ledger.domain.model import SYSTEM, Principal, Role
from qingshan.platform import Platform
from qingshan.registry.book import RegistryBook
from qingshan.registry.commands import (
    CreateProject,
    RevalidateProject,
    SubmitMonitoringReport,
    ValidateProject,
)
from qingshan.registry.imports import ImportGridFactors
from tests.support.databases import old_release_database
from tests.support.registry import FACTOR_ROWS

ALICE = Principal("v1-alice", Role.MEMBER, "P000002")
VERIFIER = Principal("v1-verifier", Role.VERIFIER, "P000003")


@pytest.fixture
def old_database(tmp_path: Path) -> Settings:
    settings: Settings = old_release_database("registry_v1", tmp_path)
    return settings


def registry(plat: Platform) -> RegistryBook:
    book = plat.sequencer.router.book("registry")
    assert isinstance(book, RegistryBook)
    return book


def refused(plat: Platform, cmd: Command, actor: Principal, key: str) -> str:
    with pytest.raises(QingshanError) as exc:
        plat.sequencer.execute([cmd], actor, key)
    return exc.value.code


def test_an_old_database_upgrades_replays_under_rules_1_and_continues_under_rules_2(
        old_database: Settings) -> None:
    plat = Platform.open(old_database)  # migrates 0004 → 0007
    try:
        book = registry(plat)
        assert book.legacy_until == plat.sequencer.size == 48
        assert plat.verify().problems == []  # every old entry replays as it was journaled
        assert book.reports["MR000001"].claimed == 600  # ef_grid 0.6 came from the report
        assert book.requests["IR000002"].buffer == 100  # 10 % of 1003, rounded down then
        project = CreateProject.from_payload({
            "proponent": "P000002", "account": "A00000005", "name": "new PV",
            "methodology": "CQ-PV@1.0", "district": "500237", "lat_e6": 31_074_000,
            "lon_e6": 109_878_000, "crediting_start": "2024-01-01",
            "crediting_end": "2033-12-31", "estimated_annual": 100, "description": "",
            "documents": [], "plant_code": "PV-1"})
        assert refused(plat, project, ALICE, "new-v1") == "methodology_superseded"
        report: dict[str, Any] = {"project": "CQ0005", "period_start": "2024-01-01",
                                  "period_end": "2024-12-31", "values": {"eg_mwh": "800"},
                                  "declarations": ["no_green_certificates"]}
        assert refused(plat, SubmitMonitoringReport.from_payload(report), ALICE,
                       "report-v1") == "methodology_superseded"
        assert refused(plat, ValidateProject("CQ0006", True, "ok"), VERIFIER,
                       "validate-v1") == "methodology_superseded"
        # a verifier re-validates the registered legacy project onto CQ-PV@2.0
        moved = plat.sequencer.execute([RevalidateProject(
            "CQ0005", (), "CQ-PV@2.0", "rules 2: combined margin from the table",
            "PV-500237-0002")], VERIFIER, "revalidate")[0].result
        assert moved["methodology"] == "CQ-PV@2.0" and moved["previous"] == {}
        assert moved["fixed"] == {"w_bm": "0.25", "w_om": "0.75"}
        over = {**report, "values": {"eg_mwh": "800", "ef_om": "1.5"}}
        assert refused(plat, SubmitMonitoringReport.from_payload(over), ALICE,
                       "override") == "fixed_parameter"
        assert refused(plat, SubmitMonitoringReport.from_payload(report), ALICE,
                       "no-table") == "no_grid_factor"
        plat.sequencer.execute([ImportGridFactors.from_payload({"rows": FACTOR_ROWS})],
                               SYSTEM, "factors")
        got = plat.sequencer.execute([SubmitMonitoringReport.from_payload(report)], ALICE,
                                     "report-v2")[0].result
        # 800 MWh × (0.75 × 0.6 + 0.25 × 0.2) on the 2023 South-West rows in force for 2024
        assert got["claimed"] == 400
        assert got["factors"] == ["TEST-OM-2023-SW", "TEST-BM-2023-SW"]
        books = [b.snapshot() for b in plat.sequencer.router.books]
    finally:
        plat.close()
    again = Platform.open(old_database)
    try:
        assert [b.snapshot() for b in again.sequencer.router.books] == books
        assert registry(again).legacy_until == 48
        assert again.verify().problems == []
    finally:
        again.close()
