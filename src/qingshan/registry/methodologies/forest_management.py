"""Forest-management carbon sinks (森林经营碳汇), the counterpart of CQ-FOREST@3.0.

    S        = Σ_g V_g · WD_g · BEF_g · (1 + R_g) · CF_g · 44/12 · (1 − d(U))
    ΔC_P     = S − S_credited
    ΔC_NET   = ΔC_P − ΔC_BSL,yr × Y − LK          (tCO2e over the monitoring period)

The structure is AR-CM-003-V01 《森林经营碳汇项目方法学》 (国家发展改革委 / 国家林业局, 2014):
the stands exist at the start (planted young and middle-aged 乔木林), the project manages them
better, and only their growth above the same stands' growth under business-as-usual management
(the baseline) is credited. Chongqing's own forest-management methodology, CQCM-009-V001
(national reserve forests), was not found; this plugin stands in for it.

The report states the stem volume measured in the project's sample-plot inventory by species
group and the sampling uncertainty U; the stock follows through qingshan.science.forest, less
AR-TOOL14's discount d(U), exactly as CQ-FOREST@3.0. The stock at the start (``initial_stock``)
and the baseline's stock change per year (``baseline_per_year``, the validated project
document's baseline projection, e.g. ``science.forest.mean_baseline_change`` of the baseline
stands) are fixed at validation, with no default: a forest-management project starts from a
standing forest, so a stock of 0 would credit the whole forest. Cumulative: growth above the
highest stock credited before; a loss claims 0 and is a reversal (``report_loss``).

What of AR-CM-003-V01 was read and what was not is in docs/methodologies.md: its clause 5
(formulas, leakage, uncertainty) was not reached, so the baseline is a fixed yearly rate, never
negative (a baseline that loses carbon to harvest would raise the claim; refusing it errs
against the claimant), and leakage is reported (default 0).
"""

from __future__ import annotations

from qingshan.registry.methodologies.base import (
    Methodology,
    Parameter,
    ParameterKind,
    Source,
)
from qingshan.registry.methodologies.forest import (
    CREDITED,
    PERIOD,
    SAMPLING,
    STOCK_GROUPS,
    calculate_v3,
    stock_v3,
    volume_parameter,
)
from qingshan.science import forest as forest_science

FIXED, DERIVED = ParameterKind.FIXED, ParameterKind.DERIVED

AR_CM_003 = Source("AR-CM-003-V01 森林经营碳汇项目方法学 (forest management carbon sink), "
                   "版本号 V01", "国家发展和改革委员会 / 国家林业局, 2014",
                   "read: cover, 编制说明 (built on the CDM methodology template: actual − "
                   "baseline − leakage), contents; applicability (a)–(g) via a quoting form "
                   "(乔木林地, 人工幼、中龄林 at the start); clause 5's formulas not read",
                   "https://345wk.com/doc/406.html")

SCOPE = ("Improved management (tending, thinning, replanting gaps, species restructuring) of "
         "existing planted young and middle-aged tree stands (canopy density ≥ 0.20) on "
         "mineral soil, without clear-felling or burning; growth above the same stands under "
         "business-as-usual management is credited.")
REPORT_FIELDS = ("sample plot measurements (DBH, height, species) of the project stands",
                 "stand area by stratum, with maps", "management measures carried out",
                 "disturbances (fire, pests, harvest)")


calculate = calculate_v3
"""ΔC_P = the stock now (discounted) − the highest stock credited before; net = ΔC_P −
baseline × years − leakage: CQ-FOREST@3.0's computation, with a baseline that is the managed
stands' business-as-usual growth. Negative (a loss, or growth below the baseline) claims 0."""


V1 = Methodology(
    id="CQ-FOREST-MGMT", version="1.0", title_zh="森林经营碳汇(按林分蓄积计算)",
    title_en="forest management carbon sink, computed from stand volumes", sector="forestry",
    scope=SCOPE, source=AR_CM_003,
    parameters=(
        *(volume_parameter(g, " of the project stands") for g in STOCK_GROUPS),
        SAMPLING,
        Parameter("leakage", "泄漏", "leakage", "tCO2e", minimum=0, maximum=100_000_000,
                  default=0.0, source=AR_CM_003),
        Parameter("initial_stock", "项目开始时林木碳储量", "tree carbon stock of the stands "
                  "at the start", "tCO2e", minimum=0, maximum=1_000_000_000,
                  source=AR_CM_003, kind=FIXED),
        Parameter("baseline_per_year", "基线情景下林木碳储量年变化", "baseline (business-as-"
                  "usual management) change in the stands' carbon stock per year", "tCO2e/yr",
                  minimum=0, maximum=10_000_000, source=AR_CM_003, kind=FIXED),
        CREDITED,
        PERIOD,
    ),
    report_fields=REPORT_FIELDS, calculate=calculate, buffer_percent=10, stock=stock_v3,
    notes=("stock from stem volumes by species group through qingshan.science.forest "
           f"(parameter set {forest_science.PARAMETER_SET}), discounted by AR-TOOL14's "
           "table for the sampling uncertainty; cumulative: only growth above the highest "
           "stock credited before counts",
           "baseline: the same stands under business-as-usual management, a yearly rate "
           "fixed at validation from the project document (no default)",
           "AR-CM-003-V01 clause 5 (formulas, leakage, uncertainty) not read",
           "buffer: 10 %, rounded up, the platform's policy"))

METHODOLOGY = V1
