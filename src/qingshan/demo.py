"""Demo data: a small, believable Chongqing book loaded through the same commands as the API.

Loading is idempotent (every command has a fixed idempotency key), so ``make demo`` can run it
on every start.
"""

from __future__ import annotations

import hashlib
import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from qingshan.ledger.domain.commands import (
    Command,
    CreateAssetClass,
    OpenAccount,
    PlaceHold,
    RegisterParty,
    RetireUnits,
    Transfer,
)
from qingshan.ledger.domain.identifiers import make_uscc
from qingshan.ledger.domain.model import (
    SYSTEM,
    AccountType,
    AssetKind,
    HoldKind,
    PartyKind,
    Principal,
    RetirementPurpose,
    Role,
)
from qingshan.ledger.sequencer import Receipt, Sequencer
from qingshan.market.commands import CreateInstrument, PlaceOrder
from qingshan.reference.chongqing import DISTRICTS
from qingshan.registry.commands import (
    CreateProject,
    DecideIssuance,
    RegisterProject,
    RequestIssuance,
    SubmitMonitoringReport,
    SubmitProject,
    ValidateProject,
    VerifyMonitoringReport,
)
from qingshan.registry.imports import ImportGridFactors, shipped_factor_rows
from qingshan.registry.methodologies.base import Methodology, ParameterKind

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

FEE_BPS = 30  # 0.3 % from each side

SECTORS = ["林业碳汇", "分布式光伏", "农村户用沼气", "水电", "生态农业", "绿色建材", "物流",
           "食品加工", "新材料", "文旅"]
PREFIXES = ["渝", "巴", "山城", "江北", "长江", "嘉陵", "缙云", "三峡", "武陵", "大巴山"]


@dataclass
class DemoBook:
    operator: str = ""
    accounts: dict[str, str] = field(default_factory=dict)  # name -> holding account
    parties: dict[str, str] = field(default_factory=dict)  # name -> party id
    entries: int = 0


def load_demo(seq: Sequencer, *, enterprises: int = 150,
              progress: Callable[[int, int], None] | None = None,
              methodologies: Sequence[Methodology] | None = None) -> DemoBook:
    if methodologies is None:
        from qingshan.registry.methodologies import CURRENT

        methodologies = CURRENT
    rng = random.Random(20211028)  # 碳惠通 went live in October 2021
    book = DemoBook()
    steps = 6
    done = 0

    def run(commands: list[Command], key: str) -> list[Receipt]:
        receipts = seq.execute(commands, SYSTEM, f"demo/{key}")
        book.entries += len(receipts)
        return receipts

    def run_as(actor: Principal, commands: list[Command], key: str) -> list[Receipt]:
        receipts = seq.execute(commands, actor, f"demo/{key}")
        book.entries += len(receipts)
        return receipts

    def step() -> None:
        nonlocal done
        done += 1
        if progress:
            progress(done, steps)

    run(list(ASSETS), "assets")
    op = run([RegisterParty(PartyKind.OPERATOR, "重庆市生态环境局 碳惠通平台", None)],
             "operator")[0].result["party"]
    book.operator = op
    ops = run([OpenAccount(op, AccountType.RETIREMENT, "注销账户 retirement"),
               OpenAccount(op, AccountType.CANCELLATION, "取消账户 cancellation"),
               OpenAccount(op, AccountType.TREASURY, "资金清算 CNY treasury"),
               OpenAccount(op, AccountType.BUFFER, "林业缓冲池 forestry buffer"),
               OpenAccount(op, AccountType.HOLDING, "平台持有 platform holding")],
              "operator-accounts")
    treasury = ops[2].result["account"]
    book.accounts["platform"] = ops[4].result["account"]
    step()
    # districts, a court, a bank, a verifier
    others: list[Command] = [RegisterParty(PartyKind.DISTRICT, f"{d.name_zh}人民政府", d.code)
                             for d in DISTRICTS]
    others += [RegisterParty(PartyKind.COURT, "重庆市高级人民法院", None),
               RegisterParty(PartyKind.BANK, "重庆三峡银行", None),
               RegisterParty(PartyKind.VERIFIER, "中环联合(北京)认证中心 重庆审定核证", None),
               RegisterParty(PartyKind.VERIFIER, "重庆市环境科学研究院 审定核证中心", None)]
    names = [f"{d.name_zh}人民政府" for d in DISTRICTS] + ["court", "bank", "verifier",
                                                             "verifier2"]
    for name, r in zip(names, run(others, "others"), strict=True):
        book.parties[name] = r.result["party"]
    step()
    # enterprises with valid unified social credit codes registered in their district
    ent_cmds: list[Command] = []
    ent_names: list[str] = []
    for i in range(enterprises):
        d = DISTRICTS[i % len(DISTRICTS)]
        sector = SECTORS[i % len(SECTORS)]
        name = f"重庆{PREFIXES[i % len(PREFIXES)]}{sector}有限公司{i + 1:03d}"
        body = f"{rng.randrange(10**7, 10**8):08d}"
        ent_cmds.append(RegisterParty(PartyKind.ENTERPRISE, name,
                                      make_uscc("9", "1", d.code, body)))
        ent_names.append(name)
    for name, r in zip(ent_names, run(ent_cmds, "enterprises"), strict=True):
        book.parties[name] = r.result["party"]
    holders = ent_names + [f"{d.name_zh}人民政府" for d in DISTRICTS] + ["court", "bank"]
    accts = run([OpenAccount(book.parties[n], AccountType.HOLDING, "一般持有账户")
                 for n in holders], "holding-accounts")
    for n, r in zip(holders, accts, strict=True):
        book.accounts[n] = r.result["account"]
    step()
    # money: every enterprise and the court starts with CNY deposited from the treasury
    funding: list[Command] = [Transfer("CNY", treasury, book.accounts[n], 50_000_000 * 100,
                                       memo="入金 deposit") for n in [*ent_names, "court"]]
    run(funding, "funding")
    step()
    # the grid-factor table this release ships, then projects through the registry, one per
    # proponent, across the methodologies
    run([ImportGridFactors.from_payload({"rows": shipped_factor_rows()})], "grid-factors")
    projects = _register_projects(run, run_as, rng, book, ent_names, methodologies, op,
                                  _factor_kinds(seq))
    step()
    # a market's worth of trades on the exchange (a sell order, then a buy order that takes
    # it), planned from what the issuances gave (not from the live book) so a re-run sends the
    # very same commands
    run([CreateInstrument("CQCER-ALL", "CQCER", 1, 1, 1000, 2700, 200_000, FEE_BPS,
                          book.accounts["platform"]),
         # by kind of project, as the examples: forestry credits, and the others
         CreateInstrument("CQCER-FOREST", "CQCER", 1, 1, 1000, 3200, 200_000, FEE_BPS,
                          book.accounts["platform"], categories=("forestry",)),
         CreateInstrument("CQCER-OTHER", "CQCER", 1, 1, 1000, 2500, 200_000, FEE_BPS,
                          book.accounts["platform"],
                          categories=("agriculture", "energy", "inclusive"))], "instrument")
    left = {n: 0 for n in [*ent_names, "platform"]}
    for name, qty in projects:
        left[name] += qty
    cash = {n: 50_000_000 * 100 for n in ent_names}
    got: dict[str, int] = {}

    def trade(orders: list[Command], instrument: str, seller: str, buyer: str, qty: int,
              price: int) -> None:
        """Plan a sell order and the buy order that takes it, if both sides can afford it."""
        value = qty * price
        fee = value * FEE_BPS // 10_000
        if qty <= 0 or seller == buyer or left[seller] < qty or cash[buyer] < value + fee:
            return
        left[seller] -= qty
        left[buyer] += qty
        cash[buyer] -= value + fee
        cash[seller] = cash.get(seller, 0) + value - fee
        got[buyer] = got.get(buyer, 0) + qty
        for side, who in (("sell", seller), ("buy", buyer)):
            orders.append(PlaceOrder.from_payload({
                "instrument": instrument, "account": book.accounts[who], "side": side,
                "order_type": "limit", "price": price, "quantity": qty}))

    # forestry companies sell a tenth of what they were issued on CQCER-FOREST first (only
    # their forestry units qualify there), each lot taken by another enterprise
    forest: list[Command] = []
    for k, (name, qty) in enumerate(p for p in projects if "林业" in p[0]):
        trade(forest, "CQCER-FOREST", name, ent_names[(k * 7 + 3) % len(ent_names)], qty // 10,
              3_000 + (k * 37) % 400)  # inside the ±10 % band of 32.00
    if forest:
        run(forest, "forest-trades")
    # forestry carbon-sink pledge loans (林业碳汇预期收益权质押贷款): two forestry companies
    # pledge a third of what is left to them to the bank, which controls the holds
    pledges: list[Command] = []
    for name, _ in [p for p in projects if "林业" in p[0]][:2]:
        lot = left[name] // 3
        if lot > 0:
            left[name] -= lot
            pledges.append(PlaceHold(HoldKind.PLEDGE, "CQCER", book.accounts[name], lot,
                                     book.parties["bank"],
                                     f"林业碳汇预期收益权质押贷款 {book.parties[name]}"))
    if pledges:
        run(pledges, "pledges")
    moves: list[Command] = []
    sellers = [n for n, _ in projects if n != "platform"]
    for _ in range(1400 if sellers else 0):
        src = sellers[rng.randrange(len(sellers))] if rng.random() < 0.7 else \
            ent_names[rng.randrange(len(ent_names))]
        dst = ent_names[rng.randrange(len(ent_names))]
        qty = rng.randrange(2_000, 30_000)
        price = rng.randrange(2_450, 2_950)  # fen per tonne, inside the ±10 % band of 27.00
        trade(moves, "CQCER-ALL", src, dst, qty, price)
    for i in range(0, len(moves), 200):
        run(moves[i:i + 200], f"trades-{i // 200}")
    buyers = sorted(got, key=lambda n: ent_names.index(n))
    retire: list[Command] = []
    for k, n in enumerate(buyers[:80]):
        qty = min(left[n], 500 + 97 * k)
        if qty <= 0:
            continue
        left[n] -= qty
        purpose = (RetirementPurpose.COMPLIANCE, RetirementPurpose.CARBON_NEUTRALITY)[k % 2]
        claim = ("重点排放单位履约抵销 compliance offset" if k % 2 == 0
                 else "年度运营碳中和 annual operations carbon neutral")
        retire.append(RetireUnits("CQCER", book.accounts[n], qty, purpose, n, claim,
                                  f"CN-2024-{k + 1:04d}"))
    # 以碳代偿: the court buys credits with compensation funds and retires them under the case
    seller = max(sellers, key=lambda n: left[n]) if sellers else ""
    court_lot = min(left[seller], 1_200) if sellers else 0
    if court_lot > 0:
        left[seller] -= court_lot
        run([Transfer("CQCER", book.accounts[seller], book.accounts["court"], court_lot,
                      memo="以碳代偿 purchase"),
             Transfer("CNY", book.accounts["court"], book.accounts[seller],
                      court_lot * 3_000, memo="生态修复资金 compensation funds"),
             RetireUnits("CQCER", book.accounts["court"], court_lot,
                         RetirementPurpose.JUDICIAL_COMPENSATION, "长江上游生态修复",
                         "渝碳司法: 判决生态修复费用购买并注销碳惠通减排量",
                         "(2023)渝0118刑初215号")], "judicial")
    if retire:
        run(retire, "retirements")
    step()
    return book


Run = Callable[[list[Command], str], list[Receipt]]
RunAs = Callable[[Principal, list[Command], str], list[Receipt]]


def _kind_of(m: Methodology) -> str:
    text = f"{m.id} {m.sector} {m.title_zh} {m.title_en}".lower()
    for kind, words in (("forestry", ("forest", "林")), ("pv", ("光伏", "photovolt")),
                        ("biogas", ("沼气", "biogas")), ("inclusive", ("普惠", "inclusive"))):
        if any(w in text for w in words):
            return kind
    return "other"


# Fixed values the demo's validations record where a methodology has no default (as a
# validated project document would state them; the demo's own figures, not sourced ones)
DEMO_FIXED: dict[str, dict[str, str]] = {
    "CQ-BIOGAS": {"ch4_fraction": "0.6", "leak_fraction": "0.1", "gwp_ch4": "21"},
    "CQ-FOREST": {"baseline_per_year": "0"},
}


def _factor_kinds(seq: Sequencer) -> set[str]:
    registry: Any = seq.router.book("registry")
    return {f.kind for f in registry.factors.values()}


def demo_values(m: Methodology, target: int) -> dict[str, str]:
    """Monitoring values (monitored parameters only) for which the methodology gives about
    ``target`` tCO2e over a calendar year: mid-range values for the secondary parameters, and
    the first monitored one found by bisection (whole numbers where the parameter is)."""
    free = [p for p in m.parameters if p.monitored and p.default is None]
    fixed = m.fixed_values(tuple(DEMO_FIXED.get(m.id, {}).items()))
    derived = {p.id: "1" for p in m.of_kind(ParameterKind.DERIVED)}  # a year; grid factors 1
    defaults = {p.id: p.default for p in m.parameters
                if p.monitored and p.default is not None}
    values: dict[str, float] = {}
    for p in free:
        lo = p.minimum if p.minimum is not None else 0.0
        hi = p.maximum if p.maximum is not None else lo + 1.0
        values[p.id] = round((lo + hi) / 2, 3) if p.maximum is not None else max(lo, 1.0)
    if free:
        key = free[0]
        lo, hi = (key.minimum or 0.0), (key.maximum or 1e9)
        for _ in range(80):
            mid = (lo + hi) / 2
            if m.compute({**defaults, **values, key.id: mid}, fixed, derived) < target:
                lo = mid
            else:
                hi = mid
        values[key.id] = float(math.ceil(hi)) if key.integer else round(hi, 3)
    whole = {p.id for p in free if p.integer}
    return {k: f"{v:.0f}" if k in whole else f"{v:.3f}" for k, v in values.items()}


def _register_projects(run: Run, run_as: RunAs, rng: random.Random, book: DemoBook,
                       ent_names: list[str],
                       methodologies: Sequence[Methodology],
                       operator: str, factor_kinds: set[str]) -> list[tuple[str, int]]:
    """Projects from draft to issuance; returns (proponent, units it received) pairs. A
    methodology whose grid factors are not in the imported table (CQ-PV@2.0 needs the MEE's
    operating and build margins, which this release does not ship) registers its projects
    but reports nothing."""
    if not methodologies:
        return []
    verifiers = [Principal("demo-verifier-1", Role.VERIFIER, book.parties["verifier"]),
                 Principal("demo-verifier-2", Role.VERIFIER, book.parties["verifier2"])]
    by_kind: dict[str, list[Methodology]] = {}
    for m in methodologies:
        by_kind.setdefault(_kind_of(m), []).append(m)
    plan: list[tuple[str, Methodology]] = []
    for n in ent_names:
        kind = ("forestry" if "林业" in n else "pv" if "光伏" in n else
                "biogas" if "沼气" in n else None)
        if kind and by_kind.get(kind):
            plan.append((n, by_kind[kind][len(plan) % len(by_kind[kind])]))
    for m in by_kind.get("inclusive", []) + by_kind.get("other", []):
        plan.append(("platform", m))
    received: list[tuple[str, int]] = []
    for j, (name, m) in enumerate(plan):
        party = operator if name == "platform" else book.parties[name]
        d = DISTRICTS[(j * 7) % len(DISTRICTS)]
        create = CreateProject.from_payload({
            "proponent": party, "account": book.accounts[name],
            "name": f"{d.name_zh}{m.title_zh}项目{j + 1:02d}", "methodology": m.key,
            "district": d.code, "lat_e6": int(d.lat * 1e6), "lon_e6": int(d.lon * 1e6),
            "crediting_start": "2020-01-01", "crediting_end": "2029-12-31",
            "estimated_annual": 20_000, "description": f"{m.title_en} in {d.name_en}",
            "documents": [{"name": "项目设计文件 PDD",
                           "sha256": hashlib.sha256(f"pdd-{j}".encode()).hexdigest(),
                           "url": ""}],
            **({"plant_code": f"PV-{d.code}-{j + 1:04d}"} if m.green_certificates else {})})
        pid = run([create], f"project-{j}")[0].result["project"]
        verifier = verifiers[j % 2]
        run([SubmitProject(pid, "申请审定 ready for validation")], f"submit-{j}")
        run_as(verifier, [ValidateProject(pid, True, "符合方法学 meets the methodology",
                                          tuple(sorted(DEMO_FIXED.get(m.id, {}).items())))],
               f"validate-{j}")
        run([RegisterProject(pid, "审定通过 validated")], f"register-{j}")
        total = 0
        years = (2021, 2022, 2023)[: 1 + j % 3]
        if not set(m.grid_factors) <= factor_kinds:
            years = ()
        for year in years:
            target = rng.randrange(8_000, 30_000)
            report = run([SubmitMonitoringReport.from_payload({
                "project": pid, "period_start": f"{year}-01-01", "period_end": f"{year}-12-31",
                "values": demo_values(m, target),
                "declarations": ["no_green_certificates"] if m.green_certificates else []})],
                f"report-{j}-{year}")[0].result
            rid = report["report"]
            claimed = int(run_as(verifier, [VerifyMonitoringReport(
                rid, True, min(target, int(report["claimed"])), "核证 verified")],
                f"verify-{j}-{year}")[0].result["verified"])
            qid = run([RequestIssuance(rid, claimed)], f"request-{j}-{year}")[0].result[
                "request"]
            issued = run([DecideIssuance(qid, True, "签发 approved")],
                         f"issue-{j}-{year}")[0].result
            total += claimed - int(issued["buffer"])
        received.append((name, total))
    return received

