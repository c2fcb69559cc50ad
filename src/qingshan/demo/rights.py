"""The demo's resource rights: every district's forest by year from 2018, its own target, the
forest-area contracts between districts at 2,500 yuan/mu with their tranches and checks, the
2025 succession of 江北区 and 渝北区 to 两江新区, and restoration projects that earned a
development-right quota, transferred to the business that runs it, whose income comes back.

What is sourced and what is not (notes/rights-research.md, shared/research/markets.md):

* Sourced: the 2018 scheme (重庆市实施横向生态补偿提高森林覆盖率工作方案（试行）, Oct 2018) and
  its per-district 尽责目标 (not a uniform 55 %); the city's coverage 46.3 % (2017), ≈52.5 %
  (2020), 54.5 % (2021), 55.04 % (2022), 55.06 % (2023); 城口 70.2 % (2020), 酉阳 55 % → 64.5 %
  over ten years (to 2025), 綦江 51.4 % (2023), 垫江 35.3 % (2018) with its own goal of 55 %,
  璧山 43.79 % (2024) with a 60万亩 target; the deals 九龙坡 ← 城口 15,000 mu signed
  2019-11-05 (37.5 M), 渝中 ← 巫溪 11,190 mu (27.975 M), 巫溪's three deals 41,190 mu, and 8
  deals, 362,300 mu, 905.75 M yuan to 2021-11-30 (17万亩 of them in 2021); the mine park of
  中梁山 (渝隆集团, 2,378 mu restored) and 猎神村 (5.4 ha reclaimed, collective income 0.41 M
  yuan in 2017, 3.34 M in 2023); 渝府发〔2025〕15号.
* Unverified but widely reported: 江北 ← 酉阳 75,000 mu, 187.5 M yuan, 2019.
* Invented (marked where they are set): the land areas (commonly cited figures, rounded), every
  other coverage figure and every target, the dates and split of the other deals, the
  tranches (three over three years), the maintenance term (15 years), the failed checks, the
  other restorations and the incomes between 2017 and 2023 (interpolated).

Nothing here talks to the sequencer but :class:`RightsDesk`, through the loader's runner.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from qingshan.ledger.domain.commands import (
    CreateAssetClass,
    OpenAccount,
    RegisterParty,
    Transfer,
)
from qingshan.ledger.domain.identifiers import make_uscc
from qingshan.ledger.domain.model import (
    AccountType,
    AssetKind,
    PartyKind,
    Principal,
    Role,
)
from qingshan.ledger.sequencer import Receipt
from qingshan.reference.chongqing import DISTRICTS, DISTRICTS_2024
from qingshan.rights.commands import (
    AcceptRestoration,
    AgreeContract,
    ApproveContract,
    IssueIndicators,
    ProposeContract,
    RecordMeasurement,
    RecordSuccession,
    RecordTrancheCheck,
    RegisterRestoration,
    ReleaseTranche,
    ReportIncome,
    SetIndicatorFloor,
    TransferDevelopmentRight,
)
from qingshan.rights.model import (
    BPS,
    MU_PER_KM2,
    IndicatorKind,
    RightUse,
    SiteKind,
    TrancheTerms,
)

RIGHTS_ASSETS = [
    CreateAssetClass("GII", AssetKind.SERIALIZED, "mu",
                     "绿化增量责任指标 greening-increment indicator", "QS"),
    CreateAssetClass("CWI", AssetKind.SERIALIZED, "section-year",
                     "清水增量责任指标 clean-water-increment indicator", "QS"),
    CreateAssetClass("DRQ", AssetKind.SERIALIZED, "mu",
                     "生态修复开发权指标 development-right quota", "QS"),
]
FLOOR = 250_000  # fen per mu: 2,500 yuan, the price of every verified deal (a floor: assumed)
FLOOR_DAY = dt.date(2018, 10, 15)  # the scheme was issued in October 2018 (the day: assumed)
FIRST_DAY = FLOOR_DAY  # the demo's first rights entry
FORESTRY = Principal("demo-forestry", Role.FORESTRY, None)
SOURCE = "重庆市林业局 森林资源管理“一张图”{year}年度更新"
JIANGBEI, YUBEI, LIANGJIANG, BEIBEI = "500105", "500112", "500157", "500109"
SUCCESSION_DAY = dt.date(2025, 11, 6)
SUCCESSION_NOTE = ("渝府发〔2025〕15号 关于党中央、国务院批准同意调整江北区渝北区北碚区行政区划的"
                   "公告")

# The city's forest coverage, % (sourced: 2017 46.3, 2020 ≈52.5, 2021 54.5, 2022 55.04, 2023
# 55.06; 2018 and 2019 interpolated, 2024 and 2025 assumed: "stable above 55 %").
CITY = {2017: 46.3, 2018: 48.3, 2019: 50.1, 2020: 52.5, 2021: 54.5, 2022: 55.04,
        2023: 55.06, 2024: 55.10, 2025: 55.12}
YEARS = range(2018, 2026)

# code: (land km², coverage 2018 %, coverage 2025 %, margin of the target, pts).
# Land: commonly cited areas, rounded (the research found none but 酉阳's). Coverage: invented
# except where the module's docstring says sourced; the path between 2018 and 2025 follows
# the city's, and every district but the buyers and the sourced ones is shifted by the same
# amount each year (-1.5 to -2.4 pts) so that the land-weighted mean is the city's figure.
# A target is the 2022 coverage less the margin: the scheme's goal was for 2022, so most
# districts are short of it before. The sellers' target is their 2018 coverage less 1-1.5
# pts, so that they had forest to sell in 2019; 垫江 keeps the 55 % it set itself and 潼南 a
# target above its forest: both stay short. All targets are invented (the districts' 尽责目标
# were not found); weighted by land they come to about 53.6 % (``summary()``): the city's
# 55 % is its coverage, reached in 2022, not a sum of targets.
TABLE: dict[str, tuple[int, float, float, float]] = {
    "500101": (3457, 47.0, 53.0, 0.3), "500102": (2942, 46.0, 52.0, 0.2),
    "500104": (103, 22.0, 26.0, 0.2), "500106": (396, 36.0, 40.0, 0.3),
    "500109": (755, 58.0, 62.0, 0.4), "500110": (2748, 45.0, 51.6, 0.2),
    "500111": (1390, 38.0, 45.0, 0.2), "500112": (1452, 43.0, 47.0, 0.3),
    "500113": (1825, 47.0, 53.0, 0.2), "500114": (2397, 58.0, 65.0, 1.5),
    "500115": (1415, 40.0, 46.0, 0.2), "500116": (3200, 47.0, 52.0, 0.2),
    "500117": (2356, 37.0, 44.0, 0.2), "500118": (1576, 45.0, 50.0, 0.2),
    "500119": (2602, 55.0, 61.0, 0.5), "500151": (1342, 39.0, 45.0, 0.2),
    "500152": (1585, 37.0, 44.0, -0.9), "500153": (1077, 36.0, 43.0, 0.2),
    "500154": (3959, 50.0, 56.0, 0.3), "500155": (1892, 42.0, 48.0, 0.2),
    "500156": (2901, 60.0, 66.0, 0.7), "500229": (3289, 67.8, 71.6, 1.0),
    "500230": (2901, 48.0, 55.0, 0.2), "500231": (1518, 35.3, 47.0, -9.0),
    "500233": (2184, 45.0, 52.0, 0.2), "500235": (3649, 50.0, 57.0, 0.4),
    "500236": (4087, 50.0, 58.0, 0.4), "500237": (2958, 56.0, 62.0, 0.7),
    "500238": (4030, 64.0, 69.0, 1.0), "500240": (3013, 56.0, 62.0, 0.5),
    "500241": (2450, 55.0, 61.0, 0.5), "500242": (5173, 58.5, 64.5, 1.5),
    "500243": (3903, 56.0, 62.0, 1.0),
}
# the sellers of the deals: their targets are under their 2018 forest (they sold from 2019)
SELLERS = frozenset({"500114", "500229", "500238", "500242", "500243"})
# 酉阳, 城口, 綦江 and 垫江 keep the figures sourced for them (not shifted)
SOURCED = frozenset({"500242", "500229", "500110", "500231"})
# The buyers: land, coverage 2018 and 2025 and their own target (%), not shifted. Their
# targets are lower than the mountain counties' but above their own forest: the gap is what the
# public deals close (so the deals, not a source, set them; invented). 璧山: the published
# 43.79 % of 2024 read as including the indicators it bought, its target 60万亩 of 1,372,500.
BUYERS: dict[str, tuple[int, float, float, float]] = {
    "500103": (22, 9.5, 10.8, 44.0), JIANGBEI: (221, 24.5, 26.5, 48.0),
    "500107": (432, 29.0, 31.5, 46.0), "500108": (263, 27.0, 29.5, 47.0),
    "500120": (915, 36.0, 38.8, 43.72),
}
# 2025: the five towns of the old 渝北 that went to 北碚 (大湾、统景、大盛、兴隆、茨竹), km²,
# and their coverage (both invented); the parts of 北碚 that went to 两江新区 are left out.
TOWNS_KM2, TOWNS_COVERAGE = 500, 55.0
LIANGJIANG_TARGET = 42.0  # invented: the two predecessors' targets, less the hills it lost


def _progress(year: int) -> float:
    return (CITY[year] - CITY[2018]) / (CITY[2025] - CITY[2018])


def _raw(row: tuple[int, float, float, float], year: int) -> float:
    return row[1] + (row[2] - row[1]) * _progress(year)


def _shift(year: int) -> float:
    """What every district but the buyers and the sourced ones is moved by so that the
    city's mean is its figure."""
    land = sum(r[0] for r in (*TABLE.values(), *BUYERS.values()))
    forest = sum(r[0] * _raw(r, year) for r in (*TABLE.values(), *BUYERS.values()))
    others = sum(r[0] for c, r in TABLE.items() if c not in SOURCED)
    return (CITY[year] * land - forest) / others


def coverage(code: str, year: int) -> float:
    """A district's own forest coverage in ``year``, % (before 2025's boundaries)."""
    if code in BUYERS:
        return _raw(BUYERS[code], year)
    return _raw(TABLE[code], year) + (0.0 if code in SOURCED else _shift(year))


def target_bps(code: str) -> int:
    if code == LIANGJIANG:
        return round(LIANGJIANG_TARGET * 100)
    if code in BUYERS:
        return round(BUYERS[code][3] * 100)
    base = 2018 if code in SELLERS else 2022
    return round((coverage(code, base) - TABLE[code][3]) * 100)


def land_mu(code: str, year: int = 2024) -> int:
    if year >= 2025 and code == LIANGJIANG:
        return (BUYERS[JIANGBEI][0] + TABLE[YUBEI][0] - TOWNS_KM2) * MU_PER_KM2
    if year >= 2025 and code == BEIBEI:
        return (TABLE[BEIBEI][0] + TOWNS_KM2) * MU_PER_KM2
    return (BUYERS.get(code) or TABLE[code])[0] * MU_PER_KM2


def forest_mu(code: str, year: int) -> int:
    """Verified forest, mu; in 2025 两江新区 has the forest of 江北 and 渝北 less the five
    towns', which 北碚 gains."""
    towns = round(TOWNS_KM2 * MU_PER_KM2 * TOWNS_COVERAGE / 100)
    if year >= 2025 and code == LIANGJIANG:
        return forest_mu(JIANGBEI, year) + forest_mu(YUBEI, year) - towns
    own = round(land_mu(code) * coverage(code, year) / 100)
    return own + towns if year >= 2025 and code == BEIBEI else own


def measured(year: int) -> list[str]:
    """The districts measured for ``year``: the 2024 list before 2025, then today's."""
    return [d.code for d in (DISTRICTS_2024 if year < 2025 else DISTRICTS)]


@dataclass(frozen=True)
class Deal:
    seller: str
    buyer: str
    quantity: int
    signed: dt.date
    failed: int = 0  # the tranche whose acceptance check fails (1-based), 0: none
    note: str = ""


# The 8 deals to 2021-11-30 (362,300 mu, 905.75 M yuan at 2,500 yuan/mu) and one after.
DEALS = (
    # unverified: 75,000 mu, 187.5 M yuan, 2019 (the day invented)
    Deal("500242", JIANGBEI, 75_000, dt.date(2019, 3, 20), note="江北区—酉阳县 首单 (unverified)"),
    # sourced: signed 2019-11-05, 1.5万亩, 3,750万元
    Deal("500229", "500107", 15_000, dt.date(2019, 11, 5)),
    # 巫溪's three deals, 41,190 mu (sourced); the buyer of the first is 重庆经开区管委会,
    # not a district party: it stands here as 南岸区, where most of 经开区 lies; the split of
    # 30,000 mu between 经开区 and 璧山 and both days are invented
    Deal("500238", "500108", 12_000, dt.date(2020, 5, 12), note="重庆经开区管委会 (as 南岸区)"),
    Deal("500238", "500120", 18_000, dt.date(2020, 9, 16)),
    # sourced: 11,190 mu, 2,797.5万元, "近日" (the day invented, by 2021)
    Deal("500238", "500103", 11_190, dt.date(2021, 4, 22)),
    # invented: the other three deals of 2020-2021, sellers 武陵山区's 一区两县 (黔江, 彭水,
    # 酉阳), sizes so that the totals are the published ones; two of their tranches fail
    Deal("500114", "500120", 72_300, dt.date(2020, 11, 18), failed=2),
    Deal("500243", "500107", 90_000, dt.date(2021, 6, 9), failed=3),
    Deal("500242", "500108", 68_810, dt.date(2021, 9, 23)),
    # invented: 九龙坡 short again after its failed tranche buys from 城口; its last tranche is
    # due after the demo's last day and stays in escrow
    Deal("500229", "500107", 25_000, dt.date(2024, 6, 18)),
)
TRANCHE_SHARES = (0.4, 0.3, 0.3)  # invented: 40 % the first year, 30 % in each of two more
DUTIES = ("卖方负责受托森林15年管护：划定森林片区、确定管护人员（护林员）、打桩挂牌，"
          "每年接受市林业局森林资源监测与验收")


def tranches(d: Deal) -> list[tuple[int, dt.date]]:
    """Three tranches due at the end of the year signed (the next, if signed after
    September) and the two after."""
    first = d.signed.year + (d.signed.month > 9)
    qs = [int(d.quantity * s) for s in TRANCHE_SHARES]
    qs[-1] += d.quantity - sum(qs)
    return [(q, dt.date(first + k, 12, 31)) for k, q in enumerate(qs)]


@dataclass(frozen=True)
class Project:
    key: str
    restorer: str  # a name registered as an enterprise, with its USCC's division
    division: str
    district: str
    site_kind: SiteKind
    site: str
    area_mu: int
    plan: str
    use: RightUse
    started: dt.date
    accepted: dt.date | None  # None: still planned at the end
    passed: bool
    term_years: int
    operator: str  # who runs the business the right is transferred to ("": kept)
    transferred: dt.date | None
    incomes: dict[int, int]  # year -> yuan
    note: str = ""


# 猎神村's collective income, yuan: 2017 and 2023 sourced, the years between interpolated
# (geometrically, invented), 2024 and 2025 assumed flat-to-rising
_LIESHEN = {2017: 410_000, 2023: 3_340_000}
_STEP = (_LIESHEN[2023] / _LIESHEN[2017]) ** (1 / 6)
LIESHEN_INCOME = {y: int(round(_LIESHEN[2017] * _STEP ** (y - 2017), -4))
                  for y in range(2018, 2023)}
LIESHEN_INCOME |= {2017: 410_000, 2023: 3_340_000, 2024: 3_520_000, 2025: 3_700_000}

PROJECTS = (
    Project("zhongliangshan", "重庆渝隆资产经营(集团)有限公司", "500107", "500107",
            SiteKind.ABANDONED_MINE, "中梁山废弃矿山（中梁云峰集中连片废弃矿山治理提升项目）", 2378,
            "52座历史遗留及关闭矿山削坡减荷、覆土复绿；建设矿山公园（约1266亩），保留安全"
            "崖壁景观；入口33亩建设用地用于游客中心和文创市集（政府主导、市场运作，国企操盘、"
            "民企跟进）",
            RightUse.ECO_TOURISM, dt.date(2018, 3, 1), dt.date(2022, 12, 20), True, 20,
            "重庆渝农文化旅游开发有限公司", dt.date(2023, 1, 10),
            # invented: the mine park's yearly income, yuan
            {2023: 6_800_000, 2024: 9_100_000, 2025: 10_400_000}),
    Project("lieshen", "梁平区竹山镇猎神村股份经济合作联合社", "500155", "500155",
            SiteKind.ABANDONED_MINE, "竹山镇猎神村石膏矿（5座关闭矿山）", 81,
            "2017年7月永久关闭5座石膏矿，划定6.4平方公里生态保护区；复垦5.4公顷，"
            "天坑改造为梯塘小微湿地，发展竹林生态农业与乡村旅游",
            RightUse.ECO_AGRICULTURE, dt.date(2017, 7, 1), dt.date(2019, 6, 18), True, 30,
            "梁平区猎神村梦溪湉园农旅专业合作社", dt.date(2019, 9, 2), LIESHEN_INCOME,
            note="collective income: 2017 and 2023 sourced, the years between interpolated"),
    # invented from here: 渝北 铜锣山 (a sourced precedent, 2017: ~650 mu of usable land;
    # the area, dates and income are invented); it passes to 两江新区 in 2025
    Project("tongluoshan", "重庆铜锣山矿山公园旅游开发有限公司", "500112", YUBEI,
            SiteKind.ABANDONED_MINE, "铜锣山废弃采石场（矿山公园）", 3200,
            "关闭采石场地质灾害治理、复绿，建设矿山公园", RightUse.ECO_TOURISM,
            dt.date(2016, 5, 1), dt.date(2021, 11, 25), True, 20, "", None,
            {2022: 4_200_000, 2023: 5_600_000, 2024: 6_100_000, 2025: 6_500_000}),
    Project("youyang-karst", "酉阳县花田乡农业综合开发有限公司", "500242", "500242",
            SiteKind.ROCKY_DESERTIFICATION, "花田乡石漠化综合治理片区", 1800,
            "封山育林、坡改梯、种植贡米与茶叶", RightUse.ECO_AGRICULTURE,
            dt.date(2020, 3, 15), dt.date(2023, 10, 30), True, 20, "", None,
            {2024: 1_150_000, 2025: 1_380_000}),
    Project("funiuxi", "重庆大渡口区水务投资有限公司", "500104", "500104",
            SiteKind.BLACK_ODOUR_WATER, "伏牛溪黑臭水体", 240,
            "截污纳管、清淤、生态补水与滨水步道", RightUse.ECO_TOURISM, dt.date(2022, 4, 6),
            dt.date(2024, 5, 16), False, 0, "", None, {},
            note="not accepted: water quality not yet stable"),
    Project("wuxi-barren", "巫溪县红池坝林业开发有限公司", "500238", "500238",
            SiteKind.BARREN_LAND, "红池坝镇荒山荒地", 1500, "荒山造林、林下中药材",
            RightUse.ECO_AGRICULTURE, dt.date(2024, 9, 2), None, False, 0, "", None, {}),
)
# the restorers and operators, registered as enterprises (beside the carbon platform's)
PARTIES = len({p.restorer for p in PROJECTS} | {p.operator for p in PROJECTS if p.operator})
SHARE_BPS = 300  # 3 % of the accepted area (the model's cap; docs/rights.md)

Run = Callable[..., list[Receipt]]


class RightsDesk:
    """Sends the rights history through the loader's runner, day by day: ``plan`` lists each
    day's events (minute, key, action); the loader runs them in its daily order (and those
    before the carbon platform's launch before its first day)."""

    def __init__(self, run: Run, parties: dict[str, str], accounts: dict[str, str],
                 treasury: str, end: dt.date) -> None:
        self.run, self.parties, self.accounts = run, parties, accounts
        self.treasury, self.end = treasury, end
        self.party: dict[str, str] = {}  # district code -> party
        self.account: dict[str, str] = {}  # district code -> account
        self.contract: dict[int, str] = {}  # deal index -> contract id
        self.restoration: dict[str, str] = {}
        self.plan: dict[dt.date, list[tuple[int, str, Callable[[], object]]]] = {}
        self.cast: dict[str, tuple[str, str]] = {}  # restorer or operator -> party, account

    # ---------------------------------------------------------------- the first morning
    def setup(self) -> None:
        """The rights' asset classes and the two districts abolished in 2025 (today's are
        registered by the loader), each district's account, the restorers."""
        self.run(list(RIGHTS_ASSETS), "rights/assets")
        gone = [d for d in DISTRICTS_2024 if d not in DISTRICTS]
        got = self.run([RegisterParty(PartyKind.DISTRICT, f"{d.name_zh}人民政府", d.code)
                        for d in gone], "rights/abolished")
        for d, r in zip(gone, got, strict=True):
            self.parties[f"{d.name_zh}人民政府"] = r.result["party"]
            acc = self.run([OpenAccount(r.result["party"], AccountType.HOLDING, "一般持有账户")],
                           f"rights/{d.code}/account")[0].result["account"]
            self.accounts[f"{d.name_zh}人民政府"] = acc
        for d in (*DISTRICTS_2024, *DISTRICTS):
            self.party[d.code] = self.parties[f"{d.name_zh}人民政府"]
            self.account[d.code] = self.accounts[f"{d.name_zh}人民政府"]
        self._schedule()

    def principal(self, code: str) -> Principal:
        return Principal(f"demo-district-{code}", Role.MEMBER, self.party[code])

    def at(self, day: dt.date, minute: int, key: str, action: Callable[[], object]) -> None:
        if day <= self.end:
            self.plan.setdefault(day, []).append((minute, key, action))

    def _schedule(self) -> None:
        self.at(FLOOR_DAY, 8 * 60 + 40, "floor", lambda: self.run(
            [SetIndicatorFloor(indicator=IndicatorKind.FOREST_AREA, price=FLOOR)],
            "rights/floor"))
        for year in YEARS:  # each year's survey, published the next January (assumed)
            self.at(dt.date(year + 1, 1, 15), 8 * 60 + 45, f"survey-{year}",
                    partial(self.survey, year))
        for n, deal in enumerate(DEALS):
            self.deal(n, deal)
        self.at(SUCCESSION_DAY, 16 * 60, "succession", self.succession)
        for p in PROJECTS:
            self.project(p)

    def survey(self, year: int) -> None:
        self.run([RecordMeasurement(
            district=self.party[code], indicator=IndicatorKind.FOREST_AREA, year=year,
            amount=forest_mu(code, year), basis=land_mu(code, year), target_bps=target_bps(code),
            source=SOURCE.format(year=year)) for code in measured(year)],
            f"rights/survey/{year}", FORESTRY)

    # ---------------------------------------------------------------- contracts
    def deal(self, n: int, d: Deal) -> None:
        key = f"rights/deal/{n}"
        parts = tranches(d)
        value = d.quantity * FLOOR

        def sign() -> None:  # indicators for the deal, then the seller signs
            self.run([IssueIndicators(district=self.party[d.seller],
                                      indicator=IndicatorKind.FOREST_AREA,
                                      year=d.signed.year - 1, quantity=d.quantity,
                                      account=self.account[d.seller])], f"{key}/issue", FORESTRY)
            self.contract[n] = self.run([ProposeContract(
                indicator=IndicatorKind.FOREST_AREA, seller=self.party[d.seller],
                buyer=self.party[d.buyer], quantity=d.quantity, unit_price=FLOOR,
                tranches=tuple(TrancheTerms(quantity=q, due=due.isoformat())
                               for q, due in parts),
                maintenance_years=15, duties=DUTIES, signed_on=d.signed.isoformat(),
                seller_account=self.account[d.seller])], f"{key}/propose",
                self.principal(d.seller))[0].result["contract"]

        def agree() -> None:  # the buyer's budget arrives, it countersigns
            self.run([Transfer("CNY", self.treasury, self.account[d.buyer], value,
                               memo="横向生态补偿资金 财政预算")], f"{key}/fund")
            self.run([AgreeContract(contract=self.contract[n],
                                    buyer_account=self.account[d.buyer])],
                     f"{key}/agree", self.principal(d.buyer))

        self.at(d.signed, 10 * 60, f"{key}/sign", sign)
        self.at(d.signed + dt.timedelta(days=1), 10 * 60, f"{key}/agree", agree)
        self.at(d.signed + dt.timedelta(days=8), 10 * 60, f"{key}/approve", lambda: self.run(
            [ApproveContract(contract=self.contract[n])], f"{key}/approve"))
        for k, (q, due) in enumerate(parts, start=1):
            check = due - dt.timedelta(days=24)  # checked in early December (assumed)
            passed = k != d.failed
            report = (f"第{k}期验收合格：受托森林{q:,}亩已划定片区、落实管护人员、打桩挂牌，"
                      "森林资源监测面积相符" if passed else
                      f"第{k}期验收不合格：抽查片区管护不到位、部分林地被占用，"
                      "核实面积不足，本期指标退回卖方、资金退回买方")
            self.at(check, 10 * 60 + 30, f"{key}/check{k}",
                    partial(self.check, n, k, passed, report, f"{key}/check/{k}"))
            if passed:
                self.at(check + dt.timedelta(days=7), 10 * 60 + 30, f"{key}/release{k}",
                        partial(self.release, n, k, d.buyer, f"{key}/release/{k}"))

    def check(self, n: int, k: int, passed: bool, report: str, key: str) -> None:
        self.run([RecordTrancheCheck(contract=self.contract[n], tranche=k, passed=passed,
                                     report=report)], key, FORESTRY)

    def release(self, n: int, k: int, buyer: str, key: str) -> None:
        self.run([ReleaseTranche(contract=self.contract[n], tranche=k)], key,
                 self.principal(buyer))

    def succession(self) -> None:
        for code in (JIANGBEI, YUBEI):
            self.run([RecordSuccession(predecessor=self.party[code],
                                       successor=self.party[LIANGJIANG],
                                       effective=SUCCESSION_DAY.isoformat(),
                                       account=self.account[LIANGJIANG], note=SUCCESSION_NOTE)],
                     f"rights/succession/{code}")

    # ---------------------------------------------------------------- restoration
    def member(self, name: str, division: str, key: str) -> tuple[str, str]:
        """A restorer or operator registered with its (illustrative) USCC: 农业农村 N2 for a
        village's collective economic organisation, N1 for a cooperative, else 91."""
        if name not in self.cast:
            body = f"{int.from_bytes(name.encode(), 'big') % 10**8:08d}"
            kind = ("N", "2") if "经济合作" in name else ("N", "1") if "合作社" in name \
                else ("9", "1")
            uscc = make_uscc(*kind, division, body)
            party = self.run([RegisterParty(PartyKind.ENTERPRISE, name, uscc)],
                             f"{key}/party")[0].result["party"]
            account = self.run([OpenAccount(party, AccountType.HOLDING, "一般持有账户")],
                               f"{key}/account")[0].result["account"]
            self.cast[name] = (party, account)
            self.parties[name], self.accounts[name] = party, account
        return self.cast[name]

    def project(self, p: Project) -> None:
        key = f"rights/restoration/{p.key}"
        registered = max(p.started + dt.timedelta(days=30), FIRST_DAY + dt.timedelta(days=60))

        def register() -> None:
            party, _ = self.member(p.restorer, p.division, f"{key}/restorer")
            self.restoration[p.key] = self.run([RegisterRestoration(
                restorer=party, district=self.party[p.district], site_kind=p.site_kind,
                site=p.site, area_mu=p.area_mu, plan=p.plan, use=p.use,
                started=p.started.isoformat())], f"{key}/register",
                self.holder(party))[0].result["restoration"]

        self.at(registered, 11 * 60, f"{key}/register", register)
        if p.accepted is None:
            return

        def accept() -> None:
            _, account = self.cast[p.restorer]
            self.run([AcceptRestoration(
                restoration=self.restoration[p.key], passed=p.passed,
                accepted_mu=p.area_mu if p.passed else 0,
                share_bps=SHARE_BPS if p.passed else 0, term_years=p.term_years,
                account=account if p.passed else None,
                report="竣工验收合格：复绿面积与方案相符，地质灾害隐患消除" if p.passed else
                "验收未通过：水质尚未稳定达标，需继续治理")], f"{key}/accept", FORESTRY)

        self.at(p.accepted, 11 * 60, f"{key}/accept", accept)
        holder = p.restorer
        if p.operator and p.transferred is not None:
            def transfer() -> None:
                party, account = self.cast[p.restorer]
                _, dest = self.member(p.operator, p.division, f"{key}/operator")
                granted = p.area_mu * SHARE_BPS // BPS
                self.run([TransferDevelopmentRight(
                    restoration=self.restoration[p.key], source=account, destination=dest,
                    quantity=granted, use=p.use)], f"{key}/transfer", self.holder(party))

            self.at(p.transferred, 11 * 60, f"{key}/transfer", transfer)
            holder = p.operator
        after = (p.transferred or p.accepted) + dt.timedelta(days=7)
        for year, yuan in sorted(p.incomes.items()):  # the years before: reported together
            self.at(max(dt.date(year + 1, 2, 20), after), 11 * 60 + 10, f"{key}/income{year}",
                    partial(self.income, p, year, yuan, holder, f"{key}/income/{year}"))

    def income(self, p: Project, year: int, yuan: int, holder: str, key: str) -> None:
        self.run([ReportIncome(restoration=self.restoration[p.key], year=year,
                               amount=yuan * 100, note=self.income_note(p, year))],
                 key, self.holder(self.cast[holder][0]))

    @staticmethod
    def income_note(p: Project, year: int) -> str:
        if p.key == "lieshen":
            sourced = year in (2017, 2023)
            return "村集体经济收入" + ("" if sourced else "（插值估算 interpolated）")
        return "经营收入（演示数据 invented）"

    @staticmethod
    def holder(party: str) -> Principal:
        return Principal(f"demo-{party}", Role.MEMBER, party)


def summary() -> dict[str, Any]:
    """The demo's rights figures, for docs and tests: deals to 2021-11-30 and the weighted
    target."""
    early = [d for d in DEALS if d.signed <= dt.date(2021, 11, 30)]
    land = {c: land_mu(c) for c in measured(2024)}
    return {"deals": len(early), "mu": sum(d.quantity for d in early),
            "yuan": sum(d.quantity for d in early) * FLOOR // 100,
            "target_pct": sum(land[c] * target_bps(c) for c in land) / sum(land.values()) / 100}

