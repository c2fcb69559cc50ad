"""Demo data: a small, believable Chongqing book loaded through the same commands as the API.

Loading is idempotent (every command has a fixed idempotency key), so ``make demo`` can run it
on every start.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

from qingshan.ledger.domain.commands import (
    Command,
    CreateAssetClass,
    IssueUnits,
    OpenAccount,
    RegisterParty,
    RetireUnits,
    Transfer,
)
from qingshan.ledger.domain.identifiers import make_uscc
from qingshan.ledger.domain.model import (
    SYSTEM,
    AccountType,
    AssetKind,
    PartyKind,
    RetirementPurpose,
)
from qingshan.ledger.sequencer import Receipt, Sequencer
from qingshan.reference.chongqing import DISTRICTS

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
              progress: Callable[[int, int], None] | None = None) -> DemoBook:
    rng = random.Random(20211028)  # 碳惠通 went live in October 2021
    book = DemoBook()
    steps = 6
    done = 0

    def run(commands: list[Command], key: str) -> list[Receipt]:
        receipts = seq.execute(commands, SYSTEM, f"demo/{key}")
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
    treasury, buffer = ops[2].result["account"], ops[3].result["account"]
    step()
    # districts, a court, a bank, a verifier
    others: list[Command] = [RegisterParty(PartyKind.DISTRICT, f"{d.name_zh}人民政府", d.code)
                             for d in DISTRICTS]
    others += [RegisterParty(PartyKind.COURT, "重庆市高级人民法院", None),
               RegisterParty(PartyKind.BANK, "重庆三峡银行", None),
               RegisterParty(PartyKind.VERIFIER, "中环联合(北京)认证中心 重庆审定核证", None)]
    names = [f"{d.name_zh}人民政府" for d in DISTRICTS] + ["court", "bank", "verifier"]
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
    # issuances: forestry projects keep 10% in the buffer pool
    issue: list[Command] = []
    proponents = [n for n in ent_names if "林业" in n or "光伏" in n or "沼气" in n]
    for j, n in enumerate(proponents):
        qty = rng.randrange(5_000, 40_000)
        vintage = 2021 + j % 3
        allocations: tuple[tuple[str, int], ...] = ((book.accounts[n], qty),)
        if "林业" in n:
            allocations = ((book.accounts[n], qty - qty // 10), (buffer, qty // 10))
        issue.append(IssueUnits("CQCER", f"CQ{j + 1:04d}", vintage, f"{vintage}-01-01",
                                f"{vintage}-12-31", f"monitoring report MR-{vintage}-{j + 1:03d}",
                                allocations))
    run(issue, "issuances")
    step()
    # a market's worth of transfers and retirements
    buyers = [n for n in ent_names if n not in proponents]
    moves: list[Command] = []
    # plan from the issuances themselves (not from the live book) so a re-run sends the very
    # same commands and the idempotency keys replay
    left = {n: next(q for a, q in cmd.allocations if a == book.accounts[n])
            for n, cmd in zip(proponents, issue, strict=True) if isinstance(cmd, IssueUnits)}
    got: dict[str, int] = {}
    for k in range(300):
        src = proponents[k % len(proponents)]
        dst = buyers[rng.randrange(len(buyers))]
        qty = rng.randrange(50, 800)
        if left[src] < qty:
            continue
        left[src] -= qty
        got[dst] = got.get(dst, 0) + qty
        price = rng.randrange(2_000, 4_000)  # fen per tonne
        moves.append(Transfer("CQCER", book.accounts[src], book.accounts[dst], qty,
                              memo=f"成交 trade at {price / 100:.2f} CNY/t"))
        moves.append(Transfer("CNY", book.accounts[dst], book.accounts[src], qty * price,
                              memo="货款 payment"))
    run(moves, "trades")
    retire: list[Command] = []
    for k, n in enumerate(buyers[:60]):
        if got.get(n, 0) < 20 + k:
            continue
        purpose = (RetirementPurpose.COMPLIANCE, RetirementPurpose.CARBON_NEUTRALITY)[k % 2]
        retire.append(RetireUnits("CQCER", book.accounts[n], 20 + k, purpose, n,
                                  "年度碳中和 annual neutrality", f"CN-2024-{k + 1:04d}"))
    if retire:
        run(retire, "retirements")
    step()
    return book
