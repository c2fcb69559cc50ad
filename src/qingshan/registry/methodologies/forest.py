"""Afforestation, reforestation and forest management carbon sinks (林业碳汇).

    ΔC_NET = ΔC_ACTUAL − ΔC_BSL − LK        (tCO2e over the monitoring period)

the net anthropogenic removal of CCER-14-001-V01 *造林碳汇* (afforestation carbon sink, MEE,
October 2023): actual net change in the project's carbon stocks, less the baseline change, less
leakage. The forestry science that computes the stocks (growth models, plots) comes in its own
module; here the monitoring report states the three quantities.

Non-permanence: 10 % of every issuance goes to the platform's buffer pool, the minimum buffer
of the VCS AFOLU Non-Permanence Risk Tool (a total risk rating below 10 is set to 10).
"""

from __future__ import annotations

from qingshan.registry.methodologies.base import Methodology, Parameter, Source, Values

CCER_AFFORESTATION = Source("CCER-14-001-V01 温室气体自愿减排项目方法学 造林碳汇",
                            "生态环境部 Ministry of Ecology and Environment, 2023-10",
                            "项目净碳汇量 = 项目碳储量变化 − 基线碳储量变化 − 泄漏",
                            "https://www.mee.gov.cn/")
VCS_RISK_TOOL = Source("VCS AFOLU Non-Permanence Risk Tool, v4.0", "Verra",
                       "minimum overall risk rating of 10 (buffer withholding 10 %)",
                       "https://verra.org/")


def calculate(v: Values) -> float:
    return v["actual_removals"] - v["baseline_removals"] - v["leakage"]


METHODOLOGY = Methodology(
    id="CQ-FOREST", version="1.0", title_zh="林业碳汇(造林与森林经营)",
    title_en="forestry carbon sink (afforestation and forest management)", sector="forestry",
    scope="Afforestation, reforestation and improved forest management on eligible land, "
          "with stocks measured in permanent sample plots.",
    source=CCER_AFFORESTATION,
    parameters=(
        Parameter("actual_removals", "项目碳储量变化", "actual net change in carbon stocks",
                  "tCO2e", minimum=0, maximum=100_000_000),
        Parameter("baseline_removals", "基线碳储量变化", "baseline net change in carbon stocks",
                  "tCO2e", minimum=0, maximum=100_000_000, default=0.0,
                  source=CCER_AFFORESTATION, monitored=False),
        Parameter("leakage", "泄漏", "leakage", "tCO2e", minimum=0, maximum=100_000_000,
                  default=0.0, source=CCER_AFFORESTATION),
    ),
    report_fields=("sample plot measurements (DBH, height, species)",
                   "stand area by stratum, with maps", "disturbances (fire, pests, harvest)"),
    calculate=calculate, buffer_percent=10,
    notes=("buffer: VCS AFOLU Non-Permanence Risk Tool minimum (10 %)",))
