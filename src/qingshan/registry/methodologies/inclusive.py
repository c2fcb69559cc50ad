"""Pooled carbon-inclusive reductions (碳普惠): people's low-carbon trips, pooled by the
platform and issued as credits it can sell for carbon neutrality.

    ER = (PKM_metro × f_metro + PKM_bus × f_bus) / 10⁶        (tCO2e)

passenger-kilometres by metro and by battery-electric bus (纯电动公共汽车) times each mode's
reduction factor against the average motorised trip: 46.7 g CO2 per passenger-km for metro and
26.9 g for battery-electric buses, the factors of 《深圳市低碳公共出行碳普惠方法学》 (Shenzhen's
low-carbon public-travel carbon-inclusive methodology) as printed by 深圳商报 on 2022-09-23.
The structure — a per-kilometre reduction factor (baseline minus the green mode's own factor)
times the distance travelled — is the one of DB11/T 3043-2024. Chongqing's own factors replace
these when published.

@2.0 fixes the two factors at validation (reports carry passenger-km only); @1.0 is kept only
so that entries journaled under registry rules 1, which took the factors from the report,
replay as they did.
"""

from __future__ import annotations

from qingshan.registry.methodologies.base import (
    Methodology,
    Parameter,
    ParameterKind,
    Source,
    Values,
)

FIXED = ParameterKind.FIXED

SHENZHEN = Source("《深圳市低碳公共出行碳普惠方法学》 (Shenzhen low-carbon public travel "
                  "carbon-inclusive methodology)", "深圳市 (as reported by 深圳商报, 2022-09-23)",
                  "乘坐纯电动公共汽车出行,每人每公里可减少26.9克二氧化碳排放,乘坐地铁出行,"
                  "每人每公里可减少46.7克二氧化碳排放",
                  "https://www.citysz.net/guonei/2022/0923/2022107136.html")

SCOPE = ("Metro and battery-electric bus trips of registered people, counted once, pooled by "
         "the platform operator.")
REPORT_FIELDS = ("trip records by operator, deduplicated per person and trip",)


def calculate(v: Values) -> float:
    return (v["metro_pkm"] * v["f_metro"] + v["bus_pkm"] * v["f_bus"]) / 1_000_000


def _params(max_factor: float) -> tuple[Parameter, ...]:
    return (
        Parameter("metro_pkm", "地铁出行人公里", "metro passenger-km", "pkm", minimum=0,
                  maximum=1e12),
        Parameter("bus_pkm", "纯电动公交出行人公里", "battery-electric bus passenger-km", "pkm",
                  minimum=0, maximum=1e12),
        Parameter("f_metro", "地铁减排因子", "metro reduction factor", "gCO2/pkm", minimum=0,
                  maximum=max_factor, default=46.7, source=SHENZHEN, kind=FIXED),
        Parameter("f_bus", "纯电动公交减排因子", "battery-electric bus reduction factor",
                  "gCO2/pkm", minimum=0, maximum=max_factor, default=26.9, source=SHENZHEN,
                  kind=FIXED),
    )


V1 = Methodology(
    id="CQ-INCLUSIVE", version="1.0", title_zh="碳普惠低碳出行减排量归集",
    title_en="pooled carbon-inclusive low-carbon trips", sector="inclusive", scope=SCOPE,
    source=SHENZHEN, parameters=_params(500), report_fields=REPORT_FIELDS,
    calculate=calculate, legacy=True, successor="CQ-INCLUSIVE@2.0")

V2 = Methodology(
    id="CQ-INCLUSIVE", version="2.0", title_zh="碳普惠低碳出行减排量归集",
    title_en="pooled carbon-inclusive low-carbon trips", sector="inclusive", scope=SCOPE,
    source=SHENZHEN, parameters=_params(150), report_fields=REPORT_FIELDS,
    calculate=calculate)

METHODOLOGY = V2
