"""Why the demo's credits are bought: compliance offsets (碳履约), carbon-neutrality claims
(碳中和), courts' ecological compensation (以碳代偿), and the two forestry carbon-sink pledge
loans (林业碳汇预期收益权质押贷款) that lock units for a bank.

Each buyer's wish is a number of tonnes the market module fills over the days before the
buyer retires what it got.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from qingshan.demo.market import DemoMarket, Holder
from qingshan.demo.registry import workday
from qingshan.demo.scenario import Company, lognormal
from qingshan.judicial.commands import (
    CloseCase,
    CreateCase,
    PurchaseForCase,
    RecordPayment,
    RetireForCase,
)
from qingshan.judicial.model import Defendant, DefendantKind, canonical_case_number
from qingshan.ledger.domain.commands import OpenAccount, PlaceHold, RegisterParty, RetireUnits
from qingshan.ledger.domain.model import SYSTEM, AccountType, HoldKind, PartyKind, RetirementPurpose
from qingshan.reference.chongqing import find_district

# The first 渝碳司法 case supported by the platform was carried out on 2023-08-14 (the seed);
# its size is taken from a 重庆二中院 case that ordered CNY 122,366 of ecological loss spent on
# 碳惠通 reductions (registry research notes, 以碳代偿). Later cases: about four a year,
# compensation lognormal around CNY 60,000 (assumption); from November 2023 the courts steer
# defendants to forestry credits (the municipal high court, reported 2023-11).
FIRST_CASE = (dt.date(2023, 8, 14), 12_236_600)
NEUTRAL_CLAIMS = ("{y}年度办公运营碳中和 annual operations carbon neutral",
                  "{y}年度会议及差旅碳中和 meetings and travel carbon neutral",
                  "{y}年{town}乡村文化旅游节碳中和 rural tourism festival carbon neutral",
                  "{y}年度门店运营碳中和 stores carbon neutral",
                  "{y}年产品全生命周期碳中和 product life-cycle carbon neutral",
                  "{y}年度数据中心用能碳中和 data centre carbon neutral")
# The seed: 重庆三峡银行 granted forestry carbon-sink expected-income loans of 50 M yuan each
# to 武隆区, 巫山县 and 秀山县 and 30 M yuan to 永川区, for 5 to 8 years, from 2022.
LOANS = ("重庆三峡银行 林业碳汇预期收益权质押贷款 授信5,000万元 期限8年",
         "重庆三峡银行 林业碳汇预期收益权质押贷款 授信5,000万元 期限5年")


# the causes of the environmental crimes courts order restored with credits, and defendants'
# surnames (illustrative; a person is shown to the public as 张某)
CAUSES = ("滥伐林木罪", "盗伐林木罪", "非法捕捞水产品罪", "非法狩猎罪", "失火罪",
          "非法占用农用地罪", "污染环境罪")
SURNAMES = "张王李刘陈杨黄周吴冉谭向秦何罗"
GIVEN = "明华军勇强平伟林文国志春成德"


@dataclass
class Case:
    day: dt.date  # the day the court orders it carried out (the judgment a few weeks before)
    funds: int  # fen
    number: str
    district: str
    court: str  # the court's code in the case number: 02 (二中院), 0156 (武隆区法院), …


def court_name(code: str) -> str:
    """重庆市第二中级人民法院 for 02, else the basic court of the district (0156: 武隆区)."""
    if len(code) == 2:
        return {"01": "重庆市第一中级人民法院", "02": "重庆市第二中级人民法院",
                "03": "重庆市第三中级人民法院", "04": "重庆市第四中级人民法院",
                "05": "重庆市第五中级人民法院"}[code]
    district = find_district("50" + code)
    return f"重庆市{district.name_zh if district else code}人民法院"


def court_cases(rng: random.Random, start: dt.date, end: dt.date,
                districts: list[str]) -> list[Case]:
    """The courts' 以碳代偿 cases (case numbers illustrative: the format of 刑事 first-instance
    judgments of a basic court, 渝0xxx刑初)."""
    out: list[Case] = []
    if start <= FIRST_CASE[0] <= end:
        out.append(Case(FIRST_CASE[0], FIRST_CASE[1], "（2023）渝02刑终87号", districts[0],
                        "02"))
    day = FIRST_CASE[0] + dt.timedelta(days=40)
    while True:
        day = workday(day + dt.timedelta(days=int(rng.expovariate(1 / 90)) + 10))
        if day > end:
            break
        funds = int(lognormal(rng, 60_000, 1.0, 5_000, 2_000_000)) * 100
        court = rng.choice(("0156", "0237", "0238", "0229", "0242", "0241", "0101", "0154"))
        out.append(Case(day, funds, f"（{day.year}）渝{court}刑初{rng.randrange(20, 480)}号",
                        rng.choice(districts), court))
    return out


class Demand:
    """Sets each buyer's wish and retires what it bought when its day comes."""

    def __init__(self, market: DemoMarket, rng: random.Random) -> None:
        self.market = market
        self.rng = rng
        self.compliance_day: dict[tuple[str, int], dt.date] = {}
        self.neutral_next: dict[str, tuple[dt.date, int, str]] = {}
        self.retired = 0
        self.numbers: dict[tuple[str, int], int] = {}  # retirement references by kind, year
        self.courts: dict[str, tuple[str, str]] = {}  # court code -> party, restoration fund
        # cases paid, not yet bought for: the case, its instrument, the court's cap
        self.pending: dict[str, tuple[Case, str, int]] = {}

    def join(self, c: Company, h: Holder, day: dt.date) -> None:
        if c.role == "compliance":
            h.want = int(c.need * (1.0 if day.month < 10 else 0.5))
        elif c.role == "trader":
            h.stock = c.need
        elif c.role == "neutral":
            self._next_claim(c, day + dt.timedelta(days=self.rng.randrange(30, 240)))

    def _next_claim(self, c: Company, day: dt.date) -> None:
        size = max(10, int(c.need * self.rng.uniform(0.6, 1.5)))
        text = self.rng.choice(NEUTRAL_CLAIMS)
        self.neutral_next[c.key] = (workday(day), size, text)

    def morning(self, day: dt.date, companies: list[Company]) -> None:
        """New year's wishes of the compliance buyers; neutrality buyers start buying six
        weeks before their claim."""
        for c in companies:
            h = self.market.holders.get(c.account)
            if h is None:
                continue
            if c.role == "compliance" and day.month == 1 and day.day == 1:
                c.need = int(c.need * self.rng.uniform(0.85, 1.25))
                h.want = c.need
            elif c.role == "neutral" and c.key in self.neutral_next:
                when, size, _ = self.neutral_next[c.key]
                if (when - day).days == 42:
                    h.want = size

    def retirements(self, day: dt.date,
                    companies: list[Company]) -> list[tuple[int, Company]]:
        """Who retires today, at which minute."""
        out: list[tuple[int, Company]] = []
        for c in companies:
            if c.account not in self.market.holders:
                continue
            if c.role == "compliance":
                when = self.compliance_day.setdefault((c.key, day.year), workday(
                    dt.date(day.year, 12, 1) + dt.timedelta(days=self.rng.randrange(0, 24))))
                if when == day:
                    out.append((self.rng.randrange(9 * 60, 17 * 60), c))
            elif c.role == "neutral" and self.neutral_next.get(c.key, (None,))[0] == day:
                out.append((self.rng.randrange(9 * 60, 17 * 60), c))
        return sorted(out, key=lambda x: x[0])

    def retire(self, c: Company, day: dt.date, key: str) -> None:
        h = self.market.holders[c.account]
        free = h.sellable(day) + (h.bought if h.bought_on == day else 0)
        if c.role == "compliance":
            qty = min(free, c.need)
            purpose = RetirementPurpose.COMPLIANCE
            reason = (f"{day.year}年度碳排放配额清缴 抵销 compliance offset (CQCER 抵销比例不超过"
                      "应清缴配额的5%)")
            ref = self._reference("CQ-ETS", day.year)
            h.want = 0
        else:
            _, size, text = self.neutral_next.pop(c.key)
            qty = min(free, size)
            purpose = RetirementPurpose.CARBON_NEUTRALITY
            reason = text.format(y=day.year, town=c.town)
            ref = self._reference("CN", day.year)
            h.want = 0
            self._next_claim(c, day + dt.timedelta(days=self.rng.randrange(300, 420)))
        if qty <= 0:
            return
        self.market.run([RetireUnits(asset="CQCER", account=h.account, quantity=qty,
                                     purpose=purpose, beneficiary=c.name, reason=reason,
                                     reference=ref)],
                        key, h.actor)
        h.units -= qty
        self.retired += qty

    def _reference(self, kind: str, year: int) -> str:
        """The claim's number: CQ-ETS-2023-0001 for a compliance offset, CN-… for a
        neutrality claim, numbered by year."""
        n = self.numbers.get((kind, year), 0) + 1
        self.numbers[(kind, year)] = n
        return f"{kind}-{year}-{n:04d}"

    def court(self, code: str, key: str) -> tuple[str, str]:
        """The court's party and the account its cases' leftover money returns to (registered
        with an escrow account the first time it orders a case)."""
        if code not in self.courts:
            m = self.market
            party = m.run([RegisterParty(PartyKind.COURT, court_name(code), None)],
                          f"{key}/court", SYSTEM)[0].result["party"]
            opened = m.run([OpenAccount(party, AccountType.ESCROW, "以碳代偿 案款专户"),
                            OpenAccount(party, AccountType.HOLDING, "生态修复资金")],
                           f"{key}/court-accounts", SYSTEM)
            self.courts[code] = (party, opened[1].result["account"])
        return self.courts[code]

    def case(self, case: Case, day: dt.date, key: str) -> None:
        """以碳代偿 as a whole case: the court enters the judgment's order, the defendant's
        compensation arrives in the court's escrow, the platform buys credits on the market
        within the court's cap (forestry ones once the courts steer to them), retires them
        under the case number and closes the case, refunding what is left to the court's
        restoration fund. (The clock never goes back: nothing later than 14:00, for the
        day's trades after the case keep to the sessions.)"""
        m, rng = self.market, self.rng
        iid = "CQCER-FOREST" if "CQCER-FOREST" in m.instruments else "CQCER-ALL"
        inst = m.instruments[iid]
        court, fund = self.court(case.court, key)
        _, hi = m.band(inst)
        cap = hi * 12 // 10  # the court lets the platform pay up to 20 % over today's band
        person = rng.random() < 0.8
        defendant = f"{rng.choice(SURNAMES)}{rng.choice(GIVEN)}{rng.choice(GIVEN)}" if person \
            else f"重庆{rng.choice(GIVEN)}{rng.choice(GIVEN)}林业开发有限公司"
        cid = m.run([CreateCase(  # (at 9:39, the event's time)
            court=court, number=canonical_case_number(case.number), cause=rng.choice(CAUSES),
            defendants=(Defendant(name=defendant, kind=DefendantKind.PERSON if person
                                  else DefendantKind.ORGANISATION),),
            judgment_date=(day - dt.timedelta(days=rng.randrange(20, 60))).isoformat(),
            compensation_fen=case.funds, deadline=(day + dt.timedelta(days=90)).isoformat(),
            restoration=f"{case.district}生态环境损害修复 (substitute restoration)",
            asset="CQCER", categories=("forestry",) if iid == "CQCER-FOREST" else None,
            cap_price=cap, refund_account=fund)], f"{key}/enter", SYSTEM)[0].result["case"]
        m.at(day, 9 * 60 + 40, 0)
        m.run([RecordPayment(case=cid, reference=f"生态修复赔偿金 {case.number}",
                             amount=case.funds, payer=defendant)], f"{key}/paid", SYSTEM)
        self.pending[cid] = (case, iid, cap)
        self.carry_out(cid, day, key)

    def carry_out(self, cid: str, day: dt.date, key: str) -> None:
        """Buy for a pending case at today's price from the seller offering most, retire and
        close it; a day without an offer leaves it pending for the next trading day."""
        m = self.market
        case, iid, cap = self.pending[cid]
        inst = m.instruments[iid]
        lo, hi = m.band(inst)
        price = min(hi, cap, max(lo, m._tick(m.path[day] * inst.premium * 1.01)))
        if price < lo:  # the market is above the court's cap today
            return
        qty = int((case.funds * 10_000 // (10_000 + 30)) // price)
        offers = m.sellers(inst, day)
        seller = max(offers, key=lambda x: x[1])[0] if offers else None
        if seller is None or min(qty, seller.offer(day)) < 1:
            return
        qty = min(qty, seller.offer(day))
        m.at(day, 10 * 60 + 5, 0)
        m.place(seller, inst, "sell", price, qty, day, f"{key}/offer")
        m.at(day, 10 * 60 + 20, 0)
        bought = m.run([PurchaseForCase(case=cid, instrument=iid, quantity=qty,
                                        limit_price=price)], f"{key}/buy", SYSTEM)
        got = m.book_purchase(iid, bought[0].result["fills"], day)
        if got <= 0:
            return
        m.at(day, 14 * 60, 0)
        m.run([RetireForCase(case=cid)], f"{key}/retire", SYSTEM)
        m.run([CloseCase(case=cid, note="执结")], f"{key}/close", SYSTEM)
        self.retired += got
        del self.pending[cid]

    def pledge(self, h: Holder, bank: str, n: int, day: dt.date, key: str) -> None:
        """A forestry company pledges 40 % of its credits to the bank for a loan."""
        qty = int(h.sellable(day) * 0.4)
        if qty <= 0:
            return
        self.market.run([PlaceHold(hold_kind=HoldKind.PLEDGE, asset="CQCER", account=h.account,
                                   quantity=qty, controller=bank,
                                   reference=LOANS[n % len(LOANS)])], key, h.actor)
        h.held += qty

