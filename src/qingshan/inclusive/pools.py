"""Pooling settled days into credits (碳普惠减排量归集): the operator pools settled days of
one year under a registered pooled project, and a verifier decides; on approval their whole
tonnes are issued on the ledger like any project's credits (the methodology's buffer share
to the buffer pool), so companies buy and retire them with certificates. A day is in one pool
at most; the grams short of a tonne are carried to the next pool, never counted twice."""

from __future__ import annotations

from dataclasses import replace

from qingshan.errors import Forbidden
from qingshan.inclusive.commands import DecidePool, PoolReductions
from qingshan.inclusive.errors import (
    DayNotPoolable,
    NotPooledProject,
    UnknownPool,
    WrongPoolState,
)
from qingshan.inclusive.model import GRAMS_PER_TONNE, Pool, PoolStatus, day_number, iso_day
from qingshan.inclusive.state import InclusiveState
from qingshan.ledger.domain.commands import IssueUnits
from qingshan.ledger.domain.effects import Effects
from qingshan.ledger.domain.model import AccountType, Principal, Role
from qingshan.ledger.domain.policy import check_admin

POOLED_SECTOR = "inclusive"
POOL_PREFIX = "IP"  # a pool's issuance has the pool as its reference


def pooled_days(r: InclusiveState) -> set[int]:
    """Days in a pool that is proposed or issued."""
    return {d for p in r.pools.values() if p.status is not PoolStatus.REJECTED
            for d in range(p.first_day, p.last_day + 1)}


def carried(r: InclusiveState) -> int:
    """The grams the last issued pool carried over."""
    issued = [p for p in r.pools.values() if p.status is PoolStatus.ISSUED]
    return max(issued, key=lambda p: p.id).carried_out if issued else 0


def check_unclaimed(r: InclusiveState, project: str, first: int, last: int) -> None:
    """No gram twice: the days are in no monitoring report of the project (the registry's
    own path to credit them) and no credit of the project was issued for them otherwise."""
    lo, hi = iso_day(first), iso_day(last)
    for a, b in r.projects.reported_periods(project):
        if a <= hi and lo <= b:
            raise DayNotPoolable(f"the project's monitoring report covers {a} to {b}",
                                 field="first_day", period=[a, b])
    for iss in r.ledger.issuances_of(project):
        if iss.monitoring_start <= hi and lo <= iss.monitoring_end and \
                not iss.reference.startswith(POOL_PREFIX):
            raise DayNotPoolable("credits of the project were issued for these days",
                                 field="first_day", issuance=iss.id)


def pool_reductions(r: InclusiveState, cmd: PoolReductions, actor: Principal,
                    seq: int) -> Effects:
    check_admin(actor, "only the operator pools reductions")
    terms = r.projects.pooled_project(cmd.project)
    if terms is None or terms.sector != POOLED_SECTOR or terms.status != "registered":
        raise NotPooledProject("credits are issued only under a registered pooled project",
                               project=cmd.project, field="project")
    first, last = day_number(cmd.first_day), day_number(cmd.last_day)
    if any(p.status is PoolStatus.PROPOSED for p in r.pools.values()):
        raise DayNotPoolable("another pool awaits its decision", field="first_day")
    unsettled = [d for d in range(first, last + 1) if d not in r.days]
    if unsettled:
        raise DayNotPoolable(f"{iso_day(unsettled[0])} is not settled", field="last_day",
                             day=iso_day(unsettled[0]))
    taken = pooled_days(r) & set(range(first, last + 1))
    if taken:
        raise DayNotPoolable(f"{iso_day(min(taken))} is in another pool", field="first_day",
                             day=iso_day(min(taken)))
    check_unclaimed(r, cmd.project, first, last)
    grams = sum(r.days[d].close.grams for d in range(first, last + 1))
    carried_in = carried(r)
    pid = r.next_id("pool", "IP")
    pool = Pool(id=pid, project=cmd.project, first_day=first, last_day=last, grams=grams,
                carried_in=carried_in, tonnes=(grams + carried_in) // GRAMS_PER_TONNE,
                status=PoolStatus.PROPOSED, seq=seq, updated_seq=seq)
    r.put("pools", pid, pool)
    return Effects({"pool": pid, "grams": grams, "carried_in": carried_in,
                    "tonnes": pool.tonnes, "carried_out": pool.carried_out})


def decide_pool(r: InclusiveState, cmd: DecidePool, actor: Principal, seq: int) -> Effects:
    if actor.role is not Role.VERIFIER:
        raise Forbidden("a verifier decides a pool", role=actor.role.value)
    pool = r.pools.get(cmd.pool)
    if pool is None:
        raise UnknownPool("no such pool", pool=cmd.pool)
    if pool.status is not PoolStatus.PROPOSED:
        raise WrongPoolState(f"the pool is {pool.status.value}", pool=pool.id,
                             status=pool.status.value)
    if not cmd.approve:
        r.put("pools", pool.id, replace(pool, status=PoolStatus.REJECTED,
                                        opinion=cmd.opinion, updated_seq=seq))
        return Effects({"pool": pool.id, "status": PoolStatus.REJECTED.value})
    terms = r.projects.pooled_project(pool.project)
    if terms is None or terms.status != "registered":
        raise NotPooledProject("the pooled project is no longer registered",
                               project=pool.project)
    check_unclaimed(r, pool.project, pool.first_day, pool.last_day)
    buffer = -(-pool.tonnes * terms.buffer_percent // 100)  # the buffer share rounds up
    effects = Effects({})
    issuance = None
    if pool.tonnes:
        allocations = [(terms.account, pool.tonnes - buffer)]
        if buffer:
            allocations.append((r.ledger.platform_account(None, AccountType.BUFFER).id,
                                buffer))
        effects = r.ledger.issue_units(IssueUnits(
            asset=terms.asset, project=terms.id, vintage=int(iso_day(pool.first_day)[:4]),
            monitoring_start=iso_day(pool.first_day), monitoring_end=iso_day(pool.last_day),
            reference=pool.id, allocations=tuple((a, n) for a, n in allocations if n),
            category=POOLED_SECTOR), seq)
        issuance = str(effects.result["issuance"])
    r.put("pools", pool.id, replace(pool, status=PoolStatus.ISSUED, buffer=buffer,
                                    issuance=issuance, opinion=cmd.opinion, updated_seq=seq))
    effects.result = {**effects.result, "pool": pool.id, "status": PoolStatus.ISSUED.value,
                      "tonnes": pool.tonnes, "buffer": buffer}
    return effects
