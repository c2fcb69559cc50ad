"""The demo's cast, drawn once from a seeded generator: the companies (by role), their projects
with physical sizes and dates, and the registry's calendar for each project.

Every size is drawn from a distribution whose parameters are sourced or said to be an
assumption; docs/demo.md lists them with their sources (mostly
``notes/issue10-research.md``'s sections C and D, and the seed). Nothing here talks to the
sequencer: the loader replays the plan day by day.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from qingshan.demo.calendar import LAUNCH
from qingshan.demo.names import Namer
from qingshan.reference.chongqing import DISTRICTS, District
from qingshan.registry.methodologies.base import Methodology

_BY_CODE = {d.code: d for d in DISTRICTS}

# Where each kind of company is: forestry and biogas in the mountain and rural counties,
# industry in the industrial districts, services and traders in the city (GB/T 2260 codes).
MOUNTAINS = ("500229", "500238", "500237", "500236", "500235", "500242", "500241", "500243",
             "500240", "500156", "500119", "500154", "500114", "500230", "500101")
RURAL = ("500243", "500242", "500241", "500154", "500235", "500233", "500155", "500231",
         "500236", "500238", "500230", "500117", "500152", "500153")
INDUSTRY = ("500115", "500102", "500116", "500101", "500110", "500118", "500117", "500107",
            "500157", "500119", "500120", "500151", "500153")
CITY = ("500103", "500157", "500108", "500106", "500107", "500104", "500109", "500113")
EVERYWHERE = tuple(d.code for d in DISTRICTS)
WULONG, WUSHAN = "500156", "500237"  # the seed's forestry pledge loans: 武隆, 巫山 (and 秀山, 永川)

# Share of the enterprises in each role (assumption: the published figure is 149 companies in
# all; the split into owners of projects and buyers is ours).
ROLES = (("forestry", 0.15), ("pv", 0.15), ("biogas", 0.07), ("trader", 0.10),
         ("compliance", 0.32), ("neutral", 0.21))


@dataclass
class Company:
    key: str
    role: str  # forestry, pv, biogas, trader, compliance, neutral
    name: str
    district: District
    town: str
    joins: dt.date
    need: int  # t a year to buy: compliance offsets, a neutral claim, a trader's stock
    party: str = ""
    account: str = ""


@dataclass
class Period:
    start: dt.date
    end: dt.date
    physical: dict[str, float]  # the monitored quantities (MWh, digesters, t, pkm)
    expected_t: int  # tCO2e a physical estimate gives


@dataclass
class ProjectPlan:
    key: str
    owner: Company | None  # None: the platform (pooled carbon-inclusive reductions)
    kind: str  # afforestation, management, pv, biogas, inclusive
    methodology: Methodology
    name: str
    district: District
    town: str
    size: float
    unit: str
    crediting_start: dt.date
    crediting_end: dt.date
    created: dt.date
    estimated_annual: int
    periods: list[Period] = field(default_factory=list)
    pilot: bool = False  # one of the first batch, ready when the platform opened
    # fixed values of its own, as its validated document states them (a forest's stock at
    # the start); the methodology's demo values (``registry.DEMO_FIXED``) for the rest
    fixed: dict[str, str] = field(default_factory=dict)


def lognormal(rng: random.Random, median: float, sigma: float, lo: float, hi: float) -> float:
    """A lognormal draw with the given median, kept inside [lo, hi] by drawing again."""
    for _ in range(100):
        x = rng.lognormvariate(math.log(median), sigma)
        if lo <= x <= hi:
            return x
    return min(max(median, lo), hi)


def day_between(rng: random.Random, a: dt.date, b: dt.date) -> dt.date:
    return a + dt.timedelta(days=rng.randrange(max(1, (b - a).days + 1)))


def kind_of(m: Methodology) -> str:
    """Which kind of project a methodology serves, from its sector and titles."""
    text = f"{m.id} {m.sector} {m.title_zh} {m.title_en}".lower()
    for kind, words in (("forestry", ("forest", "林")), ("pv", ("光伏", "photovolt")),
                        ("biogas", ("沼气", "biogas")), ("inclusive", ("普惠", "inclusive"))):
        if any(w in text for w in words):
            return kind
    return "other"


# ---------------------------------------------------------------------------- physical sizes
# Forestry (research notes D2, E3): afforestation 3,000-13,000 mu (up to ~45,000) removing 0.7-1.3
# tCO2e per mu a year over a 20-year crediting period (广东长隆 1.33, 汕头潮阳 1.01, 四川西北
# 0.68); forest management 0.2-0.3 t/mu a year (巫溪 and 城口 国储林 project, 10.6万 mu, 48.4万 t
# over 20 years = 0.23). Crediting periods 20-40 years (CCER forestry; LY/T 2252-2014 asks
# 20-60).
def _forestry(rng: random.Random, management: bool) -> tuple[float, float]:
    if management:
        return lognormal(rng, 50_000, 0.6, 5_000, 110_000), rng.uniform(0.20, 0.30)
    return lognormal(rng, 7_000, 0.8, 300, 45_000), rng.uniform(0.70, 1.30)


# Distributed PV of 0.2-20 MW (the range), lognormal around 1.2 MW (research notes E1:
# carbon-inclusive PV schemes cap a project at 1 MW (Shanghai); a real Chongqing rooftop of
# 3.6 MW); 850 full-load hours a year in Chongqing, ±8 % from year to year (research notes A2(c):
# Three Gorges Energy's Wushan projects, 200 MW for 170 GWh a year and a 3.6 MW rooftop for
# 3.08 GWh).
PV_HOURS = 850.0
# Household biogas (research notes C1): programmes of 2,000 to 33,000 households (Hubei Enshi
# 33,000; UPM Sichuan 27,598; Guizhou 24,999); 0.5-0.9 t raw coal displaced per digester a
# year; 85-95 % of digesters found in use by the yearly sample survey (assumption).
BIOGAS_COAL = (0.5, 0.9)
# CQ-BIOGAS@2.0's defaults (raw coal 20.908 GJ/t, 94.6 kg CO2/GJ) and the methane leaking from
# a digester at the demo's fixed values (10 % of 385 m³ of biogas at 60 % methane, 0.716 kg/m³,
# GWP 21): t CO2e a digester-year, for the estimate only (the registry computes the claim)
BIOGAS_NCV, BIOGAS_EF = 20.908, 94.6
BIOGAS_LEAK_T = 0.1 * 385 * 0.6 * 0.716 * 21 / 1000
# Pooled carbon-inclusive trips (research notes F2, E4): nearly 2 million users in May 2024
# (中国环境报), 2.32 million in the seed; the other years are an assumption. 40 % of users
# active, each riding 100 buses (4.5 km) and 60 metro trains (8.28 km) a year (assumption for the
# rides; 4.5 km is the platform's 120 g a bus ride over Shenzhen's 26.9 g/pkm, 8.28 km the
# national 2024 ratio of urban-rail passenger-km to rides, 交通运输部). The claim is some tens of
# kilotonnes a year, against ≈0.56 Mt a year for all of Chongqing's metro riders (E4).
USERS = {2021: 300_000, 2022: 1_000_000, 2023: 1_600_000, 2024: 2_320_000, 2025: 2_600_000,
         2026: 2_800_000}


def _physical(kind: str, size: float, rate: float, start: dt.date, end: dt.date,
              rng: random.Random) -> tuple[dict[str, float], int]:
    """The monitored quantities of one period and the tCO2e they give."""
    years = ((end - start).days + 1) / 365.25
    if kind in ("afforestation", "management"):
        removals = size * rate * years * rng.uniform(0.92, 1.08)
        return {"actual_removals": round(removals, 1)}, int(removals)
    if kind == "pv":
        mwh = size * PV_HOURS * years * rng.uniform(0.92, 1.08)
        return {"eg_mwh": round(mwh, 1)}, int(mwh * 0.5366)
    if kind == "biogas":  # digesters found in operation, coal a digester displaces a year
        digesters = int(size * rng.uniform(0.85, 0.95))
        net = rate * BIOGAS_NCV * BIOGAS_EF / 1000 - BIOGAS_LEAK_T
        return ({"digesters": digesters, "coal_per_digester_t": round(rate, 3)},
                int(digesters * years * net))
    active = USERS.get(end.year, USERS[max(USERS)]) * 0.4 * size * years
    metro, bus = active * 60 * 8.28, active * 100 * 4.5
    return ({"metro_pkm": round(metro), "bus_pkm": round(bus)},
            int((metro * 46.7 + bus * 26.9) / 1_000_000))


def _periods(kind: str, size: float, rate: float, plan: ProjectPlan, rng: random.Random,
             end: dt.date) -> list[Period]:
    """Monitoring periods: calendar years for energy, agriculture and inclusive projects
    (from up to two years before the project was created); for forestry, one first period
    from the start of crediting to the end of the year before, then two years at a time."""
    out: list[Period] = []
    cs, ce = plan.crediting_start, plan.crediting_end
    if kind in ("afforestation", "management"):
        first_end = dt.date(plan.created.year - 1, 12, 31)
        bounds = [(cs, first_end)] if first_end > cs + dt.timedelta(days=700) else []
        y = first_end.year + 1 if bounds else plan.created.year
        while True:
            b = dt.date(y + 1, 12, 31)
            if b >= end:
                break
            bounds.append((dt.date(y, 1, 1), b))
            y += 2
    else:
        y = max(cs.year, plan.created.year - 2)
        bounds = []
        while dt.date(y, 12, 31) < end:
            bounds.append((max(cs, dt.date(y, 1, 1)), dt.date(y, 12, 31)))
            y += 1
    for a, b in bounds:
        if b > ce:
            b = ce
        if a < b:
            values, t = _physical(kind, size, rate, a, b, rng)
            out.append(Period(a, b, values, t))
    return out


def _project_kind(company_role: str, rng: random.Random) -> str:
    if company_role == "forestry":
        return "management" if rng.random() < 0.35 else "afforestation"
    return company_role


def draw_project(rng: random.Random, namer: Namer, key: str, owner: Company | None,
                 kind: str, m: Methodology, created: dt.date, end: dt.date,
                 town: str = "") -> ProjectPlan:
    """One project with its size, crediting period and monitoring periods (in the owner's
    district; in ``town``, by default the owner's)."""
    district = owner.district if owner else _BY_CODE["500103"]
    town = town or (owner.town if owner else "解放碑街道")
    if kind in ("afforestation", "management"):
        size, rate = _forestry(rng, kind == "management")
        unit, years = "mu", rng.choice((20, 20, 25, 30, 40))
        start = day_between(rng, dt.date(2014, 1, 1), dt.date(2020, 12, 31))
        label = "森林经营碳汇项目" if kind == "management" else "造林碳汇项目"
        base = f"{district.name_zh}{town}{label}"
    elif kind == "pv":
        size, rate = lognormal(rng, 1.2, 1.0, 0.2, 20.0), PV_HOURS
        unit, years = "MW", 10
        start = day_between(rng, dt.date(2018, 7, 1), min(created, dt.date(2025, 6, 30)))
        base = f"{district.name_zh}{town}{size:.1f}兆瓦分布式光伏发电项目"
    elif kind == "biogas":
        size, rate = lognormal(rng, 4_000, 1.0, 300, 40_000), rng.uniform(*BIOGAS_COAL)
        size = round(size, -1) if size < 1_000 else round(size, -2)
        unit, years = "households", 10
        start = day_between(rng, dt.date(2016, 1, 1), dt.date(2021, 6, 30))
        base = f"{district.name_zh}{town}农村户用沼气项目"
    else:
        size, rate, unit, years = 1.0, 0.0, "share of users", 10
        start = LAUNCH
        base = "重庆市碳惠通碳普惠低碳出行减排量归集项目"
    start = min(start, created)
    later = dt.date(start.year + years, start.month, min(start.day, 28))
    plan = ProjectPlan(key, owner, kind, m, namer.project(base), district, town, size, unit,
                       start, later - dt.timedelta(days=1), created, 0)
    _, annual = _physical(kind, size, rate, dt.date(2023, 1, 1), dt.date(2023, 12, 31), rng)
    plan.estimated_annual = max(1, annual)
    plan.periods = _periods(kind, size, rate, plan, rng, end)
    return plan


def draw_companies(rng: random.Random, namer: Namer, enterprises: int, kinds: set[str],
                   end: dt.date) -> list[Company]:
    """The enterprises, first-joined first: roles whose methodology is missing become buyers
    of carbon neutrality."""
    counts = {role: round(enterprises * share) for role, share in ROLES}
    for role in ("forestry", "pv", "biogas"):
        if role not in kinds:
            counts["neutral"] += counts.pop(role)
    counts["neutral"] += enterprises - sum(counts.values())
    where = {"forestry": MOUNTAINS, "biogas": RURAL, "pv": EVERYWHERE, "compliance": INDUSTRY,
             "neutral": CITY + EVERYWHERE[:12], "trader": CITY}
    out: list[Company] = []
    for role, n in counts.items():
        for k in range(n):
            # the first two forestry companies: where the seed's pledge loans went
            code = (WULONG, WUSHAN)[k] if role == "forestry" and k < 2 else \
                rng.choice(where[role])
            district = _BY_CODE[code]
            town = namer.town(district)
            if role in ("forestry", "pv", "biogas"):  # before its first project
                # a quarter brought the first batch of projects when the platform opened
                # (assumption)
                joins = LAUNCH if rng.random() < 0.25 else \
                    day_between(rng, LAUNCH, min(end, dt.date(2025, 9, 30)))
            elif rng.random() < 0.3:
                joins = day_between(rng, LAUNCH, LAUNCH + dt.timedelta(days=60))
            else:
                joins = day_between(rng, LAUNCH, end - dt.timedelta(days=60))
            need = {"compliance": lognormal(rng, 6_000, 1.0, 300, 120_000),
                    "neutral": lognormal(rng, 500, 1.2, 10, 20_000),
                    "trader": lognormal(rng, 40_000, 0.6, 5_000, 200_000)}.get(role, 0.0)
            out.append(Company("", role, namer.company(role, district, town), district, town,
                               joins, int(need)))
    first = next((c for c in out if c.role == "forestry"), None)
    if first is not None:
        first.joins = LAUNCH  # the demo's member key belongs to the first enterprise
    out.sort(key=lambda c: (c.joins, c is not first))
    for i, c in enumerate(out):
        c.key = f"e{i + 1:03d}"
    return out


# a forestry project of each kind reports under the stock methodology made for it when the
# demo runs it: its stands' volumes, the registry computing the removals (demo.forestry)
STOCK_METHODOLOGY = {"afforestation": "CQ-FOREST", "management": "CQ-FOREST-MGMT"}


def _methodology_for(kind: str, ms: Sequence[Methodology], n: int) -> Methodology:
    """The stock methodology for the project's kind if the demo runs it, else one of the
    flow methodologies of its sector in turn."""
    stock = [m for m in ms if m.stock is not None and m.id == STOCK_METHODOLOGY.get(kind)]
    if stock:
        return stock[-1]
    flows = [m for m in ms if m.stock is None] or list(ms)
    return flows[n % len(flows)]


def draw_projects(rng: random.Random, namer: Namer, companies: Sequence[Company],
                  methodologies: Sequence[Methodology], end: dt.date) -> list[ProjectPlan]:
    by_kind: dict[str, list[Methodology]] = {}
    for m in methodologies:
        by_kind.setdefault(kind_of(m), []).append(m)
    plans: list[ProjectPlan] = []
    for c in companies:
        if c.role not in ("forestry", "pv", "biogas"):
            continue
        ms = by_kind[c.role]
        count = 2 if rng.random() < 0.15 else 1
        for k in range(count):
            pilot = c.joins == LAUNCH and k == 0
            created = c.joins + dt.timedelta(days=0 if pilot else rng.randrange(10, 60) + 400 * k)
            if created > end - dt.timedelta(days=120):
                break
            kind = _project_kind(c.role, rng)
            plans.append(draw_project(rng, namer, f"p{len(plans) + 1:03d}", c, kind,
                                      _methodology_for(kind, ms, len(plans)), created, end,
                                      namer.town(c.district) if k else ""))
            plans[-1].pilot = pilot
    for m in by_kind.get("inclusive", []):
        plans.append(draw_project(rng, namer, f"p{len(plans) + 1:03d}", None, "inclusive", m,
                                  dt.date(2022, 3, 15), end))
    return plans
