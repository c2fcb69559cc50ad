"""The registry's lifecycle rules, one test each, on the pure books."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from qingshan.errors import (
    Forbidden,
    InvalidInput,
    NotAccountOwner,
    PeriodNotEnded,
    QingshanError,
)
from qingshan.ledger.domain.commands import IssueUnits
from qingshan.ledger.domain.invariants import check_invariants
from qingshan.ledger.domain.model import SYSTEM, Principal, Role
from qingshan.registry.book import OverIssuance, PeriodOverlap, UnknownMethodology, WrongState
from qingshan.registry.commands import (
    CreateProject,
    DecideIssuance,
    RegisterProject,
    RequestIssuance,
    SubmitMonitoringReport,
    SubmitProject,
    SuspendProject,
    ValidateProject,
    VerifyMonitoringReport,
    WithdrawProject,
)
from tests.support.book import ALICE, ALICE_KEY, BOB_KEY
from tests.support.registry import (
    BUFFER,
    VERIFIER_KEY,
    RegistryWorld,
    make_world,
    project_payload,
)


def registered(world: RegistryWorld, **over: Any) -> str:
    pid = world.run(CreateProject.from_payload(project_payload(**over)), ALICE_KEY).result[
        "project"]
    world.run(SubmitProject(pid, "ready"), ALICE_KEY)
    world.run(ValidateProject(pid, True, "meets the methodology"), VERIFIER_KEY)
    world.run(RegisterProject(pid, "validated"))
    return pid


def report(world: RegistryWorld, pid: str, start: str = "2023-01-01",
           end: str = "2023-12-31", **values: str) -> str:
    cmd = SubmitMonitoringReport.from_payload({
        "project": pid, "period_start": start, "period_end": end,
        "values": values or {"eg_mwh": "1000.9"}})
    return str(world.run(cmd, ALICE_KEY).result["report"])


def test_full_lifecycle_issues_units_to_the_proponent() -> None:
    world = make_world()
    pid = registered(world)
    assert world.registry.projects[pid].status.value == "registered"
    rid = report(world, pid)
    assert world.registry.reports[rid].claimed == 500  # 1000.9 MWh x 0.5, rounded down
    world.run(VerifyMonitoringReport(rid, True, 480, "meter checked"), VERIFIER_KEY)
    qid = world.run(RequestIssuance(rid, 480), ALICE_KEY).result["request"]
    r = world.run(DecideIssuance(qid, True, "ok")).result
    assert r["serials"] == [1, 480] and r["buffer"] == 0
    assert world.router.ledger.active_quantity(ALICE, "CQCER") == 480
    issuance = world.router.ledger.issuances[r["issuance"]]
    assert (issuance.project, issuance.vintage) == (pid, 2023)
    assert (issuance.monitoring_start, issuance.monitoring_end) == ("2023-01-01", "2023-12-31")
    assert check_invariants(world.router.ledger) == []


def test_forestry_issuance_sets_the_buffer_share_aside_rounded_up() -> None:
    world = make_world()
    pid = registered(world, methodology="TEST-FOREST@2.1")
    rid = report(world, pid, removals="1003")
    world.run(VerifyMonitoringReport(rid, True, 1003, "plots measured"), VERIFIER_KEY)
    qid = world.run(RequestIssuance(rid, 1003), ALICE_KEY).result["request"]
    r = world.run(DecideIssuance(qid, True, "ok")).result
    assert r["buffer"] == 201  # 20 % of 1003 = 200.6, rounded up: never in the proponent's favour
    assert world.router.ledger.active_quantity(ALICE, "CQCER") == 802
    assert world.router.ledger.active_quantity(BUFFER, "CQCER") == 201


def test_the_proponent_never_validates_its_own_project() -> None:
    world = make_world()
    pid = world.run(CreateProject.from_payload(project_payload()), ALICE_KEY).result["project"]
    world.run(SubmitProject(pid, "ready"), ALICE_KEY)
    with pytest.raises(Forbidden):
        world.run(ValidateProject(pid, True, "fine by me"), ALICE_KEY)
    with pytest.raises(Forbidden):
        world.run(ValidateProject(pid, True, "operator is not a verifier"), SYSTEM)
    own = Principal("k-v2", Role.VERIFIER, "P000002")  # a verifier key of the proponent
    with pytest.raises(Forbidden):
        world.run(ValidateProject(pid, True, "mine"), own)


@pytest.mark.parametrize("step", ["register_draft", "report_unregistered", "submit_twice",
                                  "validate_draft", "reinstate_registered"])
def test_transitions_out_of_order_are_refused(step: str) -> None:
    world = make_world()
    pid = world.run(CreateProject.from_payload(project_payload()), ALICE_KEY).result["project"]
    before = dict(world.registry.projects)
    with pytest.raises(WrongState):
        if step == "register_draft":
            world.run(RegisterProject(pid, "too early"))
        elif step == "report_unregistered":
            report(world, pid)
        elif step == "submit_twice":
            world.run(SubmitProject(pid, "a"), ALICE_KEY)
            before = dict(world.registry.projects)
            world.run(SubmitProject(pid, "b"), ALICE_KEY)
        elif step == "validate_draft":
            world.run(ValidateProject(pid, True, "x"), VERIFIER_KEY)
        else:
            from qingshan.registry.commands import ReinstateProject

            world.run(ReinstateProject(pid, "x"))
    assert world.registry.projects == before


def test_another_member_cannot_touch_the_project() -> None:
    world = make_world()
    with pytest.raises(NotAccountOwner):
        world.run(CreateProject.from_payload(project_payload()), BOB_KEY)
    pid = registered(world)
    with pytest.raises(NotAccountOwner):
        world.run(WithdrawProject(pid, "sabotage"), BOB_KEY)
    with pytest.raises(NotAccountOwner):
        world.run(SubmitMonitoringReport.from_payload({
            "project": pid, "period_start": "2023-01-01", "period_end": "2023-12-31",
            "values": {"eg_mwh": "1"}}), BOB_KEY)
    with pytest.raises(Forbidden):
        world.run(SuspendProject(pid, "members cannot suspend"), ALICE_KEY)


def test_overlapping_monitoring_periods_are_refused() -> None:
    world = make_world()
    pid = registered(world)
    report(world, pid, "2023-01-01", "2023-06-30")
    with pytest.raises(PeriodOverlap):
        report(world, pid, "2023-06-30", "2023-12-31")
    report(world, pid, "2023-07-01", "2023-12-31")
    with pytest.raises(InvalidInput):
        report(world, pid, "2040-01-01", "2040-12-31")  # outside the crediting period


def test_a_report_may_not_cover_days_pooled_into_credits() -> None:
    """Carbon-inclusive pools issue a pooled project's credits for their days (reference
    IP…): the registry credits none of those days again from a report."""
    world = make_world()
    pid = registered(world)
    world.run(IssueUnits(asset="CQCER", project=pid, vintage=2024,
                         monitoring_start="2024-01-01", monitoring_end="2024-03-31",
                         reference="IP000001", allocations=((ALICE, 3),)))
    with pytest.raises(PeriodOverlap):
        report(world, pid, "2024-03-01", "2024-12-31")
    report(world, pid, "2024-04-01", "2024-12-31")


def test_issuance_never_exceeds_the_verified_quantity() -> None:
    world = make_world()
    pid = registered(world)
    rid = report(world, pid)
    with pytest.raises(WrongState):
        world.run(RequestIssuance(rid, 1), ALICE_KEY)  # not verified yet
    with pytest.raises(OverIssuance):
        world.run(VerifyMonitoringReport(rid, True, 501, "more than claimed"), VERIFIER_KEY)
    world.run(VerifyMonitoringReport(rid, True, 300, "ok"), VERIFIER_KEY)
    world.run(RequestIssuance(rid, 200), ALICE_KEY)
    with pytest.raises(OverIssuance):
        world.run(RequestIssuance(rid, 101), ALICE_KEY)
    world.run(RequestIssuance(rid, 100), ALICE_KEY)


def test_a_request_is_decided_once_and_suspension_blocks_issuance() -> None:
    world = make_world()
    pid = registered(world)
    rid = report(world, pid)
    world.run(VerifyMonitoringReport(rid, True, 400, "ok"), VERIFIER_KEY)
    q1 = world.run(RequestIssuance(rid, 100), ALICE_KEY).result["request"]
    q2 = world.run(RequestIssuance(rid, 100), ALICE_KEY).result["request"]
    world.run(DecideIssuance(q1, False, "documents missing"))
    with pytest.raises(WrongState):
        world.run(DecideIssuance(q1, True, "changed my mind"))
    with pytest.raises(Forbidden):
        world.run(DecideIssuance(q2, True, "self-approval"), ALICE_KEY)
    world.run(SuspendProject(pid, "complaint under review"))
    ledger_before = dict(world.router.ledger.blocks)
    with pytest.raises(WrongState):
        world.run(DecideIssuance(q2, True, "ok"))
    assert world.router.ledger.blocks == ledger_before


def test_unknown_methodology_and_bad_values_are_refused() -> None:
    world = make_world()
    with pytest.raises(UnknownMethodology):
        world.run(CreateProject.from_payload(project_payload(methodology="NOPE@1.0")),
                  ALICE_KEY)
    pid = registered(world)
    with pytest.raises(InvalidInput) as exc:
        report(world, pid, eg_mwh="-5", extra="1")
    assert {e["field"] for e in exc.value.data["errors"]} == {"eg_mwh", "extra"}


@pytest.mark.parametrize(("field", "value"), [
    ("district", "999999"), ("lat_e6", 91_000_000), ("crediting_end", "2021-01-01"),
    ("documents", [{"name": "x", "sha256": "nothex", "url": ""}]), ("proponent", "bob"),
    ("methodology", "lower@1"),
])
def test_malformed_project_fields_are_refused(field: str, value: object) -> None:
    with pytest.raises(QingshanError):
        CreateProject.from_payload(project_payload(**{field: value}))


def test_a_report_for_a_period_that_has_not_ended_is_refused() -> None:
    world = make_world()  # the journal's clock: 2026-06-01 in Beijing
    pid = registered(world)
    with pytest.raises(PeriodNotEnded) as exc:
        report(world, pid, "2026-01-01", "2026-06-02")
    assert exc.value.data == {"field": "period_end", "value": "2026-06-02",
                              "today": "2026-06-01"}
    assert world.registry.reports == {}
    report(world, pid, "2026-01-01", "2026-06-01")


def test_periods_are_compared_as_dates_even_against_a_row_in_another_iso_form() -> None:
    # a report stored before dates were canonical may hold 20230101; it still overlaps
    world = make_world()
    pid = registered(world)
    rid = report(world, pid)
    legacy = dataclasses.replace(world.registry.reports[rid], period_start="20230101",
                                 period_end="20231231")
    world.registry.reports[rid] = legacy
    with pytest.raises(PeriodOverlap):
        report(world, pid, "2023-06-01", "2023-06-30")
