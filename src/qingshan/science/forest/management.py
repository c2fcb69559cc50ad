"""Forest-management net removals (森林经营碳汇): the same stands under improved management
(the project) against the same stands under business-as-usual management (the baseline).

    ΔC_NET,t = ΔC_P,t − ΔC_BSL,t − LK_t                    t CO2e in year t
    ΔC_P,t   = stock(project stands, t) − stock(project stands, t − 1)
    ΔC_BSL,t = stock(baseline stands, t) − stock(baseline stands, t − 1)
    LK_t     = leakage_share · max(0, ΔC_P,t − ΔC_BSL,t)

The structure is that of AR-CM-003-V01 《森林经营碳汇项目方法学》 (国家发展改革委 / 国家林业局,
2014), whose 编制说明 says it is built on the CDM methodology template — project removals less
baseline removals less leakage, the rule of 5/CMP.1 Annex para 1(c) that CQ-FOREST cites.
Its applicability (conditions (a)–(g), read in a copy quoted by a provincial form): existing
乔木林 (canopy density ≥ 0.20, ≥ 0.0667 ha, trees ≥ 2 m) that are planted young or middle-aged
stands at the start, on mineral soil, with no clear-felling or burning, dead wood and litter
left in place except for sanitation, soil disturbed on ≤ 10 % of the area at most once in 20
years. So the baseline is the same stands, already growing: here each side is a list of
``carbon.Stand`` records with its own site factor and stocking (林分疏密度), and the
improvement is what the project's stands grow above the baseline's.

Read and not read (docs/methodologies.md, "Forest management"): the text's clause 5 (the
baseline and project formulas, equation numbers, the treatment of harvest, leakage and
uncertainty) was **not** reached in the stored copy — only its cover, 编制说明 and table of
contents. Baseline harvest is therefore not modelled as an event; a business-as-usual stand
that is thinned or under-stocked is stated by its lower ``stocking``. Leakage as a share of
the increment above the baseline is the platform's way to state a leakage estimate (0 for
the same stands), not the methodology's clause.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from qingshan.science.forest.carbon import Stand, group_curves, stock_co2
from qingshan.science.forest.growth import FloatArray
from qingshan.science.forest.methodology import check_net_inputs
from qingshan.science.forest.montecarlo import (
    DRAW_CHUNK,
    Projection,
    check_draws,
    draw_factors,
    per_unit_draws,
    summarise,
)
from qingshan.science.forest.parameters import Citation

AR_CM_003 = Citation(
    "AR-CM-003-V01 森林经营碳汇项目方法学 (版本号 V01)", "国家发展和改革委员会 / 国家林业局, 2014",
    "read: cover, 编制说明 (built on the CDM methodology template, IPCC 2006 and GPG-LULUCF) "
    "and the table of contents (1, 2 适用条件 p. 1, 3 规范性引用文件 p. 2, 4 p. 2, 5 基线与碳计量"
    "方法 p. 4, 5.1 项目边界的确定); clause 5's formulas were not reached",
    "https://345wk.com/doc/406.html")

AR_CM_003_APPLICABILITY = Citation(
    "《森林经营项目方法学》 applicability conditions (a)–(g), quoted in a provincial "
    "resource-statistics form (附件3)", "as reproduced by biz.doczj.com",
    "(a) 乔木林地: 郁闭度≥0.20, 连续分布面积≥0.0667 公顷, 树高≥2 米; (b) 项目活动开始时属人工"
    "幼、中龄林; (c) lawful; (d) 矿质土壤; (e) 不涉及全面清林和炼山; (f) 除为改善林分卫生状况"
    "外不移除枯死木和地表枯落物; (g) soil disturbance ≤ 10 % of the area, at most once in 20 "
    "years, along contours", "http://biz.doczj.com/doc/6917044808.html")


def net_from_management(project: FloatArray, baseline: FloatArray,
                        leakage_share: float) -> FloatArray:
    """Net removals per year from the project's and the baseline's stocks at years 0..n
    (last axis): the project's yearly change less the baseline's, less the leakage share of
    any increment above the baseline."""
    increment = np.diff(project, axis=-1) - np.diff(baseline, axis=-1)
    out: FloatArray = increment - leakage_share * np.maximum(increment, 0.0)
    return out


def management_removals(project_stands: Iterable[Stand], baseline_stands: Iterable[Stand],
                        years: int, leakage_share: float = 0.0) -> FloatArray:
    """t CO2e net removals in each year 1..``years`` with the default parameters: the
    growth of ``project_stands`` (improved management) less that of ``baseline_stands``
    (the same land under business-as-usual management), less ``leakage_share`` of the
    increment. Negative where the baseline grows faster (the project credits nothing then)."""
    check_net_inputs(years, 0.0, leakage_share)
    t = np.arange(years + 1, dtype=np.float64)
    return net_from_management(stock_co2(list(project_stands), t),
                               stock_co2(list(baseline_stands), t), float(leakage_share))


def mean_baseline_change(baseline_stands: Iterable[Stand], years: int) -> float:
    """The baseline's mean stock change per year over ``years`` (t CO2e/yr), as a project
    document's baseline projection states it for validation (``CQ-FOREST-MGMT``'s
    ``baseline_per_year``)."""
    check_net_inputs(years, 0.0, 0.0)
    stock = stock_co2(list(baseline_stands), np.array([0.0, float(years)]))
    return float(stock[1] - stock[0]) / years


def management_monte_carlo(project_stands: Iterable[Stand], baseline_stands: Iterable[Stand],
                           years: int, draws: int, seed: int,
                           leakage_share: float = 0.0) -> Projection:
    """``management_removals`` over ``draws`` draws of the uncertain parameters
    (``montecarlo``). The project and the baseline share each draw's parameters — the same
    wood density, BEF, R, CF and asymptote per species group — so their difference carries
    the uncertainty of the parameters, not independent noise: with the same stands on both
    sides every draw nets exactly 0."""
    check_net_inputs(years, 0.0, leakage_share)
    check_draws(draws, seed)
    t = np.arange(years + 1, dtype=np.float64)
    project = group_curves(list(project_stands), t)
    baseline = group_curves(list(baseline_stands), t)
    factors = draw_factors(draws, seed)
    net = np.empty((draws, years))
    for start in range(0, draws, DRAW_CHUNK):
        stop = min(draws, start + DRAW_CHUNK)
        f = factors[start:stop]
        net[start:stop] = net_from_management(per_unit_draws(f, project.groups) @ project.shares,
                                              per_unit_draws(f, baseline.groups) @ baseline.shares,
                                              float(leakage_share))
    return summarise(net, seed)
