"""What makes a credit hold up for a sceptical buyer, one rule each, on the pure books: fixed
parameters frozen at validation, the grid factor in force taken from the imported table, no
MWh credited twice as green certificates, the buffer share rounded up, losses covered by the
buffer (then the proponent, if avoidable), and the legacy versions closed to new work."""

from __future__ import annotations

from typing import Any

import pytest

from qingshan.errors import Forbidden, InvalidInput, NotAccountOwner
from qingshan.ledger.domain.invariants import check_invariants
from qingshan.ledger.domain.model import SYSTEM
from qingshan.registry.book import RegistryBook
from qingshan.registry.commands import (
    CreateProject,
    DecideIssuance,
    RegisterProject,
    ReportLoss,
    RequestIssuance,
    RevalidateProject,
    SubmitMonitoringReport,
    SubmitProject,
    ValidateProject,
    VerifyMonitoringReport,
)
from qingshan.registry.errors import (
    FixedParameter,
    GreenCertificatesClaimed,
    LossExceedsCover,
    MethodologySuperseded,
    NoBuffer,
    NoGridFactor,
    OverReversal,
)
from qingshan.registry.imports import (
    FACTOR_COLUMNS,
    FactorConflict,
    ImportGreenCertificates,
    ImportGridFactors,
    rows_from_csv,
)
from qingshan.registry.methodologies import CURRENT
from tests.support.book import ALICE, ALICE_KEY, BOB_KEY, CANCELLATION
from tests.support.registry import (
    BUFFER,
    FACTOR_ROWS,
    VERIFIER_KEY,
    RegistryWorld,
    make_world,
    project_payload,
)

PLANT = "PV-500237-0001"
NO_GEC = ["no_green_certificates"]


def registered(world: RegistryWorld, fixed: dict[str, str] | None = None,
               **over: Any) -> str:
    pid = str(world.run(CreateProject.from_payload(project_payload(**over)), ALICE_KEY)
              .result["project"])
    world.run(SubmitProject(pid, "ready"), ALICE_KEY)
    world.run(ValidateProject.from_payload({"project": pid, "approve": True,
                                            "opinion": "meets the methodology",
                                            "fixed": fixed or {}}), VERIFIER_KEY)
    world.run(RegisterProject(pid, "validated"))
    return pid


def report(world: RegistryWorld, pid: str, values: dict[str, str], start: str = "2023-01-01",
           end: str = "2023-12-31", declarations: list[str] | None = None) -> dict[str, Any]:
    return world.run(SubmitMonitoringReport.from_payload({
        "project": pid, "period_start": start, "period_end": end, "values": values,
        "declarations": declarations or []}), ALICE_KEY).result


def issue(world: RegistryWorld, rid: str, quantity: int) -> dict[str, Any]:
    world.run(VerifyMonitoringReport(rid, True, quantity, "verified"), VERIFIER_KEY)
    qid = world.run(RequestIssuance(rid, quantity), ALICE_KEY).result["request"]
    return world.run(DecideIssuance(qid, True, "approved")).result


def pv_world() -> tuple[RegistryWorld, str]:
    world = make_world()
    world.run(ImportGridFactors.from_payload({"rows": FACTOR_ROWS}))
    return world, registered(world, methodology="CQ-PV@2.0", plant_code=PLANT,
                             crediting_start="2020-01-01")


# ------------------------------------------------------------------ fixed parameters
def test_a_report_that_changes_a_fixed_parameter_is_refused() -> None:
    world = make_world()
    pid = registered(world)  # TEST-PV: ef fixed at validation (0.5 by default)
    assert world.registry.projects[pid].fixed == (("ef", "0.5"),)
    with pytest.raises(FixedParameter) as exc:
        report(world, pid, {"eg_mwh": "1000", "ef": "1.5"})
    assert exc.value.status == 422 and exc.value.data["fields"] == ["ef"]
    assert world.registry.reports == {}
    assert report(world, pid, {"eg_mwh": "1000"})["claimed"] == 500


def test_validation_records_the_values_of_the_validated_document() -> None:
    world = make_world()
    pid = registered(world, fixed={"ef": "0.42"})
    assert world.registry.projects[pid].fixed == (("ef", "0.42"),)
    [record] = world.registry.validations.values()
    assert (record.kind, record.methodology, record.fixed) == (
        "validate_project", "TEST-PV@1.0", (("ef", "0.42"),))
    with pytest.raises(InvalidInput):  # only fixed parameters can be fixed, within range
        registered(world, fixed={"ef": "3"})
    with pytest.raises(InvalidInput):
        registered(world, fixed={"eg_mwh": "10"})


def test_only_a_re_validation_by_a_verifier_changes_a_fixed_value() -> None:
    world = make_world()
    pid = registered(world)
    before = report(world, pid, {"eg_mwh": "1000"}, "2023-01-01", "2023-06-30")
    for actor, error in ((ALICE_KEY, Forbidden), (SYSTEM, Forbidden), (BOB_KEY, Forbidden)):
        with pytest.raises(error):
            world.run(RevalidateProject(pid, (("ef", "0.6"),), "", "new grid study"), actor)
    done = world.run(RevalidateProject(pid, (("ef", "0.6"),), "", "new grid study"),
                     VERIFIER_KEY).result
    assert (done["previous"], done["fixed"]) == ({"ef": "0.5"}, {"ef": "0.6"})
    after = report(world, pid, {"eg_mwh": "1000"}, "2023-07-01", "2023-12-31")
    assert (before["claimed"], after["claimed"]) == (500, 600)
    # the earlier report keeps the value it was computed with
    assert world.registry.reports[before["report"]].basis.fixed == (("ef", "0.5"),)
    kinds = [v.kind for v in sorted(world.registry.validations.values(), key=lambda v: v.seq)]
    assert kinds == ["validate_project", "revalidate_project"]
    with pytest.raises(InvalidInput):  # another methodology is a new project, not a re-validation
        world.run(RevalidateProject(pid, (), "TEST-FOREST@2.1", "switch"), VERIFIER_KEY)


# ------------------------------------------------------------------ grid factors
def test_pv_takes_the_combined_margin_in_force_for_the_period_and_records_its_rows() -> None:
    world, pid = pv_world()
    r2022 = report(world, pid, {"eg_mwh": "1000"}, "2022-01-01", "2022-12-31", NO_GEC)
    r2024 = report(world, pid, {"eg_mwh": "1000"}, "2024-01-01", "2024-12-31", NO_GEC)
    # 2022: the 2021 Central China rows (0.75 × 0.8 + 0.25 × 0.4 = 0.7); 2024: the 2023
    # South-West rows (0.75 × 0.6 + 0.25 × 0.2 = 0.5)
    assert (r2022["claimed"], r2022["factors"]) == (700, ["TEST-OM-2021-C", "TEST-BM-2021-C"])
    assert (r2024["claimed"], r2024["factors"]) == (500, ["TEST-OM-2023-SW", "TEST-BM-2023-SW"])
    issued = issue(world, r2024["report"], 500)
    assert issued["factors"] == ["TEST-OM-2023-SW", "TEST-BM-2023-SW"]
    assert world.registry.requests[issued["request"]].factors == tuple(issued["factors"])


def test_pv_refuses_a_consumption_average_and_periods_before_any_table() -> None:
    world = make_world()
    world.run(ImportGridFactors.from_payload({"rows": FACTOR_ROWS[4:]}))  # the average only
    pid = registered(world, methodology="CQ-PV@2.0", plant_code=PLANT)
    with pytest.raises(NoGridFactor):
        report(world, pid, {"eg_mwh": "1000"}, declarations=NO_GEC)
    world, pid = pv_world()
    with pytest.raises(NoGridFactor):  # nothing published for 2020 or earlier
        report(world, pid, {"eg_mwh": "1000"}, "2020-01-01", "2020-12-31", NO_GEC)
    with pytest.raises(InvalidInput):  # yearly factors: one calendar year per period
        report(world, pid, {"eg_mwh": "1000"}, "2022-07-01", "2023-06-30", NO_GEC)


def test_a_factor_table_is_never_rewritten() -> None:
    world, _ = pv_world()
    again = world.run(ImportGridFactors.from_payload({"rows": FACTOR_ROWS})).result
    assert again == {"added": 0, "unchanged": 5}
    changed = [{**FACTOR_ROWS[0], "value": "0.9"},
               {**FACTOR_ROWS[1], "id": "TEST-BM-2021-C2"},
               {**FACTOR_ROWS[2], "id": "TEST-OM-2023-X", "region": "川渝"}]
    with pytest.raises(FactorConflict) as exc:
        world.run(ImportGridFactors.from_payload({"rows": changed}))
    assert [e["row"] for e in exc.value.data["errors"]] == [1, 2, 3]
    with pytest.raises(Forbidden):
        world.run(ImportGridFactors.from_payload({"rows": FACTOR_ROWS}), ALICE_KEY)


def test_factor_csv_rows_are_read_and_every_bad_row_is_reported() -> None:
    text = ("\ufeffid,kind,region,provinces,year,value,document,locator,url,published\n"
            "X-OM-2021,om,华中,36;41;42;43;50;51,2021,0.8,doc,Table 1 p. 2,,2022-12-01\n"
            "X-BM-2021,bm,华中,50,twenty,0.4,doc,Table 1 p. 2,,2022-12-01\n"
            "x,zz,华中,99,2021,-1,,,,\n")
    rows = rows_from_csv(text, FACTOR_COLUMNS)
    assert rows[0]["provinces"] == ["36", "41", "42", "43", "50", "51"] and rows[0]["year"] == 2021
    with pytest.raises(InvalidInput) as exc:
        ImportGridFactors.from_payload({"rows": rows})
    assert [e["row"] for e in exc.value.data["errors"]] == [2, 3]


# ------------------------------------------------------------------ green certificates
def test_a_period_already_claimed_as_green_certificates_is_refused() -> None:
    world, pid = pv_world()
    world.run(ImportGreenCertificates.from_payload({"rows": [
        {"reference": "GEC-2023-07", "plant_code": PLANT, "period_start": "2023-07-01",
         "period_end": "2023-07-31", "mwh": "95.5", "source": "GEC list"}]}))
    with pytest.raises(GreenCertificatesClaimed) as exc:
        report(world, pid, {"eg_mwh": "1000"}, declarations=NO_GEC)
    assert exc.value.status == 409 and exc.value.data["certificates"] == ["GEC-2023-07"]
    assert world.registry.reports == {}
    with pytest.raises(InvalidInput):  # and every report declares it
        report(world, pid, {"eg_mwh": "500"}, "2023-01-01", "2023-06-30")
    assert report(world, pid, {"eg_mwh": "500"}, "2023-01-01", "2023-06-30",
                  NO_GEC)["claimed"] == 250  # 500 MWh × 0.5 (the 2023 South-West rows)


def test_a_gec_import_names_reports_already_credited_for_the_same_mwh() -> None:
    world, pid = pv_world()
    rid = report(world, pid, {"eg_mwh": "1000"}, declarations=NO_GEC)["report"]
    got = world.run(ImportGreenCertificates.from_payload({"rows": [
        {"reference": "GEC-2023-03", "plant_code": PLANT, "period_start": "2023-03-01",
         "period_end": "2023-03-31", "mwh": "80", "source": ""},
        {"reference": "GEC-OTHER", "plant_code": "PV-OTHER", "period_start": "2023-03-01",
         "period_end": "2023-03-31", "mwh": "80", "source": ""}]})).result
    assert got["conflicts"] == [{"reference": "GEC-2023-03", "project": pid, "report": rid}]


def test_a_pv_project_names_its_plant() -> None:
    world = make_world()
    with pytest.raises(InvalidInput) as exc:
        world.run(CreateProject.from_payload(project_payload(methodology="CQ-PV@2.0")),
                  ALICE_KEY)
    assert exc.value.data["field"] == "plant_code"


# ------------------------------------------------------------------ buffer and reversals
def forest_world() -> tuple[RegistryWorld, str]:
    """Alice's forestry project, issued 1,000 t: 800 to her, 200 to the buffer pool."""
    world = make_world()
    pid = registered(world, methodology="TEST-FOREST@2.1")
    rid = report(world, pid, {"removals": "1000"})["report"]
    issue(world, rid, 1000)
    return world, pid


def active(world: RegistryWorld, account: str) -> int:
    return world.router.ledger.active_quantity(account, "CQCER")


def test_an_unavoidable_loss_cancels_buffer_units_only() -> None:
    world, pid = forest_world()
    assert (active(world, ALICE), active(world, BUFFER)) == (800, 200)
    got = world.run(ReportLoss(project=pid, quantity=150, cause="fire", avoidable=False,
                               occurred="2024-03-02", description="hill fire", documents=()),
                    ALICE_KEY).result
    assert (got["buffer_cancelled"], got["proponent_cancelled"]) == (150, 0)
    assert (active(world, ALICE), active(world, BUFFER)) == (800, 50)
    assert world.router.ledger.blocks and check_invariants(world.router.ledger) == []
    cancelled = [b for b in world.router.ledger.blocks.values() if b.account == CANCELLATION]
    assert sum(b.quantity for b in cancelled) == 150
    with pytest.raises(LossExceedsCover) as exc:  # 51 unavoidable > 50 left in the buffer
        world.run(ReportLoss(project=pid, quantity=51, cause="pests", avoidable=False,
                             occurred="2024-05-01", description="pine wilt", documents=()),
                  ALICE_KEY)
    assert exc.value.data == {"loss": 51, "buffer": 50, "proponent": 0, "avoidable": False}


def test_an_avoidable_loss_takes_the_proponents_units_after_the_buffer() -> None:
    world, pid = forest_world()
    got = world.run(ReportLoss(project=pid, quantity=300, cause="harvest", avoidable=True,
                               occurred="2024-03-02", description="clear-cut", documents=()),
                    VERIFIER_KEY).result
    assert (got["buffer_cancelled"], got["proponent_cancelled"], got["found_by"]) == (
        200, 100, "verification")
    assert (active(world, ALICE), active(world, BUFFER)) == (700, 0)
    [event] = world.registry.losses.values()
    assert (event.quantity, event.avoidable, event.cause) == (300, True, "harvest")


def test_a_loss_larger_than_the_buffer_and_the_proponents_holdings_is_refused() -> None:
    world, pid = forest_world()
    world.run(ReportLoss(project=pid, quantity=100, cause="fire", avoidable=False,
                         occurred="2024-01-01", description="small fire", documents=()), ALICE_KEY)
    from qingshan.ledger.domain.commands import Transfer
    from tests.support.book import BOB

    world.run(Transfer("CQCER", ALICE, BOB, 750), ALICE_KEY)  # alice keeps 50
    blocks, losses = dict(world.router.ledger.blocks), dict(world.registry.losses)
    with pytest.raises(LossExceedsCover) as exc:  # 100 in the buffer + 50 held < 151
        world.run(ReportLoss(project=pid, quantity=151, cause="harvest", avoidable=True,
                             occurred="2024-06-01", description="logging", documents=()),
                  ALICE_KEY)
    assert exc.value.status == 409
    assert exc.value.data == {"loss": 151, "buffer": 100, "proponent": 50, "avoidable": True}
    assert world.router.ledger.blocks == blocks and world.registry.losses == losses
    world.run(ReportLoss(project=pid, quantity=150, cause="harvest", avoidable=True,
                         occurred="2024-06-01", description="logging", documents=()), ALICE_KEY)
    assert (active(world, ALICE), active(world, BUFFER)) == (0, 0)


def test_losses_reverse_at_most_what_was_issued_and_only_where_a_buffer_is_kept() -> None:
    world, pid = forest_world()
    with pytest.raises(OverReversal):
        world.run(ReportLoss(project=pid, quantity=1001, cause="fire", avoidable=True,
                             occurred="2024-01-01", description="all of it", documents=()),
                  ALICE_KEY)
    with pytest.raises(NotAccountOwner):
        world.run(ReportLoss(project=pid, quantity=1, cause="fire", avoidable=False,
                             occurred="2024-01-01", description="not mine", documents=()), BOB_KEY)
    pv = registered(world)
    with pytest.raises(NoBuffer):
        world.run(ReportLoss(project=pv, quantity=1, cause="fire", avoidable=False,
                             occurred="2024-01-01", description="roof fire", documents=()),
                             ALICE_KEY)


# ------------------------------------------------------------------ legacy versions
def test_legacy_versions_take_nothing_new_under_rules_2() -> None:
    old = make_world(legacy_until=10**6)  # every entry under rules 1
    pid = registered(old, methodology="CQ-PV@1.0")
    assert report(old, pid, {"eg_mwh": "1000", "ef_grid": "0.6"})["claimed"] == 600
    new = make_world()
    with pytest.raises(MethodologySuperseded) as exc:
        new.run(CreateProject.from_payload(project_payload(methodology="CQ-PV@1.0")),
                ALICE_KEY)
    assert exc.value.data["successor"] == "CQ-PV@2.0"


def test_a_closed_version_takes_no_new_project_but_its_projects_go_on_under_rules_3() -> None:
    """CQ-FOREST@2.0 (the stock change typed in) is closed to new projects from rules 3 on:
    a project registered under it before goes on reporting, or moves to CQ-FOREST@3.0 at a
    re-validation."""
    world = make_world(rules2_until=10**6)  # rules 2: the project is created then
    pid = registered(world, fixed={"baseline_per_year": "0"}, methodology="CQ-FOREST@2.0")
    world.registry.rules2_until = world.seq  # the upgrade: every later entry under rules 3
    with pytest.raises(MethodologySuperseded) as exc:
        world.run(CreateProject.from_payload(project_payload(methodology="CQ-FOREST@2.0")),
                  ALICE_KEY)
    assert exc.value.data == {"methodology": "CQ-FOREST@2.0", "successor": "CQ-FOREST@3.0"}
    got = report(world, pid, {"actual_removals": "1200"})
    assert got["claimed"] == 1200  # the registered project reports as before
    moved = world.run(RevalidateProject(pid, (("initial_stock", "0"),), "CQ-FOREST@3.0",
                                        "onto the stock version"), VERIFIER_KEY).result
    assert moved["methodology"] == "CQ-FOREST@3.0"
    assert "CQ-FOREST@2.0" not in {m.key for m in CURRENT}


def test_rules_follow_the_entry_number() -> None:
    book = RegistryBook({}, legacy_until=41, rules2_until=50)
    assert (book.rules(41), book.rules(42), book.rules(50), book.rules(51)) == (1, 2, 2, 3)


def test_buffer_units_leave_the_pool_only_through_a_loss_event() -> None:
    from qingshan.errors import WrongAccountType
    from qingshan.ledger.domain.commands import CancelUnits, PlaceHold, RetireUnits, Transfer
    from qingshan.ledger.domain.model import HoldKind, Principal, RetirementPurpose, Role

    world, pid = forest_world()
    operator = Principal("k-op", Role.OPERATOR, "P000001")
    for cmd in (Transfer("CQCER", BUFFER, ALICE, 10),
                RetireUnits(asset="CQCER", account=BUFFER, quantity=10,
                            purpose=RetirementPurpose.VOLUNTARY, beneficiary="x", reason="",
                            reference=""),
                CancelUnits(asset="CQCER", account=BUFFER, quantity=10, reason="tidy up",
                            destination="", reference=""),
                PlaceHold(hold_kind=HoldKind.JUDICIAL_FREEZE, asset="CQCER", account=BUFFER,
                          quantity=10, controller=None, reference="case")):
        with pytest.raises(WrongAccountType):
            world.run(cmd, operator)
    assert active(world, BUFFER) == 200
    world.run(ReportLoss(project=pid, quantity=10, cause="fire", avoidable=False,
                         occurred="2024-01-01", description="fire", documents=()), operator)
    assert active(world, BUFFER) == 190
