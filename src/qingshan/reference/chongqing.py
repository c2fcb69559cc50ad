"""County-level divisions of Chongqing Municipality (重庆市), GB/T 2260 codes 50xxxx.

Sources
-------
* Codes and names: the Ministry of Civil Affairs' list 《中华人民共和国县以上行政区划代码》
  (民政部, https://www.mca.gov.cn/mzsj/xzqh/), read through the yearly copies kept in
  https://github.com/yescallop/areacodes (``data/2024.txt``, ``data/2025.txt``,
  ``diff/2024-2025.diff``).
* The 2025 change: 重庆市人民政府《关于党中央、国务院批准同意调整江北区渝北区北碚区行政区划的
  公告》(渝府发〔2025〕15号, announced 6-7 November 2025): 江北区 (500105) and 渝北区 (500112)
  are abolished and 两江新区 (500157) is set up; 大湾、统景、大盛、兴隆、茨竹 five towns of
  the old 渝北区 go to 北碚区. Chongqing now has 25 districts, 8 counties and 4 autonomous
  counties: 37 county-level divisions (news reports of 6 November 2025, e.g. hk01.com,
  chinasei.com.cn quoting 人民日报; 两江新区 was formally inaugurated on 25 January 2026).
* Coordinates: the approximate seat of each government (区/县人民政府驻地), rounded to two
  decimals (about 1 km), taken from the ``center`` values of the public AMap/DataV boundary
  data (GCJ-02; the offset from WGS-84 is well under 0.01° here). 两江新区's seat (金山街道
  金渝大道66号) is an estimate from its address, good to a few kilometres.

:data:`DISTRICTS` is the current list (37). :data:`DISTRICTS_2024` is the list in force from
the end of 2016 (梁平、武隆 became districts) until November 2025 (38: 26 + 8 + 4): codes that
appear in older records, e.g. in the positions 3-8 of a unified social credit code, which
never changes after it is issued.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

__all__ = [
    "ABOLISHED",
    "ABOLISHED_ON",
    "DISTRICTS",
    "DISTRICTS_2024",
    "District",
    "DistrictKind",
    "find_district",
]

DistrictKind = Literal["district", "county", "autonomous_county"]


@dataclass(frozen=True, slots=True)
class District:
    """One county-level division: 市辖区 (district), 县 (county) or 自治县 (autonomous county)."""

    code: str  # GB/T 2260, six digits
    name_zh: str
    name_en: str
    kind: DistrictKind
    lon: float  # approximate seat of government, degrees east
    lat: float  # degrees north


_D: DistrictKind = "district"
_C: DistrictKind = "county"
_A: DistrictKind = "autonomous_county"

_ROWS: tuple[tuple[str, str, str, DistrictKind, float, float], ...] = (
    # 市辖区 (districts)
    ("500101", "万州区", "Wanzhou District", _D, 108.38, 30.81),
    ("500102", "涪陵区", "Fuling District", _D, 107.39, 29.70),
    ("500103", "渝中区", "Yuzhong District", _D, 106.56, 29.56),
    ("500104", "大渡口区", "Dadukou District", _D, 106.49, 29.48),
    ("500105", "江北区", "Jiangbei District", _D, 106.53, 29.58),  # abolished 2025
    ("500106", "沙坪坝区", "Shapingba District", _D, 106.45, 29.54),
    ("500107", "九龙坡区", "Jiulongpo District", _D, 106.48, 29.52),
    ("500108", "南岸区", "Nan'an District", _D, 106.56, 29.52),
    ("500109", "北碚区", "Beibei District", _D, 106.44, 29.83),
    ("500110", "綦江区", "Qijiang District", _D, 106.65, 29.03),
    ("500111", "大足区", "Dazu District", _D, 105.72, 29.70),
    ("500112", "渝北区", "Yubei District", _D, 106.51, 29.60),  # abolished 2025
    ("500113", "巴南区", "Banan District", _D, 106.52, 29.38),
    ("500114", "黔江区", "Qianjiang District", _D, 108.78, 29.53),
    ("500115", "长寿区", "Changshou District", _D, 107.07, 29.83),
    ("500116", "江津区", "Jiangjin District", _D, 106.25, 29.28),
    ("500117", "合川区", "Hechuan District", _D, 106.27, 29.99),
    ("500118", "永川区", "Yongchuan District", _D, 105.89, 29.35),
    ("500119", "南川区", "Nanchuan District", _D, 107.10, 29.16),
    ("500120", "璧山区", "Bishan District", _D, 106.23, 29.59),
    ("500151", "铜梁区", "Tongliang District", _D, 106.05, 29.84),
    ("500152", "潼南区", "Tongnan District", _D, 105.84, 30.19),
    ("500153", "荣昌区", "Rongchang District", _D, 105.59, 29.40),
    ("500154", "开州区", "Kaizhou District", _D, 108.41, 31.17),
    ("500155", "梁平区", "Liangping District", _D, 107.80, 30.67),
    ("500156", "武隆区", "Wulong District", _D, 107.76, 29.32),
    ("500157", "两江新区", "Liangjiang New Area", _D, 106.51, 29.65),  # set up 2025
    # 县 (counties)
    ("500229", "城口县", "Chengkou County", _C, 108.66, 31.95),
    ("500230", "丰都县", "Fengdu County", _C, 107.73, 29.87),
    ("500231", "垫江县", "Dianjiang County", _C, 107.35, 30.33),
    ("500233", "忠县", "Zhong County", _C, 108.04, 30.29),
    ("500235", "云阳县", "Yunyang County", _C, 108.70, 30.93),
    ("500236", "奉节县", "Fengjie County", _C, 109.47, 31.02),
    ("500237", "巫山县", "Wushan County", _C, 109.88, 31.07),
    ("500238", "巫溪县", "Wuxi County", _C, 109.63, 31.40),
    # 自治县 (autonomous counties)
    ("500240", "石柱土家族自治县", "Shizhu Tujia Autonomous County", _A, 108.11, 30.00),
    ("500241", "秀山土家族苗族自治县", "Xiushan Tujia and Miao Autonomous County", _A,
     109.00, 28.44),
    ("500242", "酉阳土家族苗族自治县", "Youyang Tujia and Miao Autonomous County", _A,
     108.77, 28.84),
    ("500243", "彭水苗族土家族自治县", "Pengshui Miao and Tujia Autonomous County", _A,
     108.17, 29.29),
)

_BY_CODE: dict[str, District] = {row[0]: District(*row) for row in _ROWS}

#: Date the abolition of 江北区 and 渝北区 and the creation of 两江新区 were announced.
ABOLISHED_ON = date(2025, 11, 6)

_GONE = ("500105", "500112")
_NEW = ("500157",)

#: The current county-level divisions (MCA list, 2025 onwards): 25 + 8 + 4 = 37, by code.
DISTRICTS: tuple[District, ...] = tuple(d for c, d in _BY_CODE.items() if c not in _GONE)

#: The divisions of the MCA lists of 2017-2024: 26 + 8 + 4 = 38, by code.
DISTRICTS_2024: tuple[District, ...] = tuple(d for c, d in _BY_CODE.items() if c not in _NEW)

#: Divisions abolished since the 2024 list (江北区, 渝北区), still found in older records.
ABOLISHED: tuple[District, ...] = tuple(_BY_CODE[c] for c in _GONE)


def find_district(code: str) -> District | None:
    """The division with this GB/T 2260 code, current or abolished since 2024, else ``None``."""
    return _BY_CODE.get(code.strip()) if isinstance(code, str) else None
