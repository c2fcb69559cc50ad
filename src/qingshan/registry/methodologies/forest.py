"""Afforestation carbon sinks (造林碳汇).

    ΔC_NET = ΔC_ACTUAL − ΔC_BSL − LK        (tCO2e over the monitoring period)

the net anthropogenic removal by sinks of CCER-14-001-V01 《温室气体自愿减排项目方法学 造林碳汇》
(MEE, October 2023) and of its CDM parent rule ("actual net greenhouse gas removals by sinks
minus baseline net greenhouse gas removals by sinks minus leakage", 5/CMP.1 Annex para 1(c)).
CCER-14-001-V01 covers afforestation only — trees, bamboo and shrubs on land that was not forest
for at least three years, not economic forests — not forest management, which needs its own
methodology (in Chongqing, CQCM-009-V001 for national reserve forests).

@2.0 (registry rules 2): the monitoring report states the change in the project's carbon
stocks over the period (from sample plots) and any leakage; the baseline removals are fixed at
validation as a yearly rate from the validated project document and scaled by the period's
length, which the registry derives.

Non-permanence: 10 % of every issuance, rounded up, goes to the platform's buffer pool — a
platform policy modelled on the minimum of the VCS AFOLU Non-Permanence Risk Tool (CCER itself
keeps no buffer). Losses (fire, pests, harvest) cancel buffer units first.

@1.0 (legacy, registry rules 1): the three quantities from the report, baseline defaulting to
0 — kept only so that old entries replay.
"""

from __future__ import annotations

from qingshan.registry.methodologies.base import (
    Methodology,
    Parameter,
    ParameterKind,
    Source,
    Values,
)
from qingshan.science import forest as forest_science
from qingshan.science.forest import SpeciesGroup

FIXED, DERIVED = ParameterKind.FIXED, ParameterKind.DERIVED

CCER_AFFORESTATION = Source("CCER-14-001-V01 温室气体自愿减排项目方法学 造林碳汇 (afforestation "
                            "carbon sink)", "生态环境部 Ministry of Ecology and Environment, "
                            "2023-10", "项目净碳汇量 = 项目碳储量变化 − 基线碳储量变化 − 泄漏; "
                            "applicability: 乔木、竹子和灌木造林,不包括经济林造林",
                            "https://www.mee.gov.cn/")
CDM_RULE = Source("Decision 5/CMP.1, Annex, para. 1(c) (CDM afforestation and reforestation)",
                  "UNFCCC", "net anthropogenic GHG removals by sinks = actual net removals − "
                  "baseline net removals − leakage", "http://www.cdmrulebook.org/PageId/708")
VCS_RISK_TOOL = Source("VCS AFOLU Non-Permanence Risk Tool, v4.0", "Verra",
                       "minimum overall risk rating of 10 (buffer withholding 10 %); used here "
                       "as the platform's buffer policy", "https://verra.org/")

SCOPE = ("Afforestation with trees, bamboo or shrubs on land that was not forest for at least "
         "three years (not economic forests, not forest management), with stocks measured in "
         "permanent sample plots.")
REPORT_FIELDS = ("sample plot measurements (DBH, height, species)",
                 "stand area by stratum, with maps", "disturbances (fire, pests, harvest)")


def calculate_v1(v: Values) -> float:
    return v["actual_removals"] - v["baseline_removals"] - v["leakage"]


def calculate(v: Values) -> float:
    return v["actual_removals"] - v["baseline_per_year"] * v["period_years"] - v["leakage"]


ACTUAL = Parameter("actual_removals", "项目碳储量变化", "actual net change in carbon stocks",
                   "tCO2e", minimum=0, maximum=100_000_000)
LEAKAGE = Parameter("leakage", "泄漏", "leakage", "tCO2e", minimum=0, maximum=100_000_000,
                    default=0.0, source=CCER_AFFORESTATION)

V1 = Methodology(
    id="CQ-FOREST", version="1.0", title_zh="造林碳汇", title_en="afforestation carbon sink",
    sector="forestry", scope=SCOPE, source=CCER_AFFORESTATION,
    parameters=(
        ACTUAL,
        Parameter("baseline_removals", "基线碳储量变化", "baseline net change in carbon stocks",
                  "tCO2e", minimum=0, maximum=100_000_000, default=0.0,
                  source=CCER_AFFORESTATION, kind=FIXED),
        LEAKAGE,
    ),
    report_fields=REPORT_FIELDS, calculate=calculate_v1, buffer_percent=10, legacy=True,
    successor="CQ-FOREST@2.0")

V2 = Methodology(
    id="CQ-FOREST", version="2.0", title_zh="造林碳汇", title_en="afforestation carbon sink",
    sector="forestry", scope=SCOPE, source=CCER_AFFORESTATION,
    parameters=(
        ACTUAL,
        Parameter("baseline_per_year", "基线碳储量年变化", "baseline net change in carbon "
                  "stocks per year", "tCO2e/yr", minimum=0, maximum=10_000_000,
                  source=CCER_AFFORESTATION, kind=FIXED),
        LEAKAGE,
        Parameter("period_years", "监测期年数", "length of the monitoring period", "yr",
                  kind=DERIVED),
    ),
    report_fields=REPORT_FIELDS, calculate=calculate, buffer_percent=10, closed=True,
    successor="CQ-FOREST@3.0",
    notes=("buffer: 10 %, rounded up, the platform's policy (VCS AFOLU Non-Permanence Risk "
           "Tool minimum)",
           "closed to new projects (registry rules 3): the stock change is typed in, not "
           "computed from the stands; new projects use CQ-FOREST@3.0"))



# ------------------------------------------------------------------ @3.0: computed from stands
STOCK_GROUPS = (SpeciesGroup.FIR, SpeciesGroup.MASSON_PINE, SpeciesGroup.CYPRESS,
                SpeciesGroup.BROADLEAF)


HIGH_WATER = Source("Qingshan registry rules 2: a stock methodology credits growth above the "
                    "highest stock credited before", "Qingshan", "docs/methodologies.md, "
                    "CQ-FOREST@3.0; after a loss (a reversal, report_loss) regrowth is not "
                    "credited again, as VCS treats a loss event", "https://verra.org/")


def volume_id(group: SpeciesGroup) -> str:
    return f"volume_{group.value}"


def stock_v3(v: Values) -> float:
    """The tree-biomass stock (tCO2e) of the stem volumes measured, by species group, through
    qingshan.science.forest (B = V·WD·BEF·(1+R); C = B·CF; ×44/12), less AR-TOOL14's discount
    for the sampling uncertainty of the estimate."""
    measured = sum(float(forest_science.biomass_co2(g, v[volume_id(g)])) for g in STOCK_GROUPS)
    return measured * (1.0 - forest_science.uncertainty_deduction(v["sampling_uncertainty"]))


def calculate_v3(v: Values) -> float:
    """ΔC_ACTUAL = the stock now (discounted) − the highest stock credited before;
    net = ΔC_ACTUAL − baseline × years − leakage. Negative (a loss) claims 0: the loss is
    reported as a reversal (report_loss)."""
    change = stock_v3(v) - v["credited_stock"]
    return change - v["baseline_per_year"] * v["period_years"] - v["leakage"]


def volume_parameter(g: SpeciesGroup, whose: str = "") -> Parameter:
    """The monitored stem volume of species group ``g`` (``whose``: of which stands)."""
    p = forest_science.DEFAULTS[g]
    return Parameter(volume_id(g), f"{p.name_zh}蓄积量", f"{p.name_en} stem volume{whose} "
                     "(0 if none)", "m3", minimum=0, maximum=1_000_000_000)


# the parameters every stock methodology shares (CQ-FOREST@3.0, CQ-FOREST-MGMT@1.0)
SAMPLING = Parameter("sampling_uncertainty", "抽样误差(90%置信区间半宽/均值)",
                     "sampling uncertainty (90 % CI half-width / mean)", "fraction",
                     minimum=0, maximum=1)
CREDITED = Parameter("credited_stock", "此前已计入的最高碳储量", "highest stock credited "
                     "before", "tCO2e", kind=DERIVED, source=HIGH_WATER)
PERIOD = Parameter("period_years", "监测期年数", "length of the monitoring period", "yr",
                   kind=DERIVED)


V3 = Methodology(
    id="CQ-FOREST", version="3.0", title_zh="造林碳汇(按林分蓄积计算)",
    title_en="afforestation carbon sink, computed from stand volumes", sector="forestry",
    scope=SCOPE, source=CCER_AFFORESTATION,
    parameters=(
        *(volume_parameter(g) for g in STOCK_GROUPS),
        SAMPLING,
        LEAKAGE,
        Parameter("initial_stock", "项目开始时林木碳储量", "tree carbon stock at the start",
                  "tCO2e", minimum=0, maximum=1_000_000_000, default=0.0,
                  source=CCER_AFFORESTATION, kind=FIXED),
        Parameter("baseline_per_year", "基线碳储量年变化", "baseline net change in carbon "
                  "stocks per year", "tCO2e/yr", minimum=0, maximum=10_000_000, default=0.0,
                  source=CCER_AFFORESTATION, kind=FIXED),
        CREDITED,
        PERIOD,
    ),
    report_fields=REPORT_FIELDS, calculate=calculate_v3, buffer_percent=10, stock=stock_v3,
    notes=("stock from stem volumes by species group through qingshan.science.forest "
           f"(parameter set {forest_science.PARAMETER_SET}); cumulative: only growth above "
           "the highest stock credited before counts",
           "uncertainty: AR-TOOL14's discount of the stock estimate "
           "(qingshan.science.forest.UNCERTAINTY_TIERS; CCER-14-001-V01's clause not read)",
           "buffer: 10 %, rounded up, the platform's policy"))

METHODOLOGY = V3
