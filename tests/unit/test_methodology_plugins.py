"""The methodologies: their parameters pinned to the numbers printed in their sources, the
steps of their math that a published table reproduces, and the properties every version
keeps. docs/methodologies.md says, for each methodology, which published project document a
worked example would need and that none with every input printed was found (no test here
pretends otherwise: hand arithmetic on invented inputs proves nothing about a source)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qingshan.errors import InvalidInput
from qingshan.registry.methodologies import ALL, CURRENT, biogas, forest, get, inclusive, pv
from qingshan.registry.methodologies.base import FixedParameter, Methodology, ParameterKind
from qingshan.registry.monitoring import period_years


def default(m: Methodology, pid: str) -> float | None:
    p = m.parameter(pid)
    assert p is not None, pid
    return p.default


# ------------------------------------------------------------------ numbers printed in sources
def test_pv_combined_margin_weights_reproduce_a_published_grid_factor_table() -> None:
    """Philippine DOE, "2015-2017 National Grid Emission Factor (NGEF)", Tables 1 and 2: the
    printed OM and BM give the printed combined margin for wind and solar with TOOL07's
    weights 0.75 / 0.25 (doe.gov.ph/electric-power/2015-2017-national-grid-emission-factor-ngef)."""
    w = {"w_om": default(pv.V2, "w_om"), "w_bm": default(pv.V2, "w_bm")}
    for om, bm, printed_cm in ((0.7122, 0.5979, 0.6836),  # Luzon-Visayas, Table 1
                               (0.7797, 0.8045, 0.7859)):  # Mindanao, Table 2
        per_mwh = pv.V2.calculate({"eg_mwh": 1.0, "ef_om": om, "ef_bm": bm, **w})
        assert round(per_mwh, 4) == printed_cm


def test_pv_legacy_default_was_the_2022_consumption_average() -> None:
    # MEE/NBS announcement of 2024-12-20: 全国电力平均二氧化碳排放因子 0.5366 kgCO2/kWh, "供核算电力
    # 消费的二氧化碳排放量时参考使用" — a consumption average, which @2.0 no longer uses
    assert default(pv.V1, "ef_grid") == 0.5366
    assert pv.V2.parameter("ef_grid") is None and pv.V2.grid_factors == ("om", "bm")


def test_biogas_uses_chinese_raw_coal_not_other_bituminous() -> None:
    # GB/T 2589-2020 appendix A: 原煤 20,908 kJ/kg; IPCC 2006 Vol. 2 ch. 1 Table 1.2 gives other
    # bituminous coal 25.8 TJ/Gg, which overstates raw coal by about 23 %
    assert default(biogas.V2, "ncv_gj_per_t") == 20.908
    assert default(biogas.V1, "ncv_gj_per_t") == 25.8
    assert round(25.8 / 20.908 - 1, 2) == 0.23
    assert default(biogas.V2, "ef_kg_per_gj") == 94.6  # IPCC Table 1.4, other bituminous
    # Gold Standard passport of the Guizhou programme: "an annual production of around 385m3"
    assert default(biogas.V2, "biogas_m3") == 385


def test_inclusive_factors_are_shenzhen_public_travel_factors() -> None:
    # 深圳商报 2022-09-23 quoting 《深圳市低碳公共出行碳普惠方法学》:
    # 纯电动公共汽车 26.9 g, 地铁 46.7 g per person-km
    assert (default(inclusive.V2, "f_metro"), default(inclusive.V2, "f_bus")) == (46.7, 26.9)
    assert "纯电动" in inclusive.V2.source.locator


def test_forest_is_afforestation_only_as_its_source() -> None:
    # CCER-14-001-V01 applies to 乔木、竹子和灌木造林, not economic forests nor forest management
    for m in (forest.V1, forest.V2):
        assert m.title_zh == "造林碳汇" and "management" not in m.title_en
        assert "CCER-14-001-V01" in m.source.document and "造林碳汇" in m.source.document


# ------------------------------------------------------------------ the math of each version
def test_legacy_versions_keep_the_math_their_entries_were_journaled_with() -> None:
    # registry rules 1 took every parameter from the report: these are the results old
    # journal entries hold, and replay must give them again
    assert pv.V1.reductions({"eg_mwh": 1000}) == 536
    assert pv.V1.reductions({"eg_mwh": 1000, "ef_grid": 0.6}) == 600
    assert biogas.V1.reductions({"digesters": 100.5, "coal_per_digester_t": 1}) == 245
    assert forest.V1.reductions({"actual_removals": 12_500.7, "baseline_removals": 1_200,
                                 "leakage": 300}) == 11_000
    assert inclusive.V1.reductions({"metro_pkm": 1e6, "bus_pkm": 0, "f_metro": 60}) == 60
    # every legacy or closed version names a successor, and its chain ends in a current one
    for m in ALL:
        seen = m
        while seen.legacy or seen.closed:
            assert seen.successor, seen.key
            seen = get(seen.successor)
        assert seen in CURRENT


BIOGAS_FIXED = (("ch4_fraction", "0.6"), ("gwp_ch4", "21"), ("leak_fraction", "0.1"))


def biogas_fixed() -> tuple[tuple[str, str], ...]:
    return biogas.V2.fixed_values(BIOGAS_FIXED)


def test_biogas_scales_the_yearly_coal_by_the_period_and_deducts_leakage() -> None:
    fixed = biogas_fixed()
    values = {"digesters": 1000.0, "coal_per_digester_t": 0.8}
    year = biogas.V2.compute(values, fixed, {"period_years": "1"})
    half = biogas.V2.compute(values, fixed, {"period_years": "0.5"})
    assert half in (year // 2, year // 2 - 1)
    no_leak = biogas.V2.fixed_values((*BIOGAS_FIXED[:2], ("leak_fraction", "0")))
    assert biogas.V2.compute(values, no_leak, {"period_years": "1"}) > year
    # the leakage term: 385 m³ × 0.6 × 0.1 × 0.716 kg/m³ × 21 = 347.3 kg CO2e a digester-year
    coal = 0.8 * 20.908 * 94.6
    assert year == int(1000 * (coal - 385 * 0.6 * 0.1 * 0.716 * 21) / 1000)


def test_biogas_counts_whole_digesters_only() -> None:
    with pytest.raises(InvalidInput) as exc:
        biogas.V2.monitored_values((("coal_per_digester_t", "0.8"), ("digesters", "100.5")))
    assert [e["field"] for e in exc.value.data["errors"]] == ["digesters"]


def test_forest_baseline_is_a_yearly_rate_scaled_by_the_period() -> None:
    fixed = forest.V2.fixed_values((("baseline_per_year", "100"),))
    got = forest.V2.compute({"actual_removals": 5_000.0, "leakage": 0.0}, fixed,
                            {"period_years": "2.5"})
    assert got == 5_000 - 250


def test_a_period_counts_each_calendar_year_by_its_own_days() -> None:
    assert period_years("2024-01-01", "2024-12-31") == 1  # a leap year is one year
    assert period_years("2023-07-01", "2024-06-30") == pytest.approx(184 / 365 + 182 / 366)


# ------------------------------------------------------------------ what validation may fix
def test_a_report_carrying_a_fixed_value_is_refused_with_every_field_named() -> None:
    with pytest.raises(FixedParameter) as exc:
        pv.V2.monitored_values((("eg_mwh", "1000"), ("ef_om", "1.5"), ("w_om", "1")))
    assert exc.value.data["fields"] == ["ef_om", "w_om"]
    with pytest.raises(FixedParameter):
        inclusive.V2.monitored_values((("bus_pkm", "0"), ("f_metro", "500"),
                                       ("metro_pkm", "1")))


def test_validation_fixes_defaults_and_refuses_monitored_or_missing_ones() -> None:
    assert dict(pv.V2.fixed_values(())) == {"w_bm": "0.25", "w_om": "0.75"}
    with pytest.raises(InvalidInput) as exc:
        pv.V2.fixed_values((("eg_mwh", "5"), ("w_om", "0.9")))
    fields = [e["field"] for e in exc.value.data["errors"]]
    assert "eg_mwh" in fields and "fixed" not in fields  # weights checked once the rest is right
    with pytest.raises(InvalidInput) as exc:
        pv.V2.fixed_values((("w_om", "0.9"),))
    assert exc.value.data["errors"] == [{"field": "fixed",
                                         "message": "w_om and w_bm must add up to 1"}]
    with pytest.raises(InvalidInput) as exc:
        biogas.V2.fixed_values(())  # no default where no source was read: the PDD fixes them
    assert {e["field"] for e in exc.value.data["errors"]} == {"ch4_fraction", "gwp_ch4",
                                                              "leak_fraction"}


def test_every_default_names_its_source() -> None:
    for m in ALL:
        assert m.source.document and m.source.issuer
        for p in m.parameters:
            if p.default is not None or p.kind is not ParameterKind.MONITORED:
                assert p.source is not None or p.id == "period_years", (m.key, p.id)
    assert get("CQ-PV@2.0") is pv.V2
    assert len({m.key for m in ALL}) == len(ALL)


def test_missing_and_out_of_range_values_are_all_reported() -> None:
    with pytest.raises(InvalidInput) as exc:
        biogas.V1.reductions({"digesters": -1, "ncv_gj_per_t": 99, "colour": 1})
    fields = {e["field"] for e in exc.value.data["errors"]}
    assert fields == {"digesters", "coal_per_digester_t", "ncv_gj_per_t", "colour"}
    with pytest.raises(InvalidInput) as exc:
        biogas.V2.monitored_values((("colour", "1"), ("digesters", "-1")))
    fields = {e["field"] for e in exc.value.data["errors"]}
    assert fields == {"digesters", "coal_per_digester_t", "colour"}


@given(a=st.floats(0, 1e6), b=st.floats(0, 1e6))
def test_reductions_are_whole_non_negative_and_grow_with_activity(a: float, b: float) -> None:
    lo, hi = sorted((a, b))
    cases = ((pv.V2, "eg_mwh", {}, {"ef_om": "0.8", "ef_bm": "0.3"}),
             (inclusive.V2, "metro_pkm", {"bus_pkm": 0.0}, {}),
             (forest.V2, "actual_removals", {"leakage": 0.0}, {"period_years": "1"}))
    for m, key, rest, derived in cases:
        fixed = m.fixed_values((("baseline_per_year", "10"),) if m is forest.V2 else ())
        r_lo = m.compute({key: lo, **rest}, fixed, derived)
        r_hi = m.compute({key: hi, **rest}, fixed, derived)
        assert isinstance(r_lo, int) and 0 <= r_lo <= r_hi
