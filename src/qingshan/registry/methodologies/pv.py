"""Grid-connected (distributed) photovoltaics: electricity fed to the grid displaces grid power.

    ER_y = EG_y × EF_grid,y            (tCO2e; EG in MWh, EF in tCO2/MWh)

The formula is the baseline-emissions equation of CDM AMS-I.D *Grid connected renewable
electricity generation* (BE_y = EG_PJ,y × EF_grid,y; project and leakage emissions are zero for
solar PV). The default grid factor is the 2022 national average published by the Ministry of
Ecology and Environment and the National Bureau of Statistics (announcement of 2024-12-20):
0.5366 kgCO2/kWh = 0.5366 tCO2/MWh. A project whose validation fixes another published factor
(the province's or the region's) reports it as ``ef_grid``.
"""

from __future__ import annotations

from qingshan.registry.methodologies.base import Methodology, Parameter, Source, Values

FORMULA = Source("AMS-I.D Grid connected renewable electricity generation", "UNFCCC CDM",
                 "baseline emissions: BE_y = EG_PJ,y × EF_grid,y",
                 "https://cdm.unfccc.int/methodologies/DB/")
GRID_2022 = Source("关于发布2022年电力二氧化碳排放因子的公告 (2022 electricity CO2 emission "
                   "factors)", "生态环境部、国家统计局 MEE and NBS, 2024-12-20",
                   "全国电力平均二氧化碳排放因子 0.5366 kgCO2/kWh", "https://www.mee.gov.cn/")


def calculate(v: Values) -> float:
    return v["eg_mwh"] * v["ef_grid"]


METHODOLOGY = Methodology(
    id="CQ-PV", version="1.0", title_zh="分布式光伏发电", title_en="distributed photovoltaics",
    sector="energy",
    scope="Grid-connected solar PV (rooftop or ground) whose net electricity supplied to the "
          "grid is metered.",
    source=FORMULA,
    parameters=(
        Parameter("eg_mwh", "上网电量", "net electricity supplied to the grid", "MWh",
                  minimum=0, maximum=10_000_000),
        Parameter("ef_grid", "电网排放因子", "grid emission factor", "tCO2/MWh", minimum=0,
                  maximum=1.5, default=0.5366, source=GRID_2022, monitored=False),
    ),
    report_fields=("meter readings of net electricity supplied to the grid, by month",
                   "grid company settlement statements"),
    calculate=calculate)
