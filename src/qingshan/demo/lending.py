"""The demo's forestry carbon-sink pledge loans (林业碳汇预期收益权质押贷款): the seed's book
of credit lines (50 M yuan each to 武隆, 巫山 and 秀山, 30 M to 永川) and five loans totalling
210 M yuan by mid-2024, each on a national-reserve-forest afforestation project registered
for it (CQ-FOREST@3.0, the stands' measured volumes), with the
appraisals, the automatic pledge of a later issuance and the platform's revaluation on it,
repayments over the years, a revaluation after a fire that breaks a covenant and the
platform's revaluations as the market price falls after it, a pine-wilt loss reported to the
registry that the platform revalues on, and one loan repaid in full.

Sourced (the seed): 重庆三峡银行's four lines since 2022 and their sizes, five loans, 210 M
yuan, the districts. The demo's (docs/demo.md): the lines' days and terms, the second lender
(兴业银行重庆分行), the borrowers and their projects, every
stand inventory (areas of tens of thousands of hectares, so that each principal stays under
its appraisal's ceiling), the given prices, the rates, terms and dates, the fire.

Nothing here talks to the sequencer but :class:`LendingDesk`, through the loader's runner;
the registry steps of its projects go through a :class:`~qingshan.demo.registry.RegistryDesk`
of its own (its own random stream, so the rest of the demo draws what it drew before).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

from qingshan.demo.registry import RegistryDesk, Step, workday
from qingshan.demo.scenario import Company, Period, ProjectPlan, kind_of
from qingshan.errors import Conflict
from qingshan.ledger.domain.commands import OpenAccount, RegisterParty
from qingshan.ledger.domain.identifiers import make_uscc
from qingshan.ledger.domain.model import AccountType, PartyKind, Principal, Role
from qingshan.ledger.sequencer import Receipt
from qingshan.lending.commands import (
    AppraiseCollateral,
    GrantLoan,
    OpenCreditLine,
    RecordRepayment,
)
from qingshan.lending.model import Reason, Repayment, StandRow, schedule
from qingshan.reference.chongqing import DISTRICTS, District
from qingshan.registry import methodologies as registry_methodologies
from qingshan.registry.commands import ReportLoss
from qingshan.registry.methodologies.base import Methodology
from qingshan.registry.methodologies.forest import STOCK_GROUPS, stock_v3, volume_id
from qingshan.registry.numbers import canonical_decimal
from qingshan.science import forest
from qingshan.science.forest import SpeciesGroup

Run = Callable[..., list[Receipt]]
_BY_CODE = {d.code: d for d in DISTRICTS}
FIR, PINE = SpeciesGroup.FIR, SpeciesGroup.MASSON_PINE
CYPRESS, BROADLEAF = SpeciesGroup.CYPRESS, SpeciesGroup.BROADLEAF
WULONG, WUSHAN, XIUSHAN, YONGCHUAN = "500156", "500237", "500241", "500118"
YUAN = 100  # fen
M = 1_000_000 * YUAN  # a million yuan, in fen

# the banks: the seed names 重庆三峡银行 as the bank of the credit lines ("2022年以来，该行……
# 分别向武隆区、巫山县、秀山县各授信5000万元，向永川授信3000万元，期限为5—8年"): the loader's
# bank party ("sanxia"); the second lender of the five loans is the demo's (兴业银行)
BANKS = {"cib": "兴业银行股份有限公司重庆分行"}
# the seed's credit lines: district, limit, opened (from 2022, the seed; the days are the
# demo's), years (5-8: which line runs how long is the demo's)
LINES = ((WULONG, 50 * M, dt.date(2022, 6, 15), 8), (WUSHAN, 50 * M, dt.date(2022, 6, 15), 6),
         (XIUSHAN, 50 * M, dt.date(2022, 9, 20), 5), (YONGCHUAN, 30 * M, dt.date(2022, 11, 8), 5))
SEED_LOANS, SEED_PRINCIPAL = 5, 210 * M


def _stands(*rows: tuple[SpeciesGroup, int, int, int]) -> tuple[StandRow, ...]:
    """(group, hectares, age, site bps) → stand rows."""
    return tuple(StandRow(group=g, area_m2=ha * 10_000, age=age, site_bps=site)
                 for g, ha, age, site in rows)


@dataclass(frozen=True)
class Site:
    """An afforestation project of the national reserve forest (国家储备林) registered for the
    book (all invented: the demo's)."""

    key: str
    owner: str  # an enterprise
    district: str
    town: str
    name: str
    created: dt.date
    crediting_start: dt.date
    stands: tuple[StandRow, ...]
    # monitoring periods: (start, end, report filed); the volumes reported are the stands'
    # growth to the period's end (``volumes``)
    periods: tuple[tuple[dt.date, dt.date, dt.date], ...] = ()

    @property
    def hectares(self) -> int:
        return sum(s.area_m2 for s in self.stands) // 10_000


SITES = (
    Site("wulong", "重庆市武隆区林业投资开发有限公司", WULONG, "仙女山街道",
         "武隆区国家储备林造林碳汇项目", dt.date(2022, 3, 1), dt.date(2021, 1, 1),
         _stands((FIR, 5_600, 9, 10_000), (PINE, 4_000, 14, 9500), (CYPRESS, 2_400, 7, 10_000),
                 (BROADLEAF, 2_000, 11, 9000)),
         ((dt.date(2021, 1, 1), dt.date(2021, 12, 31), dt.date(2022, 6, 15)),
          (dt.date(2022, 1, 1), dt.date(2022, 12, 31), dt.date(2024, 3, 20)))),
    Site("wushan", "巫山县林业发展有限公司", WUSHAN, "竹贤乡", "巫山县竹贤乡造林碳汇项目",
         dt.date(2022, 4, 6), dt.date(2021, 1, 1),
         _stands((FIR, 10_240, 8, 10_000), (PINE, 7_680, 12, 9000), (CYPRESS, 3_200, 6, 9500),
                 (BROADLEAF, 4_480, 10, 10_000))),
    Site("xiushan", "秀山县林业投资有限公司", XIUSHAN, "钟灵镇", "秀山县钟灵镇造林碳汇项目",
         dt.date(2022, 5, 10), dt.date(2022, 1, 1),
         _stands((FIR, 6_400, 10, 10_500), (PINE, 5_120, 13, 9500), (CYPRESS, 2_560, 8, 10_000),
                 (BROADLEAF, 3_840, 9, 9500))),
    Site("yongchuan", "重庆市永川区林业开发有限公司", YONGCHUAN, "茶山竹海街道",
         "永川区茶山竹海造林碳汇项目", dt.date(2022, 6, 14), dt.date(2022, 1, 1),
         _stands((FIR, 11_520, 9, 10_000), (PINE, 8_960, 15, 9000), (CYPRESS, 3_840, 8, 9500),
                 (BROADLEAF, 5_120, 12, 9000))),
    Site("guanyang", "巫山县官阳林场有限公司", WUSHAN, "官阳镇",
         "巫山县官阳镇国家储备林造林碳汇项目", dt.date(2022, 9, 6), dt.date(2022, 1, 1),
         _stands((FIR, 17_920, 8, 10_000), (PINE, 12_800, 12, 9500), (CYPRESS, 6_400, 7, 10_000),
                 (BROADLEAF, 7_680, 10, 9000))),
)
PARTIES = len(SITES)  # the borrowers, registered as enterprises


@dataclass(frozen=True)
class Book:
    """A loan of the seed's book; every term but the district and the sum is the demo's."""

    site: str
    bank: str
    line: str | None  # the district of the credit line it draws on
    appraised: dt.date
    price: int  # fen per tonne given; 0: the market's 365-day average
    granted: dt.date
    principal: int
    rate_bps: int
    term_months: int
    repayment: Repayment
    paid_until: dt.date  # the instalments due up to this day are paid on time


LOANS = (
    Book("wulong", "sanxia", WULONG, dt.date(2023, 3, 6), 60 * YUAN, dt.date(2023, 3, 15),
         30 * M, 400, 96, Repayment.EQUAL_PRINCIPAL, dt.date(2026, 12, 31)),
    Book("wushan", "sanxia", WUSHAN, dt.date(2023, 6, 12), 50 * YUAN, dt.date(2023, 6, 20),
         45 * M, 395, 96, Repayment.EQUAL_PRINCIPAL, dt.date(2026, 12, 31)),
    Book("xiushan", "sanxia", XIUSHAN, dt.date(2023, 9, 4), 55 * YUAN, dt.date(2023, 9, 12),
         40 * M, 410, 72, Repayment.EQUAL_PRINCIPAL, dt.date(2025, 12, 31)),
    Book("yongchuan", "sanxia", YONGCHUAN, dt.date(2024, 1, 8), 45 * YUAN, dt.date(2024, 1, 16),
         25 * M, 360, 24, Repayment.BULLET, dt.date(2026, 12, 31)),
    Book("guanyang", "cib", None, dt.date(2024, 5, 13), 50 * YUAN, dt.date(2024, 5, 20), 70 * M,
         380, 60, Repayment.EQUAL_PRINCIPAL, dt.date(2026, 12, 31)),
)
FALLBACK_PRICE = 40 * YUAN  # when the market has no trade in the year (a small demo)
DISCOUNT_BPS, LTV_BPS, COVENANT_BPS, HORIZON, DRAWS = 450, 6000, 7000, 20, 2000
# the fire: 巫山's project loses 3,200 ha of fir and 1,200 ha of Masson pine in March 2025
# (replanted: age 1, a poor site); the bank revalues on the market price (the demo's)
FIRE_DAY, REVALUED = dt.date(2025, 3, 18), dt.date(2025, 4, 10)
# the summer of 2022 (Chongqing's heat and drought): 武隆's 2022 inventory finds its cypress and
# broadleaf 6 % below what their curves give (the event is real, the shortfall the demo's); the
# platform rebases the loan's stands on it when that report's credits are issued, in 2024
DROUGHT = {("wulong", dt.date(2022, 12, 31)): ((CYPRESS, 0.94), (BROADLEAF, 0.94))}
# pine wilt (松材线虫病, the pest of Chongqing's Masson pine) found in 武隆's project: the
# proponent reports the credited carbon of the felled trees as a loss (the demo's figures)
PINE_WILT = ("wulong", dt.date(2025, 8, 12), dt.date(2025, 9, 3), 4_000)
AFTER_FIRE = _stands((FIR, 5_120, 10, 10_000), (FIR, 5_120, 1, 6000), (PINE, 5_760, 14, 9000),
                     (PINE, 1_920, 1, 6000), (CYPRESS, 3_200, 8, 9500),
                     (BROADLEAF, 4_480, 12, 10_000))
REGISTRY_STEPS = (("create", 0), ("submit", 3), ("validate", 30), ("register", 40))
ISSUANCE_STEPS = (("report", 0), ("verify", 20), ("request", 25), ("decide", 35))


STANDS_AS_OF = 2023  # the sites' stand ages are as of 1 January 2023
SAMPLING_UNCERTAINTY = 0.08  # the inventories' (90 % CI half-width / mean): no discount


def volumes(stands: tuple[StandRow, ...], day: dt.date) -> dict[str, float]:
    """The stem volume (m3) of each species group the stands hold on ``day``, as the
    sample-plot inventory would measure it: area × the group's curve at the stand's age that
    day (the stands grow every day from their ages on 1 January 2023) × its site
    (qingshan.science.forest), to the cubic metre; CQ-FOREST@3.0's parameters."""
    out = {volume_id(g): 0.0 for g in STOCK_GROUPS}
    shift = (day - dt.date(STANDS_AS_OF, 1, 1)).days / 365.25
    for r in stands:
        curve = forest.DEFAULTS[r.group].growth
        per_ha = float(forest.volume_per_ha(curve, max(0.0, r.age + shift))) * r.site_bps / 10_000
        out[volume_id(r.group)] += r.area_m2 / 10_000 * per_ha
    return {k: float(round(v)) for k, v in out.items()}


def stock(stands: tuple[StandRow, ...], day: dt.date) -> float:
    """The stands' tree-biomass stock (tCO2e) on ``day``, from their volumes."""
    return stock_v3({**volumes(stands, day), "sampling_uncertainty": SAMPLING_UNCERTAINTY})


def plan_key(site: str) -> str:
    """The registry desk's key of a site's project (``p`` and a number, as the demo's own
    projects' keys, beyond theirs)."""
    return f"p{9001 + [s.key for s in SITES].index(site)}"


def forestry_methodology(methodologies: Sequence[Methodology]) -> Methodology | None:
    """CQ-FOREST@3.0 (reports of measured volumes, computed through the forest science)
    where the demo runs forestry at all."""
    if not any(kind_of(m) == "forestry" for m in methodologies):
        return None
    return registry_methodologies.get("CQ-FOREST@3.0")


class LendingDesk:
    """Sends the book through the loader's runner: ``plan`` lists each day's events (minute,
    key, action); the loader runs them in its daily order."""

    def __init__(self, run: Run, registry: RegistryDesk, methodology: Methodology | None,
                 end: dt.date, sanxia: str) -> None:
        self.run, self.registry, self.methodology, self.end = run, registry, methodology, end
        self.banks: dict[str, str] = {"sanxia": sanxia}  # key -> party (重庆三峡银行's)
        self.accounts: dict[str, str] = {}  # bank key -> its holding account
        self.lines: dict[str, str] = {}  # district -> credit line
        self.plans: dict[str, ProjectPlan] = {}
        self.loans: dict[str, str] = {}  # site -> loan
        self.appraisals: dict[str, dict[str, object]] = {}  # site -> its appraisal's result
        self.plan: dict[dt.date, list[tuple[int, str, Callable[[], object]]]] = {}

    def at(self, day: dt.date, minute: int, key: str, action: Callable[[], object]) -> None:
        day = workday(day)
        if day <= self.end:
            self.plan.setdefault(day, []).append((minute, key, action))

    def bank(self, key: str) -> Principal:
        return Principal(f"demo-bank-{key}", Role.BANK, self.banks[key])

    # ---------------------------------------------------------------- the first morning
    def setup(self) -> None:
        """The banks and the borrowers with their accounts, and the book's calendar (nothing
        without a forestry methodology)."""
        if self.methodology is None:
            return
        for key, name in BANKS.items():
            self.banks[key] = self.run([RegisterParty(PartyKind.BANK, name, None)],
                                       f"lending/bank/{key}")[0].result["party"]
        for key in self.banks:
            self.accounts[key] = self.run([OpenAccount(self.banks[key], AccountType.HOLDING,
                                                       "质押处置账户")],
                                          f"lending/bank/{key}/account")[0].result["account"]
        for n, site in enumerate(SITES):
            self.plans[site.key] = self.project(site, n)
        self._schedule()

    def project(self, site: Site, n: int) -> ProjectPlan:
        body = f"{int.from_bytes(site.owner.encode(), 'big') % 10**8:08d}"
        party = self.run([RegisterParty(PartyKind.ENTERPRISE, site.owner,
                                        make_uscc("9", "1", site.district, body))],
                         f"lending/{site.key}/party")[0].result["party"]
        account = self.run([OpenAccount(party, AccountType.HOLDING, "一般持有账户")],
                           f"lending/{site.key}/account")[0].result["account"]
        district: District = _BY_CODE[site.district]
        owner = Company(plan_key(site.key), "forestry", site.owner, district, site.town,
                        site.created, 0, party, account)
        assert self.methodology is not None
        mu = site.hectares * 15
        periods = []
        for a, b, _ in site.periods:
            physical = {**volumes(site.stands, b), "sampling_uncertainty": SAMPLING_UNCERTAINTY}
            for group, share in DROUGHT.get((site.key, b), ()):
                physical[volume_id(group)] = float(round(physical[volume_id(group)] * share))
            periods.append(Period(a, b, physical, int(stock(site.stands, b) -
                                                      stock(site.stands, a))))
        start = stock(site.stands, site.crediting_start - dt.timedelta(days=1))
        plan = ProjectPlan(plan_key(site.key), owner, "afforestation", self.methodology,
                           site.name, district, site.town, float(mu), "mu",
                           site.crediting_start,
                           dt.date(site.crediting_start.year + 30, 1, 1) - dt.timedelta(days=1),
                           site.created, int(stock(site.stands, dt.date(2024, 1, 1)) -
                                             stock(site.stands, dt.date(2023, 1, 1))), periods)
        plan.fixed = {"initial_stock": canonical_decimal(f"{start:.6f}")}
        return plan

    def _schedule(self) -> None:
        for site in SITES:
            plan = self.plans[site.key]
            for action, days in REGISTRY_STEPS:
                self.step(plan, action, workday(site.created + dt.timedelta(days=days)))
            for k, (_, _, filed) in enumerate(site.periods):
                for action, days in ISSUANCE_STEPS:
                    self.step(plan, action, workday(filed + dt.timedelta(days=days)), k)
        for district, limit, opened, years in LINES:
            self.at(opened, 14 * 60 + 20, f"line/{district}", partial(
                self.open_line, district, limit, opened, years))
        for book in LOANS:
            self.at(book.appraised, 14 * 60 + 30, f"appraise/{book.site}",
                    partial(self.appraise, book))
            self.at(book.granted, 14 * 60 + 40, f"grant/{book.site}", partial(self.grant, book))
            for k, (due, principal, interest) in enumerate(self.instalments(book)):
                if due <= book.paid_until:
                    self.at(due, 15 * 60 + 10, f"repay/{book.site}/{k}", partial(
                        self.repay, book, k, principal, interest))
        wushan = next(b for b in LOANS if b.site == "wushan")
        self.at(REVALUED, 14 * 60 + 30, "revalue/wushan", partial(self.revalue, wushan))
        pest, found, reported, quantity = PINE_WILT
        self.at(reported, 11 * 60, f"loss/{pest}", partial(self.report_loss, pest, found,
                                                           quantity))

    def step(self, plan: ProjectPlan, action: str, day: dt.date, period: int = -1) -> None:
        s = Step(day, 10 * 60 + 20, plan.key, action, period)
        self.at(day, 10 * 60 + 20, f"{plan.key}/{action}/{period}",
                partial(self.registry.do, plan, s))

    @staticmethod
    def instalments(book: Book) -> list[tuple[dt.date, int, int]]:
        return [(dt.date.fromisoformat(i.due), i.principal, i.interest)
                for i in schedule(book.principal, book.rate_bps, book.granted.isoformat(),
                                  book.term_months, book.repayment)]

    # ---------------------------------------------------------------- the bank's steps
    def open_line(self, district: str, limit: int, opened: dt.date, years: int) -> None:
        end = dt.date(opened.year + years, opened.month, opened.day) - dt.timedelta(days=1)
        self.lines[district] = str(self.run([OpenCreditLine(
            bank=self.banks["sanxia"], district=district, limit=limit, start=opened.isoformat(),
            end=end.isoformat(),
            note=f"林业碳汇预期收益权质押贷款授信 {limit // (10_000 * YUAN):,} 万元, {years} 年")],
            f"lending/line/{district}", self.bank("sanxia"))[0].result["line"])

    def _appraise(self, book: Book, key: str, seed: int, **over: object) -> dict[str, object]:
        """An appraisal at the book's price; on the market's average when the price is 0,
        and the fallback price when the market had no trade in the year."""
        fields: dict[str, object] = {
            "project": self.registry.state[plan_key(book.site)].pid,
            "bank": self.banks[book.bank],
            # the inventory of 1 January 2023 (the platform grows it to the appraisal's day)
            "stands": self._site(book.site).stands,
            "stands_day": dt.date(STANDS_AS_OF, 1, 1).isoformat(),
            "horizon": HORIZON, "draws": DRAWS, "seed": seed, "price": book.price,
            "discount_bps": DISCOUNT_BPS, "ltv_bps": LTV_BPS, **over}
        try:
            return dict(self.run([AppraiseCollateral(**fields)],  # type: ignore[arg-type]
                                 key, self.bank(book.bank))[0].result)
        except Conflict as exc:
            if exc.code != "no_price":
                raise
            fields["price"] = FALLBACK_PRICE
            return dict(self.run([AppraiseCollateral(**fields)],  # type: ignore[arg-type]
                                 f"{key}/given", self.bank(book.bank))[0].result)

    @staticmethod
    def _site(key: str) -> Site:
        return next(s for s in SITES if s.key == key)

    def appraise(self, book: Book) -> None:
        seed = 20230000 + [b.site for b in LOANS].index(book.site)
        self.appraisals[book.site] = self._appraise(book, f"lending/appraise/{book.site}",
                                                    seed)

    def grant(self, book: Book) -> None:
        """The loan on the appraisal; a small demo's market may cap it at the ceiling."""
        a = self.appraisals[book.site]
        principal = min(book.principal, int(str(a["ceiling"])))
        self.loans[book.site] = str(self.run([GrantLoan(
            bank=self.banks[book.bank], project=self.registry.state[plan_key(book.site)].pid,
            appraisal=str(a["appraisal"]), principal=principal, rate_bps=book.rate_bps,
            term_months=book.term_months, repayment=book.repayment,
            max_ltv_bps=COVENANT_BPS, line=self.lines.get(book.line or ""))],
            f"lending/grant/{book.site}", self.bank(book.bank))[0].result["loan"])

    def repay(self, book: Book, k: int, principal: int, interest: int) -> None:
        """An instalment as the schedule asks (of the principal actually lent)."""
        lid = self.loans[book.site]
        scale = min(book.principal, int(str(self.appraisals[book.site]["ceiling"])))
        if scale != book.principal:  # a capped loan: pay its own schedule
            _, principal, interest = [
                (i.due, i.principal, i.interest) for i in schedule(
                    scale, book.rate_bps, book.granted.isoformat(), book.term_months,
                    book.repayment)][k]
        self.run([RecordRepayment(loan=lid, principal=principal, interest=interest)],
                 f"lending/repay/{book.site}/{k}", self.bank(book.bank))

    def revalue(self, book: Book) -> None:
        """After the fire: the stands as they are now, on the market's price."""
        self._appraise(book, f"lending/revalue/{book.site}", 20250410,
                       loan=self.loans[book.site], reason=Reason.DISTURBANCE,
                       stands=AFTER_FIRE, stands_day=REVALUED.isoformat(), price=0)


    def report_loss(self, site: str, found: dt.date, quantity: int) -> None:
        """The proponent reports the pest loss to the registry; the buffer covers it, and the
        platform revalues the loan's collateral in the same entry."""
        plan = self.plans[site]
        assert plan.owner is not None
        self.run([ReportLoss(project=self.registry.state[plan.key].pid, quantity=quantity,
                             cause="pests", avoidable=False, occurred=found.isoformat(),
                             description="松材线虫病疫木除治: 受害马尾松小班皆伐", documents=())],
                 f"lending/loss/{site}",
                 Principal(f"demo-lending-{site}", Role.MEMBER, plan.owner.party))


def summary() -> dict[str, object]:
    """The book's figures, for docs and tests."""
    return {"loans": len(LOANS), "principal": sum(b.principal for b in LOANS),
            "lines": {d: limit for d, limit, _, _ in LINES},
            "hectares": {s.key: s.hectares for s in SITES}}
