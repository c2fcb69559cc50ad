"""CQ-FOREST-MGMT@1.0: a forest-management project is credited the growth of its stands above
the same stands under business-as-usual management (AR-CM-003-V01's structure), from the stem
volumes measured, cumulatively, with the stock at the start and the baseline's yearly change
fixed at validation — never defaulted, since the forest is standing when the project starts."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qingshan.errors import InvalidInput
from qingshan.registry.methodologies import ALL, CURRENT, forest, forest_management, get
from qingshan.science import forest as science
from tests.support.book import ALICE
from tests.support.registry import BUFFER, RegistryWorld, make_world
from tests.support.search import search
from tests.unit.test_forest_registry import report, stock, volumes
from tests.unit.test_registry_integrity import issue, registered

M = forest_management.V1
WULONG = "500156"


def management_project(world: RegistryWorld, initial: float, baseline: float) -> str:
    return registered(world, methodology="CQ-FOREST-MGMT@1.0", name="武隆区国家储备林森林经营",
                      district=WULONG, crediting_start="2020-01-01",
                      fixed={"initial_stock": f"{initial:.6f}",
                             "baseline_per_year": f"{baseline:.6f}"})


def test_the_methodology_is_registered_after_afforestation_v3_as_forestry() -> None:
    assert ALL[ALL.index(forest.V3) + 1] is M and M in CURRENT
    assert get("CQ-FOREST-MGMT@1.0") is M
    assert M.sector == "forestry" and M.buffer_percent == 10 and M.stock is not None
    assert "AR-CM-003-V01" in M.source.document


def test_management_credits_only_the_growth_above_the_baseline() -> None:
    world = make_world()
    initial = stock(20_000, 10_000)
    baseline = 300.0  # t CO2e a year, the validated document's baseline projection
    pid = management_project(world, initial, baseline)
    claimed = report(world, pid, 2021, volumes(26_000, 12_500))
    growth = stock(26_000, 12_500) - initial
    assert claimed == math.floor(growth - baseline)  # 2021 is one year; 8 %: no deduction
    assert 0 < claimed < growth


def test_growth_no_faster_than_the_baseline_claims_nothing() -> None:
    world = make_world()
    initial = stock(20_000, 10_000)
    growth = stock(20_500, 10_200) - initial
    pid = management_project(world, initial, growth + 1)
    assert report(world, pid, 2021, volumes(20_500, 10_200)) == 0


def test_a_management_project_must_fix_its_starting_stock_and_baseline() -> None:
    with pytest.raises(InvalidInput) as exc:
        M.fixed_values(())
    assert {e["field"] for e in exc.value.data["errors"]} == {"initial_stock",
                                                              "baseline_per_year"}


def test_the_baseline_is_never_negative() -> None:
    # a business-as-usual harvest that loses carbon would raise the claim: refused, against
    # the claimant, until the methodology's clause on it is read
    with pytest.raises(InvalidInput):
        M.fixed_values((("initial_stock", "1000"), ("baseline_per_year", "-5")))


def test_the_issuance_withholds_a_tenth_for_the_buffer_rounded_up() -> None:
    world = make_world()
    initial = stock(20_000, 10_000)
    pid = management_project(world, initial, 300.0)
    world_report = report(world, pid, 2021, volumes(26_000, 12_500))
    rid = max(world.registry.reports)
    issue(world, rid, world_report)
    owner = world.router.ledger.active_quantity(ALICE, "CQCER")
    buffer = world.router.ledger.active_quantity(BUFFER, "CQCER")
    assert owner + buffer == world_report
    assert buffer == math.ceil(world_report / 10)


def test_a_project_validated_with_the_baseline_stands_rate_is_credited_above_it() -> None:
    # 1,000 ha of 12-year-old fir: the baseline keeps it at stocking 0.6, the project brings
    # it to 0.9; validation fixes the baseline stands' yearly change, the report measures the
    # project stands' volume a year on
    curve = science.DEFAULTS[science.SpeciesGroup.FIR].growth
    rate = science.mean_baseline_change(
        [science.Stand("fir", "fir", 1_000.0, 12.0, stocking=0.6)], 1)
    v0, v1 = (round(float(science.volume_per_ha(curve, age)) * 1_000.0 * 0.9)
              for age in (12.0, 13.0))
    world = make_world()
    initial = stock(v0, 0)
    pid = management_project(world, initial, rate)
    claimed = report(world, pid, 2021, volumes(v1, 0))
    assert claimed == math.floor(stock(v1, 0) - initial - round(rate, 6))
    assert 0 < claimed < stock(v1, 0) - initial  # a third of the growth, about


volume = st.integers(0, 200_000)


@given(volume, volume, volume, volume, st.floats(0, 1), st.floats(0, 1e6), st.floats(0, 1e5),
       st.floats(0, 1e4), st.floats(0.1, 3))
@search(2)
def test_credits_never_exceed_the_net(fir: int, pine: int, cypress: int, broadleaf: int,
                                      u: float, credited: float, baseline: float,
                                      leakage: float, years: float) -> None:
    monitored = M.monitored_values(tuple(
        {**volumes(fir, pine, cypress, broadleaf), "sampling_uncertainty": repr(u),
         "leakage": repr(leakage)}.items()))
    fixed = (("baseline_per_year", repr(baseline)), ("initial_stock", "0"))
    derived = {"credited_stock": repr(credited), "period_years": repr(years)}
    net = M.calculate({**monitored, "baseline_per_year": baseline, "credited_stock": credited,
                       "period_years": years})
    claimed = M.compute(monitored, fixed, derived)
    assert 0 <= claimed <= max(0.0, net) + 1e-9
    owner, buffer = science.issuable_credits(claimed, M.buffer_percent)
    assert owner + buffer == claimed and buffer * 10 >= claimed
