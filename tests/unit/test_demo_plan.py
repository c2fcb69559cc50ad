"""The demo's plan, without a database: calendar, clock, the cast's sizes and names, the
registry's calendar and the monitoring values each methodology is given."""

from __future__ import annotations

import datetime as dt
import random

from qingshan.demo.calendar import (
    LAST_DAY,
    LAUNCH,
    SimulatedClock,
    is_trading_day,
    next_trading_day,
    unix_ms,
)
from qingshan.demo.market import ANCHORS, price_path
from qingshan.demo.names import Namer
from qingshan.demo.registry import monitoring_values, schedule
from qingshan.demo.scenario import (
    Company,
    Period,
    ProjectPlan,
    draw_companies,
    draw_projects,
    kind_of,
)
from qingshan.registry.methodologies import CURRENT
from tests.support.registry import TEST_FOREST


def test_trading_days_skip_weekends_and_the_long_holidays() -> None:
    assert is_trading_day(dt.date(2024, 3, 8))  # a Friday
    assert not is_trading_day(dt.date(2024, 3, 9))
    assert not is_trading_day(dt.date(2024, 2, 12))  # Spring Festival week (a Monday)
    assert not is_trading_day(dt.date(2025, 10, 8))  # National Day week
    assert next_trading_day(dt.date(2024, 2, 9)) == dt.date(2024, 2, 19)


def test_the_simulated_clock_is_beijing_time_and_never_goes_back() -> None:
    clock = SimulatedClock(LAUNCH, 9 * 60)
    assert clock() == unix_ms(LAUNCH, 540) == int(dt.datetime(
        2021, 10, 28, 1, 0, tzinfo=dt.UTC).timestamp() * 1000)
    clock.set(LAUNCH, 9 * 60 + 30, 15)
    clock.set(LAUNCH, 9 * 60)  # an earlier event keeps the later time
    assert clock() == unix_ms(LAUNCH, 570) + 15_000


def _cast(n: int = 149) -> tuple[list[Company], list[ProjectPlan]]:
    rng = random.Random(7)
    namer = Namer(rng)
    kinds = {kind_of(m) for m in CURRENT}
    companies = draw_companies(rng, namer, n, kinds, LAST_DAY)
    for c in companies:
        c.party, c.account = f"P{c.key}", f"A{c.key}"
    return companies, draw_projects(rng, namer, companies, CURRENT, LAST_DAY)


def test_sizes_fall_in_their_ranges_and_no_two_names_are_alike() -> None:
    companies, projects = _cast()
    assert len(companies) == 149
    assert len({c.name for c in companies}) == 149
    assert len({p.name for p in projects}) == len(projects)
    kinds = {p.kind for p in projects}
    assert kinds == {"afforestation", "management", "pv", "biogas", "inclusive"}
    for p in projects:
        if p.kind == "pv":
            assert 0.2 <= p.size <= 20
        elif p.kind == "biogas":
            assert 300 <= p.size <= 40_000
            for period in p.periods:  # 0.5-0.9 t of coal a digester-year, not 2.5
                years = ((period.end - period.start).days + 1) / 365.25
                assert period.physical["coal_per_digester_t"] <= 0.9 * max(1.0, years) + 1e-9
        elif p.kind == "inclusive":  # a believable pooled claim: tens of kilotonnes a year
            assert all(x.expected_t < 60_000 * 1.01 for x in p.periods)
        else:
            assert 300 <= p.size <= 110_000
            assert (p.crediting_end - p.crediting_start).days >= 20 * 365 - 1
    sizes = [p.estimated_annual for p in projects]
    assert len(set(sizes)) > 0.9 * len(sizes)  # not every project expects 20,000 t


def test_each_projects_registry_calendar_runs_forward_on_working_days() -> None:
    _, projects = _cast(40)
    rng = random.Random(3)
    for p in projects:
        steps = schedule(p, rng, LAST_DAY)
        assert [s.action for s in steps[:4]] == ["create", "submit", "validate", "register"]
        assert all(is_trading_day(s.day) and 9 * 60 <= s.minute < 17 * 60 + 5 for s in steps)
        assert [(s.day, s.minute) for s in steps] == sorted((s.day, s.minute) for s in steps)
        for s in steps:
            if s.action == "report":  # filed after its period ended
                assert s.day > p.periods[s.period].end


def test_monitoring_values_use_the_methodologys_names_or_aim_at_the_estimate() -> None:
    biogas = next(m for m in CURRENT if kind_of(m) == "biogas")
    period = Period(dt.date(2023, 1, 1), dt.date(2023, 12, 31),
                    {"digesters": 2_700, "coal_per_digester_t": 0.7}, 4_600)
    # CQ-BIOGAS@2.0: digesters in operation (whole), coal a digester-year; the registry
    # derives the period's length and validation fixed the rest
    assert monitoring_values(biogas, period) == {"digesters": "2700",
                                                 "coal_per_digester_t": "0.700"}
    forest = Period(dt.date(2021, 1, 1), dt.date(2022, 12, 31),
                    {"actual_removals": 12_000.0}, 12_000)
    values = monitoring_values(TEST_FOREST, forest)  # "removals": not a name the demo knows
    assert TEST_FOREST.reductions({k: float(v) for k, v in values.items()}) == 12_000


def test_the_price_path_wanders_between_its_anchors() -> None:
    path = price_path(LAUNCH, LAST_DAY, random.Random(1))
    assert len(path) == (LAST_DAY - LAUNCH).days + 1
    assert 10 < min(path.values()) < 20 < 30 < max(path.values()) < 50
    march_2024 = path[dt.date(2024, 3, 8)]
    assert abs(march_2024 / dict(ANCHORS)[dt.date(2024, 3, 8)] - 1) < 0.2
