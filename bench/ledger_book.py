"""The ledger's book alone: transfers applied to ``LedgerState`` in memory (no sequencer, no
store, no log), in transfers per CPU-second, beside a baseline measured in the same run.

    .venv/bin/python bench/ledger_book.py

CPU time, not wall time, and the best of five rounds: on a machine shared with other work
this is the figure that moves only when the book's own code does (used to compare the code
before and after a change, run alternately). The baseline is the bare bookkeeping one CNY
transfer needs (two balance updates with their undo records) in a plain loop.
"""

from __future__ import annotations

import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.book import make_book  # noqa: E402

from qingshan.ledger.domain.commands import IssueUnits, OpenAccount, Transfer  # noqa: E402
from qingshan.ledger.domain.model import SYSTEM, AccountType  # noqa: E402
from qingshan.ledger.domain.state import LedgerState  # noqa: E402

TREASURY = "A00000003"
ROUNDS = 5


def funded_book(accounts: int = 100) -> tuple[LedgerState, list[str]]:
    state = make_book().state
    ids = []
    for i in range(accounts):
        opened = state.apply(OpenAccount("P000002", AccountType.HOLDING, f"a{i}"), SYSTEM)
        ids.append(opened.result["account"])
    for a in ids:
        state.apply(IssueUnits("CQCER", "CQ0001", 2020, "2020-01-01", "2020-12-31", "",
                               ((a, 100_000),)), SYSTEM)
        state.apply(Transfer("CNY", TREASURY, a, 10**9), SYSTEM)
    state.forget_undo()
    return state, ids


def book_rate(asset: str, n: int) -> float:
    state, ids = funded_book()
    rnd = random.Random(7)
    cmds = []
    while len(cmds) < n:
        src, dst = rnd.choice(ids), rnd.choice(ids)
        if src != dst:
            cmds.append(Transfer(asset, src, dst, rnd.randint(1, 50)))
    start = time.process_time()
    for i, cmd in enumerate(cmds):
        state.apply(cmd, SYSTEM, i)
        if i % 1000 == 999:
            state.forget_undo()
    return n / (time.process_time() - start)


def baseline_rate(n: int) -> float:
    balances: dict[tuple[str, str], int] = {}
    undo: list[tuple[object, ...]] = []
    rnd = random.Random(7)
    pairs = [(f"A{rnd.randrange(100):08d}", f"A{rnd.randrange(100):08d}") for _ in range(n)]
    start = time.process_time()
    for i, (src, dst) in enumerate(pairs):
        for key, amount in (((src, "CNY"), -5), ((dst, "CNY"), 5)):
            undo.append((0, balances, key, balances.get(key)))
            balances[key] = balances.get(key, 0) + amount
        if i % 1000 == 999:
            undo.clear()
    return n / (time.process_time() - start)


def best(measure: Callable[..., float], *args: object) -> float:
    return max(measure(*args) for _ in range(ROUNDS))


def main() -> None:
    base = best(baseline_rate, 200_000)
    print(f"# bench/ledger_book.py, Python {sys.version.split()[0]}, best of {ROUNDS} rounds")
    print(f"{'baseline: two balance updates with undo records':<52} {base:>10,.0f} /CPU-s")
    for asset, n in (("CNY", 60_000), ("CQCER", 20_000)):
        rate = best(book_rate, asset, n)
        print(f"{asset + ' transfers applied to the book':<52} {rate:>10,.0f} /CPU-s"
              f"   ratio {rate / base:.3f} × baseline")


if __name__ == "__main__":
    main()
