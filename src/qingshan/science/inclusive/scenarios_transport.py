"""Green transport (绿色出行): metro and bus by distance (Shenzhen) or by ride (Ant Forest),
shared bike, walking, new-energy car driving and car-pooling."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

from qingshan.science.inclusive.kinds import (
    START,
    TRIP_FIELDS,
    FactorVersion,
    Formula,
    Group,
    Scenario,
    Unit,
)
from qingshan.science.inclusive.sources import (
    ANT_FOREST_RULES,
    ANT_FOREST_WALKING,
    CARPOOL_METHOD,
    CHONGQING_BUS,
    EV_METHOD,
    HELLO_REPORT,
    MEE_GRID_2021,
    MEE_GRID_2022,
    MEE_GRID_2023,
    PETROL_CAR_AND_EV,
    SHENZHEN_PUBLIC_TRAVEL,
    WUHAN_BIKE,
    WUHAN_WALKING,
)

ROAD_AVERAGE = "the average of the city's motorised road modes per passenger-km"

PETROL_G_PER_M = Fraction(155, 1000)  # 155 g/km, petrol car (BNEF, as printed)
EV_KWH_PER_M = Fraction(18, 100_000)  # 0.18 kWh/km (SAIC, as printed)
GRID_KG_PER_KWH = {2021: (Fraction(5568, 10_000), MEE_GRID_2021),
                   2022: (Fraction(5366, 10_000), MEE_GRID_2022),
                   2023: (Fraction(5306, 10_000), MEE_GRID_2023)}
"""National average electricity CO2 factors (MEE/NBS), kg CO2 per kWh = g per Wh, by the
year they were computed for; each is in force from 1 January of that year until the next."""


def _nev(year: int) -> FactorVersion:
    grid, source = GRID_KG_PER_KWH[year]
    factor = PETROL_G_PER_M - EV_KWH_PER_M * grid * 1000
    return FactorVersion(
        dt.date(year, 1, 1), factor, source, verified=False,
        note=f"derived (T/CSAE 235-2021's BE − PE): 155 g/km petrol car − 0.18 kWh/km × "
             f"{float(grid):.4f} kg/kWh ({year} national grid) = {float(factor) * 1000:.3f} "
             f"g/km; the lower of the petrol figures read (155 BNEF, 159 = ofo's 2.1 kg for "
             f"13.2 km); leakage not deducted (none printed); inputs from "
             f"{PETROL_CAR_AND_EV.url} and the grid announcement; method {EV_METHOD.document}")


METRO = Scenario(
    code="metro", name_zh="地铁出行", name_en="metro trip (by distance)",
    group=Group.TRANSPORT, unit=Unit.METRE, formula=Formula.PER_UNIT, baseline=ROAD_AVERAGE,
    versions=(FactorVersion(START, Fraction(467, 10_000), SHENZHEN_PUBLIC_TRAVEL, True,
                            "46.7 g per passenger-km = 0.0467 g per m"),),
    max_quantity=100_000, daily_events=5, requires_end=True, max_speed_kmh=100,
    fields=TRIP_FIELDS, cap_source=ANT_FOREST_RULES,
    cap_note="5 rides a day: Ant Forest's metro cap (published); 100 km a ride and 100 km/h: "
             "the platform's choice")
BUS = Scenario(
    code="bus", name_zh="公交出行", name_en="bus trip (battery-electric, by distance)",
    group=Group.TRANSPORT, unit=Unit.METRE, formula=Formula.PER_UNIT, baseline=ROAD_AVERAGE,
    versions=(FactorVersion(START, Fraction(269, 10_000), SHENZHEN_PUBLIC_TRAVEL, True,
                            "26.9 g per passenger-km = 0.0269 g per m"),),
    max_quantity=60_000, daily_events=10, requires_end=True, max_speed_kmh=70,
    fields=TRIP_FIELDS, cap_note="all caps the platform's choice (none published)")
METRO_RIDE = Scenario(
    code="metro_ride", name_zh="地铁乘车(按次)", name_en="metro ride (fixed per ride)",
    group=Group.TRANSPORT, unit=Unit.ITEM, formula=Formula.PER_UNIT,
    baseline="Ant Forest's fixed value per ride paid by QR code (its baseline not published)",
    versions=(FactorVersion(START, Fraction(52), ANT_FOREST_RULES, True,
                            "52 g per ride, for partners that cannot send the distance; a "
                            "ride is credited under metro or metro_ride, never both"),),
    max_quantity=1, daily_events=5, cap_source=ANT_FOREST_RULES,
    cap_note="5 rides a day: Ant Forest (published)")
BUS_RIDE = Scenario(
    code="bus_ride", name_zh="公交乘车(按次)", name_en="bus ride (fixed per ride)",
    group=Group.TRANSPORT, unit=Unit.ITEM, formula=Formula.PER_UNIT,
    baseline="Ant Forest's fixed value per ride paid by QR code (its baseline not published)",
    versions=(FactorVersion(START, Fraction(80), ANT_FOREST_RULES, True,
                            "80 g per ride (Ant Forest), the lower of the two printed per-ride "
                            f"values (Chongqing 碳惠通: about 120 g, {CHONGQING_BUS.url}); a "
                            "ride is credited under bus or bus_ride, never both"),),
    max_quantity=1, daily_events=10, cap_note="10 rides a day: the platform's choice")
SHARED_BIKE = Scenario(
    code="shared_bike", name_zh="共享单车骑行", name_en="shared bike ride",
    group=Group.TRANSPORT, unit=Unit.METRE, formula=Formula.PER_UNIT, baseline=ROAD_AVERAGE,
    versions=(FactorVersion(START, Fraction(4, 100), WUHAN_BIKE, False,
                            "40 g/km (Wuhan, unverified), the lower of the figures found: Hello's "
                            f"aggregate 194万 t over 416亿 km = 46.6 g/km ({HELLO_REPORT.url}, "
                            "read); Shenzhen's shared-bike methodology (2022) not found"),),
    max_quantity=30_000, daily_events=10, requires_end=True, max_speed_kmh=25,
    fields=TRIP_FIELDS, cap_note="all caps the platform's choice; 25 km/h is GB 17761's "
                                 "e-bike limit, used as a bicycle's plausible top speed")
WALKING = Scenario(
    code="walking", name_zh="步行", name_en="walking (steps of a day)",
    group=Group.TRANSPORT, unit=Unit.STEP, formula=Formula.PER_UNIT,
    baseline="short motorised trips replaced by walking (Wuhan points; baseline not printed)",
    versions=(FactorVersion(START, Fraction(1, 50), WUHAN_WALKING, False,
                            "0.02 g per step (0.02 points, 1 point = 1 g; unverified); the "
                            "296 g/day cap binds at 14,800 steps"),),
    max_quantity=100_000, daily_events=1, daily_grams=296, cap_source=ANT_FOREST_WALKING,
    cap_note="296 g a day: Ant Forest's walking cap (published); one step count a day and "
             "100,000 steps: the platform's choice")
NEV_DRIVING = Scenario(
    code="nev_driving", name_zh="新能源汽车出行", name_en="battery-electric car driving",
    group=Group.TRANSPORT, unit=Unit.METRE, formula=Formula.PER_UNIT,
    baseline="the same km in a petrol car (T/CSAE 235-2021: km × fuel per km × fuel EF)",
    versions=tuple(_nev(y) for y in sorted(GRID_KG_PER_KWH)),
    max_quantity=500_000, daily_events=10, daily_grams=30_000, requires_end=True,
    max_speed_kmh=130, fields=TRIP_FIELDS,
    cap_note="all caps the platform's choice (130 km/h: above the 120 km/h expressway limit)")
CARPOOL = Scenario(
    code="carpool", name_zh="汽车合乘", name_en="car-pooling (passenger)",
    group=Group.TRANSPORT, unit=Unit.METRE, formula=Formula.PER_UNIT,
    baseline="the passenger driving the same km alone in a petrol car",
    versions=(FactorVersion(START, Fraction(7, 100), CARPOOL_METHOD, False,
                            "derived: the passenger's own petrol car (155 g/km, BNEF as read) "
                            "less a half share of the shared car = 77.5 g/km, rounded down to 70 "
                            "g/km for the driver's detour (T/CCAA 38-2021's coefficient not "
                            "found); Hello's hitch aggregate (逾400万 t over 202亿 km ≥ 198 "
                            "g/km) is far above"),),
    max_quantity=200_000, daily_events=4, requires_end=True, max_speed_kmh=130,
    fields=TRIP_FIELDS, cap_note="all caps the platform's choice")

TRANSPORT = (METRO, BUS, METRO_RIDE, BUS_RIDE, SHARED_BIKE, WALKING, NEV_DRIVING, CARPOOL)
