"""CQ-FOREST@3.0: the registry computes a forestry report's removals from the stem volumes
measured, through the forest science, cumulatively (growth above the highest stock credited
before), with losses claiming nothing and reported as reversals."""

from __future__ import annotations

import math

from qingshan.registry.commands import SubmitMonitoringReport
from qingshan.science import forest
from tests.support.book import ALICE_KEY
from tests.support.registry import RegistryWorld, make_world
from tests.unit.test_registry_integrity import registered

GROUPS = ("fir", "masson_pine", "cypress", "broadleaf")


def volumes(fir: int, pine: int, cypress: int = 0, broadleaf: int = 0) -> dict[str, str]:
    return {f"volume_{g}": str(v) for g, v in zip(GROUPS, (fir, pine, cypress, broadleaf),
                                                  strict=True)}


def stock(fir: int, pine: int) -> float:
    """The stock, rounded to the six places the registry records a fixed value with."""
    return round(float(forest.biomass_co2("fir", fir) +
                       forest.biomass_co2("masson_pine", pine)), 6)


def report(world: RegistryWorld, pid: str, year: int, values: dict[str, str],
           uncertainty: str = "0.08") -> int:
    out = world.run(SubmitMonitoringReport.from_payload({
        "project": pid, "period_start": f"{year}-01-01", "period_end": f"{year}-12-31",
        "values": {**values, "sampling_uncertainty": uncertainty}}), ALICE_KEY).result
    return int(out["claimed"])


def forest_project(world: RegistryWorld, initial: float) -> str:
    return registered(world, methodology="CQ-FOREST@3.0", name="武隆区国家储备林碳汇",
                      district="500156", crediting_start="2020-01-01",
                      fixed={"initial_stock": f"{initial:.6f}"})


def test_a_report_is_credited_the_stock_growth_its_volumes_measure() -> None:
    world = make_world()
    initial = stock(20_000, 10_000)
    pid = forest_project(world, initial)
    claimed = report(world, pid, 2021, volumes(26_000, 12_500))
    assert claimed == math.floor(stock(26_000, 12_500) - initial)  # 8 %: no deduction
    assert claimed > 0


def test_a_wide_sampling_uncertainty_is_deducted() -> None:
    world = make_world()
    initial = stock(20_000, 10_000)
    pid = forest_project(world, initial)
    claimed = report(world, pid, 2021, volumes(26_000, 12_500), uncertainty="0.15")
    deduction = forest.uncertainty_deduction(0.15)  # a quarter of the half-width: 3.75 %
    assert deduction == 0.0375
    assert claimed == math.floor(stock(26_000, 12_500) * (1 - deduction) - initial)


def test_after_a_loss_regrowth_is_not_credited_twice() -> None:
    world = make_world()
    initial = stock(20_000, 10_000)
    pid = forest_project(world, initial)
    report(world, pid, 2021, volumes(26_000, 12_500))
    # a fire: the stock falls below what was credited; the period claims nothing (the loss
    # is a reversal, report_loss) ...
    assert report(world, pid, 2022, volumes(21_000, 9_000)) == 0
    # ... and regrowth counts only above the highest stock credited before
    claimed = report(world, pid, 2023, volumes(27_000, 13_000))
    assert claimed == math.floor(stock(27_000, 13_000) - stock(26_000, 12_500))
    derived = dict(world.registry.reports[max(world.registry.reports)].basis.derived)
    assert float(derived["credited_stock"]) == round(stock(26_000, 12_500), 6)
