"""The county-level divisions of Chongqing (GB/T 2260, MCA list)."""

from __future__ import annotations

import dataclasses
from collections import Counter

import pytest

from qingshan.ledger.domain.identifiers import validate_admin_code
from qingshan.reference.chongqing import (
    ABOLISHED,
    ABOLISHED_ON,
    DISTRICTS,
    DISTRICTS_2024,
    District,
    find_district,
)

SUFFIX = {"district": ("区",), "county": ("县",), "autonomous_county": ("自治县",)}


@pytest.mark.parametrize("table", [DISTRICTS, DISTRICTS_2024], ids=["current", "2024"])
def test_codes_and_names(table: tuple[District, ...]) -> None:
    codes = [d.code for d in table]
    assert len(set(codes)) == len(codes)
    assert codes == sorted(codes)
    for d in table:
        assert validate_admin_code(d.code) == d.code
        assert d.code.startswith("50")
        assert d.name_zh.endswith(SUFFIX[d.kind])
        assert d.kind != "county" or not d.name_zh.endswith("自治县")
        assert d.name_en and d.name_en.isascii()
        # approximate seats lie inside Chongqing's bounding box, two decimals
        assert 105.28 <= d.lon <= 110.20 and 28.16 <= d.lat <= 32.21
        assert round(d.lon, 2) == d.lon and round(d.lat, 2) == d.lat
    assert len({d.name_zh for d in table}) == len(table)
    assert len({d.name_en for d in table}) == len(table)


def test_current_list_has_37() -> None:
    # 渝府发〔2025〕15号: 江北区 and 渝北区 abolished, 两江新区 set up: 25 + 8 + 4
    assert len(DISTRICTS) == 37
    assert Counter(d.kind for d in DISTRICTS) == {"district": 25, "county": 8,
                                                 "autonomous_county": 4}
    assert {d.code for d in DISTRICTS} >= {"500101", "500157", "500243"}
    assert not {"500105", "500112"} & {d.code for d in DISTRICTS}


def test_2024_list_has_38() -> None:
    assert len(DISTRICTS_2024) == 38
    assert Counter(d.kind for d in DISTRICTS_2024) == {"district": 26, "county": 8,
                                                      "autonomous_county": 4}
    assert "500157" not in {d.code for d in DISTRICTS_2024}


def test_change_between_lists() -> None:
    assert {d.code for d in DISTRICTS_2024} - {d.code for d in DISTRICTS} == {
        d.code for d in ABOLISHED} == {"500105", "500112"}
    assert {d.name_zh for d in ABOLISHED} == {"江北区", "渝北区"}
    assert ABOLISHED_ON.year == 2025


def test_known_entries() -> None:
    expected = {
        "500101": ("万州区", "district"),
        "500151": ("铜梁区", "district"),
        "500153": ("荣昌区", "district"),
        "500154": ("开州区", "district"),
        "500155": ("梁平区", "district"),
        "500156": ("武隆区", "district"),
        "500157": ("两江新区", "district"),
        "500229": ("城口县", "county"),
        "500233": ("忠县", "county"),
        "500240": ("石柱土家族自治县", "autonomous_county"),
        "500243": ("彭水苗族土家族自治县", "autonomous_county"),
    }
    for code, (name, kind) in expected.items():
        d = find_district(code)
        assert d is not None and (d.name_zh, d.kind) == (name, kind)
    # codes never used by a Chongqing county-level division
    for code in ("500232", "500234", "500239", "500100", "500000", "510101"):
        assert find_district(code) is None


def test_find_district_includes_abolished_and_strips() -> None:
    assert find_district(" 500112 ") == ABOLISHED[1]
    assert find_district(500101) is None  # type: ignore[arg-type]


def test_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        DISTRICTS[0].code = "500199"  # type: ignore[misc]


def test_every_current_division_has_towns_named_as_towns() -> None:
    from qingshan.reference.towns import TOWNS

    assert set(TOWNS) == {d.code for d in DISTRICTS}
    for code, names in TOWNS.items():
        assert 4 <= len(names) <= 12, code
        assert len(set(names)) == len(names), code
        assert all(n.endswith(("镇", "乡", "街道")) for n in names), code
    # the 2025 change: 渝北's 统景镇 went to 北碚区, 北碚's 童家溪镇 to 两江新区
    assert "统景镇" in TOWNS["500109"] and "童家溪镇" in TOWNS["500157"]
    assert "童家溪镇" not in TOWNS["500109"]


def test_short_names_drop_the_kind_of_place() -> None:
    from qingshan.reference.towns import short

    assert [short(n) for n in ("白马镇", "石桥苗族土家族乡", "七星岗街道", "武隆区",
                               "秀山土家族苗族自治县", "两江新区", "忠县")] == \
        ["白马", "石桥", "七星岗", "武隆", "秀山", "两江", "忠县"]
