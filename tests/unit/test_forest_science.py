"""Forest carbon science (qingshan.science.forest): the defaults pinned to the tables they were
read in, the chain against published Chongqing and project figures, the Monte Carlo's
convergence, the rounding against the claimant, and bad input refused with its field.

What is not here, and why (docs/methodologies.md, "Forest carbon science"): no test pins the
wood densities, BEFs or growth curves to a printed table, because none was read — those
defaults are marked unverified in the code and the docs."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from qingshan.errors import InvalidInput
from qingshan.science.forest import (
    DEFAULTS,
    PARAMETER_SET,
    SpeciesGroup,
    Stand,
    biomass_co2,
    co2_per_m3,
    inventory_stock,
    issuable_credits,
    monte_carlo,
    net_removals,
    stock_co2,
    uncertainty_deduction,
    volume_per_ha,
)
from qingshan.science.forest.parameters import CO2_PER_C

G = SpeciesGroup


# ------------------------------------------------------------------ numbers printed in sources
def test_root_shoot_and_carbon_fraction_are_the_ninth_inventory_model_table() -> None:
    """Scientific Reports 13 (2023), doi 10.1038/s41598-023-44097-4, Table 2 (biomass and
    carbon models for 20 forest types from 9th-NFI plots), columns d0 (CF) and RSR."""
    printed = {G.FIR: (0.4969, 0.2332),  # Chinese fir
               G.MASSON_PINE: (0.5162, 0.2053),  # Masson pine
               G.CYPRESS: (0.5013, 0.2489),  # Cypress
               G.BROADLEAF: (0.4810, 0.2610)}  # Oak
    for group, (cf, rsr) in printed.items():
        p = DEFAULTS[group]
        assert (p.carbon_fraction.value, p.root_shoot.value) == (cf, rsr)
        assert p.carbon_fraction.verified and p.root_shoot.verified
        assert "s41598-023-44097-4" in p.carbon_fraction.source.url


def test_unread_defaults_say_they_are_unverified() -> None:
    for p in DEFAULTS.values():
        for value in (p.wood_density, p.bef):
            assert not value.verified
        assert not p.growth.verified and "UNVERIFIED" in p.growth.source.document
    assert PARAMETER_SET.startswith("forest-defaults-")


def test_chongqing_stock_of_274_million_m3_gives_the_published_order_of_tree_carbon() -> None:
    """2.74 亿 m3 at the end of 2023 (重庆市林业局 via 中国网, yx822.com/tanhui/2024/0902/
    108161.html). The Chongqing Academy of Forestry's survey (中新网, 3月18日, mirrored at
    matematikcibul.com/a/sjls/3549.html; its year and the stock then are not in the copy —
    Chongqing had 1.97 亿 m3 at the end of 2015) printed above-ground biomass carbon
    9,222 万 t and below-ground 3,388 万 t:
    12,610 万 t C in trees. Species shares of the stock were not found: the test spreads
    the stock over the four volume groups by an assumed split (pine 35 %, cypress 20 %,
    broadleaf 30 %, fir 15 %) and asks for the same order (within a factor of two)."""
    stock_m3 = 2.74e8
    split = {G.MASSON_PINE: 0.35, G.CYPRESS: 0.20, G.BROADLEAF: 0.30, G.FIR: 0.15}
    inv = inventory_stock((g, 0.0, stock_m3 * share) for g, share in split.items())
    published_tree_c = (9_222 + 3_388) * 1e4
    assert 0.5 < inv.carbon_t / published_tree_c < 2.0
    assert math.isclose(inv.co2_t, inv.carbon_t * 44 / 12)
    assert math.isclose(sum(s.volume_m3 for s in inv.by_group.values()), stock_m3)
    # whichever split: between the lightest and the densest group's factor
    lo = min(co2_per_m3(DEFAULTS[g]) for g in split) * stock_m3 / CO2_PER_C
    hi = max(co2_per_m3(DEFAULTS[g]) for g in split) * stock_m3 / CO2_PER_C
    assert 0.5 * published_tree_c < lo < hi < 2.0 * published_tree_c


@pytest.mark.parametrize("group", [G.FIR, G.MASSON_PINE, G.CYPRESS, G.BROADLEAF])
def test_twenty_years_on_bare_land_average_within_published_project_rates(
        group: SpeciesGroup) -> None:
    """Printed project figures: Wuning CCER afforestation, 6,317 t CO2e/yr on 2.08 万亩 (1,387
    ha) = 4.56 t/ha/yr (5dxc.com/article/2025/08/01/719451.html); CDM A/R Guangxi Pearl River,
    25,795 t/yr on 3,000–4,000 ha = 6.45–8.60 t/ha/yr (climate-policy-watcher.org)."""
    per_ha_year = float(net_removals([Stand("p", group, 1.0, 0.0)], 20).sum()) / 20
    assert 6317 / (20_800 / 15) <= per_ha_year <= 25_795 / 3000


# ------------------------------------------------------------------ the chain
def test_co2_per_m3_is_the_product_of_the_chain() -> None:
    p = DEFAULTS[G.FIR]
    chain = (p.wood_density.value * p.bef.value * (1 + p.root_shoot.value)
             * p.carbon_fraction.value * 44 / 12)
    assert co2_per_m3(p) == pytest.approx(chain, rel=1e-15)
    assert biomass_co2(G.FIR, [0.0, 1.0, 10.0]) == pytest.approx([0.0, chain, 10 * chain])


def test_bamboo_has_no_stem_volume_and_is_inventoried_by_area() -> None:
    p = DEFAULTS[G.BAMBOO]
    assert not p.volume_based and p.growth.unit == "t/ha"
    with pytest.raises(InvalidInput) as e:
        co2_per_m3(p)
    assert e.value.data["field"] == "group"
    with pytest.raises(InvalidInput) as e:
        inventory_stock([(G.BAMBOO, 10.0, 5.0)])
    assert e.value.data["field"] == "rows[0].volume_m3"
    inv = inventory_stock([("bamboo", 10.0, 0.0)])
    assert inv.carbon_t == pytest.approx(10 * p.growth.a * 1.25 * 0.50)


def test_the_curve_starts_at_zero_and_approaches_its_asymptote() -> None:
    curve = DEFAULTS[G.FIR].growth
    v = volume_per_ha(curve, [0, 10, 500])
    assert v[0] == 0 and 0 < v[1] < curve.a and v[2] == pytest.approx(curve.a, rel=1e-6)
    assert volume_per_ha(curve, np.zeros((2, 3))).shape == (2, 3)


def test_site_factor_scales_the_asymptote_and_area_scales_linearly() -> None:
    one = stock_co2([Stand("a", G.FIR, 1.0, 5.0)], [0, 10])
    assert stock_co2([Stand("a", G.FIR, 3.0, 5.0, 0.5)], [0, 10]) == pytest.approx(1.5 * one)


def test_net_removals_subtract_baseline_and_leakage_share() -> None:
    stands = [Stand("a", G.CYPRESS, 50.0, 3.0), Stand("b", G.BAMBOO, 5.0, 1.0)]
    stocks = stock_co2(stands, np.arange(11))
    got = net_removals(stands, 10, baseline_per_year=20.0, leakage_share=0.1)
    assert got == pytest.approx(np.diff(stocks) * 0.9 - 20.0)


def test_the_uncertainty_discount_reproduces_ar_tool14s_worked_example() -> None:
    """AR-TOOL14 v04.2 Appendix 2 (second-hand transcription): an estimate of 60 ± 9 t d.m.
    per ha has U = 15 %, discounted by 25 % of the half-width: 60 − 2.25 = 57.75."""
    mean, half_width = 60.0, 9.0
    u = half_width / mean
    assert u == pytest.approx(0.15)
    assert mean * (1 - uncertainty_deduction(u)) == pytest.approx(57.75)
    # the tiers: nothing to 10 %, a quarter, a half, three quarters, then the lower bound
    assert [round(uncertainty_deduction(x), 6) for x in (0.10, 0.12, 0.18, 0.25, 0.40)] == [
        0.0, 0.03, 0.09, 0.1875, 0.4]
    with pytest.raises(InvalidInput) as e:
        uncertainty_deduction(1.5)
    assert e.value.data["field"] == "relative_uncertainty"


def test_credits_are_floored_and_the_buffer_rounded_up() -> None:
    assert issuable_credits(1234.9) == (1110, 124)  # 1,234 whole; 123.4 → 124
    assert issuable_credits(0.99) == (0, 0)
    assert issuable_credits(-5.0) == (0, 0)
    assert issuable_credits(10.0, buffer_percent=0) == (10, 0)


# ------------------------------------------------------------------ Monte Carlo
ESTATE = [Stand(f"s{i}", g, 10.0 + i, float(i % 40), 0.8 + 0.05 * (i % 8))
          for i, g in enumerate(list(SpeciesGroup) * 20)]


def test_same_seed_same_projection_and_another_seed_another() -> None:
    a = monte_carlo(ESTATE, 30, 500, seed=11)
    b = monte_carlo(ESTATE, 30, 500, seed=11)
    c = monte_carlo(ESTATE, 30, 500, seed=12)
    assert np.array_equal(a.p50, b.p50) and np.array_equal(a.p90, b.p90)
    assert not np.array_equal(a.p50, c.p50)
    assert a.parameter_set == PARAMETER_SET and a.years.tolist() == list(range(1, 31))


def test_monte_carlo_converges_on_the_deterministic_removals() -> None:
    det = net_removals(ESTATE, 30)
    small = monte_carlo(ESTATE, 30, 1_000, seed=3)
    large = monte_carlo(ESTATE, 30, 40_000, seed=4)
    # the factors have mean 1 and enter linearly: the mean converges on the defaults' result
    assert np.max(np.abs(large.mean / det - 1)) < 0.01
    assert np.max(np.abs(large.p50 / det - 1)) < 0.05
    assert np.all(large.p90 <= large.p50) and np.all(large.p50 <= large.p10)
    # exceedance: P90 (conservative) below the deterministic figure, P10 above
    assert np.all(large.p90 < det) and np.all(large.p10 > det)
    # the band stabilises as draws grow
    width_small, width_large = small.p10 - small.p90, large.p10 - large.p90
    assert np.max(np.abs(width_small / width_large - 1)) < 0.15


def test_monte_carlo_refuses_bad_draws_and_seeds() -> None:
    for kwargs, field in (({"draws": 1, "seed": 0}, "draws"), ({"draws": 10, "seed": -1}, "seed"),
                          ({"draws": 10, "seed": 0, "leakage_share": 1.5}, "leakage_share")):
        with pytest.raises(InvalidInput) as e:
            monte_carlo(ESTATE, 5, **kwargs)  # type: ignore[arg-type]
        assert e.value.data["field"] == field


# ------------------------------------------------------------------ properties
groups = st.sampled_from(list(SpeciesGroup))
stands = st.builds(Stand, id=st.just("s"), group=groups,
                   area_ha=st.floats(0.01, 1e4), age=st.floats(0, 120),
                   site_factor=st.floats(0.3, 2.0))


@given(st.lists(stands, min_size=1, max_size=8), st.integers(1, 40))
def test_growing_stands_with_no_baseline_never_remove_less_than_nothing(
        s: list[Stand], years: int) -> None:
    assert np.all(net_removals(s, years) >= 0)


@given(groups, st.floats(0, 150), st.floats(0, 150))
def test_stock_is_monotone_in_age(group: SpeciesGroup, a1: float, a2: float) -> None:
    lo, hi = sorted((a1, a2))
    assert stock_co2([Stand("x", group, 1.0, lo)], 0) <= stock_co2([Stand("x", group, 1.0, hi)], 0)


@given(st.floats(0, 1e9), st.integers(0, 100))
def test_credits_and_buffer_never_exceed_the_net_and_the_buffer_covers_its_share(
        net: float, pct: int) -> None:
    owner, buffer = issuable_credits(net, pct)
    assert owner >= 0 and buffer >= 0
    assert owner + buffer <= net
    assert buffer >= math.floor(net) * pct / 100
    assert buffer == math.ceil(math.floor(net) * pct / 100) or buffer - 1 < math.floor(net) * \
        pct / 100


# ------------------------------------------------------------------ bad input
@pytest.mark.parametrize(("kwargs", "field"), [
    ({"area_ha": -1.0}, "area_ha"),
    ({"area_ha": 0.0}, "area_ha"),
    ({"age": math.nan}, "age"),
    ({"site_factor": math.inf}, "site_factor"),
    ({"group": "eucalyptus"}, "group"),
])
def test_a_bad_stand_is_refused_with_its_field(kwargs: dict[str, object], field: str) -> None:
    base: dict[str, object] = {"id": "s", "group": G.FIR, "area_ha": 1.0, "age": 1.0}
    with pytest.raises(InvalidInput) as e:
        Stand(**{**base, **kwargs})  # type: ignore[arg-type]
    assert e.value.data["field"] == field


def test_bad_arrays_and_rows_are_refused_with_their_field() -> None:
    cases = [(lambda: volume_per_ha(DEFAULTS[G.FIR].growth, [1.0, math.nan]), "age"),
             (lambda: biomass_co2(G.FIR, [-1.0]), "volume_m3"),
             (lambda: biomass_co2("teak", [1.0]), "group"),
             (lambda: stock_co2(ESTATE, [-1]), "years_from_now"),
             (lambda: inventory_stock([(G.FIR, -2.0, 1.0)]), "rows[0].area_ha"),
             (lambda: inventory_stock([(G.FIR, 1.0, math.nan)]), "rows[0].volume_m3"),
             (lambda: net_removals(ESTATE, 0), "years"),
             (lambda: issuable_credits(math.nan), "net_tco2")]
    for call, field in cases:
        with pytest.raises(InvalidInput) as e:
            call()
        assert e.value.data["field"] == field, field


# Fang's biomass–volume functions B = a·V + b (B total tree biomass t/ha, V stem volume
# m3/ha), as printed in 李银 et al. 2016, 植物生态学报 40, doi 10.17521/cjpe.2015.0193,
# Table 1 (read at DreamBlooms/ChinaXiv-201601-to-202209@b13a740,
# md/ChinaXiv-201605.00429V1.md, lines 57-75): 杉木, 马尾松, 柏木, 栎类 (our broadleaf)
FANG = {SpeciesGroup.FIR: (0.4652, 19.141), SpeciesGroup.MASSON_PINE: (0.5034, 20.547),
        SpeciesGroup.CYPRESS: (0.6129, 46.1451), SpeciesGroup.BROADLEAF: (1.1453, 8.5473)}


@pytest.mark.parametrize("group", sorted(FANG))
def test_the_biomass_per_volume_agrees_with_fangs_national_functions(
        group: SpeciesGroup) -> None:
    """At a mature stand's 100 m3/ha, the chain WD · BEF · (1 + R) gives the tree biomass of
    Fang's functions fitted to China's national inventory to within 10 % (the defaults' WD
    and BEF are unverified; this bounds them by a printed, independent source)."""
    p = DEFAULTS[group]
    ours = 100 * p.wood_density.value * p.bef.value * (1 + p.root_shoot.value)
    a, b = FANG[group]
    assert ours == pytest.approx(a * 100 + b, rel=0.10)
