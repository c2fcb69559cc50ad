"""The demo's forestry projects report stand volumes under the stock methodology of their kind
(``qingshan.demo.forestry``): from those volumes the registry's own computation gives back
each period's drawn net removal, for afforestation (CQ-FOREST@3.0, from bare land) and for
forest management (CQ-FOREST-MGMT@1.0, above its fixed start and baseline)."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from qingshan.demo.forestry import report_stocks, years
from qingshan.demo.names import Namer
from qingshan.demo.scenario import draw_project
from qingshan.registry.methodologies import get
from qingshan.registry.methodologies.base import ParameterKind


@pytest.mark.parametrize(("kind", "key"), [("afforestation", "CQ-FOREST@3.0"),
                                           ("management", "CQ-FOREST-MGMT@1.0")])
def test_the_registry_credits_from_the_volumes_what_the_demo_drew(kind: str, key: str) -> None:
    m = get(key)
    rng = random.Random(7)
    plan = draw_project(rng, Namer(rng), "p001", None, kind, m, dt.date(2022, 5, 1),
                        dt.date(2026, 11, 30))
    nets = [float(p.physical["actual_removals"]) for p in plan.periods]
    report_stocks(plan)
    assert len(plan.periods) == len(nets) >= 2
    fixed = m.fixed_values(tuple(sorted(plan.fixed.items())))
    if kind == "management":
        assert {k for k, _ in fixed} == {"initial_stock", "baseline_per_year"}
        assert float(dict(fixed)["initial_stock"]) > 0
    credited = float(dict(fixed).get("initial_stock", "0"))
    for period, net in zip(plan.periods, nets, strict=True):
        derived = {"period_years": f"{years(period.start, period.end):.6f}",
                   "credited_stock": f"{credited:.6f}"}
        monitored = {p.id: float(period.physical.get(p.id, p.default or 0.0))
                     for p in m.parameters if p.kind is ParameterKind.MONITORED}
        claimed = m.compute(monitored, fixed, derived)
        assert abs(claimed - net) <= 1, (period, claimed, net)
        assert m.stock is not None
        credited = max(credited, m.stock(monitored))
