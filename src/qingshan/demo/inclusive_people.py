"""The carbon-inclusive demo's people and their behaviour (碳普惠): a sample population across
Chongqing's 37 county-level divisions, enrolled from the launch, and the events its partners
would report day by day (trips, steps, meter readings, e-invoices, recycling…), drawn with a
seeded generator at rates that are the demo's assumptions (docs/demo.md, "Carbon-inclusive
accounts"). Pure: numbers and frames, no I/O; :mod:`qingshan.demo.inclusive` sends them.

The sample is ``SAMPLE`` people, one per ``SCALE`` of the seed's 2.32 million users: each
person stands for a thousand, so the platform's own figures (grams, people, events) are the
sample's and a city's are about ``SCALE`` times them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from qingshan.demo.calendar import LAUNCH, is_trading_day
from qingshan.reference.chongqing import DISTRICTS

SAMPLE = 2_320  # people: one per thousand of the seed's 2.32 million users
SCALE = 1_000  # users each sample person stands for
EPOCH = dt.date(1970, 1, 1).toordinal()
DAY_MS, BEIJING_MS, MINUTE_MS = 86_400_000, 8 * 3_600_000, 60_000

Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]
Floats = npt.NDArray[np.float64]

# Resident population by division, in 10,000s (常住人口, rounded, about 2023; 两江新区 is the old
# 江北 and 渝北 less the five towns that went to 北碚): approximate figures of the yearly
# statistical bulletins, used only to weight where the sample lives.
POPULATION: Mapping[str, int] = {
    "500101": 155, "500102": 111, "500103": 58, "500104": 42, "500106": 150, "500107": 155,
    "500108": 122, "500109": 90, "500110": 100, "500111": 83, "500113": 119, "500114": 49,
    "500115": 69, "500116": 136, "500117": 124, "500118": 117, "500119": 58, "500120": 80,
    "500151": 69, "500152": 69, "500153": 67, "500154": 120, "500155": 64, "500156": 35,
    "500157": 300, "500229": 19, "500230": 55, "500231": 65, "500233": 72, "500235": 92,
    "500236": 74, "500237": 45, "500238": 38, "500240": 39, "500241": 49, "500242": 57,
    "500243": 49}
# the central city (中心城区), where the app is used more (assumption: half as many again)
CENTRAL = ("500103", "500104", "500106", "500107", "500108", "500109", "500113", "500157")
# divisions the metro reaches (璧山 by the 璧铜线 since 2023, 江津 by the 江跳线 since 2022)
METRO_DISTRICTS = (*CENTRAL, "500120", "500116")
# town centres with shared bikes besides the metro's divisions (assumption)
BIKE_DISTRICTS = (*METRO_DISTRICTS, "500101", "500102", "500118", "500117")

# The platform's users (the demo's curve, demo/scenario.py USERS): the sample enrols in the
# same shape, reaching SAMPLE on the demo's last day.
USERS = ((LAUNCH, 0), (dt.date(2021, 12, 31), 300_000), (dt.date(2022, 12, 31), 1_000_000),
         (dt.date(2023, 12, 31), 1_600_000), (dt.date(2024, 12, 31), 2_320_000),
         (dt.date(2025, 12, 31), 2_600_000), (dt.date(2026, 12, 31), 2_800_000))

# Who uses what (shares of the sample; every figure the demo's assumption): the traits a
# partner reports, and the partner a trait belongs to.
TRAITS: Mapping[str, tuple[str, float]] = {
    "metro": ("metro", 0.38),  # a metro commuter (of those living where the metro runs)
    "metro_sometimes": ("metro", 0.25),  # rides now and then (of the others there)
    "bus": ("bus", 0.30),  # a bus commuter (of those not commuting by metro)
    "bike": ("bike", 0.07),  # of those where shared bikes are
    "grid": ("grid", 0.10),  # a household with a smart meter, linked
    "gov": ("gov", 0.45),  # 渝快办: e-invoices
    "office": ("gov", 0.06),  # 渝快办's office side: paperless office, online meetings
    "food": ("food", 0.30),
    "recycling": ("recycling", 0.12),
    "second_hand": ("second_hand", 0.12),
    "walking": ("maps", 0.25),
    "nev": ("maps", 0.05),  # drives a battery-electric car to work
    "carpool": ("maps", 0.06),
}
REVOKED = 0.005  # a partner's users who withdrew consent: the partner still reports them


def day_number(day: dt.date) -> int:
    return day.toordinal() - EPOCH


def date_of(day: int) -> dt.date:
    return dt.date.fromordinal(EPOCH + day)


def ms_at(day: int, minute: Floats | Ints | float) -> Ints:
    """Unix ms of ``minute`` minutes after midnight of ``day`` in Beijing time."""
    return (day * DAY_MS - BEIJING_MS + np.asarray(minute, dtype=np.float64) * MINUTE_MS
            ).astype(np.int64)


@dataclass
class Population:
    person: Ints  # account numbers: the division's code and six digits (500103000001)
    district: list[str]
    enrolled: Ints  # day numbers
    traits: dict[str, Bools]
    consent: dict[str, Bools]  # partner key -> authorised it
    commute_m: Floats  # one-way commute in metres (metro, bus, car)
    depart: Floats  # minute of the morning departure
    steps: Floats  # a walker's usual steps a day
    home_wh: Floats  # a household's usual Wh a day
    device: list[str]
    index: dict[int, int] = field(default_factory=dict)  # person -> row

    def enrolled_by(self, day: int) -> Bools:
        return self.enrolled <= day

    def frame(self, slots: Mapping[str, int], rows: Ints) -> pl.DataFrame:
        """People ``rows`` as the sub-ledger enrols them (consent: one bit per partner slot)."""
        mask = np.zeros(len(self.person), dtype=np.int64)
        for key, slot in slots.items():
            mask |= self.consent[key].astype(np.int64) << slot
        return pl.DataFrame({"person": self.person[rows],
                             "district": [self.district[i] for i in rows],
                             "consent": mask[rows], "enrolled": self.enrolled[rows]},
                            schema={"person": pl.Int64, "district": pl.String,
                                    "consent": pl.Int64, "enrolled": pl.Int64})


def _enrol_days(g: np.random.Generator, n: int, last: dt.date) -> Ints:
    """Enrolment days drawn from the platform's growth curve up to ``last``."""
    xs = [day_number(d) for d, _ in USERS]
    ys = [float(u) for _, u in USERS]
    top = float(np.interp(day_number(last), xs, ys))
    u = np.sort(g.uniform(0.0, top, n))
    return np.minimum(np.interp(u, ys, xs).astype(np.int64), day_number(last))


def draw_population(g: np.random.Generator, last: dt.date, n: int = SAMPLE) -> Population:
    """The sample: where each person lives, when they enrolled, what they do and whom they
    authorised. The first person (渝中区, enrolled on the launch) commutes by metro, walks, uses
    渝快办 and food delivery and has a smart meter: the demo's person key."""
    codes = [d.code for d in DISTRICTS]
    weight = np.array([POPULATION[c] * (1.5 if c in CENTRAL else 1.0) for c in codes], float)
    where = g.choice(len(codes), size=n, p=weight / weight.sum())
    enrolled = _enrol_days(g, n, last)
    where[0], enrolled[0] = codes.index("500103"), day_number(LAUNCH)
    district = [codes[i] for i in where]
    in_metro = np.array([c in METRO_DISTRICTS for c in district])
    in_bike = np.array([c in BIKE_DISTRICTS for c in district])
    traits: dict[str, Bools] = {}
    for key, (_, share) in TRAITS.items():
        traits[key] = g.random(n) < share
    traits["metro"] &= in_metro
    traits["metro_sometimes"] &= in_metro & ~traits["metro"]
    traits["bus"] &= ~traits["metro"]
    traits["bike"] &= in_bike
    traits["nev"] &= ~traits["metro"] & ~traits["bus"]
    for key in ("metro", "walking", "gov", "food", "grid"):
        traits[key][0] = True
    traits["bus"][0] = traits["nev"][0] = False
    partners = sorted({p for p, _ in TRAITS.values()})
    consent: dict[str, Bools] = {}
    for p in partners:
        users = np.zeros(n, dtype=bool)
        for key, (owner, _) in TRAITS.items():
            if owner == p:
                users |= traits[key]
        consent[p] = users & (g.random(n) >= REVOKED)
        consent[p][0] = bool(users[0])
    serial: dict[str, int] = {}
    person = np.zeros(n, dtype=np.int64)
    for i, code in enumerate(district):  # numbered in each division in order of enrolment
        serial[code] = serial.get(code, 0) + 1
        person[i] = int(code) * 1_000_000 + serial[code]
    pop = Population(
        person=person, district=district, enrolled=enrolled, traits=traits, consent=consent,
        commute_m=np.clip(g.lognormal(np.log(7_000), 0.55, n), 1_200, 45_000),
        depart=np.clip(g.normal(7 * 60 + 50, 35, n), 6 * 60, 10 * 60),
        steps=np.clip(g.lognormal(np.log(6_500), 0.45, n), 1_000, 30_000),
        home_wh=np.clip(g.lognormal(np.log(6_500), 0.35, n), 2_000, 25_000),
        device=[f"dv{int(x):012x}" for x in g.integers(0, 2**48, n)])
    pop.index = {int(p): i for i, p in enumerate(person)}
    return pop


# ---------------------------------------------------------------------------- events
@dataclass
class Rows:
    """Events of one partner being drawn: columns as numpy arrays, joined at the end."""

    parts: list[dict[str, Any]] = field(default_factory=list)

    def add(self, scenario: str, person: Ints, start: Ints, quantity: Ints,
            end: Ints | None = None, baseline: Ints | None = None,
            device: Sequence[str] | None = None) -> None:
        if len(person):
            self.parts.append({"scenario": scenario, "person": person, "start": start,
                               "end": end, "quantity": quantity, "baseline": baseline,
                               "device": device})

    def frame(self) -> pl.DataFrame:
        cols: dict[str, list[pl.Series]] = {k: [] for k in (
            "scenario", "person", "start", "end", "quantity", "baseline", "device")}
        for part in self.parts:
            n = len(part["person"])
            cols["scenario"].append(pl.Series([part["scenario"]] * n, dtype=pl.String))
            for k in ("person", "start", "quantity", "end", "baseline"):
                v = part[k]
                cols[k].append(pl.Series(v, dtype=pl.Int64) if v is not None
                               else pl.Series([None] * n, dtype=pl.Int64))
            d = part["device"]
            cols["device"].append(pl.Series(d, dtype=pl.String) if d is not None
                                  else pl.Series([None] * n, dtype=pl.String))
        if not self.parts:
            return pl.DataFrame(schema={"scenario": pl.String, "person": pl.Int64,
                                        "start": pl.Int64, "end": pl.Int64,
                                        "quantity": pl.Int64, "baseline": pl.Int64,
                                        "device": pl.String})
        return pl.DataFrame({k: pl.concat(v) for k, v in cols.items()})


class Behaviour:
    """Draws each day's events of the population, partner by partner; a household's meter
    keeps its last seven readings (its baseline), so days are drawn in order, once."""

    def __init__(self, pop: Population, g: np.random.Generator) -> None:
        self.pop, self.g = pop, g
        self.last7: Floats | None = None

    def day(self, day: int) -> dict[str, pl.DataFrame]:
        """The day's good events by partner key (columns of ``Rows.frame``)."""
        rows: dict[str, Rows] = {p: Rows() for p in {o for o, _ in TRAITS.values()}}
        work = is_trading_day(date_of(day))
        self._metro(day, work, rows["metro"])
        self._bus(day, work, rows["bus"])
        self._bike(day, rows["bike"])
        self._grid(day, rows["grid"])
        self._gov(day, work, rows["gov"])
        self._food(day, rows["food"])
        self._recycling(day, rows["recycling"])
        self._second_hand(day, rows["second_hand"])
        self._maps(day, work, rows["maps"])
        return {p: r.frame() for p, r in rows.items()}

    # -- helpers
    def _who(self, day: int, trait: str, p: float) -> Ints:
        """Rows of people with ``trait``, enrolled by ``day``, each drawn with probability p."""
        pop = self.pop
        mask = pop.traits[trait] & pop.enrolled_by(day)
        return np.flatnonzero(mask & (self.g.random(len(pop.person)) < p)).astype(np.int64)

    def _minutes(self, mean: float, sd: float, n: int, lo: float = 0.0,
                 hi: float = 1439.0) -> Floats:
        return np.clip(self.g.normal(mean, sd, n), lo, hi) + self.g.random(n)

    def _trips(self, rows: Rows, scenario: str, who: Ints, day: int, start_min: Floats,
               metres: Floats, kmh: float, wait_min: float, device: bool = False) -> None:
        minutes = metres / 1000 / kmh * 60 + self.g.uniform(0.5, wait_min, len(who))
        start = ms_at(day, start_min)
        end = start + (minutes * MINUTE_MS).astype(np.int64)
        rows.add(scenario, self.pop.person[who], start, metres.astype(np.int64), end=end,
                 device=[self.pop.device[i] for i in who] if device else None)

    def _round_trip(self, rows: Rows, scenario: str, who: Ints, day: int, metres: Floats,
                    kmh: float, wait: float, morning: Floats, device: bool = False) -> None:
        """There and back: out at ``morning`` (minutes), home in the evening."""
        self._trips(rows, scenario, who, day, morning, metres, kmh, wait, device)
        evening = np.maximum(self._minutes(18 * 60 + 10, 50, len(who), 16 * 60, 23 * 60),
                             morning + 6 * 60)
        self._trips(rows, scenario, who, day, np.minimum(evening, 1430.0), metres, kmh, wait,
                    device)

    def _leisure(self, who: Ints) -> tuple[Floats, Floats]:
        out = self._minutes(13 * 60, 150, len(who), 8 * 60, 19 * 60)
        back = np.minimum(out + self.g.uniform(120, 300, len(who)), 1430.0)
        return out, back

    # -- partners
    def _metro(self, day: int, work: bool, rows: Rows) -> None:
        pop = self.pop
        who = self._who(day, "metro", 0.88 if work else 0.3)
        if work:
            self._round_trip(rows, "metro", who, day, pop.commute_m[who], 32, 8,
                             pop.depart[who] + self.g.normal(0, 8, len(who)))
        else:
            self._leisure_rides(rows, who, day)
        self._leisure_rides(rows, self._who(day, "metro_sometimes", 0.08), day)

    def _leisure_rides(self, rows: Rows, who: Ints, day: int) -> None:
        """Two rides by distance, one in sixteen paid by a ticket the gates count as a ride."""
        by_ride = self.g.random(len(who)) < 1 / 16
        ride, dist = who[by_ride], who[~by_ride]
        out, back = self._leisure(dist)
        metres = np.clip(self.g.lognormal(np.log(8_000), 0.6, len(dist)), 1_200, 45_000)
        self._trips(rows, "metro", dist, day, out, metres, 32, 8)
        self._trips(rows, "metro", dist, day, back, metres, 32, 8)
        for when in self._leisure(ride):
            rows.add("metro_ride", self.pop.person[ride], ms_at(day, when),
                     np.ones(len(ride), dtype=np.int64))

    def _bus(self, day: int, work: bool, rows: Rows) -> None:
        """Chongqing's buses are tapped on only: most rides count as rides (bus_ride); lines
        with a tap-off report the distance (bus), three in ten (assumption)."""
        pop = self.pop
        who = self._who(day, "bus", 0.85 if work else 0.35)
        metres = np.clip(pop.commute_m[who] * 0.6, 800, 30_000)
        if work:
            out = pop.depart[who] - 10 + self.g.normal(0, 10, len(who))
        else:
            out = self._leisure(who)[0]
        by_km = self.g.random(len(who)) < 0.3
        self._round_trip(rows, "bus", who[by_km], day, metres[by_km], 16, 10, out[by_km])
        ride = who[~by_km]
        for when in (out[~by_km], self._minutes(18 * 60 + 20, 60, len(ride), 16 * 60, 1400)):
            rows.add("bus_ride", pop.person[ride], ms_at(day, when),
                     np.ones(len(ride), dtype=np.int64))

    def _bike(self, day: int, rows: Rows) -> None:
        who = self._who(day, "bike", 0.35)
        metres = np.clip(self.g.lognormal(np.log(1_800), 0.5, len(who)), 300, 12_000)
        self._trips(rows, "shared_bike", who, day,
                    self._minutes(12 * 60, 240, len(who), 6 * 60, 22 * 60), metres, 11, 4,
                    device=True)

    def _grid(self, day: int, rows: Rows) -> None:
        """A daily reading against the household's own baseline: the mean of its last seven
        readings (Shenzhen's rule), more in summer and winter."""
        pop = self.pop
        month = date_of(day).month
        season = {7: 1.6, 8: 1.6, 6: 1.2, 9: 1.2, 12: 1.3, 1: 1.35, 2: 1.2}.get(month, 1.0)
        use = pop.home_wh * season * self.g.normal(1.0, 0.08, len(pop.person))
        if self.last7 is None:
            self.last7 = np.repeat((pop.home_wh * season)[:, None], 7, axis=1)
        baseline = self.last7.mean(axis=1)
        self.last7 = np.concatenate([self.last7[:, 1:], use[:, None]], axis=1)
        who = np.flatnonzero(pop.traits["grid"] & pop.enrolled_by(day)).astype(np.int64)
        rows.add("household_electricity", pop.person[who],
                 ms_at(day, self._minutes(23 * 60 + 50, 3, len(who), 23 * 60 + 45, 1439)),
                 np.maximum(use[who], 1).astype(np.int64),
                 baseline=baseline[who].astype(np.int64))

    def _counted(self, rows: Rows, scenario: str, who: Ints, counts: Ints, day: int,
                 mean: float, sd: float, lo: float, hi: float) -> None:
        """``counts[i]`` events of one item each for person ``who[i]``."""
        many = np.repeat(who, counts)
        rows.add(scenario, self.pop.person[many],
                 ms_at(day, self._minutes(mean, sd, len(many), lo, hi)),
                 np.ones(len(many), dtype=np.int64))

    def _gov(self, day: int, work: bool, rows: Rows) -> None:
        who = self._who(day, "gov", 0.06)  # about two e-invoices a month
        self._counted(rows, "e_invoice", who, np.ones(len(who), dtype=np.int64), day,
                      15 * 60, 180, 8 * 60, 22 * 60)
        if work:
            office = self._who(day, "office", 0.9)
            sheets = np.minimum(self.g.poisson(3, len(office)), 20).astype(np.int64)
            self._counted(rows, "paperless_office", office, sheets, day, 11 * 60, 120,
                          8 * 60 + 30, 18 * 60)
            meetings = np.minimum(self.g.poisson(0.6, len(office)), 3).astype(np.int64)
            self._counted(rows, "online_meeting", office, meetings, day, 14 * 60, 90,
                          9 * 60, 18 * 60)

    def _food(self, day: int, rows: Rows) -> None:
        who = self._who(day, "food", 0.35 * 0.55)  # orders 2-3 a week, 55 % without cutlery
        lunch = self.g.random(len(who)) < 0.55
        minutes = np.where(lunch, self._minutes(12 * 60, 25, len(who), 10 * 60 + 30, 14 * 60),
                           self._minutes(18 * 60 + 30, 40, len(who), 17 * 60, 22 * 60))
        rows.add("no_disposable_tableware", self.pop.person[who], ms_at(day, minutes),
                 np.ones(len(who), dtype=np.int64))

    def _recycling(self, day: int, rows: Rows) -> None:
        who = self._who(day, "recycling", 0.55)
        morning = self.g.random(len(who)) < 0.5
        minutes = np.where(morning, self._minutes(7 * 60 + 40, 30, len(who), 6 * 60, 10 * 60),
                           self._minutes(20 * 60, 45, len(who), 18 * 60, 22 * 60))
        rows.add("waste_sorting", self.pop.person[who], ms_at(day, minutes),
                 np.ones(len(who), dtype=np.int64))
        for scenario, p, median, hi in (("recycled_paper", 1 / 30, 3_000, 50_000),
                                        ("clothing_recycling", 2 / 365, 2_500, 30_000)):
            w = self._who(day, "recycling", p)
            grams = np.clip(self.g.lognormal(np.log(median), 0.6, len(w)), 200, hi)
            rows.add(scenario, self.pop.person[w],
                     ms_at(day, self._minutes(10 * 60, 120, len(w), 8 * 60, 18 * 60)),
                     grams.astype(np.int64))

    def _second_hand(self, day: int, rows: Rows) -> None:
        who = self._who(day, "second_hand", 0.6 / 365)
        rows.add("second_hand_phone", self.pop.person[who],
                 ms_at(day, self._minutes(16 * 60, 180, len(who), 8 * 60, 23 * 60)),
                 np.ones(len(who), dtype=np.int64))

    def _maps(self, day: int, work: bool, rows: Rows) -> None:
        pop = self.pop
        walk = self._who(day, "walking", 0.6)
        steps = np.clip(pop.steps[walk] * self.g.lognormal(0, 0.35, len(walk)), 100, 60_000)
        rows.add("walking", pop.person[walk],
                 ms_at(day, self._minutes(23 * 60 + 55, 1, len(walk), 23 * 60 + 50, 1439)),
                 steps.astype(np.int64), device=[pop.device[i] for i in walk])
        car = self._who(day, "nev", 0.85 if work else 0.4)
        metres = np.clip(pop.commute_m[car] * 1.8, 3_000, 60_000)
        start = pop.depart[car] + self.g.normal(0, 10, len(car)) if work else \
            self._leisure(car)[0]
        self._round_trip(rows, "nev_driving", car, day, metres, 28, 6, start)
        pool = self._who(day, "carpool", 0.12)
        metres = np.clip(self.g.lognormal(np.log(12_000), 0.6, len(pool)), 2_000, 80_000)
        self._trips(rows, "carpool", pool, day,
                    self._minutes(8 * 60 + 30, 120, len(pool), 6 * 60, 22 * 60), metres, 30, 6)
