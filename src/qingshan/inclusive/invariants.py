"""Carbon-inclusive conservation laws, written once (``qingshan log verify`` and the state
machine check them): the people's account holds exactly the points settled less those spent;
the pool, exactly those donated; the treasury is short exactly what is outstanding; settled
days follow one another; no reward's stock is negative and no person spent more than settled."""

from __future__ import annotations

from qingshan.inclusive.model import GRAMS_PER_TONNE, PoolStatus
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
    return problems + _pools(r)


def _pools(r: InclusiveState) -> list[str]:
    """No day in two live pools; pooled days are settled; each issued pool's grams and what it
    carried in make its tonnes plus what it carried out, and carries chain pool to pool."""
    problems: list[str] = []
    seen: set[int] = set()
    carry = 0
    for p in sorted(r.pools.values(), key=lambda p: p.id):
        if p.status is PoolStatus.REJECTED:
            continue
        days = set(range(p.first_day, p.last_day + 1))
        if days & seen:
            problems.append(f"pool {p.id}: a day is in two pools")
        seen |= days
        if not days <= set(r.days):
            problems.append(f"pool {p.id}: a day is not settled")
        elif p.grams != sum(r.days[d].close.grams for d in days):
            problems.append(f"pool {p.id}: grams differ from its days'")
        if p.carried_in != carry or p.carried_out < 0 or p.carried_out >= GRAMS_PER_TONNE:
            problems.append(f"pool {p.id}: carried grams do not chain")
        if p.status is PoolStatus.ISSUED:
            carry = p.carried_out
    return problems
