"""Carbon-inclusive conservation laws, written once (``qingshan log verify`` and the state
machine check them): the people's account holds exactly the points settled less those spent;
the pool, exactly those donated; the treasury is short exactly what is outstanding; settled
days follow one another; no reward's stock is negative and no person spent more than settled."""

from __future__ import annotations

from qingshan.inclusive.state import InclusiveState
from qingshan.inclusive.subledger import CIP


def check_invariants(r: InclusiveState) -> list[str]:
    problems: list[str] = []
    t = r.totals()
    if r.settings:
        people = r.ledger.available(r.settings["people"], CIP)
        pool = r.ledger.available(r.settings["pool"], CIP)
        treasury = r.ledger.available(r.settings["treasury"], CIP)
        if people != t["settled"] - t["redeemed"] - t["donated"]:
            problems.append(f"people's account holds {people}, settled less spent is "
                            f"{t['settled'] - t['redeemed'] - t['donated']}")
        if pool != t["donated"]:
            problems.append(f"pool holds {pool}, donated {t['donated']}")
        if treasury != -(t["settled"] - t["redeemed"]):
            problems.append(f"treasury is {treasury}, outstanding "
                            f"{t['settled'] - t['redeemed']}")
    elif t["settled"] or r.spends:
        problems.append("days settled or points spent with no accounts set")
    days = sorted(r.days)
    if days and days != list(range(days[0], days[-1] + 1)):
        problems.append("settled days are not consecutive")
    for d in r.days.values():
        if sum(g for _, g in d.close.by_scenario) != d.close.grams or d.close.grams < 0:
            problems.append(f"day {d.close.day}: totals by scenario do not add up")
    problems += [f"reward {w.id}: stock {w.stock}" for w in r.rewards.values() if w.stock < 0]
    if t["redeemed"] + t["donated"] > t["settled"]:
        problems.append("more points spent than settled")
    return problems
