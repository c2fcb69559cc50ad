"""Load the demo: the platform's history replayed day by day, from its launch in October 2021
to the last day of this release, through the same commands as the API; the resource rights'
history (the forest-coverage scheme of October 2018: surveys, contracts between districts,
restorations, :mod:`qingshan.demo.rights`) goes back to 2018, so the journal starts there.

The sequencer's clock is the demo's simulated clock while it loads, so every entry carries the
day and time it happened: projects registered across the years, monitoring reports and
issuances after their periods, trades inside the trading sessions on trading days with a close
each day, retirements, court cases and pledges. The demo loads only into a new database (or
finishes its own interrupted load: every command has a fixed idempotency key); loading it
again once complete changes nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from qingshan.demo.calendar import (
    LAST_DAY,
    LAUNCH,
    SimulatedClock,
    days,
    is_trading_day,
    unix_ms,
)
from qingshan.demo.demand import Demand, court_cases
from qingshan.demo.forestry import report_stocks
from qingshan.demo.inclusive import InclusiveDesk
from qingshan.demo.inclusive_people import SAMPLE
from qingshan.demo.lending import LendingDesk, forestry_methodology
from qingshan.demo.market import SELLERS, DemoMarket, Holder
from qingshan.demo.names import Namer, uscc_body
from qingshan.demo.registry import RegistryDesk, Step, schedule, workday
from qingshan.demo.rights import FIRST_DAY, RightsDesk
from qingshan.demo.scenario import (
    Company,
    ProjectPlan,
    draw_companies,
    draw_projects,
    kind_of,
)
from qingshan.errors import Conflict
from qingshan.inclusive.ingest import SubLedgerStore
from qingshan.ledger.domain.commands import (
    Command,
    CreateAssetClass,
    OpenAccount,
    RegisterParty,
)
from qingshan.ledger.domain.identifiers import make_uscc
from qingshan.ledger.domain.model import (
    SYSTEM,
    AccountType,
    AssetKind,
    PartyKind,
    Principal,
    Role,
)
from qingshan.ledger.sequencer import Receipt, Sequencer, scoped_key
from qingshan.market.commands import CloseDay
from qingshan.reference.chongqing import DISTRICTS
from qingshan.registry.methodologies import CURRENT
from qingshan.registry.methodologies.base import Methodology

# Changing what the demo sends needs a new release tag: it is part of every key.
RELEASE = "2026-12-01"

ASSETS = [
    CreateAssetClass("CQCER", AssetKind.SERIALIZED, "tCO2e",
                     "碳惠通核证自愿减排量 Chongqing certified emission reduction", "QS"),
    CreateAssetClass("CCER", AssetKind.SERIALIZED, "tCO2e",
                     "国家核证自愿减排量 China certified emission reduction", "QS"),
    CreateAssetClass("FCI", AssetKind.SERIALIZED, "mu",
                     "森林覆盖率指标 forest-coverage indicator area", "QS"),
    CreateAssetClass("CNY", AssetKind.FUNGIBLE, "fen", "人民币 renminbi", "QS"),
    CreateAssetClass("CIP", AssetKind.FUNGIBLE, "gCO2e", "碳普惠积分 carbon-inclusive points",
                     "QS"),
]


@dataclass
class DemoBook:
    """What the load did: the parties and accounts by name, entries written, and the plan."""

    operator: str = ""
    accounts: dict[str, str] = field(default_factory=dict)  # name -> holding account
    parties: dict[str, str] = field(default_factory=dict)  # name -> party id
    entries: int = 0
    complete: bool = False  # the database already held this demo: nothing was sent
    companies: list[Company] = field(default_factory=list)
    projects: list[ProjectPlan] = field(default_factory=list)
    holders: dict[str, Holder] = field(default_factory=dict)  # the demo's own accounting
    retired: int = 0


def fingerprint(enterprises: int, start: dt.date, end: dt.date,
                methodologies: Sequence[Methodology], inclusive: bool = False) -> str:
    text = f"{RELEASE}|{enterprises}|{start}|{end}|{','.join(m.key for m in methodologies)}"
    if inclusive:  # the carbon-inclusive accounts (demo.inclusive)
        text += "|inclusive"
    return hashlib.sha256(text.encode()).hexdigest()[:10]


class _Runner:
    """Sends commands at the simulated clock's time, under keys prefixed by the demo's
    fingerprint, and counts the entries written."""

    def __init__(self, seq: Sequencer, clock: SimulatedClock, prefix: str,
                 book: DemoBook) -> None:
        self.seq, self.clock, self.prefix, self.book = seq, clock, prefix, book

    def __call__(self, commands: list[Command], key: str,
                 actor: Principal = SYSTEM) -> list[Receipt]:
        receipts = self.seq.execute(commands, actor, f"{self.prefix}/{key}")
        self.book.entries += sum(not r.replayed for r in receipts)
        return receipts

    def submit(self, commands: list[Command], key: str,
               actor: Principal = SYSTEM) -> Callable[[], list[Receipt]]:
        """Send without waiting; the answer is the returned call's."""
        future = self.seq.submit(commands, actor, f"{self.prefix}/{key}")

        def answer() -> list[Receipt]:
            receipts = future.result(60)
            self.book.entries += sum(not r.replayed for r in receipts)
            return receipts

        return answer

    def at(self, day: dt.date, minute: int, second: int = 0) -> None:
        self.clock.set(day, minute, second)


def load_demo(seq: Sequencer, *, enterprises: int = 149, start: dt.date = LAUNCH,
              end: dt.date = LAST_DAY, progress: Callable[[int, int], None] | None = None,
              methodologies: Sequence[Methodology] | None = None,
              seed: int = 20211028, subledger: SubLedgerStore | None = None,
              inclusive_people: int | None = None) -> DemoBook:
    """Replay the demo's history into the sequencer's (new) database; with the platform's
    carbon-inclusive ``subledger``, its people and their last year of events too
    (:mod:`qingshan.demo.inclusive`; ``inclusive_people`` instead of the sample's 2,320, for
    tests)."""
    if methodologies is None:
        # every current version; a drawn forestry project reports its stands' volumes under
        # the stock methodology of its kind (demo.forestry), as the pledge loans' projects do
        methodologies = CURRENT
    book = DemoBook()
    prefix = f"demo/{fingerprint(enterprises, start, end, methodologies, subledger is not None)}"
    if scoped_key(SYSTEM, f"{prefix}/end") in seq.idempotency:
        book.complete = True
        return book
    # the journal key of the first command of the demo's first batch ("#" is not for clients)
    if seq.size and f"{scoped_key(SYSTEM, f'{prefix}/assets')}#0" not in seq.idempotency:
        raise Conflict("the demo loads only into a new database: this one holds other "
                       "entries (another release's demo, another --enterprises, or real "
                       "data); load the demo into a new database, e.g. delete var/qingshan.db "
                       "for the default one (nothing was changed)", entries=seq.size)
    clock = SimulatedClock(min(start, FIRST_DAY), 8 * 60 + 30)
    if seq.size and seq.last_time_ms > unix_ms(end, 9 * 60):
        raise Conflict("this database was written to after the demo's last day: load the "
                       "demo into a new database (nothing was changed)", entries=seq.size)
    wall = seq.clock
    seq.clock = clock
    try:
        _History(_Runner(seq, clock, prefix, book), book, random.Random(seed), enterprises,
                 start, end, methodologies, subledger, inclusive_people).replay(progress)
    finally:
        seq.clock = wall
    return book


class _History:
    def __init__(self, run: _Runner, book: DemoBook, rng: random.Random, enterprises: int,
                 start: dt.date, end: dt.date, methodologies: Sequence[Methodology],
                 subledger: SubLedgerStore | None = None,
                 inclusive_people: int | None = None) -> None:
        self.run, self.book, self.start, self.end = run, book, start, end
        self.methodologies, self.subledger = methodologies, subledger
        self.inclusive_people = inclusive_people
        # separate streams, so that a change in one part leaves the others' draws alone
        self.rng = {k: random.Random(rng.random()) for k in
                    ("cast", "registry", "market", "demand", "lending", "inclusive")}
        namer = Namer(self.rng["cast"])
        kinds = {kind_of(m) for m in methodologies}
        self.companies = draw_companies(self.rng["cast"], namer, enterprises, kinds, end)
        self.projects = draw_projects(self.rng["cast"], namer, self.companies, methodologies,
                                      end)
        for plan in self.projects:  # forestry under a stock methodology reports volumes
            report_stocks(plan)
        book.companies, book.projects = self.companies, self.projects
        self.steps: dict[dt.date, list[Step]] = {}
        for plan in self.projects:
            for s in schedule(plan, self.rng["registry"], end):
                self.steps.setdefault(s.day, []).append(s)
        self.plans = {p.key: p for p in self.projects}
        self.scale = enterprises / 149

    # ------------------------------------------------------------------ the first morning
    def setup(self) -> None:
        """The parties and accounts on the demo's first day (the rights' first, in 2018),
        the rights' history before the launch, then the rest on the launch's morning."""
        run, book = self.run, self.book
        day = min(self.start, FIRST_DAY)
        run.at(day, 8 * 60 + 30)
        run(list(ASSETS), "assets")
        op = run([RegisterParty(PartyKind.OPERATOR, "重庆市生态环境局 碳惠通平台", None)],
                 "operator")[0].result["party"]
        ops = run([OpenAccount(op, AccountType.RETIREMENT, "注销账户 retirement"),
                   OpenAccount(op, AccountType.CANCELLATION, "取消账户 cancellation"),
                   OpenAccount(op, AccountType.TREASURY, "资金清算 CNY treasury"),
                   OpenAccount(op, AccountType.BUFFER, "林业缓冲池 forestry buffer"),
                   OpenAccount(op, AccountType.HOLDING, "平台持有 platform holding")],
                  "operator-accounts")
        book.operator = op
        self.treasury = ops[2].result["account"]
        book.accounts["platform"] = ops[4].result["account"]
        others: list[Command] = [RegisterParty(PartyKind.DISTRICT, f"{d.name_zh}人民政府",
                                               d.code) for d in DISTRICTS]
        others += [RegisterParty(PartyKind.COURT, "重庆市高级人民法院", None),
                   RegisterParty(PartyKind.BANK, "重庆三峡银行", None),
                   RegisterParty(PartyKind.VERIFIER, "中环联合(北京)认证中心 重庆审定核证", None),
                   RegisterParty(PartyKind.VERIFIER, "重庆市环境科学研究院 审定核证中心", None)]
        names = [f"{d.name_zh}人民政府" for d in DISTRICTS] + ["court", "bank", "verifier",
                                                                 "verifier2"]
        run.at(day, 8 * 60 + 32)
        for name, r in zip(names, run(others, "others"), strict=True):
            book.parties[name] = r.result["party"]
        holders = [f"{d.name_zh}人民政府" for d in DISTRICTS] + ["court", "bank"]
        accts = run([OpenAccount(book.parties[n], AccountType.HOLDING, "一般持有账户")
                     for n in holders], "holding-accounts")
        for n, r in zip(holders, accts, strict=True):
            book.accounts[n] = r.result["account"]
        self.rights = RightsDesk(run, book.parties, book.accounts, self.treasury, self.end)
        self.rights.setup()
        for d in sorted(d for d in self.rights.plan if d < self.start):
            for minute, _, action in sorted(self.rights.plan[d], key=lambda e: e[:2]):
                run.at(d, minute)
                action()
        run.at(self.start, 9 * 60 + 2)
        self.market = DemoMarket(run, run.submit, run.at, self.rng["market"], self.start, self.end,
                                 self.scale, book.accounts["platform"], self.treasury)
        self.demand = Demand(self.market, self.rng["demand"])
        m = self.market
        m.holders[book.accounts["platform"]] = Holder(book.accounts["platform"], op,
                                                      "platform", SYSTEM)
        m.holders[book.accounts["court"]] = Holder(book.accounts["court"], book.parties["court"],
                                                   "court", SYSTEM)
        self.desk = RegistryDesk(run, [Principal("demo-verifier-1", Role.VERIFIER,
                                                 book.parties["verifier"]),
                                       Principal("demo-verifier-2", Role.VERIFIER,
                                                 book.parties["verifier2"])],
                                 op, book.accounts["platform"], self.rng["registry"])
        self.desk.setup()
        # the pledge loans' projects go through a registry desk of their own (its own draws)
        self.lending = LendingDesk(run, RegistryDesk(run, self.desk.verifiers, op,
                                                     book.accounts["platform"],
                                                     self.rng["lending"]),
                                   forestry_methodology(self.methodologies), self.end,
                                   book.parties["bank"])
        self.lending.setup()
        self.inclusive = self._inclusive(op)
        self.cases = {c.day: c for c in court_cases(self.rng["demand"], self.start, self.end,
                                                    [d.name_zh for d in DISTRICTS[20:]])}
        self.joins: dict[dt.date, list[Company]] = {}
        for c in self.companies:
            self.joins.setdefault(max(c.joins, self.start), []).append(c)
        self.pledges: dict[dt.date, Company] = {}
        self.pledged = 0

    def _inclusive(self, op: str) -> InclusiveDesk | None:
        """The carbon-inclusive desk, when the platform's sub-ledger is given; its pools go to
        the registry's pooled project (the project of the inclusive methodology, if any)."""
        if self.subledger is None:
            return None
        plan = next((p for p in self.projects if p.kind == "inclusive"), None)
        platform = self.book.accounts["platform"]

        def pooled() -> tuple[str, str] | None:
            state = self.desk.state.get(plan.key) if plan is not None else None
            return (state.pid, platform) if state is not None and state.pid else None

        def issued(account: str, units: int) -> None:
            self.market.holders[account].units += units

        desk = InclusiveDesk(self.run, self.run.clock, self.subledger, op,
                             self.desk.verifiers[0], self.start, self.end,
                             self.rng["inclusive"], pooled, issued,
                             people=self.inclusive_people or SAMPLE)
        desk.setup()
        return desk

    def join(self, c: Company, day: dt.date, minute: int) -> None:
        """A company registers with its unified social credit code and opens its account."""
        run = self.run
        run.at(day, minute)
        uscc = make_uscc("9", "1", c.district.code, uscc_body(self.rng["cast"]))
        c.party = run([RegisterParty(PartyKind.ENTERPRISE, c.name, uscc)],
                      f"{c.key}/party")[0].result["party"]
        c.account = run([OpenAccount(c.party, AccountType.HOLDING, "一般持有账户")],
                        f"{c.key}/account")[0].result["account"]
        self.book.parties[c.name], self.book.accounts[c.name] = c.party, c.account
        actor = Principal(f"demo-{c.party}", Role.MEMBER, c.party)
        h = Holder(c.account, c.party, c.role, actor)
        self.market.holders[c.account] = h
        self.demand.join(c, h, day)

    # ------------------------------------------------------------------ each day
    def replay(self, progress: Callable[[int, int], None] | None) -> None:
        self.setup()
        total = (self.end - self.start).days + 1
        try:
            for k, day in enumerate(days(self.start, self.end)):
                self.day(day)
                if progress is not None:
                    progress(k + 1, total)
        finally:
            if self.inclusive is not None:  # its worker thread
                self.inclusive.close()
        self.run.at(self.end, 15 * 60 + 2)
        self.run([_close_all("CQCER-ALL")], "end")
        self.book.holders = self.market.holders
        self.book.retired = self.demand.retired

    def events(self, day: dt.date) -> list[tuple[int, int, int, Any]]:
        """Today's events: (minute, second, tie-break, what)."""
        out: list[tuple[int, int, int, Any]] = []
        for k, c in enumerate(self.joins.get(day, [])):
            out.append((9 * 60 + 5 + k % 50, 0, len(out), ("join", c)))
        for s in self.steps.get(day, []):
            out.append((s.minute, 30, len(out), ("step", s)))
        for minute, c in self.demand.retirements(day, self.companies):
            out.append((minute, 40, len(out), ("retire", c)))
        last = day == self.end
        for minute, second, iid in self.market.day_plan(day, morning_only=last):
            out.append((minute, 0, len(out), ("trade", iid, second)))
        if day in self.cases and "CQCER-ALL" in self.market.instruments:
            out.append((9 * 60 + 39, 0, len(out), ("case", self.cases[day])))
        elif self.demand.pending and is_trading_day(day) and not last:
            out.append((9 * 60 + 39, 0, len(out), ("pending",)))
        if day in self.pledges:
            out.append((11 * 60 + 45, 0, len(out), ("pledge", self.pledges[day])))
        for minute, _, action in sorted(self.rights.plan.get(day, []), key=lambda e: e[:2]):
            out.append((minute, 50, len(out), ("call", action)))
        for minute, _, action in sorted(self.lending.plan.get(day, []), key=lambda e: e[:2]):
            out.append((minute, 55, len(out), ("call", action)))
        if self.inclusive is not None:
            for minute, _, action in sorted(self.inclusive.plan.get(day, []),
                                            key=lambda e: e[:2]):
                out.append((minute, 57, len(out), ("call", action)))
        if is_trading_day(day) and self.rng["market"].random() < 0.025 * self.scale ** 0.5:
            out.append((13 * 60 + 29, 0, len(out), ("block",)))
        return sorted(out, key=lambda e: (e[0], e[1], e[2]))

    def day(self, day: dt.date) -> None:
        self.market.list_due(day)
        self.demand.morning(day, self.companies)
        for n, (minute, second, _, what) in enumerate(self.events(day)):
            self.run.at(day, minute, second)
            key = f"{day}/{n}"
            if what[0] == "join":
                self.join(what[1], day, minute)
            elif what[0] == "step":
                self.step(what[1], day)
            elif what[0] == "retire":
                self.demand.retire(what[1], day, f"{key}/retire")
            elif what[0] == "trade":
                self.market.trade(day, minute, what[2], what[1], f"{key}/trade")
            elif what[0] == "case":
                self.demand.case(what[1], day, f"{key}/case")
            elif what[0] == "pending":  # cases not yet bought for: try again today
                for cid in list(self.demand.pending):
                    self.demand.carry_out(cid, day, f"{key}/{cid}")
            elif what[0] == "pledge":
                c = what[1]
                self.demand.pledge(self.market.holders[c.account], self.book.parties["bank"],
                                   self.pledged, day, f"{key}/pledge")
                self.pledged += 1
            elif what[0] == "block":
                self.block(day, f"{key}/block")
            elif what[0] == "call":  # the rights' and the pledge loans' desks
                what[1]()
        if day == self.end:
            self.market.final_book(day, f"{day}/book")
        self.market.close(day, f"{day}", keep_orders=day == self.end)

    def step(self, s: Step, day: dt.date) -> None:
        plan = self.plans[s.project]
        issued = self.desk.do(plan, s)
        if issued is None:
            return
        account, units = issued
        self.market.holders[account].units += units
        owner = plan.owner
        if owner is not None and owner.role == "forestry" and len(self.pledges) < 2 and \
                owner.district.code in ("500156", "500237") and \
                owner not in self.pledges.values():
            self.pledges[workday(day + dt.timedelta(days=45))] = owner

    def block(self, day: dt.date, key: str) -> None:
        """Now and then a block agreement between a large holder and a large buyer."""
        m = self.market
        if "CQCER-ALL" not in m.instruments:
            return
        size = int(self.rng["market"].lognormvariate(10.4, 0.6))  # median ≈ 33,000 t
        sellers = [h for h in m.holders.values() if h.sellable(day) >= 10_000
                   and h.role in SELLERS]
        buyers = [h for h, _ in m.buyers(m.instruments["CQCER-ALL"], day)
                  if h.role != "neutral" and (h.want >= 10_000 or h.stock - h.units >= 10_000)]
        seller = m.pick([(h, h.sellable(day)) for h in sellers])
        buyer = m.pick([(h, max(h.want, h.stock - h.units)) for h in buyers], but=seller)
        if seller is None or buyer is None:
            return
        qty = min(size, seller.sellable(day), max(buyer.want, buyer.stock - buyer.units),
                  170_000)
        if qty >= 10_000:
            m.block(day, seller, buyer, qty // 100 * 100, key)


def _close_all(iid: str) -> Command:
    return CloseDay(iid)
