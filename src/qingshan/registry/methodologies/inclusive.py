"""Pooled carbon-inclusive reductions (碳普惠): people's low-carbon trips, pooled by the
platform and issued as credits it can sell for carbon neutrality.

    ER = (PKM_metro × f_metro + PKM_bus × f_bus) / 10⁶        (tCO2e)

passenger-kilometres by metro and by electric bus times the reduction factor of each mode
against the city's average motorised trip: 46.7 g CO2 per passenger-km for metro and 26.9 g for
electric buses, as set by Shenzhen's carbon-inclusive methodology for public transport (reported
by the city in September 2022). Chongqing's own factors replace these when published.
"""

from __future__ import annotations

from qingshan.registry.methodologies.base import Methodology, Parameter, Source, Values

SHENZHEN = Source("深圳市碳普惠 公共交通(地铁、公交)方法学", "深圳市生态环境局 (Shenzhen)",
                  "reduction factors: metro 46.7 g CO2/pkm, electric bus 26.9 g CO2/pkm",
                  "https://www.citysz.net/guonei/2022/0923/2022107136.html")


def calculate(v: Values) -> float:
    return (v["metro_pkm"] * v["f_metro"] + v["bus_pkm"] * v["f_bus"]) / 1_000_000


METHODOLOGY = Methodology(
    id="CQ-INCLUSIVE", version="1.0", title_zh="碳普惠低碳出行减排量归集",
    title_en="pooled carbon-inclusive low-carbon trips", sector="inclusive",
    scope="Metro and electric-bus trips of registered people, counted once, pooled by the "
          "platform operator.",
    source=SHENZHEN,
    parameters=(
        Parameter("metro_pkm", "地铁出行人公里", "metro passenger-km", "pkm", minimum=0,
                  maximum=1e12),
        Parameter("bus_pkm", "电动公交出行人公里", "electric-bus passenger-km", "pkm",
                  minimum=0, maximum=1e12),
        Parameter("f_metro", "地铁减排因子", "metro reduction factor", "gCO2/pkm", minimum=0,
                  maximum=500, default=46.7, source=SHENZHEN, monitored=False),
        Parameter("f_bus", "电动公交减排因子", "electric-bus reduction factor", "gCO2/pkm",
                  minimum=0, maximum=500, default=26.9, source=SHENZHEN, monitored=False),
    ),
    report_fields=("trip records by operator, deduplicated per person and trip",),
    calculate=calculate)
