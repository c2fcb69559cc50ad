"""Each methodology against a worked example computed exactly as its source states, and the
properties every methodology keeps."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qingshan.errors import InvalidInput
from qingshan.registry.methodologies import ALL, biogas, forest, get, inclusive, pv


def test_pv_uses_the_2022_national_grid_factor() -> None:
    # 1,000 MWh × 0.5366 tCO2/MWh (MEE/NBS 2022 national average) = 536.6 → 536 t
    assert pv.METHODOLOGY.reductions({"eg_mwh": 1000}) == 536
    # a validated provincial factor replaces the default
    assert pv.METHODOLOGY.reductions({"eg_mwh": 1000, "ef_grid": 0.2268}) == 226


def test_forest_net_removals_subtract_baseline_and_leakage() -> None:
    # CCER-14-001-V01: ΔC_NET = ΔC_ACTUAL − ΔC_BSL − LK
    values = {"actual_removals": 12_500.7, "baseline_removals": 1_200, "leakage": 300}
    assert forest.METHODOLOGY.reductions(values) == 11_000
    assert forest.METHODOLOGY.buffer_percent == 10


def test_biogas_uses_ipcc_coal_defaults() -> None:
    # 1,000 digesters × 1.0 t coal × 25.8 GJ/t × 94.6 kg/GJ = 2,440,680 kg = 2,440.68 t
    assert biogas.METHODOLOGY.reductions({"digesters": 1000, "coal_per_digester_t": 1}) == 2440


def test_inclusive_pool_uses_shenzhen_public_transport_factors() -> None:
    # 10 million metro pkm × 46.7 g + 5 million bus pkm × 26.9 g = 467 t + 134.5 t
    assert inclusive.METHODOLOGY.reductions({"metro_pkm": 10_000_000,
                                             "bus_pkm": 5_000_000}) == 601


def test_every_default_names_its_source() -> None:
    for m in ALL:
        assert m.source.document and m.source.issuer
        for p in m.parameters:
            if p.default is not None:
                assert p.source is not None, (m.key, p.id)
    assert get("CQ-PV@1.0") is pv.METHODOLOGY
    assert len({m.key for m in ALL}) == len(ALL)


def test_missing_and_out_of_range_values_are_all_reported() -> None:
    with pytest.raises(InvalidInput) as exc:
        biogas.METHODOLOGY.reductions({"digesters": -1, "ncv_gj_per_t": 99, "colour": 1})
    fields = {e["field"] for e in exc.value.data["errors"]}
    assert fields == {"digesters", "coal_per_digester_t", "ncv_gj_per_t", "colour"}


@given(a=st.floats(0, 1e6), b=st.floats(0, 1e6))
def test_reductions_are_whole_non_negative_and_grow_with_activity(a: float, b: float) -> None:
    lo, hi = sorted((a, b))
    for m, key, rest in ((pv.METHODOLOGY, "eg_mwh", {}),
                         (inclusive.METHODOLOGY, "metro_pkm", {"bus_pkm": 0}),
                         (forest.METHODOLOGY, "actual_removals", {})):
        r_lo, r_hi = m.reductions({key: lo, **rest}), m.reductions({key: hi, **rest})
        assert isinstance(r_lo, int) and 0 <= r_lo <= r_hi
