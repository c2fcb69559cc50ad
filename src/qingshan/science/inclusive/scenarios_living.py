"""Household and office energy (居家与办公节能), green consumption (绿色消费) and recycling
(回收利用)."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

from qingshan.science.inclusive.kinds import (
    SAVED_FIELDS,
    START,
    FactorVersion,
    Formula,
    Group,
    Scenario,
    Unit,
)
from qingshan.science.inclusive.scenarios_transport import GRID_KG_PER_KWH
from qingshan.science.inclusive.sources import (
    ANT_FOREST_RULES,
    PLATFORM,
    SECOND_HAND_PHONE,
    SHENZHEN_PUBLIC_TRAVEL,
    TEXTILES,
    TEXTILES_NATIONAL,
    TIANJIN_CHOPSTICKS,
    WASTE_PAPER,
)

HOUSEHOLD_ELECTRICITY = Scenario(
    code="household_electricity", name_zh="家庭节电", name_en="household electricity saved",
    group=Group.ENERGY, unit=Unit.WATT_HOUR, formula=Formula.SAVED,
    baseline="the household's own baseline, sent with each day's reading (Shenzhen: its 7-day "
             "moving average of daily consumption)",
    versions=tuple(FactorVersion(dt.date(year, 1, 1), grid, source, True,
                                 f"{float(grid):.4f} kg CO2/kWh = g CO2/Wh, the national "
                                 f"average computed for {year}; in force for events from 1 "
                                 f"January {year} until the next year's factor")
                   for year, (grid, source) in sorted(GRID_KG_PER_KWH.items())),
    max_quantity=200_000, daily_events=1, yearly_grams=500_000, fields=SAVED_FIELDS,
    cap_note="all caps the platform's choice: one reading a day, at most 200 kWh saved a day, "
             "0.5 t a year")
PAPERLESS_OFFICE = Scenario(
    code="paperless_office", name_zh="无纸化办公", name_en="paperless office (sheet not printed)",
    group=Group.ENERGY, unit=Unit.ITEM, formula=Formula.PER_UNIT,
    baseline="one A4 sheet printed for a document handled electronically",
    versions=(FactorVersion(START, Fraction(5), ANT_FOREST_RULES, False,
                            "no published factor per sheet: Ant Forest's 5 g for one paperless "
                            "document (an e-invoice) applied per sheet; an A4 sheet of 80 g/m² "
                            "weighs 4.99 g, at 1.1 t CO2 per t of paper (an unattributed page) "
                            "5.5 g, so 5 g is the lower"),),
    max_quantity=1, daily_events=20, cap_note="20 sheets a day: the platform's choice")
ONLINE_MEETING = Scenario(
    code="online_meeting", name_zh="线上会议", name_en="online meeting (per attendee)",
    group=Group.ENERGY, unit=Unit.ITEM, formula=Formula.PER_UNIT,
    baseline="the attendee's trip to an in-person meeting",
    versions=(FactorVersion(START, Fraction(13), PLATFORM, False,
                            "no published 碳普惠 methodology: one attendee's avoided trip taken "
                            "as 1 km by battery-electric bus (26.9 g, Shenzhen), halved for the "
                            "meeting's own device and network electricity (not quantified in "
                            "any source read) and rounded down: 13 g. Source of the 26.9: "
                            f"{SHENZHEN_PUBLIC_TRAVEL.url}"),),
    max_quantity=1, daily_events=3, cap_note="3 meetings a day: the platform's choice")
E_INVOICE = Scenario(
    code="e_invoice", name_zh="电子发票", name_en="e-invoice instead of paper",
    group=Group.ENERGY, unit=Unit.ITEM, formula=Formula.PER_UNIT,
    baseline="a paper invoice (Ant Forest's fixed value; its baseline not published)",
    versions=(FactorVersion(START, Fraction(5), ANT_FOREST_RULES, True, "5 g per e-invoice"),),
    max_quantity=1, daily_events=5, cap_source=ANT_FOREST_RULES,
    cap_note="5 a day: Ant Forest (published)")

NO_TABLEWARE = Scenario(
    code="no_disposable_tableware", name_zh="外卖不要一次性餐具",
    name_en="food order without disposable tableware", group=Group.CONSUMPTION,
    unit=Unit.ITEM, formula=Formula.PER_UNIT,
    baseline="a pair of disposable wooden chopsticks supplied with the order",
    versions=(FactorVersion(START, Fraction(20), TIANJIN_CHOPSTICKS, True,
                            "20 g per order: one pair of chopsticks not used; a full set "
                            "(spoon, bag, napkins) would be more, so this is the lower"),),
    max_quantity=1, daily_events=3, cap_note="3 orders a day: the platform's choice")
SECOND_HAND_PHONE_SALE = Scenario(
    code="second_hand_phone", name_zh="闲置二手手机交易", name_en="second-hand phone sold",
    group=Group.CONSUMPTION, unit=Unit.ITEM, formula=Formula.PER_UNIT,
    baseline="a new phone made instead (production-stage emissions × substitution rate)",
    versions=(FactorVersion(START, Fraction(25_000), SECOND_HAND_PHONE, True,
                            "at least about 25 kg per sale (\"至少 ... 约25公斤\"); the Wuhan and "
                            "Shenzhen second-hand-phone methodologies were not read; other "
                            "second-hand goods have no factor here"),),
    max_quantity=1, daily_events=1, yearly_grams=100_000,
    cap_note="one sale a day, four a year (100 kg): the platform's choice")
NO_PACKAGING = Scenario(
    code="no_packaging_purchase", name_zh="无包装购物", name_en="purchase without packaging",
    group=Group.CONSUMPTION, unit=Unit.ITEM, formula=Formula.PER_UNIT,
    baseline="a single-use bag or wrapping supplied with the purchase",
    versions=(FactorVersion(START, Fraction(1), PLATFORM, False,
                            "no per-purchase factor found (a national figure for 10 % fewer "
                            "plastic bags, 3.1万 t, has no bag count): a token 1 g a purchase"),),
    max_quantity=1, daily_events=5, cap_note="5 a day: the platform's choice")

WASTE_SORTING = Scenario(
    code="waste_sorting", name_zh="垃圾分类投放", name_en="waste sorting check-in",
    group=Group.RECYCLING, unit=Unit.ITEM, formula=Formula.PER_UNIT,
    baseline="unsorted household waste",
    versions=(FactorVersion(START, Fraction(1), PLATFORM, False,
                            "no per-check-in factor found (Quzhou DB3308/T 102-2022 credits "
                            "type × weight, not read): a token 1 g a verified check-in; weighed "
                            "recyclables earn under recycled_paper or clothing_recycling"),),
    max_quantity=1, daily_events=2, cap_note="2 a day: the platform's choice")
RECYCLED_PAPER = Scenario(
    code="recycled_paper", name_zh="废纸回收", name_en="waste paper recycled (weighed)",
    group=Group.RECYCLING, unit=Unit.GRAM, formula=Formula.PER_UNIT,
    baseline="paper made from virgin pulp",
    versions=(FactorVersion(START, Fraction(3, 2), WASTE_PAPER, True,
                            "about 1.5 t CO2 per t of waste paper = 1.5 g per g; paper only: "
                            "no factor for plastics, metal or glass was read (glass would be "
                            "lower)"),),
    max_quantity=50_000, daily_events=2, yearly_grams=500_000,
    cap_note="50 kg a collection, 2 a day, 0.5 t a year: the platform's choice")
CLOTHING = Scenario(
    code="clothing_recycling", name_zh="旧衣回收", name_en="used clothing recycled (weighed)",
    group=Group.RECYCLING, unit=Unit.GRAM, formula=Formula.PER_UNIT,
    baseline="new textiles made instead",
    versions=(FactorVersion(START, Fraction(36, 10), TEXTILES, True,
                            "3.6 kg CO2 per kg = 3.6 g per g (BIR 2008 as quoted), the lower of "
                            "the two printed figures (澎湃 2014: 8000万 t for 2000万 t = 4 g "
                            "per g, "
                            f"{TEXTILES_NATIONAL.url})"),),
    max_quantity=30_000, daily_events=1, yearly_grams=200_000,
    cap_note="30 kg a collection, one a day, 0.2 t a year: the platform's choice")

LIVING = (HOUSEHOLD_ELECTRICITY, PAPERLESS_OFFICE, ONLINE_MEETING, E_INVOICE, NO_TABLEWARE,
          SECOND_HAND_PHONE_SALE, NO_PACKAGING, WASTE_SORTING, RECYCLED_PAPER, CLOTHING)
