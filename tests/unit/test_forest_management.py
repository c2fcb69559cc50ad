"""Forest management (AR-CM-003-V01's structure) and stand stocking (林分疏密度) in the forest
science: the same stands under improved management against business-as-usual management,
the Monte Carlo sharing each draw between the two, and volume = curve × site × stocking.

No number printed in AR-CM-003-V01 or in a forest-management project document was read (its
clause 5 and any PDD's tables were not reached; docs/methodologies.md), so these are rules and
properties, not a worked example."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from qingshan.errors import InvalidInput
from qingshan.science.forest import (
    DEFAULTS,
    STOCKING_RANGE,
    SpeciesGroup,
    Stand,
    co2_per_m3,
    issuable_credits,
    management_monte_carlo,
    management_removals,
    mean_baseline_change,
    monte_carlo,
    stock_co2,
    volume_per_ha,
)
from qingshan.science.forest.carbon import STOCKING_SOURCE
from qingshan.science.forest.management import AR_CM_003, AR_CM_003_APPLICABILITY
from tests.support.search import search

G = SpeciesGroup


def estate(stocking: float, site: float = 1.0) -> list[Stand]:
    """A middle-aged estate (planted 乔木林, as AR-CM-003-V01's applicability asks)."""
    return [Stand("fir-1", G.FIR, 120.0, 12.0, site, stocking),
            Stand("pine-1", G.MASSON_PINE, 80.0, 15.0, site, stocking),
            Stand("oak-1", G.BROADLEAF, 40.0, 8.0, site, stocking)]


# ------------------------------------------------------------------ stocking
def test_a_fully_stocked_stand_holds_its_curves_volume_and_stocking_scales_it() -> None:
    # the definition read (STOCKING_SOURCE): stocking = the stand's volume / the standard
    # stand's, the standard stand being 1.0 — so volume = the curve's × stocking
    assert "疏密度" in STOCKING_SOURCE.document and "标准林分的" in STOCKING_SOURCE.locator
    fir = DEFAULTS[G.FIR]
    curve = float(volume_per_ha(fir.growth, 20.0)) * 10.0 * co2_per_m3(fir)
    full = float(stock_co2([Stand("s", G.FIR, 10.0, 20.0)], 0))
    assert full == pytest.approx(curve, rel=1e-12)
    half = float(stock_co2([Stand("s", G.FIR, 10.0, 20.0, stocking=0.5)], 0))
    assert half == full * 0.5  # exact: a power of two scales every term exactly


def test_the_default_stocking_leaves_every_number_unchanged() -> None:
    years = np.arange(31, dtype=np.float64)
    plain = [Stand("a", G.CYPRESS, 33.3, 7.0, 1.1), Stand("b", G.FIR, 12.5, 0.0)]
    explicit = [Stand("a", G.CYPRESS, 33.3, 7.0, 1.1, 1.0), Stand("b", G.FIR, 12.5, 0.0, 1.0, 1.0)]
    assert np.array_equal(stock_co2(plain, years), stock_co2(explicit, years))
    assert np.array_equal(monte_carlo(plain, 10, 50, 3).p90, monte_carlo(explicit, 10, 50, 3).p90)


@pytest.mark.parametrize("stocking", [0.05, 1.6, math.nan, -1.0, True])
def test_a_stocking_outside_its_range_is_refused(stocking: object) -> None:
    with pytest.raises(InvalidInput) as e:
        Stand("s", G.FIR, 1.0, 1.0, stocking=stocking)  # type: ignore[arg-type]
    assert e.value.data["field"] == "stocking"
    assert STOCKING_RANGE == (0.1, 1.5)


stocking = st.floats(STOCKING_RANGE[0], STOCKING_RANGE[1])


@given(st.sampled_from(list(SpeciesGroup)), st.floats(0.01, 1e4), st.floats(0, 120),
       st.floats(0.3, 2.0), stocking, stocking)
@search(2)
def test_more_stocking_never_lowers_the_stock(group: SpeciesGroup, area: float, age: float,
                                              site: float, s1: float, s2: float) -> None:
    lo, hi = sorted((s1, s2))
    years = np.arange(6, dtype=np.float64)
    low = stock_co2([Stand("x", group, area, age, site, lo)], years)
    high = stock_co2([Stand("x", group, area, age, site, hi)], years)
    assert np.all(low <= high)


# ------------------------------------------------------------------ management
def test_management_credits_only_the_growth_above_the_baseline() -> None:
    project, baseline = estate(0.9), estate(0.6)
    years = np.arange(11, dtype=np.float64)
    expected = np.diff(stock_co2(project, years)) - np.diff(stock_co2(baseline, years))
    net = management_removals(project, baseline, 10)
    assert net == pytest.approx(expected, rel=1e-12)
    assert np.all(net > 0)
    # and never the whole growth of the project's stands, which afforestation would credit
    assert np.all(net < np.diff(stock_co2(project, years)))


def test_leakage_is_a_share_of_the_increment_above_the_baseline() -> None:
    gross = management_removals(estate(1.0), estate(0.8), 5)
    assert management_removals(estate(1.0), estate(0.8), 5, leakage_share=0.2) == \
        pytest.approx(gross * 0.8, rel=1e-12)
    # a baseline that grows faster is no increment, and leaks nothing
    slower = management_removals(estate(0.8), estate(1.0), 5, leakage_share=0.2)
    assert np.all(slower < 0)
    assert slower == pytest.approx(-gross, rel=1e-12)


def test_the_baseline_rate_for_validation_is_the_mean_change_of_the_baseline_stands() -> None:
    baseline = estate(0.7)
    stock = stock_co2(baseline, np.array([0.0, 20.0]))
    assert mean_baseline_change(baseline, 20) == pytest.approx((stock[1] - stock[0]) / 20)
    assert mean_baseline_change([], 20) == 0.0


def test_the_monte_carlo_shares_each_draw_between_project_and_baseline() -> None:
    # the baseline is the same estate at 0.9 of the project's stocking: with shared draws the
    # net is 0.1 of the project's growth in every draw, so its percentiles are 0.1 of the
    # project's; independent draws would spread the difference far wider
    project, baseline = estate(1.0), estate(0.9)
    mgmt = management_monte_carlo(project, baseline, 15, 2_000, 11)
    alone = monte_carlo(project, 15, 2_000, 11)
    for name in ("mean", "p10", "p50", "p90"):
        assert getattr(mgmt, name) == pytest.approx(0.1 * getattr(alone, name), rel=1e-9)
    assert mgmt.draws == 2_000 and mgmt.seed == 11
    det = management_removals(project, baseline, 15)
    assert np.all(mgmt.p90 < det) and np.all(det < mgmt.p10)


def test_management_refuses_bad_years_leakage_draws_and_seeds() -> None:
    for call, field in [
        (lambda: management_removals(estate(1.0), estate(0.9), 0), "years"),
        (lambda: management_removals(estate(1.0), estate(0.9), 5, leakage_share=1.5),
         "leakage_share"),
        (lambda: management_monte_carlo(estate(1.0), estate(0.9), 5, 1, 0), "draws"),
        (lambda: management_monte_carlo(estate(1.0), estate(0.9), 5, 10, -1), "seed"),
    ]:
        with pytest.raises(InvalidInput) as e:
            call()
        assert e.value.data["field"] == field


def test_the_sources_say_what_was_read_of_ar_cm_003() -> None:
    assert "AR-CM-003-V01" in AR_CM_003.document and "2014" in AR_CM_003.issuer
    assert "not reached" in AR_CM_003.locator  # clause 5's formulas
    assert AR_CM_003.url == "https://345wk.com/doc/406.html"
    assert "人工幼、中龄林" in AR_CM_003_APPLICABILITY.locator


stands = st.builds(Stand, id=st.just("s"), group=st.sampled_from(list(SpeciesGroup)),
                   area_ha=st.floats(0.01, 1e4), age=st.floats(0, 120),
                   site_factor=st.floats(0.3, 2.0), stocking=stocking)


@given(st.lists(stands, min_size=1, max_size=6), st.integers(1, 30), st.floats(0, 1))
@search(2)
def test_the_same_stands_as_the_baseline_remove_nothing(
        s: list[Stand], years: int, leakage: float) -> None:
    assert np.all(management_removals(s, s, years, leakage_share=leakage) == 0)
    mc = management_monte_carlo(s, s, min(years, 5), 20, 1, leakage_share=leakage)
    assert np.all(mc.p10 == 0) and np.all(mc.p90 == 0)


@given(st.lists(stands, min_size=1, max_size=6), st.floats(0.1, 1.0), st.integers(1, 30),
       st.floats(0, 1))
@search(2)
def test_credits_never_exceed_the_net_removals(
        s: list[Stand], thinner: float, years: int, leakage: float) -> None:
    baseline = [Stand(x.id, x.group, x.area_ha, x.age, x.site_factor,
                      max(STOCKING_RANGE[0], x.stocking * thinner)) for x in s]
    net = float(management_removals(s, baseline, years, leakage_share=leakage).sum())
    assert net >= -1e-6 * max(1.0, abs(net))  # a thinner baseline never grows more
    owner, buffer = issuable_credits(net)
    assert owner + buffer <= max(0.0, net)
    assert buffer * 10 >= owner + buffer  # at least 10 %, rounded up
