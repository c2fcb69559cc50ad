"""Grid-connected (distributed) photovoltaics: electricity fed to the grid displaces grid power.

@2.0 (registry rules 2):

    ER_y = EG_y × EF_grid,CM,y,    EF_grid,CM,y = w_OM × EF_grid,OM,y + w_BM × EF_grid,BM,y

the baseline-emissions equation of CDM AMS-I.D *Grid connected renewable electricity
generation* (BE_y = EG_PJ,y × EF_grid,y; project emissions and leakage are zero for solar PV),
with the grid factor the *combined margin* of TOOL07 (weights 0.75 / 0.25 for wind and solar).
The operating and build margins are not parameters of the project: the registry takes them
from its imported table of China's regional grid baseline factors (区域电网基准线排放因子), the
row in force for the project's grid and the monitoring period's year, and records the rows
each report and issuance used. MEE/NBS's average electricity factors (0.5366 for 2022 and so
on) are published for accounting electricity *consumption* and are refused here.

The plant's code in the green-certificate (绿证, GEC) lists is part of the project, and every
report declares that its MWh are not claimed as certificates; a period already in the imported
GEC list is refused.

@1.0 (legacy, registry rules 1): ER = EG × ef_grid, ef_grid defaulting to the 2022 national
average and taken from the report — kept only so that old entries replay.
"""

from __future__ import annotations

from qingshan.registry.methodologies.base import (
    Methodology,
    Parameter,
    ParameterKind,
    Source,
    Values,
)

FIXED, DERIVED = ParameterKind.FIXED, ParameterKind.DERIVED

FORMULA = Source("AMS-I.D Grid connected renewable electricity generation, version 17.0",
                 "UNFCCC CDM", "baseline emissions: BE_y = EG_PJ,y × EF_grid,y",
                 "https://cdm.unfccc.int/methodologies/DB/")
TOOL07 = Source("TOOL07 Tool to calculate the emission factor for an electricity system, "
                "version 07.0", "UNFCCC CDM Executive Board",
                "step 6, combined margin: w_OM = 0.75 and w_BM = 0.25 for wind and solar "
                "power (the same weights reproduce the Philippine DOE's printed 2015-2017 "
                "combined margins, docs/methodologies.md)",
                "https://cdm.unfccc.int/methodologies/PAmethodologies/tools/")
CN_BASELINE = Source("中国区域电网基准线排放因子 (China's regional grid baseline emission "
                     "factors, OM and BM, published yearly)", "生态环境部 MEE",
                     "the row in force for the project's grid and year, imported into the "
                     "registry's factor table with its own source")
GRID_2022 = Source("关于发布2022年电力二氧化碳排放因子的公告 (2022 electricity CO2 emission "
                   "factors)", "生态环境部、国家统计局 MEE and NBS, 2024-12-20",
                   "全国电力平均二氧化碳排放因子 0.5366 kgCO2/kWh (for accounting electricity "
                   "consumption)", "https://www.mee.gov.cn/")

REPORT_FIELDS = ("meter readings of net electricity supplied to the grid, by month",
                 "grid company settlement statements")
SCOPE = ("Grid-connected solar PV (rooftop or ground) whose net electricity supplied to the grid "
         "is metered.")


def calculate_v1(v: Values) -> float:
    return v["eg_mwh"] * v["ef_grid"]


def calculate(v: Values) -> float:
    return v["eg_mwh"] * (v["w_om"] * v["ef_om"] + v["w_bm"] * v["ef_bm"])


def weights_add_up(v: Values) -> str | None:
    if abs(v["w_om"] + v["w_bm"] - 1) > 1e-9:
        return "w_om and w_bm must add up to 1"
    return None


EG = Parameter("eg_mwh", "上网电量", "net electricity supplied to the grid", "MWh", minimum=0,
               maximum=10_000_000)

V1 = Methodology(
    id="CQ-PV", version="1.0", title_zh="分布式光伏发电", title_en="distributed photovoltaics",
    sector="energy", scope=SCOPE, source=FORMULA,
    parameters=(EG, Parameter("ef_grid", "电网排放因子", "grid emission factor", "tCO2/MWh",
                              minimum=0, maximum=1.5, default=0.5366, source=GRID_2022,
                              kind=FIXED)),
    report_fields=REPORT_FIELDS, calculate=calculate_v1, legacy=True, successor="CQ-PV@2.0")

V2 = Methodology(
    id="CQ-PV", version="2.0", title_zh="分布式光伏发电(并网)",
    title_en="grid-connected distributed photovoltaics", sector="energy", scope=SCOPE,
    source=FORMULA,
    parameters=(
        EG,
        Parameter("w_om", "电量边际权重", "operating-margin weight", "1", minimum=0, maximum=1,
                  default=0.75, source=TOOL07, kind=FIXED),
        Parameter("w_bm", "容量边际权重", "build-margin weight", "1", minimum=0, maximum=1,
                  default=0.25, source=TOOL07, kind=FIXED),
        Parameter("ef_om", "电量边际排放因子", "operating-margin emission factor", "tCO2/MWh",
                  minimum=0, maximum=2, source=CN_BASELINE, kind=DERIVED),
        Parameter("ef_bm", "容量边际排放因子", "build-margin emission factor", "tCO2/MWh",
                  minimum=0, maximum=2, source=CN_BASELINE, kind=DERIVED),
    ),
    report_fields=(*REPORT_FIELDS, "declaration that the MWh are not claimed as green "
                                   "certificates"),
    calculate=calculate, grid_factors=("om", "bm"), green_certificates=True,
    fixed_rule=weights_add_up,
    notes=("the grid factor is the combined margin of the project's regional grid for the "
           "period's year, never the consumption average",))

METHODOLOGY = V2
