"""Every command survives its journal form: from_payload(to_payload(c)) == c. The journal is
replayed through from_payload, so a field that does not round-trip breaks ``log verify``."""

from __future__ import annotations

import pytest

from qingshan.access.commands import CreateApiKey, RevokeApiKey
from qingshan.contexts import make_books
from qingshan.ledger.books import catalog
from qingshan.ledger.domain.commands import (
    CancelUnits,
    Command,
    EnforceHold,
    IssueUnits,
    PlaceHold,
    ReleaseHold,
    RetireUnits,
    SetAccountStatus,
    Transfer,
)
from qingshan.ledger.domain.model import (
    AccountStatus,
    HoldKind,
    RetirementPurpose,
    Role,
    SerialRange,
)
from qingshan.market.commands import (
    AmendOrder,
    BidAuction,
    CancelOrder,
    CloseAuction,
    CloseDay,
    ConfirmBlockTrade,
    CreateInstrument,
    Phase,
    PickOrder,
    PlaceOrder,
    ProposeBlockTrade,
    RunCallAuction,
    SetInstrumentRules,
    SetPhase,
    SetReferencePrice,
    Side,
    StartAuction,
)
from qingshan.registry.commands import (
    AddProjectDocument,
    CreateProject,
    DecideIssuance,
    Document,
    RegisterProject,
    ReinstateProject,
    ReportLoss,
    RequestIssuance,
    RevalidateProject,
    SubmitMonitoringReport,
    SubmitProject,
    SuspendProject,
    ValidateProject,
    VerifyMonitoringReport,
    WithdrawProject,
)
from qingshan.registry.imports import ImportGreenCertificates, ImportGridFactors
from tests.support.book import SETUP, fund, issue
from tests.support.inclusive import INCLUSIVE_EXAMPLES
from tests.support.judicial import JUDICIAL_EXAMPLES
from tests.support.lending import LENDING_EXAMPLES
from tests.support.registry import FACTOR_ROWS, project_payload
from tests.support.rights import RIGHTS_EXAMPLES

EXAMPLES: list[Command] = [
    *SETUP, issue("A00000004", 10), fund("A00000004", 5),
    Transfer("CQCER", "A00000004", "A00000005", 3, (SerialRange(1, 3),), "memo"),
    PlaceHold(hold_kind=HoldKind.PLEDGE, asset="CQCER", account="A00000004", quantity=5,
              controller="P000003", reference="loan", ranges=None, vintages=(2021, 2023)),
    PlaceHold(hold_kind=HoldKind.ESCROW, asset="CQCER", account="A00000004", quantity=5,
              controller=None, reference="", ranges=None, vintages=None,
              categories=("energy", "forestry")),
    PlaceHold(hold_kind=HoldKind.JUDICIAL_FREEZE, asset="CQCER", account="A00000004", quantity=5,
              controller="P000004", reference="(2024)渝01",
              destination="A00000005"),
    IssueUnits(asset="CQCER", project="CQ0002", vintage=2022, monitoring_start="2022-01-01",
               monitoring_end="2022-12-31", reference="MR1/IR1",
               allocations=(("A00000004", 90), ("A00000007", 10)), category="forestry"),
    EnforceHold("H00000001", "A00000005", 2, "fill", keep_rest=True),
    CreateProject.from_payload(project_payload()),
    SubmitMonitoringReport.from_payload({"project": "CQ0001", "period_start": "2023-01-01",
                                         "period_end": "2023-12-31",
                                         "values": {"eg_mwh": "12.5"}}),
    CreateInstrument(id="CQCER-ALL", asset="CQCER", tick=1, lot=10, band_bps=1000,
                     reference_price=3000, max_order=100_000, fee_bps=30, fee_account="A00000004"),
    CreateInstrument(id="CQCER-21", asset="CQCER", tick=1, lot=1, band_bps=1000,
                     reference_price=3000, max_order=100, fee_bps=0, fee_account="A00000004",
                     t_plus_one=True, block_band_bps=3000,
                     block_min=100, max_position=5000, max_orders_per_minute=10, vintage_from=2021,
                     vintage_to=2021),
    CreateInstrument(id="CQCER-FOREST", asset="CQCER", tick=1, lot=1, band_bps=1000,
                     reference_price=3000, max_order=100, fee_bps=0, fee_account="A00000004",
                     categories=("forestry",)),
    CreateInstrument(id="CQCER-LIST", asset="CQCER", tick=1, lot=1, band_bps=1000,
                     reference_price=3000, max_order=100, fee_bps=30, fee_account="A00000004",
                     sessions=((555, 690), (780, 900)), modes=("pick", "block"),
                     mode_fees=(("block", 10),)),
    PlaceOrder.from_payload({"instrument": "CQCER-ALL", "account": "A00000004",
                             "side": "buy", "order_type": "market", "quantity": 10}),
    AmendOrder("O00000001", 3000, 5), PickOrder("O00000001", "A00000005", 5),
    ProposeBlockTrade("CQCER-ALL", "A00000004", "A00000005", 3000, 100),
    ConfirmBlockTrade("O00000002"), StartAuction("CQCER-ALL", "A00000004", 10, 2500, 10**12),
    BidAuction("O00000003", "A00000005", 2600, 10), CloseAuction("O00000003"),
    StartAuction("CQCER-ALL", "A00000004", 10, 3000, 10**12, Side.BUY),
    SetPhase("CQCER-ALL", Phase.CALL, "open"), RunCallAuction("CQCER-ALL"),
    CloseDay("CQCER-ALL"),
    SetAccountStatus("A00000004", AccountStatus.FROZEN, "inquiry"),
    RetireUnits(asset="CQCER", account="A00000004", quantity=2,
                purpose=RetirementPurpose.JUDICIAL_COMPENSATION, beneficiary="长江",
                reason="修复", reference="(2023)渝0118刑初215号", ranges=None,
                retirement_account="A00000001"),
    CancelUnits(asset="CQCER", account="A00000004", quantity=2, reason="moved", destination="CCER",
                reference="ref", ranges=(SerialRange(4, 5),)),
    ReleaseHold("H00000001", "done"), CancelOrder("O00000001"),
    SetReferencePrice("CQCER-ALL", 3100, "close"),
    SetInstrumentRules("CQCER-ALL", 3, "the rules of 2026-11-28"),
    *(c("CQ0001", "step") for c in (SubmitProject, RegisterProject, SuspendProject,
                                    ReinstateProject, WithdrawProject)),
    ValidateProject("CQ0001", True, "ok"), AddProjectDocument("CQ0001", Document(
        "report", "b" * 64, "")),
    VerifyMonitoringReport("MR000001", True, 10, "ok"), RequestIssuance("MR000001", 10),
    DecideIssuance("IR000001", False, "no"),
    CreateProject.from_payload(project_payload(plant_code="PV-500237-0001")),
    ValidateProject.from_payload({"project": "CQ0001", "approve": True, "opinion": "ok",
                                  "fixed": {"ef": "0.50"}}),
    SubmitMonitoringReport.from_payload({"project": "CQ0001", "period_start": "2023-01-01",
                                         "period_end": "2023-12-31",
                                         "values": {"eg_mwh": "12.5"},
                                         "declarations": ["no_green_certificates"]}),
    RevalidateProject.from_payload({"project": "CQ0001", "fixed": {"ef": "0.4"},
                                    "methodology": "TEST-PV@1.0", "reason": "new PDD"}),
    ReportLoss.from_payload({"project": "CQ0001", "quantity": 5, "cause": "fire",
                             "avoidable": False, "occurred": "2024-03-02",
                             "description": "hill fire", "documents": []}),
    ImportGridFactors.from_payload({"rows": FACTOR_ROWS}),
    ImportGreenCertificates.from_payload({"rows": [
        {"reference": "GEC-2023-000001", "plant_code": "PV-500237-0001",
         "period_start": "2023-01-01", "period_end": "2023-01-31", "mwh": "81.25",
         "source": "national GEC list"}]}),
    CreateApiKey("k0123456789ab", Role.COURT, "P000004", "法院", 10**12),
    CreateApiKey("k0123456789ac", Role.AUDITOR, None, "", 10**12),
    RevokeApiKey("k0123456789ab", "rotated"),
    *JUDICIAL_EXAMPLES,
    *RIGHTS_EXAMPLES,
    *LENDING_EXAMPLES,
    *INCLUSIVE_EXAMPLES,
]


@pytest.mark.parametrize("cmd", EXAMPLES, ids=lambda c: c.kind)
def test_every_command_round_trips_through_its_payload(cmd: Command) -> None:
    kinds = catalog(make_books())
    assert kinds[cmd.kind].from_payload(cmd.to_payload()) == cmd


def test_the_examples_cover_every_command_kind() -> None:
    assert set(catalog(make_books())) == {c.kind for c in EXAMPLES}


def test_a_hold_journaled_before_destinations_replays_unchanged() -> None:
    """Fields added later stay out of the payload when unset, so the entries journaled
    before them keep their bytes (and their leaf hashes) when they are replayed."""
    old = {"hold_kind": "pledge", "asset": "CQCER", "account": "A00000004", "quantity": 5,
           "controller": "P000003", "reference": "loan", "ranges": None, "vintages": None}
    cmd = PlaceHold.from_payload(old)
    assert cmd.destination is None and cmd.to_payload() == old
