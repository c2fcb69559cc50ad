"""The demo's carbon-inclusive accounts (碳普惠, docs/inclusive.md): the points' accounts, nine
partners, a sample of 2,320 people (``inclusive_people``) and their last twelve months of
events, sent as the partners' weekly files through the people's sub-ledger, each day closed
and settled, rewards redeemed and points donated, and each full quarter of the year pooled
into credits under the registry's pooled project and approved by a verifier.

The calendar (the demo's assumption): every partner sends, each Monday night, one file of the
past week's events (its own format); the operator closes each of those days and settles them on
the Tuesday (a day is settled two days after it ends at the earliest, docs/inclusive.md); people
redeem at weekends and donate on the city's campaign days. Files carry what real files do: a
few lines twice, a few malformed or refused (unknown people, withdrawn consent, impossible
speeds, a device shared by many people, late lines), so the partners' consoles show rejects.

Real names: 重庆市轨道交通(集团)有限公司, 重庆市公共交通控股(集团)有限公司,
国网重庆市电力公司 and 渝快办 (重庆市大数据应用发展管理局); their codes, the days they joined
and every figure are the demo's. The bike-share, food-delivery, recycling, second-hand and
maps companies are invented.
"""

from __future__ import annotations

import datetime as dt
import io
import random
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial

import numpy as np
import polars as pl

from qingshan.demo.calendar import unix_ms
from qingshan.demo.inclusive_people import (
    DAY_MS,
    SAMPLE,
    Behaviour,
    Population,
    date_of,
    day_number,
    draw_population,
)
from qingshan.demo.names import uscc_body
from qingshan.demo.registry import workday
from qingshan.inclusive.commands import (
    AddReward,
    DecidePool,
    DonatePoints,
    PoolReductions,
    RedeemPoints,
    RegisterPartner,
    SetInclusiveAccounts,
    SettleDay,
)
from qingshan.inclusive.ingest import SubLedgerStore
from qingshan.inclusive.state import person_party
from qingshan.ledger.domain.commands import Command, OpenAccount, RegisterParty
from qingshan.ledger.domain.identifiers import make_uscc
from qingshan.ledger.domain.model import AccountType, PartyKind, Principal, Role
from qingshan.ledger.sequencer import Receipt
from qingshan.science.inclusive import SCENARIOS

Run = Callable[..., list[Receipt]]
DEMO_PERSON = 500_103_000_001  # the sample's first person (渝中区): the demo's person key
WINDOW_DAYS = 365  # the events of the last twelve months
BAD = 0.002  # a file's share of bad lines (besides withdrawn consents)
DUPLICATED = 0.003  # a file's share of lines sent twice


@dataclass(frozen=True)
class PartnerSpec:
    key: str
    name: str  # the party's (the company's) name
    short: str  # the partner's name on the platform
    uscc: tuple[str, str]  # registration authority and entity type (9 1: a company)
    scenarios: tuple[str, ...]
    fmt: str
    prefix: str  # of its event ids


PARTNERS = (
    PartnerSpec("metro", "重庆市轨道交通(集团)有限公司", "重庆轨道交通", ("9", "1"),
                ("metro", "metro_ride"), "parquet", "CRT"),
    PartnerSpec("bus", "重庆市公共交通控股(集团)有限公司", "重庆公交", ("9", "1"),
                ("bus", "bus_ride"), "csv", "CQBUS"),
    PartnerSpec("gov", "重庆市大数据应用发展管理局", "渝快办", ("1", "1"),
                ("e_invoice", "online_meeting", "paperless_office"), "jsonl", "YKB"),
    PartnerSpec("grid", "国网重庆市电力公司", "国网重庆电力", ("9", "1"),
                ("household_electricity",), "parquet", "SGCQ"),
    PartnerSpec("maps", "重庆途知导航科技有限公司", "途知地图", ("9", "1"),
                ("carpool", "nev_driving", "walking"), "csv", "TZ"),
    PartnerSpec("bike", "重庆畅骑共享单车科技有限公司", "畅骑单车", ("9", "1"),
                ("shared_bike",), "jsonl", "CQB"),
    PartnerSpec("food", "重庆渝味到家网络科技有限公司", "渝味到家", ("9", "1"),
                ("no_disposable_tableware",), "csv", "YWDJ"),
    PartnerSpec("recycling", "重庆绿循再生资源回收有限公司", "绿循回收", ("9", "1"),
                ("clothing_recycling", "recycled_paper", "waste_sorting"), "jsonl", "LX"),
    PartnerSpec("second_hand", "重庆易转二手数码科技有限公司", "易转二手", ("9", "1"),
                ("second_hand_phone",), "jsonl", "YZ"),
)
PARTIES = len(PARTNERS)  # parties with a unified social credit code (enterprise kind)
METRO_NAME = PARTNERS[0].name

# The rewards (sponsor, name, price in grams, stock): the demo's, at the sample's scale.
REWARDS = (("bus", "公交乘车优惠券 2 元", 8_000, 400),
           ("metro", "轨道交通单程票 1 张", 15_000, 300),
           ("food", "外卖无门槛红包 3 元", 10_000, 300),
           ("bike", "共享单车 7 天骑行卡", 12_000, 200),
           ("grid", "电费抵扣券 5 元", 25_000, 150))
# Campaign days when people give points to the public pool (the demo's): day, note, donors.
CAMPAIGNS = (("2026-03-22", "重庆马拉松碳中和", 25), ("2026-06-05", "六五环境日公益捐赠", 15),
             ("2026-08-15", "全国生态日 长江生态保护", 15))


def _iso(ms: pl.Expr) -> pl.Expr:
    return pl.from_epoch(ms + 8 * 3_600_000, time_unit="ms").dt.strftime(
        "%Y-%m-%dT%H:%M:%S+08:00")


@dataclass
class FileMaker:
    """A partner's file of a week's events: its ids, a few lines twice and a few bad ones."""

    spec: PartnerSpec
    pop: Population
    g: np.random.Generator

    def make(self, events: pl.DataFrame, first: int, now_ms: int) -> bytes:
        n = events.height
        rows = events.sort("start", "person").with_columns(
            pl.format("{}{}-{}", pl.lit(self.spec.prefix), pl.lit(date_of(first).strftime(
                "%Y%m%d")), pl.int_range(1, n + 1).cast(pl.String).str.zfill(6))
            .alias("event_id"))
        bad = self._bad(rows, now_ms) if n else []
        dup = rows[self.g.choice(n, int(self.g.binomial(n, DUPLICATED)))] if n else rows
        out = pl.concat([rows, *bad, dup])
        out = out.with_columns(pl.Series("_k", self.g.random(out.height))).sort(
            pl.col("start") // DAY_MS, "_k").drop("_k")  # a day's lines in no set order
        return self._write(out)

    def _bad(self, rows: pl.DataFrame, now_ms: int) -> list[pl.DataFrame]:
        """Lines that the sub-ledger refuses: each a copy of a good line with its fault."""
        k = int(self.g.binomial(rows.height, BAD)) + 1
        trips = [s for s in self.spec.scenarios if SCENARIOS[s].requires_end]
        kinds = ["unknown_person", "bad_quantity", "bad_field", "unknown_scenario", "too_late",
                 "future_time", "not_allowed"] + ["speed", "overlap"] * bool(trips)
        out = []
        trip_rows = np.flatnonzero(rows["end"].is_not_null().to_numpy())
        for j in range(k):
            kind = kinds[int(self.g.integers(len(kinds)))]
            pick = trip_rows if kind in ("speed", "overlap") and len(trip_rows) else \
                np.arange(rows.height)
            if kind in ("speed", "overlap") and not len(trip_rows):
                kind = "bad_quantity"
            i = int(pick[int(self.g.integers(len(pick)))])
            row = rows[i].with_columns(pl.col("event_id") + f"-{j}")
            out.append(self._fault(row, kind, now_ms))
        if self.spec.key == "maps" and self.g.random() < 0.3:  # one phone, many people's steps
            walks = rows.filter(pl.col("scenario") == "walking")
            if walks.height >= 7:
                shared = f"dvshared{int(self.g.integers(10**6)):06d}"
                day = walks["start"][int(self.g.integers(walks.height))] // DAY_MS
                same = walks.filter(pl.col("start") // DAY_MS == day).head(7)
                out.append(same.with_columns(pl.col("event_id") + "-d",
                                             pl.lit(shared).alias("device")))
        return out

    def _fault(self, row: pl.DataFrame, kind: str, now_ms: int) -> pl.DataFrame:
        g = self.g
        if kind == "unknown_person":  # a partner's customer who never opened an account
            return row.with_columns(pl.lit(500_000_900_000 + int(g.integers(10**5)), dtype=pl.Int64)
                                    .alias("person"))
        if kind == "bad_quantity":
            return row.with_columns(pl.lit(0, dtype=pl.Int64).alias("quantity"))
        if kind == "bad_field":
            return row.with_columns(pl.lit(None, dtype=pl.Int64).alias("person"))
        if kind == "unknown_scenario":
            return row.with_columns(pl.lit("e_scooter").alias("scenario"))
        if kind == "not_allowed":
            other = "walking" if "walking" not in self.spec.scenarios else "metro"
            return row.with_columns(pl.lit(other).alias("scenario"))
        if kind == "too_late":  # a phone that synced late
            return row.with_columns(pl.col("start") - 10 * DAY_MS,
                                    pl.col("end") - 10 * DAY_MS)
        if kind == "future_time":  # a device's clock a day ahead
            ahead = now_ms + DAY_MS - int(row["start"][0])
            return row.with_columns(pl.col("start") + ahead, pl.col("end") + ahead)
        if kind == "speed":  # a GPS jump: kilometres in seconds
            return row.with_columns(pl.col("quantity").clip(3_000, None),
                                    (pl.col("start") + 20_000).alias("end"))
        # the same trip reported twice under two ids, a minute apart
        return row.with_columns(pl.col("start") + 60_000, pl.col("end") + 60_000)

    def _write(self, out: pl.DataFrame) -> bytes:
        cols = ["event_id", "person", "scenario", "start"]
        if any(SCENARIOS[s].requires_end for s in self.spec.scenarios):
            cols.append("end")
        cols.append("quantity")
        if self.spec.key == "grid":
            cols.append("baseline")
        if self.spec.key in ("maps", "bike"):
            cols.append("device")
        buf = io.BytesIO()
        if self.spec.fmt == "parquet":  # Unix ms
            out.select(cols).write_parquet(buf)
            return buf.getvalue()
        text = out.with_columns(_iso(pl.col("start")).alias("start"),
                                _iso(pl.col("end")).alias("end")).select(cols)
        if self.spec.fmt == "csv":
            text.write_csv(buf)
        else:
            text.write_ndjson(buf)
        return buf.getvalue()


@dataclass
class InclusiveDesk:
    """Sends the carbon-inclusive book through the loader's runner (``plan``: each day's
    events, minute, key and action, run in the loader's daily order) and the partners' files
    through the sub-ledger ``store``, at the simulated clock's time (``now``)."""

    run: Run
    now: Callable[[], int]
    store: SubLedgerStore
    operator: str
    verifier: Principal
    start: dt.date
    end: dt.date
    rng: random.Random
    pooled: Callable[[], tuple[str, str] | None]  # the pooled project and its account
    issued: Callable[[str, int], None]  # credits issued to an account
    plan: dict[dt.date, list[tuple[int, str, Callable[[], object]]]] = field(
        default_factory=dict)
    parties: dict[str, str] = field(default_factory=dict)  # partner key -> party
    slots: dict[str, int] = field(default_factory=dict)
    rewards: list[tuple[str, int, int]] = field(default_factory=list)  # id, price, stock
    balance: dict[int, int] = field(default_factory=dict)  # person -> spendable grams
    enrolled_to: int = -1  # people enrolled up to this day
    settled_to: int = -1  # days settled up to this one
    pools: dict[dt.date, str] = field(default_factory=dict)  # first day -> pool
    people: int = SAMPLE  # the sample's size (fewer in tests)

    def __post_init__(self) -> None:
        self.g = np.random.default_rng(self.rng.getrandbits(64))
        self.first = max(self.end - dt.timedelta(days=WINDOW_DAYS - 1), self.start)
        self.pop = draw_population(self.g, self.end, self.people)
        self.behaviour = Behaviour(self.pop, self.g)
        self.makers = {p.key: FileMaker(p, self.pop, self.g) for p in PARTNERS}
        self.spend_rng = random.Random(self.rng.random())
        self.receiver: ThreadPoolExecutor | None = None
        self.closer: ThreadPoolExecutor | None = None
        self.weeks: dict[dt.date, Future[None]] = {}  # Monday -> its files in, days closed

    def at(self, day: dt.date, minute: int, key: str, action: Callable[[], object]) -> None:
        if self.start <= day <= self.end:
            self.plan.setdefault(day, []).append((minute, key, action))

    def mondays(self) -> list[dt.date]:
        """The Mondays partners send files on: each after a day of the window."""
        first = self.first + dt.timedelta(days=(7 - self.first.weekday()) % 7 or 7)
        return [first + dt.timedelta(days=7 * k)
                for k in range((self.end - first).days // 7 + 1)]

    # ---------------------------------------------------------------- the calendar
    def setup(self) -> None:
        self.at(self.start, 10 * 60 + 20, "accounts", self.accounts)
        for k, p in enumerate(PARTNERS):  # partners from the launch (the demo's assumption)
            self.at(self.start, 10 * 60 + 25 + k, p.key, partial(self.partner, p))
        self.at(self.start, 11 * 60, "worker", self.begin)  # the sub-ledger's side
        self.at(self.first, 10 * 60 + 40, "rewards", self.add_rewards)  # after the partners
        for monday in self.mondays():
            self.at(monday + dt.timedelta(days=1), 3 * 60, "settle",
                    partial(self.settle, monday))
        day = self.first
        while day <= self.end:
            if day.weekday() == 5:
                self.at(day, 14 * 60, "redeem", partial(self.redeem, day))
            day += dt.timedelta(days=1)
        for text, note, donors in CAMPAIGNS:
            d = dt.date.fromisoformat(text)
            self.at(d, 16 * 60, f"donate-{text}", partial(self.donate, d, note, donors))
        self._pools()

    def begin(self) -> None:
        """Start the sub-ledger's side on two worker threads: each week, in order, the people
        enrolled by the Sunday and the partners' files of the week (received on the Monday
        night, checked at that time); then each of its days closed (on the Tuesday night).
        None of it depends on when it runs, only on its order, so it runs ahead of the day
        loop (files of a week are checked while the days before are closed); the Tuesday's
        settlement waits for its week."""
        self.receiver = ThreadPoolExecutor(1, thread_name_prefix="demo-inclusive-files")
        self.closer = ThreadPoolExecutor(1, thread_name_prefix="demo-inclusive-closes")
        for m in self.mondays():
            received = self.receiver.submit(self.receive, m)
            self.weeks[m] = self.closer.submit(self.close_week, m, received)

    def close(self) -> None:
        """Stop the workers (what they have not begun is dropped: a new load does it again)."""
        for worker in (self.receiver, self.closer):
            if worker is not None:
                worker.shutdown(wait=True, cancel_futures=True)

    @staticmethod
    def settled_on(day: dt.date) -> dt.date:
        """The Tuesday a day's week is settled on (its files come the Monday after it)."""
        return day + dt.timedelta(days=8 - day.weekday())

    def _pools(self) -> None:
        """Each quarter of a year wholly in the window: pooled a few days after it is
        settled, decided by the verifier two weeks later."""
        year = self.first.year
        while dt.date(year, 1, 1) <= self.end:
            for q in range(4):
                a = dt.date(year, 3 * q + 1, 1)
                b = (dt.date(year + (q == 3), (3 * q + 3) % 12 + 1, 1) - dt.timedelta(days=1))
                pool_day = workday(self.settled_on(b) + dt.timedelta(days=3))
                decide_day = workday(pool_day + dt.timedelta(days=14))
                if a >= self.first and decide_day <= self.end:
                    self.at(pool_day, 10 * 60 + 30, f"pool-{a}", partial(self.pool, a, b))
                    self.at(decide_day, 15 * 60, f"decide-{a}", partial(self.decide, a))
            year += 1

    # ---------------------------------------------------------------- the book
    def accounts(self) -> None:
        op = self.operator
        r = self.run([OpenAccount(op, AccountType.TREASURY, "碳普惠积分发行 CIP treasury"),
                      OpenAccount(op, AccountType.HOLDING, "个人碳账户合计 people's points"),
                      OpenAccount(op, AccountType.HOLDING, "公益捐赠池 donated points")],
                     "inclusive/accounts")
        treasury, people, pool = (x.result["account"] for x in r)
        self.run([SetInclusiveAccounts(treasury, people, pool)], "inclusive/set-accounts")

    def partner(self, p: PartnerSpec) -> None:
        uscc = make_uscc(p.uscc[0], p.uscc[1], "500000", uscc_body(self.rng))
        party = self.run([RegisterParty(PartyKind.ENTERPRISE, p.name, uscc)],
                         f"inclusive/{p.key}/party")[0].result["party"]
        self.parties[p.key] = party
        self.slots[p.key] = int(self.run([RegisterPartner(party=party, name=p.short,
                                                          scenarios=p.scenarios)],
                                         f"inclusive/{p.key}/partner")[0].result["slot"])

    def add_rewards(self) -> None:
        cmds: list[Command] = [AddReward(name=name, price=price, stock=stock,
                                         sponsor=self.parties[key])
                               for key, name, price, stock in REWARDS if key in self.parties]
        for cmd, r in zip(cmds, self.run(cmds, "inclusive/rewards"), strict=True):
            assert isinstance(cmd, AddReward)
            self.rewards.append((str(r.result["reward"]), cmd.price, cmd.stock))

    # ---------------------------------------------------------------- the sub-ledger
    def days(self, monday: dt.date) -> range:
        """The days of the files sent on ``monday``."""
        return range(max(day_number(monday) - 7, day_number(self.first)), day_number(monday))

    def receive(self, monday: dt.date) -> None:
        """On a worker: the people enrolled by the Sunday, then the week's files."""
        self.enrol(day_number(monday) - 1)
        self.files(monday, self.days(monday))

    def close_week(self, monday: dt.date, received: Future[None]) -> None:
        """On the other worker: each day of the week closed, once its files are in."""
        received.result()
        tuesday = unix_ms(monday + dt.timedelta(days=1), 3 * 60)
        open_from = self.store.open_from()
        for d in self.days(monday):
            if d >= open_from:  # (a load that stopped halfway settled the others)
                self.store.close_day(d, tuesday)

    def enrol(self, through: int) -> None:
        """People who enrolled up to day ``through`` and are not in the sub-ledger yet."""
        rows = np.flatnonzero((self.pop.enrolled > self.enrolled_to)
                              & (self.pop.enrolled <= through))
        self.enrolled_to = through
        if len(rows):
            self.store.enrol(self.pop.frame(self.slots, rows.astype(np.int64)))

    def files(self, monday: dt.date, days: range) -> None:
        """Each partner's file of ``days``, received on the Monday night, partner after
        partner."""
        week: dict[str, list[pl.DataFrame]] = {p.key: [] for p in PARTNERS}
        for d in days:
            for key, frame in self.behaviour.day(d).items():
                week[key].append(frame)
        for k, p in enumerate(PARTNERS):
            if p.key not in self.parties:
                continue
            now = unix_ms(monday, 60 + 10 * k)
            data = self.makers[p.key].make(pl.concat(week[p.key]), days[0], now)
            name = f"{p.key}-{date_of(days[0]).isoformat()}.{p.fmt}"
            self.store.ingest(self.parties[p.key], data, p.fmt, now, name)

    def settle(self, monday: dt.date) -> None:
        """The Tuesday: settle the days of last week's files (closed by the worker)."""
        done = self.weeks.get(monday)
        if done is None:
            return
        done.result()
        last = day_number(monday) - 1
        days = range(max(self.settled_to + 1, day_number(self.first)), last + 1)
        self.settled_to = last
        open_from = self.store.open_from()
        todo: list[Command] = [SettleDay(date_of(d).isoformat()) for d in days
                               if d >= open_from]
        if todo:
            self.run(todo, f"inclusive/settle/{date_of(days[0])}")
        for d in days:
            credited = self.store.day_events(d)
            if credited.height:
                for person, grams in credited.group_by("person").agg(
                        pl.col("credited").sum()).iter_rows():
                    self.balance[int(person)] = self.balance.get(int(person), 0) + int(grams)

    # ---------------------------------------------------------------- spends
    @staticmethod
    def person(pid: int) -> Principal:
        return Principal(f"demo-person-{pid}", Role.PERSON, person_party(pid))

    def redeem(self, day: dt.date) -> None:
        """A few people with enough points redeem a reward; the demo's person now and then."""
        if not self.rewards:
            return
        rng = self.spend_rng
        cheapest = min((price for _, price, stock in self.rewards if stock > 0), default=0)
        if not cheapest:
            return
        rich = sorted(p for p, b in self.balance.items() if b >= cheapest)
        chosen = rng.sample(rich, min(len(rich), rng.randint(2, 8)))
        if DEMO_PERSON in rich and DEMO_PERSON not in chosen and day.day <= 7:
            chosen.append(DEMO_PERSON)
        for n, pid in enumerate(chosen):
            options = [(k, r) for k, r in enumerate(self.rewards)
                       if r[1] <= self.balance[pid] and r[2] > 0]
            if not options:
                continue
            k, (rid, price, stock) = rng.choice(options)
            self.run([RedeemPoints(person=pid, reward=rid, quantity=1)],
                     f"inclusive/redeem/{day}/{n}", self.person(pid))
            self.balance[pid] -= price
            self.rewards[k] = (rid, price, stock - 1)

    def donate(self, day: dt.date, note: str, donors: int) -> None:
        rng = self.spend_rng
        rich = sorted(p for p, b in self.balance.items() if b >= 2_000)
        chosen = rng.sample(rich, min(len(rich), donors))
        if DEMO_PERSON in rich and DEMO_PERSON not in chosen:
            chosen.append(DEMO_PERSON)
        for n, pid in enumerate(chosen):
            grams = max(1, int(self.balance[pid] * rng.uniform(0.1, 0.5)))
            self.run([DonatePoints(person=pid, grams=grams, note=note)],
                     f"inclusive/donate/{day}/{n}", self.person(pid))
            self.balance[pid] -= grams

    # ---------------------------------------------------------------- pools
    def pool(self, a: dt.date, b: dt.date) -> None:
        project = self.pooled()
        if project is not None:
            r = self.run([PoolReductions(project=project[0], first_day=a.isoformat(),
                                         last_day=b.isoformat())], f"inclusive/pool/{a}")
            self.pools[a] = str(r[0].result["pool"])

    def decide(self, a: dt.date) -> None:
        project, pool = self.pooled(), self.pools.get(a)
        if project is None or pool is None:
            return
        r = self.run([DecidePool(pool=pool, approve=True,
                                 opinion="核查通过:抽样核对合作方原始数据与日结根一致 "
                                         "verified against the partners' files")],
                     f"inclusive/decide/{a}", self.verifier)[0].result
        self.issued(project[1], int(r["tonnes"]) - int(r["buffer"]))
